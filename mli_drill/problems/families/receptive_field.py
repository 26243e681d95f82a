"""Receptive field of one unit of the last layer of a conv/pool stack.

The course's rule (CONVENTIONS.md): start with ``r = 1`` (one input pixel) and
``j = 1`` (the jump: distance in input pixels between neighbouring units);
for each layer ``r += (k - 1) * d * j`` and then ``j *= s``. Pooling layers are
ordinary (k, s) windows. The answer is the *span* from the first to the last
input pixel that can influence the unit, so gaps left by dilation count.

Params (JSON)::

    {"layers": [{"type": "conv" | "pool", "kernel": int, "stride": int, "dilation": int}, ...]}
"""

from __future__ import annotations

import random
from typing import Any

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import informative, prefer_informative

LAYER_TYPES = ("conv", "pool")


def _int_field(layer: dict[str, Any], name: str, index: int, minimum: int) -> int:
    value = layer.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParams(f"layer {index + 1}: {name!r} must be an integer >= {minimum}, got {value!r}")
    return value


def _checked_layers(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The layers of ``params`` validated (so solve() fails clearly on hand-written input)."""
    layers = params.get("layers") if isinstance(params, dict) else None
    if not isinstance(layers, list) or not layers:
        raise InvalidParams("'layers' must be a non-empty list of layers")
    checked = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, dict):
            raise InvalidParams(f"layer {index + 1} must be a mapping")
        kind = layer.get("type")
        if kind not in LAYER_TYPES:
            raise InvalidParams(f"layer {index + 1}: type must be one of {', '.join(LAYER_TYPES)}, got {kind!r}")
        checked.append(
            {
                "type": kind,
                "kernel": _int_field(layer, "kernel", index, 1),
                "stride": _int_field(layer, "stride", index, 1),
                "dilation": _int_field(layer, "dilation", index, 1),
            }
        )
    return checked


def receptive_field(layers: list[dict[str, Any]]) -> int:
    """The span r of the last layer's unit, by the r/j recurrence."""
    r, j = 1, 1
    for layer in layers:
        r += (layer["kernel"] - 1) * layer["dilation"] * j
        j *= layer["stride"]
    return r


def _recurrence(layers: list[dict[str, Any]], dilation: bool = True, stride: bool = True, stride_first: bool = False) -> int:
    """The r/j recurrence with one step optionally done wrong (for the mistake catalogue)."""
    r, j = 1, 1
    for layer in layers:
        d = layer["dilation"] if dilation else 1
        if stride_first and stride:
            j *= layer["stride"]
        r += (layer["kernel"] - 1) * d * j
        if stride and not stride_first:
            j *= layer["stride"]
    return r


def _first_dilated(layers: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((layer for layer in layers if layer["dilation"] > 1), None)


def _ignores_dilation(params: dict[str, Any]) -> int | None:
    layers = _checked_layers(params)
    return _recurrence(layers, dilation=False) if _first_dilated(layers) else None


def _ignores_dilation_message(params: dict[str, Any]) -> str:
    layer = _first_dilated(_checked_layers(params)) or {"kernel": 3, "dilation": 1}
    k, d = layer["kernel"], layer["dilation"]
    return (
        f"you left out the dilation: with d = {d} a {k}-wide kernel spans ({k}−1)·{d}+1 = {(k - 1) * d + 1} pixels, "
        f"so it adds (k−1)·d·j, not (k−1)·j"
    )


def _ignores_stride_message(params: dict[str, Any]) -> str:
    layers = _checked_layers(params)
    strided = next((i for i, layer in enumerate(layers[:-1]) if layer["stride"] > 1), 0)
    s = layers[strided]["stride"]
    return (
        f"you never grew the jump: after layer {strided + 1} (s = {s}) neighbouring units are {s}× further apart "
        f"in the input, so every later layer adds (k−1)·d·j with j = the product of the earlier strides"
    )


def _stride_applied_early_message(params: dict[str, Any]) -> str:
    layers = _checked_layers(params)
    index = next((i for i, layer in enumerate(layers) if layer["stride"] > 1), 0)
    j = 1
    for layer in layers[:index]:
        j *= layer["stride"]
    k, s, d = layers[index]["kernel"], layers[index]["stride"], layers[index]["dilation"]
    return (
        f"you multiplied the jump by a layer's own stride before adding its span: layer {index + 1} adds "
        f"({k}−1)·{d}·{j} = {(k - 1) * d * j} with the jump it receives, and only then j becomes {j}·{s} = {j * s}"
    )


MISTAKES = (
    Mistake("ignores-dilation", _ignores_dilation, _ignores_dilation_message),
    Mistake("ignores-stride", lambda params: _recurrence(_checked_layers(params), stride=False), _ignores_stride_message),
    Mistake(
        "stride-applied-early",
        lambda params: _recurrence(_checked_layers(params), stride_first=True),
        _stride_applied_early_message,
    ),
)


def _table(rows: list[list[object]]) -> str:
    """Rows as text, each column aligned to its own width: the name column left, numbers right."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(len(row[c]) for row in cells) for c in range(len(cells[0]))]
    return "\n".join(
        "  ".join(cell.ljust(widths[c]) if c == 0 else cell.rjust(widths[c]) for c, cell in enumerate(row))
        for row in cells
    )


def _layer_name(layer: dict[str, Any], index: int) -> str:
    return f"{index + 1}. {'conv' if layer['type'] == 'conv' else 'max-pool'}"


def solve(params: dict[str, Any]) -> Solution:
    layers = _checked_layers(params)
    header: list[object] = ["layer", "k", "s", "d", "j before", "r after"]
    rows: list[list[object]] = [header]
    arithmetic = []
    r, j = 1, 1
    for index, layer in enumerate(layers):
        k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
        new_r = r + (k - 1) * d * j
        arithmetic.append(f"{_layer_name(layer, index)}: r = {r} + ({k} - 1)·{d}·{j} = {new_r}, then j = {j}·{s} = {j * s}")
        rows.append([_layer_name(layer, index), k, s, d, j, new_r])
        r, j = new_r, j * s
    steps = [
        "Start with r = 1 (one input pixel) and jump j = 1. For each layer in order: "
        "r ← r + (k − 1)·d·j, then j ← j·s. (j is how many input pixels apart neighbouring units of the "
        "layer's input are; a pooling layer is a (k, s) window with d = 1.)",
        "\n".join(arithmetic),
        _table(rows),
        f"The receptive field of one unit of the last layer is {r} input pixels (along each axis: {r} x {r}).",
    ]
    if layers[-1]["stride"] != 1:
        steps[-1] += " (The last layer's stride only spaces its units apart; it does not widen one unit's field.)"
    return Solution(answer=r, steps=steps)


def question_fields(params: dict[str, Any]) -> dict[str, str]:
    layers = _checked_layers(params)
    lines = []
    for index, layer in enumerate(layers):
        if layer["type"] == "conv":
            lines.append(
                f"  {index + 1}. conv      k={layer['kernel']}, s={layer['stride']}, d={layer['dilation']}"
            )
        else:
            dilation = f", d={layer['dilation']}" if layer["dilation"] != 1 else ""
            lines.append(f"  {index + 1}. max-pool  k={layer['kernel']}, s={layer['stride']}{dilation}")
    return {"layers": "\n".join(lines), "count": str(len(layers))}


def _sample_layer(rng: random.Random, level: dict[str, Any], first: bool) -> dict[str, Any]:
    if not first and rng.random() < float(level.get("pool_probability", 0.3)):
        kernel = rng.choice(level.get("pool_kernels", [2]))
        stride = rng.choice([s for s in level.get("pool_strides", [2]) if s <= kernel] or [kernel])
        return {"type": "pool", "kernel": kernel, "stride": stride, "dilation": 1}
    return {
        "type": "conv",
        "kernel": rng.choice(level.get("conv_kernels", [3])),
        "stride": rng.choice(level.get("conv_strides", [1])),
        "dilation": rng.choice(level.get("conv_dilations", [1])),
    }


def _acceptable(layers: list[dict[str, Any]], level: dict[str, Any]) -> bool:
    """Reject stacks too big to work by hand, or too trivial to drill the jump."""
    if receptive_field(layers) > int(level.get("max_answer", 100)):
        return False
    if level.get("need_jump", True) and all(layer["stride"] == 1 for layer in layers[:-1]):
        return False  # no stride before the last layer: j stays 1 and nothing is learned about jumps
    return True


def sample(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    """Prefers a draw where each slip that changes the answer gives its own value: when the only dilated
    layer comes after the only stride, ignoring either gives the same number, and both would be named."""
    return prefer_informative(lambda: _draw(rng, level), _slips_apart)


def _slips_apart(params: dict[str, Any]) -> bool:
    answer = solve(params).answer
    return informative(answer, [value for m in MISTAKES if (value := m.answer(params)) != answer])


def _draw(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    low, high = level.get("layers", [3, 5])
    rejections = Rejections()
    while True:
        count = rng.randint(low, high)
        layers = [_sample_layer(rng, level, first=(i == 0)) for i in range(count)]
        if _acceptable(layers, level):
            return {"layers": layers}
        rejections.again()
