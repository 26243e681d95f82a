"""decision-boundary: against scikit-learn's LogisticRegression with the weights set by hand
(predict, predict_proba, decision_function) and numpy's linear solver for the boundary."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from mli_drill.problems.families import decision_boundary as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "decision-boundary"
LEVELS = ("easy", "exam", "hard")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def fitted(weights: list[list[float]]) -> LogisticRegression:
    """A LogisticRegression whose coefficients are the question's weights (no fitting)."""
    model = LogisticRegression()
    w = np.array(weights, dtype=float)
    model.coef_, model.intercept_ = w[:, 1:], w[:, 0]
    model.classes_ = np.arange(max(2, len(weights)))
    return model


def boundary_points(weights: list[float]) -> list[float]:
    """Where the line meets each axis, by solving the 2x2 systems (line, axis) with numpy."""
    w0, w1, w2 = weights
    on_x1 = np.linalg.solve([[w1, w2], [0, 1]], [-w0, 0])
    on_x2 = np.linalg.solve([[w1, w2], [1, 0]], [-w0, 0])
    return [on_x1[0], on_x2[1]]


def reference(p: dict):
    ask, model = p["ask"], fitted(p["weights"])
    if ask == "intercepts":
        return boundary_points(p["weights"][0])
    if ask == "slope":
        a, b = boundary_points(p["weights"][0])
        return (b - 0) / (0 - a)  # rise over run between the two axis crossings
    point = np.array([p["point"]], dtype=float)
    if ask == "probability":
        return model.predict_proba(point)[0, 1]
    return int(model.predict(point)[0])


def instances(per_level: int = 100):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(FAMILY, level, seed)


def test_against_sklearn_and_numpy():
    asked = set()
    for inst in instances():
        p = inst.params
        asked.add((p["ask"], len(p["weights"])))
        expected = reference(p)
        if p["ask"] == "class":
            assert inst.answer == expected, p
            scores = fitted(p["weights"]).decision_function(np.array([p["point"]], dtype=float))
            assert np.ravel(scores).size == (1 if len(p["weights"]) == 1 else 3)
        else:
            assert np.allclose(inst.answer, expected, atol=1e-12), p
    assert asked == {("intercepts", 1), ("slope", 1), ("class", 1), ("class", 3), ("probability", 1)}


def test_hand_worked_examples():
    # -6 + 2·x1 + 3·x2 = 0 meets the axes at x1 = 3 and x2 = 2; slope -2/3
    assert solve({"weights": [[-6, 2, 3]], "ask": "intercepts"}).answer == [3, 2]
    assert solve({"weights": [[-6, 2, 3]], "ask": "slope"}).answer == pytest.approx(-2 / 3)
    # at (1, 1): z = -1, σ(-1) ≈ 0.2689, class 0
    assert solve({"weights": [[-6, 2, 3]], "ask": "probability", "point": [1, 1]}).answer == pytest.approx(
        expit(-1))
    assert solve({"weights": [[-6, 2, 3]], "ask": "class", "point": [1, 1]}).answer == 0
    # on the boundary σ = 0.5 ≥ 0.5: class 1 by the stated rule
    assert solve({"weights": [[-6, 2, 3]], "ask": "class", "point": [3, 0]}).answer == 1


def slipped(p: dict, slip: str):
    ask = p["ask"]
    w0, w1, w2 = p["weights"][0]
    if ask == "intercepts":
        a, b = boundary_points(p["weights"][0])
        return {"intercept-sign": [-a, -b], "intercepts-swapped": [b, a]}.get(slip)
    if ask == "slope":
        return {"slope-sign": w1 / w2, "slope-inverted": -w2 / w1}.get(slip)
    if ask == "probability":
        point = np.array([p["point"]], dtype=float)
        if slip == "forgot-bias":
            return fitted([[0, w1, w2]]).predict_proba(point)[0, 1]
        if slip == "logit-for-probability":
            return fitted(p["weights"]).decision_function(point)[0]
    return None


def test_slips_against_sklearn_and_numpy(check_slips):
    check_slips(instances(), fam.MISTAKES, slipped, distinct_from_answer=True)


@pytest.mark.parametrize(
    "params",
    [
        {"weights": [[1, 2]], "ask": "slope"},
        {"weights": [[1, 2, 0]], "ask": "slope"},
        {"weights": [[0, 2, 3]], "ask": "intercepts"},
        {"weights": [[1, 2, 3]], "ask": "class"},
        {"weights": [[1, 2, 3]], "ask": "slope", "point": [1, 1]},
        {"weights": [[1, 2, 3], [1, 2, 3]], "ask": "class", "point": [0, 0]},
        {"weights": [[1, 0, 0], [1, 0, 0], [0, 1, 1]], "ask": "class", "point": [0, 0]},
        {"weights": [[1, 2, 3], [0, 1, 1], [2, 0, 0]], "ask": "probability", "point": [0, 0]},
        {"weights": [[1, 2, True]], "ask": "slope"},
        {"weights": [[1, 2, 3]], "ask": "margin"},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"weights": [[1, 2, 3], [1, "2", 3], [0, 1, 1]], "ask": "class", "point": [0, 0]},
         "at $.weights[1][1]: expected a number, got '2'"),
        ({"weights": [[1, 2, 3]], "ask": "class", "point": [1]}, "at $.point: expected a list of 2, got 1 item(s)"),
        ({"weights": [[1, 2, 0]], "ask": "slope"}, "at $.weights: with w2 = 0 the boundary is vertical and has no slope"),
        ({"weights": [[1, 2, 3]], "ask": "slope", "point": [1, 1]},
         "at $.point: is only used when ask is class or probability, not 'slope'"),
        ({"weights": [[1, 2, 3]], "ask": "class"}, "at $.point: must be [x1, x2] when ask is 'class'"),
        ({"weights": [[1, 2, 3]], "ask": "margin"},
         "at $.ask: expected one of 'intercepts', 'slope', 'class', 'probability', got 'margin'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 2), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec = load_spec(FAMILY).levels[level]
    inst = make_instance(FAMILY, level, seed)
    p = inst.params
    low, high = spec["weight_range"]
    assert all(low <= w <= high and w != 0 for row in p["weights"] for w in row)
    assert p["ask"] in spec["asks"]
    if "point" in p:
        assert all(spec["point_range"][0] <= v <= spec["point_range"][1] for v in p["point"])
    assert make_instance(FAMILY, level, seed).to_dict() == inst.to_dict()
