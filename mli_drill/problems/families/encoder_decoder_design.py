"""Designing encoder-decoder layers: the padding that keeps/halves/doubles a size, and U-Net sizes.

Three variants, all with one integer answer (torch semantics, CONVENTIONS.md):

* ``padding``: the smallest padding p >= 0 that makes one Conv2d / MaxPool2d /
  ConvTranspose2d layer turn an ``input`` x ``input`` map into ``target`` x ``target``.
  "Smallest" makes the answer unique even where floor division admits several.
* ``output_padding``: the output_padding that makes a ConvTranspose2d turn
  ``input`` into ``target`` (unique: the formula is linear in it).
* ``network``: the size at the bottleneck or at the output of a U-Net-like
  network: ``depth`` encoder levels of ``convs_per_block`` convolutions
  (kernel ``conv_kernel``, stride 1, padding ``conv_padding``) then MaxPool2d(2);
  a bottleneck of the same convolutions; ``depth`` decoder levels of
  ConvTranspose2d(2, stride 2) then the same convolutions. Skip connections are
  cropped to the decoder's size, so they never change it.

Params (JSON), typed as :class:`Params` (one dataclass; the keys of the other variants are
``optional()`` fields, absent from the JSON and rejected when given)::

    {"variant": "padding", "input": int, "target": int,
     "layer": {"type": "conv" | "pool" | "transposed", "kernel": int, "stride": int,
               "dilation": int, "output_padding": int}}
    {"variant": "output_padding", "input": int, "target": int,
     "layer": {"type": "transposed", "kernel": int, "stride": int, "padding": int, "dilation": int}}
    {"variant": "network", "input": int, "depth": int, "convs_per_block": int,
     "conv_kernel": int, "conv_padding": int, "ask": "bottleneck" | "output"}

An instance no padding / output_padding can solve, or a network whose sizes go
below 1 or are odd before a max-pool, is rejected when Params is built.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Callable, Literal, NamedTuple

from mli_drill.problems.families.base import FieldError, InvalidParams, Mistake, Rejections, Solution, optional, require

Variant = Literal["padding", "output_padding", "network"]
LayerType = Literal["conv", "pool", "transposed"]
Ask = Literal["bottleneck", "output"]
VARIANTS: tuple[Variant, ...] = ("padding", "output_padding", "network")
ASKS: tuple[Ask, ...] = ("bottleneck", "output")
TORCH_NAMES = {"conv": "Conv2d", "pool": "MaxPool2d", "transposed": "ConvTranspose2d"}
NETWORK_KEYS = ("depth", "convs_per_block", "conv_kernel", "conv_padding", "ask")
OPTIONAL_KEYS = ("target", "layer", *NETWORK_KEYS)  # the keys of one variant or another (VARIANT_KEYS, in this order)
VARIANT_KEYS = {"padding": ("target", "layer"), "output_padding": ("target", "layer"), "network": NETWORK_KEYS}


# ---------------------------------------------------------------- params


@dataclass(frozen=True, kw_only=True)
class Layer:
    """The one layer of the padding and output_padding variants."""

    type: LayerType
    kernel: int
    stride: int
    padding: int | None = optional()  # output_padding variant only (the padding variant asks for it)
    dilation: int
    output_padding: int | None = optional()  # padding variant only (the output_padding variant asks for it)

    def __post_init__(self) -> None:
        _at_least(1, self, "kernel", "stride", "dilation")
        _at_least(0, self, *(name for name in ("padding", "output_padding") if getattr(self, name) is not None))


@dataclass(frozen=True, kw_only=True)
class Params:
    variant: Variant
    input: int
    target: int | None = optional()  # padding and output_padding variants
    layer: Layer | None = optional()
    depth: int | None = optional()  # network variant
    convs_per_block: int | None = optional()
    conv_kernel: int | None = optional()
    conv_padding: int | None = optional()
    ask: Ask | None = optional()

    def __post_init__(self) -> None:
        given = (self.target, self.layer, self.depth, self.convs_per_block, self.conv_kernel, self.conv_padding, self.ask)
        used = VARIANT_KEYS[self.variant]
        if tuple(key for key, value in zip(OPTIONAL_KEYS, given) if value is not None) != used:
            for key in OPTIONAL_KEYS:  # name the first key given or missing wrongly
                if key in used:
                    require(getattr(self, key) is not None, key, f"variant {self.variant!r} needs {key}")
                else:
                    require(getattr(self, key) is None, key, f"variant {self.variant!r} does not use {key}")
        _at_least(1, self, "input")
        if self.variant == "network":
            net = _network(self)
            _at_least(1, net, "depth", "convs_per_block", "conv_kernel")
            _at_least(0, net, "conv_padding")
            fault = _network_fault(net)
            require(fault is None, "", fault or "")
            return
        _at_least(1, self, "target")
        i, target, layer = _layer(self)
        if self.variant == "padding":
            require(layer.output_padding is not None, "layer.output_padding", "the padding variant needs it (0 for conv/pool)")
            require(layer.padding is None, "layer.padding", "is what the padding variant asks for: leave it out")
            op = layer.output_padding or 0
            if layer.type != "transposed":
                require(op == 0, "layer.output_padding", "only applies to a transposed convolution")
            else:
                require(op < max(layer.stride, layer.dilation), "layer.output_padding",
                        "torch requires output_padding < max(stride, dilation)")
            low, high = _padding_bounds(i, target, layer)
            p = smallest_padding(i, target, layer)
            if layer.type == "transposed":
                require(2 * p == low, "target", f"no padding p >= 0 gives {target}: 2p would be {low}")
            else:
                require(2 * p <= high, "target", f"no padding p >= 0 gives {target} (2p must lie in [{low}, {high}])")
            if layer.type == "pool":
                require(p <= layer.kernel // 2, "target", f"the padding {p} breaks torch's pooling rule p <= kernel/2")
            return
        require(layer.type == "transposed", "layer.type", "must be 'transposed' in the output_padding variant")
        require(layer.padding is not None, "layer.padding", "the output_padding variant needs it")
        require(layer.output_padding is None, "layer.output_padding",
                "is what the output_padding variant asks for: leave it out")
        op, limit = target - _without_output_padding(i, layer), max(layer.stride, layer.dilation)
        require(0 <= op < limit, "target", f"output_padding would be {op}; torch needs 0 <= output_padding < {limit}")


def _at_least(minimum: int, owner: object, *names: str) -> None:
    """Each named field must be >= minimum (the message is formatted only for a failure)."""
    for name in names:
        value = getattr(owner, name)
        if value < minimum:
            raise FieldError(name, f"must be at least {minimum}, got {value}")


class Network(NamedTuple):
    """The network variant's fields (present: Params checks)."""

    input: int
    depth: int
    convs_per_block: int
    conv_kernel: int
    conv_padding: int
    ask: Ask


def _network(params: Params) -> Network:
    depth, n, k, p, ask = params.depth, params.convs_per_block, params.conv_kernel, params.conv_padding, params.ask
    assert depth is not None and n is not None and k is not None and p is not None and ask is not None
    return Network(params.input, depth, n, k, p, ask)


def _layer(params: Params) -> tuple[int, int, Layer]:
    """input, target and layer of the padding and output_padding variants (present: Params checks)."""
    assert params.target is not None and params.layer is not None
    return params.input, params.target, params.layer


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    variants: tuple[Variant, ...] = VARIANTS  # which variants to draw (repeat one to draw it more often)
    padding_types: tuple[LayerType, ...] = ("conv", "pool", "transposed")  # layer types of the padding variant
    kernels: tuple[int, ...] = (2, 3, 4, 5)  # kernel choices (padding and output_padding variants)
    dilations: tuple[int, ...] = (1,)  # dilation choices (conv layers of the padding variant; output_padding variant)
    half_input: tuple[int, int] = (4, 32)  # [min, max] of half the input (padding variant) / of the input (output_padding)
    up_strides: tuple[int, ...] = (2,)  # strides of the transposed conv in the output_padding variant (target = stride * input)
    net_input: tuple[int, int] = (16, 64)  # network: [min, max] input size
    depth: tuple[int, int] = (1, 2)  # network: [min, max] encoder (and decoder) levels
    convs_per_block: tuple[int, int] = (1, 2)  # network: [min, max] convolutions per block
    net_kernels: tuple[int, ...] = (3,)  # network: kernel choices of its convolutions
    same_padding_probability: float = 0.5  # network: chance of padding (k-1)/2, else a smaller one (the map shrinks)
    min_bottleneck: int = 2  # network: smallest bottleneck size accepted
    max_size: int = 1024  # network: largest output size accepted

    def __post_init__(self) -> None:
        for name in ("variants", "padding_types"):
            require(bool(getattr(self, name)), name, "must list at least one choice")
        for name in ("kernels", "dilations", "up_strides", "net_kernels"):
            choices = getattr(self, name)
            require(bool(choices) and min(choices) >= 1, name, "must be a non-empty list of integers >= 1")
        for name in ("half_input", "net_input", "depth", "convs_per_block"):
            low, high = getattr(self, name)
            require(1 <= low <= high, name, "must be [min, max] with 1 <= min <= max")
        require(0 <= self.same_padding_probability <= 1, "same_padding_probability", "must be between 0 and 1")
        require(self.min_bottleneck >= 1, "min_bottleneck", "must be at least 1")
        require(self.max_size >= 1, "max_size", "must be at least 1")


# ---------------------------------------------------------------- sizes


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def conv_size(i: int, k: int, s: int, p: int, d: int) -> int:
    """Conv2d / MaxPool2d (floor mode) output size."""
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def transposed_size(i: int, k: int, s: int, p: int, d: int, op: int) -> int:
    return (i - 1) * s - 2 * p + d * (k - 1) + op + 1


def _without_output_padding(i: int, layer: Layer) -> int:
    """The output_padding variant's layer's output size with output_padding 0."""
    return transposed_size(i, layer.kernel, layer.stride, layer.padding or 0, layer.dilation, 0)


def _padding_bounds(i: int, target: int, layer: Layer) -> tuple[int, int]:
    """[low, high]: the values 2p may take for the layer to turn i into target (one value for a transposed conv)."""
    reach = layer.dilation * (layer.kernel - 1)
    if layer.type == "transposed":
        twice_p = (i - 1) * layer.stride + reach + (layer.output_padding or 0) + 1 - target
        return twice_p, twice_p
    # floor((i + 2p - reach - 1)/s) + 1 = target  <=>  s(target-1) <= i + 2p - reach - 1 <= s(target-1) + s - 1
    low = layer.stride * (target - 1) - i + reach + 1
    return low, low + layer.stride - 1


def smallest_padding(i: int, target: int, layer: Layer) -> int:
    """The smallest p >= 0 with 2p >= the lower bound (it works when 2p <= the upper bound, as Params checks)."""
    return max(0, _ceil_div(_padding_bounds(i, target, layer)[0], 2))


def _network_fault(net: Network) -> str | None:
    """Why the network cannot be walked (a size below 1, or odd before a max-pool), or None."""
    change = 2 * net.conv_padding - (net.conv_kernel - 1)  # what each conv (stride 1) adds to the size
    size = net.input
    for stage in range(2 * net.depth + 1):  # the encoder levels, the bottleneck, the decoder levels
        if stage > net.depth:
            size *= 2  # the up-conv
        for _ in range(net.convs_per_block):
            size += change
            if size < 1:
                return f"{_stage_name(stage, net.depth)}: a convolution gives size {size}"
        if stage < net.depth:
            if size % 2:
                return f"{_stage_name(stage, net.depth)}: size {size} is odd before max-pooling"
            size //= 2
    return None


def _stage_name(stage: int, depth: int) -> str:
    if stage == depth:
        return "bottleneck"
    return f"encoder level {stage + 1}" if stage < depth else f"decoder level {2 * depth + 1 - stage}"


def _goal_phrase(i: int, target: int) -> str:
    if target == i:
        return "keep the size"
    if 2 * target == i:
        return "halve the size"
    if target == 2 * i:
        return "double the size"
    if target % i == 0:
        return f"multiply the size by {target // i}"
    return "change the size"


# ---------------------------------------------------------------- variant: padding


def _solve_padding(params: Params) -> Solution:
    i, target, layer = _layer(params)
    k, s, d = layer.kernel, layer.stride, layer.dilation
    reach = d * (k - 1)
    p = smallest_padding(i, target, layer)
    if layer.type == "transposed":
        op = layer.output_padding or 0
        twice_p = _padding_bounds(i, target, layer)[0]
        steps = [
            "ConvTranspose2d (torch): o = (i − 1)·s − 2p + d(k − 1) + output_padding + 1.",
            f"Set o = {target}: {target} = ({i} − 1)·{s} − 2p + {d}·({k} − 1) + {op} + 1 = {twice_p + target} − 2p, "
            f"so 2p = {twice_p}.",
            f"p = {p}. Check: ({i} − 1)·{s} − 2·{p} + {reach} + {op} + 1 = {transposed_size(i, k, s, p, d, op)}.",
        ]
        return Solution(answer=p, steps=steps)
    low, high = _padding_bounds(i, target, layer)
    steps = [
        f"{TORCH_NAMES[layer.type]} (torch, floor mode): o = floor((i + 2p − d(k − 1) − 1)/s) + 1.",
        f"o = {target} needs {s}·({target} − 1) ≤ {i} + 2p − {d}·({k} − 1) − 1 ≤ {s}·({target} − 1) + {s} − 1, "
        f"i.e. {low} ≤ 2p ≤ {high}." if s > 1 else
        f"With s = 1: {target} = {i} + 2p − {d}·({k} − 1) − 1 + 1, so 2p = {low}.",
    ]
    choice = (f"p = {low}/2 = {p}" if s == 1 else f"the smallest non-negative integer p with 2p in that range: p = {p}")
    steps.append(f"So {choice}. Check: "
                 f"floor(({i} + 2·{p} − {reach} − 1)/{s}) + 1 = {conv_size(i, k, s, p, d)}.")
    return Solution(answer=p, steps=steps)


# ---------------------------------------------------------------- variant: output_padding


def _solve_output_padding(params: Params) -> Solution:
    i, target, layer = _layer(params)
    k, s, p, d = layer.kernel, layer.stride, layer.padding, layer.dilation
    without = _without_output_padding(i, layer)
    op = target - without
    limit = max(s, d)
    steps = [
        "ConvTranspose2d (torch): o = (i − 1)·s − 2p + d(k − 1) + output_padding + 1.",
        f"Without output padding: ({i} − 1)·{s} − 2·{p} + {d}·({k} − 1) + 1 = {without}.",
        f"To reach {target}: output_padding = {target} − {without} = {op} (allowed: 0 ≤ {op} < max(s, d) = {limit}).",
    ]
    return Solution(answer=op, steps=steps)


# ---------------------------------------------------------------- variant: network


def network_trace(net: Network) -> tuple[list[str], int, int]:
    """Walk the network: a line per stage, the bottleneck size and the output size."""
    k, p, n = net.conv_kernel, net.conv_padding, net.convs_per_block
    size = net.input
    lines = []

    def convs(label: str) -> None:
        nonlocal size
        chain = [size]
        for _ in range(n):
            size = conv_size(size, k, 1, p, 1)
            chain.append(size)
        lines.append(f"{label}: {n} × conv: {' → '.join(str(c) for c in chain)}")

    for level in range(1, net.depth + 1):
        convs(f"Encoder level {level}")
        lines.append(f"  max-pool 2x2, stride 2: {size} → {size // 2}")
        size //= 2
    convs("Bottleneck")
    bottleneck = size
    for level in range(net.depth, 0, -1):
        lines.append(f"Decoder level {level}: up-conv (ConvTranspose2d k=2, s=2): {size} → {2 * size}")
        size = transposed_size(size, 2, 2, 0, 1, 0)
        convs("  then")
    return lines, bottleneck, size


def _solve_network(params: Params) -> Solution:
    net = _network(params)
    k, p = net.conv_kernel, net.conv_padding
    lines, bottleneck, output = network_trace(net)
    if net.ask == "bottleneck":
        lines = lines[: next(n for n, line in enumerate(lines) if line.startswith("Bottleneck")) + 1]
    change = 2 * p - (k - 1)
    if change == 0:
        effect = "o = i: it keeps the size"
    else:
        effect = f"o = i {'+' if change > 0 else '−'} {abs(change)}: it {'adds' if change > 0 else 'removes'} {abs(change)}"
    steps = [
        f"Each conv (k = {k}, s = 1, p = {p}): o = i + 2·{p} − ({k} − 1), so {effect}. "
        "Max-pool 2x2 stride 2 halves an even size; ConvTranspose2d(k=2, s=2, p=0): o = (i − 1)·2 + 2 = 2i.",
        "\n".join(lines),
    ]
    answer = bottleneck if net.ask == "bottleneck" else output
    where = "bottleneck" if net.ask == "bottleneck" else "output"
    steps.append(f"The {where} is {answer} x {answer}.")
    return Solution(answer=answer, steps=steps)


# ---------------------------------------------------------------- family interface

SOLVERS: dict[str, Callable[[Params], Solution]] = {
    "padding": _solve_padding, "output_padding": _solve_output_padding, "network": _solve_network,
}


def solve(params: Params) -> Solution:
    return SOLVERS[params.variant](params)


def question_fields(params: Params) -> dict[str, str]:
    variant = params.variant
    if variant == "network":
        net = _network(params)
        n = net.convs_per_block
        convs = (f"{n} x Conv2d(kernel_size={net.conv_kernel}, stride=1, padding={net.conv_padding})"
                 if n > 1 else f"one Conv2d(kernel_size={net.conv_kernel}, stride=1, padding={net.conv_padding})")
        asked = ("at the bottleneck (after the bottleneck convolutions)" if net.ask == "bottleneck"
                 else "of the network's output (after the last decoder convolution)")
        levels = f"{net.depth} level" + ("s" if net.depth > 1 else "")
        return {"variant": variant, "input": str(net.input), "levels": levels, "convs": convs,
                "asked": asked}
    i, target, layer = _layer(params)
    if variant == "padding":
        base = f"kernel_size={layer.kernel}, stride={layer.stride}, padding=p"
        if layer.type == "transposed":
            call = f"ConvTranspose2d({base}, output_padding={layer.output_padding}, dilation={layer.dilation})"
        elif layer.type == "pool":
            call = f"MaxPool2d({base}, dilation={layer.dilation}, ceil_mode=False)"
        else:
            call = f"Conv2d({base}, dilation={layer.dilation})"
    else:
        call = (f"ConvTranspose2d(kernel_size={layer.kernel}, stride={layer.stride}, padding={layer.padding}, "
                f"output_padding=q, dilation={layer.dilation})")
    return {"variant": variant, "call": call, "input": str(i), "target": str(target), "goal": _goal_phrase(i, target)}


# ---------------------------------------------------------------- sampling


def _sample_padding(rng: random.Random, level: Level) -> Params:
    kind = rng.choice(level.padding_types)
    k = rng.choice(level.kernels)
    d = rng.choice(level.dilations) if kind == "conv" and k > 1 else 1
    i = 2 * rng.randint(*level.half_input)
    if kind == "transposed":
        s = rng.choice([1, 2])
        target = i * s
        op = rng.randrange(max(s, d))
    else:
        s = rng.choice([1, 2])
        target = i // s
        op = 0
    return Params(variant="padding", input=i, target=target,
                  layer=Layer(type=kind, kernel=k, stride=s, dilation=d, output_padding=op))


def _sample_output_padding(rng: random.Random, level: Level) -> Params:
    k = rng.choice(level.kernels)
    s = rng.choice(level.up_strides)
    d = rng.choice(level.dilations) if k > 1 else 1
    p = rng.randint(0, min(d * (k - 1), 2))
    i = rng.randint(*level.half_input)
    return Params(variant="output_padding", input=i, target=s * i,
                  layer=Layer(type="transposed", kernel=k, stride=s, padding=p, dilation=d))


def _sample_network(rng: random.Random, level: Level) -> Params:
    k = rng.choice(level.net_kernels)
    same = (k - 1) // 2  # the "same" padding of an odd kernel; anything less shrinks the map
    return Params(variant="network", input=rng.randint(*level.net_input),
                  depth=rng.randint(*level.depth),
                  convs_per_block=rng.randint(*level.convs_per_block), conv_kernel=k,
                  conv_padding=same if same == 0 or rng.random() < level.same_padding_probability
                  else rng.randint(0, same - 1),
                  ask=rng.choice(ASKS))


SAMPLERS: dict[str, Callable[[random.Random, Level], Params]] = {
    "padding": _sample_padding, "output_padding": _sample_output_padding, "network": _sample_network,
}


def _acceptable(params: Params, level: Level) -> bool:
    if params.variant != "network":
        return True
    net = _network(params)
    bottleneck, output = _network_sizes(net, 2 * net.conv_padding - (net.conv_kernel - 1), net.convs_per_block)
    return bottleneck >= level.min_bottleneck and output <= level.max_size


def sample(rng: random.Random, level: Level) -> Params:
    """Draws until Params accepts the instance (some padding solves it; the network's sizes stay valid) and,
    for a network, its bottleneck and output sizes are within the level's bounds."""
    variant = rng.choice(level.variants)  # chosen first so the spec's mix holds
    rejections = Rejections()
    while True:
        try:
            params = SAMPLERS[variant](rng, level)
        except InvalidParams:
            rejections.again()
            continue
        if _acceptable(params, level):
            return params
        rejections.again()


# ---------------------------------------------------------------- mistakes


def _padding_not_halved(params: Params) -> int | None:
    if params.variant != "padding":
        return None
    p = solve(params).answer
    return 2 * p if p else None


def _padding_not_halved_message(params: Params) -> str:
    p = solve(params).answer
    return (f"you gave 2p = {2 * p}, or padded one side only: p pads each side, so the size grows by 2p "
            f"and p = {2 * p}/2 = {p}")


def _padding_without_dilation(params: Params) -> int | None:
    if params.variant != "padding" or params.layer is None or params.layer.dilation == 1:
        return None
    try:
        return solve(replace(params, layer=replace(params.layer, dilation=1))).answer
    except InvalidParams:
        return None


def _padding_without_dilation_message(params: Params) -> str:
    layer = _layer(params)[2]
    k, d = layer.kernel, layer.dilation
    return (f"you left out the dilation: with d = {d} the {k}-wide kernel reaches d(k − 1) = {d * (k - 1)} pixels "
            f"beyond its first, not {k - 1}")


def _output_padding_plus_one(params: Params) -> int | None:
    if params.variant != "output_padding":
        return None
    return solve(params).answer + 1


def _output_padding_plus_one_message(params: Params) -> str:
    i, _, layer = _layer(params)
    k, s, p, d = layer.kernel, layer.stride, layer.padding, layer.dilation
    return (f"you left out the + 1: ConvTranspose2d gives (i − 1)·s − 2p + d(k − 1) + output_padding + 1, "
            f"so without output padding ({i} − 1)·{s} − 2·{p} + {d}·({k} − 1) + 1 = {_without_output_padding(i, layer)}")


def _network_sizes(net: Network, conv_change: int, convs_per_block: int) -> tuple[int, int]:
    """Bottleneck and output sizes when every conv changes the size by ``conv_change`` (a slip's walk)."""
    size = net.input
    for _ in range(net.depth):
        size = (size + convs_per_block * conv_change) // 2
    size += convs_per_block * conv_change
    bottleneck = size
    for _ in range(net.depth):
        size = 2 * size + convs_per_block * conv_change
    return bottleneck, size


def _network_slip(keep_size: bool = False, one_conv: bool = False) -> Callable[[Params], int | None]:
    def answer(params: Params) -> int | None:
        if params.variant != "network":
            return None
        net = _network(params)
        change = 2 * net.conv_padding - (net.conv_kernel - 1)
        if (keep_size and change == 0) or (one_conv and net.convs_per_block == 1):
            return None
        bottleneck, output = _network_sizes(net, 0 if keep_size else change, 1 if one_conv else net.convs_per_block)
        value = bottleneck if net.ask == "bottleneck" else output
        return value if value >= 1 else None

    return answer


def _keep_size_message(params: Params) -> str:
    net = _network(params)
    k, p = net.conv_kernel, net.conv_padding
    return (f"you treated the convolutions as size-preserving: with k = {k} and p = {p} each one gives "
            f"o = i + 2·{p} − ({k} − 1) = i {'+' if 2 * p >= k - 1 else '−'} {abs(2 * p - (k - 1))}")


def _one_conv_message(params: Params) -> str:
    n = _network(params).convs_per_block
    return f"you applied one convolution per block: every block has {n}, each changing the size"


MISTAKES = (
    Mistake("padding-not-halved", _padding_not_halved, _padding_not_halved_message),
    Mistake("padding-ignores-dilation", _padding_without_dilation, _padding_without_dilation_message),
    Mistake("output-padding-plus-one", _output_padding_plus_one, _output_padding_plus_one_message),
    Mistake("convs-keep-size", _network_slip(keep_size=True), _keep_size_message),
    Mistake("one-conv-per-block", _network_slip(one_conv=True), _one_conv_message),
)
