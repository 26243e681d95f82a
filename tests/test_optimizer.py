"""Fitting FSRS to a student's history: the two libraries agree, the split, the thresholds, the decision."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from mli_drill.review import optimizer
from mli_drill.clock import parse_time
from mli_drill.model import ItemState
from mli_drill.review.scheduling import Policy, review, retrievability

DEFAULTS = list(fsrs.scheduler.DEFAULT_PARAMETERS)
# A student who forgets four times faster than FSRS's average learner at first.
FORGETFUL = tuple([w / 4 for w in DEFAULTS[:4]] + DEFAULTS[4:8] + [DEFAULTS[8] * 0.6] + DEFAULTS[9:])


def simulated_student(cards: int, days: int, seed: int = 1, memory: tuple[float, ...] = FORGETFUL) -> list[tuple[str, datetime, int]]:
    """(key, time, rating) of a student reviewing with mli-drill's default schedule whose recall follows ``memory``.

    Each review happens when the default schedule says it is due; the
    student recalls with the probability FSRS gives under ``memory`` (then
    good, sometimes easy), otherwise answers again.
    """
    rng = random.Random(seed)
    schedule, truth = Policy(fuzz=False), Policy(fuzz=False, parameters=memory)
    start = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    rows = []
    for card in range(cards):
        key = f"card:c{card}"
        at = start + timedelta(days=rng.randrange(30), minutes=rng.randrange(600))
        scheduled, remembered = ItemState(key, "card"), ItemState(key, "card")
        while at < start + timedelta(days=days):
            if remembered.is_new:
                rating = rng.choice([1, 3, 3, 3])
            elif rng.random() < retrievability(remembered, at, truth):
                rating = 4 if rng.random() < 0.1 else 3
            else:
                rating = 1
            rows.append((key, at, rating))
            scheduled, remembered = review(scheduled, rating, at, schedule), review(remembered, rating, at, truth)
            at = max(parse_time(scheduled.due or ""), at + timedelta(minutes=1))
    return rows


def test_both_libraries_know_the_same_21_parameters_in_the_same_order() -> None:
    fsrs_rs_python = pytest.importorskip("fsrs_rs_python")
    rust = fsrs_rs_python.DEFAULT_PARAMETERS
    assert len(rust) == len(DEFAULTS) == optimizer.PARAMETER_COUNT == 21
    assert rust == pytest.approx(DEFAULTS, rel=1e-6)  # fsrs-rs keeps them as float32


def test_float32_values_on_a_bound_are_put_back_on_it_and_others_are_refused() -> None:
    upper = list(fsrs.scheduler.UPPER_BOUNDS_PARAMETERS)
    on_bound = list(DEFAULTS)
    on_bound[20] = 0.800000011920929  # 0.8 as fsrs-rs returns it; the fsrs package refuses it as such
    with pytest.raises(ValueError):
        fsrs.Scheduler(parameters=on_bound)
    checked = optimizer.checked_parameters(on_bound)
    assert checked[20] == upper[20] == 0.8
    fsrs.Scheduler(parameters=checked)
    far = list(DEFAULTS)
    far[20] = 0.9
    with pytest.raises(ValueError, match="out of bounds"):
        optimizer.checked_parameters(far)
    with pytest.raises(ValueError, match="21"):
        optimizer.checked_parameters(DEFAULTS[:20])
    with pytest.raises(ValueError):
        optimizer.checked_parameters(DEFAULTS[:20] + [float("nan")])


def test_the_most_recent_fifth_is_held_out_by_time() -> None:
    day = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [("card:a", day + timedelta(days=d), 3) for d in (0, 1, 3, 7, 15)] + [("card:b", day + timedelta(days=d, hours=1), 1) for d in (0, 2, 4, 8, 16)]
    cut = optimizer.split(optimizer.histories_from_rows(rows))
    assert cut.reviews == 10 and cut.held_out_reviews == 2
    assert cut.held_out_from == day + timedelta(days=15)
    assert (cut.fit_tests, cut.held_out_tests) == (6, 2)


def test_too_little_history_fits_nothing_and_says_what_is_missing() -> None:
    rows = simulated_student(cards=5, days=30)
    fit = optimizer.optimize(optimizer.histories_from_rows(rows), Policy())
    assert not fit.enough and fit.parameters == () and fit.fitted is None and not fit.adopt
    assert any(f"more reviews (you have {len(rows)} of the 400 needed)" in missing for missing in fit.shortfalls)
    assert fit.to_dict()["needed"] == fit.shortfalls


def test_a_forgetful_student_gets_parameters_that_predict_the_held_out_fifth_better() -> None:
    rows = simulated_student(cards=80, days=90)
    histories = optimizer.histories_from_rows(rows)
    fit = optimizer.optimize(histories, Policy())
    assert fit.enough and fit.split.reviews == len(rows) >= optimizer.MIN_REVIEWS
    assert fit.default is not None and fit.fitted is not None and fit.current is None
    assert fit.default.count == fit.fitted.count == fit.split.held_out_tests
    assert fit.adopt == (fit.fitted.log_loss < fit.default.log_loss)
    assert fit.adopt, "the defaults overrate this student's memory; the fit sees it"
    assert all(fitted < default for fitted, default in zip(fit.parameters[:4], DEFAULTS[:4])), "initial stabilities come down"
    fsrs.Scheduler(parameters=fit.parameters)  # valid for the scheduler that will use them
    again = optimizer.optimize(histories, Policy(), in_use=fit.parameters)
    assert again.parameters == fit.parameters, "the same history fits the same parameters"
    assert again.current == again.fitted and not again.adopt, "not better than themselves: nothing to adopt"


def test_scores_by_hand() -> None:
    scores = optimizer.score([(0.9, 1), (0.1, 0)])
    assert scores.log_loss == pytest.approx(0.1053605, rel=1e-6)
    assert scores.rmse_bins == pytest.approx(0.1)
    with pytest.raises(ValueError):
        optimizer.score([])
