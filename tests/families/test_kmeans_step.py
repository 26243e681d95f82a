"""kmeans-step: reference answers against scikit-learn's KMeans and scipy's cdist."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans

from mli_drill.problems.families import kmeans_step as family
from mli_drill.problems.convert import load
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.spec import load_spec

NAME = "kmeans-step"
LEVELS = ("easy", "exam", "hard")


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return family.solve(typed_params(NAME, params))


def slip(mistake_id: str, params: dict):
    """A slip's answer on JSON params, through the converter."""
    return SLIPS[mistake_id].answer(typed_params(NAME, params))


def _sklearn_one_iteration(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Centres after one Lloyd iteration (sklearn's max_iter=1 returns them after one update)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: one iteration is the point
        model = KMeans(n_clusters=len(centres), init=centres, n_init=1, max_iter=1, algorithm="lloyd").fit(points)
    return model.cluster_centers_


def test_matches_sklearn_and_cdist_on_240_instances():
    count = 0
    for level in LEVELS:
        for seed in range(80):
            inst = make_instance(NAME, level, seed)
            points = np.array(inst.params["points"], dtype=float)
            centres = np.array(inst.params["centres"], dtype=float)
            distances = cdist(points, centres)
            labels = distances.argmin(axis=1)
            # no ties: the nearest centre is strictly nearer than the second nearest
            ordered = np.sort(distances, axis=1)
            assert np.all(ordered[:, 1] - ordered[:, 0] > 1e-9)
            for ask in family.ASKS:
                sol = solve({**inst.params, "ask": ask})
                if ask == "assignments":
                    assert sol.answer == list(labels + 1)
                else:
                    expected = _sklearn_one_iteration(points, centres)
                    got = np.array(sol.answer, dtype=float).reshape(expected.shape)
                    assert np.allclose(got, expected, atol=1e-9)
            count += 1
    assert count >= 200


def test_instance_answer_kind_follows_ask_and_dimension():
    for seed in range(60):
        inst = make_instance(NAME, "exam", seed)
        dim = len(inst.params["points"][0])
        if inst.params["ask"] == "assignments":
            assert inst.answer_spec.kind == "vector" and all(isinstance(v, int) for v in inst.answer)
        elif dim == 1:
            assert inst.answer_spec.kind == "vector" and len(inst.answer) == len(inst.params["centres"])
        else:
            assert inst.answer_spec.kind == "matrix" and all(len(row) == 2 for row in inst.answer)


def test_hand_example_1d():
    params = {"points": [1, 2, 4, 7, 8, 10], "centres": [[2], [9]], "ask": "centres"}
    sol = solve(params)
    assert sol.answer == pytest.approx([7 / 3, 25 / 3])
    assert sol.display == "[7/3 ≈ 2.333, 25/3 ≈ 8.333]"
    assert solve({**params, "ask": "assignments"}).answer == [1, 1, 1, 2, 2, 2]


def test_hand_example_2d():
    params = {"points": [[0, 0], [0, 2], [6, 6], [8, 6]], "centres": [[1, 1], [5, 5]], "ask": "centres"}
    sol = solve(params)
    assert sol.answer == [[0.0, 1.0], [7.0, 6.0]]
    assert sol.kind == "matrix"


def test_ties_go_to_the_lower_index_for_hand_params():
    # 3 is equidistant from 1 and 5: CONVENTIONS.md sends it to the lower index.
    sol = solve({"points": [[1], [3], [5]], "centres": [[1], [5]], "ask": "assignments"})
    assert sol.answer == [1, 1, 2]


@pytest.mark.parametrize(
    "params",
    [
        None,
        {},
        {"points": [[1], [2]], "centres": [[1], [2]], "ask": "labels"},
        {"points": [[1], [2]], "centres": [[1]], "ask": "centres"},
        {"points": [[1], [2, 3]], "centres": [[1], [2]], "ask": "centres"},
        {"points": [[1, 2, 3]], "centres": [[1, 2, 3], [0, 0, 0]], "ask": "centres"},
        {"points": [[1.5], [2]], "centres": [[1], [2]], "ask": "centres"},
        {"points": [[True], [2]], "centres": [[1], [2]], "ask": "centres"},
        {"points": [], "centres": [[1], [2]], "ask": "centres"},
        {"points": [[1], [2]], "centres": [[1], [100]], "ask": "centres"},  # centre 2 gets no point
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"points": [[1], [2, "3"]], "centres": [[1], [2]]}, "at $.points[1][1]: expected an integer, got '3'"),
        ({"points": [[1], [2]], "centres": [[1], [2]], "ask": "labels"},
         "at $.ask: expected one of 'assignments', 'centres', got 'labels'"),
        ({"points": [[1], [2]], "centres": [[1]]}, "at $.centres: k-means needs at least 2 centres"),
        ({"points": [[1], [2]], "centres": [[1], [100]]},
         "at $.centres: centre(s) [2] get no points: the update of an empty cluster is undefined"),
        ({"points": [[1], [2]], "centers": [[1], [2]]}, "at $: unknown key 'centers' (did you mean 'centres'?)"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_levels_are_typed():
    assert level_settings(NAME, "hard") == family.Level(dims=(2,), k=(3, 4), points=(9, 12), max_coordinate=12,
                                                        asks=("centres",))
    with pytest.raises(InvalidParams, match=r"at \$\.k: must be \[min, max\] with 2 <= min <= max"):
        load(family.Level, {"k": [1, 3]})


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_valid(seed, level):
    inst = make_instance(NAME, level, seed)
    spec_level = load_spec(NAME).levels[level]
    points = np.array(inst.params["points"])
    centres = np.array(inst.params["centres"])
    k_lo, k_hi = spec_level["k"]
    n_lo, n_hi = spec_level["points"]
    assert k_lo <= len(centres) <= k_hi and n_lo <= len(points) <= n_hi
    assert points.shape[1] in spec_level["dims"] and centres.shape[1] == points.shape[1]
    assert points.min() >= 0 and points.max() <= spec_level["max_coordinate"]
    assert len({tuple(p) for p in points}) == len(points)
    assert len({tuple(c) for c in centres}) == len(centres)
    squared = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    ordered = np.sort(squared, axis=1)
    assert np.all(ordered[:, 1] > ordered[:, 0])  # unique nearest centre
    labels = squared.argmin(axis=1)
    assert set(labels) == set(range(len(centres)))  # no empty cluster
    moved = [points[labels == j].mean(axis=0) for j in range(len(centres))]
    assert not np.allclose(moved, centres)  # the iteration does something
    assert inst.params["ask"] in spec_level["asks"]
    assert "from 1" in "\n".join(inst.solution.steps)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_reproducible(seed, level):
    assert make_instance(NAME, level, seed).to_dict() == make_instance(NAME, level, seed).to_dict()


def test_sampler_uses_only_the_given_rng():
    level = level_settings(NAME, "exam")
    first = family.sample(random.Random(2), level)
    random.seed(77)
    assert family.sample(random.Random(2), level) == first


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in family.MISTAKES}


def _answer_from(points: np.ndarray, labels: np.ndarray, k: int, ask: str):
    """What a labelling gives: 1-based labels, or the means (None for an empty cluster)."""
    if ask == "assignments":
        return list(labels + 1)
    if len(set(labels)) < k:
        return None
    means = np.array([points[labels == j].mean(axis=0) for j in range(k)])
    return means[:, 0].tolist() if points.shape[1] == 1 else means.tolist()


def test_slips_against_cdist_and_sklearn():
    """Manhattan: cdist(cityblock) argmin (first index on ties); a second iteration: sklearn's KMeans with
    max_iter=2 (tol=0) for the centres, and cdist to sklearn's one-iteration centres for the assignments."""
    applied = dict.fromkeys(SLIPS, 0)
    for level in LEVELS:
        for seed in range(60):
            inst = make_instance(NAME, level, seed)
            p = inst.params
            points, centres = np.array(p["points"], dtype=float), np.array(p["centres"], dtype=float)
            k, ask = len(centres), p["ask"]
            manhattan = cdist(points, centres, metric="cityblock").argmin(axis=1)
            if ask == "assignments":
                too_many = list(cdist(points, _sklearn_one_iteration(points, centres)).argmin(axis=1) + 1)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = KMeans(n_clusters=k, init=centres, n_init=1, max_iter=2, tol=0, algorithm="lloyd")
                    two = model.fit(points).cluster_centers_
                too_many = two[:, 0].tolist() if points.shape[1] == 1 else two.tolist()
            expected = {
                "manhattan-assignment": _answer_from(points, manhattan, k, ask)
                if not np.array_equal(manhattan, cdist(points, centres).argmin(axis=1)) else None,
                "one-iteration-too-many": too_many,
                "labels-from-zero": list(cdist(points, centres).argmin(axis=1)) if ask == "assignments" else None,
            }
            for mistake_id, value in expected.items():
                got = SLIPS[mistake_id].answer(inst.typed)
                if value is None:
                    assert got is None, (mistake_id, p)
                else:
                    assert np.allclose(got, value, atol=1e-9), (mistake_id, p, got, value)
                    applied[mistake_id] += 1
    assert min(applied.values()) > 20, applied


def test_slips_hand_example_1d():
    # points 1, 2, 3, 10, 11 from centres 0 and 4: first assignment [1, 1, 2, 2, 2] (3 is nearer 4), means
    # 1.5 and 8; a second assignment moves 3 to c1: [1, 1, 1, 2, 2], means 2 and 10.5
    params = {"points": [[1], [2], [3], [10], [11]], "centres": [[0], [4]], "ask": "centres"}
    assert solve(params).answer == [1.5, 8.0]
    assert slip("one-iteration-too-many", params) == [2.0, 10.5]
    assert slip("manhattan-assignment", params) is None
    assignments = {**params, "ask": "assignments"}
    assert slip("one-iteration-too-many", assignments) == [1, 1, 1, 2, 2]
    assert slip("labels-from-zero", assignments) == [0, 0, 1, 1, 1]
    assert "[1, 1, 2, 2, 2]" in SLIPS["labels-from-zero"].message(typed_params(NAME, assignments))


def test_manhattan_hand_example_2d():
    # centres c1 = (0, 0), c2 = (2, 3). (0, 3): squared 9 vs 4 -> c2 (Manhattan 3 vs 2, c2 too);
    # (4, 0): squared 16 vs 13 -> c2, but Manhattan 4 vs 5 -> c1.
    params = {"points": [[0, 3], [4, 0]], "centres": [[0, 0], [2, 3]], "ask": "assignments"}
    assert solve(params).answer == [2, 2]
    assert slip("manhattan-assignment", params) == [2, 1]
    assert "(4, 0) is nearer c2 (squared distance 13) than c1 (16)" in SLIPS["manhattan-assignment"].message(typed_params(NAME, params))


def test_a_second_iteration_nearly_always_changes_the_answer():
    """The sampler prefers instances that have not converged after one iteration (it takes its first draw
    after 12 converged ones, so at the easy level about 1 in 70 may be converged)."""
    for level in LEVELS:
        changed = 0
        for seed in range(150):
            inst = make_instance(NAME, level, seed)
            too_many = SLIPS["one-iteration-too-many"].answer(inst.typed)
            changed += too_many is not None and not np.allclose(
                np.array(too_many, dtype=float), np.array(inst.answer, dtype=float), rtol=0.01, atol=0.005)
        assert changed >= 0.95 * 150, (level, changed)
