"""``mli-drill suspend`` / ``unsuspend``: take a card or problem family out of reviews, or back in."""

from __future__ import annotations

from typing import TYPE_CHECKING, List

import typer

from mli_drill.cli import completion
from mli_drill.vocabulary import ItemKey

if TYPE_CHECKING:
    from mli_drill.store import Store


def register(app: typer.Typer) -> None:
    app.command("suspend")(suspend)
    app.command("unsuspend")(unsuspend)


def _keys(names: List[str]) -> List[str]:
    """Card ids and family names as item keys (an explicit card:/family: prefix is allowed; Receptive_Field is a family)."""
    from mli_drill.problems.registry import family_names
    from mli_drill.names import resolve

    families = family_names()
    keys = []
    for name in names:
        family = None if name.startswith(("card:", "family:")) else resolve(name, families)
        keys.append(str(ItemKey.family(family)) if family else name if name.startswith(("card:", "family:")) else str(ItemKey.card(name)))
    return keys


def _set(names: List[str], suspended: bool) -> None:
    """A card id takes every review item of the card (each deletion of a numbered cloze); ``ID#c2`` takes one."""
    from mli_drill.render.console import echo
    from mli_drill.cli.common import open_db

    store = open_db()
    for key in _keys(names):
        keys = store.keys_of_card(key) if key.startswith("card:") else [key]
        if not keys or (key.startswith("family:") and store.item(key) is None):  # a card no session has met yet, or a card id spelled Another_Way
            _sync(store)
            key = _card_spelled_as_in_deck(key)
            keys = store.keys_of_card(key)
        if not keys or not all(store.set_suspended(k, suspended) for k in keys):
            raise typer.BadParameter(_not_seen(ItemKey.parse(key).id), param_hint="IDS")
        items = f" ({len(keys)} review items)" if len(keys) > 1 else ""
        echo(f"{'suspended' if suspended else 'unsuspended'} {ItemKey.parse(key).id}{items}")


def _sync(store: "Store") -> None:
    """Bring the store's items up to date with the decks, so a card can be suspended before it was ever shown."""
    from mli_drill import clock
    from mli_drill.cli.common import load_collection
    from mli_drill.services.collection import sync

    sync(store, load_collection(), clock.now())


def _card_ids() -> list[str]:
    from mli_drill.services.collection import load_collection

    return [summary.id for summary in load_collection(with_families=False).summaries()]


def _card_spelled_as_in_deck(key: str) -> str:
    """``card:CNN_Pooling`` as ``card:cnn-pooling`` when exactly one card id reads so (a ``#cN`` suffix is kept)."""
    from mli_drill.model import CLOZE_KEY_MARK
    from mli_drill.names import resolve

    card_id, mark, number = ItemKey.parse(key).id.partition(CLOZE_KEY_MARK)
    found = resolve(card_id, _card_ids())
    return str(ItemKey.card(f"{found}{mark}{number}")) if found else key


def _not_seen(name: str) -> str:
    """Why nothing was (un)suspended, naming the nearest card id or family."""
    from mli_drill.problems.registry import family_names
    from mli_drill.names import closest

    near = closest(name, [*_card_ids(), *family_names()])
    return f"no card or family {name!r} has been seen yet" + (f" (did you mean {near[0]!r}?)" if near else "")


def suspend(ids: List[str] = typer.Argument(..., help="Card ids or family names.", autocompletion=completion.cards_and_families)) -> None:
    """Keep cards or problem families out of reviews until unsuspended (ID#c2: one deletion of a numbered cloze)."""
    _set(ids, True)


def unsuspend(ids: List[str] = typer.Argument(..., help="Card ids or family names.", autocompletion=completion.cards_and_families)) -> None:
    """Bring suspended cards or families back into reviews, such as leeches you have rewritten."""
    _set(ids, False)
