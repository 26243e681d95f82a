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

Params (JSON)::

    {"variant": "padding", "input": int, "target": int,
     "layer": {"type": "conv" | "pool" | "transposed", "kernel": int, "stride": int,
               "dilation": int, "output_padding": int}}
    {"variant": "output_padding", "input": int, "target": int,
     "layer": {"type": "transposed", "kernel": int, "stride": int, "padding": int, "dilation": int}}
    {"variant": "network", "input": int, "depth": int, "convs_per_block": int,
     "conv_kernel": int, "conv_padding": int, "ask": "bottleneck" | "output"}
"""

from __future__ import annotations

import random
from typing import Any

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution

VARIANTS = ("padding", "output_padding", "network")
TORCH_NAMES = {"conv": "Conv2d", "pool": "MaxPool2d", "transposed": "ConvTranspose2d"}


def _int(value: Any, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParams(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def conv_size(i: int, k: int, s: int, p: int, d: int) -> int:
    """Conv2d / MaxPool2d (floor mode) output size."""
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def transposed_size(i: int, k: int, s: int, p: int, d: int, op: int) -> int:
    return (i - 1) * s - 2 * p + d * (k - 1) + op + 1


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


def _padding_layer(params: dict[str, Any]) -> dict[str, Any]:
    layer = params.get("layer")
    if not isinstance(layer, dict):
        raise InvalidParams("'layer' must be a mapping")
    kind = layer.get("type")
    if kind not in TORCH_NAMES:
        raise InvalidParams(f"layer type must be one of {', '.join(TORCH_NAMES)}, got {kind!r}")
    checked = {"type": kind, "kernel": _int(layer.get("kernel"), "kernel", 1),
               "stride": _int(layer.get("stride"), "stride", 1), "dilation": _int(layer.get("dilation"), "dilation", 1),
               "output_padding": _int(layer.get("output_padding"), "output_padding", 0)}
    if kind != "transposed" and checked["output_padding"]:
        raise InvalidParams("output_padding only applies to a transposed convolution")
    if kind == "transposed" and checked["output_padding"] >= max(checked["stride"], checked["dilation"]):
        raise InvalidParams("torch requires output_padding < max(stride, dilation)")
    return checked


def _solve_padding(params: dict[str, Any]) -> Solution:
    i = _int(params.get("input"), "input", 1)
    target = _int(params.get("target"), "target", 1)
    layer = _padding_layer(params)
    k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
    reach = d * (k - 1)
    if layer["type"] == "transposed":
        op = layer["output_padding"]
        twice_p = (i - 1) * s + reach + op + 1 - target
        steps = [
            "ConvTranspose2d (torch): o = (i − 1)·s − 2p + d(k − 1) + output_padding + 1.",
            f"Set o = {target}: {target} = ({i} − 1)·{s} − 2p + {d}·({k} − 1) + {op} + 1 = {twice_p + target} − 2p, "
            f"so 2p = {twice_p}.",
        ]
        if twice_p < 0 or twice_p % 2:
            raise InvalidParams(f"no padding p >= 0 gives {target}: 2p would be {twice_p}")
        p = twice_p // 2
        steps.append(f"p = {p}. Check: ({i} − 1)·{s} − 2·{p} + {reach} + {op} + 1 = "
                     f"{transposed_size(i, k, s, p, d, op)}.")
        return Solution(answer=p, steps=steps)
    # floor((i + 2p - reach - 1)/s) + 1 = target  <=>  s(target-1) <= i + 2p - reach - 1 <= s(target-1) + s - 1
    low = s * (target - 1) - i + reach + 1
    high = low + s - 1
    steps = [
        f"{TORCH_NAMES[layer['type']]} (torch, floor mode): o = floor((i + 2p − d(k − 1) − 1)/s) + 1.",
        f"o = {target} needs {s}·({target} − 1) ≤ {i} + 2p − {d}·({k} − 1) − 1 ≤ {s}·({target} − 1) + {s} − 1, "
        f"i.e. {low} ≤ 2p ≤ {high}." if s > 1 else
        f"With s = 1: {target} = {i} + 2p − {d}·({k} − 1) − 1 + 1, so 2p = {low}.",
    ]
    p = max(0, _ceil_div(low, 2))
    if 2 * p > high:
        raise InvalidParams(f"no padding p >= 0 gives {target} (2p must lie in [{low}, {high}])")
    if layer["type"] == "pool" and p > k // 2:
        raise InvalidParams(f"the padding {p} breaks torch's pooling rule p <= kernel/2")
    choice = (f"p = {low}/2 = {p}" if s == 1 else f"the smallest non-negative integer p with 2p in that range: p = {p}")
    steps.append(f"So {choice}. Check: "
                 f"floor(({i} + 2·{p} − {reach} − 1)/{s}) + 1 = {conv_size(i, k, s, p, d)}.")
    return Solution(answer=p, steps=steps)


# ---------------------------------------------------------------- variant: output_padding


def _transposed_layer(params: dict[str, Any]) -> dict[str, Any]:
    layer = params.get("layer")
    if not isinstance(layer, dict) or layer.get("type") != "transposed":
        raise InvalidParams("'layer' must be a mapping with type 'transposed'")
    return {"type": "transposed", "kernel": _int(layer.get("kernel"), "kernel", 1),
            "stride": _int(layer.get("stride"), "stride", 1), "padding": _int(layer.get("padding"), "padding", 0),
            "dilation": _int(layer.get("dilation"), "dilation", 1)}


def _solve_output_padding(params: dict[str, Any]) -> Solution:
    i = _int(params.get("input"), "input", 1)
    target = _int(params.get("target"), "target", 1)
    layer = _transposed_layer(params)
    k, s, p, d = layer["kernel"], layer["stride"], layer["padding"], layer["dilation"]
    without = transposed_size(i, k, s, p, d, 0)
    op = target - without
    limit = max(s, d)
    if not 0 <= op < limit:
        raise InvalidParams(f"output_padding would be {op}; torch needs 0 <= output_padding < {limit}")
    steps = [
        "ConvTranspose2d (torch): o = (i − 1)·s − 2p + d(k − 1) + output_padding + 1.",
        f"Without output padding: ({i} − 1)·{s} − 2·{p} + {d}·({k} − 1) + 1 = {without}.",
        f"To reach {target}: output_padding = {target} − {without} = {op} (allowed: 0 ≤ {op} < max(s, d) = {limit}).",
    ]
    return Solution(answer=op, steps=steps)


# ---------------------------------------------------------------- variant: network


def _network(params: dict[str, Any]) -> dict[str, Any]:
    net = {"input": _int(params.get("input"), "input", 1), "depth": _int(params.get("depth"), "depth", 1),
           "convs_per_block": _int(params.get("convs_per_block"), "convs_per_block", 1),
           "conv_kernel": _int(params.get("conv_kernel"), "conv_kernel", 1),
           "conv_padding": _int(params.get("conv_padding"), "conv_padding", 0), "ask": params.get("ask")}
    if net["ask"] not in ("bottleneck", "output"):
        raise InvalidParams(f"ask must be 'bottleneck' or 'output', got {net['ask']!r}")
    return net


def network_trace(net: dict[str, Any]) -> tuple[list[str], int, int]:
    """Walk the network: a line per stage, the bottleneck size and the output size."""
    k, p, n = net["conv_kernel"], net["conv_padding"], net["convs_per_block"]
    size = net["input"]
    lines = []

    def convs(label: str) -> None:
        nonlocal size
        chain = [size]
        for _ in range(n):
            size = conv_size(size, k, 1, p, 1)
            if size < 1:
                raise InvalidParams(f"{label}: a convolution gives size {size}")
            chain.append(size)
        lines.append(f"{label}: {n} × conv: {' → '.join(str(c) for c in chain)}")

    for level in range(1, net["depth"] + 1):
        convs(f"Encoder level {level}")
        if size % 2:
            raise InvalidParams(f"encoder level {level}: size {size} is odd before max-pooling")
        lines.append(f"  max-pool 2x2, stride 2: {size} → {size // 2}")
        size //= 2
    convs("Bottleneck")
    bottleneck = size
    for level in range(net["depth"], 0, -1):
        lines.append(f"Decoder level {level}: up-conv (ConvTranspose2d k=2, s=2): {size} → {2 * size}")
        size = transposed_size(size, 2, 2, 0, 1, 0)
        convs("  then")
    return lines, bottleneck, size


def _solve_network(params: dict[str, Any]) -> Solution:
    net = _network(params)
    k, p = net["conv_kernel"], net["conv_padding"]
    lines, bottleneck, output = network_trace(net)
    if net["ask"] == "bottleneck":
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
    answer = bottleneck if net["ask"] == "bottleneck" else output
    where = "bottleneck" if net["ask"] == "bottleneck" else "output"
    steps.append(f"The {where} is {answer} x {answer}.")
    return Solution(answer=answer, steps=steps)


# ---------------------------------------------------------------- family interface


def solve(params: dict[str, Any]) -> Solution:
    variant = params.get("variant") if isinstance(params, dict) else None
    if variant == "padding":
        return _solve_padding(params)
    if variant == "output_padding":
        return _solve_output_padding(params)
    if variant == "network":
        return _solve_network(params)
    raise InvalidParams(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")


def question_fields(params: dict[str, Any]) -> dict[str, str]:
    variant = params.get("variant")
    if variant == "padding":
        layer = _padding_layer(params)
        base = f"kernel_size={layer['kernel']}, stride={layer['stride']}, padding=p"
        if layer["type"] == "transposed":
            call = f"ConvTranspose2d({base}, output_padding={layer['output_padding']}, dilation={layer['dilation']})"
        elif layer["type"] == "pool":
            call = f"MaxPool2d({base}, dilation={layer['dilation']}, ceil_mode=False)"
        else:
            call = f"Conv2d({base}, dilation={layer['dilation']})"
        return {"variant": variant, "call": call, "input": str(params["input"]), "target": str(params["target"]),
                "goal": _goal_phrase(params["input"], params["target"])}
    if variant == "output_padding":
        layer = _transposed_layer(params)
        call = (f"ConvTranspose2d(kernel_size={layer['kernel']}, stride={layer['stride']}, padding={layer['padding']}, "
                f"output_padding=q, dilation={layer['dilation']})")
        return {"variant": variant, "call": call, "input": str(params["input"]), "target": str(params["target"]),
                "goal": _goal_phrase(params["input"], params["target"])}
    if variant == "network":
        net = _network(params)
        n = net["convs_per_block"]
        convs = (f"{n} x Conv2d(kernel_size={net['conv_kernel']}, stride=1, padding={net['conv_padding']})"
                 if n > 1 else f"one Conv2d(kernel_size={net['conv_kernel']}, stride=1, padding={net['conv_padding']})")
        asked = ("at the bottleneck (after the bottleneck convolutions)" if net["ask"] == "bottleneck"
                 else "of the network's output (after the last decoder convolution)")
        levels = f"{net['depth']} level" + ("s" if net["depth"] > 1 else "")
        return {"variant": variant, "input": str(net["input"]), "levels": levels, "convs": convs,
                "asked": asked}
    raise InvalidParams(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")


# ---------------------------------------------------------------- sampling


def _sample_padding(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    kind = rng.choice(level.get("padding_types", ["conv", "pool", "transposed"]))
    k = rng.choice(level.get("kernels", [2, 3, 4, 5]))
    d = rng.choice(level.get("dilations", [1])) if kind == "conv" and k > 1 else 1
    i = 2 * rng.randint(*level.get("half_input", [4, 32]))
    if kind == "transposed":
        s = rng.choice([1, 2])
        target = i * s
        op = rng.randrange(max(s, d))
    else:
        s = rng.choice([1, 2])
        target = i // s
        op = 0
    return {"variant": "padding", "input": i, "target": target,
            "layer": {"type": kind, "kernel": k, "stride": s, "dilation": d, "output_padding": op}}


def _sample_output_padding(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    k = rng.choice(level.get("kernels", [2, 3, 4, 5]))
    s = rng.choice(level.get("up_strides", [2]))
    d = rng.choice(level.get("dilations", [1])) if k > 1 else 1
    p = rng.randint(0, min(d * (k - 1), 2))
    i = rng.randint(*level.get("half_input", [4, 32]))
    return {"variant": "output_padding", "input": i, "target": s * i,
            "layer": {"type": "transposed", "kernel": k, "stride": s, "padding": p, "dilation": d}}


def _sample_network(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    k = rng.choice(level.get("net_kernels", [3]))
    same = (k - 1) // 2  # the "same" padding of an odd kernel; anything less shrinks the map
    return {"variant": "network", "input": rng.randint(*level.get("net_input", [16, 64])),
            "depth": rng.randint(*level.get("depth", [1, 2])),
            "convs_per_block": rng.randint(*level.get("convs_per_block", [1, 2])), "conv_kernel": k,
            "conv_padding": same if same == 0 or rng.random() < level.get("same_padding_probability", 0.5)
            else rng.randint(0, same - 1),
            "ask": rng.choice(["bottleneck", "output"])}


SAMPLERS = {"padding": _sample_padding, "output_padding": _sample_output_padding, "network": _sample_network}


def _acceptable(params: dict[str, Any], level: dict[str, Any]) -> bool:
    try:
        solution = solve(params)
    except InvalidParams:
        return False
    if params["variant"] == "network":
        _, bottleneck, output = network_trace(_network(params))
        return bottleneck >= int(level.get("min_bottleneck", 2)) and output <= int(level.get("max_size", 1024))
    return solution.answer >= 0


def sample(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    variant = rng.choice(level.get("variants", list(VARIANTS)))  # chosen first so the spec's mix holds
    rejections = Rejections()
    while True:
        params = SAMPLERS[variant](rng, level)
        if _acceptable(params, level):
            return params
        rejections.again()


# ---------------------------------------------------------------- mistakes


def _padding_not_halved(params: dict[str, Any]) -> int | None:
    if params.get("variant") != "padding":
        return None
    p = solve(params).answer
    return 2 * p if p else None


def _padding_not_halved_message(params: dict[str, Any]) -> str:
    p = solve(params).answer
    return (f"you gave 2p = {2 * p}, or padded one side only: p pads each side, so the size grows by 2p "
            f"and p = {2 * p}/2 = {p}")


def _padding_without_dilation(params: dict[str, Any]) -> int | None:
    if params.get("variant") != "padding" or _padding_layer(params)["dilation"] == 1:
        return None
    layer = dict(params["layer"], dilation=1)
    try:
        return solve({**params, "layer": layer}).answer
    except InvalidParams:
        return None


def _padding_without_dilation_message(params: dict[str, Any]) -> str:
    layer = _padding_layer(params)
    k, d = layer["kernel"], layer["dilation"]
    return (f"you left out the dilation: with d = {d} the {k}-wide kernel reaches d(k − 1) = {d * (k - 1)} pixels "
            f"beyond its first, not {k - 1}")


def _output_padding_plus_one(params: dict[str, Any]) -> int | None:
    if params.get("variant") != "output_padding":
        return None
    return solve(params).answer + 1


def _output_padding_plus_one_message(params: dict[str, Any]) -> str:
    layer = _transposed_layer(params)
    k, s, p, d = layer["kernel"], layer["stride"], layer["padding"], layer["dilation"]
    i = params["input"]
    return (f"you left out the + 1: ConvTranspose2d gives (i − 1)·s − 2p + d(k − 1) + output_padding + 1, "
            f"so without output padding ({i} − 1)·{s} − 2·{p} + {d}·({k} − 1) + 1 = {transposed_size(i, k, s, p, d, 0)}")


def _network_sizes(net: dict[str, Any], conv_change: int, convs_per_block: int) -> tuple[int, int]:
    """Bottleneck and output sizes when every conv changes the size by ``conv_change`` (a slip's walk)."""
    size = net["input"]
    for _ in range(net["depth"]):
        size = (size + convs_per_block * conv_change) // 2
    size += convs_per_block * conv_change
    bottleneck = size
    for _ in range(net["depth"]):
        size = 2 * size + convs_per_block * conv_change
    return bottleneck, size


def _network_slip(keep_size: bool = False, one_conv: bool = False):
    def answer(params: dict[str, Any]) -> int | None:
        if params.get("variant") != "network":
            return None
        net = _network(params)
        change = 2 * net["conv_padding"] - (net["conv_kernel"] - 1)
        if (keep_size and change == 0) or (one_conv and net["convs_per_block"] == 1):
            return None
        bottleneck, output = _network_sizes(net, 0 if keep_size else change, 1 if one_conv else net["convs_per_block"])
        value = bottleneck if net["ask"] == "bottleneck" else output
        return value if value >= 1 else None

    return answer


def _keep_size_message(params: dict[str, Any]) -> str:
    net = _network(params)
    k, p = net["conv_kernel"], net["conv_padding"]
    return (f"you treated the convolutions as size-preserving: with k = {k} and p = {p} each one gives "
            f"o = i + 2·{p} − ({k} − 1) = i {'+' if 2 * p >= k - 1 else '−'} {abs(2 * p - (k - 1))}")


def _one_conv_message(params: dict[str, Any]) -> str:
    n = _network(params)["convs_per_block"]
    return f"you applied one convolution per block: every block has {n}, each changing the size"


MISTAKES = (
    Mistake("padding-not-halved", _padding_not_halved, _padding_not_halved_message),
    Mistake("padding-ignores-dilation", _padding_without_dilation, _padding_without_dilation_message),
    Mistake("output-padding-plus-one", _output_padding_plus_one, _output_padding_plus_one_message),
    Mistake("convs-keep-size", _network_slip(keep_size=True), _keep_size_message),
    Mistake("one-conv-per-block", _network_slip(one_conv=True), _one_conv_message),
)
