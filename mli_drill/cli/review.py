"""``mli-drill review``: today's due cards and problem families, then new ones."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from mli_drill.cli import completion

if TYPE_CHECKING:
    from mli_drill.services.collection import Collection


def register(app: typer.Typer) -> None:
    app.command("review")(review)


def review(
    deck: Optional[str] = typer.Option(None, "--deck", "-d", help="Only this deck: a deck id or a path to a YAML deck.", autocompletion=completion.decks),
    tag: Optional[List[str]] = typer.Option(None, "--tag", "-t", help="Only cards with this tag (repeatable)."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="Stop after this many items."),
    new: Optional[int] = typer.Option(None, "--new", min=1, max=10_000, help="Take up to N new items more than today's limit, this session only."),
    ahead: Optional[int] = typer.Option(
        None, "--ahead", min=1, max=365, metavar="DAYS",
        help="Review early: also items due by the end of the day DAYS days from today (1: by the end of tomorrow).",
    ),
    json_summary: bool = typer.Option(False, "--json", help="Print the session summary as JSON at the end."),
    cards: bool = typer.Option(False, "--cards", help="Review just the cards named after it, due or not (ids from `search`)."),
    ids: Optional[List[str]] = typer.Argument(None, metavar="ID", help="With --cards: card ids (ID#c2: one deletion).",
                                              autocompletion=completion.cards, show_default=False),
) -> None:
    """Review what is due today (cards and problem families), then new material.

    Enter reveals a card (text typed first is shown beside the answer); rate
    1-4 (again/hard/good/easy). At every prompt u takes back the latest saved
    answer and shows that item again, and q quits; s at the rating prompt
    suspends the item. Works with piped input, one line per keystroke.
    On a terminal one key is enough: Space or Enter reveals, 1-4, u, s and q
    act at once (`config set keys line` for Enter after each).
    A problem family is drawn at the level the `level` setting gives (auto: your level).

    When nothing is due it says why: today's new-card limit (then --new N
    takes more), or nothing falls due before a later time (then --ahead
    reviews early).

    --cards ID... reviews those cards in that order, due or not, e.g.
    mli-drill review --cards $(mli-drill search dice --ids).
    """
    from mli_drill import clock
    from mli_drill.render.console import print_json
    from mli_drill.render.reports import nothing_due, summary
    from mli_drill.cli.common import ConsoleTerminal, find_deck, level_chooser, load_collection, workspace
    from mli_drill.services.queue import chosen_plan, review_plan
    from mli_drill.review.session import Session

    if bool(ids) != cards:
        raise typer.BadParameter("name the cards after --cards: mli-drill review --cards ID...", param_hint="--cards")
    if cards and (deck or tag):
        raise typer.BadParameter("--cards reviews just the cards named; leave out --deck and --tag", param_hint="--cards")
    extra, deck_id = _deck_argument(deck)
    collection = load_collection(extra, wanted_deck=deck_id)
    if deck_id is not None:
        deck_id = find_deck(collection, deck_id, "--deck").id
    _check_tags(collection, deck_id, tag or [])
    opened = workspace(collection)
    store, now, rules = opened.store, opened.now, opened.policy
    skipped: list[str] = []
    if ids:
        plan, skipped = chosen_plan(store, collection, _item_keys(collection, ids), limit)
    else:
        plan = review_plan(store, collection, now, rules, deck_id, tag or [], limit, extra_new=new or 0, ahead_days=ahead or 0)
    terminal = ConsoleTerminal()
    if skipped:
        terminal.out.print(f"Skipped, suspended: {', '.join(skipped)} (mli-drill unsuspend ID brings a card back).", markup=False)
    session = Session(
        store, terminal, plan.entries, rules, clock.now, family_titles=opened.family_titles(), scope=plan.scope,
        levels=level_chooser(store, None), policy_source=opened.live_policy(),
    )
    if not plan.entries:
        if not ids:  # a custom session of suspended cards only: the line above said why
            nothing_due(terminal.out, plan, _command(deck, tag or []))
        if json_summary:
            print_json(session.summary().to_dict())
        return
    result = session.run()
    summary(terminal.out, result)
    if json_summary:
        print_json(result.to_dict())


def _command(deck: Optional[str], tags: List[str]) -> str:
    """The command as typed (deck and tags), for the hints that extend it."""
    import shlex

    words = ["mli-drill", "review"] + (["--deck", deck] if deck else []) + [w for t in tags for w in ("--tag", t)]
    return " ".join(shlex.quote(w) for w in words)


def _check_tags(collection: "Collection", deck_id: Optional[str], tags: List[str]) -> None:
    """An unknown tag is a typo, not an empty review: exit 2 naming the tags there are."""
    import difflib

    known = sorted({t for card in collection.summaries() if deck_id is None or card.deck == deck_id for t in card.tags})
    for tag in tags:
        if tag not in known:
            close = difflib.get_close_matches(tag, known, n=3)
            where = f" in deck {deck_id}" if deck_id else ""
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            listing = ", ".join(known) if known else "none"
            raise typer.BadParameter(f"no card{where} has the tag {tag!r}{hint}; known tags{where}: {listing}", param_hint="--tag")


def _item_keys(collection: "Collection", names: List[str]) -> list[str]:
    """The review items of the cards named, in order: ``ID`` every item of the card, ``ID#c2`` that deletion alone.

    An id that names no card is a usage error naming the nearest (case and ``_``/``-`` aside, as everywhere).
    """
    from mli_drill.model import CLOZE_KEY_MARK, card_item_key
    from mli_drill.names import resolve, unknown

    known = [summary.id for summary in collection.summaries()]
    keys: list[str] = []
    for name in names:
        card_id, mark, number = name.partition(CLOZE_KEY_MARK)
        found = resolve(card_id, known)
        if found is None:
            raise typer.BadParameter(unknown("no card", card_id, known, "mli-drill search TEXT"), param_hint="ID")
        summary = collection.cards.summary(card_item_key(found))
        assert summary is not None
        if not mark:
            keys.extend(summary.item_keys)
        elif number.isdigit() and card_item_key(found, int(number)) in summary.item_keys:
            keys.append(card_item_key(found, int(number)))
        else:
            deletions = ", ".join(f"#c{n}" for n in summary.clozes) or "none"
            raise typer.BadParameter(f"card {found!r} has no deletion {mark}{number} (its deletions: {deletions})", param_hint="ID")
    return list(dict.fromkeys(keys))


def _deck_argument(deck: Optional[str]) -> tuple[list[Path], Optional[str]]:
    """``--deck`` is a deck id, or a path to a deck file outside the usual directories."""
    if deck is None:
        return [], None
    path = Path(deck)
    if deck.endswith((".yaml", ".yml")) or path.is_file():
        if not path.is_file():
            from mli_drill.render.console import inert

            raise typer.BadParameter(f"no such deck file {inert(deck)}", param_hint="--deck")
        from mli_drill.decks.deckfile import read_deck_file, DeckError

        parsed, problems = read_deck_file(path)
        if problems or parsed is None:
            raise DeckError(problems)
        return [path], parsed.id
    return [], deck
