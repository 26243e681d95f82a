"""``mli-drill search TEXT...``: find cards by the words in them; the results feed ``review --cards``."""

from __future__ import annotations

import shlex
from typing import List, Optional

import typer

from mli_drill.cli import completion


def register(app: typer.Typer) -> None:
    app.command("search")(search)


def search(
    words: List[str] = typer.Argument(..., metavar="TEXT", help="Words to find, in any field of a card (all of them, any case)."),
    deck: Optional[str] = typer.Option(None, "--deck", "-d", help="Only this deck.", autocompletion=completion.decks),
    json_output: bool = typer.Option(False, "--json", help="Print the matches as JSON."),
    ids_only: bool = typer.Option(False, "--ids", help="Print only the card ids, one a line (for `review --cards $(...)`)."),
) -> None:
    """Find cards by words in any field: shows deck, id, type, when each is due and its lapses.

    Every word must occur somewhere in the card (front, cloze text, back, choices,
    points, hint, tags, id), ignoring case; math matches as written and as shown.
    Review the matches: mli-drill review --cards ID... Exit 1 when nothing matches.
    """
    from mli_drill import clock
    from mli_drill.render.console import console, echo, print_json
    from mli_drill.render.latex import latex_to_unicode
    from mli_drill.cli.common import find_deck, load_collection, open_db
    from mli_drill.render import browse
    from mli_drill.decks.search import query_words, search as find, standing

    text = " ".join(words)
    if not query_words(text):
        raise typer.BadParameter("give at least one word", param_hint="TEXT")
    collection = load_collection(with_families=False, wanted_deck=deck)
    decks = [find_deck(collection, deck, "--deck")] if deck is not None else collection.decks
    cards = find((card for d in decks for card in d.cards), text, latex_to_unicode)
    store = open_db()
    results = [standing(card, [store.item(key) for key in card.item_keys]) for card in cards]
    if json_output:
        print_json([found.to_dict() for found in results])
    elif ids_only:
        for found in results:
            echo(found.card.id)
    else:
        out = console()
        if results:
            browse.search_results(out, results, query_words(text), clock.now())
            in_decks = len({found.card.deck for found in results})
            out.print(f"\n{_count(len(results), 'card')} in {_count(in_decks, 'deck')}. Review them:", highlight=False)
            echo("mli-drill review --cards " + " ".join(shlex.quote(found.card.id) for found in results))
        else:
            echo(f"No card matches {text!r}" + (f" in {decks[0].id}." if deck is not None else "."))
    if not results:
        raise typer.Exit(1)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
