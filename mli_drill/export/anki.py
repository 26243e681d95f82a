"""Exporting the concept decks as an Anki package (``.apkg``), via genanki.

Re-importing a newer export must *update* the student's notes, not duplicate
them, so everything Anki uses for identity is derived from our ids and never
random: note GUIDs come from card ids, deck ids from deck ids and model
(note type) ids from fixed names. Changing the wording of a card therefore
updates its note in Anki and keeps its review history there.

Text conversion: deck text is plain text with LaTeX between dollars. Anki
fields are HTML, and Anki typesets math with MathJax between ``\\(...\\)``
(inline) and ``\\[...\\]`` (display), so every piece of text is HTML-escaped
and its math re-delimited. Backtick spans become ``<code>``.

genanki is imported inside the functions that need it (start-up time).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from mli_drill.model import Card, Deck, choice_letter, choice_order, cloze_deletions

if TYPE_CHECKING:
    import genanki

GUID_NAMESPACE = "mli-drill"
DECK_PREFIX = "MLI::"
# Bump the version in these names only when a note type's fields change:
# a new name gives a new model id, which Anki treats as a new note type.
BASIC_MODEL_NAME = "mli-drill basic v1"
CLOZE_MODEL_NAME = "mli-drill cloze v1"

# One alternation so the leftmost construct wins: code is never read as math,
# and "$$" is tried before "$".
_SPANS = re.compile(r"`(?P<code>[^`\n]+)`|\$\$(?P<display>.+?)\$\$|\$(?P<inline>.+?)\$", re.DOTALL)

CSS = """\
.card { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 20px;
        text-align: left; color: #222; background: #fff; line-height: 1.45; max-width: 46em; margin: 0 auto; }
.nightMode.card { color: #eee; background: #222; }
ol.choices { list-style-type: upper-alpha; }
.correct { font-weight: bold; }
.extra { margin-top: 0.8em; }
.hint { margin-top: 0.8em; color: #8a6d00; }
.drill, .card-id { margin-top: 1em; font-size: 0.7em; color: #888; }
code { font-family: Menlo, Consolas, monospace; font-size: 0.9em; }
"""

_HINT = '{{#Hint}}<div class="hint">{{hint:Hint}}</div>{{/Hint}}'
_CARD_ID = '<div class="card-id">{{Card ID}}</div>'


@dataclass(frozen=True)
class ExportSummary:
    notes: int
    decks: int
    path: Path


# -- identity -----------------------------------------------------------------
def stable_id(key: str) -> int:
    """A deterministic id in genanki's recommended range [2^30, 2^31) for a fixed key."""
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16)
    return (1 << 30) + digest % (1 << 30)


def deck_anki_id(deck_id: str) -> int:
    return stable_id(f"{GUID_NAMESPACE} deck {deck_id}")


def note_guid(card: Card) -> str:
    """The note's GUID depends only on the card id, so re-exports update notes in place."""
    import genanki

    return genanki.guid_for(GUID_NAMESPACE, card.id)


def anki_tags(tags: Iterable[str]) -> list[str]:
    """Anki tags are separated by spaces, so spaces inside a tag become underscores."""
    cleaned = ("_".join(tag.split()) for tag in tags)
    return list(dict.fromkeys(tag for tag in cleaned if tag))


# -- text -----------------------------------------------------------------------
def to_anki_html(text: str) -> str:
    """Deck text as an Anki field: escaped HTML, MathJax delimiters, <code> spans, <br> line breaks."""
    parts: list[str] = []
    position = 0
    for match in _SPANS.finditer(text):
        parts.append(_plain(text[position : match.start()]))
        if match.group("code") is not None:
            parts.append(f"<code>{html.escape(match.group('code'), quote=False)}</code>")
        elif match.group("display") is not None:
            parts.append(r"\[" + html.escape(match.group("display").strip(), quote=False) + r"\]")
        else:
            parts.append(r"\(" + html.escape(match.group("inline").strip(), quote=False) + r"\)")
        position = match.end()
    parts.append(_plain(text[position:]))
    return "".join(parts)


def _plain(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def cloze_to_anki(text: str) -> str:
    """Our deletions as Anki's: ``{{...}}`` becomes ``{{c1::...}}``, and ``{{cN::answer::hint}}`` stays itself.

    Unnumbered deletions are all c1 because mli-drill hides them together;
    numbered ones keep their numbers, so Anki makes one card per number, as
    mli-drill makes one review item per number.
    """
    parts: list[str] = []
    position = 0
    for deletion in cloze_deletions(text):
        parts.append(to_anki_html(text[position : deletion.start]))
        inside = _cloze_safe(to_anki_html(deletion.answer))
        if deletion.hint:
            inside += "::" + _cloze_safe(to_anki_html(deletion.hint))
        parts.append(f"{{{{c{deletion.number or 1}::{inside}}}}}")
        position = deletion.end
    parts.append(to_anki_html(text[position:]))
    return "".join(parts)


def _cloze_safe(deletion: str) -> str:
    """Keep Anki's cloze parser from splitting a deletion.

    Inside a deletion "::" starts a cloze hint, and it can occur in text or
    LaTeX; a space between the colons changes nothing MathJax or a reader
    sees. ("}}" cannot occur: our own pattern ends a deletion at the first one.)
    """
    while "::" in deletion:
        deletion = deletion.replace("::", ": :")
    return deletion


# -- note types -------------------------------------------------------------------
def basic_model() -> "genanki.Model":
    import genanki

    return genanki.Model(
        stable_id(BASIC_MODEL_NAME),
        "MLI drill (basic)",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Hint"}, {"name": "Card ID"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}" + _HINT,
                "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + _CARD_ID,
            }
        ],
        css=CSS,
    )


def cloze_model() -> "genanki.Model":
    import genanki

    return genanki.Model(
        stable_id(CLOZE_MODEL_NAME),
        "MLI drill (cloze)",
        model_type=genanki.Model.CLOZE,
        fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Hint"}, {"name": "Card ID"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}" + _HINT,
                "afmt": '{{cloze:Text}}{{#Back Extra}}<div class="extra">{{Back Extra}}</div>{{/Back Extra}}' + _HINT + _CARD_ID,
            }
        ],
        css=CSS,
    )


# -- cards to notes ------------------------------------------------------------------
def note_fields(card: Card) -> list[str]:
    """The fields of a card's note, in the order of its model (cloze or basic)."""
    hint = to_anki_html(card.hint)
    if card.type == "cloze":
        return [cloze_to_anki(card.text), _with_drill(to_anki_html(card.back), card), hint, html.escape(card.id)]
    return [_front(card), _with_drill(_back(card), card), hint, html.escape(card.id)]


def export_order(card: Card) -> tuple[int, ...]:
    """An mcq card's choices in the order a note shows them: the order of the card's first review in
    mli-drill (``model.choice_order``), so the deck file's letters do not give the answer away in Anki either."""
    return choice_order(card.id, len(card.choices), 0)


def _front(card: Card) -> str:
    front = to_anki_html(card.front)
    if card.type == "mcq":
        items = "".join(f"<li>{to_anki_html(card.choices[index])}</li>" for index in export_order(card))
        front += f'<ol class="choices" type="A">{items}</ol>'
    return front


def _back(card: Card) -> str:
    parts: list[str] = []
    if card.type == "mcq":
        letter = choice_letter(export_order(card).index(card.answer_index))
        parts.append(f'<div class="correct">{letter}) {to_anki_html(card.choices[card.answer_index])}</div>')
    if card.type == "points":
        parts.append("<ol>" + "".join(f"<li>{to_anki_html(point)}</li>" for point in card.points) + "</ol>")
    if card.back:
        parts.append(f'<div class="extra">{to_anki_html(card.back)}</div>' if parts else to_anki_html(card.back))
    return "".join(parts)


def _with_drill(back: str, card: Card) -> str:
    if not card.family:
        return back
    return back + f'<div class="drill">Drill it: <code>mli-drill practice {html.escape(card.family)}</code></div>'


def make_note(card: Card, models: dict[str, "genanki.Model"]) -> "genanki.Note":
    import genanki

    model = models["cloze" if card.type == "cloze" else "basic"]
    return genanki.Note(model=model, fields=note_fields(card), tags=anki_tags(card.tags), guid=note_guid(card))


def anki_deck(deck: Deck, models: dict[str, "genanki.Model"]) -> "genanki.Deck":
    import genanki

    description = html.escape(f"{deck.title} — from mli-drill (deck {deck.id}).")
    result = genanki.Deck(deck_anki_id(deck.id), DECK_PREFIX + deck.title, description=description)
    for card in deck.cards:
        result.add_note(make_note(card, models))
    return result


def export_decks(decks: list[Deck], out: Path) -> ExportSummary:
    """Write one Anki deck per non-empty deck to ``out``; return what was written."""
    import genanki

    models: dict[str, Any] = {"basic": basic_model(), "cloze": cloze_model()}
    anki_decks = [anki_deck(deck, models) for deck in decks if deck.cards]
    package = genanki.Package(anki_decks)
    package.write_to_file(str(out))
    return ExportSummary(notes=sum(len(d.notes) for d in anki_decks), decks=len(anki_decks), path=out)
