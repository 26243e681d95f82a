"""AdaBoost family: checked against a vectorised numpy re-implementation and scikit-learn.

The mistake catalogue is checked against the same numpy re-implementation with
the slipped step switched by a flag (a hand implementation of each slip).

The numpy reference below shares no code with the solver: it builds the
prediction matrix of every stump at once and works out errors, alpha, weights
and the final vote with array operations. scikit-learn's AdaBoostClassifier
(SAMME) then re-does the boosting arithmetic around a minimum-error stump, and
its DecisionTreeClassifier(max_depth=1) (Gini) is compared whenever it picks
the same partition as our stump.
"""

from __future__ import annotations

import json
import math
import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import AdaBoostClassifier
from sklearn.tree import DecisionTreeClassifier

from mli_drill.problems.families import adaboost
from mli_drill.problems.families.base import Alternatives, InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.mistakes import mistake_answers
from mli_drill.problems.spec import load_spec
from tests.conftest import ROOT

FAMILY = "adaboost"
LEVELS = ("easy", "exam", "hard")


def typed(params: dict) -> adaboost.Params:
    """JSON params through the converter, as ``problems check --params`` gives them."""
    return typed_params(FAMILY, params)


def solve(params: dict):
    """The solver on JSON params, through the converter."""
    return adaboost.solve(typed(params))


# --------------------------------------------------------------------------- independent reference


def as_matrix(x: list) -> np.ndarray:
    array = np.asarray(x, dtype=float)
    return array.reshape(-1, 1) if array.ndim == 1 else array


def all_stumps(X: np.ndarray) -> tuple[np.ndarray, list[tuple[int, float, int]]]:
    """Prediction matrix (stumps x samples) of every midpoint stump, both polarities."""
    rows, keys = [], []
    for f in range(X.shape[1]):
        values = np.unique(X[:, f])
        for t in (values[:-1] + values[1:]) / 2:
            base = np.where(X[:, f] > t, 1, -1)
            for polarity in (1, -1):
                rows.append(polarity * base)
                keys.append((f, float(t), polarity))
    return np.array(rows), keys


def numpy_adaboost(x: list, y: list, rounds: int) -> list[dict]:
    """Plain vectorised AdaBoost; returns per round the stump, error, alpha, weights and margin to the runner-up."""
    X, labels = as_matrix(x), np.asarray(y)
    P, keys = all_stumps(X)
    w = np.full(len(labels), 1 / len(labels))
    out = []
    for _ in range(rounds):
        errors = (P != labels) @ w
        order = np.argsort(errors, kind="stable")
        best = order[0]
        e = errors[best]
        alpha = 0.5 * np.log((1 - e) / e)
        w_new = w * np.exp(-alpha * labels * P[best])
        w_new /= w_new.sum()
        out.append({"stump": keys[best], "error": e, "alpha": alpha, "weights_before": w, "weights": w_new,
                    "margin": errors[order[1]] - e})
        w = w_new
    return out


def numpy_predict(history: list[dict], query) -> float:
    q = np.atleast_1d(np.asarray(query, dtype=float))
    return sum(r["alpha"] * r["stump"][2] * (1 if q[r["stump"][0]] > r["stump"][1] else -1) for r in history)


def instances(per_level: int, offset: int = 0):
    for level in LEVELS:
        for seed in range(offset, offset + per_level):
            yield make_instance(FAMILY, level, seed)


def check_against_numpy(inst) -> None:
    p = inst.params
    history = numpy_adaboost(p["x"], p["y"], p["rounds"])
    last = history[-1]
    for r in history:
        assert r["margin"] > 1e-9, "the reference finds a tie for the best stump"
        assert 1e-9 < r["error"] < 0.5
    if p["ask"] == "error":
        assert inst.answer == pytest.approx(last["error"], abs=1e-12)
    elif p["ask"] == "alpha":
        assert inst.answer == pytest.approx(last["alpha"], abs=1e-12)
    elif p["ask"] == "weights":
        assert np.allclose(inst.answer, last["weights"], atol=1e-12)
    else:
        vote = numpy_predict(history, p["query"])
        assert abs(vote) > 1e-9
        assert inst.answer == (1 if vote > 0 else -1)


def test_matches_numpy_reference_on_300_instances():
    count = 0
    for inst in instances(100):
        check_against_numpy(inst)
        count += 1
    assert count == 300


# --------------------------------------------------------------------------- scikit-learn


class MinErrorStump(ClassifierMixin, BaseEstimator):
    """The course's weak learner for sklearn's AdaBoost: the stump of least weighted error.

    ``log`` (a class attribute, because sklearn clones estimators) records the
    normalised sample weights each fit receives, so the weights after the last
    round can be read off the fit of the following round.
    """

    log: list[np.ndarray] = []

    def fit(self, X, y, sample_weight=None):
        MinErrorStump.log.append(np.asarray(sample_weight, dtype=float).copy())
        self.classes_ = np.array([-1, 1])
        P, keys = all_stumps(np.asarray(X, dtype=float))
        errors = (P != np.asarray(y)) @ sample_weight
        self.key_ = keys[int(np.argmin(errors))]
        return self

    def predict(self, X):
        f, t, polarity = self.key_
        return polarity * np.where(np.asarray(X, dtype=float)[:, f] > t, 1, -1)


def test_sklearn_samme_arithmetic_on_210_instances():
    """sklearn SAMME: estimator weight = 2 alpha, same errors, same normalised weights, same vote."""
    checked = 0
    for inst in instances(70, offset=1000):
        p = inst.params
        X, y, rounds = as_matrix(p["x"]), np.asarray(p["y"]), p["rounds"]
        MinErrorStump.log = []
        model = AdaBoostClassifier(estimator=MinErrorStump(), n_estimators=rounds + 1).fit(X, y)
        solution = solve(p)
        history = adaboost.run_adaboost(adaboost.points_of(p["x"]), p["y"], rounds)
        assert len(model.estimators_) >= rounds
        for t in range(rounds):
            assert model.estimators_[t].key_ == (history[t].stump.feature, history[t].stump.threshold,
                                                 history[t].stump.polarity)
            assert model.estimator_errors_[t] == pytest.approx(history[t].error, abs=1e-12)
            assert model.estimator_weights_[t] == pytest.approx(2 * history[t].alpha, abs=1e-12)
        weights_after_last = MinErrorStump.log[rounds]
        assert np.allclose(weights_after_last, history[-1].weights_after, atol=1e-12)
        if p["ask"] == "error":
            assert solution.answer == pytest.approx(model.estimator_errors_[rounds - 1], abs=1e-12)
        elif p["ask"] == "alpha":
            assert solution.answer == pytest.approx(model.estimator_weights_[rounds - 1] / 2, abs=1e-12)
        elif p["ask"] == "weights":
            assert np.allclose(solution.answer, weights_after_last, atol=1e-12)
        else:
            staged = list(model.staged_predict(as_matrix([p["query"]])))
            assert solution.answer == int(staged[rounds - 1][0])
        checked += 1
    assert checked == 210


def test_sklearn_gini_stump_agrees_when_it_picks_the_same_partition():
    """A Gini stump that splits the samples as ours does must sit on the same feature and threshold."""
    same = 0
    for inst in instances(60, offset=2000):
        p = inst.params
        X, y = as_matrix(p["x"]), np.asarray(p["y"])
        for r in adaboost.run_adaboost(adaboost.points_of(p["x"]), p["y"], p["rounds"]):
            tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y, sample_weight=r.weights_before)
            ours = np.array([r.stump.predict(tuple(row)) for row in X])
            if not np.array_equal(tree.predict(X), ours):
                continue
            same += 1
            assert tree.tree_.feature[0] == r.stump.feature
            assert tree.tree_.threshold[0] == pytest.approx(r.stump.threshold)
            error = float(np.sum(np.asarray(r.weights_before)[tree.predict(X) != y]))
            assert error == pytest.approx(r.error, abs=1e-12)
    assert same >= 150


# --------------------------------------------------------------------------- hand-worked examples


def worked_params(ask: str, query=None) -> dict:
    return {"x": [2, 4, 6, 8, 9], "y": [-1, 1, 1, -1, -1], "rounds": 2, "ask": ask, "query": query}


def test_worked_example_by_hand():
    """Round 1: '+1 if x < 7' misses sample 1, e = 1/5, alpha = ln 2, w = [1/2, 1/8, 1/8, 1/8, 1/8].
    Round 2: '+1 if x > 3' misses samples 4, 5, e = 1/4, alpha = ln(3)/2, w = [1/3, 1/12, 1/12, 1/4, 1/4]."""
    one = dict(worked_params("error"), rounds=1)
    assert solve(one).answer == pytest.approx(1 / 5)
    assert solve(dict(one, ask="alpha")).answer == pytest.approx(math.log(2))
    assert solve(dict(one, ask="weights")).answer == pytest.approx([1 / 2, 1 / 8, 1 / 8, 1 / 8, 1 / 8])
    assert solve(worked_params("error")).answer == pytest.approx(1 / 4)
    assert solve(worked_params("alpha")).answer == pytest.approx(math.log(3) / 2)
    weights = solve(worked_params("weights"))
    assert weights.answer == pytest.approx([1 / 3, 1 / 12, 1 / 12, 1 / 4, 1 / 4])
    assert weights.kind == "vector" and weights.display == "[1/3, 1/12, 1/12, 1/4, 1/4]"
    # at x = 5 both stumps say +1; at x = 2: h1 = +1 (ln 2), h2 = -1 (ln(3)/2): ln 2 > ln(3)/2, so +1;
    # at x = 8: h1 = -1, h2 = +1: -ln 2 + ln(3)/2 < 0, so -1.
    assert solve(worked_params("prediction", 5)).answer == 1
    assert solve(worked_params("prediction", 2)).answer == 1
    assert solve(worked_params("prediction", 8)).answer == -1
    steps = "\n".join(solve(worked_params("prediction", 8)).steps)
    assert "predict +1 if x < 7 (else -1)" in steps and "predict +1 if x > 3 (else -1)" in steps


def test_two_dimensional_example_by_hand():
    """'+1 if x1 > 3.5' gets all but sample 6 right, e = 1/6; every other stump misses at least two."""
    params = {"x": [[1, 5], [2, 1], [3, 4], [4, 2], [5, 5], [6, 1]], "y": [-1, -1, -1, 1, 1, -1],
              "rounds": 1, "ask": "error", "query": None}
    assert solve(params).answer == pytest.approx(1 / 6)
    history = adaboost.run_adaboost(adaboost.points_of(params["x"]), params["y"], 1)
    assert history[0].stump == adaboost.Stump(feature=0, threshold=3.5, polarity=1)
    assert history[0].mistakes == [5]


def test_solution_kinds_and_json_round_trip():
    for inst in instances(10, offset=3000):
        params = json.loads(json.dumps(inst.params))
        solution = solve(params)
        assert solution.answer == inst.answer
        expected = {"error": "real", "alpha": "real", "weights": "vector", "prediction": "integer"}
        assert solution.kind == expected[params["ask"]]
        if params["ask"] == "prediction":
            assert solution.answer in (-1, 1) and isinstance(solution.answer, int)
        json.dumps(solution.to_dict())


def test_questions_state_the_conventions():
    for inst in instances(5, offset=4000):
        q = inst.question
        assert "midpoint" in q and "both polarities" in q and "natural log" in q
        assert "1/2 ln((1 - e) / e)" in q
        if inst.params["ask"] == "prediction":
            assert "sign" in q and "query" in q


# --------------------------------------------------------------------------- properties


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_are_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    again = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == again.to_dict()
    spec = load_spec(FAMILY).levels[level]
    p = inst.params
    X = as_matrix(p["x"])
    n_low, n_high = spec["n"]
    assert n_low <= len(p["x"]) <= n_high
    assert X.shape[1] in spec["dims"]
    if level == "easy":
        assert X.shape[1] == 1
    assert spec["rounds"][0] <= p["rounds"] <= spec["rounds"][1]
    assert set(p["y"]) <= {-1, 1}
    assert len({tuple(row) for row in X}) == len(X), "points are distinct"
    assert np.all(X == np.round(X)) and X.min() >= 0 and X.max() <= 9
    if level in ("easy", "exam"):
        assert len(p["x"]) <= 8
    for r in numpy_adaboost(p["x"], p["y"], p["rounds"]):
        assert r["margin"] > 1e-9
        assert 0 < r["error"] < 0.5
    if p["ask"] == "prediction":
        assert p["query"] is not None
        assert abs(numpy_predict(numpy_adaboost(p["x"], p["y"], p["rounds"]), p["query"])) > 1e-9
    else:
        assert p["query"] is None
    check_against_numpy(inst)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_sampler_is_deterministic_for_an_rng_state(seed):
    level = level_settings(FAMILY, "exam")
    assert adaboost.sample(random.Random(seed), level) == adaboost.sample(random.Random(seed), level)


# --------------------------------------------------------------------------- mistake catalogue

SLIPS = {mistake.id: mistake for mistake in adaboost.MISTAKES}
# The numpy reference's switches for each slip; a tuple lists the alternatives that all count.
SLIP_SWITCHES = {
    "alpha-without-half": ({"factor": 1.0},),
    "alpha-log10": ({"log": np.log10},),
    "weights-not-normalised": ({"normalise": False},),
    "weights-update-inverted": ({"sign": 1}, {"sign": 1, "normalise": False}),
    "unweighted-error": ({"weighted": False},),
}


def numpy_slipped(x: list, y: list, rounds: int, factor=0.5, log=np.log, sign=-1, normalise=True, weighted=True):
    """numpy AdaBoost with one step switched; None when a round has a tie or an alpha with no value."""
    X, labels = as_matrix(x), np.asarray(y)
    P, keys = all_stumps(X)
    w = np.full(len(labels), 1 / len(labels))
    out = []
    for _ in range(rounds):
        errors = (P != labels) @ w
        order = np.argsort(errors, kind="stable")
        if errors[order[1]] - errors[order[0]] <= 1e-9:
            return None  # no single best stump: the student could pick either
        best = order[0]
        e = errors[best] if weighted else np.mean(P[best] != labels)
        if not 1e-9 < e < 1 - 1e-9:
            return None
        alpha = factor * log((1 - e) / e)
        w = w * np.exp(sign * alpha * labels * P[best])
        if normalise:
            w = w / w.sum()
        out.append({"stump": keys[best], "error": e, "alpha": alpha, "weights": w})
    return out


def numpy_asked(params: dict, history: list[dict] | None):
    if history is None:
        return None
    last = history[-1]
    if params["ask"] in ("error", "alpha"):
        return last[params["ask"]]
    if params["ask"] == "weights":
        return list(last["weights"])
    q = np.atleast_1d(np.asarray(params["query"], dtype=float))
    if any(q[r["stump"][0]] == r["stump"][1] for r in history):
        return None
    vote = numpy_predict(history, params["query"])
    return None if abs(vote) <= 1e-9 else (1 if vote > 0 else -1)


def same_value(ours, expected) -> bool:
    if ours is None or expected is None:
        return ours is None and expected is None
    return bool(np.allclose(ours, expected, rtol=0, atol=1e-9))


def test_slips_match_the_numpy_reference_on_300_instances():
    changed = dict.fromkeys(SLIPS, 0)
    for inst in instances(100):
        p = inst.params
        for mistake_id, switches in SLIP_SWITCHES.items():
            ours = SLIPS[mistake_id].answer(inst.typed)
            expected = [numpy_asked(p, numpy_slipped(p["x"], p["y"], p["rounds"], **switch)) for switch in switches]
            if ours is None:
                # the slipped step comes after the asked quantity: the slipped run must agree with the answer
                assert all(value is None or same_value(value, inst.answer) for value in expected), (mistake_id, p)
                continue
            values = ours.values if isinstance(ours, Alternatives) else (ours,)
            assert len(values) == len(expected)
            for value, reference in zip(values, expected):
                assert same_value(value, reference), (mistake_id, p, value, reference)
            changed[mistake_id] += any(v is not None and not same_value(v, inst.answer) for v in values)
        last_stump = SLIPS["last-stump-only"].answer(inst.typed)
        if p["ask"] == "prediction" and p["rounds"] >= 2:
            stump = numpy_adaboost(p["x"], p["y"], p["rounds"])[-1]["stump"]
            q = np.atleast_1d(np.asarray(p["query"], dtype=float))
            assert last_stump == stump[2] * (1 if q[stump[0]] > stump[1] else -1)
            changed["last-stump-only"] += last_stump != inst.answer
        else:
            assert last_stump is None
    assert all(count >= 10 for count in changed.values()), changed


def test_slips_on_the_worked_example_by_hand():
    """Round 1 of worked_params: e = 1/5, alpha = 1/2 ln 4 = ln 2; sample 1 is the one misclassified."""
    one = dict(worked_params("alpha"), rounds=1)
    assert SLIPS["alpha-without-half"].answer(typed(one)) == pytest.approx(math.log(4))
    assert SLIPS["alpha-log10"].answer(typed(one)) == pytest.approx(math.log10(2))
    assert SLIPS["weights-not-normalised"].answer(typed(one)) is None  # alpha comes before the update
    weights = dict(one, ask="weights")
    # the update multiplies sample 1 by exp(ln 2) = 2 and the others by 1/2: [0.4, 0.1, 0.1, 0.1, 0.1]
    assert SLIPS["weights-not-normalised"].answer(typed(weights)) == pytest.approx([0.4, 0.1, 0.1, 0.1, 0.1])
    inverted = SLIPS["weights-update-inverted"].answer(typed(weights))
    assert inverted.values[0] == pytest.approx([1 / 17, 4 / 17, 4 / 17, 4 / 17, 4 / 17])
    assert inverted.values[1] == pytest.approx([0.1, 0.4, 0.4, 0.4, 0.4])
    # without the 1/2, exp(±2 ln 2) = 4 and 1/4: [0.8, 0.05, 0.05, 0.05, 0.05], already summing to 1
    assert SLIPS["alpha-without-half"].answer(typed(weights)) == pytest.approx([0.8, 0.05, 0.05, 0.05, 0.05])
    assert SLIPS["unweighted-error"].answer(typed(dict(one, ask="error"))) is None  # round 1: every weight is 1/5
    # Round 2's stump '+1 if x > 3' misses samples 4 and 5: 2 of 5 samples, but e_2 = 1/8 + 1/8 = 1/4.
    assert SLIPS["unweighted-error"].answer(typed(worked_params("error"))) == pytest.approx(2 / 5)
    message = SLIPS["unweighted-error"].message(typed(worked_params("error")))
    assert "misclassifies 2 of the 5 samples" in message and "e_2 = w_4 + w_5 = 1/8 + 1/8 = 1/4" in message
    # At x = 8 the ensemble says -1 (-ln 2 + ln(3)/2 < 0) while the last stump alone says +1.
    assert SLIPS["last-stump-only"].answer(typed(worked_params("prediction", 8))) == 1
    assert SLIPS["last-stump-only"].answer(typed(dict(worked_params("prediction", 8), rounds=1))) is None
    message = SLIPS["last-stump-only"].message(typed(worked_params("prediction", 8)))
    assert "h_2 gives +1" in message and "= -1" in message
    assert "1/2 ln(4) = 0.6931, not ln(4) = 1.3863" in SLIPS["alpha-without-half"].message(typed(one))


def test_informative_instances_tell_the_slips_apart():
    """Point 5 of issue 11: the slips give values apart from the answer and each other (prediction: the last stump is overruled)."""
    told_apart = sum(adaboost._informative(inst.typed) for inst in instances(40))
    assert told_apart >= 0.95 * 120


# --------------------------------------------------------------------------- edge cases and invalid params


def test_one_round_prediction_is_the_first_stump():
    params = {"x": [1, 2, 3, 4, 5], "y": [-1, -1, 1, 1, -1], "rounds": 1, "ask": "prediction", "query": 10}
    # best stump: '+1 if x > 2.5' misses sample 5 only (e = 1/5); at x = 10 it says +1
    assert solve(params).answer == 1
    assert solve(dict(params, query=0)).answer == -1


def test_single_class_data_still_boosts():
    params = {"x": [1, 2, 3, 4, 5], "y": [1, 1, 1, 1, 1], "rounds": 1, "ask": "error", "query": None}
    # every stump predicts -1 somewhere; '+1 if x > 1.5' and '+1 if x < 4.5' both miss one sample: a tie
    with pytest.raises(InvalidParams, match="several stumps"):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"x": [1, 2, 3, 4], "y": [-1, -1, 1, 1], "rounds": 1, "ask": "error"}, "e = 0"),
        ({"x": [1, 2, 3, 4], "y": [1, -1, 1, -1], "rounds": 1, "ask": "error"}, "several stumps"),
        ({"x": [2, 4, 6, 8, 9], "y": [-1, 1, 1, -1, -1], "rounds": 2, "ask": "prediction", "query": 7},
         "threshold"),
        ({"x": [1, 2, 3, 4, 5], "y": [-1, -1, 1, 1, -1], "rounds": 1, "ask": "prediction", "query": 2.5},
         "threshold"),
        ({"x": [1, 1, 1], "y": [1, -1, 1], "rounds": 1, "ask": "error"}, "constant"),
    ],
)
def test_degenerate_problems_are_rejected(params, message):
    with pytest.raises(InvalidParams, match=message):
        solve(params)


GOOD = {"x": [2, 4, 6, 8, 9], "y": [-1, 1, 1, -1, -1], "rounds": 2, "ask": "error", "query": None}


@pytest.mark.parametrize(
    "change",
    [
        {"x": "1,2,3"},
        {"x": [1]},
        {"x": [1, 2, "a", 4, 5]},
        {"x": [1, 2, float("nan"), 4, 5]},
        {"x": [[1, 2], [3], [4, 5], [6, 7], [8, 9]]},
        {"y": [-1, 1, 1, -1]},
        {"y": [-1, 1, 0, -1, -1]},
        {"y": [-1, 1, True, -1, -1]},
        {"rounds": 0},
        {"rounds": "2"},
        {"rounds": 2.0},
        {"ask": "beta"},
        {"query": 3},
        {"ask": "prediction", "query": None},
        {"ask": "prediction", "query": [1, 2]},
    ],
)
def test_nonsense_params_raise_invalid_params(change):
    with pytest.raises(InvalidParams):
        solve(dict(GOOD, **change))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"y": [-1, 1, 0, -1, -1]}, "at $.y[2]: expected one of -1, 1, got 0"),
        ({"rounds": 0}, "at $.rounds: must be from 1 to 10, got 0"),
        ({"y": [-1, 1, 1, -1]}, "at $.y: must give one label per sample: 4 for 5 samples"),
        ({"ask": "prediction", "query": [1, 2]}, "at $.query: must be a point with 1 coordinate(s)"),
        ({"query": 3}, "at $.query: must be null unless ask is 'prediction' (ask is 'error')"),
    ],
)
def test_invalid_params_name_the_path(change, message):
    with pytest.raises(InvalidParams) as caught:
        solve(dict(GOOD, **change))
    assert str(caught.value) == message


def test_level_ranges_are_checked():
    from mli_drill.problems.convert import load

    with pytest.raises(InvalidParams) as caught:
        load(adaboost.Level, {"dims": [1], "n": [5, 12], "values": [0, 9]}, "$.levels.easy")
    assert str(caught.value) == "at $.levels.easy.values: must hold at least 12 distinct values (n's max)"
    with pytest.raises(InvalidParams, match=r"at \$.levels.easy.dims\[0\]: expected one of 1, 2, got 3"):
        load(adaboost.Level, {"dims": [3]}, "$.levels.easy")


def test_missing_params_raise_invalid_params():
    for name in ("x", "y", "rounds", "ask"):
        params = dict(GOOD)
        del params[name]
        with pytest.raises(InvalidParams, match=name):
            solve(params)
    params = dict(GOOD)
    del params["query"]  # absent query is fine when not asked for
    assert solve(params).answer == pytest.approx(1 / 4)


def test_doc_example_and_its_slips_are_current():
    """docs/problems/adaboost.md shows exam seed 24, its answer and its slips' answers: they must not go stale."""
    page = (ROOT / "docs" / "problems" / "adaboost.md").read_text(encoding="utf-8")
    instance = make_instance("adaboost", "exam", 24)
    assert json.loads(re.search(r"```json\n(.*?)\n```", page, re.S).group(1)) == instance.params
    slips = page.split("## Mistakes it recognises")[1].split("For the example above")[1]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", slips, re.M)
    assert listed and sorted(set(listed)) == sorted({mistake_id for mistake_id, _ in mistake_answers(instance)})



# --------------------------------------------------------------------------- the sampler's shortcuts


def _history(rounds: list) -> list:
    return [(tuple(r.stump), r.weights_before, r.errors, r.mistakes, r.error, r.alpha, r.unnormalised, r.weights_after)
            for r in rounds]


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 12).map(lambda v: v / 2)), min_size=2, max_size=10),
    signs=st.lists(st.sampled_from([-1, 1]), min_size=10, max_size=10),
    dims=st.sampled_from([1, 2]),
    rounds=st.integers(1, 4),
)
def test_exact_rounds_and_the_cached_course_match_a_plain_search(data: list, signs: list, dims: int, rounds: int) -> None:
    """exact_rounds says "fails" exactly when the floating-point search raises Degenerate (or cannot tell),
    and the course's run that follows its stumps is the search's run, error for error."""
    points = [p[:dims] for p in data]
    labels = signs[: len(points)]
    table = adaboost.stump_mistakes(points, labels)
    try:
        searched = _history(adaboost.run_adaboost(points, labels, rounds, stumps=adaboost.Stumps(points, labels, table)))
        problem = None
    except adaboost.Degenerate as exc:
        searched, problem = None, str(exc)
    status, chosen = adaboost.exact_rounds.__wrapped__(tuple(points), tuple(labels), rounds)
    if status == "clear":
        assert searched is not None and [h[0] for h in searched] == list(chosen)
    elif status == "fails":
        assert searched is None
    try:
        fast = _history(adaboost._course.__wrapped__(tuple(points), tuple(labels), rounds)[1])
        fast_problem = None
    except adaboost.Degenerate as exc:
        fast, fast_problem = None, str(exc)
    assert (fast, fast_problem) == (searched, problem)
    stumps = adaboost.Stumps(points, labels)
    assert stumps.none() == (not table)
    assert all(stumps.missed(key) == wrong for key, wrong in table.items())
