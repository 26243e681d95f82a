"""The typer application: global options, and registration of the command groups.

Only typer is imported at start-up; each command imports what it needs, so
``mli-drill --help`` costs little more than typer itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from mli_drill import __version__
from mli_drill.exceptions import MliDrillError
from mli_drill.cli import backup, common, config, decks, exam, items, practice, problems, review, stats, status
from mli_drill.cli import export, search
from mli_drill.cli import importer
from mli_drill.cli import lazy_coercion
from mli_drill.cli import optimize

lazy_coercion.install()  # options left out no longer import pydantic (see the module)

class KnownErrorsAsMessages(TyperGroup):
    """Every known error (:class:`MliDrillError`) becomes one line and its exit code inside the app.

    Here rather than only in :func:`main`, so every way of running a command
    (the console script, ``python -m mli_drill``, typer's CliRunner in the
    tests) says a known error the same way and no command catches one of its own.
    """

    def invoke(self, ctx: Any) -> Any:  # click's Context: typer vendors click from 0.29, so its module varies
        try:
            return super().invoke(ctx)
        except MliDrillError as exc:
            from mli_drill.cli.errors import describe
            from mli_drill.render.console import error

            message, code = describe(exc)
            error(message)
            raise typer.Exit(code) from None


app = typer.Typer(
    name="mli-drill",
    cls=KnownErrorsAsMessages,
    help="Flashcards and exam drills for Machine Learning for Imaging.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion; the names come from cli/completion.py
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
optimize.register(app)
items.register(app)
search.register(app)


PROG_NAME = "mli-drill"
COMPLETE_VAR = "_MLI_DRILL_COMPLETE"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def accept_click_completion_style(environ: MutableMapping[str, str]) -> None:
    """Let ``_MLI_DRILL_COMPLETE=bash_source`` work as in every click program.

    Typer reads the instruction the other way round (``source_bash``, as its
    own scripts say); click's documented ``SHELL_source`` / ``SHELL_complete``
    are turned into typer's form, so both work.
    """
    shell, _, instruction = environ.get(COMPLETE_VAR, "").partition("_")
    if shell in SHELLS and instruction in ("source", "complete"):
        environ[COMPLETE_VAR] = f"{instruction}_{shell}"


def main() -> None:
    """Entry point: run the app, turning known failures into one line and exit code 2."""
    try:
        accept_click_completion_style(os.environ)
        app(prog_name=PROG_NAME)  # also under `python -m mli_drill`: completion is keyed on this name
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place errors become messages
        from mli_drill.cli.errors import describe

        message, code = describe(exc)
        from mli_drill.render.console import error

        error(message)
        sys.exit(code)
    finally:
        common.finish()
