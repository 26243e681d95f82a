"""``mli-drill decks``: list, show and validate decks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from mli_drill.cli import completion

if TYPE_CHECKING:
    from mli_drill.decks.lint import LintReport

app = typer.Typer(help="List, show, validate, lint and measure the coverage of decks.", no_args_is_help=True)


@app.command("list")
def list_decks(json_output: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List every deck (bundled and your own) with its card count."""
    from mli_drill.render.console import console, plural, print_json
    from mli_drill.render.reports import table
    from mli_drill.cli.common import load_collection

    collection = load_collection(with_families=False)
    if json_output:
        print_json([deck.to_dict() for deck in collection.decks])
        return
    rows = [[d.id, d.title, d.week if d.week is not None else "", len(d.cards), "bundled" if d.bundled else str(d.path)] for d in collection.decks]
    total = sum(len(d.cards) for d in collection.decks)
    console().print(table(f"{plural(len(rows), 'deck')}, {plural(total, 'card')}", ["deck", "title", "week", "cards", "source"], rows, {"cards"}))


@app.command("show")
def show(
    deck_id: str = typer.Argument(..., help="Deck id (see `decks list`).", autocompletion=completion.decks),
    answers: bool = typer.Option(False, "--answers", "-a", help="Every card in full: question, choices and answer."),
    json_output: bool = typer.Option(False, "--json", help="Print as JSON (every field of every card)."),
) -> None:
    """Show the cards of one deck: their whole ids (for suspend and review --cards), type, prompt and tags."""
    from mli_drill.render.console import console, print_json
    from mli_drill.cli.common import find_deck, load_collection
    from mli_drill.render import browse

    deck = find_deck(load_collection(with_families=False, wanted_deck=deck_id), deck_id, "DECK_ID")
    if json_output:
        print_json({**deck.to_dict(), "cards": [c.to_dict() for c in deck.cards]})
    elif answers:
        browse.deck_with_answers(console(), deck)
    else:
        browse.deck_table(console(), deck)


@app.command("validate")
def validate(paths: Optional[List[Path]] = typer.Argument(None, help="Deck files or directories (default: all decks).")) -> None:
    """Check decks; print every problem as file:line: message and exit 2 if there is any.

    Given files are also checked against the bundled decks and your other
    decks: a deck id or card id already used there is reported.
    """
    from mli_drill.render.console import plural

    decks = _decks(paths)
    typer.echo(f"ok: {plural(len(decks), 'deck')}, {plural(sum(len(d.cards) for d in decks), 'card')}")


def _decks(paths: Optional[List[Path]]) -> list:
    """The decks in these files or directories, else every deck (bundled and the user's); DeckError if any is invalid.

    Given files must not reuse a deck id or card id of the bundled decks or of
    the user's other decks: a clash is reported as a problem of the given file.
    """
    from mli_drill import paths as locations
    from mli_drill.decks.cache import DeckCache
    from mli_drill.decks.deckfile import deck_files, load_decks, load_decks_skipping

    if paths:
        missing = [p for p in paths if not p.exists()]
        if missing:
            from mli_drill.render.console import inert

            raise typer.BadParameter(f"no such file or directory: {inert(str(missing[0]))}", param_hint="PATHS")
        given = {f.resolve() for f in deck_files(paths)}

        def others(directory: Path) -> list[Path]:
            return [f for f in deck_files([directory]) if f.resolve() not in given]

        read = DeckCache(locations.data_dir() / "cache" / "decks").read
        context, _ = load_decks_skipping(others(locations.bundled_decks_dir()), others(locations.user_decks_dir()), read=read)
        return load_decks([], paths, context=context)
    return load_decks([locations.bundled_decks_dir()], [locations.user_decks_dir()])


@app.command("lint")
def lint(
    paths: Optional[List[Path]] = typer.Argument(None, help="Deck files or directories (default: all decks, bundled and your own)."),
    json_output: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Find cards that teach one fact twice and multiple choice that can be guessed; exit 1 if any (rules: mli_drill/decks/lint.py).

    Near-duplicates: two cards sharing at least half the words of the wordier one.
    Multiple choice: at most a third of the mcq cards may have the longest choice correct,
    and no explanation may name a choice by its letter (choices are shuffled).
    """
    from mli_drill.decks import lint as checks
    from mli_drill.render.console import print_json

    decks = _decks(paths)
    report = checks.lint(card for deck in decks for card in deck.cards)
    if json_output:
        print_json(report.to_dict())
    else:
        _print_lint(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_lint(report: "LintReport") -> None:
    from mli_drill.render.console import console, plural
    from mli_drill.render.reports import table

    out = console()
    pairs = report.duplicates
    out.print(f"{len(pairs)} near-duplicate card pair(s) among {plural(report.cards, 'card')} (sharing at least half the words of the wordier card)", markup=False, soft_wrap=True)
    if pairs:
        rows = [[f"{float(p.share):.0%}", f"{p.first.id} ({p.first.deck})", f"{p.second.id} ({p.second.deck})"] for p in pairs]
        out.print(table(None, ["shared", "card", "near-duplicate"], rows, {"shared"}))
    verdict = "ok" if report.longest_ok else "too many: make the distractors as long as the answer"
    out.print(
        f"mcq: the correct choice is the longest in {len(report.longest_correct)} of {report.mcq_cards} cards "
        f"({float(report.longest_share):.0%}; at most 33%): {verdict}",
        markup=False,
        soft_wrap=True,
    )
    for ref in report.letter_references:
        out.print(f"{ref.card.source}: mcq card {ref.card.id!r}: its {ref.field} names a choice by letter or position "
                  f"({ref.phrase!r}), but choices are shuffled; name the choice itself", markup=False, soft_wrap=True)


@app.command("coverage")
def coverage(
    notes: Optional[Path] = typer.Argument(
        None, exists=True, dir_okay=False, help="A Logseq notes page whose headings no card covers are listed (default: the course notes)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Cards per deck and per week, and the notes headings no card covers (rules: mli_drill/decks/coverage.py).

    Without NOTES, the course's own notes page (docs/course-notes/) is checked.
    """
    from mli_drill.decks import coverage as measure
    from mli_drill import paths
    from mli_drill.render.console import console, error, plural, print_json
    from mli_drill.render.reports import table
    from mli_drill.cli.common import load_collection
    from mli_drill.decks.logseq import decode_page

    notes = notes or paths.course_notes_path()
    decks = load_collection(with_families=False).decks
    try:
        text = decode_page(notes.read_bytes(), str(notes))
    except OSError as exc:
        error(f"{notes}: cannot read ({exc.strerror or exc})")
        raise typer.Exit(2) from None
    results = measure.check_headings(measure.notes_headings(text), [c for d in decks for c in d.cards])
    if json_output:
        print_json(measure.report_dict(decks, results, str(notes)))
        return
    out = console()
    deck_rows = [[r.deck, r.title, "" if r.week is None else r.week, r.cards, ", ".join(f"{n} {t}" for t, n in sorted(r.by_type.items()))] for r in measure.deck_counts(decks)]
    total = sum(len(d.cards) for d in decks)
    out.print(table(f"Cards per deck ({plural(len(deck_rows), 'deck')}, {plural(total, 'card')})", ["deck", "title", "week", "cards", "types"], deck_rows, {"cards"}))
    week_rows = [["none" if w.week is None else w.week, len(w.decks), w.cards] for w in measure.week_counts(decks)]
    out.print(table("Cards per week", ["week", "decks", "cards"], week_rows, {"week", "decks", "cards"}))
    missing = measure.uncovered(results)
    rows = [[r.heading.line, r.heading.text, measure.why_uncovered(r)] for r in missing]
    out.print(f"{notes}: {len(results) - len(missing)} of {len(results)} headings covered, {len(missing)} not", markup=False, soft_wrap=True)
    if rows:
        out.print(table(None, ["line", "heading", "why"], rows, {"line"}))
