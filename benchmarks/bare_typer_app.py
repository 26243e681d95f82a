"""The start-up baseline: a bare three-command typer app, nothing else.

``mli-drill --help`` is compared with ``python bare_typer_app.py --help`` run
by the same interpreter. With ``BARE_TYPER_PLAIN=1`` the help is plain text
(``rich_markup_mode=None``, as mli-drill configures its own app), a stricter
baseline because typer then does not import rich. ``python bare_typer_app.py
status`` runs a command with one option: what typer itself costs before a
command's body starts (it converts option values through pydantic).
"""

import os

import typer

_PLAIN = os.environ.get("BARE_TYPER_PLAIN") == "1"

app = typer.Typer(add_completion=False, **({"rich_markup_mode": None} if _PLAIN else {}))


@app.command()
def review() -> None:
    """Review cards."""


@app.command()
def status(json_output: bool = typer.Option(False, "--json", help="As JSON.")) -> None:
    """Show progress (running it measures typer's own cost of invoking a command with an option)."""


@app.command()
def practice() -> None:
    """Drill a problem."""


if __name__ == "__main__":
    app()
