"""Counting learnable parameters of layers and small networks (CONVENTIONS.md).

* Conv (2D or 3D): ``C_out * (k^dims * C_in + 1)`` with biases, ``C_out * k^dims * C_in`` without.
* Transposed conv: ``C_in * C_out * k^dims (+ C_out)``. Linear: ``in * out (+ out)``.
* Logistic regression on an H x W image: ``H*W (+ 1)``. BatchNorm: ``2C`` (gamma and beta;
  the running mean and variance are buffers, not parameters).

Every question says whether biases count. With biases not counted, networks
contain no batch-norm layers (its beta is a bias-like shift, so it would be ambiguous).

Params (JSON), by ``variant``, typed as :class:`Params` (CNN layers as :class:`Layer`)::

    {"variant": "conv" | "transposed", "dims": 2 | 3, "in_channels": int, "out_channels": int,
     "kernel": int, "bias": bool}
    {"variant": "linear", "in_features": int, "out_features": int, "bias": bool}
    {"variant": "batchnorm", "dims": 1 | 2 | 3, "channels": int}
    {"variant": "logistic", "height": int, "width": int, "bias": bool}
    {"variant": "mlp", "sizes": [int, ...], "bias": bool}            # input, hidden..., output
    {"variant": "cnn", "in_channels": int, "input": int, "bias": bool,
     "layers": [{"type": "conv", "out_channels": int, "kernel": int, "padding": int}
              | {"type": "pool"}                       # MaxPool2d(2): halves (floor), no parameters
              | {"type": "batchnorm"}                  # BatchNorm2d over the current channels
              | {"type": "relu"}
              | {"type": "linear", "out_features": int}, ...]}
      # convs have stride 1; the feature map is flattened before the first linear layer.

The catalogued slips (``MISTAKES``) run the same counting with one rule of
:class:`Counting` done wrong: biases left out or counted against the question,
input channels left out of a conv's weights, batch norm's running statistics
counted, or the pooling left out of the flattened size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Sequence, TypeVar

from mli_drill.problems.families.base import FieldError, InvalidParams, Mistake, Rejections, Solution, optional, require

Variant = Literal["conv", "transposed", "linear", "batchnorm", "logistic", "mlp", "cnn"]
VARIANTS: tuple[Variant, ...] = ("conv", "transposed", "linear", "batchnorm", "logistic", "mlp", "cnn")
LayerType = Literal["conv", "pool", "batchnorm", "relu", "linear"]

T = TypeVar("T")


def _given(value: T | None) -> T:
    """A key ``__post_init__`` made sure the variant (or layer type) has."""
    assert value is not None
    return value


@dataclass(frozen=True)
class Layer:
    """One layer of the small CNN; conv and linear layers have their own keys, the others none."""

    type: LayerType
    out_channels: int | None = optional()  # conv
    kernel: int | None = optional()  # conv
    padding: int | None = optional()  # conv
    out_features: int | None = optional()  # linear

    def __post_init__(self) -> None:
        keys = _LAYER_KEYS[self.type]
        values = (self.out_channels, self.kernel, self.padding, self.out_features)
        present = tuple([name for name, value in zip(_LAYER_FIELDS, values) if value is not None])
        if present != keys:
            for name in _LAYER_FIELDS:
                require(name in present or name not in keys, name, f"is needed by a {self.type} layer")
                require(name not in present or name in keys, name, f"is not used by a {self.type} layer")
        for name in present:  # (the message is built only for a value that fails: this runs for every layer drawn)
            value, minimum = getattr(self, name), 0 if name == "padding" else 1
            if value < minimum:
                raise FieldError(name, f"must be at least {minimum}, got {value}")


_LAYER_FIELDS = ("out_channels", "kernel", "padding", "out_features")
_LAYER_KEYS: dict[str, tuple[str, ...]] = {"conv": ("out_channels", "kernel", "padding"), "linear": ("out_features",),
                                           "pool": (), "batchnorm": (), "relu": ()}

# The keys each variant has besides "variant", and the dims it allows.
_KEYS: dict[str, tuple[str, ...]] = {
    "conv": ("dims", "in_channels", "out_channels", "kernel", "bias"),
    "transposed": ("dims", "in_channels", "out_channels", "kernel", "bias"),
    "linear": ("in_features", "out_features", "bias"),
    "batchnorm": ("dims", "channels"),
    "logistic": ("height", "width", "bias"),
    "mlp": ("sizes", "bias"),
    "cnn": ("in_channels", "input", "bias", "layers"),
}
_OPTIONAL = ("dims", "channels", "in_channels", "out_channels", "kernel", "in_features", "out_features", "height",
             "width", "sizes", "input", "bias", "layers")
_POSITIVE = frozenset({"channels", "in_channels", "out_channels", "kernel", "in_features", "out_features", "height",
                       "width", "input"})


@dataclass(frozen=True)
class Params:
    """The fields of every variant, in the order the JSON gives them; each variant has only its own (see _KEYS)."""

    variant: Variant
    dims: int | None = optional()  # conv, transposed: 2 or 3; batchnorm: 1, 2 or 3
    channels: int | None = optional()  # batchnorm
    in_channels: int | None = optional()  # conv, transposed, cnn (the image's channels)
    out_channels: int | None = optional()  # conv, transposed
    kernel: int | None = optional()  # conv, transposed
    in_features: int | None = optional()  # linear
    out_features: int | None = optional()  # linear
    height: int | None = optional()  # logistic
    width: int | None = optional()  # logistic
    sizes: tuple[int, ...] | None = optional()  # mlp: input, hidden..., output
    input: int | None = optional()  # cnn: the image's side
    bias: bool | None = optional()  # every variant but batchnorm: whether biases are counted
    layers: tuple[Layer, ...] | None = optional()  # cnn

    def __post_init__(self) -> None:
        keys = _KEYS[self.variant]
        present = tuple([name for name in _OPTIONAL if getattr(self, name) is not None])
        if present != keys:
            for name in _OPTIONAL:
                require(name in present or name not in keys, name, f"is needed by the {self.variant} variant")
                require(name not in present or name in keys, name, f"is not used by the {self.variant} variant")
        for name in present:  # (the messages are built only for a value that fails: this runs on every draw)
            if name in _POSITIVE and getattr(self, name) < 1:
                raise FieldError(name, f"must be at least 1, got {getattr(self, name)}")
        if self.dims is not None:
            allowed = (1, 2, 3) if self.variant == "batchnorm" else (2, 3)
            if self.dims not in allowed:
                raise FieldError("dims", f"must be one of {allowed}, got {self.dims}")
        if self.sizes is not None:
            require(len(self.sizes) >= 2, "sizes", "must list at least the input and the output size")
            require(min(self.sizes) >= 1, "sizes", "must all be at least 1")
        if self.layers is not None:
            self._check_network(self.layers)

    def _check_network(self, layers: tuple[Layer, ...]) -> None:
        """The network must be buildable: every feature map non-empty, convs and pooling before the
        first linear layer, and no batch norm in a weights-only count (its β is a bias-like shift)."""
        require(len(layers) > 0, "layers", "must list at least one layer")
        size, flattened = _given(self.input), False
        for index, layer in enumerate(layers):
            where = f"layers[{index}]"
            if layer.type == "conv":
                require(not flattened, where, "a conv after a linear layer")
                size += 2 * _given(layer.padding) - _given(layer.kernel) + 1
                require(size >= 1, where, f"the conv gives size {size}")
            elif layer.type == "pool":
                require(not flattened and size >= 2, where, "max-pooling needs a feature map of size >= 2")
                size //= 2
            elif layer.type == "batchnorm":
                require(bool(self.bias), where, "batch norm in a weights-only count is ambiguous (beta is a shift)")
            elif layer.type == "linear":
                flattened = True


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    variants: tuple[Variant, ...] = VARIANTS  # which to draw (one per instance)
    bias_probability: float = 0.6  # chance that biases are counted (otherwise weights only)
    dims: tuple[int, ...] = (2,)  # 2 or 3 for conv/transposed
    channels: tuple[int, ...] = (4, 8, 16)  # output channels (conv, transposed, CNN), batch-norm channels
    in_channels: tuple[int, ...] | None = None  # conv/transposed input channels; None: 1, 3 and the channels
    kernels: tuple[int, ...] = (3, 5)  # kernel sizes (conv, transposed, CNN)
    features: tuple[int, ...] = (10, 64, 100)  # Linear sizes
    image_sides: tuple[int, ...] = (8, 16, 28, 32, 64)  # logistic-regression image sides
    mlp_inputs: tuple[int, ...] = (4, 16, 784)  # MLP input sizes
    hidden_layers: tuple[int, int] = (1, 2)  # [min, max] MLP hidden layers
    hidden: tuple[int, ...] = (16, 32, 100)  # hidden sizes (MLP, and the CNN's hidden Linear layers)
    classes: tuple[int, ...] = (2, 10)  # output sizes (MLP, CNN)
    image_channels: tuple[int, ...] = (1, 3)  # the small CNN: image channels
    cnn_inputs: tuple[int, ...] = (8, 16, 28, 32)  # the small CNN: image sides
    conv_blocks: tuple[int, int] = (1, 2)  # [min, max] blocks: conv, maybe batch norm, ReLU, maybe MaxPool2d(2)
    linear_layers: tuple[int, int] = (1, 1)  # [min, max] Linear layers after the blocks
    batchnorm_probability: float = 0.3  # chance of a batch norm in a block (only when biases are counted)
    max_answer: int = 10**7  # largest count accepted

    def __post_init__(self) -> None:
        require(bool(self.variants), "variants", "must name at least one variant")
        require(0 <= self.bias_probability <= 1, "bias_probability", "must be between 0 and 1")
        require(0 <= self.batchnorm_probability <= 1, "batchnorm_probability", "must be between 0 and 1")
        require(bool(self.dims) and set(self.dims) <= {2, 3}, "dims", "must be a non-empty list of 2 and 3")
        for name in ("channels", "kernels", "features", "image_sides", "mlp_inputs", "hidden", "classes",
                     "image_channels", "cnn_inputs"):
            choices = getattr(self, name)
            require(bool(choices) and min(choices) >= 1, name, "must be a non-empty list of integers >= 1")
        require(self.in_channels is None or (bool(self.in_channels) and min(self.in_channels) >= 1), "in_channels",
                "must be a non-empty list of integers >= 1")
        require(0 <= self.hidden_layers[0] <= self.hidden_layers[1], "hidden_layers",
                "must be [min, max] with 0 <= min <= max")
        require(1 <= self.conv_blocks[0] <= self.conv_blocks[1], "conv_blocks", "must be [min, max] with 1 <= min <= max")
        require(1 <= self.linear_layers[0] <= self.linear_layers[1], "linear_layers",
                "must be [min, max] with 1 <= min <= max")
        require(self.max_answer >= 1, "max_answer", "must be at least 1")


@dataclass(frozen=True)
class Counting:
    """The counting rules; the defaults are right, and each slip changes one of them.

    ``bias``: None counts biases as the question says, True/False overrides it. ``in_channels``: a conv
    kernel spans every input channel. ``batchnorm_per_channel``: 2 learnable values (γ, β), 4 with the
    running statistics. ``pooling``: MaxPool2d(2) halves the feature map.
    """

    bias: bool | None = None
    in_channels: bool = True
    batchnorm_per_channel: int = 2
    pooling: bool = True

    def biases(self, params: Params) -> bool:
        return _given(params.bias) if self.bias is None else self.bias


RIGHT = Counting()


def _kernel_text(k: int, dims: int) -> str:
    return "·".join([str(k)] * dims)


def _count_text(bias: bool) -> str:
    return "weights and biases" if bias else "weights only"


# ---------------------------------------------------------------- single layers


def _solve_conv(params: Params, transposed: bool, counting: Counting = RIGHT) -> Solution:
    dims = _given(params.dims)
    c_in, c_out = _given(params.in_channels), _given(params.out_channels)
    k, bias = _given(params.kernel), counting.biases(params)
    weights = c_out * (c_in if counting.in_channels else 1) * k**dims
    kind = "ConvTranspose" if transposed else "Conv"
    shape = f"({c_in}, {c_out}, {', '.join([str(k)] * dims)})" if transposed else \
        f"({c_out}, {c_in}, {', '.join([str(k)] * dims)})"
    steps = [
        f"{kind}{dims}d has one {_kernel_text(k, dims)} kernel per (input channel, output channel) pair: "
        f"weight shape {shape}, so {c_in}·{c_out}·{_kernel_text(k, dims)} = {weights} weights.",
    ]
    if bias:
        steps.append(f"Plus one bias per output channel: {c_out}. Total {weights} + {c_out} = {weights + c_out}.")
        if not transposed:
            steps.append(f"(Same as C_out·(k^{dims}·C_in + 1) = {c_out}·({k**dims}·{c_in} + 1) = {weights + c_out}.)")
        return Solution(answer=weights + c_out, steps=steps)
    steps.append(f"Biases are not counted: {weights}.")
    return Solution(answer=weights, steps=steps)


def _solve_linear(params: Params, counting: Counting = RIGHT) -> Solution:
    n_in, n_out = _given(params.in_features), _given(params.out_features)
    bias = counting.biases(params)
    steps = [f"Linear({n_in}, {n_out}): a {n_out} x {n_in} weight matrix, {n_in}·{n_out} = {n_in * n_out} weights."]
    if bias:
        total = n_in * n_out + n_out
        steps.append(f"Plus {n_out} biases (one per output): {n_in * n_out} + {n_out} = {total}.")
        return Solution(answer=total, steps=steps)
    steps.append(f"Biases are not counted: {n_in * n_out}.")
    return Solution(answer=n_in * n_out, steps=steps)


def _solve_batchnorm(params: Params, counting: Counting = RIGHT) -> Solution:
    dims, channels = _given(params.dims), _given(params.channels)
    steps = [
        f"BatchNorm{dims}d({channels}) learns a scale γ and a shift β per channel: 2·{channels} = {2 * channels}.",
        "The running mean and running variance are statistics (buffers), not learnable parameters.",
    ]
    return Solution(answer=counting.batchnorm_per_channel * channels, steps=steps)


def _solve_logistic(params: Params, counting: Counting = RIGHT) -> Solution:
    h, w, bias = _given(params.height), _given(params.width), counting.biases(params)
    steps = [f"Logistic regression on raw pixels: one weight per pixel, {h}·{w} = {h * w}."]
    if bias:
        steps.append(f"Plus one bias: {h * w} + 1 = {h * w + 1}.")
        return Solution(answer=h * w + 1, steps=steps)
    steps.append(f"Bias not counted: {h * w}.")
    return Solution(answer=h * w, steps=steps)


def _linear_chain(sizes: Sequence[int], bias: bool, names: list[str] | None = None) -> tuple[int, list[str]]:
    total, lines = 0, []
    for index, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        count = n_in * n_out + (n_out if bias else 0)
        name = names[index] if names else f"layer {index + 1}"
        formula = f"{n_in}·{n_out} + {n_out}" if bias else f"{n_in}·{n_out}"
        lines.append(f"{name} ({n_in} → {n_out}): {formula} = {count}")
        total += count
    return total, lines


def _solve_mlp(params: Params, counting: Counting = RIGHT) -> Solution:
    sizes = _given(params.sizes)
    bias = counting.biases(params)
    total, lines = _linear_chain(sizes, bias)
    rule = "in·out + out (weights and one bias per neuron)" if bias else "in·out (weights only)"
    steps = [f"Each fully connected layer has {rule}:", "\n".join(lines),
             f"Total: {' + '.join(line.rsplit('= ', 1)[1] for line in lines)} = {total}."]
    return Solution(answer=total, steps=steps)


# ---------------------------------------------------------------- small CNN


def _cnn_walk(params: Params, counting: Counting = RIGHT) -> tuple[int, list[str], list[tuple[str, int]]]:
    """Walk the network: total, a line per layer, and (layer description, count) per layer."""
    channels, size = _given(params.in_channels), _given(params.input)
    bias = counting.biases(params)
    features: int | None = None  # set once flattened
    total, lines = 0, []
    counts: list[tuple[str, int]] = []
    for index, layer in enumerate(_given(params.layers)):
        kind = layer.type
        if kind == "conv":
            k, p, c_out = _given(layer.kernel), _given(layer.padding), _given(layer.out_channels)
            count = c_out * (k * k * (channels if counting.in_channels else 1) + (1 if bias else 0))
            new_size = size + 2 * p - k + 1
            formula = f"{c_out}·({k}·{k}·{channels} + 1)" if bias else f"{c_out}·{k}·{k}·{channels}"
            lines.append(f"{index + 1}. Conv2d({channels}, {c_out}, kernel_size={k}, padding={p}): {formula} = {count}"
                         f"; output {c_out} x {new_size} x {new_size}")
            channels, size = c_out, new_size
        elif kind == "pool":
            count = 0
            lines.append(f"{index + 1}. MaxPool2d(2): no parameters; output {channels} x {size // 2} x {size // 2}")
            size = size // 2 if counting.pooling else size
        elif kind == "relu":
            count = 0
            lines.append(f"{index + 1}. ReLU: no parameters")
        elif kind == "batchnorm":
            if features is not None:
                count = counting.batchnorm_per_channel * features
                lines.append(f"{index + 1}. BatchNorm1d({features}): 2·{features} = {count} (γ and β)")
            else:
                count = counting.batchnorm_per_channel * channels
                lines.append(f"{index + 1}. BatchNorm2d({channels}): 2·{channels} = {count} (γ and β per channel)")
        else:
            if features is None:
                features = channels * size * size
                lines.append(f"Flatten: {channels}·{size}·{size} = {features} features")
            n_out = _given(layer.out_features)
            count = features * n_out + (n_out if bias else 0)
            formula = f"{features}·{n_out} + {n_out}" if bias else f"{features}·{n_out}"
            lines.append(f"{index + 1}. Linear({features}, {n_out}): {formula} = {count}")
            features = n_out
        total += count
        counts.append((kind, count))
    return total, lines, counts


def _solve_cnn(params: Params, counting: Counting = RIGHT) -> Solution:
    total, lines, counts = _cnn_walk(params, counting)
    bias = _given(params.bias)
    rule = ("conv C_out·(k·k·C_in + 1), linear in·out + out, batch norm 2C, pooling and ReLU 0" if bias
            else "conv C_out·k·k·C_in, linear in·out (weights only), pooling and ReLU 0")
    nonzero = [str(count) for _, count in counts if count]
    steps = [f"Count layer by layer, tracking the feature-map size (stride-1 convs: o = i + 2p − k + 1; "
             f"MaxPool2d(2) halves, rounding down). Rule: {rule}.",
             "\n".join(lines),
             f"Total: {' + '.join(nonzero)} = {total}."]
    return Solution(answer=total, steps=steps)


# ---------------------------------------------------------------- mistakes


def _count(params: Params, **slip: Any) -> int:
    answer: int = solve(params, Counting(**slip)).answer
    return answer


def _cnn_layers_of(params: Params) -> tuple[Layer, ...]:
    return params.layers or ()


def _convs(params: Params) -> list[tuple[int, int, int]]:
    """(C_in, C_out, k) of every conv (or transposed conv) layer, in order."""
    if params.variant in ("conv", "transposed"):
        return [(_given(params.in_channels), _given(params.out_channels), _given(params.kernel))]
    convs, channels = [], params.in_channels or 1
    for layer in _cnn_layers_of(params):
        if layer.type == "conv":
            convs.append((channels, _given(layer.out_channels), _given(layer.kernel)))
            channels = _given(layer.out_channels)
    return convs


def _biases_forgotten(params: Params) -> int | None:
    if params.variant == "batchnorm" or not params.bias:
        return None
    return _count(params, bias=False)


def _biases_counted(params: Params) -> int | None:
    if params.variant == "batchnorm" or params.bias:
        return None
    return _count(params, bias=True)


def _in_channels_forgotten(params: Params) -> int | None:
    if not any(c_in > 1 for c_in, _, _ in _convs(params)):
        return None
    return _count(params, in_channels=False)


def _has_batchnorm(params: Params) -> bool:
    return params.variant == "batchnorm" or any(layer.type == "batchnorm" for layer in _cnn_layers_of(params))


def _running_stats_counted(params: Params) -> int | None:
    return _count(params, batchnorm_per_channel=4) if _has_batchnorm(params) else None


def _pooling_ignored(params: Params) -> int | None:
    layers = _cnn_layers_of(params)
    first_linear = next((i for i, layer in enumerate(layers) if layer.type == "linear"), len(layers))
    if not any(layer.type == "pool" for layer in layers[:first_linear]):
        return None
    return _count(params, pooling=False)


def _biases_text(count: int) -> str:
    return f"{count} bias" if count == 1 else f"{count} biases"


def _biases_forgotten_message(params: Params) -> str:
    total, weights = solve(params).answer, _count(params, bias=False)
    return (f"you left out the biases: the question counts them, one per output channel or neuron, "
            f"so {weights} + {_biases_text(total - weights)} = {total}")


def _biases_counted_message(params: Params) -> str:
    weights, total = solve(params).answer, _count(params, bias=True)
    return (f"you counted the biases: the question asks for the weights only, {weights}, "
            f"not {weights} + {_biases_text(total - weights)} = {total}")


def _in_channels_message(params: Params) -> str:
    c_in, c_out, k = next((conv for conv in _convs(params) if conv[0] > 1), (2, 1, 3))
    dims = params.dims or 2 if params.variant in ("conv", "transposed") else 2
    kernel = _kernel_text(k, dims)
    return (f"you left out the input channels: each of the {c_out} kernels spans all {c_in} input channels, "
            f"so it has {kernel}·{c_in} = {k**dims * c_in} weights, not {k**dims}")


def _first_batchnorm_width(params: Params) -> int:
    """The channels (or features, after a Linear layer) of the first batch-norm layer."""
    if params.variant == "batchnorm":
        return _given(params.channels)
    channels, features = _given(params.in_channels), None
    for layer in _cnn_layers_of(params):
        if layer.type == "conv":
            channels = _given(layer.out_channels)
        elif layer.type == "linear":
            features = layer.out_features
        elif layer.type == "batchnorm":
            return features if features is not None else channels
    return channels


def _running_stats_message(params: Params) -> str:
    channels = _first_batchnorm_width(params)
    return (f"you counted the running mean and variance: batch norm over {channels} channels learns only γ and β, "
            f"2·{channels} = {2 * channels}; the running statistics are buffers, not parameters")


def _pooling_message(params: Params) -> str:
    flatten = next((line for line in _cnn_walk(params)[1] if line.startswith("Flatten")), "")
    return (f"you did not halve the feature map at each MaxPool2d(2): the first Linear layer's input is "
            f"{flatten.removeprefix('Flatten: ')}")


MISTAKES = (
    Mistake("biases-forgotten", _biases_forgotten, _biases_forgotten_message),
    Mistake("biases-counted", _biases_counted, _biases_counted_message),
    Mistake("input-channels-forgotten", _in_channels_forgotten, _in_channels_message),
    Mistake("running-stats-counted", _running_stats_counted, _running_stats_message),
    Mistake("pooling-ignored", _pooling_ignored, _pooling_message),
)


# ---------------------------------------------------------------- family interface


@lru_cache(maxsize=64)
def solve(params: Params, counting: Counting = RIGHT) -> Solution:
    """The count and its working; ``counting`` other than the default is a slip (see MISTAKES).

    Cached (both are frozen): the sampler solves each draw to check its size, and the instance then
    solves the same params again."""
    variant = params.variant
    if variant in ("conv", "transposed"):
        return _solve_conv(params, transposed=(variant == "transposed"), counting=counting)
    if variant == "linear":
        return _solve_linear(params, counting)
    if variant == "batchnorm":
        return _solve_batchnorm(params, counting)
    if variant == "logistic":
        return _solve_logistic(params, counting)
    if variant == "mlp":
        return _solve_mlp(params, counting)
    return _solve_cnn(params, counting)


def _counting(params: Params) -> str:
    return ("Count every learnable parameter, biases included." if params.bias
            else "Count the weights only, not the biases.")


def _cnn_description(params: Params) -> str:
    lines = []
    channels = _given(params.in_channels)
    flattened, features = False, 0
    for index, layer in enumerate(_given(params.layers)):
        kind = layer.type
        if kind == "conv":
            lines.append(f"  {index + 1}. Conv2d({channels}, {layer.out_channels}, kernel_size={layer.kernel}, "
                         f"stride=1, padding={layer.padding})")
            channels = _given(layer.out_channels)
        elif kind == "pool":
            lines.append(f"  {index + 1}. MaxPool2d(2)")
        elif kind == "relu":
            lines.append(f"  {index + 1}. ReLU()")
        elif kind == "batchnorm":
            lines.append(f"  {index + 1}. BatchNorm1d({features})" if flattened else
                         f"  {index + 1}. BatchNorm2d({channels})")
        else:
            if flattened:
                lines.append(f"  {index + 1}. Linear({features}, {layer.out_features})")
            else:
                lines.append(f"  {index + 1}. flatten, then Linear(?, {layer.out_features})")
            flattened, features = True, _given(layer.out_features)
    return "\n".join(lines)


def question_fields(params: Params) -> dict[str, str]:
    variant = params.variant
    fields: dict[str, str] = {"variant": variant}
    if variant in ("conv", "transposed"):
        name = ("ConvTranspose" if variant == "transposed" else "Conv") + f"{params.dims}d"
        fields["layer"] = (f"torch.nn.{name}(in_channels={params.in_channels}, "
                           f"out_channels={params.out_channels}, kernel_size={params.kernel})")
    elif variant == "linear":
        fields["layer"] = f"torch.nn.Linear({params.in_features}, {params.out_features})"
    elif variant == "batchnorm":
        fields["layer"] = f"torch.nn.BatchNorm{params.dims}d({params.channels})"
    elif variant == "logistic":
        fields.update(height=str(params.height), width=str(params.width))
    elif variant == "mlp":
        sizes = _given(params.sizes)
        hidden = sizes[1:-1]
        if not hidden:
            hidden_text = "no hidden layer"
        elif len(hidden) == 1:
            hidden_text = f"one hidden layer of {hidden[0]} neurons"
        else:
            hidden_text = f"hidden layers of {', '.join(str(h) for h in hidden[:-1])} and {hidden[-1]} neurons"
        fields.update(sizes="-".join(str(s) for s in sizes), inputs=f"{sizes[0]} inputs", hidden=hidden_text,
                      outputs=f"{sizes[-1]} output{'s' if sizes[-1] != 1 else ''}")
    else:
        fields.update(channels=str(params.in_channels), input=str(params.input),
                      layers=_cnn_description(params))
    if variant != "batchnorm":
        fields["counting"] = _counting(params)
    return fields


# ---------------------------------------------------------------- sampling


# The layers without keys (frozen, so one instance each serves every network the sampler draws).
_BATCHNORM, _RELU, _POOL = Layer("batchnorm"), Layer("relu"), Layer("pool")


def _sample_cnn(rng: random.Random, level: Level, bias: bool) -> Params:
    channels = rng.choice(level.image_channels)
    size = rng.choice(level.cnn_inputs)
    layers: list[Layer] = []
    for _ in range(rng.randint(*level.conv_blocks)):
        k = rng.choice(level.kernels)
        out_channels = rng.choice(level.channels)
        layers.append(Layer("conv", out_channels=out_channels, kernel=k, padding=rng.choice([0, (k - 1) // 2])))
        if bias and rng.random() < level.batchnorm_probability:
            layers.append(_BATCHNORM)
        layers.append(_RELU)
        if rng.random() < 0.7:
            layers.append(_POOL)
    for _ in range(rng.randint(*level.linear_layers) - 1):
        layers.append(Layer("linear", out_features=rng.choice(level.hidden)))
        layers.append(_RELU)
    layers.append(Layer("linear", out_features=rng.choice(level.classes)))
    return Params("cnn", in_channels=channels, input=size, bias=bias, layers=tuple(layers))


def _sample_variant(rng: random.Random, level: Level, variant: Variant) -> Params:
    bias = rng.random() < level.bias_probability
    channels = level.channels
    if variant in ("conv", "transposed"):
        dims = rng.choice(level.dims)
        in_channels = rng.choice(level.in_channels if level.in_channels is not None else (1, 3) + channels)
        return Params(variant, dims=dims, in_channels=in_channels, out_channels=rng.choice(channels),
                      kernel=rng.choice(level.kernels), bias=bias)
    if variant == "linear":
        in_features = rng.choice(level.features)
        return Params(variant, in_features=in_features, out_features=rng.choice(level.features), bias=bias)
    if variant == "batchnorm":
        dims = rng.choice([1, 2, 3])
        return Params(variant, dims=dims, channels=rng.choice(channels))
    if variant == "logistic":
        side = rng.choice(level.image_sides)
        height = side if rng.random() < 0.7 else rng.choice(level.image_sides)
        return Params(variant, height=height, width=side, bias=bias)
    if variant == "mlp":
        sizes = [rng.choice(level.mlp_inputs)]
        for _ in range(rng.randint(*level.hidden_layers)):
            sizes.append(rng.choice(level.hidden))
        sizes.append(rng.choice(level.classes))
        return Params(variant, sizes=tuple(sizes), bias=bias)
    return _sample_cnn(rng, level, bias)


def sample(rng: random.Random, level: Level) -> Params:
    variant = rng.choice(level.variants)
    rejections = Rejections()
    while True:
        try:
            params = _sample_variant(rng, level, variant)
        except InvalidParams:  # a CNN whose feature map shrinks to nothing
            rejections.again()
            continue
        if solve(params).answer <= level.max_answer:
            return params
        rejections.again()
