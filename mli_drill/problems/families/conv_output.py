"""Output size after a chain of convolution, max-pooling and transposed-convolution layers.

Formulas (CONVENTIONS.md, torch semantics):

* conv / pool:  ``o = floor((i + 2p - d(k-1) - 1) / s) + 1``;
* pool with ``ceil_mode``: ``o = ceil(...) + 1``, minus 1 if ``(o-1)s >= i + p``
  (the last window must start inside the input or the left padding);
* transposed:   ``o = (i-1)s - 2p + d(k-1) + output_padding + 1``.

Params (JSON), typed as :class:`Params`::

    {"input": int,
     "layers": [{"type": "conv" | "pool" | "transposed", "kernel": int, "stride": int,
                 "padding": int, "dilation": int, "output_padding": int, "ceil_mode": bool}, ...]}

Every key is present on every layer; keys a layer type does not use hold
their neutral value (output_padding 0 except for transposed, ceil_mode false
except for pool). :class:`Layer` checks each layer against torch's own rules
and :class:`Params` that every size along the chain is at least 1.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Literal, NamedTuple

from mli_drill.problems.families.base import FieldError, Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import informative, prefer_informative

LayerType = Literal["conv", "pool", "transposed"]
TORCH_NAMES = {"conv": "Conv2d", "pool": "MaxPool2d", "transposed": "ConvTranspose2d"}


@dataclass(frozen=True)
class Layer:
    type: LayerType
    kernel: int
    stride: int
    padding: int
    dilation: int
    output_padding: int
    ceil_mode: bool

    def __post_init__(self) -> None:
        # Checked on every drawn layer, so each message is written only when its check fails.
        k, s, p, d, op = self.kernel, self.stride, self.padding, self.dilation, self.output_padding
        if k < 1:
            raise FieldError("kernel", f"must be at least 1, got {k}")
        if s < 1:
            raise FieldError("stride", f"must be at least 1, got {s}")
        if p < 0:
            raise FieldError("padding", f"must be at least 0, got {p}")
        if d < 1:
            raise FieldError("dilation", f"must be at least 1, got {d}")
        if op < 0:
            raise FieldError("output_padding", f"must be at least 0, got {op}")
        if self.type == "transposed":
            if op >= max(s, d):
                raise FieldError("output_padding", f"torch requires output_padding < max(stride, dilation), got {op}")
        elif op != 0:
            raise FieldError("output_padding", "only applies to a transposed convolution")
        if self.type == "pool":
            if p > k // 2:
                raise FieldError("padding", f"torch requires pooling padding <= kernel/2, got padding {p} for kernel {k}")
        elif self.ceil_mode:
            raise FieldError("ceil_mode", "only applies to max-pooling")


@dataclass(frozen=True)
class Params:
    input: int
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        require(self.input >= 1, "input", f"must be at least 1, got {self.input}")
        require(len(self.layers) > 0, "layers", "must list at least one layer")
        size = self.input
        for index, layer in enumerate(self.layers):
            out = layer_size(size, layer).out
            if out < 1:  # (not require: the message would be written for every drawn instance)
                raise FieldError(f"layers[{index}]", f"{describe_layer(layer)} gives output size {out} from {size}")
            size = out


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    input: tuple[int, int] = (8, 32)  # [min, max] side of the square input
    layers: tuple[int, int] = (1, 1)  # [min, max] number of layers
    types: tuple[LayerType, ...] = ("conv", "pool", "transposed")  # layer types to draw from (repeat one to make it likelier)
    conv_kernels: tuple[int, ...] = (3, 5)  # conv choices (padding 0 .. half the effective kernel)
    conv_strides: tuple[int, ...] = (1, 2)
    conv_dilations: tuple[int, ...] = (1,)
    pool_kernels: tuple[int, ...] = (2, 3)  # max-pool choices (a stride above the kernel is not drawn)
    pool_strides: tuple[int, ...] = (2,)
    pool_padding_probability: float = 0.3  # chance a max-pool has padding 0 .. k//2 (else 0)
    ceil_probability: float = 0.0  # chance a max-pool uses ceil_mode (only kept where ceil and floor differ)
    transposed_kernels: tuple[int, ...] = (2, 3, 4)  # transposed-conv choices
    transposed_strides: tuple[int, ...] = (2,)  # (padding 0 .. min(d(k-1), 2), output_padding 0 .. max(s, d) - 1)
    transposed_dilations: tuple[int, ...] = (1,)
    max_size: int = 128  # largest size allowed after any layer

    def __post_init__(self) -> None:
        require(1 <= self.input[0] <= self.input[1], "input", "must be [min, max] with 1 <= min <= max")
        require(1 <= self.layers[0] <= self.layers[1], "layers", "must be [min, max] with 1 <= min <= max")
        require(len(self.types) > 0, "types", "must list at least one layer type")
        for name in ("conv_kernels", "conv_strides", "conv_dilations", "pool_kernels", "pool_strides",
                     "transposed_kernels", "transposed_strides", "transposed_dilations"):
            choices = getattr(self, name)
            require(bool(choices) and min(choices) >= 1, name, "must be a non-empty list of integers >= 1")
        for name in ("pool_padding_probability", "ceil_probability"):
            require(0 <= getattr(self, name) <= 1, name, "must be between 0 and 1")
        require(self.max_size >= 1, "max_size", f"must be at least 1, got {self.max_size}")


# ---------------------------------------------------------------- formulas

# The slips of the mistake catalogue, each a way of doing one step of the layer
# formulas wrong (see MISTAKES): the solver is layer_size(..., slip=None).
FORGOT_PLUS_ONE = "forgot-plus-one"
PADDING_ONE_SIDE = "padding-one-side"
IGNORES_DILATION = "ignores-dilation"
CONV_FORMULA_FOR_TRANSPOSED = "conv-formula-for-transposed"
ROUNDING_SWAPPED = "rounding-swapped"


def _floor_div(a: int, b: int) -> int:
    return a // b


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


class LayerSize(NamedTuple):
    """One layer's size formula with the numbers substituted, as a tutor writes it.

    ``substituted`` is the formula with this layer's numbers ("floor((20 + 2·1 −
    1·(3 − 1) − 1)/2) + 1"), ``reduced`` the same after the arithmetic inside
    the rounding ("floor(19/2) + 1"; None for the transposed formula, which has
    no rounding). In ceil mode ``last_start`` is where the last window starts,
    checked against ``limit`` = i + p; ``dropped`` says torch dropped it.

    The texts are written when read: the sampler's informative check computes
    every slip's sizes and reads only ``out`` (a named tuple for the same reason:
    it is made faster than a frozen dataclass).
    """

    out: int
    size: int
    layer: Layer
    slip: str | None
    numerator: int | None  # inside the rounding; None for the transposed formula
    ceil: bool
    before_drop: int
    last_start: int | None = None
    limit: int | None = None
    dropped: bool = False

    @property
    def _numbers(self) -> tuple[int, int, int, str, str, str]:
        """k, s, d and the texts of the padding term and of the +1, with the slip made."""
        layer, slip = self.layer, self.slip
        d = 1 if slip == IGNORES_DILATION else layer.dilation
        p = layer.padding
        pad_symbol, pad_text = ("p", f"{p}") if slip == PADDING_ONE_SIDE else ("2p", f"2·{p}")
        one_text = "" if slip == FORGOT_PLUS_ONE else " + 1"
        return layer.kernel, layer.stride, d, pad_symbol, pad_text, one_text

    @property
    def symbolic(self) -> str:
        _, _, _, pad_symbol, _, one_text = self._numbers
        if self.numerator is None:
            return f"(i − 1)·s − {pad_symbol} + d(k − 1) + output_padding{one_text}"
        return f"{self._rounding}((i + {pad_symbol} − d(k − 1) − 1)/s){one_text}"

    @property
    def substituted(self) -> str:
        k, s, d, _, pad_text, one_text = self._numbers
        if self.numerator is None:
            return f"({self.size} − 1)·{s} − {pad_text} + {d}·({k} − 1) + {self.layer.output_padding}{one_text}"
        return f"{self._rounding}(({self.size} + {pad_text} − {d}·({k} − 1) − 1)/{s}){one_text}"

    @property
    def reduced(self) -> str | None:
        if self.numerator is None:
            return None
        _, s, _, _, _, one_text = self._numbers
        return f"{self._rounding}({self.numerator}/{s}){one_text}"

    @property
    def _rounding(self) -> str:
        return "ceil" if self.ceil else "floor"

    def working(self) -> str:
        """'floor((…)/2) + 1 = floor(19/2) + 1 = 10': the substitution and its value, on one line."""
        text = self.substituted + (f" = {self.reduced}" if self.reduced else "") + f" = {self.before_drop}"
        return text + (f", minus the dropped last window = {self.out}" if self.dropped else "")


def layer_size(size: int, layer: Layer, slip: str | None = None) -> LayerSize:
    """The output size of one layer by torch's formula, or with one catalogued slip made.

    Sharing one computation between the solver and its slips keeps each slip
    exactly "the solver with one step done wrong".
    """
    k, s, p = layer.kernel, layer.stride, layer.padding
    d = 1 if slip == IGNORES_DILATION else layer.dilation
    pad = p if slip == PADDING_ONE_SIDE else 2 * p
    one = 0 if slip == FORGOT_PLUS_ONE else 1
    if layer.type == "transposed" and slip != CONV_FORMULA_FOR_TRANSPOSED:
        out = (size - 1) * s - pad + d * (k - 1) + layer.output_padding + one
        return LayerSize(out, size, layer, slip, None, False, out)
    numerator = size + pad - d * (k - 1) - 1
    ceil_mode = layer.type == "pool" and layer.ceil_mode
    ceil = not ceil_mode if slip == ROUNDING_SWAPPED else ceil_mode
    rounded = _ceil_div(numerator, s) if ceil else _floor_div(numerator, s)
    before = rounded + one
    if not (ceil_mode and ceil):
        return LayerSize(before, size, layer, slip, numerator, ceil, before)  # torch's last-window check belongs to ceil_mode (a swapped rounding skips it)
    # The window after the `rounded` full steps starts at rounded·s; torch drops it when it
    # starts in the right padding. (Dropping depends on the windows, not on the +1.)
    last_start, limit = rounded * s, size + p
    dropped = last_start >= limit
    return LayerSize(before - dropped, size, layer, slip, numerator, ceil, before, last_start, limit, dropped)


def layer_output(size: int, layer: Layer) -> tuple[int, str]:
    """The output size of one layer, and the formula with the numbers substituted."""
    step = layer_size(size, layer)
    text = f"o = {step.symbolic} = {step.substituted}"
    if step.reduced:
        text += f" = {step.reduced}"
    text += f" = {step.before_drop}"
    if step.last_start is not None:
        if step.dropped:
            text += (f"; but the last window would start at (o − 1)·s = {step.last_start} ≥ i + p = {step.limit}, "
                     f"i.e. in the right padding, so torch drops it: o = {step.out}")
        else:
            text += f" (check: (o − 1)·s = {step.last_start} < i + p = {step.limit}, so the last window is kept)"
    return step.out, text


def describe_layer(layer: Layer) -> str:
    """The layer as a torch constructor call, every argument spelled out."""
    base = f"kernel_size={layer.kernel}, stride={layer.stride}, padding={layer.padding}"
    if layer.type == "conv":
        return f"Conv2d({base}, dilation={layer.dilation})"
    if layer.type == "pool":
        return f"MaxPool2d({base}, dilation={layer.dilation}, ceil_mode={layer.ceil_mode})"
    return f"ConvTranspose2d({base}, output_padding={layer.output_padding}, dilation={layer.dilation})"


# ---------------------------------------------------------------- family interface


def solve(params: Params) -> Solution:
    size, layers = params.input, params.layers
    steps = [
        "Apply each layer's size formula in turn (torch semantics; i = input size, k = kernel, s = stride, "
        "p = padding, d = dilation):"
    ]
    sizes = [size]
    for index, layer in enumerate(layers):
        out, text = layer_output(size, layer)
        steps.append(f"Layer {index + 1}, {describe_layer(layer)}, i = {size}: {text}")
        size = out
        sizes.append(size)
    if len(layers) > 1:
        steps.append(f"Sizes: {' → '.join(str(s) for s in sizes)}.")
    steps.append(f"The output is {size} x {size}: the answer is {size}.")
    return Solution(answer=size, steps=steps)


# ---------------------------------------------------------------- mistake catalogue


def _slip_applies(slip: str, layer: Layer) -> bool:
    """Whether a layer has the step the slip gets wrong (a layer without padding cannot be padded wrong)."""
    if slip == PADDING_ONE_SIDE:
        return layer.padding > 0
    if slip == IGNORES_DILATION:
        return layer.dilation > 1
    if slip == CONV_FORMULA_FOR_TRANSPOSED:
        return layer.type == "transposed"
    if slip == ROUNDING_SWAPPED:
        return layer.type != "transposed"
    return True


def slipped_size(params: Params, slip: str) -> int | None:
    """The output size with the slip made in every layer it applies to; None when it applies to
    none, or when it drives a size below 1 (no student reaches an answer that way)."""
    return _slipped(params.input, params.layers, slip)


def _slipped(size: int, layers: tuple[Layer, ...], slip: str) -> int | None:
    if not any(_slip_applies(slip, layer) for layer in layers):
        return None
    for layer in layers:
        size = layer_size(size, layer, slip).out
        if size < 1:
            return None
    return size


def _rounding_swapped(params: Params) -> int | None:
    """None unless some layer's division is inexact: only then can floor and ceil differ."""
    return _rounding_swapped_size(params.input, params.layers)


def _rounding_swapped_size(size: int, layers: tuple[Layer, ...]) -> int | None:
    if _quoted(size, layers, ROUNDING_SWAPPED, differs=True) is None:
        return None
    return _slipped(size, layers, ROUNDING_SWAPPED)


def _quoted(size: int, layers: tuple[Layer, ...], slip: str, differs: bool = False) -> tuple[int, int, Layer] | None:
    """(index, input size, layer) of the layer a message quotes: the first whose own output the slip
    changes (on the right input size), else the first it applies to (unless ``differs``)."""
    first = None
    for index, layer in enumerate(layers):
        if _slip_applies(slip, layer):
            if layer_size(size, layer, slip).out != layer_size(size, layer).out:
                return index, size, layer
            first = first or (index, size, layer)
        size = layer_size(size, layer).out
    return None if differs else first


def _layer_words(index: int, size: int, layer: Layer) -> str:
    ceil = ", ceil_mode=True" if layer.ceil_mode else ""
    return f"layer {index + 1} ({TORCH_NAMES[layer.type]}{ceil}, i = {size})"


SLIP_NAMES = {
    FORGOT_PLUS_ONE: "you left out the +1",
    PADDING_ONE_SIDE: "you counted the padding on one side only",
    IGNORES_DILATION: "you left out the dilation",
    CONV_FORMULA_FOR_TRANSPOSED: "you used the conv formula for a transposed convolution",
    ROUNDING_SWAPPED: "you rounded the wrong way (a pool with ceil_mode=True rounds up, every other layer down)",
}


def _slip_message(slip: str, lead: Callable[[Layer], str]) -> Callable[[Params], str]:
    """A message naming the slip and quoting, for the layer it first changes, the right working and the slipped one."""

    def message(params: Params) -> str:
        quoted = _quoted(params.input, params.layers, slip)
        if quoted is None:  # not reached by diagnosis: a slip that changes nothing is never named
            return SLIP_NAMES[slip]
        index, size, layer = quoted
        right, wrong = layer_size(size, layer), layer_size(size, layer, slip)
        return f"{lead(layer)}: {_layer_words(index, size, layer)} gives {right.working()}, not {wrong.working()}"

    return message


def _plus_one_lead(layer: Layer) -> str:
    if layer.type == "transposed":
        return f"{SLIP_NAMES[FORGOT_PLUS_ONE]} (the first input pixel's kernel alone covers d(k − 1) + 1 pixels)"
    return f"{SLIP_NAMES[FORGOT_PLUS_ONE]} (it counts the first window, placed before any stride is taken)"


def _padding_lead(layer: Layer) -> str:
    p = layer.padding
    verb = "removes" if layer.type == "transposed" else "adds"
    return f"{SLIP_NAMES[PADDING_ONE_SIDE]} (padding p = {p} {verb} p on each side, 2p = {2 * p} in all)"


def _dilation_lead(layer: Layer) -> str:
    k, d = layer.kernel, layer.dilation
    return f"{SLIP_NAMES[IGNORES_DILATION]} (with d = {d} a {k}-wide kernel spans ({k}−1)·{d}+1 = {(k - 1) * d + 1} pixels)"


def _transposed_lead(layer: Layer) -> str:
    return f"{SLIP_NAMES[CONV_FORMULA_FOR_TRANSPOSED]} (which enlarges: o = (i − 1)·s − 2p + d(k − 1) + output_padding + 1)"


MISTAKES = (
    Mistake(FORGOT_PLUS_ONE, lambda params: slipped_size(params, FORGOT_PLUS_ONE), _slip_message(FORGOT_PLUS_ONE, _plus_one_lead)),
    Mistake(PADDING_ONE_SIDE, lambda params: slipped_size(params, PADDING_ONE_SIDE), _slip_message(PADDING_ONE_SIDE, _padding_lead)),
    Mistake(IGNORES_DILATION, lambda params: slipped_size(params, IGNORES_DILATION), _slip_message(IGNORES_DILATION, _dilation_lead)),
    Mistake(
        CONV_FORMULA_FOR_TRANSPOSED,
        lambda params: slipped_size(params, CONV_FORMULA_FOR_TRANSPOSED),
        _slip_message(CONV_FORMULA_FOR_TRANSPOSED, _transposed_lead),
    ),
    Mistake(ROUNDING_SWAPPED, _rounding_swapped, _slip_message(ROUNDING_SWAPPED, lambda layer: SLIP_NAMES[ROUNDING_SWAPPED])),
)


def question_fields(params: Params) -> dict[str, str]:
    size, layers = params.input, params.layers
    lines = [f"  {index + 1}. {describe_layer(layer)}" for index, layer in enumerate(layers)]
    noun = "this layer" if len(layers) == 1 else f"these {len(layers)} layers, in order"
    return {"input": str(size), "layers": "\n".join(lines), "through": noun}


def _sample_layer(rng: random.Random, level: Level) -> Layer:
    kind = rng.choice(level.types)
    if kind == "conv":
        k = rng.choice(level.conv_kernels)
        d = rng.choice(level.conv_dilations) if k > 1 else 1  # a dilated 1x1 kernel is still 1x1
        s = rng.choice(level.conv_strides)
        return Layer("conv", k, s, rng.randint(0, (d * (k - 1) + 1) // 2), d, 0, False)
    if kind == "pool":
        k = rng.choice(level.pool_kernels)
        s = rng.choice([s for s in level.pool_strides if s <= k] or [k])
        p = rng.randint(0, k // 2) if rng.random() < level.pool_padding_probability else 0
        return Layer("pool", k, s, p, 1, 0, rng.random() < level.ceil_probability)
    k = rng.choice(level.transposed_kernels)
    s = rng.choice(level.transposed_strides)
    d = rng.choice(level.transposed_dilations) if k > 1 else 1
    p = rng.randint(0, min(d * (k - 1), 2))
    return Layer("transposed", k, s, p, d, rng.randrange(max(s, d)), False)


def _acceptable(size: int, layers: list[Layer], max_size: int) -> bool:
    """Every intermediate size valid and hand-sized; ceil_mode only where it can matter."""
    for layer in layers:
        if layer.type == "pool" and layer.ceil_mode:
            numerator = size + 2 * layer.padding - layer.dilation * (layer.kernel - 1) - 1
            if numerator % layer.stride == 0:
                return False  # ceil and floor agree: the flag would teach nothing
        size = layer_size(size, layer).out
        if size < 1 or size > max_size:
            return False
    return True


def _informative(params: Params) -> bool:
    """Every slip that applies gives its own size, different from the right one and from the other slips'.

    The sizes alone, without the working; the slips computed one at a time, stopping at the first collision."""
    size, layers = params.input, params.layers
    answer = size
    for layer in layers:
        answer = layer_size(answer, layer).out
    slips = (
        _rounding_swapped_size(size, layers) if mistake.id == ROUNDING_SWAPPED else _slipped(size, layers, mistake.id)
        for mistake in MISTAKES
    )
    return informative(answer, slips)


def _draw(rng: random.Random, level: Level) -> Params:
    low, high = level.layers
    size_low, size_high = level.input
    rejections = Rejections()
    while True:
        size = rng.randint(size_low, size_high)
        layers = [_sample_layer(rng, level) for _ in range(rng.randint(low, high))]
        if _acceptable(size, layers, level.max_size):
            return Params(size, tuple(layers))
        rejections.again()


def sample(rng: random.Random, level: Level) -> Params:
    return prefer_informative(lambda: _draw(rng, level), _informative)
