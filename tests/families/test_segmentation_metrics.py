"""segmentation-metrics: reference answers, and the mistake catalogue's values, against scipy, MedPy and scikit-learn."""

from __future__ import annotations

import json
import math
import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from medpy.metric import binary as medpy_binary
from scipy.ndimage import binary_erosion, generate_binary_structure
from scipy.spatial.distance import cdist, directed_hausdorff
from sklearn.metrics import f1_score, jaccard_score

from mli_drill.problems.families import segmentation_metrics as family
from mli_drill.problems.families.base import Alternatives, InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.mistakes import mistake_answers
from mli_drill.problems.spec import load_spec
from tests.conftest import ROOT

NAME = "segmentation-metrics"
LEVELS = ("easy", "exam", "hard")
medpy_surface_distances = getattr(medpy_binary, "__surface_distances")


def _instances(per_level: int = 80):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(NAME, level, seed)


def _surface_points(mask: np.ndarray) -> np.ndarray:
    """Surface pixels the scipy way: mask XOR erosion with the 4-connected cross (border_value 0)."""
    cross = generate_binary_structure(2, 1)
    return np.argwhere(mask ^ binary_erosion(mask, structure=cross, border_value=0))


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return family.solve(typed_params(NAME, params))


def _solve(params: dict, metric: str) -> float:
    return solve({**params, "metric": metric}).answer


# --------------------------------------------------------------------------- independent checks


def test_overlap_metrics_match_sklearn_on_240_instances():
    count = 0
    for inst in _instances():
        a = np.array(inst.params["a"], dtype=bool).ravel()
        b = np.array(inst.params["b"], dtype=bool).ravel()
        # a is the prediction, b the reference (y_true).
        assert _solve(inst.params, "dice") == pytest.approx(f1_score(b, a), abs=1e-12)
        assert _solve(inst.params, "jaccard") == pytest.approx(jaccard_score(b, a), abs=1e-12)
        size_a, size_b = a.sum(), b.sum()
        assert _solve(inst.params, "volume_similarity") == pytest.approx(
            1 - abs(int(size_a) - int(size_b)) / (size_a + size_b), abs=1e-12
        )
        count += 1
    assert count >= 200


def test_hausdorff_matches_scipy_and_medpy_on_240_instances():
    for inst in _instances():
        a = np.array(inst.params["a"], dtype=bool)
        b = np.array(inst.params["b"], dtype=bool)
        sa, sb = _surface_points(a), _surface_points(b)
        scipy_hd = max(directed_hausdorff(sa, sb)[0], directed_hausdorff(sb, sa)[0])
        ours = _solve(inst.params, "hausdorff")
        assert ours == pytest.approx(scipy_hd, abs=1e-9)
        assert ours == pytest.approx(medpy_binary.hd(a, b), abs=1e-9)


def test_asd_is_mean_of_directed_means_scipy_and_medpy_on_240_instances():
    for inst in _instances():
        a = np.array(inst.params["a"], dtype=bool)
        b = np.array(inst.params["b"], dtype=bool)
        sa, sb = _surface_points(a), _surface_points(b)
        d = cdist(sa, sb)
        scipy_asd = (d.min(axis=1).mean() + d.min(axis=0).mean()) / 2
        medpy_asd = (medpy_binary.asd(a, b) + medpy_binary.asd(b, a)) / 2
        medpy_directed = (medpy_surface_distances(a, b).mean() + medpy_surface_distances(b, a).mean()) / 2
        ours = _solve(inst.params, "average_surface_distance")
        assert ours == pytest.approx(scipy_asd, abs=1e-9)
        assert ours == pytest.approx(medpy_asd, abs=1e-9)
        assert ours == pytest.approx(medpy_directed, abs=1e-9)


def test_instance_answer_is_the_asked_metric():
    for inst in _instances(per_level=20):
        assert inst.answer == _solve(inst.params, inst.params["metric"])


# --------------------------------------------------------------------------- mistake catalogue

SLIPS = {mistake.id: mistake for mistake in family.MISTAKES}


def _slip(params: dict, mistake_id: str, metric: str):
    return SLIPS[mistake_id].answer(typed_params(NAME, {**params, "metric": metric}))


def _alternatives(value) -> list[float]:
    assert isinstance(value, Alternatives)
    return sorted(value.values)


def test_slips_apply_only_to_their_metric():
    params = make_instance(NAME, "exam", 0).params
    own = {
        "jaccard-for-dice": "dice",
        "dice-for-jaccard": "jaccard",
        "vs-missing-one-minus": "volume_similarity",
        "directed-hausdorff": "hausdorff",
        "pooled-surface-distance": "average_surface_distance",
        "directed-surface-distance": "average_surface_distance",
    }
    assert set(own) == set(SLIPS)
    for mistake_id, metric in own.items():
        for other in family.METRICS:
            assert (_slip(params, mistake_id, other) is None) == (other != metric), (mistake_id, other)


def test_overlap_slips_match_sklearn_on_240_instances():
    for inst in _instances():
        a = np.array(inst.params["a"], dtype=bool).ravel()
        b = np.array(inst.params["b"], dtype=bool).ravel()
        assert _slip(inst.params, "jaccard-for-dice", "dice") == pytest.approx(jaccard_score(b, a), abs=1e-12)
        assert _slip(inst.params, "dice-for-jaccard", "jaccard") == pytest.approx(f1_score(b, a), abs=1e-12)
        size_a, size_b = int(a.sum()), int(b.sum())  # |FN - FP| = | |B| - |A| |, 2TP + FP + FN = |A| + |B|
        assert _slip(inst.params, "vs-missing-one-minus", "volume_similarity") == pytest.approx(
            abs(size_a - size_b) / (size_a + size_b), abs=1e-12
        )


def test_directed_hausdorff_is_either_direction_by_scipy_and_medpy_on_240_instances():
    for inst in _instances():
        a = np.array(inst.params["a"], dtype=bool)
        b = np.array(inst.params["b"], dtype=bool)
        sa, sb = _surface_points(a), _surface_points(b)
        ours = _alternatives(_slip(inst.params, "directed-hausdorff", "hausdorff"))
        assert ours == pytest.approx(sorted([directed_hausdorff(sa, sb)[0], directed_hausdorff(sb, sa)[0]]), abs=1e-9)
        assert ours == pytest.approx(
            sorted([medpy_surface_distances(a, b).max(), medpy_surface_distances(b, a).max()]), abs=1e-9
        )


def test_surface_distance_slips_match_medpy_on_240_instances():
    for inst in _instances():
        a = np.array(inst.params["a"], dtype=bool)
        b = np.array(inst.params["b"], dtype=bool)
        # MedPy 0.5's assd pools both directions into one mean: exactly the slip.
        pooled = _slip(inst.params, "pooled-surface-distance", "average_surface_distance")
        assert pooled == pytest.approx(medpy_binary.assd(a, b), abs=1e-9)
        directed = _alternatives(_slip(inst.params, "directed-surface-distance", "average_surface_distance"))
        assert directed == pytest.approx(sorted([medpy_binary.asd(a, b), medpy_binary.asd(b, a)]), abs=1e-9)
        d = cdist(_surface_points(a), _surface_points(b))
        assert pooled == pytest.approx(np.concatenate([d.min(axis=1), d.min(axis=0)]).mean(), abs=1e-9)


def test_slips_on_the_conventions_example():
    params = {"a": CONV_PREDICTION, "b": CONV_REFERENCE}
    assert _slip(params, "jaccard-for-dice", "dice") == pytest.approx(1 / 3, abs=1e-12)
    assert _slip(params, "dice-for-jaccard", "jaccard") == pytest.approx(0.5, abs=1e-12)
    assert _slip(params, "vs-missing-one-minus", "volume_similarity") == pytest.approx(1 / 9, abs=1e-12)
    assert max(_alternatives(_slip(params, "directed-hausdorff", "hausdorff"))) == pytest.approx(math.sqrt(5))
    assert round(_slip(params, "pooled-surface-distance", "average_surface_distance"), 4) == 1.0409
    message = SLIPS["pooled-surface-distance"].message(typed_params(NAME, {**params, "metric": "average_surface_distance"}))
    assert "= 1.0409, but" in message and "= 1.0286" in message
    message = SLIPS["jaccard-for-dice"].message(typed_params(NAME, {**params, "metric": "dice"}))
    assert "9 / (9 + 11 + 7) = 9/27 = 1/3" in message and "18/36 = 1/2" in message


def test_informative_instances_tell_the_slips_apart():
    """Point 5 of issue 11: most instances give every slip of the asked metric its own value."""
    told_apart = 0
    for inst in _instances(per_level=40):
        told_apart += family._informative(inst.typed)
    assert told_apart >= 0.9 * 120


# --------------------------------------------------------------------------- CONVENTIONS.md worked example


def _rect(rows: range, cols: range, size: int = 8) -> list[list[int]]:
    return [[int(r in rows and c in cols) for c in range(size)] for r in range(size)]


# CONVENTIONS.md: "A = rows 1-4, cols 1-4 and B = rows 2-6, cols 2-5: TP 9, FP 11, FN 7".
# FP 11 = |B \ A| means B plays the prediction there, so here a = B and b = A.
CONV_REFERENCE = _rect(range(1, 5), range(1, 5))
CONV_PREDICTION = _rect(range(2, 7), range(2, 6))


def test_conventions_worked_example():
    params = {"a": CONV_PREDICTION, "b": CONV_REFERENCE}
    assert family._counts(CONV_PREDICTION, CONV_REFERENCE) == (9, 11, 7)
    assert _solve(params, "dice") == pytest.approx(0.5, abs=1e-12)
    assert _solve(params, "jaccard") == pytest.approx(1 / 3, abs=1e-12)
    assert _solve(params, "volume_similarity") == pytest.approx(8 / 9, abs=1e-12)
    assert _solve(params, "hausdorff") == pytest.approx(math.sqrt(5), abs=1e-12)
    assert round(_solve(params, "average_surface_distance"), 4) == 1.0286
    hd = solve({**params, "metric": "hausdorff"})
    assert hd.display == "sqrt(5) ≈ 2.236"
    assert solve({**params, "metric": "jaccard"}).display == "1/3 ≈ 0.3333"


def test_conventions_example_with_roles_swapped_swaps_fp_and_fn_only():
    params = {"a": CONV_REFERENCE, "b": CONV_PREDICTION}
    assert family._counts(CONV_REFERENCE, CONV_PREDICTION) == (9, 7, 11)
    for metric, expected in [("dice", 0.5), ("jaccard", 1 / 3), ("volume_similarity", 8 / 9), ("hausdorff", math.sqrt(5))]:
        assert _solve(params, metric) == pytest.approx(expected, abs=1e-12)
    assert round(_solve(params, "average_surface_distance"), 4) == 1.0286


def test_asd_is_not_the_pooled_mean():
    params = {"a": CONV_PREDICTION, "b": CONV_REFERENCE}
    pooled = medpy_binary.assd(np.array(CONV_PREDICTION, bool), np.array(CONV_REFERENCE, bool))
    assert round(pooled, 4) == 1.0409  # CONVENTIONS.md: "the pooled mean would be 1.0409"
    assert abs(_solve(params, "average_surface_distance") - pooled) > 0.01


# --------------------------------------------------------------------------- edge cases by hand


def test_outside_of_image_is_background():
    full = [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    centre = [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert sorted(family._surface(full)) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (2, 2)]
    params = {"a": full, "b": centre}
    assert _solve(params, "hausdorff") == pytest.approx(math.sqrt(2))
    assert _solve(params, "average_surface_distance") == pytest.approx(((4 + 4 * math.sqrt(2)) / 8 + 1) / 2)


def test_hole_border_counts_as_surface():
    holed = [[1] * 5 for _ in range(5)]
    holed[2][2] = 0
    dot = [[0] * 5 for _ in range(5)]
    dot[2][2] = 1
    interior = {(1, 1), (1, 3), (3, 1), (3, 3)}
    assert set(family._surface(holed)) == {(r, c) for r in range(5) for c in range(5)} - interior - {(2, 2)}
    params = {"a": holed, "b": dot}
    assert _solve(params, "hausdorff") == pytest.approx(math.sqrt(8))
    mean_a = (4 * math.sqrt(8) + 4 * 2 + 8 * math.sqrt(5) + 4 * 1) / 20
    assert _solve(params, "average_surface_distance") == pytest.approx((mean_a + 1) / 2)
    assert _solve(params, "dice") == 0.0


def test_single_pixels_and_identical_masks():
    one = [[1, 0], [0, 0]]
    other = [[0, 0], [0, 1]]
    hd = solve({"metric": "hausdorff", "a": one, "b": other})
    assert hd.answer == pytest.approx(math.sqrt(2))
    assert hd.display == "sqrt(2) ≈ 1.414"
    same = {"a": [[0, 1, 1]], "b": [[0, 1, 1]]}
    assert _solve(same, "dice") == 1.0
    assert _solve(same, "hausdorff") == 0.0
    assert solve({**same, "metric": "hausdorff"}).display == "0"
    assert _solve(same, "average_surface_distance") == 0.0


def test_integer_hausdorff_has_integer_display():
    a = [[1, 0, 0, 0]]
    b = [[0, 0, 0, 1]]
    sol = solve({"metric": "hausdorff", "a": a, "b": b})
    assert sol.answer == 3.0 and sol.display == "3"


def test_steps_mark_tp_fp_fn_and_surfaces():
    sol = solve({"metric": "hausdorff", "a": CONV_PREDICTION, "b": CONV_REFERENCE})
    text = "\n".join(sol.steps)
    assert "TP = 9, FP = 11, FN = 7" in text
    assert "S_A: 14 pixels" in text and "S_B: 12 pixels" in text
    assert "√5" in text


@pytest.mark.parametrize(
    "params",
    [
        None,
        {},
        {"metric": "f1", "a": [[1]], "b": [[1]]},
        {"metric": "dice", "a": [[0, 0]], "b": [[1, 0]]},
        {"metric": "dice", "a": [[1, 0]], "b": [[1, 0], [0, 0]]},
        {"metric": "dice", "a": [[1, 2]], "b": [[1, 0]]},
        {"metric": "dice", "a": [[1, 0], [1]], "b": [[1, 0], [1, 0]]},
        {"metric": "dice", "a": [], "b": [[1]]},
        {"metric": "dice", "a": "1 0", "b": [[1, 0]]},
        {"metric": "dice", "a": [[True, False]], "b": [[1, 0]]},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"metric": "dice", "a": [[1, 0], [0, "1"]], "b": [[1, 0], [0, 0]]}, "at $.a[1][1]: expected an integer, got '1'"),
        ({"metric": "dice", "a": [[1, 2]], "b": [[1, 0]]}, "at $.a: must contain only the integers 0 and 1"),
        ({"metric": "dice", "a": [[0, 0]], "b": [[1, 0]]}, "at $.a: is empty (no foreground pixel): the metrics are undefined"),
        ({"metric": "dice", "a": [[1, 0]], "b": [[1, 0], [0, 0]]},
         "at $.b: is 2x2 but a is 1x2; the masks must have the same shape"),
        ({"metric": "f1", "a": [[1]], "b": [[1]]},
         "at $.metric: expected one of 'dice', 'jaccard', 'volume_similarity', 'hausdorff', 'average_surface_distance', got 'f1'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


# --------------------------------------------------------------------------- properties


def _connected(mask: list[list[int]]) -> bool:
    from scipy.ndimage import label

    return label(np.array(mask), structure=generate_binary_structure(2, 1))[1] == 1


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_valid(seed, level):
    inst = make_instance(NAME, level, seed)
    spec_level = load_spec(NAME).levels[level]
    lo, hi = spec_level["size"]
    a, b = np.array(inst.params["a"]), np.array(inst.params["b"])
    assert a.shape == b.shape and lo <= a.shape[0] <= hi and lo <= a.shape[1] <= hi
    if level in ("easy", "exam"):
        assert max(a.shape) <= 8
    assert set(np.unique(a)) <= {0, 1} and set(np.unique(b)) <= {0, 1}
    assert a.any() and b.any() and not a.all() and not b.all()
    assert (a & b).any() and not np.array_equal(a, b)
    assert _connected(a) and _connected(b)
    margin = spec_level.get("margin", 0)
    if margin:
        for mask in (a, b):
            assert not mask[:margin].any() and not mask[-margin:].any()
            assert not mask[:, :margin].any() and not mask[:, -margin:].any()
    phrase = {
        "dice": "Dice coefficient",
        "jaccard": "Jaccard index",
        "volume_similarity": "volume similarity",
        "hausdorff": "Hausdorff distance",
        "average_surface_distance": "average symmetric surface distance",
    }[inst.params["metric"]]
    assert phrase in inst.question and "{" not in inst.question
    value = inst.answer
    if inst.params["metric"] in ("dice", "jaccard", "volume_similarity"):
        assert 0 < value <= 1
    else:
        assert value > 0
    assert inst.solution.display
    assert len(inst.solution.steps) >= 3


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_reproducible(seed, level):
    assert make_instance(NAME, level, seed).to_dict() == make_instance(NAME, level, seed).to_dict()


def test_sampler_uses_only_the_given_rng():
    level = level_settings(NAME, "exam")
    first = family.sample(random.Random(7), level)
    random.seed(12345)  # the global generator must not matter
    assert family.sample(random.Random(7), level) == first


def test_every_metric_is_sampled():
    metrics = {make_instance(NAME, "exam", seed).params["metric"] for seed in range(100)}
    assert metrics == set(family.METRICS)


def test_doc_example_and_its_slips_are_current():
    """docs/problems/segmentation-metrics.md shows exam seed 2, its answer and its slips' answers: they must not go stale."""
    page = (ROOT / "docs" / "problems" / "segmentation-metrics.md").read_text(encoding="utf-8")
    instance = make_instance("segmentation-metrics", "exam", 2)
    assert json.loads(re.search(r"```json\n(.*?)\n```", page, re.S).group(1)) == instance.params
    slips = page.split("## Mistakes it recognises")[1].split("For the example above")[1]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", slips, re.M)
    assert listed and sorted(set(listed)) == sorted({mistake_id for mistake_id, _ in mistake_answers(instance)})



# --------------------------------------------------------------------------- the sampler's shortcuts


@settings(max_examples=300, deadline=None)
@given(
    height=st.integers(1, 12), width=st.integers(1, 12),
    source_cells=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 11)), min_size=1, max_size=40),
    target_cells=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 11)), min_size=1, max_size=40),
)
def test_nearest_surface_distances_match_every_pair(height: int, width: int, source_cells: set, target_cells: set) -> None:
    sources = sorted(source_cells)
    targets = sorted(target_cells)
    every_pair = [min((r - tr) ** 2 + (c - tc) ** 2 for tr, tc in targets) for r, c in sources]
    assert family._nearest_squared(sources, targets) == every_pair
    assert [squared for squared, _ in family._nearest(sources, targets).values()] == every_pair


@settings(max_examples=300, deadline=None)
@given(rectangles=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8), st.integers(1, 5), st.integers(1, 5)),
                           min_size=1, max_size=4))
def test_rectangles_are_connected_exactly_when_their_mask_is(rectangles: list) -> None:
    """Checked against a flood fill of the mask the rectangles make."""
    mask = [[0] * 13 for _ in range(13)]
    for top, left, height, width in rectangles:
        for r in range(top, top + height):
            for c in range(left, left + width):
                mask[r][c] = 1
    pixels = {(r, c) for r in range(13) for c in range(13) if mask[r][c]}
    seen, stack = {min(pixels)}, [min(pixels)]
    while stack:
        r, c = stack.pop()
        for pixel in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if pixel in pixels and pixel not in seen:
                seen.add(pixel)
                stack.append(pixel)
    assert family._rectangles_connected(rectangles) == (seen == pixels)
