"""PCA-2D family: checked against numpy.linalg.eigh / numpy.cov and scikit-learn's PCA."""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA

from mli_drill.problems.families import pca_2d
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "pca-2d"
LEVELS = ("easy", "exam", "hard")


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return pca_2d.solve(typed_params(FAMILY, params))


def sign_convention(v: np.ndarray) -> np.ndarray:
    first = v[np.flatnonzero(np.abs(v) > 1e-12)[0]]
    return v if first > 0 else -v


def covariance(params: dict) -> np.ndarray:
    if params["source"] == "covariance":
        return np.array(params["cov"], dtype=float)
    return np.cov(np.array(params["points"], dtype=float).T)  # N - 1, rows are variables


def data_for_sklearn(params: dict) -> np.ndarray:
    """The points, or (for a given matrix) four points whose sample covariance is that matrix."""
    if params["source"] == "points":
        return np.array(params["points"], dtype=float)
    values, vectors = np.linalg.eigh(np.array(params["cov"], dtype=float))
    # +-a v1, +-b v2 about 0 have sample covariance (2a² v1v1^T + 2b² v2v2^T) / 3
    scale = np.sqrt(1.5 * values)
    return np.array([scale[0] * vectors[:, 0], -scale[0] * vectors[:, 0],
                     scale[1] * vectors[:, 1], -scale[1] * vectors[:, 1]])


def numpy_reference(params: dict):
    values, vectors = np.linalg.eigh(covariance(params))  # ascending
    if params["ask"] == "largest_eigenvalue":
        return values[-1]
    if params["ask"] == "explained_variance":
        return values[-1] / values.sum()
    return sign_convention(vectors[:, -1])


def sklearn_reference(params: dict):
    X = data_for_sklearn(params)
    pca = PCA(n_components=2).fit(X)
    assert np.allclose(np.cov(X.T), covariance(params), atol=1e-9)
    if params["ask"] == "largest_eigenvalue":
        return pca.explained_variance_[0]
    if params["ask"] == "explained_variance":
        return pca.explained_variance_ratio_[0]
    return sign_convention(pca.components_[0])


def test_matches_numpy_and_sklearn_on_300_instances():
    seen = set()
    for level in LEVELS:
        for seed in range(100):
            inst = make_instance(FAMILY, level, seed)
            assert np.allclose(inst.answer, numpy_reference(inst.params), atol=1e-9), inst.params
            assert np.allclose(inst.answer, sklearn_reference(inst.params), atol=1e-7), inst.params
            seen.add((inst.params["source"], inst.params["ask"]))
    assert len(seen) == 6, "every source/ask pair was checked"


def test_hand_examples():
    # [[2, 1], [1, 2]]: eigenvalues 3 and 1, axis (1, 1)/sqrt(2), share 3/4
    base = {"source": "covariance", "cov": [[2, 1], [1, 2]], "points": None}
    assert solve(dict(base, ask="largest_eigenvalue")).answer == pytest.approx(3)
    assert solve(dict(base, ask="explained_variance")).answer == pytest.approx(0.75)
    axis = solve(dict(base, ask="first_axis"))
    assert axis.kind == "vector" and axis.answer == pytest.approx([1 / math.sqrt(2), 1 / math.sqrt(2)])
    assert "(1, 1) / sqrt(2)" in axis.steps[-1]
    # negative correlation: axis (1, -1)/sqrt(2) with the first component positive
    neg = solve({"source": "covariance", "cov": [[2, -1], [-1, 2]], "ask": "first_axis"})
    assert neg.answer == pytest.approx([1 / math.sqrt(2), -1 / math.sqrt(2)])
    # [[7, 6], [6, 12]]: eigenvalues 16 and 3; axis (2, 3)/sqrt(13)
    axis = solve({"source": "covariance", "cov": [[7, 6], [6, 12]], "ask": "first_axis"})
    assert axis.answer == pytest.approx([2 / math.sqrt(13), 3 / math.sqrt(13)])
    # diagonal covariance: the axis is the coordinate axis with the larger variance
    diag = solve({"source": "covariance", "cov": [[1, 0], [0, 4]], "ask": "first_axis"})
    assert diag.answer == pytest.approx([0, 1])


def test_points_use_the_sample_covariance():
    # points (0,0), (2,2), (1,3), (3,1): mean (1.5, 1.5); scatter [[5, 1], [1, 5]] (eigenvalues 6, 4); C = M/3
    params = {"source": "points", "points": [[0, 0], [2, 2], [1, 3], [3, 1]], "ask": "largest_eigenvalue"}
    assert solve(params).answer == pytest.approx(2)
    assert solve(dict(params, ask="explained_variance")).answer == pytest.approx(0.6)
    # (2,5), (6,4), (3,6), (1,1): mean (3, 4); scatter [[14, 5], [5, 14]] (eigenvalues 19, 9); C = M/3
    params = {"source": "points", "points": [[2, 5], [6, 4], [3, 6], [1, 1]], "ask": "largest_eigenvalue"}
    assert solve(params).answer == pytest.approx(19 / 3)
    assert solve(params).display == "19/3 ≈ 6.3333"
    assert solve(dict(params, ask="first_axis")).answer == pytest.approx([1 / math.sqrt(2)] * 2)


def test_solutions_are_json_round_trippable():
    for level in LEVELS:
        for seed in range(10):
            inst = make_instance(FAMILY, level, seed)
            params = json.loads(json.dumps(inst.params))
            solution = solve(params)
            assert solution.answer == inst.answer
            json.dumps(solution.to_dict())
            if params["source"] == "points":
                assert "N - 1" in inst.question
            if params["ask"] == "first_axis":
                assert "first nonzero component" in inst.question


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_are_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    spec = load_spec(FAMILY).levels[level]
    p = inst.params
    assert p["source"] in spec["sources"] and p["ask"] in spec["asks"]
    if p["source"] == "covariance":
        (a, b), (b2, c) = p["cov"]
        assert b == b2 and b != 0 and 1 <= a <= spec["entry_max"] and 1 <= c <= spec["entry_max"]
        assert abs(b) <= spec["b_max"]
        scatter, divisor = np.array(p["cov"], dtype=float), 1
    else:
        pts = np.array(p["points"])
        assert spec["n"][0] <= len(pts) <= spec["n"][1]
        assert pts.min() >= spec["values"][0] and pts.max() <= spec["values"][1]
        assert len({tuple(q) for q in p["points"]}) == len(pts)
        assert np.all(pts.sum(axis=0) % len(pts) == 0), "integer mean"
        divisor = len(pts) - 1
        scatter = np.cov(pts.T) * divisor
    values = np.linalg.eigvalsh(scatter)
    assert np.allclose(values, np.round(values), atol=1e-9), "integer eigenvalues (of the scatter matrix)"
    assert values[0] > 0.5 and values[1] - values[0] > 0.5, "distinct, positive eigenvalues"
    assert np.allclose(inst.answer, numpy_reference(p), atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_sampler_is_deterministic(seed):
    level = level_settings(FAMILY, "hard")
    assert pca_2d.sample(random.Random(seed), level) == pca_2d.sample(random.Random(seed), level)


def test_nice_covariances_really_are_nice():
    for a, b, c in pca_2d.nice_covariances(12, 6):
        values = np.linalg.eigvalsh([[a, b], [b, c]])
        assert np.allclose(values, np.round(values)) and values[0] > 0 and values[1] > values[0]


@pytest.mark.parametrize(
    "params",
    [
        None,
        {"source": "covariance", "cov": [[2, 1], [1, 2]], "ask": "trace"},
        {"source": "matrix", "cov": [[2, 1], [1, 2]], "ask": "largest_eigenvalue"},
        {"source": "covariance", "cov": [[2, 1], [0, 2]], "ask": "largest_eigenvalue"},
        {"source": "covariance", "cov": [[2, 1, 0], [1, 2, 0]], "ask": "largest_eigenvalue"},
        {"source": "covariance", "cov": [[1, 3], [3, 1]], "ask": "largest_eigenvalue"},
        {"source": "covariance", "cov": [[-1, 0], [0, 2]], "ask": "largest_eigenvalue"},
        {"source": "covariance", "cov": [[2, 0], [0, 2]], "ask": "first_axis"},
        {"source": "covariance", "cov": [[0, 0], [0, 0]], "ask": "explained_variance"},
        {"source": "covariance", "cov": [[2, "x"], ["x", 2]], "ask": "largest_eigenvalue"},
        {"source": "covariance", "cov": [[2, 1], [1, 2]], "points": [[0, 0], [1, 1]], "ask": "first_axis"},
        {"source": "points", "points": [[1, 1]], "ask": "largest_eigenvalue"},
        {"source": "points", "points": [[1, 1], [2]], "ask": "largest_eigenvalue"},
        {"source": "points", "points": [[1, 1], [1, 1], [1, 1]], "ask": "largest_eigenvalue"},
        {"source": "points", "points": [[0, 0], [1, 0], [0, 1], [1, 1]], "ask": "first_axis"},
    ],
)
def test_nonsense_params_raise_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"source": "points", "points": [[0, 0], [1, "2"], [2, 5]], "ask": "first_axis"},
         "at $.points[1][1]: expected a number, got '2'"),
        ({"source": "covariance", "cov": [[2, 1], [0, 2]], "ask": "largest_eigenvalue"},
         "at $.cov: a covariance matrix must be symmetric"),
        ({"source": "covariance", "cov": [[2, 0], [0, 2]], "ask": "first_axis"},
         "at $.cov: the two eigenvalues are equal, so the first principal axis is not unique"),
        ({"source": "points", "points": [[1, 1]], "ask": "largest_eigenvalue"}, "at $.points: must list at least 2 [x, y] pairs"),
        ({"source": "points", "points": [[1, 1], [2]], "ask": "largest_eigenvalue"}, "at $.points[1]: expected a list of 2, got 1 item(s)"),
        ({"source": "covariance", "cov": [[2, 1], [1, 2]], "ask": "trace"},
         "at $.ask: expected one of 'largest_eigenvalue', 'explained_variance', 'first_axis', got 'trace'"),
        ({"source": "covariance", "cov": [[2, 1], [1, 2]]}, "at $: missing 'ask'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_absent_cov_or_points_reads_as_null():
    """Hand-written params may leave out the key the source does not use; it reads as null."""
    written = {"source": "covariance", "cov": [[2, 1], [1, 2]], "ask": "largest_eigenvalue"}
    assert typed_params(FAMILY, written) == typed_params(FAMILY, dict(written, points=None))
    assert solve(written).answer == pytest.approx(3)


def test_collinear_points_explain_everything():
    params = {"source": "points", "points": [[0, 0], [1, 2], [2, 4]], "ask": "explained_variance"}
    assert solve(params).answer == pytest.approx(1.0)
    axis = solve(dict(params, ask="first_axis")).answer
    assert axis == pytest.approx([1 / math.sqrt(5), 2 / math.sqrt(5)])


def test_exact_scatter_helper():
    mean, m = pca_2d.scatter([(Fraction(0), Fraction(0)), (Fraction(2), Fraction(2)), (Fraction(1), Fraction(3))])
    assert mean == [1, Fraction(5, 3)]
    assert m[0][0] == 2 and m[0][1] == 2


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in pca_2d.MISTAKES}


def asked_of(ask: str, values: np.ndarray, vectors: np.ndarray, index: int):
    """The asked quantity for eigenpair ``index`` of an independent decomposition."""
    if ask == "largest_eigenvalue":
        return values[index]
    if ask == "explained_variance":
        return values[index] / values.sum()
    return sign_convention(vectors[:, index])


def test_slips_against_numpy():
    """covariance-over-n: np.cov(bias=True); smallest-eigenvalue: eigh's other pair; covariance-ignored: the
    diagonal as eigenvalues (np.diag); axis-not-normalised: eigh's unit axis times the length of (b, λ1 − a)."""
    applied = dict.fromkeys(SLIPS, 0)
    for level in LEVELS:
        for seed in range(100):
            inst = make_instance(FAMILY, level, seed)
            p = inst.params
            cov = covariance(p)
            values, vectors = np.linalg.eigh(cov)  # ascending: index 1 is the first component
            expected = {
                "smallest-eigenvalue": asked_of(p["ask"], values, vectors, 0),
                "covariance-over-n": None,
                "axis-not-normalised": None,
            }
            if p["source"] == "points" and p["ask"] == "largest_eigenvalue":
                expected["covariance-over-n"] = np.linalg.eigvalsh(np.cov(np.array(p["points"]).T, bias=True))[-1]
            diagonal = np.diag(np.diag(cov))
            if p["ask"] == "first_axis" and cov[0, 0] == cov[1, 1]:
                expected["covariance-ignored"] = None
            else:
                d_values, d_vectors = np.linalg.eigh(diagonal)
                expected["covariance-ignored"] = asked_of(p["ask"], d_values, d_vectors, 1)
            if p["ask"] == "first_axis":
                length = math.hypot(cov[0, 1], values[1] - cov[0, 0])
                expected["axis-not-normalised"] = sign_convention(vectors[:, 1]) * length
            for mistake_id, value in expected.items():
                got = SLIPS[mistake_id].answer(inst.typed)
                if value is None:
                    assert got is None, (mistake_id, p)
                else:
                    assert np.allclose(got, value, atol=1e-9), (mistake_id, p, got, value)
                    applied[mistake_id] += 1
    assert min(applied.values()) > 20, applied


def test_covariance_over_n_hand_example():
    # points (0,0), (2,2), (1,3), (3,1): scatter [[5, 1], [1, 5]], eigenvalues 6 and 4; / 3 right, / 4 the slip
    params = {"source": "points", "points": [[0, 0], [2, 2], [1, 3], [3, 1]], "ask": "largest_eigenvalue"}
    typed = typed_params(FAMILY, params)
    assert SLIPS["covariance-over-n"].answer(typed) == pytest.approx(1.5)
    assert "N − 1 = 3" in SLIPS["covariance-over-n"].message(typed)
    assert SLIPS["covariance-over-n"].answer(typed_params(FAMILY, dict(params, ask="explained_variance"))) is None


def test_axis_slips_hand_example():
    # [[7, 6], [6, 12]]: λ1 = 16, v ∝ (6, 9); the second axis (3, -2)/sqrt(13)
    params = typed_params(FAMILY, {"source": "covariance", "cov": [[7, 6], [6, 12]], "points": None, "ask": "first_axis"})
    assert SLIPS["axis-not-normalised"].answer(params) == pytest.approx([6, 9])
    assert SLIPS["smallest-eigenvalue"].answer(params) == pytest.approx([3 / math.sqrt(13), -2 / math.sqrt(13)])
    assert SLIPS["covariance-ignored"].answer(params) == pytest.approx([0, 1])
    assert "λ1 = 16 and λ2 = 3" in SLIPS["smallest-eigenvalue"].message(params)
