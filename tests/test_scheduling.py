"""FSRS glue and policy: ratings, intervals, lapses and leeches, the session queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from mli_drill.model import ItemState
from mli_drill.review.scheduling import Policy, build_queue, format_interval, interval_hints, parse_rating, retrievability, review

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
POLICY = Policy(fuzz=False)


def new_item(key: str = "card:a") -> ItemState:
    return ItemState(key=key, kind="card", deck="d")


@pytest.mark.parametrize("text, rating", [("1", 1), ("4", 4), ("again", 1), ("Good", 3), ("e", 4), ("ha", 2), ("5", None), ("", None), ("x", None)])
def test_parse_rating(text: str, rating: int | None) -> None:
    assert parse_rating(text) == rating


def test_first_review_moves_new_item_into_fsrs() -> None:
    item = review(new_item(), 3, T0, POLICY)
    assert item.state == 1 and item.reps == 1 and item.introduced_at == item.last_review
    assert item.stability and item.difficulty
    easy = review(new_item(), 4, T0, POLICY)
    assert easy.state == 2, "easy graduates at once"
    assert easy.due > item.due


def test_interval_hints_grow_with_rating() -> None:
    item = review(review(new_item(), 3, T0, POLICY), 3, T0 + timedelta(minutes=10), POLICY)
    hints = interval_hints(item, T0 + timedelta(days=3), POLICY)
    assert hints[1] < hints[2] < hints[3] < hints[4]


def test_lapses_make_a_leech_at_eight() -> None:
    item = replace(review(new_item(), 4, T0, POLICY))
    now = T0
    for lapse in range(1, 9):
        now += timedelta(days=30)
        item = review(item, 1, now, POLICY)  # forgotten
        assert item.lapses == lapse
        assert item.leech == (lapse >= 8) and item.suspended == (lapse >= 8)
        now += timedelta(days=1)
        item = review(item, 4, now, POLICY)  # relearned, back to review state


def test_clock_going_backwards_never_reviews_before_last_review() -> None:
    item = review(new_item(), 4, T0, POLICY)
    earlier = T0 - timedelta(hours=5)
    again = review(item, 3, earlier, POLICY)
    assert again.last_review >= item.last_review


def test_retrievability_decays() -> None:
    item = review(new_item(), 4, T0, POLICY)
    assert retrievability(new_item(), T0, POLICY) == 0
    assert 1 >= retrievability(item, T0 + timedelta(days=1), POLICY) > retrievability(item, T0 + timedelta(days=30), POLICY) > 0


def test_queue_due_first_then_new_in_course_order_within_limit() -> None:
    due_later = replace(review(new_item("card:x"), 4, T0 - timedelta(days=30), POLICY))
    due_sooner = replace(review(new_item("card:y"), 4, T0 - timedelta(days=40), POLICY))
    not_due = review(new_item("card:z"), 4, T0, POLICY)
    suspended = replace(new_item("card:s"), suspended=True)
    news = [new_item(f"card:n{i}") for i in range(5)]
    order = {i.key: (1, "d", n) for n, i in enumerate([due_later, due_sooner, not_due, suspended, *reversed(news)])}
    queue = build_queue([due_later, due_sooner, not_due, suspended, *news], T0, 2, order)
    assert [i.key for i in queue] == ["card:y", "card:x", "card:n4", "card:n3"]


def test_queue_skips_items_outside_the_selection() -> None:
    assert build_queue([new_item("card:a"), new_item("card:b")], T0, 10, {"card:b": (1,)}) == [new_item("card:b")]


@pytest.mark.parametrize("delta, text", [(timedelta(seconds=30), "1m"), (timedelta(minutes=10), "10m"), (timedelta(hours=3), "3h"), (timedelta(days=4), "4d"), (timedelta(days=75), "2.5mo"), (timedelta(days=365 * 2), "2y")])
def test_format_interval(delta: timedelta, text: str) -> None:
    assert format_interval(delta) == text


@pytest.mark.parametrize("lapses, leech", [(7, False), (8, True), (9, False), (11, False), (12, True), (16, True)])
def test_leech_again_every_half_threshold(lapses: int, leech: bool) -> None:
    from mli_drill.review.scheduling import is_leech_lapse

    assert is_leech_lapse(lapses, 8) == leech


def test_retrievability_matches_fsrs() -> None:
    import fsrs

    from mli_drill.review.scheduling import to_fsrs_card

    item = review(review(new_item(), 3, T0, POLICY), 3, T0 + timedelta(minutes=10), POLICY)
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    for days in (0, 1, 3, 10, 100, 1000):
        at = T0 + timedelta(days=days, hours=5)
        expected = scheduler.get_card_retrievability(to_fsrs_card(item, at), at)
        assert retrievability(item, at, POLICY) == pytest.approx(expected, rel=1e-12)
