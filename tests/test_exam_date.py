"""The exam-date policy, tested with simulated clocks: a student reviewing every day until the exam."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mli_drill.model import ItemState
from mli_drill.review.scheduling import Policy, build_queue, cap_for_exam, final_window, new_items_allowed, review
from tests.conftest import basic_deck, write_deck


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def simulate(policy: Policy, start: datetime, days: int, count: int, seed: int = 7) -> list[ItemState]:
    """Review every due item each morning; recall with 90% probability."""
    rng = random.Random(seed)
    items = {f"card:{i}": ItemState(key=f"card:{i}", kind="card") for i in range(count)}
    order = {key: (1, "d", i) for i, key in enumerate(items)}
    for day in range(days):
        now = start + timedelta(days=day)
        introduced_today = 0
        for _ in range(10):  # learning steps come back within the day
            remaining = sum(1 for i in items.values() if i.is_new)
            allowed = new_items_allowed(policy, now, introduced_today, remaining)
            queue = build_queue(items.values(), now, allowed, order, due_horizon=now + timedelta(minutes=20))
            if not queue:
                break
            for item in queue:
                introduced_today += item.is_new
                rating = 3 if rng.random() < 0.9 else 1
                items[item.key] = review(item, rating, now, policy)
            now += timedelta(minutes=30)
    return list(items.values())


def test_every_learned_item_is_seen_in_the_final_days() -> None:
    start = datetime(2026, 4, 1, 8, tzinfo=timezone.utc)
    exam = date(2026, 5, 20)
    policy = Policy(fuzz=False, new_per_day=5, exam_date=exam)
    items = simulate(policy, start, (exam - start.date()).days, count=300)
    first, last = final_window(policy)
    assert all(not i.is_new for i in items), "new material paced so all of it is introduced before the exam"
    seen = [datetime.fromisoformat(i.last_review).date() for i in items]
    assert all(first <= day <= last for day in seen), sorted(set(seen))[:5]


def test_without_exam_date_plain_fsrs_leaves_items_unseen_in_the_final_days() -> None:
    """The control: the same student without the policy (shows the test can fail)."""
    start = datetime(2026, 4, 1, 8, tzinfo=timezone.utc)
    exam = date(2026, 5, 20)
    items = simulate(Policy(fuzz=False, new_per_day=5), start, (exam - start.date()).days, count=300)
    first, last = final_window(Policy(exam_date=exam))
    assert any(i.is_new for i in items)
    assert not all(first <= datetime.fromisoformat(i.last_review).date() <= last for i in items if i.last_review)


def test_after_the_exam_normal_scheduling_resumes() -> None:
    now = datetime(2026, 6, 1, 8, tzinfo=timezone.utc)
    policy = Policy(fuzz=False, exam_date=date(2026, 5, 20))
    item = review(ItemState(key="card:a", kind="card"), 4, now, policy)
    assert item == review(ItemState(key="card:a", kind="card"), 4, now, replace(policy, exam_date=None))
    assert new_items_allowed(policy, now, 0, 500) == policy.new_per_day


def test_cap_spreads_over_the_window_and_never_into_the_past() -> None:
    policy = Policy(exam_date=date(2026, 5, 20), final_days=3)
    now = datetime(2026, 5, 1, 8, tzinfo=timezone.utc)
    late = "2026-07-01T00:00:00+00:00"
    dues = {cap_for_exam(ItemState(key=f"card:{i}", kind="card", state=2, due=late), now, policy).due for i in range(50)}
    assert dues == {"2026-05-17T00:00:00+00:00", "2026-05-18T00:00:00+00:00", "2026-05-19T00:00:00+00:00"}
    early = "2026-05-05T00:00:00+00:00"
    assert cap_for_exam(ItemState(key="card:x", kind="card", state=2, due=early), now, policy).due == early


def test_status_shows_days_left_and_exam_day_recall(home: Path, cli) -> None:
    write_deck(home / "decks", "ex", basic_deck("ex", 3))
    assert cli("config", "set", "exam-date", "2026-05-20").exit_code == 0
    cli("review", "--deck", "ex", input="\n4\n" * 3)
    report = json.loads(cli("status", "--json").output)
    assert report["exam"]["date"] == "2026-05-20" and report["exam"]["days_left"] == 19
    assert 0 < report["exam"]["topics"]["ex"]["recall"] < 1
    assert report["exam"]["topics"]["ex"]["learned"] == 1.0
    human = cli("status").output
    assert "19 day(s) left" in human and "Predicted recall on exam day" in human


def test_config_rejects_a_bad_date(home: Path) -> None:
    from tests.conftest import run_process

    result = run_process("config", "set", "exam-date", "next tuesday")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: exam-date: 'next tuesday' is not a date like 2027-05-20"]
