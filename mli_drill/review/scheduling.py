"""FSRS glue and the tool's own scheduling policy.

The memory model is the ``fsrs`` package (FSRS-6). On top of it this module
decides what the package does not: which items a session shows and in what
order (due items first, then new ones up to a daily limit, in course order),
when a card becomes a leech, and the Anki-style interval hints on each rating.
Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import math
from functools import lru_cache
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Iterable

from mli_drill.clock import iso, local_day_start, parse_time
from mli_drill.model import ItemState, sibling_group
from mli_drill.vocabulary import Rating, Status

if TYPE_CHECKING:
    import fsrs

RATING_BY_NAME = {rating.label: rating for rating in Rating}


@dataclass(frozen=True)
class Policy:
    """Scheduling settings a student may change (``mli-drill config``)."""

    desired_retention: float = 0.9
    new_per_day: int = 20
    leech_lapses: int = 8
    fuzz: bool = True
    exam_date: date | None = None
    final_days: int = 3  # the "last days before the exam" every learned item is seen in
    # FSRS-6's 21 parameters fitted to this student (``mli-drill optimize``); None: the package's defaults
    parameters: tuple[float, ...] | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "desired_retention": self.desired_retention,
            "new_per_day": self.new_per_day,
            "leech_lapses": self.leech_lapses,
            "fuzz": self.fuzz,
            "exam_date": self.exam_date.isoformat() if self.exam_date else None,
            "final_days": self.final_days,
            "parameters": "default" if self.parameters is None else list(self.parameters),
        }

    def exam_ahead(self, now: datetime) -> bool:
        """An exam date is set and has not come yet (local calendar)."""
        return self.exam_date is not None and now.astimezone().date() < self.exam_date


# -- exam-date policy ----------------------------------------------------------
# With an exam date set, plain FSRS would happily schedule a card for the week
# after the exam. The policy below bends the schedule towards the exam:
#  1. an interval that would end after the exam is cut so the item is due in the
#     final window (the last ``final_days`` days before the exam), spread over
#     those days by a hash of the item key so the load is even;
#  2. once inside the final window an item just reviewed is not pulled forward
#     again: it has been seen in the last days;
#  3. new material is paced so all of it is introduced before the final window.
# After the exam date, normal scheduling resumes.


def final_window(policy: Policy) -> tuple[date, date]:
    """First and last day of the final window (the day before the exam is the last)."""
    assert policy.exam_date is not None
    last = policy.exam_date - timedelta(days=1)
    return last - timedelta(days=max(1, policy.final_days) - 1), last


def cap_for_exam(item: ItemState, now: datetime, policy: Policy) -> ItemState:
    """Pull a due date that falls after the exam into the final window."""
    if not policy.exam_ahead(now) or item.due is None:
        return item
    first, last = final_window(policy)
    today = now.astimezone().date()
    if today >= first:
        return item  # rule 2: reviewed inside the window
    exam_start = local_day_start(policy.exam_date)  # type: ignore[arg-type]
    if parse_time(item.due) < exam_start:
        return item
    span = (last - first).days + 1
    offset = int(hashlib.sha1(item.key.encode()).hexdigest(), 16) % span
    day = max(first + timedelta(days=offset), today + timedelta(days=1))
    return replace(item, due=iso(local_day_start(day)))


def new_left_today(introduced_today: int, items: Iterable[ItemState], now: datetime, policy: Policy) -> int:
    """What is left of today's new-item allowance; ``items`` must include every new item."""
    remaining = sum(1 for item in items if item.is_new and not item.suspended and not item.orphaned)
    return new_items_allowed(policy, now, introduced_today, remaining)


def new_items_allowed(policy: Policy, now: datetime, introduced_today: int, new_remaining: int) -> int:
    """How many new items today: the daily limit, raised when needed to finish before the final window."""
    allowed = policy.new_per_day
    if policy.exam_ahead(now) and new_remaining > 0:
        first, _ = final_window(policy)
        days_left = (first - now.astimezone().date()).days
        pace = new_remaining + introduced_today if days_left <= 0 else math.ceil((new_remaining + introduced_today) / days_left)
        allowed = max(allowed, pace)
    return max(0, allowed - introduced_today)


def parse_rating(text: str) -> Rating | None:
    """``1``-``4`` or again/hard/good/easy (any case, any unambiguous prefix)."""
    word = text.strip().lower()
    if word in ("1", "2", "3", "4"):
        return Rating(int(word))
    matches = [value for name, value in RATING_BY_NAME.items() if word and name.startswith(word)]
    return matches[0] if len(matches) == 1 else None


def _scheduler(policy: Policy, fuzz: bool | None = None) -> "fsrs.Scheduler":
    return _make_scheduler(policy.desired_retention, policy.fuzz if fuzz is None else fuzz, policy.parameters)


@lru_cache(maxsize=8)
def _make_scheduler(desired_retention: float, fuzz: bool, parameters: tuple[float, ...] | None = None) -> "fsrs.Scheduler":
    """One scheduler per setting: building one validates 21 parameters, too slow per item."""
    import fsrs

    if parameters is None:
        return fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)
    return fsrs.Scheduler(parameters=parameters, desired_retention=desired_retention, enable_fuzzing=fuzz)


def to_fsrs_card(item: ItemState, now: datetime) -> "fsrs.Card":
    import fsrs

    if item.is_new:
        return fsrs.Card(card_id=1, state=fsrs.State.Learning, step=0, due=now)
    return fsrs.Card(
        card_id=1,
        state=fsrs.State(item.state),
        step=item.step,
        stability=item.stability,
        difficulty=item.difficulty,
        due=parse_time(item.due) if item.due else now,
        last_review=parse_time(item.last_review) if item.last_review else None,
    )


def review(item: ItemState, rating: Rating, now: datetime, policy: Policy) -> ItemState:
    """The item's state after answering with ``rating`` at ``now``.

    A lapse is an "again" on a graduated (review-state) item; at
    ``policy.leech_lapses`` lapses the item is tagged leech and suspended, as
    Anki does, so the student rewrites the card instead of grinding it. After
    ``unsuspend`` it becomes a leech again every half-threshold further lapses.
    """
    import fsrs

    card = to_fsrs_card(item, now)
    # A clock that went backwards must not produce a review before the last one.
    moment = max(now, card.last_review) if card.last_review else now
    new_card, _ = _scheduler(policy).review_card(card, fsrs.Rating(rating), review_datetime=moment)
    lapsed = rating == Rating.Again and item.state == Status.Review
    lapses = item.lapses + int(lapsed)
    becomes_leech = lapsed and is_leech_lapse(lapses, policy.leech_lapses)
    after = replace(
        item,
        state=Status(new_card.state),
        step=new_card.step,
        stability=new_card.stability,
        difficulty=new_card.difficulty,
        due=iso(new_card.due),
        last_review=iso(moment),
        reps=item.reps + 1,
        lapses=lapses,
        leech=item.leech or becomes_leech,
        suspended=item.suspended or becomes_leech,
        introduced_at=item.introduced_at or iso(moment),
    )
    return cap_for_exam(after, moment, policy)


def is_leech_lapse(lapses: int, threshold: int) -> bool:
    """Anki's rule: a leech at ``threshold`` lapses, then every ``threshold // 2`` more."""
    return lapses >= threshold and (lapses - threshold) % max(1, threshold // 2) == 0


def interval_hints(item: ItemState, now: datetime, policy: Policy) -> dict[Rating, timedelta]:
    """Time until the item would be due again for each rating (without fuzz)."""
    import fsrs

    card = to_fsrs_card(item, now)
    scheduler = _scheduler(policy, fuzz=False)
    moment = max(now, card.last_review) if card.last_review else now
    return {
        rating: scheduler.review_card(card, fsrs.Rating(rating), review_datetime=moment)[0].due - moment
        for rating in Rating
    }


def retrievability(item: ItemState, at: datetime, policy: Policy) -> float:
    """Predicted probability of recall at ``at`` (0 for a new item).

    FSRS's forgetting curve, R = (1 + factor * t / S) ** decay with t in whole
    days since the last review, computed here directly (as
    ``fsrs.Scheduler.get_card_retrievability`` does) because status and stats
    evaluate it for every item of the collection.
    """
    if item.is_new or item.stability is None or item.last_review is None:
        return 0.0
    decay, factor = forgetting_curve(policy.desired_retention, policy.parameters)
    elapsed_days = max(0, (at - parse_time(item.last_review)).days)
    return float((1 + factor * elapsed_days / item.stability) ** decay)


@lru_cache(maxsize=8)
def forgetting_curve(desired_retention: float, parameters: tuple[float, ...] | None = None) -> tuple[float, float]:
    """(decay, factor) of the forgetting curve for the scheduler's parameters (fitted ones when given)."""
    decay = -(parameters if parameters is not None else _make_scheduler(desired_retention, False).parameters)[20]
    return decay, 0.9 ** (1 / decay) - 1


def format_interval(delta: timedelta) -> str:
    """Anki-style short interval: 1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(0, delta.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def is_due(item: ItemState, now: datetime) -> bool:
    return not item.is_new and item.due is not None and parse_time(item.due) <= now


def build_queue(
    items: Iterable[ItemState],
    now: datetime,
    new_allowed: int,
    course_order: dict[str, tuple],
    due_horizon: datetime | None = None,
) -> list[ItemState]:
    """What a session shows: due items (most overdue first), then new items in course order.

    ``new_allowed`` is what is left of today's new-item limit. ``course_order``
    maps item keys to a sort key (week, deck, position, deletion); items not in
    it are not shown (they were filtered out by deck or tag). Suspended items
    never appear. ``due_horizon`` (default ``now``) lets learning steps due
    later today come back within the same session.

    Siblings (the review items of one numbered cloze card) are never in one
    session together: each shows the answers the others ask for, so only the
    first in the queue is kept and the rest wait for a later session, as Anki
    buries siblings. A sibling left out does not use up the new-item limit.
    """
    horizon = iso(due_horizon or now)  # stored times are ISO UTC text, so they compare as strings
    due, new = [], []
    for item in items:
        if item.suspended or item.orphaned or item.key not in course_order:
            continue
        if item.is_new:
            new.append(item)
        elif item.due is not None and item.due <= horizon:
            due.append(item)
    due.sort(key=lambda i: (i.due or "", course_order[i.key]))
    new.sort(key=lambda i: course_order[i.key])
    groups: set[str] = set()
    queue = [item for item in due if _first_of_group(item.key, groups)]
    allowed = max(0, new_allowed)
    for item in new:
        if allowed == 0:
            break
        if _first_of_group(item.key, groups):
            queue.append(item)
            allowed -= 1
    return queue


def _first_of_group(key: str, seen: set[str]) -> bool:
    """True the first time an item of this sibling group is met (and remember the group)."""
    group = sibling_group(key)
    if group in seen:
        return False
    seen.add(group)
    return True
