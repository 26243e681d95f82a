"""Which items a session shows, joining the store's states with the collection (policy lives in scheduling)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Protocol

from mli_drill.clock import iso, local_day_start, start_of_local_day
from mli_drill.model import FAMILY_PREFIX, ItemState
from mli_drill.services.collection import Collection
from mli_drill.review.scheduling import Policy, build_queue, new_left_today
from mli_drill.review.session import LEARN_AHEAD, LEARNING, Entry
from mli_drill.vocabulary import LEARNING_STEPS, ItemKey


class QueueStore(Protocol):
    """What building a queue asks of the store (:class:`mli_drill.store.Store` has it)."""

    def queue_candidates(self, due_by: str) -> list[ItemState]: ...

    def introduced_since(self, since_iso: str) -> int: ...

    def next_due(self, keys: Iterable[str] | None = None) -> str | None: ...

    def item(self, key: str) -> ItemState | None: ...


@dataclass(frozen=True)
class Plan:
    """A review session's items, and what a student needs to know when there are none."""

    entries: list[Entry]
    scope: list[str]  # every item key the deck/tag filter selects (for "next due")
    new_waiting: int  # new items in the selection that today's limit leaves out
    new_per_day: int
    next_due: str | None  # earliest due time in the selection (ISO UTC), past times included


def ahead_horizon(now: datetime, days: int) -> datetime:
    """``--ahead DAYS``: the end of the local day DAYS days from today (1 = everything due by the end of tomorrow)."""
    return local_day_start(now.astimezone().date() + timedelta(days=days + 1))


def review_plan(
    store: QueueStore,
    collection: Collection,
    now: datetime,
    policy: Policy,
    deck: str | None,
    tags: list[str],
    limit: int | None,
    extra_new: int = 0,
    ahead_days: int = 0,
) -> Plan:
    """Due items (with ``ahead_days``, also those due in the next days), then new items up to today's limit plus ``extra_new``."""
    order = collection.select(deck=deck, tags=tags)
    horizon = max(now + LEARN_AHEAD, ahead_horizon(now, ahead_days)) if ahead_days else now + LEARN_AHEAD
    candidates = store.queue_candidates(iso(horizon))
    allowed = new_left_today(store.introduced_since(iso(start_of_local_day(now))), candidates, now, policy) + extra_new
    items = build_queue(candidates, now, allowed, order, due_horizon=horizon)
    entries = [to_entry(item.key, collection, _kind(item)) for item in items]
    new_in_selection = sum(1 for item in candidates if item.is_new and item.key in order)
    shown_new = sum(1 for item in items if item.is_new)
    return Plan(
        entries=entries[:limit] if limit else entries,
        scope=list(order),
        new_waiting=new_in_selection - shown_new,
        new_per_day=policy.new_per_day,
        next_due=store.next_due(list(order)),
    )


def review_entries(
    store: QueueStore, collection: Collection, now: datetime, policy: Policy, deck: str | None, tags: list[str], limit: int | None
) -> list[Entry]:
    return review_plan(store, collection, now, policy, deck, tags, limit).entries


def chosen_plan(store: QueueStore, collection: Collection, keys: list[str], limit: int | None) -> tuple[Plan, list[str]]:
    """A custom session (``review --cards``): these card items in this order, due or not; and the suspended ones, left out."""
    items = {key: store.item(key) for key in keys}
    suspended = [key for key, item in items.items() if item is not None and item.suspended]
    entries = [to_entry(key, collection, _kind(item) if item else "new") for key, item in items.items() if key not in suspended]
    plan = Plan(entries=entries[:limit] if limit else entries, scope=list(keys), new_waiting=0, new_per_day=0,
                next_due=store.next_due(list(keys)))
    return plan, [ItemKey.parse(key).id for key in suspended]


def _kind(item: Any) -> str:
    if item.is_new:
        return "new"
    return LEARNING if item.state in LEARNING_STEPS else "due"


def to_entry(key: str, collection: Collection, kind: str = "") -> Entry:
    if key.startswith(FAMILY_PREFIX):
        return Entry(key=key, family=ItemKey.parse(key).id, kind=kind)
    return Entry(key=key, cards=collection.cards, kind=kind)
