"""Which items a session shows, joining the store's states with the collection (policy lives in scheduling)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mli_drill.clock import iso, start_of_local_day
from mli_drill.collection import FAMILY_PREFIX, Collection
from mli_drill.scheduling import Policy, build_queue, new_items_allowed
from mli_drill.session import LEARN_AHEAD, Entry


def review_entries(
    store: Any, collection: Collection, now: datetime, policy: Policy, deck: str | None, tags: list[str], limit: int | None
) -> list[Entry]:
    order = collection.select(deck=deck, tags=tags)
    horizon = now + LEARN_AHEAD
    candidates = store.reviewable(iso(horizon))
    allowed = new_today(store, candidates, now, policy)
    items = build_queue(candidates, now, allowed, order, due_horizon=horizon)
    entries = [to_entry(item.key, collection) for item in items]
    return entries[:limit] if limit else entries


def new_today(store: Any, items: list, now: datetime, policy: Policy) -> int:
    """What is left of today's new-item allowance (paced towards the exam when one is set).

    ``items`` must include every new item (``Store.reviewable`` or ``Store.items``).
    """
    introduced = store.introduced_since(iso(start_of_local_day(now)))
    remaining = sum(1 for item in items if item.is_new and not item.suspended and not item.orphaned)
    return new_items_allowed(policy, now, introduced, remaining)


def to_entry(key: str, collection: Collection) -> Entry:
    if key.startswith(FAMILY_PREFIX):
        return Entry(key=key, family=key[len(FAMILY_PREFIX):])
    return Entry(key=key, card=collection.cards[key])
