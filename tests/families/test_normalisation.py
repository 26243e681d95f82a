"""Normalisation family: checked against numpy / scipy / scikit-learn (always) and
torch.nn.functional.batch_norm in training mode (when torch is installed)."""

from __future__ import annotations

import dataclasses
import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import zscore as scipy_zscore
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from mli_drill.problems.families import normalisation as norm
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.convert import dump
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "normalisation"
LEVELS = ("easy", "exam", "hard")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return norm.solve(typed_params(FAMILY, params))


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
        spec = dataclasses.replace(level_settings(FAMILY, level), methods=("batchnorm",))
        for seed in range(70):
            typed = norm.sample(random.Random(seed), spec)
            params = dump(typed)
            X = torch.tensor(params["x"], dtype=torch.float64)
            out = torch.nn.functional.batch_norm(
                X, running_mean=None, running_var=None,
                weight=torch.tensor(params["gamma"], dtype=torch.float64),
                bias=torch.tensor(params["beta"], dtype=torch.float64),
                # torch refuses eps = 0 in training mode; 1e-300 leaves sqrt(var + eps) unchanged in float64
                training=True, eps=params["eps"] or 1e-300,
            ).numpy()
            answer = norm.solve(typed).answer
            assert np.allclose(answer, expected_answer(params, out), atol=1e-9), params
            checked += 1
    assert checked == 210


def test_hand_examples():
    z = solve({"method": "zscore", "x": [2, 4, 4, 4, 5, 5, 7, 9], "ask": "output"})  # mean 5, std 2
    assert z.answer == pytest.approx([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2])
    assert z.kind == "vector"
    assert solve({"method": "minmax", "x": [10, 4, 2, 6], "ask": "value", "index": 1}).answer == 0.25
    bn = {"method": "batchnorm", "x": [[0], [2], [8], [2]], "gamma": [2], "beta": [1], "eps": 0, "ask": "output"}
    # mean 3, biased variance 9: y = 2 (x - 3) / 3 + 1
    assert solve(bn).answer == pytest.approx([-1, 1 / 3, 13 / 3, 1 / 3])
    with_eps = solve(dict(bn, eps=7, ask="value", index=[2, 0]))  # sqrt(9 + 7) = 4
    assert with_eps.answer == pytest.approx(2 * 5 / 4 + 1)
    two = solve({"method": "batchnorm", "x": [[1, 10], [3, 30]], "gamma": [1, 1], "beta": [0, 5],
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
        assert solve(json.loads(json.dumps(inst.params))).answer == inst.answer


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
    level = level_settings(FAMILY, "easy")
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
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(BN, x=[[1, 2], [3, 4]], gamma=[1, "2"], beta=[0, 0]), "at $.gamma[1]: expected a number, got '2'"),
        (dict(BN, eps=-1), "at $.eps: batchnorm needs a finite eps >= 0, got -1"),
        (dict(BN, ask="value", index=[2, 0]), "at $.index: the sample must be from 0 to 1, got 2"),
        ({"method": "minmax", "x": [1, 2], "ask": "value", "index": 2}, "at $.index: must be an integer from 0 to 1, got 2"),
        ({"method": "zscore", "x": [3, 3, 3], "ask": "output"}, "at $.x: all values are equal: the std (or max - min) is 0"),
        ({"method": "zscore", "x": [1, 2], "ask": "output", "eps": 0}, "at $.eps: is only used by batchnorm"),
        ({"method": "layernorm", "x": [1, 2], "ask": "output"}, "at $.method: expected one of 'zscore', 'minmax', 'batchnorm', got 'layernorm'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_constant_feature_is_fine_with_positive_eps():
    params = dict(BN, x=[[2], [2]], eps=1, beta=[0.5])
    assert solve(params).answer == pytest.approx([0.5, 0.5])


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in norm.MISTAKES}


def numpy_slips(params: dict) -> dict[str, np.ndarray | None]:
    """Each slip's whole output with numpy/scipy (torch for the wrong axis, below)."""
    method = params["method"]
    if method != "batchnorm":
        x = np.array(params["x"], dtype=float)
        if method == "minmax":
            applies = x.min() != 0 and x.max() > 0
            return {"divided-by-max": x / x.max() if applies else None}
        return {"unbiased-variance": scipy_zscore(x, ddof=1), "variance-not-std": (x - x.mean()) / x.var()}
    X = np.array(params["x"], dtype=float)
    gamma, beta, eps = np.array(params["gamma"]), np.array(params["beta"]), params["eps"]
    centred = X - X.mean(axis=0)
    return {
        "unbiased-variance": gamma * centred / np.sqrt(X.var(axis=0, ddof=1) + eps) + beta,
        "variance-not-std": gamma * centred / (X.var(axis=0) + eps) + beta,
        "scale-shift-forgotten": centred / np.sqrt(X.var(axis=0) + eps),
    }


def test_slips_against_numpy_and_scipy():
    applied: dict[str, int] = {}
    for inst in all_instances(100):
        p = inst.params
        for mistake_id, output in numpy_slips(p).items():
            got = SLIPS[mistake_id].answer(inst.typed)
            if mistake_id == "scale-shift-forgotten" and got is None:
                features = [p["index"][1]] if p["ask"] == "value" else range(len(p["gamma"]))
                assert all(p["gamma"][c] == 1 and p["beta"][c] == 0 for c in features)
                continue
            if output is None:
                assert got is None
                continue
            assert np.allclose(got, expected_answer(p, output), atol=1e-9), (mistake_id, p)
            applied[mistake_id] = applied.get(mistake_id, 0) + 1
        for mistake_id in set(SLIPS) - set(numpy_slips(p)) - {"wrong-axis"}:
            assert SLIPS[mistake_id].answer(inst.typed) is None, (mistake_id, p)
    assert len(applied) == 4 and min(applied.values()) > 20, applied


def test_wrong_axis_is_torch_layer_norm():
    """Normalising each sample over its features is layer norm (then gamma and beta per feature)."""
    torch = pytest.importorskip("torch")
    seen = 0
    for inst in all_instances(100):
        p = inst.params
        got = SLIPS["wrong-axis"].answer(inst.typed)
        if p["method"] != "batchnorm" or len(p["x"][0]) == 1:
            assert got is None
            continue
        X = torch.tensor(p["x"], dtype=torch.float64)
        if p["eps"] == 0 and bool((X.var(dim=1) == 0).any()):
            assert got is None  # a sample whose features are all equal divides by zero
            continue
        out = torch.nn.functional.layer_norm(X, (X.shape[1],), eps=p["eps"]).numpy()
        out = np.array(p["gamma"]) * out + np.array(p["beta"])
        assert np.allclose(got, expected_answer(p, out), atol=1e-6), p
        seen += 1
    assert seen > 30


def test_slips_hand_example():
    # x = [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, population variance 4 (std 2), sum of squares 32
    json_params = {"method": "zscore", "x": [2, 4, 4, 4, 5, 5, 7, 9], "ask": "value", "index": 7,
                   "gamma": None, "beta": None, "eps": None}
    params = typed_params(FAMILY, json_params)
    assert norm.solve(params).answer == pytest.approx(2)
    assert SLIPS["unbiased-variance"].answer(params) == pytest.approx(4 / np.sqrt(32 / 7))
    assert SLIPS["variance-not-std"].answer(params) == pytest.approx(1)
    assert "32 / 8 = 4, not 32 / 7" in SLIPS["unbiased-variance"].message(params)
    minmax = typed_params(FAMILY, {**json_params, "method": "minmax", "index": 4})
    assert SLIPS["divided-by-max"].answer(minmax) == pytest.approx(5 / 9)
    assert SLIPS["unbiased-variance"].answer(minmax) is None


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_sampler_keeps_every_slip_apart(seed, level):
    inst = make_instance(FAMILY, level, seed)
    values = [inst.answer] + [v for m in norm.MISTAKES if (v := m.answer(inst.typed)) is not None]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            assert not (np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=0.01, atol=0.0005)), inst.params
