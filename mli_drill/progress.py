"""Counting progress for ``status`` (pure: items in, numbers out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from mli_drill.clock import end_of_local_day, parse_time
from mli_drill.model import ItemState


@dataclass
class Counts:
    due: int = 0
    new: int = 0
    learned: int = 0
    suspended: int = 0
    leeches: int = 0
    total: int = 0

    def add(self, item: ItemState, end_of_day: datetime) -> None:
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
        if item.due and parse_time(item.due) <= end_of_day:
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now,
            **self.overall.to_dict(),
            "new_today_left": self.new_today_left,
            "orphaned": self.orphaned,
            "leech_items": self.leeches,
            "groups": {name: counts.to_dict() for name, counts in self.groups.items()},
        }


def status_report(items: Iterable[ItemState], now: datetime, new_today_left: int) -> StatusReport:
    """Due-today (until local midnight), new, learned, suspended and leeches, overall and per deck."""
    end = end_of_local_day(now)
    report = StatusReport(now=now.isoformat(timespec="seconds"), new_today_left=max(0, new_today_left))
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
