"""Normalisation family: checked against numpy / scipy / scikit-learn (always) and
torch.nn.functional.batch_norm in training mode (when torch is installed)."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import zscore as scipy_zscore
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from mli_drill.families import normalisation as norm
from mli_drill.families.base import InvalidParams
from mli_drill.instance import make_instance
from mli_drill.problemspec import load_spec

FAMILY = "normalisation"
LEVELS = ("easy", "exam", "hard")


def numpy_output(params: dict) -> np.ndarray:
    """Whole output with numpy/scipy/sklearn; batchnorm with numpy's biased var (ddof=0)."""
    if params["method"] == "zscore":
        x = np.array(params["x"], dtype=float)
        out = scipy_zscore(x, ddof=0)
        assert np.allclose(out, StandardScaler().fit_transform(x[:, None])[:, 0])
        return out
    if params["method"] == "minmax":
        x = np.array(params["x"], dtype=float)
        return MinMaxScaler().fit_transform(x[:, None])[:, 0]
    X = np.array(params["x"], dtype=float)
    x_hat = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + params["eps"])
    return np.array(params["gamma"]) * x_hat + np.array(params["beta"])


def expected_answer(params: dict, output: np.ndarray):
    if params["ask"] == "value":
        if params["method"] == "batchnorm":
            n, c = params["index"]
            return output[n, c]
        return output[params["index"]]
    if params["method"] == "batchnorm" and output.shape[1] == 1:
        return output[:, 0]
    return output


def all_instances(per_level: int):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(FAMILY, level, seed)


def test_matches_numpy_scipy_sklearn_on_300_instances():
    seen = set()
    for inst in all_instances(100):
        expected = expected_answer(inst.params, numpy_output(inst.params))
        assert np.shape(inst.answer) == np.shape(expected)
        assert np.allclose(inst.answer, expected, atol=1e-9), inst.params
        seen.add((inst.params["method"], inst.params["ask"]))
    assert len(seen) == 6


def test_batchnorm_matches_torch_on_200_instances():
    torch = pytest.importorskip("torch")
    checked = 0
    for level in LEVELS:
        spec = dict(load_spec(FAMILY).levels[level], methods=["batchnorm"])
        for seed in range(70):
            params = norm.sample(random.Random(seed), spec)
            X = torch.tensor(params["x"], dtype=torch.float64)
            out = torch.nn.functional.batch_norm(
                X, running_mean=None, running_var=None,
                weight=torch.tensor(params["gamma"], dtype=torch.float64),
                bias=torch.tensor(params["beta"], dtype=torch.float64),
                # torch refuses eps = 0 in training mode; 1e-300 leaves sqrt(var + eps) unchanged in float64
                training=True, eps=params["eps"] or 1e-300,
            ).numpy()
            answer = norm.solve(params).answer
            assert np.allclose(answer, expected_answer(params, out), atol=1e-9), params
            checked += 1
    assert checked == 210


def test_hand_examples():
    z = norm.solve({"method": "zscore", "x": [2, 4, 4, 4, 5, 5, 7, 9], "ask": "output"})  # mean 5, std 2
    assert z.answer == pytest.approx([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2])
    assert z.kind == "vector"
    assert norm.solve({"method": "minmax", "x": [10, 4, 2, 6], "ask": "value", "index": 1}).answer == 0.25
    bn = {"method": "batchnorm", "x": [[0], [2], [8], [2]], "gamma": [2], "beta": [1], "eps": 0, "ask": "output"}
    # mean 3, biased variance 9: y = 2 (x - 3) / 3 + 1
    assert norm.solve(bn).answer == pytest.approx([-1, 1 / 3, 13 / 3, 1 / 3])
    with_eps = norm.solve(dict(bn, eps=7, ask="value", index=[2, 0]))  # sqrt(9 + 7) = 4
    assert with_eps.answer == pytest.approx(2 * 5 / 4 + 1)
    two = norm.solve({"method": "batchnorm", "x": [[1, 10], [3, 30]], "gamma": [1, 1], "beta": [0, 5],
                      "eps": 0, "ask": "output"})
    assert two.kind == "matrix" and np.allclose(two.answer, [[-1, 4], [1, 6]])


def test_questions_state_conventions():
    for inst in all_instances(15):
        q = inst.question
        if inst.params["method"] == "zscore":
            assert "population" in q and "not N - 1" in q
        elif inst.params["method"] == "batchnorm":
            assert "biased" in q and "eps =" in q and "gamma =" in q and "training mode" in q
        else:
            assert "(x - min) / (max - min)" in q
        json.dumps(inst.to_dict())
        assert norm.solve(json.loads(json.dumps(inst.params))).answer == inst.answer


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_are_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    spec = load_spec(FAMILY).levels[level]
    p = inst.params
    assert p["method"] in spec["methods"] and p["ask"] in spec["asks"]
    X = np.array(p["x"], dtype=float)
    columns = X[:, None] if X.ndim == 1 else X
    assert spec["n"][0] <= len(columns) <= spec["n"][1]
    assert spec["values"][0] <= X.min() and X.max() <= spec["values"][1]
    for col in columns.T:
        assert col.var() > 0, "never a zero-variance feature"
        if spec["nice"] in ("mean", "std") and p["method"] != "minmax":
            assert col.mean() == round(col.mean())
        if spec["nice"] == "std" and p["method"] != "minmax":
            assert np.sqrt(col.var()) == round(np.sqrt(col.var()))
    if p["method"] == "batchnorm":
        assert columns.shape[1] in spec["features"]
        assert p["eps"] in spec["eps"]
        assert all(g in spec["gammas"] for g in p["gamma"]) and all(b in spec["betas"] for b in p["beta"])
    else:
        assert p["gamma"] is None and p["beta"] is None and p["eps"] is None
    assert (p["index"] is None) == (p["ask"] == "output")
    if p["method"] == "minmax" and p["ask"] == "value":
        inner = [v for v in p["x"] if min(p["x"]) < v < max(p["x"])]
        assert not inner or min(p["x"]) < p["x"][p["index"]] < max(p["x"])
    assert np.allclose(inst.answer, expected_answer(p, numpy_output(p)), atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_sampler_is_deterministic(seed):
    level = load_spec(FAMILY).levels["easy"]
    assert norm.sample(random.Random(seed), level) == norm.sample(random.Random(seed), level)


BN = {"method": "batchnorm", "x": [[1], [3]], "gamma": [1], "beta": [0], "eps": 0, "ask": "output"}


@pytest.mark.parametrize(
    "params",
    [
        None,
        {"method": "layernorm", "x": [1, 2], "ask": "output"},
        {"method": "zscore", "x": [1, 2], "ask": "mean"},
        {"method": "zscore", "x": [3, 3, 3], "ask": "output"},
        {"method": "minmax", "x": [3, 3], "ask": "output"},
        {"method": "minmax", "x": [3], "ask": "output"},
        {"method": "minmax", "x": [1, "2"], "ask": "output"},
        {"method": "minmax", "x": [1, 2], "ask": "value"},
        {"method": "minmax", "x": [1, 2], "ask": "value", "index": 2},
        {"method": "minmax", "x": [1, 2], "ask": "output", "index": 0},
        {"method": "zscore", "x": [1, 2], "ask": "output", "eps": 0},
        dict(BN, x=[[1], [1]]),
        dict(BN, x=[[1, 2], [3]]),
        dict(BN, x=[1, 3]),
        dict(BN, gamma=[1, 1]),
        dict(BN, beta=None),
        dict(BN, eps=-1),
        dict(BN, ask="value", index=0),
        dict(BN, ask="value", index=[2, 0]),
    ],
)
def test_nonsense_params_raise_invalid_params(params):
    with pytest.raises(InvalidParams):
        norm.solve(params)


def test_constant_feature_is_fine_with_positive_eps():
    params = dict(BN, x=[[2], [2]], eps=1, beta=[0.5])
    assert norm.solve(params).answer == pytest.approx([0.5, 0.5])
