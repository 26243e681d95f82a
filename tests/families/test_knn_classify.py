"""knn-classify: against scikit-learn's NearestNeighbors and KNeighborsClassifier, and the slips too."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from mli_drill.problems.families import knn_classify as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "knn-classify"
LEVELS = ("easy", "exam", "hard")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def sklearn_neighbours(p: dict, metric: str | None = None, k: int | None = None) -> list[int]:
    model = NearestNeighbors(n_neighbors=k or p["k"], metric=metric or p["metric"])
    model.fit(np.array(p["points"], dtype=float))
    return model.kneighbors(np.array([p["query"]], dtype=float), return_distance=False)[0].tolist()


def sklearn_class(p: dict) -> int:
    model = KNeighborsClassifier(n_neighbors=p["k"], metric=p["metric"])
    model.fit(np.array(p["points"], dtype=float), p["labels"])
    return int(model.predict(np.array([p["query"]], dtype=float))[0])


def instances(per_level: int = 100):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(FAMILY, level, seed)


def test_against_sklearn():
    asked = set()
    for inst in instances():
        p = inst.params
        asked.add((p["ask"], p["metric"]))
        if p["ask"] == "neighbours":
            assert inst.answer == sklearn_neighbours(p), p
        else:
            assert inst.answer == sklearn_class(p), p
    assert asked == {(a, m) for a in fam.ASKS for m in fam.METRICS}


def test_hand_worked_example():
    # query (0, 0): distances 1, 2, 3, √8 ≈ 2.83; k = 3 takes points 0, 1, 3 with labels 1, 0, 1
    params = {"points": [[1, 0], [0, 2], [3, 0], [2, 2]], "labels": [1, 0, 0, 1], "query": [0, 0], "k": 3,
              "metric": "euclidean", "ask": "class"}
    assert solve(params).answer == 1
    assert solve({**params, "ask": "neighbours"}).answer == [0, 1, 3]
    # Manhattan: |2| + |2| = 4 > 3, so point 2 replaces point 3
    assert solve({**params, "metric": "manhattan", "ask": "neighbours"}).answer == [0, 1, 2]


def slipped(p: dict, slip: str) -> list[int] | None:
    """Each slip by scikit-learn or numpy; None where ties leave the slipped list without one order."""
    if p["ask"] != "neighbours":
        return None
    metric = p["metric"] if slip != "other-metric" else ("manhattan" if p["metric"] == "euclidean" else "euclidean")
    diff = np.array(p["points"]) - np.array(p["query"])
    distance = (diff**2).sum(axis=1) if metric == "euclidean" else np.abs(diff).sum(axis=1)
    size = p["k"] + (slip == "k-plus-one")
    ordered = np.sort(distance)[::-1] if slip == "farthest-points" else np.sort(distance)
    if len(set(ordered[: size + 1])) < len(ordered[: size + 1]):
        return None
    if slip == "other-metric":
        return sklearn_neighbours(p, metric="manhattan" if p["metric"] == "euclidean" else "euclidean")
    if slip == "k-plus-one":
        return sklearn_neighbours(p, k=p["k"] + 1)
    return np.argsort(-distance)[: p["k"]].tolist()  # farthest-points


def test_slips_against_sklearn(check_slips):
    check_slips(instances(), fam.MISTAKES, slipped)


def test_neighbour_slips_always_differ_from_the_answer():
    for inst in instances(60):
        if inst.params["ask"] == "neighbours":
            other = next(m for m in fam.MISTAKES if m.id == "other-metric")
            assert other.answer(inst.typed) not in (None, inst.answer)


@pytest.mark.parametrize(
    "change",
    [
        {"k": 0}, {"k": 9}, {"metric": "cosine"}, {"ask": "distance"}, {"query": [0]}, {"labels": [0, 1]},
        {"points": [[0, 0], [1, 1.5], [2, 2], [3, 3]]},
        {"points": [[1, 0], [0, 1], [3, 0], [0, 3]]},  # the nearest two tie
    ],
)
def test_invalid_params(change):
    params = {"points": [[1, 0], [0, 2], [3, 0], [2, 2]], "labels": [1, 0, 0, 1], "query": [0, 0], "k": 1,
              "metric": "euclidean", "ask": "neighbours"}
    with pytest.raises(InvalidParams):
        solve({**params, **change})


@pytest.mark.parametrize(
    "change, message",
    [
        ({"points": [[1, 0], [0, 2], [3, "0"], [2, 2]]}, "at $.points[2][1]: expected an integer, got '0'"),
        ({"query": [0]}, "at $.query: expected a list of 2, got 1 item(s)"),
        ({"k": 9}, "at $.k: must be from 1 to 4 (the number of points), got 9"),
        ({"labels": [0, 1]}, "at $.labels: must give one class label per point: 2 for 4 points"),
        ({"points": [[1, 0], [0, 1], [3, 0], [0, 3]]}, "at $: two of the k + 1 nearest points are equally far: the neighbours are not unique"),
    ],
)
def test_invalid_params_name_the_path(change, message):
    params = {"points": [[1, 0], [0, 2], [3, 0], [2, 2]], "labels": [1, 0, 0, 1], "query": [0, 0], "k": 1,
              "metric": "euclidean", "ask": "neighbours"}
    with pytest.raises(InvalidParams) as caught:
        solve({**params, **change})
    assert str(caught.value) == message


def test_tied_vote_is_refused():
    params = {"points": [[1, 0], [0, 2], [3, 0], [2, 2]], "labels": [1, 0, 0, 1], "query": [0, 0], "k": 2,
              "metric": "euclidean", "ask": "class"}
    with pytest.raises(InvalidParams):
        solve(params)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 2), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec = load_spec(FAMILY).levels[level]
    inst = make_instance(FAMILY, level, seed)
    p = inst.params
    assert spec["points"][0] <= len(p["points"]) <= spec["points"][1]
    assert p["k"] in spec["k"] and p["metric"] in spec["metrics"]
    coordinates = [c for point in p["points"] + [p["query"]] for c in point]
    assert 0 <= min(coordinates) and max(coordinates) <= spec["extent"]
    assert p["query"] not in p["points"]
    assert fam.ambiguity(p["points"], p["labels"], p["query"], p["k"], p["metric"], p["ask"]) is None
    assert make_instance(FAMILY, level, seed).to_dict() == inst.to_dict()


def test_other_metric_message_quotes_the_pair_that_swaps():
    """Query (0, 0): point 0 at (3, 3) is √18 ≈ 4.243 away (Manhattan 6), point 1 at (5, 0) is 5 (Manhattan 5)."""
    params = {"points": [[3, 3], [5, 0], [9, 9], [8, 7]], "labels": [0, 1, 0, 1], "query": [0, 0], "k": 1,
              "metric": "euclidean", "ask": "neighbours"}
    slip = next(m for m in fam.MISTAKES if m.id == "other-metric")
    params = typed_params(FAMILY, params)
    assert slip.answer(params) == [1]
    assert "point 0 (√18 ≈ 4.243) comes before point 1 (5); by Manhattan distance they swap (6 and 5)" in slip.message(params)
