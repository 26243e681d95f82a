"""Counting progress for ``status`` (pure: items in, numbers out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from mli_drill.clock import end_of_local_day, iso
from mli_drill.model import ItemState
from mli_drill.review.scheduling import Policy, local_day_start, retrievability


@dataclass
class Counts:
    due: int = 0
    new: int = 0
    learned: int = 0
    suspended: int = 0
    leeches: int = 0
    total: int = 0

    def add(self, item: ItemState, end_of_day: str) -> None:
        self.total += 1
        if item.leech:
            self.leeches += 1
        if item.suspended:
            self.suspended += 1
            return
        if item.is_new:
            self.new += 1
            return
        self.learned += 1
        if item.due and item.due <= end_of_day:  # ISO UTC text compares as time
            self.due += 1

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class StatusReport:
    now: str
    overall: Counts = field(default_factory=Counts)
    groups: dict[str, Counts] = field(default_factory=dict)  # deck id, or "problems"
    leeches: list[str] = field(default_factory=list)
    new_today_left: int = 0
    orphaned: int = 0
    exam_date: str | None = None
    days_left: int | None = None
    exam_recall: dict[str, dict[str, float]] = field(default_factory=dict)  # topic -> recall, learned share

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now,
            **self.overall.to_dict(),
            "new_today_left": self.new_today_left,
            "orphaned": self.orphaned,
            "leech_items": self.leeches,
            "groups": {name: counts.to_dict() for name, counts in self.groups.items()},
            "exam": None
            if self.exam_date is None
            else {"date": self.exam_date, "days_left": self.days_left, "topics": self.exam_recall},
        }


def status_report(
    items: Iterable[ItemState], now: datetime, new_today_left: int, policy: Policy | None = None, topics: dict[str, str] | None = None
) -> StatusReport:
    """Due-today (until local midnight), new, learned, suspended and leeches, overall and per deck.

    With an exam date ahead: days left, and per topic the mean predicted
    recall on the morning of the exam (of the learned items, assuming no
    further review) and the share of the topic learned so far.
    """
    items = list(items)
    end = iso(end_of_local_day(now))
    report = StatusReport(now=now.isoformat(timespec="seconds"), new_today_left=max(0, new_today_left))
    if policy is not None and policy.exam_ahead(now):
        report.exam_date = policy.exam_date.isoformat()  # type: ignore[union-attr]
        report.days_left = (policy.exam_date - now.astimezone().date()).days  # type: ignore[operator]
        report.exam_recall = exam_day_recall(items, policy, topics or {})
    for item in items:
        if item.orphaned:
            report.orphaned += 1
            continue
        group = "problems" if item.kind == "family" else item.deck
        report.groups.setdefault(group, Counts()).add(item, end)
        report.overall.add(item, end)
        if item.leech:
            report.leeches.append(item.name)
    report.groups = dict(sorted(report.groups.items()))
    return report


def exam_day_recall(items: list[ItemState], policy: Policy, topics: dict[str, str]) -> dict[str, dict[str, float]]:
    """Per topic: mean predicted recall at the start of exam day (learned items) and the share learned."""
    assert policy.exam_date is not None
    moment = local_day_start(policy.exam_date)
    sums: dict[str, list[float]] = {}
    for item in items:
        if item.orphaned or item.suspended:
            continue
        topic = topics.get(item.key, item.deck)
        bucket = sums.setdefault(topic, [0.0, 0.0, 0.0])  # recall sum, learned, total
        bucket[2] += 1
        if not item.is_new:
            bucket[0] += retrievability(item, moment, policy)
            bucket[1] += 1
    return {
        topic: {"recall": round(s[0] / s[1], 3) if s[1] else 0.0, "learned": round(s[1] / s[2], 3)}
        for topic, s in sorted(sums.items())
    }
