"""``mli-drill decks``: list, show and validate decks."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(help="List, show and validate decks.", no_args_is_help=True)


@app.command("list")
def list_decks(json_output: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List every deck (bundled and your own) with its card count."""
    from mli_drill import render
    from mli_drill.collection import load_collection

    collection = load_collection(with_families=False)
    if json_output:
        render.print_json([deck.to_dict() for deck in collection.decks])
        return
    rows = [[d.id, d.title, d.week if d.week is not None else "", len(d.cards), "bundled" if d.bundled else str(d.path)] for d in collection.decks]
    total = sum(len(d.cards) for d in collection.decks)
    render.console().print(render.table(f"{len(rows)} decks, {total} cards", ["deck", "title", "week", "cards", "source"], rows, {"cards"}))


@app.command("show")
def show(deck_id: str = typer.Argument(..., help="Deck id (see `decks list`)."), json_output: bool = typer.Option(False, "--json")) -> None:
    """Show the cards of one deck."""
    from mli_drill import render
    from mli_drill.collection import load_collection

    deck = load_collection(with_families=False).deck(deck_id)
    if deck is None:
        raise typer.BadParameter(f"no deck {deck_id!r}; see `mli-drill decks list`", param_hint="DECK_ID")
    if json_output:
        render.print_json({**deck.to_dict(), "cards": [c.to_dict() for c in deck.cards]})
        return
    rows = [[c.id, c.type, render.latex_to_unicode(c.prompt)[:70], ", ".join(c.tags)] for c in deck.cards]
    render.console().print(render.table(f"{deck.title} ({deck.id}, {len(rows)} cards)", ["id", "type", "prompt", "tags"], rows))


@app.command("validate")
def validate(paths: Optional[List[Path]] = typer.Argument(None, help="Deck files or directories (default: all decks).")) -> None:
    """Check decks; print every problem as file:line: message and exit 2 if there is any."""
    from mli_drill import paths as locations
    from mli_drill.deckfile import load_decks

    if paths:
        missing = [p for p in paths if not p.exists()]
        if missing:
            from mli_drill.render import inert

            raise typer.BadParameter(f"no such file or directory: {inert(str(missing[0]))}", param_hint="PATHS")
        decks = load_decks([], paths)
    else:
        decks = load_decks([locations.bundled_decks_dir()], [locations.user_decks_dir()])
    cards = sum(len(d.cards) for d in decks)
    typer.echo(f"ok: {len(decks)} decks, {cards} cards")


@app.command("coverage")
def coverage(
    notes: Optional[Path] = typer.Argument(None, exists=True, dir_okay=False, help="A Logseq notes page: also list its headings that no card covers."),
    json_output: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Cards per deck and per week; with NOTES, the notes headings no card covers (rules: mli_drill/coverage.py)."""
    from mli_drill import coverage as measure
    from mli_drill import render
    from mli_drill.collection import load_collection
    from mli_drill.logseq import LogseqError, decode_page

    decks = load_collection(with_families=False).decks
    results = None
    if notes is not None:
        try:
            text = decode_page(notes.read_bytes(), str(notes))
        except LogseqError as exc:
            render.error(str(exc))
            raise typer.Exit(2) from None
        results = measure.check_headings(measure.notes_headings(text), [c for d in decks for c in d.cards])
    if json_output:
        render.print_json(measure.report_dict(decks, results, str(notes) if notes else None))
        return
    out = render.console()
    deck_rows = [[r.deck, r.title, "" if r.week is None else r.week, r.cards, ", ".join(f"{n} {t}" for t, n in sorted(r.by_type.items()))] for r in measure.deck_counts(decks)]
    total = sum(len(d.cards) for d in decks)
    out.print(render.table(f"Cards per deck ({len(deck_rows)} decks, {total} cards)", ["deck", "title", "week", "cards", "types"], deck_rows, {"cards"}))
    week_rows = [["none" if w.week is None else w.week, len(w.decks), w.cards] for w in measure.week_counts(decks)]
    out.print(render.table("Cards per week", ["week", "decks", "cards"], week_rows, {"week", "decks", "cards"}))
    if results is not None:
        missing = measure.uncovered(results)
        rows = [[r.heading.line, r.heading.text, measure.why_uncovered(r)] for r in missing]
        out.print(f"{notes}: {len(results) - len(missing)} of {len(results)} headings covered, {len(missing)} not", markup=False, soft_wrap=True)
        if rows:
            out.print(render.table(None, ["line", "heading", "why"], rows, {"line"}))
