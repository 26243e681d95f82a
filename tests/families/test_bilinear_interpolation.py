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

from mli_drill.families import bilinear_interpolation as family
from mli_drill.families.base import InvalidParams
from mli_drill.instance import make_instance
from mli_drill.problemspec import load_spec

NAME = "bilinear-interpolation"
LEVELS = ("easy", "exam", "hard")


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
    sol = family.solve({"image": [[10, 20, 30], [40, 50, 60], [70, 80, 90]], "row": 0.25, "col": 1.5})
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
    assert family.solve({"image": image, "row": row, "col": col}).answer == pytest.approx(expected)
    assert expected == pytest.approx(map_coordinates(np.array(image, float), [[row], [col]], order=1)[0])


def test_float_pixel_values_are_accepted():
    sol = family.solve({"image": [[0.5, 1.5], [2.5, 3.5]], "row": 0.5, "col": 0.5})
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
        family.solve(params)


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
    level = load_spec(NAME).levels["exam"]
    first = family.sample(random.Random(11), level)
    random.seed(5)
    assert family.sample(random.Random(11), level) == first
