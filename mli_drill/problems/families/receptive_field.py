"""Receptive field of one unit of the last layer of a conv/pool stack.

The course's rule (CONVENTIONS.md): start with ``r = 1`` (one input pixel) and
``j = 1`` (the jump: distance in input pixels between neighbouring units);
for each layer ``r += (k - 1) * d * j`` and then ``j *= s``. Pooling layers are
ordinary (k, s) windows. The answer is the *span* from the first to the last
input pixel that can influence the unit, so gaps left by dilation count.

Params (JSON), typed as :class:`Params`::

    {"layers": [{"type": "conv" | "pool", "kernel": int, "stride": int, "dilation": int}, ...]}
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import informative, prefer_informative

LayerType = Literal["conv", "pool"]


@dataclass(frozen=True)
class Layer:
    type: LayerType
    kernel: int
    stride: int
    dilation: int

    def __post_init__(self) -> None:
        for name in ("kernel", "stride", "dilation"):
            require(getattr(self, name) >= 1, name, f"must be at least 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class Params:
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        require(len(self.layers) > 0, "layers", "must list at least one layer")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    layers: tuple[int, int] = (3, 5)  # [min, max] number of layers (the first is always a conv)
    conv_kernels: tuple[int, ...] = (3,)  # choices for conv layers
    conv_strides: tuple[int, ...] = (1,)
    conv_dilations: tuple[int, ...] = (1,)
    pool_kernels: tuple[int, ...] = (2,)  # choices for max-pool layers (stride <= kernel), dilation 1
    pool_strides: tuple[int, ...] = (2,)
    pool_probability: float = 0.3  # chance that a layer after the first is a max-pool
    max_answer: int = 100  # largest receptive field accepted (keeps it hand-workable)
    need_jump: bool = True  # require a stride > 1 before the last layer

    def __post_init__(self) -> None:
        require(1 <= self.layers[0] <= self.layers[1], "layers", "must be [min, max] with 1 <= min <= max")
        require(0 <= self.pool_probability <= 1, "pool_probability", "must be between 0 and 1")
        for name in ("conv_kernels", "conv_strides", "conv_dilations", "pool_kernels", "pool_strides"):
            choices = getattr(self, name)
            require(bool(choices) and min(choices) >= 1, name, "must be a non-empty list of integers >= 1")


def receptive_field(layers: Sequence[Layer]) -> int:
    """The span r of the last layer's unit, by the r/j recurrence."""
    r, j = 1, 1
    for layer in layers:
        r += (layer.kernel - 1) * layer.dilation * j
        j *= layer.stride
    return r


def _recurrence(layers: Sequence[Layer], dilation: bool = True, stride: bool = True, stride_first: bool = False) -> int:
    """The r/j recurrence with one step optionally done wrong (for the mistake catalogue)."""
    r, j = 1, 1
    for layer in layers:
        d = layer.dilation if dilation else 1
        if stride_first and stride:
            j *= layer.stride
        r += (layer.kernel - 1) * d * j
        if stride and not stride_first:
            j *= layer.stride
    return r


def _first_dilated(layers: Sequence[Layer]) -> Layer | None:
    return next((layer for layer in layers if layer.dilation > 1), None)


def _ignores_dilation(params: Params) -> int | None:
    return _recurrence(params.layers, dilation=False) if _first_dilated(params.layers) else None


def _ignores_dilation_message(params: Params) -> str:
    layer = _first_dilated(params.layers) or Layer("conv", 3, 1, 1)
    k, d = layer.kernel, layer.dilation
    return (
        f"you left out the dilation: with d = {d} a {k}-wide kernel spans ({k}−1)·{d}+1 = {(k - 1) * d + 1} pixels, "
        f"so it adds (k−1)·d·j, not (k−1)·j"
    )


def _ignores_stride_message(params: Params) -> str:
    layers = params.layers
    strided = next((i for i, layer in enumerate(layers[:-1]) if layer.stride > 1), 0)
    s = layers[strided].stride
    return (
        f"you never grew the jump: after layer {strided + 1} (s = {s}) neighbouring units are {s}× further apart "
        f"in the input, so every later layer adds (k−1)·d·j with j = the product of the earlier strides"
    )


def _stride_applied_early_message(params: Params) -> str:
    layers = params.layers
    index = next((i for i, layer in enumerate(layers) if layer.stride > 1), 0)
    j = 1
    for layer in layers[:index]:
        j *= layer.stride
    k, s, d = layers[index].kernel, layers[index].stride, layers[index].dilation
    return (
        f"you multiplied the jump by a layer's own stride before adding its span: layer {index + 1} adds "
        f"({k}−1)·{d}·{j} = {(k - 1) * d * j} with the jump it receives, and only then j becomes {j}·{s} = {j * s}"
    )


MISTAKES = (
    Mistake("ignores-dilation", _ignores_dilation, _ignores_dilation_message),
    Mistake("ignores-stride", lambda params: _recurrence(params.layers, stride=False), _ignores_stride_message),
    Mistake(
        "stride-applied-early",
        lambda params: _recurrence(params.layers, stride_first=True),
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


def _layer_name(layer: Layer, index: int) -> str:
    return f"{index + 1}. {'conv' if layer.type == 'conv' else 'max-pool'}"


def solve(params: Params) -> Solution:
    layers = params.layers
    header: list[object] = ["layer", "k", "s", "d", "j before", "r after"]
    rows: list[list[object]] = [header]
    arithmetic = []
    r, j = 1, 1
    for index, layer in enumerate(layers):
        k, s, d = layer.kernel, layer.stride, layer.dilation
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
    if layers[-1].stride != 1:
        steps[-1] += " (The last layer's stride only spaces its units apart; it does not widen one unit's field.)"
    return Solution(answer=r, steps=steps)


def question_fields(params: Params) -> dict[str, str]:
    layers = params.layers
    lines = []
    for index, layer in enumerate(layers):
        if layer.type == "conv":
            lines.append(f"  {index + 1}. conv      k={layer.kernel}, s={layer.stride}, d={layer.dilation}")
        else:
            dilation = f", d={layer.dilation}" if layer.dilation != 1 else ""
            lines.append(f"  {index + 1}. max-pool  k={layer.kernel}, s={layer.stride}{dilation}")
    return {"layers": "\n".join(lines), "count": str(len(layers))}


def _sample_layer(rng: random.Random, level: Level, first: bool) -> Layer:
    if not first and rng.random() < level.pool_probability:
        kernel = rng.choice(level.pool_kernels)
        stride = rng.choice([s for s in level.pool_strides if s <= kernel] or [kernel])
        return Layer("pool", kernel, stride, 1)
    return Layer("conv", rng.choice(level.conv_kernels), rng.choice(level.conv_strides), rng.choice(level.conv_dilations))


def _acceptable(layers: list[Layer], level: Level) -> bool:
    """Reject stacks too big to work by hand, or too trivial to drill the jump."""
    if receptive_field(layers) > level.max_answer:
        return False
    if level.need_jump and all(layer.stride == 1 for layer in layers[:-1]):
        return False  # no stride before the last layer: j stays 1 and nothing is learned about jumps
    return True


def sample(rng: random.Random, level: Level) -> Params:
    """Prefers a draw where each slip that changes the answer gives its own value: when the only dilated
    layer comes after the only stride, ignoring either gives the same number, and both would be named."""
    return prefer_informative(lambda: _draw(rng, level), _slips_apart)


def _slips_apart(params: Params) -> bool:
    answer = solve(params).answer
    return informative(answer, [value for m in MISTAKES if (value := m.answer(params)) != answer])


def _draw(rng: random.Random, level: Level) -> Params:
    low, high = level.layers
    rejections = Rejections()
    while True:
        count = rng.randint(low, high)
        layers = [_sample_layer(rng, level, first=(i == 0)) for i in range(count)]
        if _acceptable(layers, level):
            return Params(tuple(layers))
        rejections.again()
