"""receptive-field: the reference answer against brute force (set propagation) and torch (delta inputs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.families import receptive_field
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "receptive-field"
LEVELS = ("easy", "exam", "hard")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return receptive_field.solve(typed_params(FAMILY, params))


def conv(k: int, s: int = 1, d: int = 1) -> dict:
    return {"type": "conv", "kernel": k, "stride": s, "dilation": d}


def pool(k: int, s: int | None = None) -> dict:
    return {"type": "pool", "kernel": k, "stride": k if s is None else s, "dilation": 1}


def instances(count_per_level: int):
    for level in LEVELS:
        for seed in range(count_per_level):
            yield make_instance(FAMILY, level, seed)


def span_by_set_propagation(layers: list[dict]) -> int:
    """Walk back from one output unit, collecting every position that feeds it, layer by layer.

    A unit u of a layer's output reads input positions u*s + t*d, t = 0..k-1
    (no padding). The set at the image is the support; its span is the answer.
    """
    positions = np.array([0])
    for layer in reversed(layers):
        taps = np.arange(layer["kernel"]) * layer["dilation"]
        positions = np.unique((positions[:, None] * layer["stride"] + taps[None, :]).ravel())
    return int(positions.max() - positions.min() + 1)


def test_brute_force_agrees_on_every_level():
    """Always runs: 3 x 100 instances against the independent set propagation."""
    for instance in instances(100):
        assert instance.answer == span_by_set_propagation(instance.params["layers"]), instance.params


def _torch_stack(torch, layers: list[dict], dims: int):
    nn = torch.nn
    modules = []
    for layer in layers:
        k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
        if layer["type"] == "conv":
            cls = nn.Conv1d if dims == 1 else nn.Conv2d
            module = cls(1, 1, k, stride=s, dilation=d, padding=0, bias=False)
            with torch.no_grad():
                module.weight.fill_(1.0)
        else:
            cls = nn.MaxPool1d if dims == 1 else nn.MaxPool2d
            module = cls(k, stride=s, dilation=d, padding=0)
        modules.append(module)
    return nn.Sequential(*modules).double()


def _torch_span_1d(torch, layers: list[dict], answer: int) -> int:
    """One delta per batch item; the centre output unit is non-zero exactly for deltas inside its field.

    All-ones weights and a non-negative input make every conv and max-pool
    output positive iff some input in its window is, so nothing cancels.
    Square kernels act on each axis separately, so one axis (Conv1d/MaxPool1d) suffices.
    """
    length = 2 * answer + 8  # the centre unit's field lies inside; were it clipped, the span would come out short
    deltas = torch.eye(length).unsqueeze(1)
    with torch.no_grad():
        out = _torch_stack(torch, layers, 1).float()(deltas)
    centre = out.shape[-1] // 2
    hit = torch.nonzero(out[:, 0, centre] > 0).ravel()
    return int(hit.max() - hit.min() + 1)


def test_torch_delta_response_agrees():
    torch = pytest.importorskip("torch")
    for instance in instances(80):
        layers = instance.params["layers"]
        assert _torch_span_1d(torch, layers, instance.answer) == instance.answer, layers


def test_torch_2d_gradient_on_easy_stacks():
    """The same with Conv2d/MaxPool2d: one delta per batch item along the image diagonal.

    The field is a square (the same set of rows as of columns), so a diagonal
    pixel (t, t) reaches the centre unit iff t is in that set.
    """
    torch = pytest.importorskip("torch")
    for seed in range(20):
        instance = make_instance(FAMILY, "easy", seed)
        layers, answer = instance.params["layers"], instance.answer
        size = 2 * answer + 6
        deltas = torch.zeros(size, 1, size, size, dtype=torch.float64)
        idx = torch.arange(size)
        deltas[idx, 0, idx, idx] = 1.0
        with torch.no_grad():
            out = _torch_stack(torch, layers, 2)(deltas)
        centre = out.shape[-1] // 2
        hit = torch.nonzero(out[:, 0, centre, centre] > 0).ravel()
        assert int(hit.max() - hit.min() + 1) == answer, layers


def test_course_worked_example():
    # CONVENTIONS.md: conv5, pool2, conv5, pool2, conv5 (stride-1 convs) -> 32
    layers = [conv(5), pool(2), conv(5), pool(2), conv(5)]
    assert solve({"layers": layers}).answer == 32
    assert span_by_set_propagation(layers) == 32


def test_course_notes_example():
    # The notes: from the output back, k=3, then k=2 s=2, then k=3 s=1 -> "3 + 5 = 8".
    assert solve({"layers": [conv(3), conv(2, 2), conv(3)]}).answer == 8


@pytest.mark.parametrize(
    "layers, expected",
    [
        ([conv(1)], 1),
        ([conv(3)], 3),
        ([conv(3, d=2)], 5),  # taps at 0, 2, 4: span 5 with gaps
        ([conv(3, s=4)], 3),  # the last stride does not widen one unit's field
        ([conv(3, s=2), conv(3, d=2)], 11),
        ([pool(2), pool(2), pool(2)], 8),
        ([conv(3), pool(3, 2), conv(3)], 9),
    ],
)
def test_edge_cases(layers, expected):
    assert solve({"layers": layers}).answer == expected
    assert span_by_set_propagation(layers) == expected


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"layers": []},
        {"layers": "conv"},
        {"layers": [conv(0)]},
        {"layers": [conv(3, s=0)]},
        {"layers": [conv(3, d=0)]},
        {"layers": [{"type": "fc", "kernel": 3, "stride": 1, "dilation": 1}]},
        {"layers": [{"type": "conv", "kernel": 3, "stride": 1}]},
        {"layers": [{"type": "conv", "kernel": "3", "stride": 1, "dilation": 1}]},
        {"layers": [{"type": "conv", "kernel": True, "stride": 1, "dilation": 1}]},
        {"layers": [{"type": "conv", "kernel": 2.5, "stride": 1, "dilation": 1}]},
        {"layers": [[3, 1, 1]]},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"layers": [conv(3), {"type": "conv", "kernel": "3", "stride": 1, "dilation": 1}]}, "at $.layers[1].kernel: expected an integer, got '3'"),
        ({"layers": [conv(3, s=0)]}, "at $.layers[0].stride: must be at least 1, got 0"),
        ({"layers": [{"type": "fc", "kernel": 3, "stride": 1, "dilation": 1}]}, "at $.layers[0].type: expected one of 'conv', 'pool', got 'fc'"),
        ({"layers": [{"type": "conv", "kernel": 3, "stride": 1, "dilaton": 1}]}, "at $.layers[0]: unknown key 'dilaton' (did you mean 'dilation'?)"),
        ({"layers": []}, "at $.layers: must list at least one layer"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_solution_shows_each_layer():
    solution = solve({"layers": [conv(5), pool(2), conv(5), pool(2), conv(5)]})
    text = "\n".join(solution.steps)
    for fragment in ("r = 1 + (5 - 1)·1·1 = 5", "r = 6 + (5 - 1)·1·2 = 14", "r = 16 + (5 - 1)·1·4 = 32"):
        assert fragment in text
    assert "32" in solution.steps[-1]


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec_level = load_spec(FAMILY).levels[level]
    instance = make_instance(FAMILY, level, seed)
    layers = instance.params["layers"]
    low, high = spec_level["layers"]
    assert low <= len(layers) <= high
    assert layers[0]["type"] == "conv"
    for layer in layers:
        assert set(layer) == {"type", "kernel", "stride", "dilation"}
        if layer["type"] == "pool":
            assert layer["dilation"] == 1 and 1 <= layer["stride"] <= layer["kernel"]
    assert any(layer["stride"] > 1 for layer in layers[:-1])  # the jump matters
    assert 1 < instance.answer <= spec_level["max_answer"]
    assert make_instance(FAMILY, level, seed).to_dict() == instance.to_dict()
    fields = receptive_field.question_fields(instance.typed)
    assert fields["layers"].count("\n") == len(layers) - 1
    assert str(len(layers)) in instance.question


def test_two_slips_never_give_the_same_wrong_value():
    """Exam seed 21 had ignores-dilation = ignores-stride = 17 (answer 19): a typed 17 named both slips.
    The sampler prefers draws where each slip that changes the answer has its own value."""
    from mli_drill.problems.mistakes import catalogue

    for level in ("easy", "exam", "hard"):
        for seed in range(200):
            inst = make_instance(FAMILY, level, seed)
            wrong = [v for m in catalogue(FAMILY) if (v := m.answer(inst.typed)) != inst.answer]
            assert len(set(wrong)) == len(wrong), (level, seed, inst.params)
