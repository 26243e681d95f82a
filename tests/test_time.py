"""Time: daylight-saving changes, time zones and a clock that goes backwards keep the schedule valid.

Everything stored is UTC ISO-8601 ("...+00:00"); only the day boundary (the
daily new-card limit) follows the local calendar. The local zone is switched
with ``TZ`` plus ``time.tzset()`` so ``datetime.astimezone()`` sees it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill import clock

from mli_drill.review import scheduling
from mli_drill.model import ItemState
from tests.conftest import basic_deck, write_deck

UTC_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
TIME_COLUMNS = {"items": ("due", "last_review", "introduced_at", "created_at"), "review_log": ("reviewed_at",)}

# (zone, UTC instants around its 2026 daylight-saving changes)
DST_CASES = [
    ("Europe/London", ["2026-03-29T00:30:00+00:00", "2026-03-29T01:30:00+00:00", "2026-10-25T00:30:00+00:00", "2026-10-25T01:30:00+00:00"]),
    ("America/New_York", ["2026-03-08T06:30:00+00:00", "2026-03-08T07:30:00+00:00", "2026-11-01T05:30:00+00:00", "2026-11-01T06:30:00+00:00"]),
    ("Australia/Lord_Howe", ["2026-04-05T14:45:00+00:00", "2026-04-05T15:15:00+00:00"]),  # a half-hour shift
]


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Switch the process's local time zone (and restore it afterwards)."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def at(moment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLI_DRILL_NOW", moment)


def stored_times(home: Path) -> list[str]:
    conn = sqlite3.connect(str(home / "progress.db"))
    values = []
    for table, columns in TIME_COLUMNS.items():
        for column in columns:
            values += [row[0] for row in conn.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")]
    conn.close()
    return values


def assert_schedule_valid(home: Path) -> None:
    """Every time is UTC; an item's last review is its latest answer and it falls due after it."""
    times = stored_times(home)
    assert times and all(UTC_ISO.match(value) for value in times), [t for t in times if not UTC_ISO.match(t)][:5]
    conn = sqlite3.connect(str(home / "progress.db"))
    rows = conn.execute(
        "SELECT i.key, i.state, i.due, i.last_review, i.reps, max(r.reviewed_at), count(r.id) FROM items i"
        " LEFT JOIN review_log r ON r.item_id = i.id AND r.undone = 0 GROUP BY i.id"
    ).fetchall()
    conn.close()
    for key, state, due, last_review, reps, latest_answer, answers in rows:
        assert reps == answers, key
        if answers == 0:
            assert state == 0 and due is None, key
            continue
        assert state in (1, 2, 3), key
        assert clock.parse_time(due) > clock.parse_time(last_review), (key, due, last_review)
        assert clock.parse_time(last_review) >= clock.parse_time(latest_answer), (key, last_review, latest_answer)


@pytest.mark.parametrize("zone_name,moments", DST_CASES, ids=[case[0] for case in DST_CASES])
def test_reviews_across_daylight_saving_changes(home: Path, cli, monkeypatch: pytest.MonkeyPatch, zone, zone_name: str, moments: list[str]) -> None:
    zone(zone_name)
    write_deck(home / "decks", "dst", basic_deck("dst", 6))
    for moment in moments:
        at(moment, monkeypatch)
        result = cli("review", "--deck", "dst", input="\n3\n\n1\n\n4\n" * 4)
        assert result.exit_code == 0, result.output
        status = json.loads(cli("status", "--json").output)
        assert status["groups"]["dst"]["total"] == 6
    assert_schedule_valid(home)


@pytest.mark.parametrize("zone_name", ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_local_day_boundaries_contain_the_moment(zone, zone_name: str) -> None:
    zone(zone_name)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    lengths = set()
    for hour in range(0, 24 * 366, 7):
        moment = start + timedelta(hours=hour)
        begin, end = clock.start_of_local_day(moment), clock.end_of_local_day(moment)
        assert begin <= moment < end, (zone_name, moment, begin, end)
        assert begin.tzinfo == timezone.utc and end.tzinfo == timezone.utc
        assert begin.astimezone().time() == datetime.min.time(), "a day starts at local midnight"
        lengths.add((end - begin).total_seconds() / 3600)
    expected = {"Europe/London": {23, 24, 25}, "America/New_York": {23, 24, 25}, "Australia/Lord_Howe": {23.5, 24, 24.5}}
    assert lengths == expected.get(zone_name, {24})


@pytest.mark.parametrize(
    "zone_name,naive",
    [("Europe/London", "2026-03-29T01:30:00"), ("Europe/London", "2026-10-25T01:30:00"), ("America/New_York", "2026-03-08T02:30:00")],
    ids=["gap", "fold", "gap-ny"],
)
def test_naive_times_in_a_gap_or_fold_become_valid_utc(zone, zone_name: str, naive: str) -> None:
    zone(zone_name)
    value = clock.parse_time(naive)
    assert value.tzinfo == timezone.utc
    local = datetime.fromisoformat(naive)
    assert abs(value.replace(tzinfo=None) - local) <= timedelta(hours=6)
    assert UTC_ISO.match(clock.iso(value))


def test_new_card_limit_follows_the_local_day_not_utc(home: Path, cli, monkeypatch: pytest.MonkeyPatch, zone) -> None:
    zone("Pacific/Kiritimati")  # UTC+14: local midnight is 10:00 UTC
    write_deck(home / "decks", "kir", basic_deck("kir", 30))
    at("2026-05-01T08:00:00+00:00", monkeypatch)  # local 22:00 on 1 May
    first = cli("review", "--deck", "kir", input="\n4\n" * 30)
    assert "reviewed  20" in first.output
    at("2026-05-01T09:30:00+00:00", monkeypatch)  # local 23:30, same local day
    assert "Nothing is due" in cli("review", "--deck", "kir", input="\n4\n").output
    at("2026-05-01T10:30:00+00:00", monkeypatch)  # local 00:30 on 2 May, same UTC day
    second = cli("review", "--deck", "kir", input="\n4\n" * 30)
    assert "reviewed  10" in second.output
    assert_schedule_valid(home)


def test_travelling_does_not_move_what_is_due(home: Path, cli, monkeypatch: pytest.MonkeyPatch, zone) -> None:
    """Changing time zone between sessions changes nothing stored and nothing due at the same instant."""
    write_deck(home / "decks", "tz", basic_deck("tz", 8))
    zone("Asia/Tokyo")
    cli("review", "--deck", "tz", input="\n4\n\n3\n\n2\n\n4\n")
    before = stored_times(home)
    at("2026-05-20T09:00:00+00:00", monkeypatch)
    dues = []
    for name in ("Asia/Tokyo", "America/Los_Angeles", "Europe/London", "Pacific/Kiritimati"):
        zone(name)
        dues.append(json.loads(cli("status", "--json").output)["groups"]["tz"]["due"])
    assert len(set(dues)) == 1 and dues[0] > 0, dues
    assert stored_times(home)[: len(before)] == before
    assert_schedule_valid(home)


def test_clock_going_backwards_between_sessions(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    write_deck(home / "decks", "back", basic_deck("back", 4))
    at("2026-05-10T12:00:00+00:00", monkeypatch)
    assert cli("review", "--deck", "back", input="\n1\n\n3\n\n4\n\n2\n" * 3).exit_code == 0
    for moment in ("2026-05-10T11:00:00+00:00", "2026-05-01T08:00:00+00:00", "2025-12-31T23:59:59+00:00"):
        at(moment, monkeypatch)  # the clock was set back (or the battery died)
        result = cli("review", "--deck", "back", input="\n3\n" * 8)
        assert result.exit_code == 0, result.output
        assert cli("status", "--json").exit_code == 0
    at("2026-06-30T12:00:00+00:00", monkeypatch)
    assert cli("review", "--deck", "back", input="\n3\n" * 8).exit_code == 0
    assert_schedule_valid(home)


item_moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)
)


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(1, 4), st.integers(-400 * 86400, 400 * 86400)), min_size=1, max_size=12), start=item_moments)
def test_any_sequence_of_reviews_with_a_wandering_clock_stays_valid(steps: list[tuple[int, int]], start: datetime) -> None:
    """Ratings at times that jump forwards and backwards: last_review never decreases, due is after it, all UTC."""
    policy = scheduling.Policy(fuzz=False)
    item = ItemState(key="card:x", kind="card", deck="d")
    moment = start
    for rating, jump in steps:
        moment = moment + timedelta(seconds=jump)
        previous = item.last_review
        item = scheduling.review(item, rating, moment, policy)
        assert UTC_ISO.match(item.due) and UTC_ISO.match(item.last_review)
        assert clock.parse_time(item.due) > clock.parse_time(item.last_review)
        if previous is not None:
            assert clock.parse_time(item.last_review) >= clock.parse_time(previous)
        assert item.state in (1, 2, 3) and item.stability and item.stability > 0
        assert 1 <= item.difficulty <= 10
        hints = scheduling.interval_hints(item, moment, policy)
        assert all(delta.total_seconds() > 0 for delta in hints.values())


@pytest.mark.parametrize(
    "value,fragment",
    [
        ("9999-12-31T23:00:00+00:00", "outside the years"),
        ("0001-01-01T00:30:00+01:00", "not an ISO-8601 time"),
        ("1969-07-20T20:17:00+00:00", "outside the years"),
        ("2026-02-30T09:00:00", "not an ISO-8601 time"),
        ("tomorrow", "not an ISO-8601 time"),
    ],
)
def test_unusable_clock_override_is_one_clear_error(value: str, fragment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.NOW_VARIABLE, value)
    with pytest.raises(clock.ClockError, match=fragment):
        clock.now()


def test_times_far_ahead_still_schedule(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The latest accepted year leaves room for the longest interval (no OverflowError)."""
    write_deck(home / "decks", "far", basic_deck("far", 2))
    at(f"{clock.LATEST_YEAR}-12-31T23:00:00+00:00", monkeypatch)
    result = cli("review", "--deck", "far", input="\n4\n\n4\n")
    assert result.exit_code == 0, result.output
    assert_schedule_valid(home)


def test_the_clock_can_be_read_from_a_file_that_a_test_moves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``MLI_DRILL_NOW=@FILE``: a running process sees the time the file holds at each look."""
    moment = tmp_path / "now.txt"
    moment.write_text("2026-05-01T09:00:00+00:00", encoding="utf-8")
    monkeypatch.setenv(clock.NOW_VARIABLE, f"@{moment}")
    ticks = clock.seconds_clock()
    before = ticks()
    moment.write_text("2026-05-01T09:01:30+00:00", encoding="utf-8")
    assert clock.now() == datetime(2026, 5, 1, 9, 1, 30, tzinfo=timezone.utc)
    assert ticks() - before == 90
    moment.unlink()
    with pytest.raises(clock.ClockError, match="cannot read the time"):
        clock.now()


def test_durations_use_the_monotonic_clock_without_an_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.NOW_VARIABLE, raising=False)
    assert clock.seconds_clock() is time.monotonic
