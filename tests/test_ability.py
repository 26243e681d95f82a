"""The Elo model behind `level auto`: starting values, the instant check, the fold."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mli_drill.review import ability
from mli_drill.review.ability import Abilities, Answer, choose


def answer_served(state: Abilities, family: str, correct: bool) -> str:
    """Serve ``family`` at the level auto picks, answer it, return that level."""
    level = choose(state, family).level
    state.update(Answer(family, level, correct))
    return level


def test_a_new_family_is_served_at_the_exam_level_at_75_percent() -> None:
    state = Abilities()
    choice = choose(state, "receptive-field")
    assert choice.level == "exam" and choice.success == pytest.approx(0.75)
    assert choice.reason == "new to you, predicted 75%"
    successes = state.successes("receptive-field")
    assert successes["easy"] > successes["exam"] > successes["hard"]
    assert successes["easy"] == pytest.approx(ability.sigmoid(math.log(3) + 1))


def test_always_right_climbs_to_hard_and_always_wrong_falls_to_easy() -> None:
    state = Abilities()
    climb = [answer_served(state, "f", True) for _ in range(4)]
    assert climb[:2] == ["exam", "exam"] and climb[2:] == ["hard", "hard"], "two right answers lift a newcomer to hard"
    fall = [answer_served(state, "f", False) for _ in range(4)]
    assert fall[0] == "hard" and fall[-1] == "easy" and "easy" in fall[:3], "wrong answers bring it down to easy within three"


def test_from_easy_everything_right_reaches_hard_within_about_ten_problems() -> None:
    state = Abilities()
    while choose(state, "f").level != "easy":
        answer_served(state, "f", False)
    for _ in range(2):  # a little deeper than just reaching easy
        answer_served(state, "f", False)
    served = []
    while choose(state, "f").level != "hard":
        served.append(answer_served(state, "f", True))
        assert len(served) <= 12, served
    assert served[0] == "easy" and "exam" in served


def test_a_steady_three_in_four_student_is_mostly_served_at_the_level_where_that_holds() -> None:
    """Right 90% / 75% / 50% of the time at easy / exam / hard (a fixed, repeating pattern)."""
    patterns = {"easy": [True] * 9 + [False], "exam": [True, True, True, False], "hard": [True, False]}
    seen = {level: 0 for level in ability.LEVELS}
    counters = {level: 0 for level in ability.LEVELS}
    state = Abilities()
    levels = []
    for _ in range(300):
        level = choose(state, "f").level
        pattern = patterns[level]
        state.update(Answer("f", level, pattern[counters[level] % len(pattern)]))
        counters[level] += 1
        seen[level] += 1
        levels.append(level)
    assert levels[50:].count("exam") > 0.6 * 250


def test_step_sizes_are_the_documented_ones() -> None:
    assert ability.ability_k(0) == pytest.approx(1.5)
    assert ability.ability_k(20) == pytest.approx(0.75)
    assert ability.ability_k(10_000) == ability.ABILITY_K_FLOOR == 0.3
    assert ability.difficulty_k(0) == pytest.approx(0.1)
    assert ability.difficulty_k(20) == pytest.approx(0.05)


def test_one_update_by_hand() -> None:
    state = Abilities()
    state.update(Answer("f", "exam", False))
    # p = 0.75, K = 1.5: θ = 0 - 1.5·0.75; b_exam = -ln 3 + 0.1·0.75
    assert state.theta("f") == pytest.approx(-1.125)
    assert state.difficulty["exam"] == pytest.approx(-math.log(3) + 0.075)
    assert state.answers("f") == 1 and state.level_answers["exam"] == 1
    assert state.difficulty["easy"] == ability.START_DIFFICULTY["easy"], "only the level answered moves"
    assert state.theta("other") == 0.0, "only the family answered moves"


answers = st.lists(
    st.builds(Answer, st.sampled_from(["a", "b", "c"]), st.sampled_from(list(ability.LEVELS) + ["legacy"]), st.booleans()),
    max_size=60,
)


@given(answers, st.integers(min_value=0, max_value=60))
def test_folding_in_two_steps_through_the_stored_rows_equals_folding_at_once(found: list[Answer], cut: int) -> None:
    """The store caches the fold as rows and folds newer answers in later: the result must not depend on where it stopped."""
    whole = Abilities().fold(found)
    first = Abilities().fold(found[:cut])
    rows = [(f, first.theta(f), first.answers(f)) for f in first.ability]
    levels = [(lv, first.difficulty[lv], first.level_answers[lv]) for lv in ability.LEVELS]
    resumed = ability.from_rows(rows, levels).fold(found[cut:])
    assert resumed == whole


@given(answers)
def test_predictions_stay_probabilities_and_the_level_is_the_nearest_to_75_percent(found: list[Answer]) -> None:
    state = Abilities().fold(found)
    for family in ("a", "b", "c", "never"):
        successes = state.successes(family)
        assert all(0 < p < 1 for p in successes.values())
        chosen = state.level_for(family)
        assert abs(successes[chosen] - ability.TARGET) == min(abs(p - ability.TARGET) for p in successes.values())


def test_log_rows_without_a_level_or_a_mark_are_skipped() -> None:
    rows = [("f", "exam", 1), ("f", None, 1), ("f", "exam", None), ("f", "weird", 0), ("g", "hard", 0)]
    assert ability.answers_from_log(rows) == [Answer("f", "exam", True), Answer("g", "hard", False)]
