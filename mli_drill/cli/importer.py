"""``mli-drill import``: turn notes from other tools into decks (today: Logseq pages).

The parsing is in ``mli_drill.decks.logseq`` (pure); this module reads the page,
checks the result against the decks already installed, and writes the deck
file where the other commands find it. Bad input is one line on standard
error and exit code 2, like every other command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Optional

import typer

if TYPE_CHECKING:
    from mli_drill.decks.logseq import ImportResult

app = typer.Typer(help="Import cards from other note-taking tools.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Import cards from other note-taking tools."""


@app.command("logseq")
def logseq(
    page: Path = typer.Argument(..., exists=True, dir_okay=False, help="A Logseq page: a .md file from your graph's pages/ folder."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Deck file to write (default: <data dir>/decks/<deck-id>.yaml)."),
    deck: Optional[str] = typer.Option(None, "--deck", help="Deck id to use instead of the one derived from the page title or file name."),
) -> None:
    """Import the page's #card blocks as a deck: the block is the question, its child blocks the answer.

    Re-importing an edited page keeps each card's review history: ids come from
    the block's id:: property, or else from its question text.
    """
    from mli_drill import paths
    from mli_drill.render.console import echo
    from mli_drill.decks.logseq import decode_page, deck_yaml, import_page
    from mli_drill.model import ID_PATTERN

    if deck is not None and not ID_PATTERN.match(deck):
        raise typer.BadParameter("use lowercase letters, digits, '.', '_' or '-'", param_hint="--deck")
    result = import_page(decode_page(page.read_bytes(), str(page)), str(page), deck_id=deck)
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)
    if not result.cards:
        _fail(result.empty_reason())
    target = out or paths.user_decks_dir() / f"{result.deck_id}.yaml"
    previous_ids = _check_target(target, result)
    text = deck_yaml(result)
    _check_deck_text(text, target)
    _write_atomically(target, text)
    _report(result, target, previous_ids, paths.user_decks_dir())


def _fail(message: str) -> NoReturn:
    from mli_drill.render.console import error

    error(message)
    raise typer.Exit(2)


def _check_target(target: Path, result: "ImportResult") -> set[str] | None:
    """Refuse what would break the collection; return the card ids of the deck being replaced.

    A deck or card id already used by another deck file makes every command
    fail to load the decks, and overwriting a hand-written deck loses work, so
    both stop the import before anything is written.
    """
    from mli_drill import paths
    from mli_drill.decks.deckfile import deck_files, read_deck_file
    from mli_drill.decks.logseq import GENERATED_MARK

    previous_ids: set[str] | None = None
    if target.is_dir():
        _fail(f"{target}: is a directory; give a file name ending in .yaml")
    if target.exists():
        head = target.read_text(encoding="utf-8", errors="replace")[: len(GENERATED_MARK)]
        if head != GENERATED_MARK:
            _fail(f"{target}: exists and was not written by `mli-drill import logseq`; choose another --out")
        old, _ = read_deck_file(target)
        previous_ids = {card.id for card in old.cards} if old is not None else set()
    new_ids = {card["id"]: line for card, line in zip(result.cards, result.lines)}
    resolved = target.resolve()
    deck_clash: str | None = None
    for path in deck_files([paths.bundled_decks_dir(), paths.user_decks_dir()]):
        if path.resolve() == resolved:
            continue
        other, _ = read_deck_file(path)
        if other is None:
            continue
        for card in other.cards:
            if card.id in new_ids:  # most likely the same page imported to another file: say that first
                _fail(
                    f"{result.source}:{new_ids[card.id]}: card id {card.id!r} is already in {path} "
                    "(was this page imported to another file too?); remove that file or import with --out to it"
                )
        if other.id == result.deck_id and deck_clash is None:
            deck_clash = f"deck id {result.deck_id!r} is already used by {path}; choose another with --deck"
    if deck_clash:
        _fail(deck_clash)
    return previous_ids


def _check_deck_text(text: str, target: Path) -> None:
    """The file must load like any deck; if it would not, that is a bug here, not the student's."""
    from mli_drill.decks.deckfile import DeckError, parse_deck

    deck, problems = parse_deck(text, target)
    if deck is None or problems:
        raise DeckError(problems or [f"{target}:1: the imported deck did not load"])


def _write_atomically(target: Path, text: str) -> None:
    """Write beside the target, then rename: a half-written deck would break every command."""
    import os
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _report(result: "ImportResult", target: Path, previous_ids: set[str] | None, user_decks: Path) -> None:
    from mli_drill.render.console import echo

    ids = {card["id"] for card in result.cards}
    count = len(result.cards)
    skipped = result.tagged_blocks - count
    line = f"Imported {count} card{'s' if count != 1 else ''} from {result.source} into deck {result.deck_id}: {target}"
    if skipped:
        line += f" ({skipped} #card block{'s' if skipped != 1 else ''} skipped)"
    echo(line)
    if previous_ids is not None:
        added, removed = len(ids - previous_ids), len(previous_ids - ids)
        echo(f"Compared with the previous import: {added} new, {removed} removed (removed cards keep their history).")
    in_user_decks = target.resolve().parent == user_decks.resolve()
    echo(f"Review them: mli-drill review --deck {result.deck_id if in_user_decks else target}")
