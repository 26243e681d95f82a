"""``mli-drill export``: the decks as an Anki package, problems as a printable worksheet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, List, NoReturn, Optional

import typer

from mli_drill.cli import completion

if TYPE_CHECKING:
    from mli_drill.model import Deck

app = typer.Typer(help="Export decks to Anki or problems to a printable worksheet.", no_args_is_help=True)

MAX_SEED = 2**31 - 1


def _fail(message: str) -> NoReturn:
    """One line on standard error and exit code 2, like every other bad input."""
    from mli_drill.render.console import error

    error(message)
    raise typer.Exit(2)


def _known_names(names: Sequence[str], known: list[str], what: str, listing: str) -> list[str]:
    """Each name as ``known`` spells it (case and ``_``/``-`` aside); the first unknown one fails, naming the nearest."""
    from mli_drill.names import resolve, unknown

    found = []
    for name in names:
        spelled = resolve(name, known)
        if spelled is None:
            _fail(unknown(what, name, known, listing))
        found.append(spelled)
    return found


@app.command("anki")
def anki(
    out: Path = typer.Argument(..., help="The .apkg file to write (import it in Anki with File > Import)."),
    deck_ids: Optional[List[str]] = typer.Option(None, "--deck", "-d", help="Export only this deck (repeatable; see `decks list`).", autocompletion=completion.decks),
) -> None:
    """Write the concept decks as an Anki package; re-importing a newer export updates the notes."""
    from mli_drill.render.console import echo, plural
    from mli_drill.export.anki import export_decks
    from mli_drill.cli.common import load_collection

    collection = load_collection(with_families=False)
    decks: Sequence[Deck | None]
    if deck_ids:
        known = [deck.id for deck in collection.decks]
        decks = [collection.deck(deck_id) for deck_id in dict.fromkeys(_known_names(deck_ids, known, "no deck", "mli-drill decks list"))]
    else:
        decks = collection.decks
    summary = export_decks([d for d in decks if d is not None], out)
    echo(f"wrote {plural(summary.notes, 'note')} in {plural(summary.decks, 'deck')} to {summary.path}")


@app.command("sheet")
def sheet(
    families: List[str] = typer.Argument(..., help="Problem families (see `problems list`).", autocompletion=completion.families),
    count: int = typer.Option(3, "--count", "-n", min=1, max=200, help="Questions per family."),
    count_k: Optional[int] = typer.Option(None, "-k", min=1, max=200, hidden=True),  # the old short name
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=MAX_SEED, help="Question i of each family uses seed+i (default: random)."),
    level: str = typer.Option("exam", "--level", "-l", help="easy, exam or hard.", autocompletion=completion.levels),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="md or html (default: what --out's extension says, else md)."),
) -> None:
    """A printable worksheet: numbered questions, then an answer key with worked solutions.

    --out's extension picks the format: .md (or .markdown, .txt) for Markdown,
    .html (or .htm) for HTML; another extension is refused. For a PDF, write
    .html and print it to PDF from a browser.
    """
    from mli_drill.render.console import echo, plural
    from mli_drill.export import worksheet
    from mli_drill.problems.registry import resolve_family
    from mli_drill.problems.instance import make_instance, new_seed
    from mli_drill.problems.spec import LEVELS, load_spec

    families = [resolve_family(name) for name in families]
    if level not in LEVELS:
        _fail(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    chosen = _format(fmt, out)
    count = count_k if count_k is not None else count
    first = new_seed() if seed is None else seed
    families = list(dict.fromkeys(families))
    instances = [make_instance(family, level, (first + i) % (MAX_SEED + 1)) for family in families for i in range(count)]
    titles = {family: load_spec(family).title for family in families}
    text = worksheet.render(worksheet.build_sheet(instances, titles, count, level, first), chosen)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    echo(f"wrote {plural(len(instances), 'question')} ({plural(len(families), 'family', 'families')}, {chosen}) to {out}")


# What --out's extension says to write; anything else is refused rather than written as the wrong format.
EXTENSIONS = {".md": "md", ".markdown": "md", ".txt": "md", ".html": "html", ".htm": "html"}


def _format(fmt: Optional[str], out: Optional[Path]) -> str:
    """The format: --format, else what --out's extension names, else Markdown (standard output or no extension)."""
    if fmt is not None and fmt.lower() not in ("md", "html"):
        _fail(f"unknown format {fmt!r}; choose md or html")
    suffix = out.suffix.lower() if out is not None else ""
    by_extension = EXTENSIONS.get(suffix)
    if suffix and by_extension is None:
        _fail(
            f"cannot write a {suffix} file: --out must end in {', '.join(EXTENSIONS)} (Markdown or HTML); "
            "for a PDF, write .html and print it to PDF from a browser"
        )
    if fmt is not None and by_extension is not None and fmt.lower() != by_extension:
        _fail(f"--format {fmt.lower()} does not match --out {out}, which is {by_extension}; drop one of them")
    return fmt.lower() if fmt is not None else by_extension or "md"
