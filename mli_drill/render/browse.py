"""The card browser: ``decks show`` (with ``--answers``) and ``search`` results.

Card ids are what ``suspend``, ``unsuspend`` and ``review --cards`` take, so
they are never cut short: a column too narrow for one folds it onto the
next line. Deck text passes through :func:`mli_drill.render.console.inert` before
any offset is worked out in it, so the highlighted matches of a search land
on the characters shown, and no control character reaches the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mli_drill.model import choice_letter
from mli_drill.render.console import inert, plural
from mli_drill.render.latex import latex_to_unicode
from mli_drill.render.session import answer_parts
from mli_drill.clock import iso, parse_time
from mli_drill.decks.search import card_fields

if TYPE_CHECKING:
    from mli_drill.model import Card, Deck
    from mli_drill.decks.search import Found

MATCH_STYLE = "bold black on yellow"
PROMPT_CHARACTERS = 90  # of a prompt in the deck table and under a search result; the rest is "…"
EXCERPT_CHARACTERS = 70  # around a match in another field


# -- text --------------------------------------------------------------------------
def shown(text: str) -> str:
    """Deck text as the terminal shows it: math as Unicode, control characters inert, on one line."""
    return " ".join(inert(latex_to_unicode(text)).split())


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary before ``limit`` characters, with "…" when anything was cut."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + " …"


def excerpt(text: str, words: Sequence[str], limit: int = EXCERPT_CHARACTERS) -> str:
    """About ``limit`` characters of ``text`` around the first of ``words`` in it, "…" where cut."""
    lowered = text.lower()
    first = min((lowered.find(word) for word in words if word in lowered), default=0)
    start = max(0, first - limit // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    piece = shorten(text[start:], limit)
    return ("… " if start else "") + piece


def highlighted(text: str, words: Iterable[str], style: str = "") -> Text:
    """``text`` (already :func:`inert`) with every occurrence of each word, ignoring case, in the match style."""
    result = Text(text, style=style)
    for word in words:
        needle = inert(word)
        if needle:
            for found in re.finditer(re.escape(needle), text, re.IGNORECASE):
                result.stylize(MATCH_STYLE, found.start(), found.end())
    return result


# -- decks show ------------------------------------------------------------------------
def deck_table(out: Console, deck: "Deck") -> None:
    """One row per card: the whole id, its type, the start of its prompt with its tags under it."""
    title = shown(f"{deck.title} ({deck.id}, {plural(len(deck.cards), 'card')})")
    table = Table(title=title, title_justify="left", header_style="bold", expand=True)
    table.add_column("id", no_wrap=True, overflow="fold")
    table.add_column("type", no_wrap=True)
    table.add_column("prompt · tags", ratio=1, overflow="fold")
    for card in deck.cards:
        prompt = Text(shorten(shown(card.prompt), PROMPT_CHARACTERS))
        if card.tags:
            prompt.append(inert("\n" + ", ".join(card.tags)), style="dim")
        table.add_row(Text(inert(card.id)), card.type, prompt)
    out.print(table)


def deck_with_answers(out: Console, deck: "Deck") -> None:
    """Every card in full: its id, type and tags, the question (an mcq card's choices, the right one ticked), the answer."""
    out.print(Text(shown(f"{deck.title} ({deck.id}, {plural(len(deck.cards), 'card')})"), style="bold"))
    for card in deck.cards:
        out.print()
        hanging(out, "", card_heading(card))
        question, answer = card_text(card)
        hanging(out, "  Q ", question)
        hanging(out, "  A ", answer)


def hanging(out: Console, label: str, text: Text) -> None:
    """``label`` then ``text``, wrapped to the console's width with its later lines under its first (no trailing spaces).

    A word longer than a line (a long card id) is folded onto the next line, never cut.
    """
    indent = " " * len(label)
    for index, line in enumerate(text.wrap(out, max(20, out.width - len(label)), overflow="fold")):
        line.rstrip()
        out.print(Text(label if index == 0 else indent, style="bold cyan") + line, soft_wrap=True)


def card_heading(card: "Card", extra: str = "") -> Text:
    """``id · type · tags``, the id in bold (and never cut: the caller prints with overflow="fold")."""
    heading = Text(inert(card.id), style="bold")
    details = [card.type, *([", ".join(card.tags)] if card.tags else []), *([extra] if extra else [])]
    heading.append(inert("  " + " · ".join(details)), style="dim")
    return heading


def card_text(card: "Card") -> tuple[Text, Text]:
    """A card's question (an mcq card's choices with the right one ticked) and its answer, as shown."""
    question = Text(inert(latex_to_unicode(card.prompt)))
    for index, choice in enumerate(card.choices):
        question.append(inert(f"\n{choice_letter(index)}) {latex_to_unicode(choice)}"))
        if index == card.answer_index:
            question.append(" ✓", style="bold green")
    answer = answer_parts(card)
    if card.type == "mcq":
        answer.insert(0, f"{card.answer.upper()}) {latex_to_unicode(card.choices[card.answer_index])}")
    return question, Text(inert("\n".join(answer))) if answer else Text("(no answer written)", style="dim")


# -- search ---------------------------------------------------------------------------
def standing_label(found: "Found", now: datetime) -> str:
    """``new``, ``suspended``, ``due now`` or ``due 2026-12-03`` (local date), and the lapses."""
    if found.suspended:
        when = "suspended"
    elif found.due is None:
        when = "new"
    elif found.due <= iso(now):
        when = "due now"
    else:
        due = parse_time(found.due).astimezone()
        when = "due " + (f"today {due:%H:%M}" if due.date() == now.astimezone().date() else f"{due:%Y-%m-%d}")
    return f"{when} · {found.lapses} lapse{'s' if found.lapses != 1 else ''}"


def search_results(out: Console, results: Sequence["Found"], words: Sequence[str], now: datetime) -> None:
    """Grouped by deck as ripgrep groups by file: each card's id, type, tags and standing, then the text that matched."""
    deck = None
    for found in results:
        card = found.card
        if card.deck != deck:
            if deck is not None:
                out.print()
            deck = card.deck
            out.print(Text(inert(deck), style="bold magenta"))
        heading = highlighted(inert(card.id), words, style="bold")
        heading.append(inert("  " + " · ".join([card.type, standing_label(found, now)])), style="dim")
        hanging(out, "  ", heading)
        fields = card_fields(card, latex_to_unicode)
        lines = [highlighted(shorten(shown(card.prompt), PROMPT_CHARACTERS), words)]
        missing = [word for word in words if word not in shown(card.prompt).lower() and word not in card.id.lower()]
        for field in fields[1:]:
            if not missing:
                break
            text = " ".join(inert(field.text).split())
            hits = [word for word in missing if word in text.lower() or word in field.source.lower()]
            if hits and field.name != "id":
                line = Text(f"{field.name}: ", style="dim")
                line.append_text(highlighted(excerpt(text, hits), words))
                lines.append(line)
                missing = [word for word in missing if word not in hits]
        for line in lines:
            hanging(out, "    ", line)
