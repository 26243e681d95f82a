"""bilinear-interpolation: reference answers against scipy's map_coordinates and RegularGridInterpolator."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.interpolate import RegularGridInterpolator
from scipy.ndimage import map_coordinates

from mli_drill.problems.families import bilinear_interpolation as family
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.spec import load_spec

NAME = "bilinear-interpolation"
LEVELS = ("easy", "exam", "hard")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return family.solve(typed_params(NAME, params))


def test_matches_scipy_on_300_instances():
    count = 0
    for level in LEVELS:
        for seed in range(100):
            inst = make_instance(NAME, level, seed)
            image = np.array(inst.params["image"], dtype=float)
            row, col = inst.params["row"], inst.params["col"]
            expected = map_coordinates(image, [[row], [col]], order=1)[0]
            assert inst.answer == pytest.approx(expected, abs=1e-9)
            grid = RegularGridInterpolator((np.arange(image.shape[0]), np.arange(image.shape[1])), image)
            assert inst.answer == pytest.approx(grid([[row, col]])[0], abs=1e-9)
            count += 1
    assert count >= 200


def test_conventions_worked_example():
    sol = solve({"image": [[10, 20, 30], [40, 50, 60], [70, 80, 90]], "row": 0.25, "col": 1.5})
    assert sol.answer == 32.5
    assert sol.display == "32.5"
    assert "I(0, 1) = 20" in sol.steps[2] and "0.375" in sol.steps[2]


@pytest.mark.parametrize(
    "row, col, expected",
    [
        (0, 0, 1),  # a pixel centre returns the stored value
        (1, 2, 6),  # last row and last column
        (0.5, 0, 2.5),  # between rows only
        (1, 0.5, 4.5),  # between columns only, on the last row
        (0.5, 1.5, 4.0),
        (0.75, 0.25, 3.5),
    ],
)
def test_hand_cases(row, col, expected):
    image = [[1, 2, 3], [4, 5, 6]]
    assert solve({"image": image, "row": row, "col": col}).answer == pytest.approx(expected)
    assert expected == pytest.approx(map_coordinates(np.array(image, float), [[row], [col]], order=1)[0])


def test_float_pixel_values_are_accepted():
    sol = solve({"image": [[0.5, 1.5], [2.5, 3.5]], "row": 0.5, "col": 0.5})
    assert sol.answer == pytest.approx(2.0)


@pytest.mark.parametrize(
    "params",
    [
        None,
        {},
        {"image": [[1, 2, 3]], "row": 0, "col": 0.5},
        {"image": [[1, 2], [3]], "row": 0, "col": 0.5},
        {"image": [[1, 2], [3, 4]], "row": 1.5, "col": 0.5},
        {"image": [[1, 2], [3, 4]], "row": -0.25, "col": 0.5},
        {"image": [[1, 2], [3, 4]], "row": "0.5", "col": 0.5},
        {"image": [[1, 2], [3, 4]], "row": 0.5},
        {"image": [[1, "x"], [3, 4]], "row": 0.5, "col": 0.5},
        {"image": [[1, float("nan")], [3, 4]], "row": 0.5, "col": 0.5},
        {"image": [[1, 2], [3, 4]], "row": True, "col": 0.5},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"image": [[1, 2], [3, "x"]], "row": 0.5, "col": 0.5}, "at $.image[1][1]: expected a number, got 'x'"),
        ({"image": [[1, 2], [3, 4]], "row": 1.5, "col": 0.5}, "at $.row: 1.5 is outside the pixel centres 0..1"),
        ({"image": [[1, 2, 3]], "row": 0, "col": 0.5}, "at $.image: must be at least 2x2 to interpolate between pixel centres"),
        ({"image": [[1, 2], [3, 4]], "row": 0.5}, "at $: missing 'col'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_stored_params_read_back_as_the_drawn_instance():
    """JSON whole numbers come back as floats; the question and working still show them as integers."""
    for seed in range(10):
        inst = make_instance(NAME, "exam", seed)
        loaded = typed_params(NAME, inst.params)
        assert family.question_fields(loaded) == family.question_fields(inst.typed)
        assert family.solve(loaded) == inst.solution


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_valid(seed, level):
    inst = make_instance(NAME, level, seed)
    spec_level = load_spec(NAME).levels[level]
    image = inst.params["image"]
    lo, hi = spec_level["size"]
    assert lo <= len(image) <= hi and lo <= len(image[0]) <= hi
    if level in ("easy", "exam"):
        assert max(len(image), len(image[0])) <= 8 and max(map(max, image)) <= 99
    row, col = Fraction(inst.params["row"]), Fraction(inst.params["col"])
    denominator = spec_level["denominator"]
    for position, size in ((row, len(image)), (col, len(image[0]))):
        assert 0 <= position <= size - 1
        assert (position * denominator).denominator == 1  # quarter / half fractions
    fractional = (row.denominator > 1) + (col.denominator > 1)
    assert fractional >= (2 if spec_level["both_fractional"] else 1)
    r0, c0 = min(int(row), len(image) - 2), min(int(col), len(image[0]) - 2)
    corners = {image[r0][c0], image[r0][c0 + 1], image[r0 + 1][c0], image[r0 + 1][c0 + 1]}
    assert len(corners) > 1
    assert min(min(r) for r in image) <= inst.answer <= max(max(r) for r in image)
    assert float(inst.solution.display) == pytest.approx(inst.answer)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_reproducible(seed, level):
    assert make_instance(NAME, level, seed).to_dict() == make_instance(NAME, level, seed).to_dict()


def test_sampler_uses_only_the_given_rng():
    level = level_settings(NAME, "exam")
    first = family.sample(random.Random(11), level)
    random.seed(5)
    assert family.sample(random.Random(11), level) == first


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in family.MISTAKES}


def scipy_at(image: list, row: float, col: float) -> float:
    return float(map_coordinates(np.array(image, dtype=float), [[row], [col]], order=1)[0])


def test_slips_against_scipy():
    """Each slip is scipy's bilinear value at another point: (col, row) for the swapped coordinates;
    in the same cell, (r0 + dc, c0 + dr) for exchanged fractions and (r0 + 1 - dr, c0 + 1 - dc) for
    distances used as weights."""
    applied = dict.fromkeys(SLIPS, 0)
    for level in LEVELS:
        for seed in range(100):
            inst = make_instance(NAME, level, seed)
            p = inst.params
            image, row, col = p["image"], p["row"], p["col"]
            height, width = len(image), len(image[0])
            r0, c0 = min(int(row), height - 2), min(int(col), width - 2)
            dr, dc = row - r0, col - c0
            same_cell = min(int(col), height - 2) == r0 and min(int(row), width - 2) == c0
            inside = col <= height - 1 and row <= width - 1
            expected = {
                "row-col-swapped": scipy_at(image, col, row) if inside and not same_cell else None,
                "fractions-swapped": scipy_at(image, r0 + dc, c0 + dr) if dr != dc else None,
                "distances-as-weights": scipy_at(image, r0 + 1 - dr, c0 + 1 - dc) if (dr, dc) != (0.5, 0.5) else None,
            }
            for mistake_id, value in expected.items():
                got = SLIPS[mistake_id].answer(inst.typed)
                if value is None:
                    assert got is None, (mistake_id, p)
                else:
                    assert got == pytest.approx(value, abs=1e-9), (mistake_id, p)
                    applied[mistake_id] += 1
    assert min(applied.values()) > 50, applied


def test_slips_on_the_conventions_example():
    # [[10,20,30],[40,50,60],[70,80,90]] is linear, I(r, c) = 10 + 30r + 10c, so bilinear is exact:
    # at (row 0.25, col 1.5) 32.5. Swapped point (1.5, 0.25): 57.5. In the cell of (0, 1), dr = 0.25 and
    # dc = 0.5 exchanged is the point (0.5, 1.25): 37.5. Distances as weights, (0.75, 1.5): 47.5.
    image = [[10, 20, 30], [40, 50, 60], [70, 80, 90]]
    params = typed_params(NAME, {"image": image, "row": 0.25, "col": 1.5})
    assert family.solve(params).answer == pytest.approx(32.5)
    assert SLIPS["row-col-swapped"].answer(params) == pytest.approx(57.5)
    assert SLIPS["fractions-swapped"].answer(params) == pytest.approx(37.5)
    assert SLIPS["distances-as-weights"].answer(params) == pytest.approx(47.5)
    assert "(1 - dr)·dc = 0.375, not (1 - dc)·dr = 0.125" in SLIPS["fractions-swapped"].message(params)
    centre = typed_params(NAME, {"image": image, "row": 0.5, "col": 0.5})  # dr = dc = 1/2: neither slip changes anything
    assert SLIPS["fractions-swapped"].answer(centre) is None
    assert SLIPS["distances-as-weights"].answer(centre) is None
    assert SLIPS["row-col-swapped"].answer(centre) is None


def test_swapping_x_and_y_nearly_always_changes_the_answer():
    """The sampler prefers (12 tries, then its first draw) points where reading row and column the other way
    round changes the answer and the slips are told apart from the answer and each other."""
    for level in LEVELS:
        informative = 0
        for seed in range(200):
            inst = make_instance(NAME, level, seed)
            swapped = [SLIPS[i].answer(inst.typed) for i in ("row-col-swapped", "fractions-swapped")]
            values = [inst.answer] + [v for m in family.MISTAKES if (v := m.answer(inst.typed)) is not None]
            informative += any(v is not None for v in swapped) and all(
                abs(a - b) > 0.01 * max(abs(a), abs(b)) for i, a in enumerate(values) for b in values[i + 1:])
        assert informative >= 0.99 * 200, (level, informative)


@settings(max_examples=300, deadline=None)
@given(
    height=st.integers(2, 5), width=st.integers(2, 5), values=st.lists(st.integers(-50, 255), min_size=25, max_size=25),
    denominator=st.sampled_from([1, 2, 3, 4, 8, 16]), row_steps=st.integers(0, 64), col_steps=st.integers(0, 64),
    fractions_swapped=st.booleans(), distance_weights=st.booleans(),
)
def test_the_integer_interpolation_gives_the_fraction_s_float(height: int, width: int, values: list, denominator: int,
                                                            row_steps: int, col_steps: int, fractions_swapped: bool,
                                                            distance_weights: bool) -> None:
    """The sampler's integer arithmetic gives the same float as the exact Fraction the solver uses."""
    image = [values[r * 5 : r * 5 + width] for r in range(height)]
    row = Fraction(row_steps % ((height - 1) * denominator + 1), denominator)
    col = Fraction(col_steps % ((width - 1) * denominator + 1), denominator)
    knobs = {"fractions_swapped": fractions_swapped, "distance_weights": distance_weights}
    assert family.interpolate_float(image, row, col, **knobs) == float(family.interpolate(image, row, col, **knobs))
