"""fgsm: gradient signs against torch autograd and finite differences, x_adv by numpy, invariants, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.families import fgsm as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "fgsm"
LEVELS = ("easy", "exam", "hard")
SEEDS = range(80)  # 240 instances


def typed(params: dict) -> fam.Params:
    """JSON params through the converter, as ``problems check --params`` gives them."""
    return typed_params(FAMILY, params)


def solve(params: dict):
    return fam.solve(typed(params))


def loss_value(params: dict, x: np.ndarray) -> float:
    """Independent loss from its definition (no derivative formulas)."""
    s = float(np.dot(params["w"], x) + params["b"])
    y = params["y"]
    if params["loss"] == "negative-score":
        return -y * s
    if params["loss"] == "logistic":
        p = 1 / (1 + math.exp(-s))
        return -(y * math.log(p) + (1 - y) * math.log(1 - p))
    return (s - y) ** 2


def finite_difference_gradient(params: dict, h: float = 1e-6) -> np.ndarray:
    x = np.array(params["x"], dtype=float)
    return np.array([(loss_value(params, x + h * e) - loss_value(params, x - h * e)) / (2 * h) for e in np.eye(len(x))])


def numpy_adv(params: dict, signs: np.ndarray) -> np.ndarray:
    adv = np.array(params["x"], dtype=float) + params["eps"] * signs
    if params.get("clip"):
        adv = np.clip(adv, *params["clip"])
    return adv


def instances():
    for level in LEVELS:
        for seed in SEEDS:
            yield make_instance(FAMILY, level, seed)


def check_answer(inst, adv: np.ndarray) -> None:
    p = inst.params
    if p["ask"] == "coordinate":
        assert inst.answer == pytest.approx(adv[p["index"]], abs=1e-9)
    else:
        assert np.allclose(inst.answer, adv, atol=1e-9)


def test_against_finite_differences():
    losses = set()
    for inst in instances():
        p = inst.params
        losses.add(p["loss"])
        fd = finite_difference_gradient(p)
        assert np.all(np.abs(fd) > 1e-4), "gradient component too close to zero for a reliable sign"
        signs = np.sign(fd)
        grad, fam_signs, _ = fam.attack(inst.typed)
        assert np.allclose(grad, fd, rtol=1e-4, atol=1e-6)
        assert list(signs) == fam_signs
        check_answer(inst, numpy_adv(p, signs))
    assert losses == set(fam.LOSSES)


def test_against_torch_autograd():
    torch = pytest.importorskip("torch")
    for inst in instances():
        p = inst.params
        x = torch.tensor(p["x"], dtype=torch.float64, requires_grad=True)
        s = torch.dot(torch.tensor(p["w"], dtype=torch.float64), x) + p["b"]
        if p["loss"] == "negative-score":
            loss = -p["y"] * s
        elif p["loss"] == "logistic":
            loss = torch.nn.functional.binary_cross_entropy_with_logits(s, torch.tensor(float(p["y"]), dtype=torch.float64))
        else:
            loss = (s - p["y"]) ** 2
        loss.backward()
        signs = torch.sign(x.grad).numpy()
        assert np.all(signs != 0)
        check_answer(inst, numpy_adv(p, signs))


def test_hand_worked_examples():
    # negative-score with y = +1: grad = -w, so x moves against sign(w)
    params = {"w": [2, -1, 3], "b": 0, "x": [0.5, 0.5, 0.5], "y": 1, "loss": "negative-score", "eps": 0.1,
              "clip": None, "ask": "vector"}
    assert solve(params).answer == pytest.approx([0.4, 0.6, 0.4])
    assert solve({**params, "y": -1}).answer == pytest.approx([0.6, 0.4, 0.6])
    # logistic with y = 0: sigmoid(s) - 0 > 0, so x moves with sign(w)
    logistic = {**params, "loss": "logistic", "y": 0}
    assert solve(logistic).answer == pytest.approx([0.6, 0.4, 0.6])
    # squared: s = 1 - 0.5 + 1.5 = 2 > y = 3? no: s - y = -1 < 0, so x moves against sign(w)
    squared = {**params, "loss": "squared", "y": 3}
    assert solve(squared).answer == pytest.approx([0.4, 0.6, 0.4])
    # clipping and one coordinate
    clipped = {**params, "x": [0.05, 0.95, 0.5], "y": -1, "clip": [0, 1], "ask": "coordinate", "index": 1}
    assert solve(clipped).answer == pytest.approx(0.85)
    edge = {**clipped, "x": [0.95, 0.05, 0.5], "index": 0}
    assert solve(edge).answer == pytest.approx(1.0)


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"w": [1, 0], "b": 0, "x": [0.5, 0.5], "y": 1, "loss": "negative-score", "eps": 0.1, "ask": "vector"},
        {"w": [1, 2], "b": 0, "x": [0.5], "y": 1, "loss": "negative-score", "eps": 0.1, "ask": "vector"},
        {"w": [1, 2], "b": 0, "x": [0.5, 0.5], "y": 0, "loss": "negative-score", "eps": 0.1, "ask": "vector"},
        {"w": [1, 2], "b": 0, "x": [0.5, 0.5], "y": -1, "loss": "logistic", "eps": 0.1, "ask": "vector"},
        {"w": [1, 2], "b": 0, "x": [0.5, 0.5], "y": 1.5, "loss": "squared", "eps": 0.1, "ask": "vector"},  # s = y
        {"w": [1, 2], "b": 0, "x": [0.5, 0.5], "y": 1, "loss": "hinge", "eps": 0.1, "ask": "vector"},
        {"w": [1, 2], "b": 0, "x": [0.5, 0.5], "y": 1, "loss": "negative-score", "eps": 0, "ask": "vector"},
        {"w": [1, 2], "b": 0, "x": [0.5, 0.5], "y": 1, "loss": "negative-score", "eps": 0.1, "clip": [1, 0],
         "ask": "vector"},
        {"w": [1, 2], "b": 0, "x": [0.5, 0.5], "y": 1, "loss": "negative-score", "eps": 0.1, "ask": "coordinate",
         "index": 2},
    ],
)
def test_invalid_params(bad):
    with pytest.raises(InvalidParams):
        solve(bad)


GOOD = {"w": [2, -1, 3], "b": 0, "x": [0.5, 0.5, 0.5], "y": 1, "loss": "negative-score", "eps": 0.1, "clip": None,
        "ask": "vector"}


@pytest.mark.parametrize(
    "params, message",
    [
        ({**GOOD, "x": [0.5, "0.5", 0.5]}, "at $.x[1]: expected a number, got '0.5'"),
        ({**GOOD, "clip": [0, 1, 2]}, "at $.clip: expected a list of 2, got 3 item(s)"),
        ({**GOOD, "w": [2, 0, 3]}, "at $.w: a zero weight gives a zero gradient component: sign(0) is ambiguous"),
        ({**GOOD, "eps": -0.1}, "at $.eps: must be a positive number"),
        ({**GOOD, "ask": "coordinate", "index": 3}, "at $.index: must be a 0-based coordinate below 3"),
        ({**GOOD, "index": 0}, "at $.index: is only used when ask is 'coordinate'"),
        ({**GOOD, "y": 0}, "at $.y: the negative-score loss needs a label y in {-1, +1}"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_float_label_reads_as_the_integer_label():
    """y = 1.0 (JSON has no separate integer type for a hand-written label) words the question as y = +1."""
    fields = fam.question_fields(typed({**GOOD, "y": 1.0}))
    assert "y = +1" in fields["loss_text"]


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    p = inst.params
    spec_level = load_spec(FAMILY).levels[level]
    assert spec_level["dims"][0] <= len(p["w"]) <= spec_level["dims"][1]
    assert all(v != 0 for v in p["w"])
    assert p["loss"] in spec_level["losses"]
    grad, signs, _ = fam.attack(inst.typed)
    assert all(s != 0 for s in signs)
    assert abs(fam.score(inst.typed)) <= 4
    if p["loss"] == "squared":
        assert abs(fam.score(inst.typed) - p["y"]) >= 0.25
    if level != "hard":
        assert p["clip"] is None and "no clipping" in inst.question
    assert inst.solution.kind == ("real" if p["ask"] == "coordinate" else "vector")


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in fam.MISTAKES}


def asked(params: dict, adv: np.ndarray):
    return float(adv[params["index"]]) if params["ask"] == "coordinate" else adv


def test_slips_against_autograd_steps():
    """Each slip is the FGSM step with one thing changed, from torch's input gradient:
    minus eps·sign(grad), plus eps·grad itself, or the step without clipping (where that changes the answer)."""
    torch = pytest.importorskip("torch")
    applied = dict.fromkeys(SLIPS, 0)
    for inst in instances():
        p = inst.params
        x = torch.tensor(p["x"], dtype=torch.float64, requires_grad=True)
        s = torch.dot(torch.tensor(p["w"], dtype=torch.float64), x) + p["b"]
        if p["loss"] == "negative-score":
            loss = -p["y"] * s
        elif p["loss"] == "logistic":
            loss = torch.nn.functional.binary_cross_entropy_with_logits(s, torch.tensor(float(p["y"]), dtype=torch.float64))
        else:
            loss = (s - p["y"]) ** 2
        loss.backward()
        grad = x.grad.numpy()
        unclipped = asked(p, numpy_adv({**p, "clip": None}, np.sign(grad)))
        changed = p["clip"] and not np.array_equal(unclipped, asked(p, numpy_adv(p, np.sign(grad))))
        expected = {
            "step-against-gradient": asked(p, numpy_adv(p, -np.sign(grad))),
            "gradient-not-sign": asked(p, numpy_adv(p, grad)),
            "clip-forgotten": unclipped if changed else None,  # only where the clipping changes what is asked
        }
        for mistake_id, value in expected.items():
            got = SLIPS[mistake_id].answer(inst.typed)
            if value is None:
                assert got is None
            else:
                assert np.allclose(got, value, atol=1e-9), (mistake_id, p)
                applied[mistake_id] += 1
    assert min(applied.values()) > 10, applied


def test_slips_hand_example():
    # L = -y s with y = +1: grad = -w = [-2, 1, -3]; x = 0.5 each, eps 0.1
    params = {"w": [2, -1, 3], "b": 0, "x": [0.5, 0.5, 0.5], "y": 1, "loss": "negative-score", "eps": 0.1,
              "clip": None, "ask": "vector"}
    assert SLIPS["step-against-gradient"].answer(typed(params)) == pytest.approx([0.6, 0.4, 0.6])
    assert SLIPS["gradient-not-sign"].answer(typed(params)) == pytest.approx([0.3, 0.6, 0.2])
    assert SLIPS["clip-forgotten"].answer(typed(params)) is None
    clipped = {**params, "x": [0.95, 0.05, 0.5], "y": -1, "clip": [0, 1], "ask": "coordinate", "index": 0}
    assert solve(clipped).answer == pytest.approx(1.0)
    assert SLIPS["clip-forgotten"].answer(typed(clipped)) == pytest.approx(1.05)
    assert "clipped to [0, 1]" in SLIPS["clip-forgotten"].message(typed(clipped))
    assert "0.1·[-1, 1, -1]" in SLIPS["step-against-gradient"].message(typed(params))


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_sign_slips_always_differ_from_the_answer(seed, level):
    inst = make_instance(FAMILY, level, seed)
    for mistake_id in ("step-against-gradient", "gradient-not-sign"):
        value = SLIPS[mistake_id].answer(inst.typed)
        assert not np.allclose(value, inst.answer, rtol=0.01, atol=0.001), (mistake_id, inst.params)
