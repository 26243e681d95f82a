"""logistic-regression-step: reference answers against torch autograd, sklearn and finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss

from mli_drill.problems.families import logistic_regression_step as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "logistic-regression-step"
LEVELS = ("easy", "exam", "hard")
SEEDS = range(80)  # 240 instances


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def design(params: dict) -> np.ndarray:
    X = np.array(params["X"], dtype=float)
    return np.hstack([np.ones((X.shape[0], 1)), X])


def numpy_loss(params: dict, theta: np.ndarray) -> float:
    """Mean binary cross-entropy (natural log) written out in numpy."""
    h = 1 / (1 + np.exp(-design(params) @ theta))
    y = np.array(params["y"], dtype=float)
    return float(np.mean(-(y * np.log(h) + (1 - y) * np.log(1 - h))))


def sklearn_loss(params: dict, theta: np.ndarray) -> float:
    h = 1 / (1 + np.exp(-design(params) @ theta))
    return log_loss(params["y"], h, labels=[0, 1])  # sklearn: mean binary cross-entropy, natural log


def numpy_reference(params: dict) -> dict:
    """z, h from numpy; loss from sklearn; gradient by central finite differences of the numpy loss."""
    theta = np.array(params["theta"], dtype=float)
    z = design(params) @ theta
    h = 1 / (1 + np.exp(-z))
    eps = 1e-6
    grad = np.array(
        [
            (numpy_loss(params, theta + eps * e) - numpy_loss(params, theta - eps * e)) / (2 * eps)
            for e in np.eye(len(theta))
        ]
    )
    loss = sklearn_loss(params, theta)
    assert loss == pytest.approx(numpy_loss(params, theta), abs=1e-12)
    return {"z": z, "h": h, "loss": loss, "gradient": grad, "theta": theta - params["lr"] * grad}


def instances():
    for level in LEVELS:
        for seed in SEEDS:
            yield make_instance(FAMILY, level, seed)


def test_against_sklearn_and_finite_differences():
    asked = set()
    for inst in instances():
        p = inst.params
        asked.add(p["ask"])
        ref = numpy_reference(p)
        assert np.allclose(inst.answer, ref[p["ask"]], atol=1e-6), p
        full = fam.forward(inst.typed)
        for key in ("z", "h", "loss", "gradient", "theta"):
            assert np.allclose(full[key], ref[key], atol=1e-6), (key, p)
    assert asked == set(fam.ASKS)


def test_against_torch_autograd():
    torch = pytest.importorskip("torch")
    for inst in instances():
        p = inst.params
        X = torch.tensor(design(p))
        y = torch.tensor(p["y"], dtype=torch.float64)
        theta = torch.tensor(p["theta"], dtype=torch.float64, requires_grad=True)
        z = X @ theta
        h = torch.sigmoid(z)
        loss = torch.nn.functional.binary_cross_entropy(h, y)  # mean reduction
        loss.backward()
        with torch.no_grad():
            new_theta = theta - p["lr"] * theta.grad
        ref = {"z": z, "h": h, "loss": loss, "gradient": theta.grad, "theta": new_theta}
        expected = ref[p["ask"]].detach().numpy()
        assert np.allclose(inst.answer, expected, atol=1e-9), p


def test_zero_theta_hand_example():
    # h = 0.5 everywhere; h - y = [0.5, -0.5]; gradient = [0, (1*0.5 + 2*(-0.5))/2] = [0, -0.25]
    params = {"X": [[1], [2]], "y": [0, 1], "theta": [0, 0], "lr": 0.5}
    assert solve({**params, "ask": "gradient"}).answer == pytest.approx([0.0, -0.25])
    assert solve({**params, "ask": "theta"}).answer == pytest.approx([0.0, 0.125])
    loss = solve({**params, "ask": "loss"})
    assert loss.answer == pytest.approx(math.log(2)) and loss.kind == "real" and "ln 2" in loss.display
    assert solve({**params, "ask": "h"}).answer == pytest.approx([0.5, 0.5])


def test_nonzero_theta_hand_example():
    # z = [1 + 1*1, 1 + 1*(-1)] = [2, 0]; h = [sigmoid(2), 0.5]
    params = {"X": [[1], [-1]], "y": [1, 0], "theta": [1, 1], "lr": 1, "ask": "loss"}
    s2 = 1 / (1 + math.exp(-2))
    assert solve({**params, "ask": "z"}).answer == pytest.approx([2, 0])
    assert solve(params).answer == pytest.approx((-math.log(s2) - math.log(0.5)) / 2)
    grad = [((s2 - 1) + 0.5) / 2, ((s2 - 1) - 0.5) / 2]
    assert solve({**params, "ask": "gradient"}).answer == pytest.approx(grad)
    assert solve({**params, "ask": "theta"}).answer == pytest.approx([1 - grad[0], 1 - grad[1]])


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"X": [[1], [2]], "y": [0, 1], "theta": [0], "lr": 0.1, "ask": "theta"},  # theta misses the bias
        {"X": [[1], [2]], "y": [0, 2], "theta": [0, 0], "lr": 0.1, "ask": "theta"},
        {"X": [[1], [2]], "y": [0], "theta": [0, 0], "lr": 0.1, "ask": "theta"},
        {"X": [[1], [2, 3]], "y": [0, 1], "theta": [0, 0], "lr": 0.1, "ask": "theta"},
        {"X": [[1], [2]], "y": [0, 1], "theta": [0, 0], "lr": 0, "ask": "theta"},
        {"X": [[1], [2]], "y": [0, 1], "theta": [0, 0], "lr": 0.1, "ask": "accuracy"},
        {"X": [[100], [2]], "y": [0, 1], "theta": [0, 1], "lr": 0.1, "ask": "loss"},  # saturated sigmoid
        {"X": [["a"], [2]], "y": [0, 1], "theta": [0, 0], "lr": 0.1, "ask": "loss"},
    ],
)
def test_invalid_params(bad):
    with pytest.raises(InvalidParams):
        solve(bad)


GOOD = {"X": [[1], [2]], "y": [0, 1], "theta": [0, 0], "lr": 0.1, "ask": "theta"}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"X": [[1], [True]]}, "at $.X[1][0]: expected a number, got True"),
        ({"y": [0, 2]}, "at $.y: must hold one label 0 or 1 per row of X"),
        ({"theta": [0]}, "at $.theta: must hold d + 1 = 2 numbers (bias first)"),
        ({"lr": 0}, "at $.lr: must be a positive number"),
        ({"X": [[100], [2]], "theta": [0, 1]}, "at $.X: |z| > 30: sigmoid saturates and the loss is not meaningful by hand"),
    ],
)
def test_invalid_params_name_the_path(change, message):
    with pytest.raises(InvalidParams) as caught:
        solve({**GOOD, **change})
    assert str(caught.value) == message


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    p = inst.params
    spec_level = load_spec(FAMILY).levels[level]
    assert spec_level["samples"][0] <= len(p["X"]) <= spec_level["samples"][1]
    assert set(p["y"]) == {0, 1}
    assert len(p["theta"]) == len(p["X"][0]) + 1
    out = fam.forward(inst.typed)
    assert max(abs(v) for v in out["z"]) <= spec_level["max_abs_z"]
    assert all(abs(g) > 1e-9 for g in out["gradient"])
    zero_theta = all(t == 0 for t in p["theta"])
    if zero_theta:
        assert p["ask"] not in ("z", "h")
        if not spec_level.get("zero_theta_loss"):
            assert p["ask"] != "loss"
    assert inst.solution.kind == ("real" if p["ask"] == "loss" else "vector")
    assert "column of ones" in inst.question


def torch_slipped(p: dict, slip: str):
    """Each catalogued slip done independently in torch: the wrong model, reduction or sign."""
    torch = pytest.importorskip("torch")
    X = torch.tensor(np.array(p["X"], dtype=float))
    y = torch.tensor(p["y"], dtype=torch.float64)
    theta = torch.tensor(p["theta"], dtype=torch.float64, requires_grad=True)
    shift = torch.zeros((), dtype=torch.float64, requires_grad=True)  # a bias at 0: d/dshift = mean residual
    bias = shift if slip == "no-bias" else theta[0]
    z = X @ theta[1:] + bias
    h = torch.sigmoid(z)
    reduction = "sum" if slip == "not-averaged" else "mean"
    loss = torch.nn.functional.binary_cross_entropy(h, y, reduction=reduction)
    loss.backward()
    gradient = theta.grad.clone()
    if slip == "no-bias":
        gradient[0] = shift.grad
    if slip == "sign-flipped":
        gradient = -gradient
    with torch.no_grad():
        new_theta = theta - p["lr"] * gradient
    return {"z": z, "h": h, "loss": loss, "gradient": gradient, "theta": new_theta}[p["ask"]].detach().numpy()


def test_slips_against_torch():
    pytest.importorskip("torch")
    seen = set()
    for inst in instances():
        p = inst.params
        for mistake in fam.MISTAKES:
            value = mistake.answer(inst.typed)
            if value is None:
                continue
            seen.add(mistake.id)
            assert np.allclose(value, torch_slipped(p, mistake.id), atol=1e-9), (mistake.id, p)
    assert seen == {m.id for m in fam.MISTAKES}


def test_no_slip_is_accepted_as_the_answer_unless_it_is_the_answer():
    """With a learning rate of 0.05, theta computed without the bias landed within the tolerance of the
    right theta (about 1 hard instance in 20): such a slip would be marked correct."""
    from mli_drill.problems.answers import matches

    for level in LEVELS:
        for seed in range(200):
            inst = make_instance(FAMILY, level, seed)
            for mistake in fam.MISTAKES:
                value = mistake.answer(inst.typed)
                if value is None or np.allclose(value, inst.answer, rtol=1e-9, atol=1e-12):
                    continue  # the slip changes nothing here: nothing to tell apart
                assert not matches(value, inst.answer, inst.answer_spec), (mistake.id, level, seed, inst.params)
