"""The typer application: global options, and registration of the command groups.

Only typer is imported at start-up; each command imports what it needs, so
``mli-drill --help`` costs little more than typer itself.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from mli_drill import __version__
from mli_drill.cli import backup, common, config, decks, exam, items, practice, problems, review, stats, status
from mli_drill.cli import export
from mli_drill.cli import importer
from mli_drill.cli import lazy_coercion

lazy_coercion.install()  # options left out no longer import pydantic (see the module)

app = typer.Typer(
    name="mli-drill",
    help="Flashcards and exam drills for Machine Learning for Imaging.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mli-drill {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    db: Optional[Path] = typer.Option(None, "--db", envvar="MLI_DRILL_DB", help="Database file (default: progress.db in the data directory)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Flashcards and exam drills for Machine Learning for Imaging."""
    common.OPTIONS.db = db


review.register(app)
practice.register(app)
status.register(app)
stats.register(app)
app.add_typer(problems.app, name="problems")
app.add_typer(decks.app, name="decks")
app.add_typer(importer.app, name="import")
app.add_typer(export.app, name="export")
app.add_typer(config.app, name="config")
app.add_typer(exam.app, name="exam")
backup.register(app)
items.register(app)


def main() -> None:
    """Entry point: run the app, turning known failures into one line and exit code 2."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place errors become messages
        from mli_drill.errors import describe

        message, code = describe(exc)
        from mli_drill.render import error

        error(message)
        sys.exit(code)
    finally:
        common.finish()
