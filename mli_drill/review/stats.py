"""The numbers behind ``mli-drill stats`` (pure: counts and items in, dataclasses out).

The store does the heavy aggregation in SQL (a review log can hold a million
rows); this module turns its small results into the report: the review
heatmap, the due forecast, true retention, mastery per topic and per problem
family, leeches and the streak. Nothing here reads the clock, the database or
the terminal, so every number can be checked on hand-made data.

A "day" is always the student's local calendar day, as for the new-card limit:
the store is asked to count reviews between local midnights (see
:func:`day_bounds`), which stays right across daylight-saving changes.
"""

from __future__ import annotations

import bisect

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping

from mli_drill.clock import iso
from mli_drill.model import FAMILY_PREFIX, ItemState
from mli_drill.vocabulary import ItemKey
from mli_drill.review.scheduling import Policy, local_day_start, retrievability

HEATMAP_WEEKS = 26
FORECAST_DAYS = 30
RETENTION_DAYS = 30
MASTERY_DAYS = 30  # accuracy and answer time describe how you do now, not in week one
RETENTION_MIN_GAP_SECONDS = 86_400  # a review counts for retention only after a day away from the item
DURATION_BUCKET_MS = 100  # answer times are summarised to the nearest 0.1 s
MISTAKE_DAYS = 30  # a slip is "recurring" when made at least RECURRING_AT_LEAST times in this many days
RECURRING_AT_LEAST = 2


# -- days ------------------------------------------------------------------------
def local_today(now: datetime) -> date:
    return now.astimezone().date()


def window_start(now: datetime, days: int) -> datetime:
    """Start (UTC) of a window of ``days`` local calendar days ending today, today included."""
    return local_day_start(local_today(now) - timedelta(days=days - 1))


def day_bounds(days: Iterable[date]) -> list[tuple[str, str]]:
    """Each local day as a half-open UTC interval [midnight, next midnight) in storage format."""
    return [(iso(local_day_start(day)), iso(local_day_start(day + timedelta(days=1)))) for day in days]


def heatmap_days(today: date, weeks: int = HEATMAP_WEEKS) -> list[date]:
    """Every day from the Monday ``weeks - 1`` weeks before this week's Monday up to today."""
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    return [start + timedelta(days=i) for i in range((today - start).days + 1)]


def days_before(first: date, count: int) -> list[date]:
    """The ``count`` days just before ``first``, oldest first (to extend a long streak)."""
    return [first - timedelta(days=count - i) for i in range(count)]


# -- heatmap ---------------------------------------------------------------------
@dataclass
class Heatmap:
    """Reviews per local day: one column per week (Monday first), one row per weekday.

    ``weeks[w][d]`` is the count on ``start + 7w + d`` days; days after today are None.
    """

    start: date
    today: date
    weeks: list[list[int | None]]

    def day(self, week: int, weekday: int) -> date:
        return self.start + timedelta(days=7 * week + weekday)

    @property
    def total(self) -> int:
        return sum(count or 0 for week in self.weeks for count in week)

    @property
    def max(self) -> int:
        return max((count or 0 for week in self.weeks for count in week), default=0)

    @property
    def active_days(self) -> int:
        return sum(1 for week in self.weeks for count in week if count)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.today.isoformat(),
            "weeks": self.weeks,
            "total": self.total,
            "max": self.max,
            "active_days": self.active_days,
        }


def build_heatmap(today: date, counts: Mapping[date, int], weeks: int = HEATMAP_WEEKS) -> Heatmap:
    """Lay ``counts`` (reviews per local day; missing days are 0) out as weeks x weekdays."""
    days = heatmap_days(today, weeks)
    start = days[0]
    grid: list[list[int | None]] = []
    for week in range(weeks):
        column: list[int | None] = []
        for weekday in range(7):
            day = start + timedelta(days=7 * week + weekday)
            column.append(None if day > today else int(counts.get(day, 0)))
        grid.append(column)
    return Heatmap(start=start, today=today, weeks=grid)


# -- streak ----------------------------------------------------------------------
@dataclass
class Streak:
    """Consecutive local days with at least one review, ending today or, if nothing yet today, yesterday.

    Ending at yesterday keeps the streak alive in the morning: it only breaks
    when a whole day passes without a review.
    """

    days: int
    reviewed_today: bool
    start: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"days": self.days, "reviewed_today": self.reviewed_today, "start": self.start.isoformat() if self.start else None}


def current_streak(counts: Mapping[date, int], today: date) -> Streak:
    reviewed_today = counts.get(today, 0) > 0
    day = today if reviewed_today else today - timedelta(days=1)
    length = 0
    while counts.get(day, 0) > 0:
        length += 1
        day -= timedelta(days=1)
    return Streak(days=length, reviewed_today=reviewed_today, start=day + timedelta(days=1) if length else None)


def streak_may_continue(counts: Mapping[date, int], today: date) -> bool:
    """The streak reaches the earliest day counted, so earlier days must be counted too."""
    streak = current_streak(counts, today)
    return streak.start is not None and streak.start <= min(counts)


# -- forecast --------------------------------------------------------------------
@dataclass
class Forecast:
    """Learned items falling due on each of the next days; ``counts[0]`` also holds the overdue ones."""

    start: date
    counts: list[int]
    overdue: int = 0  # due on an earlier day and still waiting (included in counts[0])
    later: int = 0  # due after the last day shown

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "days": len(self.counts),
            "counts": self.counts,
            "overdue": self.overdue,
            "total": sum(self.counts),
            "later": self.later,
        }


def build_forecast(items: Iterable[ItemState], now: datetime, days: int = FORECAST_DAYS) -> Forecast:
    """Count due dates per local day; new, suspended and orphaned items are never due."""
    dues = (item.due for item in items if not (item.is_new or item.suspended or item.orphaned) and item.due)
    return forecast_from_dues(dues, now, days)


def forecast_from_dues(dues: Iterable[str], now: datetime, days: int = FORECAST_DAYS) -> Forecast:
    """Count due times (ISO UTC text) per local day.

    Each is placed by bisecting the local midnights (as UTC text) instead of
    converting every item's time zone.
    """
    today = local_today(now)
    midnights = [iso(local_day_start(today + timedelta(days=offset))) for offset in range(days + 1)]
    counts = [0] * days
    overdue = later = 0
    for due in dues:
        offset = bisect.bisect_right(midnights, due) - 1
        if offset < 0:
            overdue += 1
        if offset >= days:
            later += 1
            continue
        counts[max(offset, 0)] += 1
    return Forecast(start=today, counts=counts, overdue=overdue, later=later)


# -- retention -------------------------------------------------------------------
@dataclass
class Retention:
    """True retention: of the recall tests in the window, the share remembered (rated hard or better).

    A review is a recall test when the same item's previous review (undone
    ones aside) was at least a day earlier: first sightings and same-day
    learning or relearning steps say nothing about long-term memory. This is
    the figure to compare with the desired retention FSRS schedules for.
    """

    days: int
    since: str
    reviews: int
    passed: int
    target: float

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "days": self.days,
            "since": self.since,
            "reviews": self.reviews,
            "passed": self.passed,
            "rate": None if rate is None else round(rate, 4),
            "target": self.target,
        }


# -- mastery ---------------------------------------------------------------------
@dataclass
class AnswerSummary:
    """Reviews, correct answers and the answer-time histogram of one group (in the mastery window)."""

    reviews: int = 0
    correct: int = 0
    durations: dict[int, int] = field(default_factory=dict)  # bucket (0.1 s) -> count

    def add(self, bucket: int | None, reviews: int, correct: int) -> None:
        self.reviews += reviews
        self.correct += correct
        if bucket is not None:
            self.durations[bucket] = self.durations.get(bucket, 0) + reviews

    def merge(self, other: "AnswerSummary") -> None:
        self.reviews += other.reviews
        self.correct += other.correct
        for bucket, count in other.durations.items():
            self.durations[bucket] = self.durations.get(bucket, 0) + count


def median_bucket(histogram: Mapping[int, int]) -> float | None:
    """Median of the multiset ``{value: count}`` (mean of the two middle values for an even count)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < 2 and wanted[len(found)] < seen:
            found.append(value)
    return (found[0] + found[1]) / 2


@dataclass
class MasteryRow:
    """How well one topic or problem family is known.

    ``recall``: mean predicted probability of recall now (FSRS), over learned,
    unsuspended items; ``accuracy``: share of answers marked correct in the
    mastery window; ``median_seconds``: median answer time in that window.
    """

    name: str
    topic: str
    items: int = 0
    learned: int = 0
    recall: float | None = None
    reviews: int = 0
    accuracy: float | None = None
    median_seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "topic": self.topic,
            "items": self.items,
            "learned": self.learned,
            "recall": None if self.recall is None else round(self.recall, 4),
            "reviews": self.reviews,
            "accuracy": None if self.accuracy is None else round(self.accuracy, 4),
            "median_seconds": self.median_seconds,
        }


@dataclass
class Mastery:
    days: int
    since: str
    topics: list[MasteryRow]
    families: list[MasteryRow]

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "since": self.since,
            "topics": [row.to_dict() for row in self.topics],
            "families": [row.to_dict() for row in self.families],
        }


def summarise_answers(rows: Iterable[tuple[str, str, int | None, int, int]]) -> dict[str, AnswerSummary]:
    """Fold the store's (kind, group, bucket, reviews, correct) rows into one summary per group."""
    summaries: dict[str, AnswerSummary] = {}
    for _kind, group, bucket, reviews, correct in rows:
        summaries.setdefault(group, AnswerSummary()).add(bucket, reviews, correct)
    return summaries


@dataclass
class _Recall:
    """Running mean of predicted recall for one row."""

    total: float = 0.0
    count: int = 0

    def add(self, value: float) -> None:
        self.total += value
        self.count += 1

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass(frozen=True)
class ItemGroup:
    """Items of one deck (cards) or one family, as counted for mastery."""

    kind: str  # "card" or "family"
    group: str  # deck id for cards, item key for a family
    items: int
    learned: int
    recall_total: float  # sum of predicted recall over learned, unsuspended items
    recall_count: int


def item_groups(items: Iterable[ItemState], now: datetime, policy: Policy) -> list[ItemGroup]:
    """Group items in Python (``Store.mastery_groups`` gives the same rows from SQL)."""
    sums: dict[tuple[str, str], list[float]] = {}
    for item in items:
        if item.orphaned:
            continue
        key = ("family", item.key) if item.kind == "family" else ("card", item.deck)
        bucket = sums.setdefault(key, [0, 0, 0.0, 0])
        bucket[0] += 1
        bucket[1] += 0 if item.is_new else 1
        if not (item.is_new or item.suspended):
            bucket[2] += retrievability(item, now, policy)
            bucket[3] += 1
    return [ItemGroup(kind, group, int(b[0]), int(b[1]), float(b[2]), int(b[3])) for (kind, group), b in sums.items()]


def build_mastery(
    items: Iterable[ItemState],
    answers: Mapping[str, AnswerSummary],
    topics: Mapping[str, str],
    deck_topics: Mapping[str, str],
    now: datetime,
    policy: Policy,
    since: str,
    days: int = MASTERY_DAYS,
    bucket_ms: int = DURATION_BUCKET_MS,
) -> Mastery:
    """Mastery per topic (cards and families of the topic together) and per problem family."""
    return mastery_from_groups(item_groups(items, now, policy), answers, topics, deck_topics, since, days, bucket_ms)


def mastery_from_groups(
    groups: Iterable[ItemGroup],
    answers: Mapping[str, AnswerSummary],
    topics: Mapping[str, str],
    deck_topics: Mapping[str, str],
    since: str,
    days: int = MASTERY_DAYS,
    bucket_ms: int = DURATION_BUCKET_MS,
) -> Mastery:
    """Fold deck and family groups into topic rows and family rows.

    ``answers`` is keyed as the store groups answers: a card's deck id, a
    family's item key. ``topics`` maps item keys to topics, ``deck_topics``
    deck ids to topics. Rows are sorted by name.
    """
    topic_rows: dict[str, tuple[MasteryRow, _Recall]] = {}
    family_rows: dict[str, tuple[MasteryRow, _Recall]] = {}
    for group in groups:
        topic = _answer_topic(group.group, topics, deck_topics)
        targets = [topic_rows.setdefault(topic, (MasteryRow(name=topic, topic=topic), _Recall()))]
        if group.kind == "family":
            name = ItemKey.parse(group.group).id
            targets.append(family_rows.setdefault(group.group, (MasteryRow(name=name, topic=topic), _Recall())))
        for row, recalls in targets:
            row.items += group.items
            row.learned += group.learned
            recalls.total += group.recall_total
            recalls.count += group.recall_count
    topic_answers: dict[str, AnswerSummary] = {}
    for group_name, summary in answers.items():
        topic_answers.setdefault(_answer_topic(group_name, topics, deck_topics), AnswerSummary()).merge(summary)
    for name, (row, recalls) in topic_rows.items():
        _fill(row, topic_answers.get(name), recalls.mean, bucket_ms)
    for key, (row, recalls) in family_rows.items():
        _fill(row, answers.get(key), recalls.mean, bucket_ms)
    return Mastery(
        days=days,
        since=since,
        topics=sorted((row for row, _ in topic_rows.values()), key=lambda r: r.name),
        families=sorted((row for row, _ in family_rows.values()), key=lambda r: r.name),
    )


def _answer_topic(group: str, topics: Mapping[str, str], deck_topics: Mapping[str, str]) -> str:
    """Topic of an answer group: a family's item key, or a card's deck id."""
    if group.startswith(FAMILY_PREFIX):
        return topics.get(group) or ItemKey.parse(group).id
    return deck_topics.get(group) or group


def _fill(row: MasteryRow, answers: AnswerSummary | None, recall: float | None, bucket_ms: int) -> None:
    row.recall = recall
    if answers and answers.reviews:
        row.reviews = answers.reviews
        row.accuracy = answers.correct / answers.reviews
        middle = median_bucket(answers.durations)
        row.median_seconds = None if middle is None else round(middle * bucket_ms / 1000, 2)


# -- leeches ---------------------------------------------------------------------
@dataclass
class Leech:
    """An item forgotten so often it was suspended (``Policy.leech_lapses``): rewrite it."""

    name: str
    kind: str
    topic: str
    lapses: int
    suspended: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def find_leeches(items: Iterable[ItemState], topics: Mapping[str, str]) -> list[Leech]:
    """Leeches still in the collection, most lapses first."""
    found = [
        Leech(name=item.name, kind=item.kind, topic=topics.get(item.key, item.deck), lapses=item.lapses, suspended=item.suspended)
        for item in items
        if item.leech and not item.orphaned
    ]
    return sorted(found, key=lambda leech: (-leech.lapses, leech.name))


# -- recurring mistakes ----------------------------------------------------------
@dataclass
class RecurringMistake:
    """A slip (``mli_drill.problems.mistakes``) named in several wrong answers lately.

    ``message`` is the one shown the latest time, with that instance's
    numbers: it says concretely what went wrong, and it was stored with the
    answer, so it stays true even if the family's sampler changes later.
    """

    family: str
    id: str
    count: int
    message: str
    last_seen: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def recurring_mistakes(answers: Iterable[tuple[str, str, list[dict[str, str]]]], at_least: int = RECURRING_AT_LEAST) -> list[RecurringMistake]:
    """Fold (family, time, slips) per diagnosed answer into the slips seen ``at_least`` times, most frequent first.

    A slip counts once per answer; an answer that matches two slips counts for both.
    """
    found: dict[tuple[str, str], RecurringMistake] = {}
    for family, at, slips in sorted(answers, key=lambda answer: answer[1]):
        for slip in {slip["id"]: slip for slip in slips}.values():
            seen = found.setdefault((family, slip["id"]), RecurringMistake(family, slip["id"], 0, slip["message"], at))
            seen.count += 1
            seen.message, seen.last_seen = slip["message"], at
    recurring = [mistake for mistake in found.values() if mistake.count >= at_least]
    return sorted(recurring, key=lambda mistake: (-mistake.count, mistake.family, mistake.id))


# -- the whole report ------------------------------------------------------------
@dataclass
class StatsReport:
    now: str
    heatmap: Heatmap
    streak: Streak
    forecast: Forecast
    retention: Retention
    mastery: Mastery
    leeches: list[Leech]
    recurring_mistakes: list[RecurringMistake] = field(default_factory=list)
    mistakes_since: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now,
            "heatmap": self.heatmap.to_dict(),
            "streak": self.streak.to_dict(),
            "forecast": self.forecast.to_dict(),
            "retention": self.retention.to_dict(),
            "mastery": self.mastery.to_dict(),
            "leeches": [leech.to_dict() for leech in self.leeches],
            "mistakes": {
                "days": MISTAKE_DAYS,
                "since": self.mistakes_since,
                "at_least": RECURRING_AT_LEAST,
                "recurring": [mistake.to_dict() for mistake in self.recurring_mistakes],
            },
        }
