"""yolo-output: answers against explicit numpy tensors of the output layout."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.families import yolo_output
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "yolo-output"
LEVELS = ("easy", "exam", "hard")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return yolo_output.solve(typed_params(FAMILY, params))


def by_tensor(params: dict) -> int:
    """Lay the prediction out as tensors: per cell B boxes x 5 numbers and C class scores."""
    s, b, c = params["S"], params["B"], params["C"]
    boxes = np.zeros((s, s, b, 5))
    classes = np.zeros((s, s, c))
    output = np.concatenate([boxes.reshape(s, s, b * 5), classes], axis=-1)
    if params["ask"] == "total":
        return output.size
    if params["ask"] == "depth":
        return output.shape[-1]
    return boxes.reshape(-1, 5).shape[0]


def test_tensor_layout_agrees_on_every_level():
    for level in LEVELS:
        for seed in range(100):
            instance = make_instance(FAMILY, level, seed)
            assert instance.answer == by_tensor(instance.params), instance.params


def test_conventions_worked_example():
    # 7 x 7 x (2*5 + 20) = 7 x 7 x 30 = 1470 (CONVENTIONS.md, the course's PASCAL VOC setting)
    base = {"S": 7, "B": 2, "C": 20}
    assert solve({**base, "ask": "total"}).answer == 1470
    assert solve({**base, "ask": "depth"}).answer == 30
    assert solve({**base, "ask": "boxes"}).answer == 98


def test_edge_case_single_cell():
    assert solve({"S": 1, "B": 1, "C": 1, "ask": "total"}).answer == 6
    assert solve({"S": 1, "B": 1, "C": 1, "ask": "boxes"}).answer == 1


@pytest.mark.parametrize(
    "params",
    [{}, {"S": 0, "B": 2, "C": 20, "ask": "total"}, {"S": 7, "B": 2, "C": 20, "ask": "anchors"},
     {"S": 7, "B": True, "C": 20, "ask": "total"}, {"S": 7.0, "B": 2, "C": 20, "ask": "total"},
     {"S": 7, "B": 2, "ask": "total"}],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"S": 7, "B": "2", "C": 20, "ask": "total"}, "at $.B: expected an integer, got '2'"),
        ({"S": 0, "B": 2, "C": 20, "ask": "total"}, "at $.S: must be at least 1, got 0"),
        ({"S": 7, "B": 2, "C": 20, "ask": "anchors"}, "at $.ask: expected one of 'total', 'depth', 'boxes', got 'anchors'"),
        ({"S": 7, "B": 2, "ask": "total"}, "at $: missing 'C'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec_level = load_spec(FAMILY).levels[level]
    instance = make_instance(FAMILY, level, seed)
    params = instance.params
    assert params["S"] in spec_level["S"] and params["B"] in spec_level["B"] and params["C"] in spec_level["C"]
    assert params["ask"] in spec_level["asks"]
    assert 1 <= instance.answer <= spec_level["max_answer"]
    assert f"{params['S']} x {params['S']}" in instance.question
    assert make_instance(FAMILY, level, seed).to_dict() == instance.to_dict()


def slipped_tensor(params: dict, slip: str) -> int | None:
    """The wrong layouts, built as tensors: what each catalogued slip would count."""
    s, b, c, ask = params["S"], params["B"], params["C"], params["ask"]
    rows = s if slip == "grid-not-squared" else s * s  # cells as a flat list
    if slip == "classes-per-box":
        cell = np.zeros((b, 5 + c)).reshape(-1)
    elif slip == "no-confidence":
        cell = np.concatenate([np.zeros((b, 4)).reshape(-1), np.zeros(c)])
    else:
        cell = np.concatenate([np.zeros((b, 5)).reshape(-1), np.zeros(c)])
    output = np.zeros((rows, cell.size))
    if ask == "boxes":
        return None if slip != "grid-not-squared" else np.zeros((rows, b)).size
    if ask == "depth":
        return None if slip == "grid-not-squared" else output.shape[-1]
    return output.size


def test_each_slip_counts_its_own_wrong_layout():
    from mli_drill.problems.families.yolo_output import MISTAKES

    for level in LEVELS:
        for seed in range(60):
            instance = make_instance(FAMILY, level, seed)
            params = instance.params
            for mistake in MISTAKES:
                assert mistake.answer(instance.typed) == slipped_tensor(params, mistake.id), (mistake.id, params)


def test_slip_messages_quote_the_instance():
    from mli_drill.problems.families.yolo_output import MISTAKES

    params = typed_params(FAMILY, {"S": 7, "B": 2, "C": 20, "ask": "total"})
    messages = {m.id: m.message(params) for m in MISTAKES}
    assert "2·(5 + 20) = 50" in messages["classes-per-box"] and "= 30" in messages["classes-per-box"]
    assert "2·5 + 20 = 30" in messages["no-confidence"]
    assert "7·7 = 49" in messages["grid-not-squared"]
