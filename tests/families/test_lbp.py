"""lbp: reference codes against scikit-image's multiblock_lbp, invariants, edge cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.feature import multiblock_lbp
from skimage.transform import integral_image

from mli_drill.problems.families import lbp as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params

FAMILY = "lbp"
LEVELS = ("easy", "exam", "hard")
SEEDS = range(100)  # 300 instances


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))

# multiblock_lbp with 1x1 blocks reads top-left first, clockwise, neighbour >= centre,
# first bit most significant (established in test_skimage_convention).
SKIMAGE_ORDER = ["top-left", "top-middle", "top-right", "middle-right",
                 "bottom-right", "bottom-middle", "bottom-left", "middle-left"]
POSITIONS = {
    "top-left": (0, 0), "top-middle": (0, 1), "top-right": (0, 2), "middle-right": (1, 2),
    "bottom-right": (2, 2), "bottom-middle": (2, 1), "bottom-left": (2, 0), "middle-left": (1, 0),
}


def skimage_bits(patch: list[list[int]], comparison: str) -> dict[str, int]:
    """Each neighbour's bit from skimage; for '>' the centre is raised by 0.5 so that >= means > on integers."""
    a = np.array(patch, dtype=float)
    if comparison == ">":
        a[1, 1] += 0.5
    value = multiblock_lbp(integral_image(a), 0, 0, 1, 1)
    return {name: (value >> (7 - i)) & 1 for i, name in enumerate(SKIMAGE_ORDER)}


def independent_order(start: str, direction: str) -> list[str]:
    """Reading order built from angles (anticlockwise = increasing angle with y up), not from the family's list."""
    import math

    def angle(name: str) -> float:
        r, c = POSITIONS[name]
        return math.atan2(1 - r, c - 1) % (2 * math.pi)  # y up: row 0 is above the centre

    sign = 1 if direction == "anticlockwise" else -1
    base = angle(start)
    return sorted(POSITIONS, key=lambda n: (sign * (angle(n) - base)) % (2 * math.pi))


def skimage_code(params: dict) -> int:
    b = skimage_bits(params["patch"], params["comparison"])
    read = [b[n] for n in independent_order(params["start"], params["direction"])]
    if params["bit_order"] == "lsb-first":
        read.reverse()
    return int("".join(map(str, read)), 2)


def test_skimage_convention():
    for name, (r, c) in POSITIONS.items():
        patch = np.ones((3, 3))
        patch[1, 1] = 5
        patch[r, c] = 9
        assert multiblock_lbp(integral_image(patch), 0, 0, 1, 1) == 128 >> SKIMAGE_ORDER.index(name)
    assert multiblock_lbp(integral_image(np.full((3, 3), 5.0)), 0, 0, 1, 1) == 255  # ties count: >=


def test_against_skimage_on_instances():
    conventions = set()
    for level in LEVELS:
        for seed in SEEDS:
            inst = make_instance(FAMILY, level, seed)
            p = inst.params
            conventions.add((p["start"], p["direction"], p["comparison"], p["bit_order"]))
            assert inst.answer == skimage_code(p), p
    assert len(conventions) > 20  # the hard level really varies the convention


def test_against_skimage_all_conventions_with_ties():
    rng = np.random.default_rng(1)
    for start, direction, comparison, order in itertools.product(
        fam.CLOCKWISE, ["clockwise", "anticlockwise"], [">", ">="], ["msb-first", "lsb-first"]
    ):
        for _ in range(4):
            patch = rng.integers(0, 4, (3, 3)).tolist()  # many ties with the centre
            p = {"patch": patch, "start": start, "direction": direction, "comparison": comparison, "bit_order": order}
            assert solve(p).answer == skimage_code(p), p


def test_conventions_worked_example():
    # CONVENTIONS.md: [[5,9,1],[4,4,6],[7,2,3]], top-middle, anticlockwise, >, MSB first: 11010010 = 210.
    sol = solve({"patch": [[5, 9, 1], [4, 4, 6], [7, 2, 3]], **fam.COURSE_CONVENTION})
    assert sol.answer == 210
    assert "11010010" in "\n".join(sol.steps)


def test_convention_changes_the_code():
    patch = [[5, 9, 1], [4, 4, 6], [7, 2, 3]]
    base = dict(fam.COURSE_CONVENTION)
    assert solve({"patch": patch, **base, "comparison": ">="}).answer == 0b11110010  # the tied 4 turns on
    assert solve({"patch": patch, **base, "bit_order": "lsb-first"}).answer == 0b01001011
    # clockwise from top-middle: 9, 1, 6, 3, 2, 7, 4, 5 -> 1 0 1 0 0 1 0 1
    assert solve({"patch": patch, **base, "direction": "clockwise"}).answer == 0b10100101
    # skimage's own convention gives its own value
    sk = {"start": "top-left", "direction": "clockwise", "comparison": ">=", "bit_order": "msb-first"}
    assert solve({"patch": patch, **sk}).answer == multiblock_lbp(integral_image(np.array(patch)), 0, 0, 1, 1)


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"patch": [[1, 2], [3, 4]], **fam.COURSE_CONVENTION},
        {"patch": [[1, 2, 3], [4, 5, 6], [7, 8, "9"]], **fam.COURSE_CONVENTION},
        {"patch": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], **fam.COURSE_CONVENTION, "start": "centre"},
        {"patch": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], **fam.COURSE_CONVENTION, "direction": "up"},
        {"patch": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], **fam.COURSE_CONVENTION, "comparison": "<"},
        {"patch": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], **fam.COURSE_CONVENTION, "bit_order": "big-endian"},
    ],
)
def test_invalid_params(bad):
    with pytest.raises(InvalidParams):
        solve(bad)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"patch": [[1, 2, 3], [4, 5, 6], [7, 8, "9"]], **fam.COURSE_CONVENTION}, "at $.patch[2][2]: expected a number, got '9'"),
        ({"patch": [[1, 2, 3], [4, 5], [7, 8, 9]], **fam.COURSE_CONVENTION}, "at $.patch[1]: expected a list of 3, got 2 item(s)"),
        ({"patch": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], **fam.COURSE_CONVENTION, "direction": "up"},
         "at $.direction: expected one of 'clockwise', 'anticlockwise', got 'up'"),
    ],
)
def test_invalid_params_name_the_path(bad, message):
    with pytest.raises(InvalidParams) as caught:
        solve(bad)
    assert str(caught.value) == message


def test_a_patch_of_reals_stays_as_given():
    """A hand-written patch may hold reals; integers stay integers in the JSON form."""
    p = typed_params(FAMILY, {"patch": [[1, 2.5, 3], [4, 5, 6], [7, 8, 9]], **fam.COURSE_CONVENTION})
    assert p.patch[0] == (1, 2.5, 3) and type(p.patch[0][0]) is int
    assert solve({"patch": [[1, 2.5, 3], [4, 5, 6], [7, 8, 9]], **fam.COURSE_CONVENTION}).answer == 0b00011110  # read from 2.5: 2.5 1 4 7 8 9 6 3


def test_level_range_is_checked():
    from mli_drill.problems.convert import load

    with pytest.raises(InvalidParams) as caught:
        load(fam.Level, {"values": [0, 9], "max_ties": 9}, "$.levels.hard")
    assert str(caught.value) == "at $.levels.hard.max_ties: must be from 0 to 8, got 9"


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    p = inst.params
    centre = p["patch"][1][1]
    ties = sum(v == centre for i, row in enumerate(p["patch"]) for j, v in enumerate(row) if (i, j) != (1, 1))
    assert ties <= {"easy": 0, "exam": 1, "hard": 2}[level]
    assert 2 <= bin(inst.answer).count("1") <= 6
    if level != "hard":
        assert {k: p[k] for k in fam.COURSE_CONVENTION} == fam.COURSE_CONVENTION
    # the convention is always stated
    assert p["start"] in inst.question and p["direction"] in inst.question and p["comparison"] in inst.question
    assert ("most significant" in inst.question) and ("least significant" in inst.question)


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in fam.MISTAKES}
OTHER = {"clockwise": "anticlockwise", "anticlockwise": "clockwise", "msb-first": "lsb-first",
         "lsb-first": "msb-first", ">": ">=", ">=": ">"}


def test_slips_against_skimage():
    """Each slip is skimage's code under the stated convention with one part swapped; comparing the wrong
    way round is skimage's code of the negated patch (centre > neighbour is -neighbour > -centre)."""
    applied = dict.fromkeys(SLIPS, 0)
    for level in LEVELS:
        for seed in SEEDS:
            inst = make_instance(FAMILY, level, seed)
            p = inst.params
            ties = any(p["patch"][r][c] == p["patch"][1][1] for r, c in POSITIONS.values())
            expected = {
                "direction-reversed": skimage_code({**p, "direction": OTHER[p["direction"]]}),
                "bit-order-reversed": skimage_code({**p, "bit_order": OTHER[p["bit_order"]]}),
                "tie-rule-swapped": skimage_code({**p, "comparison": OTHER[p["comparison"]]}) if ties else None,
                "comparison-reversed": skimage_code({**p, "patch": (-np.array(p["patch"])).tolist()}),
            }
            for mistake_id, value in expected.items():
                assert SLIPS[mistake_id].answer(inst.typed) == value, (mistake_id, p)
                applied[mistake_id] += value is not None
    assert min(applied.values()) > 50, applied


def test_slips_on_the_conventions_example():
    # [[5,9,1],[4,4,6],[7,2,3]], course convention: 11010010 = 210 (middle-left ties with the centre 4).
    # Clockwise from top-middle the bits read 10100101; LSB first 01001011; with >= the tie gives 1:
    # 11110010; centre > neighbour (the tie still 0): 00001101.
    p = typed_params(FAMILY, {"patch": [[5, 9, 1], [4, 4, 6], [7, 2, 3]], **fam.COURSE_CONVENTION})
    assert SLIPS["direction-reversed"].answer(p) == 0b10100101
    assert SLIPS["bit-order-reversed"].answer(p) == 0b01001011
    assert SLIPS["tie-rule-swapped"].answer(p) == 0b11110010
    assert SLIPS["comparison-reversed"].answer(p) == 0b00001101
    assert "10100101" in SLIPS["direction-reversed"].message(p)
    assert "(middle-left) gives 0" in SLIPS["tie-rule-swapped"].message(p)
    no_tie = typed_params(FAMILY, {"patch": [[5, 9, 1], [3, 4, 6], [7, 2, 3]], **fam.COURSE_CONVENTION})
    assert SLIPS["tie-rule-swapped"].answer(no_tie) is None


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_sampler_keeps_every_slip_apart(seed, level):
    inst = make_instance(FAMILY, level, seed)
    values = [inst.answer] + [v for m in fam.MISTAKES if (v := m.answer(inst.typed)) is not None]
    assert len(set(values)) == len(values), inst.params
