"""Softmax/cross-entropy family: checked against scipy.special.softmax with a finite-difference
gradient (always runs) and torch autograd (when torch is installed)."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax as scipy_softmax

from mli_drill.problems.families import softmax_cross_entropy as sce
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "softmax-cross-entropy"
LEVELS = ("easy", "exam", "hard")


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return sce.solve(typed_params(FAMILY, params))


def numpy_loss(z: np.ndarray, targets: np.ndarray) -> float:
    p = scipy_softmax(z, axis=1)
    return float(-np.mean(np.log(p[np.arange(len(targets)), targets])))


def finite_difference_gradient(z: np.ndarray, targets: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (numpy_loss(up, targets) - numpy_loss(down, targets)) / (2 * h)
    return grad


def reference(params: dict):
    z = np.array(params["logits"], dtype=float)
    t = np.array(params["targets"])
    if params["ask"] == "probability":
        return scipy_softmax(z, axis=1)[params["sample_index"], params["class_index"]]
    if params["ask"] == "loss":
        return numpy_loss(z, t)
    grad = finite_difference_gradient(z, t)
    return grad[0] if len(z) == 1 else grad


def all_instances(per_level: int):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(FAMILY, level, seed)


def test_matches_scipy_and_finite_differences_on_300_instances():
    asks = set()
    for inst in all_instances(100):
        expected = reference(inst.params)
        assert np.allclose(inst.answer, expected, atol=1e-7), inst.params
        assert np.shape(inst.answer) == np.shape(expected)
        asks.add(inst.params["ask"])
    assert asks == set(sce.ASKS)


def test_matches_torch_autograd_on_300_instances():
    torch = pytest.importorskip("torch")
    for inst in all_instances(100):
        p = inst.params
        z = torch.tensor(p["logits"], dtype=torch.float64, requires_grad=True)
        t = torch.tensor(p["targets"])
        loss = torch.nn.functional.cross_entropy(z, t)  # mean over the batch, natural log
        loss.backward()
        if p["ask"] == "probability":
            expected = torch.softmax(z, dim=1)[p["sample_index"], p["class_index"]].item()
        elif p["ask"] == "loss":
            expected = loss.item()
        else:
            grad = z.grad.numpy()
            expected = grad[0] if len(p["logits"]) == 1 else grad
        assert np.allclose(inst.answer, expected, atol=1e-9), p


def test_conventions_worked_example():
    """Logits [2, 1, 0.1], class 0: softmax [0.6590, 0.2424, 0.0986], CE 0.4170, grad [-0.3410, 0.2424, 0.0986]."""
    base = {"logits": [[2, 1, 0.1]], "targets": [0]}
    probs = [solve(dict(base, ask="probability", sample_index=0, class_index=k)).answer for k in range(3)]
    assert probs == pytest.approx([0.6590, 0.2424, 0.0986], abs=5e-5)
    assert solve(dict(base, ask="loss")).answer == pytest.approx(0.4170, abs=5e-5)
    grad = solve(dict(base, ask="gradient"))
    assert grad.kind == "vector"
    assert grad.answer == pytest.approx([-0.3410, 0.2424, 0.0986], abs=5e-5)


def test_batch_of_two_averages_loss_and_halves_gradient():
    params = {"logits": [[2, 1, 0.1], [2, 1, 0.1]], "targets": [0, 0], "ask": "loss"}
    assert solve(params).answer == pytest.approx(0.4170, abs=5e-5)  # mean of two equal losses
    grad = solve(dict(params, ask="gradient"))
    assert grad.kind == "matrix"
    assert np.allclose(grad.answer, [[-0.1705, 0.1212, 0.0493]] * 2, atol=5e-5)


def test_equal_logits_give_uniform_probabilities():
    params = {"logits": [[1, 1, 1, 1]], "targets": [2], "ask": "loss"}
    assert solve(params).answer == pytest.approx(np.log(4))
    big = {"logits": [[1000, 0]], "targets": [1], "ask": "loss"}  # stable: no overflow
    assert solve(big).answer == pytest.approx(1000)


def test_solutions_are_json_and_kinds_right():
    for inst in all_instances(10):
        params = json.loads(json.dumps(inst.params))
        solution = solve(params)
        assert solution.answer == inst.answer
        json.dumps(solution.to_dict())
        if params["ask"] == "gradient":
            assert solution.kind == ("vector" if len(params["logits"]) == 1 else "matrix")
        else:
            assert solution.kind == "real"
        if params["ask"] != "probability":
            assert "natural log" in inst.question and "averaged" in inst.question


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_are_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    spec = load_spec(FAMILY).levels[level]
    p = inst.params
    z = np.array(p["logits"], dtype=float)
    assert z.shape[0] in spec["batch"] and z.shape[1] in spec["classes"]
    assert spec["logits"][0] <= z.min() and z.max() <= spec["logits"][1]
    assert np.allclose(z * 10, np.round(z * 10)), "at most one decimal"
    if 0 in spec["decimals"] and 1 not in spec["decimals"]:
        assert all(isinstance(v, int) for row in p["logits"] for v in row)
    assert all(len(set(row)) > 1 for row in p["logits"])
    assert all(0 <= t < z.shape[1] for t in p["targets"])
    if p["ask"] == "probability":
        assert 0 <= p["sample_index"] < z.shape[0] and 0 <= p["class_index"] < z.shape[1]
    else:
        assert p["sample_index"] is None and p["class_index"] is None
    assert np.allclose(inst.answer, reference(p), atol=1e-7)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_sampler_is_deterministic(seed):
    level = level_settings(FAMILY, "exam")
    assert sce.sample(random.Random(seed), level) == sce.sample(random.Random(seed), level)


GOOD = {"logits": [[2, 1, 0.1]], "targets": [0], "ask": "loss"}


@pytest.mark.parametrize(
    "change",
    [
        {"logits": [2, 1, 0.1]},
        {"logits": []},
        {"logits": [[2]]},
        {"logits": [[2, 1, 0.1], [1, 2]], "targets": [0, 0]},
        {"logits": [[2, "a", 0.1]]},
        {"logits": [[2, float("inf"), 0.1]]},
        {"targets": [3]},
        {"targets": [0, 1]},
        {"targets": [True]},
        {"targets": 0},
        {"ask": "accuracy"},
        {"ask": "probability"},
        {"ask": "probability", "sample_index": 1, "class_index": 0},
        {"ask": "probability", "sample_index": 0, "class_index": 3},
        {"sample_index": 0},
    ],
)
def test_nonsense_params_raise_invalid_params(change):
    with pytest.raises(InvalidParams):
        solve(dict(GOOD, **change))


def test_non_mapping_params_raise_invalid_params():
    with pytest.raises(InvalidParams):
        solve([[2, 1]])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"logits": [[2, 1, 0.1], [1, "2", 0]], "targets": [0, 0]}, "at $.logits[1][1]: expected a number, got '2'"),
        ({"targets": [3]}, "at $.targets[0]: must be an integer from 0 to 2, got 3"),
        ({"logits": [[2, float("inf"), 0.1]]}, "at $.logits[0][1]: must be a finite number, got inf"),
        ({"ask": "probability", "sample_index": 0, "class_index": 3}, "at $.class_index: must be an integer from 0 to 2, got 3"),
        ({"sample_index": 0}, "at $.sample_index: is only used when ask is 'probability'"),
        ({"ask": "accuracy"}, "at $.ask: expected one of 'probability', 'loss', 'gradient', got 'accuracy'"),
    ],
)
def test_invalid_params_name_the_path(change, message):
    with pytest.raises(InvalidParams) as caught:
        solve(dict(GOOD, **change))
    assert str(caught.value) == message


def slipped_reference(params: dict, slip: str):
    """Each catalogued slip computed independently with torch (reduction and sign done wrong)."""
    torch = pytest.importorskip("torch")
    z = torch.tensor(params["logits"], dtype=torch.float64, requires_grad=True)
    t = torch.tensor(params["targets"])
    n, ask = len(params["targets"]), params["ask"]
    if slip == "log10-loss":
        return None if ask != "loss" else torch.nn.functional.cross_entropy(z, t).item() / np.log(10)
    if slip == "not-averaged":
        if n == 1 or ask == "probability":
            return None
        summed = torch.nn.functional.cross_entropy(z, t, reduction="sum")
        if ask == "loss":
            return summed.item()
        summed.backward()
        return z.grad.numpy()
    if ask != "gradient":
        return None
    if slip == "gradient-sign-flipped":
        torch.nn.functional.cross_entropy(z, t).backward()
        return -z.grad.numpy()
    return (torch.softmax(z, dim=1) / n).detach().numpy()  # gradient-without-target


def test_slips_match_torch_on_300_instances():
    pytest.importorskip("torch")
    for instance in all_instances(100):
        params = instance.params
        for mistake in sce.MISTAKES:
            value, expected = mistake.answer(instance.typed), slipped_reference(params, mistake.id)
            if expected is None:
                assert value is None, (mistake.id, params)
                continue
            expected_shaped = np.asarray(expected).reshape(np.shape(value))
            assert np.allclose(value, expected_shaped, atol=1e-9), (mistake.id, params, value, expected)
