"""Interleaved practice: which families a mix holds, and an order with no long runs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mli_drill.review.interleave import MAX_RUN, FamilyNeed, Interleaver, choose_mix, family_results


def longest_run(sequence: list[str]) -> int:
    longest = current = 0
    previous = None
    for item in sequence:
        current = current + 1 if item == previous else 1
        longest = max(longest, current)
        previous = item
    return longest


weights = st.dictionaries(st.sampled_from("abcdefgh"), st.floats(min_value=0.01, max_value=20), min_size=2, max_size=8)


@given(weights, st.integers(min_value=1, max_value=200))
def test_never_the_same_family_more_than_twice_in_a_row(found: dict[str, float], count: int) -> None:
    served = Interleaver(found).take(count)
    assert longest_run(served) <= MAX_RUN == 2
    assert set(served) <= set(found)


@given(weights)
def test_every_family_comes_up(found: dict[str, float]) -> None:
    """Each family earns credit every step, so none waits forever (here: within a few hundred problems)."""
    served = Interleaver(found).take(400 * len(found))
    assert set(served) == set(found)


def test_one_family_alone_may_repeat() -> None:
    assert Interleaver({"receptive-field": 1.0}).take(5) == ["receptive-field"] * 5


def test_needier_families_come_up_in_proportion_and_spread_out() -> None:
    served = Interleaver({"a": 2.0, "b": 1.0, "c": 1.0}).take(400)
    assert served.count("a") == pytest.approx(200, abs=2) and served.count("b") == pytest.approx(100, abs=2)
    assert longest_run(served) <= 2 and served[:4] == ["a", "b", "c", "a"], "spread out, not in blocks"
    lopsided = Interleaver({"a": 3.0, "b": 1.0}).take(300)
    assert lopsided[:6] == ["a", "a", "b", "a", "a", "b"], "the run limit caps a very needy family at two in three"
    assert Interleaver({"a": 1.0, "b": 1.0, "c": 1.0}).take(6) == ["a", "b", "c", "a", "b", "c"], "equal needs: round robin"


def test_the_mix_holds_the_neediest_families() -> None:
    needs = [
        FamilyNeed("fresh-1", order=(1,)),
        FamilyNeed("fresh-2", order=(2,)),
        FamilyNeed("due", due=True, order=(9,)),
        FamilyNeed("slips", recurring=2, order=(8,)),
        FamilyNeed("weak", success=0.2, order=(7,)),
        FamilyNeed("strong", success=0.95, order=(0,)),
    ]
    mixed = [need.family for need in choose_mix(needs, size=4)]
    assert mixed == ["weak", "slips", "due", "fresh-1"], "weakest, then recurring slips and due (equal weight: course order), then fresh"
    assert [n.family for n in choose_mix(needs, size=0)] == []
    assert FamilyNeed("x", due=True, recurring=1, success=0.5).reasons() == ["due", "1 recurring slip", "50% at exam level"]
    assert FamilyNeed("x", due=True, recurring=1, success=0.5).weight == pytest.approx(4.0)


def test_family_results_count_answers_and_level_changes() -> None:
    results = family_results(["a", "b", "c"], [("a", True), ("b", False), ("a", False)], {"a": "exam", "b": "exam", "c": "easy"},
                             {"a": "hard", "b": "easy", "c": "easy"})
    rows = {r.family: (r.answered, r.correct, r.level_change) for r in results}
    assert rows == {"a": (2, 1, "exam → hard"), "b": (1, 0, "exam → easy"), "c": (0, 0, "easy")}
