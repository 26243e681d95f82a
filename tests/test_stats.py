"""``mli-drill stats``: the pure computations on hand-made data, the store's SQL aggregates, and the real CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mli_drill.review import stats as s
from mli_drill.clock import iso
from mli_drill.model import ItemState, ReviewRecord
from mli_drill.review.scheduling import Policy
from mli_drill.store import open_store
from tests.conftest import write_deck

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)  # a Friday
TODAY = date(2026, 5, 1)


@pytest.fixture(autouse=True)
def zone():
    """UTC unless a test picks another zone; the C library is re-read (tzset) both ways."""
    saved = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    use("UTC")
    yield use
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` days after 2026-04-28 (a Tuesday), UTC."""
    return datetime(2026, 4, 28, hour, minute, tzinfo=timezone.utc) + timedelta(days=day)


def learned(key: str, due: str | None = None, **fields: object) -> ItemState:
    kind = "family" if key.startswith("family:") else "card"
    defaults: dict = {"state": 2, "stability": 10.0, "difficulty": 5.0, "due": due or iso(NOW + timedelta(days=5)), "last_review": iso(NOW), "reps": 3}
    defaults.update(fields)
    return ItemState(key=key, kind=kind, **defaults)


# -- pure: heatmap and streak ------------------------------------------------------
def test_heatmap_lays_out_26_monday_first_weeks_ending_today() -> None:
    counts = {
        date(2025, 11, 3): 2,  # the first Monday shown
        date(2025, 11, 2): 9,  # the Sunday before: not shown
        date(2026, 4, 28): 1,
        date(2026, 5, 1): 3,  # today, a Friday
        date(2026, 5, 2): 5,  # tomorrow: never counted
    }
    heatmap = s.build_heatmap(TODAY, counts)
    assert heatmap.start == date(2025, 11, 3) and heatmap.start.weekday() == 0
    assert len(heatmap.weeks) == 26 and all(len(week) == 7 for week in heatmap.weeks)
    assert heatmap.weeks[0] == [2, 0, 0, 0, 0, 0, 0]
    assert heatmap.weeks[25] == [0, 1, 0, 0, 3, None, None]
    assert heatmap.day(25, 4) == TODAY
    assert (heatmap.total, heatmap.max, heatmap.active_days) == (6, 3, 3)
    data = heatmap.to_dict()
    assert data["start"] == "2025-11-03" and data["end"] == "2026-05-01" and data["weeks"][25][5] is None


def test_heatmap_legend_counts_in_words_that_agree() -> None:
    """"1 review on 1 day", not "1 reviews on 1 days" (QA of issue 12's "1 minutes")."""
    import io

    from rich.console import Console

    from mli_drill.render.stats import heatmap

    out = Console(file=io.StringIO(), width=80, color_system=None)
    heatmap(out, s.build_heatmap(TODAY, {TODAY: 1}))
    assert "1 review on 1 day, busiest 1" in out.file.getvalue()  # type: ignore[attr-defined]
    out = Console(file=io.StringIO(), width=80, color_system=None)
    heatmap(out, s.build_heatmap(TODAY, {TODAY: 2, TODAY - timedelta(days=1): 1}))
    assert "3 reviews on 2 days" in out.file.getvalue()  # type: ignore[attr-defined]


def test_heatmap_days_run_from_monday_to_today() -> None:
    days = s.heatmap_days(TODAY, weeks=2)
    assert days[0] == date(2026, 4, 20) and days[-1] == TODAY and len(days) == 12
    sunday = date(2026, 5, 3)
    assert s.heatmap_days(sunday, weeks=1) == [date(2026, 4, 27) + timedelta(days=i) for i in range(7)]


def test_streak_ends_today_or_yesterday() -> None:
    active = {date(2026, 5, 1): 2, date(2026, 4, 30): 1, date(2026, 4, 29): 4, date(2026, 4, 27): 1}
    streak = s.current_streak(active, TODAY)
    assert (streak.days, streak.reviewed_today, streak.start) == (3, True, date(2026, 4, 29))
    morning = s.current_streak({**active, TODAY: 0}, TODAY)  # nothing yet today: the streak is still alive
    assert (morning.days, morning.reviewed_today, morning.start) == (2, False, date(2026, 4, 29))
    broken = s.current_streak({date(2026, 4, 29): 3}, TODAY)
    assert (broken.days, broken.start) == (0, None)
    assert broken.to_dict() == {"days": 0, "reviewed_today": False, "start": None}


def test_streak_reaching_the_first_counted_day_asks_for_more() -> None:
    window = {date(2026, 4, 29): 1, date(2026, 4, 30): 1, date(2026, 5, 1): 1}
    assert s.streak_may_continue(window, TODAY)
    assert not s.streak_may_continue({**window, date(2026, 4, 28): 0}, TODAY)
    assert not s.streak_may_continue({date(2026, 4, 28): 0, TODAY: 0}, TODAY)
    assert s.days_before(date(2026, 4, 29), 3) == [date(2026, 4, 26), date(2026, 4, 27), date(2026, 4, 28)]


def test_day_bounds_follow_local_midnight(zone) -> None:
    zone("XST-5:30")  # 5 h 30 east of UTC
    assert s.day_bounds([TODAY]) == [("2026-04-30T18:30:00+00:00", "2026-05-01T18:30:00+00:00")]
    zone("EST5EDT,M3.2.0,M11.1.0")  # clocks go forward on 2026-03-08: a 23-hour day
    start, end = s.day_bounds([date(2026, 3, 8)])[0]
    assert (start, end) == ("2026-03-08T05:00:00+00:00", "2026-03-09T04:00:00+00:00")


# -- pure: forecast, retention, medians, mastery, leeches --------------------------------
def test_forecast_counts_due_dates_per_local_day_overdue_on_day_zero() -> None:
    items = [
        ItemState(key="card:new", kind="card"),
        learned("card:suspended", due="2026-05-01T10:00:00+00:00", suspended=True),
        learned("card:orphan", due="2026-05-01T10:00:00+00:00", orphaned=True),
        learned("card:overdue", due="2026-04-20T10:00:00+00:00"),
        learned("card:early-today", due="2026-05-01T01:00:00+00:00"),
        learned("card:tonight", due="2026-05-01T23:00:00+00:00"),
        learned("card:tomorrow", due="2026-05-02T00:30:00+00:00"),
        learned("card:day29", due="2026-05-30T12:00:00+00:00"),
        learned("card:day30", due="2026-05-31T00:00:00+00:00"),
    ]
    forecast = s.build_forecast(items, NOW)
    expected = [0] * 30
    expected[0], expected[1], expected[29] = 3, 1, 1
    assert forecast.counts == expected
    assert (forecast.overdue, forecast.later) == (1, 1)
    assert forecast.to_dict() == {"start": "2026-05-01", "days": 30, "counts": expected, "overdue": 1, "total": 5, "later": 1}


def test_forecast_uses_the_local_calendar(zone) -> None:
    zone("XST-5:30")
    item = learned("card:a", due="2026-05-01T20:00:00+00:00")  # 01:30 on 2 May, local
    assert s.build_forecast([item], NOW).counts[:2] == [0, 1]


def test_retention_rate() -> None:
    retention = s.Retention(days=30, since="2026-04-02T00:00:00+00:00", reviews=8, passed=6, target=0.9)
    assert retention.rate == 0.75
    assert retention.to_dict()["rate"] == 0.75
    assert s.Retention(30, "x", 0, 0, 0.9).to_dict()["rate"] is None


@pytest.mark.parametrize(
    "histogram, median",
    [({}, None), ({7: 1}, 7), ({1: 1, 3: 1}, 2.0), ({1: 2, 5: 1}, 1), ({2: 1, 4: 1, 10: 2}, 7.0), ({5: 4, 1: 1}, 5)],
)
def test_median_of_a_histogram(histogram: dict[int, int], median: float | None) -> None:
    assert s.median_bucket(histogram) == median


def test_mastery_per_topic_and_family() -> None:
    ten_days_ago = iso(NOW - timedelta(days=10))
    items = [
        learned("card:a", deck="segdeck", stability=10.0, last_review=ten_days_ago),  # R = 0.9 by FSRS's definition of stability
        ItemState(key="card:b", kind="card", deck="segdeck"),  # new: counted, not learned, no recall
        learned("card:c", deck="regdeck", suspended=True),  # learned but suspended: no recall
        learned("family:dice", deck="seg", last_review=iso(NOW)),  # just reviewed: R = 1
        learned("card:gone", deck="segdeck", orphaned=True),
    ]
    topics = {"card:a": "seg", "card:b": "seg", "card:c": "reg", "family:dice": "seg"}
    rows = [
        ("card", "segdeck", 20, 3, 2),  # three answers of 2.0 s, two correct
        ("card", "segdeck", 40, 1, 1),
        ("card", "segdeck", None, 1, 1),  # an untimed answer: counts for accuracy, not for the median
        ("family", "family:dice", 100, 1, 1),
        ("family", "family:dice", 300, 1, 0),
    ]
    answers = s.summarise_answers(rows)
    mastery = s.build_mastery(items, answers, topics, {"segdeck": "seg", "regdeck": "reg"}, NOW, Policy(), since="S")
    reg, seg = mastery.topics
    assert (seg.name, seg.items, seg.learned, seg.reviews) == ("seg", 3, 2, 7)
    assert seg.recall == pytest.approx(0.95, abs=1e-9)
    assert seg.accuracy == pytest.approx(5 / 7)
    assert seg.median_seconds == 3.0  # 2.0 2.0 2.0 4.0 10.0 30.0 -> (2.0 + 4.0) / 2
    assert (reg.items, reg.learned, reg.recall, reg.reviews, reg.accuracy, reg.median_seconds) == (1, 1, None, 0, None, None)
    (dice,) = mastery.families
    assert (dice.name, dice.topic, dice.items, dice.reviews, dice.accuracy, dice.median_seconds) == ("dice", "seg", 1, 2, 0.5, 20.0)
    assert dice.recall == pytest.approx(1.0)
    data = mastery.to_dict()
    assert data["since"] == "S" and data["days"] == s.MASTERY_DAYS
    assert set(data["topics"][0]) == {"name", "topic", "items", "learned", "recall", "reviews", "accuracy", "median_seconds"}


def test_recurring_mistakes_count_each_answer_once_and_keep_the_latest_message() -> None:
    def stride(layer: int) -> dict[str, str]:
        return {"id": "ignores-stride", "message": f"jump after layer {layer}"}

    answers = [
        ("receptive-field", "2026-04-30T09:00:00+00:00", [stride(2)]),
        ("receptive-field", "2026-04-20T09:00:00+00:00", [stride(1), stride(1)]),  # one answer: counted once
        ("conv-output", "2026-04-21T09:00:00+00:00", [{"id": "ignores-stride", "message": "s"}]),  # another family's slip
        ("conv-output", "2026-04-22T09:00:00+00:00", [{"id": "forgot-plus-one", "message": "a"}, {"id": "padding-one-side", "message": "b"}]),
        ("conv-output", "2026-04-23T09:00:00+00:00", [{"id": "forgot-plus-one", "message": "c"}]),
        ("conv-output", "2026-04-24T09:00:00+00:00", [{"id": "forgot-plus-one", "message": "d"}]),
    ]
    found = s.recurring_mistakes(answers)
    assert [(m.family, m.id, m.count, m.message, m.last_seen) for m in found] == [
        ("conv-output", "forgot-plus-one", 3, "d", "2026-04-24T09:00:00+00:00"),
        ("receptive-field", "ignores-stride", 2, "jump after layer 2", "2026-04-30T09:00:00+00:00"),
    ]
    assert [m.id for m in s.recurring_mistakes(answers, at_least=1)].count("ignores-stride") == 2
    assert s.recurring_mistakes([]) == []


def test_leeches_most_lapses_first_orphans_left_out() -> None:
    items = [
        learned("card:x", leech=True, suspended=True, lapses=8),
        learned("family:fgsm", leech=True, suspended=False, lapses=9),
        learned("card:y", leech=False, lapses=7),
        learned("card:z", leech=True, orphaned=True, lapses=12),
    ]
    found = s.find_leeches(items, {"card:x": "cnn", "family:fgsm": "trustworthy"})
    assert [(l.name, l.kind, l.topic, l.lapses, l.suspended) for l in found] == [
        ("fgsm", "family", "trustworthy", 9, False),
        ("x", "card", "cnn", 8, True),
    ]


# -- the store's aggregates -----------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path):
    store = open_store(tmp_path / "p.db")
    store.sync_items(
        [("card:a", "card", "segdeck"), ("card:b", "card", "segdeck"), ("card:c", "card", "regdeck"), ("family:dice", "family", "seg")],
        iso(NOW),
    )
    yield store
    store.close()


def add(store, key: str, moment: datetime, rating: int = 3, duration_ms: int | None = 1000, correct: bool | None = True) -> int:
    record = ReviewRecord(key=key, reviewed_at=iso(moment), rating=rating, duration_ms=duration_ms, correct=correct)
    return store.apply_review(record, lambda item: item)[2]


def undo(store, log_id: int) -> None:
    key = store.conn.execute("SELECT i.key FROM review_log r JOIN items i ON i.id = r.item_id WHERE r.id = ?", (log_id,)).fetchone()[0]
    store.undo_review(log_id, store.item(key))


def test_review_counts_per_interval_skip_undone(store) -> None:
    add(store, "card:a", at(0, 0, 0))  # exactly at a midnight: belongs to that day
    add(store, "card:a", at(0, 23, 59))
    undo(store, add(store, "card:b", at(0, 12)))
    add(store, "card:c", at(1, 0, 0))
    assert store.review_counts_between(s.day_bounds([at(0).date(), at(1).date(), at(2).date()])) == [2, 1, 0]
    assert store.review_counts_between([]) == []


def test_review_counts_group_by_local_day(store, zone) -> None:
    zone("XST-5:30")
    add(store, "card:a", datetime(2026, 4, 30, 20, 0, tzinfo=timezone.utc))  # 1 May 01:30 local
    add(store, "card:a", datetime(2026, 4, 30, 18, 0, tzinfo=timezone.utc))  # 30 April 23:30 local
    assert store.review_counts_between(s.day_bounds([date(2026, 4, 30), TODAY])) == [1, 1]


def test_retention_counts_recall_tests_only(store) -> None:
    add(store, "card:a", at(0), rating=3)  # first sighting: not a test
    add(store, "card:a", at(0, 9, 10), rating=3)  # ten minutes later: a learning step, not a test
    add(store, "card:a", at(2), rating=1)  # two days later: test, forgotten
    add(store, "card:a", at(3), rating=3)  # exactly one day later: test, remembered
    undo(store, add(store, "card:a", at(3, 12), rating=4))  # undone: neither a test nor a previous review
    add(store, "card:a", at(4, 11), rating=2)  # 26 h after the last kept review: test, remembered ("hard")
    add(store, "card:b", at(1), rating=4)
    add(store, "card:b", at(5), rating=1)  # test, forgotten; its previous review is before the window below
    until = iso(at(5, 23))
    assert store.retention_counts(iso(at(2, 0)), until) == (4, 2)
    assert store.retention_counts(iso(at(3, 0)), until) == (3, 2)
    assert store.retention_counts(iso(at(3, 0)), iso(at(4, 0))) == (1, 1)
    assert store.retention_counts(iso(at(2, 0)), until, min_gap_seconds=3 * 86_400) == (1, 0)


def test_answer_histogram_groups_cards_by_deck_and_families_by_key(store) -> None:
    add(store, "card:a", at(0), duration_ms=2040, correct=True)  # rounds to 20 tenths
    add(store, "card:b", at(0), duration_ms=1960, correct=False)  # rounds to 20 tenths as well
    add(store, "card:b", at(1), rating=1, duration_ms=None, correct=None)  # untimed, unmarked "again": not correct
    add(store, "card:b", at(1), rating=2, duration_ms=4449, correct=None)  # unmarked "hard": correct
    add(store, "family:dice", at(1), duration_ms=12_000, correct=False)
    undo(store, add(store, "card:c", at(1), duration_ms=500))
    add(store, "card:c", at(-40), duration_ms=500)  # before the window
    rows = sorted(store.answer_histogram(iso(at(0, 0)), iso(at(2))), key=lambda row: (row[1], row[2] or 0))
    assert rows == [
        ("family", "family:dice", 120, 1, 0),
        ("card", "segdeck", None, 1, 0),
        ("card", "segdeck", 20, 2, 1),
        ("card", "segdeck", 44, 1, 1),
    ]
    store.sync_items([("card:c", "card", "regdeck"), ("family:dice", "family", "seg")], iso(NOW))  # a and b leave the decks
    assert store.answer_histogram(iso(at(0, 0)), iso(at(2))) == [("family", "family:dice", 120, 1, 0)]


def test_gather_counts_a_streak_longer_than_the_heatmap(store) -> None:
    from mli_drill.services.progress import gather
    from mli_drill.services.collection import Collection

    for day in reversed(range(200)):  # in time order, as reviews happen
        add(store, "card:a", NOW - timedelta(days=day))
    report = gather(store, Collection(decks=[]), NOW, Policy())
    assert report.streak.days == 200 and report.streak.start == TODAY - timedelta(days=199)
    assert report.heatmap.total == len(s.heatmap_days(TODAY))  # one review on each day shown
    assert report.retention.reviews == 30 and report.retention.passed == 30


# -- the real CLI -------------------------------------------------------------------------
ONE_CARD = "deck: st\ntitle: Stats deck\ntopic: stats-topic\ncards:\n  - id: st-a\n    front: Question?\n    back: Answer.\n"


def review_day(cli, monkeypatch: pytest.MonkeyPatch, when: str, keys: str):
    monkeypatch.setenv("MLI_DRILL_NOW", when)
    result = cli("review", "--deck", "st", input=keys)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def three_days(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One card reviewed on 28 and 30 April and three times on 1 May (today), one of those undone."""
    write_deck(home / "decks", "st", ONE_CARD)
    review_day(cli, monkeypatch, "2026-04-28T09:00:00+00:00", "\n1\n")  # new: again
    review_day(cli, monkeypatch, "2026-04-30T09:00:00+00:00", "\n3\n")  # 2 days later: a test, remembered
    # today: again (a test, forgotten); it comes back: u undoes that, it is shown and rated again, then good
    review_day(cli, monkeypatch, "2026-05-01T09:00:00+00:00", "\n1\n\nu\n\n1\n\n3\n")
    conn = sqlite3.connect(str(home / "progress.db"))
    assert conn.execute("SELECT rating, undone FROM review_log ORDER BY id").fetchall() == [(1, 0), (3, 0), (1, 1), (1, 0), (3, 0)]
    conn.close()
    return home


def test_stats_json_has_the_documented_numbers(three_days: Path, cli) -> None:
    result = cli("stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"now", "heatmap", "streak", "forecast", "retention", "mastery", "leeches", "mistakes", "levels"}
    assert set(data["heatmap"]) == {"start", "end", "weeks", "total", "max", "active_days"}
    assert data["heatmap"]["weeks"][-1] == [0, 1, 0, 1, 2, None, None]  # Mon 27 Apr .. Fri 1 May; the undone answer is left out
    assert (data["heatmap"]["total"], data["heatmap"]["active_days"]) == (4, 3)
    assert data["streak"] == {"days": 2, "reviewed_today": True, "start": "2026-04-30"}
    assert data["retention"] == {"days": 30, "since": "2026-04-02T00:00:00+00:00", "reviews": 2, "passed": 1, "rate": 0.5, "target": 0.9}
    status = json.loads(cli("status", "--json").output)
    assert data["forecast"]["counts"][0] == status["due"] == 1  # the card's learning step, due in 10 minutes
    assert data["forecast"]["total"] == 1 and len(data["forecast"]["counts"]) == 30
    topic = next(row for row in data["mastery"]["topics"] if row["name"] == "stats-topic")
    assert (topic["items"], topic["learned"], topic["reviews"], topic["accuracy"]) == (1, 1, 4, 0.5)
    assert topic["median_seconds"] is not None and 0 <= topic["median_seconds"] < 60
    assert topic["recall"] == pytest.approx(1.0)  # reviewed this very moment
    families = {row["name"] for row in data["mastery"]["families"]}
    assert "receptive-field" in families and all(row["reviews"] == 0 for row in data["mastery"]["families"])
    assert data["leeches"] == []
    assert data["mistakes"] == {"days": 30, "since": "2026-04-02T00:00:00+00:00", "at_least": 2, "recurring": []}


def test_stats_draws_within_80_columns(three_days: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sqlite3.connect(str(three_days / "progress.db"))
    with conn:
        conn.execute("UPDATE items SET leech = 1, suspended = 1, lapses = 8 WHERE key = 'card:st-a'")
    conn.close()
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    text = result.output
    assert "Reviews, last 26 weeks (2025-11-03 to 2026-05-01)" in text
    assert "Streak: 2 days, today included." in text
    assert "True retention, last 30 days: 50.0% of 2 recall tests (target 90%)." in text
    assert "Problem families" in text and "transposed-conv-forward" in text  # the longest family names are not cut
    assert "Leeches (1)" in text and "st-a" in text
    friday = next(line for line in lines if line.startswith("Fri "))
    assert friday.rstrip().endswith("█"), "today is the busiest day"


def test_stats_on_a_fresh_collection(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("stats")
    assert result.exit_code == 0, result.output
    assert "no recall tests yet" in result.output and "Streak: none" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    data = json.loads(cli("stats", "--json").output)
    assert data["heatmap"]["total"] == 0 and data["retention"]["rate"] is None and data["streak"]["days"] == 0


def test_store_mastery_groups_match_the_python_grouping(tmp_path) -> None:
    """The SQL aggregation and stats.item_groups agree on a random collection."""
    import random

    from mli_drill.review.scheduling import forgetting_curve, review
    from mli_drill.store import open_store

    store = open_store(tmp_path / "m.db")
    keys = [(f"card:c{i}", "card", f"deck{i % 3}") for i in range(40)] + [(f"family:f{i}", "family", "cnn") for i in range(4)]
    store.sync_items(keys, iso(NOW))
    rng = random.Random(5)
    policy = Policy(fuzz=False)
    for day in range(60):
        moment = NOW - timedelta(days=60 - day, hours=rng.randint(0, 20))
        key = rng.choice(keys)[0]
        record = ReviewRecord(key=key, reviewed_at=iso(moment), rating=rng.choice([1, 3, 3, 4]))
        store.apply_review(record, lambda item, m=moment, r=record.rating: review(item, r, m, policy))
    store.set_suspended("card:c1", True)
    decay, factor = forgetting_curve(policy.desired_retention)
    from_sql = {(k, g): (n, learned, total, count) for k, g, n, learned, total, count in store.mastery_groups(iso(NOW), decay, factor)}
    from_python = {(g.kind, g.group): (g.items, g.learned, g.recall_total, g.recall_count) for g in s.item_groups(store.items(), NOW, policy)}
    assert from_sql.keys() == from_python.keys()
    for key, (n, learned, total, count) in from_python.items():
        assert from_sql[key][:2] == (n, learned) and from_sql[key][3] == count
        assert from_sql[key][2] == pytest.approx(total, rel=1e-9)
    assert sorted(store.due_times()) == sorted(i.due for i in store.items() if i.state > 0 and not i.suspended)
