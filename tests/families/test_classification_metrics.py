"""Classification-metrics family: checked against scikit-learn's metrics."""

from __future__ import annotations

import dataclasses
import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    fbeta_score,
    precision_score,
    recall_score,
)

from mli_drill.problems.convert import dump, load
from mli_drill.problems.families import classification_metrics as cm
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "classification-metrics"
LEVELS = ("easy", "exam", "hard")


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return cm.solve(typed_params(FAMILY, params))


def slip(mistake_id: str, params: dict):
    """A slip's answer on JSON params, through the converter."""
    return SLIPS[mistake_id].answer(typed_params(FAMILY, params))


def label_vectors(params: dict) -> tuple[np.ndarray, np.ndarray, int]:
    """The instance as (y_true, y_pred, positive label); a matrix becomes one sample per count."""
    if params["source"] == "labels":
        return np.array(params["y_true"]), np.array(params["y_pred"]), params["positive"]
    cells = [(1, 1, params["tp"]), (0, 1, params["fp"]), (1, 0, params["fn"]), (0, 0, params["tn"])]
    y_true = np.concatenate([np.full(n, t) for t, _, n in cells])
    y_pred = np.concatenate([np.full(n, p) for _, p, n in cells])
    return y_true, y_pred, 1


def sklearn_value(params: dict) -> float:
    y_true, y_pred, pos = label_vectors(params)
    return sklearn_metric(params["metric"], y_true, y_pred, pos, params.get("beta"))


def sklearn_metric(metric: str, y_true: np.ndarray, y_pred: np.ndarray, pos: int, beta: float | None) -> float:
    neg = 1 - pos
    if metric == "accuracy":
        return accuracy_score(y_true, y_pred)
    if metric == "precision":
        return precision_score(y_true, y_pred, pos_label=pos)
    if metric == "recall":
        return recall_score(y_true, y_pred, pos_label=pos)
    if metric == "specificity":
        return recall_score(y_true, y_pred, pos_label=neg)
    if metric == "f1":
        return f1_score(y_true, y_pred, pos_label=pos)
    return fbeta_score(y_true, y_pred, beta=beta, pos_label=pos)


def check_instance(inst) -> None:
    p = inst.params
    assert inst.answer == pytest.approx(sklearn_value(p), abs=1e-9)
    # the cells the worked solution reads match sklearn's [[TN, FP], [FN, TP]]
    y_true, y_pred, pos = label_vectors(p)
    (tn, fp), (fn, tp) = confusion_matrix(y_true, y_pred, labels=[1 - pos, pos])
    assert f"TP = {tp}" in inst.solution.steps[0] and f"TN = {tn}" in inst.solution.steps[0]
    assert f"FP = {fp}" in inst.solution.steps[0] and f"FN = {fn}" in inst.solution.steps[0]


def test_matches_sklearn_on_300_instances():
    metrics = set()
    for level in LEVELS:
        for seed in range(100):
            inst = make_instance(FAMILY, level, seed)
            check_instance(inst)
            metrics.add((inst.params["metric"], inst.params["source"]))
    assert {m for m, _ in metrics} == set(cm.METRICS)
    assert {s for _, s in metrics} == {"matrix", "labels"}


def test_every_metric_from_both_sources_matches_sklearn():
    spec = level_settings(FAMILY, "hard")
    for metric in cm.METRICS:
        for source in ("matrix", "labels"):
            level = dataclasses.replace(spec, metrics=(metric,), sources=(source,))
            for seed in range(20):
                params = cm.sample(random.Random(seed), level)
                assert cm.solve(params).answer == pytest.approx(sklearn_value(dump(params)), abs=1e-9)


def test_hand_values():
    base = {"source": "matrix", "tp": 40, "fp": 10, "fn": 20, "tn": 30, "beta": None}
    assert solve(dict(base, metric="accuracy")).answer == pytest.approx(0.7)
    assert solve(dict(base, metric="precision")).answer == pytest.approx(0.8)
    assert solve(dict(base, metric="recall")).answer == pytest.approx(2 / 3)
    assert solve(dict(base, metric="specificity")).answer == pytest.approx(0.75)
    assert solve(dict(base, metric="f1")).answer == pytest.approx(80 / 110)
    # F2 = 5 P R / (4P + R) = 5 * 0.8 * 2/3 / (3.2 + 2/3) = 0.6897; F0.5 = 1.25 P R / (0.25 P + R) = 0.7692
    assert solve(dict(base, metric="fbeta", beta=2)).answer == pytest.approx(0.689655, abs=1e-6)
    assert solve(dict(base, metric="fbeta", beta=0.5)).answer == pytest.approx(0.769231, abs=1e-6)
    assert solve(dict(base, metric="fbeta", beta=1)).answer == pytest.approx(80 / 110)
    assert solve(dict(base, metric="precision")).display == "4/5 ≈ 0.8"


def test_positive_class_zero_swaps_the_roles():
    params = {"metric": "precision", "source": "labels", "y_true": [0, 0, 1, 1, 0], "y_pred": [0, 1, 1, 0, 0],
              "positive": 0}
    # positive = 0: predicted 0 at samples 1, 4, 5 of which true 0 at 1 and 5 -> precision 2/3
    assert solve(params).answer == pytest.approx(2 / 3)
    assert solve(dict(params, positive=1)).answer == pytest.approx(1 / 2)
    assert solve(dict(params, metric="specificity")).answer == pytest.approx(1 / 2)


def test_solutions_are_json_round_trippable():
    for level in LEVELS:
        for seed in range(10):
            inst = make_instance(FAMILY, level, seed)
            params = json.loads(json.dumps(inst.params))
            assert solve(params).answer == inst.answer
            json.dumps(solve(params).to_dict())
            if params["source"] == "labels":
                assert f"positive class is label {params['positive']}" in inst.question


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_are_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    spec = load_spec(FAMILY).levels[level]
    p = inst.params
    assert p["metric"] in spec["metrics"] and p["source"] in spec["sources"]
    assert (p["beta"] is not None) == (p["metric"] == "fbeta")
    if p["beta"] is not None:
        assert p["beta"] in spec["betas"]
    counts = cm.counts_of(inst.typed)
    assert min(counts.values()) >= 1, "no zero denominator for any metric"
    if p["source"] == "matrix":
        assert all(spec["counts"][0] <= counts[k] <= spec["counts"][1] for k in cm.MATRIX_KEYS)
    else:
        assert spec["n"][0] <= len(p["y_true"]) <= spec["n"][1]
        assert p["positive"] in spec["positive"]
    assert 0 <= inst.answer <= 1
    check_instance(inst)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_sampler_is_deterministic(seed):
    level = level_settings(FAMILY, "hard")
    assert cm.sample(random.Random(seed), level) == cm.sample(random.Random(seed), level)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"metric": "precision", "source": "matrix", "tp": 0, "fp": 0, "fn": 3, "tn": 4}, "denominator"),
        ({"metric": "recall", "source": "matrix", "tp": 0, "fp": 2, "fn": 0, "tn": 4}, "denominator"),
        ({"metric": "specificity", "source": "matrix", "tp": 1, "fp": 0, "fn": 3, "tn": 0}, "denominator"),
        ({"metric": "f1", "source": "matrix", "tp": 0, "fp": 2, "fn": 3, "tn": 4}, "denominator"),
        ({"metric": "accuracy", "source": "matrix", "tp": 0, "fp": 0, "fn": 0, "tn": 0}, "denominator"),
    ],
)
def test_zero_denominators_are_rejected(params, message):
    with pytest.raises(InvalidParams, match=message):
        solve(params)


GOOD = {"metric": "recall", "beta": None, "source": "matrix", "tp": 3, "fp": 1, "fn": 2, "tn": 4}


@pytest.mark.parametrize(
    "change",
    [
        {"metric": "auc"},
        {"metric": "fbeta"},
        {"metric": "fbeta", "beta": -1},
        {"metric": "fbeta", "beta": "2"},
        {"beta": 2},
        {"source": "table"},
        {"tp": -1},
        {"tp": 2.5},
        {"tp": True},
        {"y_true": [0, 1]},
        {"source": "labels", "tp": None, "fp": None, "fn": None, "tn": None, "y_true": [0, 1], "y_pred": [0],
         "positive": 1},
        {"source": "labels", "tp": None, "fp": None, "fn": None, "tn": None, "y_true": [0, 2], "y_pred": [0, 1],
         "positive": 1},
        {"source": "labels", "tp": None, "fp": None, "fn": None, "tn": None, "y_true": [0, 1], "y_pred": [0, 1],
         "positive": 2},
        {"source": "labels", "tp": None, "fp": None, "fn": None, "tn": None, "y_true": [0, 1], "y_pred": [0, 1]},
    ],
)
def test_nonsense_params_raise_invalid_params(change):
    with pytest.raises(InvalidParams):
        solve(dict(GOOD, **change))
    with pytest.raises(InvalidParams):
        solve("recall")
    params = dict(GOOD)
    del params["tn"]
    with pytest.raises(InvalidParams, match="tn"):
        solve(params)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"source": "labels", "tp": None, "fp": None, "fn": None, "tn": None, "y_true": [0, 1, "1"],
          "y_pred": [0, 1, 1], "positive": 1}, "at $.y_true[2]: expected an integer, got '1'"),
        ({"source": "labels", "tp": None, "fp": None, "fn": None, "tn": None, "y_true": [0, 2], "y_pred": [0, 1],
          "positive": 1}, "at $.y_true[1]: must be 0 or 1, got 2"),
        ({"tp": -1}, "at $.tp: must be a non-negative integer, got -1"),
        ({"metric": "fbeta", "beta": -1}, "at $.beta: metric 'fbeta' needs a positive number beta, got -1"),
        ({"y_true": [0, 1]}, "at $.y_true: source 'matrix' does not use y_true"),
        ({"tp": 0, "fn": 0}, "at $: recall is undefined here: its denominator is 0"),
    ],
)
def test_invalid_params_name_the_path(change, message):
    with pytest.raises(InvalidParams) as caught:
        solve(dict(GOOD, **change))
    assert str(caught.value) == message


def test_keys_of_the_other_source_stay_out_of_the_json():
    for seed in range(20):
        params = make_instance(FAMILY, "hard", seed).params
        keys = ["metric", "beta", "source", *(cm.MATRIX_KEYS if params["source"] == "matrix" else cm.LABEL_KEYS)]
        assert list(params) == keys
    with pytest.raises(InvalidParams, match=r"at \$\.positive: must be a non-empty list of 0 and/or 1"):
        load(cm.Level, {"positive": [2]})


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in cm.MISTAKES}


def expected_slips(params: dict) -> dict[str, float | None]:
    """Each slip from scikit-learn: exchanging y_true and y_pred exchanges FP and FN (precision <-> recall,
    specificity -> NPV); F1's arithmetic mean from precision_score and recall_score; F-beta with
    beta = sqrt(beta) squares to the unsquared beta; the other positive label through pos_label."""
    y_true, y_pred, pos = label_vectors(params)
    metric, beta = params["metric"], params.get("beta")
    swapped = sklearn_metric(metric, y_pred, y_true, pos, beta)
    return {
        "precision-recall-swapped": swapped if metric in ("precision", "recall", "fbeta") else None,
        "npv-for-specificity": swapped if metric == "specificity" else None,
        "arithmetic-mean-f1": (precision_score(y_true, y_pred, pos_label=pos)
                               + recall_score(y_true, y_pred, pos_label=pos)) / 2 if metric == "f1" else None,
        "beta-not-squared": fbeta_score(y_true, y_pred, beta=np.sqrt(beta), pos_label=pos)
        if metric == "fbeta" else None,
        "positive-class-swapped": sklearn_metric(metric, y_true, y_pred, 1, beta)
        if params["source"] == "labels" and pos == 0 else None,
    }


def test_slips_against_sklearn():
    applied = dict.fromkeys(SLIPS, 0)
    for level in LEVELS:
        for seed in range(100):
            inst = make_instance(FAMILY, level, seed)
            p = inst.params
            for mistake_id, value in expected_slips(p).items():
                got = SLIPS[mistake_id].answer(inst.typed)
                if value is None:
                    assert got is None, (mistake_id, p)
                else:
                    assert got == pytest.approx(value, abs=1e-9), (mistake_id, p)
                    applied[mistake_id] += 1
    assert min(applied.values()) > 20, applied


def test_slips_hand_values():
    base = {"source": "matrix", "tp": 6, "fp": 2, "fn": 4, "tn": 8, "beta": None}
    assert slip("precision-recall-swapped", {**base, "metric": "precision"}) == pytest.approx(0.6)
    assert slip("precision-recall-swapped", {**base, "metric": "recall"}) == pytest.approx(0.75)
    assert slip("npv-for-specificity", {**base, "metric": "specificity"}) == pytest.approx(8 / 12)
    assert slip("arithmetic-mean-f1", {**base, "metric": "f1"}) == pytest.approx(0.675)
    # F2 with beta not squared: (1 + 2) P R / (2 P + R) with P = 3/4, R = 3/5
    assert slip("beta-not-squared", {**base, "metric": "fbeta", "beta": 2}) == pytest.approx(
        3 * 0.75 * 0.6 / (1.5 + 0.6))
    assert slip("precision-recall-swapped", {**base, "metric": "accuracy"}) is None
    assert "6 / (6 + 2)" in SLIPS["precision-recall-swapped"].message(typed_params(FAMILY, {**base, "metric": "precision"}))


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_sampler_keeps_every_slip_apart(seed, level):
    inst = make_instance(FAMILY, level, seed)
    values = [inst.answer] + [v for m in cm.MISTAKES if (v := m.answer(inst.typed)) is not None]
    assert all(abs(a - b) > 0.01 * max(abs(a), abs(b)) for i, a in enumerate(values) for b in values[i + 1:])
