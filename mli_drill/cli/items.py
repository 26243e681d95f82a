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
    """A card id takes every review item of the card (each deletion of a numbered cloze); ``ID#c2`` takes one."""
    from mli_drill import render
    from mli_drill.cli.common import open_db

    store = open_db()
    for key in _keys(names):
        keys = store.keys_of_card(key) if key.startswith("card:") else [key]
        if not keys or not all(store.set_suspended(k, suspended) for k in keys):
            raise typer.BadParameter(f"no card or family {key.split(':', 1)[1]!r} has been seen yet", param_hint="IDS")
        items = f" ({len(keys)} review items)" if len(keys) > 1 else ""
        render.echo(f"{'suspended' if suspended else 'unsuspended'} {key.split(':', 1)[1]}{items}")


def suspend(ids: List[str] = typer.Argument(..., help="Card ids or family names.")) -> None:
    """Keep cards or problem families out of reviews until unsuspended (ID#c2: one deletion of a numbered cloze)."""
    _set(ids, True)


def unsuspend(ids: List[str] = typer.Argument(..., help="Card ids or family names.")) -> None:
    """Bring suspended cards or families back into reviews, such as leeches you have rewritten."""
    _set(ids, False)
