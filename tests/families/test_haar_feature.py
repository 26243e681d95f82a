"""haar-feature: reference answers against scikit-image, invariants, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.feature import haar_like_feature
from skimage.transform import integral_image, integrate

from mli_drill.problems.families import haar_feature as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.convert import load
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "haar-feature"
LEVELS = ("easy", "exam", "hard")
SEEDS = range(100)  # 300 instances


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def typed_feature(feature: dict) -> fam.Feature:
    return load(fam.Feature, feature)

# scikit-image returns sum(positive) - sum(negative) with these rectangles positive
# (verified in test_skimage_sign_convention): the second of two, the middle of three,
# and the top-right/bottom-left diagonal of four. Its coordinates list type-4 as TL, TR, BR, BL.
SKIMAGE_POSITIVE = {
    "type-2-x": {"right"},
    "type-2-y": {"bottom"},
    "type-3-x": {"middle"},
    "type-3-y": {"middle"},
    "type-4": {"top-right", "bottom-left"},
}
SKIMAGE_ORDER = {
    "type-2-x": ["left", "right"],
    "type-2-y": ["top", "bottom"],
    "type-3-x": ["left", "middle", "right"],
    "type-3-y": ["top", "middle", "bottom"],
    "type-4": ["top-left", "top-right", "bottom-right", "bottom-left"],
}


def skimage_feature(image: list[list[int]], feature: dict) -> int:
    """sum(white) - sum(black) via skimage.feature.haar_like_feature on explicit coordinates."""
    ii = integral_image(np.array(image, dtype=np.int64))
    rects = fam.rectangles(typed_feature(feature))
    coord = [((rects[n][0], rects[n][1]), (rects[n][2], rects[n][3])) for n in SKIMAGE_ORDER[feature["type"]]]
    coords = np.empty(1, dtype=object)
    coords[0] = coord
    value = haar_like_feature(
        ii, 0, 0, ii.shape[1], ii.shape[0], feature_type=np.array([feature["type"]]), feature_coord=coords
    )[0]
    white = set(feature["white"])
    positive = SKIMAGE_POSITIVE[feature["type"]]
    assert white == positive or white == set(SKIMAGE_ORDER[feature["type"]]) - positive
    return int(value) if white == positive else -int(value)


def numpy_feature(image: list[list[int]], feature: dict) -> int:
    """sum(white) - sum(black) by slicing the image directly (no integral image)."""
    a = np.array(image)
    total = 0
    for name, (top, left, bottom, right) in fam.rectangles(typed_feature(feature)).items():
        s = int(a[top : bottom + 1, left : right + 1].sum())
        total += s if name in feature["white"] else -s
    return total


def instances():
    for level in LEVELS:
        for seed in SEEDS:
            yield make_instance(FAMILY, level, seed)


def test_skimage_sign_convention():
    image = np.arange(1, 17).reshape(4, 4)  # left half sums to 60, right half to 76
    ii = integral_image(image)
    coords = np.empty(1, dtype=object)
    coords[0] = [((0, 0), (3, 1)), ((0, 2), (3, 3))]
    assert haar_like_feature(ii, 0, 0, 4, 4, np.array(["type-2-x"]), coords)[0] == 76 - 60
    feature = {"type": "type-2-x", "top": 0, "left": 0, "height": 4, "width": 4, "white": ["right"]}
    assert fam.feature_value(image.tolist(), typed_feature(feature)) == 16
    assert skimage_feature(image.tolist(), {**feature, "white": ["left"]}) == -16
    # type-4 on a non-symmetric image: skimage is (TR + BL) - (TL + BR)
    image = [[1, 0, 2, 2], [0, 0, 2, 2], [5, 5, 9, 0], [5, 5, 0, 1]]
    four = {"type": "type-4", "top": 0, "left": 0, "height": 4, "width": 4, "white": ["top-right", "bottom-left"]}
    assert fam.feature_value(image, typed_feature(four)) == (8 + 20) - (1 + 10)
    assert skimage_feature(image, four) == 17


def test_against_skimage():
    seen = set()
    for inst in instances():
        p = inst.params
        variant = p["variant"]
        seen.add(variant)
        if variant == "integral-image":
            assert np.array_equal(np.array(inst.answer), integral_image(np.array(p["image"]))), p
        elif variant == "rect-sum":
            top, left, bottom, right = p["rect"]
            ii = integral_image(np.array(p["image"]))
            assert inst.answer == integrate(ii, (top, left), (bottom, right))[0]
            assert inst.answer == np.array(p["image"])[top : bottom + 1, left : right + 1].sum()
        elif variant == "feature":
            seen.add(p["feature"]["type"])
            assert inst.answer == skimage_feature(p["image"], p["feature"]), p
            assert inst.answer == numpy_feature(p["image"], p["feature"]), p
        else:
            k = p["corners"]
            assert inst.answer == k["D"] - k["B"] - k["C"] + k["A"]
    assert seen >= {"integral-image", "rect-sum", "feature", "corners", *fam.SPLITS}


def test_conventions_worked_example():
    # CONVENTIONS.md: integral image slide example 450 - 254 - 186 + 101 = 111.
    sol = solve({"variant": "corners", "corners": {"A": 101, "B": 254, "C": 186, "D": 450}})
    assert sol.answer == 111
    assert "450 - 254 - 186 + 101 = 111" in sol.steps[-1]


def test_hand_worked_examples():
    image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert solve({"variant": "integral-image", "image": image}).answer == [[1, 3, 6], [5, 12, 21], [12, 27, 45]]
    # rectangle rows 1-2, cols 1-2: D=45, B=6, C=12, A=1 -> 28 = 5+6+8+9
    sol = solve({"variant": "rect-sum", "image": image, "given": "integral", "rect": [1, 1, 2, 2]})
    assert sol.answer == 28 and "45 - 6 - 12 + 1 = 28" in sol.steps[-1]
    # a rectangle on the top border uses A = B = 0
    sol = solve({"variant": "rect-sum", "image": image, "given": "image", "rect": [0, 1, 1, 2]})
    assert sol.answer == 16 and "A = 0 (outside the image)" in sol.steps[-1]
    three = {"type": "type-3-y", "top": 0, "left": 0, "height": 3, "width": 3, "white": ["top", "bottom"]}
    assert solve({"variant": "feature", "image": image, "given": "image", "feature": three}).answer == 6 + 24 - 15


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"variant": "lbp"},
        {"variant": "corners", "corners": {"A": 1, "B": 2, "C": 3}},
        {"variant": "corners", "corners": {"A": 10, "B": 5, "C": 20, "D": 40}},  # B < A
        {"variant": "corners", "corners": {"A": 0, "B": 10, "C": 10, "D": 15}},  # negative sum
        {"variant": "integral-image", "image": [[1, -2], [3, 4]]},
        {"variant": "integral-image", "image": [[1, 2], [3]]},
        {"variant": "rect-sum", "image": [[1, 2], [3, 4]], "given": "image", "rect": [1, 0, 0, 1]},
        {"variant": "rect-sum", "image": [[1, 2], [3, 4]], "given": "image", "rect": [0, 0, 2, 1]},
        {"variant": "rect-sum", "image": [[1, 2], [3, 4]], "given": "pixels", "rect": [0, 0, 1, 1]},
        {"variant": "feature", "image": [[1, 2, 3]], "given": "image",
         "feature": {"type": "type-2-x", "top": 0, "left": 0, "height": 1, "width": 3, "white": ["left"]}},
        {"variant": "feature", "image": [[1, 2], [3, 4]], "given": "image",
         "feature": {"type": "type-2-x", "top": 0, "left": 0, "height": 2, "width": 2, "white": ["left", "right"]}},
        {"variant": "feature", "image": [[1, 2], [3, 4]], "given": "image",
         "feature": {"type": "type-2-x", "top": 1, "left": 0, "height": 2, "width": 2, "white": ["left"]}},
        {"variant": "feature", "image": [[1, 2], [3, 4]], "given": "image",
         "feature": {"type": "type-5", "top": 0, "left": 0, "height": 2, "width": 2, "white": ["left"]}},
    ],
)
def test_invalid_params(bad):
    with pytest.raises(InvalidParams):
        solve(bad)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"variant": "integral-image", "image": [[1, 2], [3, "4"]]}, "at $.image[1][1]: expected an integer, got '4'"),
        ({"variant": "feature", "image": [[1, 2], [3, 4]], "given": "image",
          "feature": {"type": "type-2-x", "top": 0, "left": 0, "height": 2, "width": 2, "white": ["up"]}},
         "at $.feature.white: must name some but not all of left, right"),
        ({"variant": "corners", "corners": {"A": 10, "B": 5, "C": 20, "D": 40}},
         "at $.corners: these corner values cannot come from a non-negative image (need A <= B, C and D-B-C+A >= 0)"),
        ({"variant": "rect-sum", "image": [[1, 2], [3, 4]], "given": "image", "rect": [0, 0, 2, 1]},
         "at $.rect: [0, 0, 2, 1] is not inside the 2x2 image"),
        ({"variant": "rect-sum", "image": [[1, 2], [3, 4]]}, "at $.rect: is needed by the rect-sum variant"),
        ({"variant": "corners", "corners": {"A": 1, "B": 2, "C": 3, "D": 5}, "image": [[1]]},
         "at $.image: is not used by the corners variant"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_given_may_be_left_out():
    """A hand-written rect-sum without "given" shows the image, as before."""
    image = [[1, 2], [3, 4]]
    assert solve({"variant": "rect-sum", "image": image, "rect": [1, 1, 1, 1]}).answer == 4
    assert "Image:" in fam.question_fields(typed_params(FAMILY, {"variant": "rect-sum", "image": image,
                                                                 "rect": [1, 1, 1, 1]}))["grid"]


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    p = inst.params
    spec_level = load_spec(FAMILY).levels[level]
    assert p["variant"] in spec_level["variants"]
    if "image" in p:
        assert len(p["image"]) <= 6 and len(p["image"][0]) <= 6
        lo, hi = spec_level["image_size"]
        assert lo <= len(p["image"]) <= hi
        assert min(min(row) for row in p["image"]) >= 0
    if p["variant"] in ("rect-sum", "feature", "corners"):
        assert inst.answer != 0
        assert p.get("given", "image") in spec_level["given"] or p["variant"] == "corners"
    if p["variant"] == "feature":
        f = p["feature"]
        assert f["type"] in spec_level["feature_types"]
        assert f["height"] * f["width"] >= 4
        if p["given"] == "integral":
            assert "Integral image" in inst.question
    if p["variant"] == "corners":
        k = p["corners"]
        assert k["A"] <= k["B"] <= k["D"] and k["A"] <= k["C"] <= k["D"]
    assert "inclusive" in inst.question or p["variant"] == "feature"


def _slipped_sum(padded: np.ndarray, rect: list[int], slip: str) -> int:
    """A rectangle sum from a zero-padded numpy integral image (index + 1), read the slipped way."""
    top, left, bottom, right = rect
    D = padded[bottom + 1, right + 1]
    if slip == "corners-inside":
        return int(D - padded[top + 1, right + 1] - padded[bottom + 1, left + 1] + padded[top + 1, left + 1])
    return int(D - padded[top, right + 1] - padded[bottom + 1, left] - padded[top, left])


def numpy_slipped(params: dict, slip: str):
    """Each catalogued slip computed independently with numpy cumulative sums."""
    variant = params["variant"]
    if variant == "corners":
        k = params["corners"]
        return k["D"] - k["B"] - k["C"] - k["A"] if slip == "corner-a-subtracted" and k["A"] else None
    image = np.array(params["image"], dtype=np.int64)
    padded = np.pad(image.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    if variant == "integral-image":
        if slip == "exclusive-integral":
            return padded[:-1, :-1]
        return image.cumsum(1) if slip == "row-sums-only" else None
    if slip in ("exclusive-integral", "row-sums-only"):
        return None
    if variant == "rect-sum":
        return None if slip == "black-minus-white" else _slipped_sum(padded, params["rect"], slip)
    feature = params["feature"]
    if slip == "black-minus-white":
        return -skimage_feature(params["image"], feature)
    return sum(
        (1 if name in feature["white"] else -1) * _slipped_sum(padded, rect, slip)
        for name, rect in fam.rectangles(typed_feature(feature)).items()
    )


def test_slips_against_numpy_and_skimage(check_slips):
    check_slips(instances(), fam.MISTAKES, numpy_slipped)