"""transformations: reference answers against scikit-image's transform classes."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.transform import AffineTransform, EuclideanTransform

from mli_drill.problems.families import transformations as family
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.spec import load_spec

NAME = "transformations"
LEVELS = ("easy", "exam", "hard")


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return family.solve(typed_params(NAME, params))


def _skimage(matrix: list[list[int]], kind: str):
    cls = EuclideanTransform if kind == "rigid" else AffineTransform
    return cls(matrix=np.array(matrix, dtype=float))


def _instances(per_level: int):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(NAME, level, seed)


def test_apply_matches_skimage_on_200_instances():
    count = 0
    for inst in _instances(per_level=200):
        p = inst.params
        if p["task"] != "apply":
            continue
        expected = _skimage(p["matrix"], p["transform"])(np.array([p["point"]], dtype=float))[0]
        assert inst.answer == pytest.approx(list(expected), abs=1e-9)
        assert inst.answer_spec.kind == "vector"
        count += 1
    assert count >= 200


def test_compose_matches_skimage_on_200_instances():
    count = 0
    for inst in _instances(per_level=200):
        p = inst.params
        if p["task"] != "compose":
            continue
        first, second = _skimage(p["t1"], p["t1_kind"]), _skimage(p["t2"], p["t2_kind"])
        # skimage: (first + second) applies first, then second.
        combined = (first + second).params
        assert np.allclose(np.array(inst.answer, dtype=float), combined)
        assert inst.answer_spec.kind == "matrix"
        # and the matrix does to a point what the two steps do one after the other
        point = np.array([[3.0, -2.0]])
        assert np.allclose((first + second)(point), second(first(point)))
        count += 1
    assert count >= 200


def _dof_formula(transform: str, n: int) -> int:
    """Rotations in n-D have n(n-1)/2 angles; translations n; a similarity adds 1 scale; affine has n² + n."""
    rotations = n * (n - 1) // 2
    return {"rigid": rotations + n, "similarity": rotations + n + 1, "affine": n * n + n}[transform]


@pytest.mark.parametrize(
    "transform, dim, expected",
    [("rigid", 2, 3), ("similarity", 2, 4), ("affine", 2, 6), ("rigid", 3, 6), ("similarity", 3, 7), ("affine", 3, 12)],
)
def test_dof_conventions(transform, dim, expected):
    sol = solve({"task": "dof", "transform": transform, "dim": dim})
    assert sol.answer == expected == _dof_formula(transform, dim)
    assert sol.kind == "integer"


def test_dof_matches_skimage_parameter_count_for_affine():
    # skimage's affine params matrix: the free entries are all but the fixed last row.
    for dim in (2, 3):
        params = AffineTransform(dimensionality=dim).params
        assert solve({"task": "dof", "transform": "affine", "dim": dim}).answer == params[:-1].size


def test_hand_examples():
    rot90 = [[0, -1, 2], [1, 0, 3], [0, 0, 1]]  # rotate 90° anticlockwise, then shift by (2, 3)
    sol = solve({"task": "apply", "transform": "rigid", "matrix": rot90, "point": [1, 0]})
    assert sol.answer == [2, 4] and sol.display == "(2, 4)"
    assert "rotation by 90°" in "\n".join(sol.steps)
    shift = [[1, 0, 5], [0, 1, 0], [0, 0, 1]]
    scale = [[2, 0, 0], [0, 2, 0], [0, 0, 1]]
    # shift then scale: (x + 5) * 2; scale then shift: 2x + 5
    assert solve({"task": "compose", "t1": shift, "t2": scale, "t1_kind": "rigid", "t2_kind": "affine"}).answer == [
        [2, 0, 10],
        [0, 2, 0],
        [0, 0, 1],
    ]
    assert solve({"task": "compose", "t1": scale, "t2": shift, "t1_kind": "affine", "t2_kind": "rigid"}).answer == [
        [2, 0, 5],
        [0, 2, 0],
        [0, 0, 1],
    ]


def test_negative_terms_are_bracketed():
    sol = solve({"task": "apply", "transform": "affine", "matrix": [[-2, 1, -5], [0, 2, 3], [0, 0, 1]], "point": [5, -2]})
    assert sol.answer == [-17, -1]
    assert "x' = (-2)·5 + 1·(-2) + (-5) = -17" in sol.steps


@pytest.mark.parametrize(
    "params",
    [
        None,
        {},
        {"task": "shear"},
        {"task": "dof", "transform": "projective", "dim": 2},
        {"task": "dof", "transform": "rigid", "dim": 4},
        {"task": "dof", "transform": "rigid", "dim": True},
        {"task": "dof", "transform": "rigid", "dim": 2.0},
        {"task": "apply", "transform": "rigid", "matrix": [[2, 0, 0], [0, 2, 0], [0, 0, 1]], "point": [1, 1]},
        {"task": "apply", "transform": "affine", "matrix": [[1, 2, 0], [2, 4, 0], [0, 0, 1]], "point": [1, 1]},
        {"task": "apply", "transform": "affine", "matrix": [[1, 0, 0], [0, 1, 0], [1, 0, 1]], "point": [1, 1]},
        {"task": "apply", "transform": "affine", "matrix": [[1, 0], [0, 1]], "point": [1, 1]},
        {"task": "apply", "transform": "affine", "matrix": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "point": [1]},
        {"task": "apply", "transform": "affine", "matrix": [[1, 0, 0.5], [0, 1, 0], [0, 0, 1]], "point": [1, 1]},
        {"task": "apply", "transform": "similarity", "matrix": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "point": [1, 1]},
        {"task": "compose", "t1": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]},
        {"task": "compose", "t1": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "t2": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "t1_kind": "x"},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


IDENTITY = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"task": "apply", "transform": "affine", "matrix": [[1, 0, 0], [0, 1, "2"], [0, 0, 1]], "point": [1, 1]},
         "at $.matrix[1][2]: expected an integer, got '2'"),
        ({"task": "apply", "transform": "affine", "matrix": [[1, 0], [0, 1]], "point": [1, 1]},
         "at $.matrix: expected a list of 3, got 2 item(s)"),
        ({"task": "dof", "transform": "rigid", "dim": 4}, "at $.dim: dof needs dim 2 or 3, got 4"),
        ({"task": "apply", "transform": "rigid", "matrix": [[2, 0, 0], [0, 2, 0], [0, 0, 1]], "point": [1, 1]},
         "at $.matrix: is called rigid but its 2x2 part is not a rotation"),
        ({"task": "compose", "t1": IDENTITY, "t2": [[1, 2, 0], [2, 4, 0], [0, 0, 1]]},
         "at $.t2: is singular (its 2x2 part has determinant 0): not a valid transformation"),
        ({"task": "dof", "transform": "rigid", "dim": 2, "point": [1, 1]}, "at $.point: is not used when task is 'dof'"),
        ({"task": "apply", "transform": "similarity", "matrix": IDENTITY, "point": [1, 1]},
         "at $.transform: must be rigid or affine, not 'similarity'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_compose_kinds_default_to_affine():
    shift = [[1, 0, 5], [0, 1, 0], [0, 0, 1]]
    scale = [[2, 0, 0], [0, 2, 0], [0, 0, 1]]
    params = typed_params(NAME, {"task": "compose", "t1": shift, "t2": scale})
    assert (params.t1_kind, params.t2_kind) == ("affine", "affine")
    assert family.question_fields(params)["t1_kind"] == "affine"


def _is_rotation_by_quarter_turns(linear: np.ndarray) -> bool:
    return np.allclose(linear @ linear.T, np.eye(2)) and round(np.linalg.det(linear)) == 1


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_valid(seed, level):
    inst = make_instance(NAME, level, seed)
    spec_level = load_spec(NAME).levels[level]
    p = inst.params
    assert p["task"] in spec_level["tasks"]
    if p["task"] == "dof":
        assert p["dim"] in spec_level["dims"] and isinstance(inst.answer, int)
        return
    matrices = [(p["matrix"], p["transform"])] if p["task"] == "apply" else [(p["t1"], p["t1_kind"]), (p["t2"], p["t2_kind"])]
    for matrix, kind in matrices:
        m = np.array(matrix)
        assert kind in spec_level["kinds"]
        assert list(m[2]) == [0, 0, 1]
        assert np.abs(m[:2, 2]).max() <= spec_level["translation"]
        assert round(np.linalg.det(m[:2, :2])) != 0
        if kind == "rigid":
            assert _is_rotation_by_quarter_turns(m[:2, :2])
        else:
            assert np.abs(m[:2, :2]).max() <= spec_level["entry"]
            assert not _is_rotation_by_quarter_turns(m[:2, :2])
    if p["task"] == "compose":
        t1, t2 = np.array(p["t1"]), np.array(p["t2"])
        assert not np.array_equal(t2 @ t1, t1 @ t2)  # the order matters
        assert "Apply T1 first, then T2" in inst.question
    else:
        assert max(abs(v) for v in p["point"]) <= spec_level["coordinate"]
    if level in ("easy", "exam"):
        assert np.abs(np.array(inst.answer)).max() <= 60


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_reproducible(seed, level):
    assert make_instance(NAME, level, seed).to_dict() == make_instance(NAME, level, seed).to_dict()


def test_sampler_uses_only_the_given_rng():
    level = level_settings(NAME, "exam")
    first = [family.sample(random.Random(s), level) for s in range(5)]
    random.seed(1)
    assert [family.sample(random.Random(s), level) for s in range(5)] == first


def _slipped_skimage(p: dict, slip: str):
    """Each catalogued slip done independently with skimage transforms or numpy."""
    task = p["task"]
    if slip == "dof-without-translation":
        return None if task != "dof" else _dof_formula(p["transform"], p["dim"]) - p["dim"]
    if task == "apply" and slip in ("translation-forgotten", "matrix-transposed"):
        matrix = np.array(p["matrix"], dtype=float)
        if slip == "translation-forgotten":
            linear_only = AffineTransform(matrix=np.vstack([np.hstack([matrix[:2, :2], [[0], [0]]]), [0, 0, 1]]))
            return list(linear_only(np.array([p["point"]], dtype=float))[0])
        transposed = np.vstack([np.hstack([matrix[:2, :2].T, matrix[:2, 2:]]), [0, 0, 1]])
        return list(AffineTransform(matrix=transposed)(np.array([p["point"]], dtype=float))[0])
    if task == "compose" and slip in ("wrong-order", "translations-added"):
        first, second = _skimage(p["t1"], p["t1_kind"]), _skimage(p["t2"], p["t2_kind"])
        if slip == "wrong-order":
            return (second + first).params  # second applied first
        combined = (first + second).params.copy()
        combined[:2, 2] = first.translation + second.translation
        return combined
    return None


def test_slips_against_skimage(check_slips):
    check_slips(_instances(per_level=120), family.MISTAKES, _slipped_skimage)