"""Which items a session shows, joining the store's states with the collection (policy lives in scheduling)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mli_drill.clock import iso, start_of_local_day
from mli_drill.collection import FAMILY_PREFIX, Collection
from mli_drill.scheduling import Policy, build_queue, new_left_today
from mli_drill.session import LEARN_AHEAD, Entry


def review_entries(
    store: Any, collection: Collection, now: datetime, policy: Policy, deck: str | None, tags: list[str], limit: int | None
) -> list[Entry]:
    order = collection.select(deck=deck, tags=tags)
    horizon = now + LEARN_AHEAD
    candidates = store.queue_candidates(iso(horizon))
    allowed = new_left_today(store.introduced_since(iso(start_of_local_day(now))), candidates, now, policy)
    items = build_queue(candidates, now, allowed, order, due_horizon=horizon)
    entries = [to_entry(item.key, collection) for item in items]
    return entries[:limit] if limit else entries


def to_entry(key: str, collection: Collection) -> Entry:
    if key.startswith(FAMILY_PREFIX):
        return Entry(key=key, family=key[len(FAMILY_PREFIX):])
    return Entry(key=key, cards=collection.cards)
