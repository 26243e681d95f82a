"""``mli-drill suspend`` / ``unsuspend``: take a card or problem family out of reviews, or back in."""

from __future__ import annotations

from typing import List

import typer


def register(app: typer.Typer) -> None:
    app.command("suspend")(suspend)
    app.command("unsuspend")(unsuspend)


def _keys(names: List[str]) -> List[str]:
    """Card ids and family names as item keys (an explicit card:/family: prefix is allowed)."""
    from mli_drill.families import family_names

    families = set(family_names())
    return [n if n.startswith(("card:", "family:")) else (f"family:{n}" if n in families else f"card:{n}") for n in names]


def _set(names: List[str], suspended: bool) -> None:
    from mli_drill import render
    from mli_drill.cli.common import open_db

    store = open_db()
    for key in _keys(names):
        if not store.set_suspended(key, suspended):
            raise typer.BadParameter(f"no card or family {key.split(':', 1)[1]!r} has been seen yet", param_hint="IDS")
        render.echo(f"{'suspended' if suspended else 'unsuspended'} {key.split(':', 1)[1]}")


def suspend(ids: List[str] = typer.Argument(..., help="Card ids or family names.")) -> None:
    """Keep cards or problem families out of reviews until unsuspended."""
    _set(ids, True)


def unsuspend(ids: List[str] = typer.Argument(..., help="Card ids or family names.")) -> None:
    """Bring suspended cards or families back into reviews, such as leeches you have rewritten."""
    _set(ids, False)
