"""``mli-drill review``: today's due cards and problem families, then new ones."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("review")(review)


def review(
    deck: Optional[str] = typer.Option(None, "--deck", "-d", help="Only this deck: a deck id or a path to a YAML deck."),
    tag: Optional[List[str]] = typer.Option(None, "--tag", "-t", help="Only cards with this tag (repeatable)."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="Stop after this many items."),
    json_summary: bool = typer.Option(False, "--json", help="Print the session summary as JSON at the end."),
) -> None:
    """Review what is due today (cards and problem families), then new material.

    Enter reveals a card; rate 1-4 (again/hard/good/easy); u undoes the previous
    answer, s suspends the card, q quits. Works with piped input, one line per keystroke.
    """
    from mli_drill import clock, render
    from mli_drill.cli.common import ConsoleTerminal, open_db, policy, settings
    from mli_drill.collection import load_collection, sync
    from mli_drill.queue import review_entries
    from mli_drill.session import Session

    extra, deck_id = _deck_argument(deck)
    collection = load_collection(extra)
    if deck_id is not None and collection.deck(deck_id) is None:
        raise typer.BadParameter(f"no deck {deck_id!r}; see `mli-drill decks list`", param_hint="--deck")
    store = open_db()
    now = clock.now()
    sync(store, collection, now)
    rules = policy()
    entries = review_entries(store, collection, now, rules, deck_id, tag or [], limit)
    terminal = ConsoleTerminal()
    if not entries:
        terminal.out.print("Nothing is due. Come back later, or drill a computation: mli-drill practice --list")
    titles = {name: spec.title for name, spec in collection.families.items()}
    session = Session(store, terminal, entries, rules, clock.now, level=settings()["level"], family_titles=titles)
    result = session.run()
    render.summary(terminal.out, result)
    if json_summary:
        render.print_json(result.to_dict())


def _deck_argument(deck: Optional[str]) -> tuple[list[Path], Optional[str]]:
    """``--deck`` is a deck id, or a path to a deck file outside the usual directories."""
    if deck is None:
        return [], None
    path = Path(deck)
    if deck.endswith((".yaml", ".yml")) or path.is_file():
        if not path.is_file():
            from mli_drill.render import inert

            raise typer.BadParameter(f"no such deck file {inert(deck)}", param_hint="--deck")
        from mli_drill.deckfile import read_deck_file, DeckError

        parsed, problems = read_deck_file(path)
        if problems or parsed is None:
            raise DeckError(problems)
        return [path], parsed.id
    return [], deck
