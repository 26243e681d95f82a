"""Output size after a chain of convolution, max-pooling and transposed-convolution layers.

Formulas (CONVENTIONS.md, torch semantics):

* conv / pool:  ``o = floor((i + 2p - d(k-1) - 1) / s) + 1``;
* pool with ``ceil_mode``: ``o = ceil(...) + 1``, minus 1 if ``(o-1)s >= i + p``
  (the last window must start inside the input or the left padding);
* transposed:   ``o = (i-1)s - 2p + d(k-1) + output_padding + 1``.

Params (JSON)::

    {"input": int,
     "layers": [{"type": "conv" | "pool" | "transposed", "kernel": int, "stride": int,
                 "padding": int, "dilation": int, "output_padding": int, "ceil_mode": bool}, ...]}

Every key is present on every layer; keys a layer type does not use hold
their neutral value (output_padding 0 except for transposed, ceil_mode false
except for pool).
"""

from __future__ import annotations

import random
from typing import Any

from mli_drill.families.base import InvalidParams, Rejections, Solution

LAYER_TYPES = ("conv", "pool", "transposed")
LAYER_KEYS = ("type", "kernel", "stride", "padding", "dilation", "output_padding", "ceil_mode")
TORCH_NAMES = {"conv": "Conv2d", "pool": "MaxPool2d", "transposed": "ConvTranspose2d"}


# ---------------------------------------------------------------- validation


def _int_value(value: Any, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParams(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def check_layer(layer: Any, index: int) -> dict[str, Any]:
    """One layer validated against torch's own rules, so hand-written params fail with a clear message."""
    where = f"layer {index + 1}"
    if not isinstance(layer, dict):
        raise InvalidParams(f"{where} must be a mapping")
    missing = [key for key in LAYER_KEYS if key not in layer]
    if missing:
        raise InvalidParams(f"{where}: missing {', '.join(missing)}")
    kind = layer["type"]
    if kind not in LAYER_TYPES:
        raise InvalidParams(f"{where}: type must be one of {', '.join(LAYER_TYPES)}, got {kind!r}")
    k = _int_value(layer["kernel"], f"{where}: kernel", 1)
    s = _int_value(layer["stride"], f"{where}: stride", 1)
    p = _int_value(layer["padding"], f"{where}: padding", 0)
    d = _int_value(layer["dilation"], f"{where}: dilation", 1)
    op = _int_value(layer["output_padding"], f"{where}: output_padding", 0)
    ceil_mode = layer["ceil_mode"]
    if not isinstance(ceil_mode, bool):
        raise InvalidParams(f"{where}: ceil_mode must be true or false, got {ceil_mode!r}")
    if kind != "transposed" and op != 0:
        raise InvalidParams(f"{where}: output_padding only applies to a transposed convolution")
    if kind != "pool" and ceil_mode:
        raise InvalidParams(f"{where}: ceil_mode only applies to max-pooling")
    if kind == "pool" and p > k // 2:
        raise InvalidParams(f"{where}: torch requires pooling padding <= kernel/2, got padding {p} for kernel {k}")
    if kind == "transposed" and op >= max(s, d):
        raise InvalidParams(f"{where}: torch requires output_padding < max(stride, dilation), got {op}")
    return {"type": kind, "kernel": k, "stride": s, "padding": p, "dilation": d, "output_padding": op,
            "ceil_mode": ceil_mode}


def _checked(params: Any) -> tuple[int, list[dict[str, Any]]]:
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping with 'input' and 'layers'")
    size = _int_value(params.get("input"), "input", 1)
    layers = params.get("layers")
    if not isinstance(layers, list) or not layers:
        raise InvalidParams("'layers' must be a non-empty list of layers")
    return size, [check_layer(layer, index) for index, layer in enumerate(layers)]


# ---------------------------------------------------------------- formulas


def _floor_div(a: int, b: int) -> int:
    return a // b


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def layer_output(size: int, layer: dict[str, Any]) -> tuple[int, str]:
    """The output size of one layer, and the formula with the numbers substituted."""
    k, s, p, d = layer["kernel"], layer["stride"], layer["padding"], layer["dilation"]
    if layer["type"] == "transposed":
        op = layer["output_padding"]
        out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
        text = (f"o = (i − 1)·s − 2p + d(k − 1) + output_padding + 1 = ({size} − 1)·{s} − 2·{p} + {d}·({k} − 1)"
                f" + {op} + 1 = {out}")
        return out, text
    numerator = size + 2 * p - d * (k - 1) - 1
    inside = f"(({size} + 2·{p} − {d}·({k} − 1) − 1)/{s})"
    if layer["type"] == "pool" and layer["ceil_mode"]:
        out = _ceil_div(numerator, s) + 1
        text = f"o = ceil((i + 2p − d(k − 1) − 1)/s) + 1 = ceil{inside} + 1 = ceil({numerator}/{s}) + 1 = {out}"
        last_start = (out - 1) * s
        if last_start >= size + p:
            text += (f"; but the last window would start at (o − 1)·s = {last_start} ≥ i + p = {size + p}, "
                     f"i.e. in the right padding, so torch drops it: o = {out - 1}")
            out -= 1
        else:
            text += f" (check: (o − 1)·s = {last_start} < i + p = {size + p}, so the last window is kept)"
        return out, text
    out = _floor_div(numerator, s) + 1
    text = f"o = floor((i + 2p − d(k − 1) − 1)/s) + 1 = floor{inside} + 1 = floor({numerator}/{s}) + 1 = {out}"
    return out, text


def output_sizes(size: int, layers: list[dict[str, Any]]) -> list[int]:
    """The size after each layer (no validity check)."""
    sizes = []
    for layer in layers:
        size, _ = layer_output(size, layer)
        sizes.append(size)
    return sizes


def describe_layer(layer: dict[str, Any]) -> str:
    """The layer as a torch constructor call, every argument spelled out."""
    base = f"kernel_size={layer['kernel']}, stride={layer['stride']}, padding={layer['padding']}"
    if layer["type"] == "conv":
        return f"Conv2d({base}, dilation={layer['dilation']})"
    if layer["type"] == "pool":
        return f"MaxPool2d({base}, dilation={layer['dilation']}, ceil_mode={layer['ceil_mode']})"
    return f"ConvTranspose2d({base}, output_padding={layer['output_padding']}, dilation={layer['dilation']})"


# ---------------------------------------------------------------- family interface


def solve(params: dict[str, Any]) -> Solution:
    size, layers = _checked(params)
    steps = [
        "Apply each layer's size formula in turn (torch semantics; i = input size, k = kernel, s = stride, "
        "p = padding, d = dilation):"
    ]
    sizes = [size]
    for index, layer in enumerate(layers):
        out, text = layer_output(size, layer)
        if out < 1:
            raise InvalidParams(f"layer {index + 1} ({describe_layer(layer)}) gives output size {out} from {size}")
        steps.append(f"Layer {index + 1}, {describe_layer(layer)}, i = {size}: {text}")
        size = out
        sizes.append(size)
    if len(layers) > 1:
        steps.append(f"Sizes: {' → '.join(str(s) for s in sizes)}.")
    steps.append(f"The output is {size} x {size}: the answer is {size}.")
    return Solution(answer=size, steps=steps)


def question_fields(params: dict[str, Any]) -> dict[str, str]:
    size, layers = _checked(params)
    lines = [f"  {index + 1}. {describe_layer(layer)}" for index, layer in enumerate(layers)]
    noun = "this layer" if len(layers) == 1 else f"these {len(layers)} layers, in order"
    return {"input": str(size), "layers": "\n".join(lines), "through": noun}


def _sample_layer(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    kind = rng.choice(level.get("types", list(LAYER_TYPES)))
    layer = {"type": kind, "kernel": 1, "stride": 1, "padding": 0, "dilation": 1, "output_padding": 0,
             "ceil_mode": False}
    if kind == "conv":
        k = rng.choice(level.get("conv_kernels", [3, 5]))
        d = rng.choice(level.get("conv_dilations", [1])) if k > 1 else 1  # a dilated 1x1 kernel is still 1x1
        layer.update(kernel=k, stride=rng.choice(level.get("conv_strides", [1, 2])), dilation=d,
                     padding=rng.randint(0, (d * (k - 1) + 1) // 2))
    elif kind == "pool":
        k = rng.choice(level.get("pool_kernels", [2, 3]))
        layer.update(kernel=k, stride=rng.choice([s for s in level.get("pool_strides", [2]) if s <= k] or [k]),
                     padding=rng.randint(0, k // 2) if rng.random() < level.get("pool_padding_probability", 0.3)
                     else 0,
                     ceil_mode=rng.random() < level.get("ceil_probability", 0.0))
    else:
        k = rng.choice(level.get("transposed_kernels", [2, 3, 4]))
        s = rng.choice(level.get("transposed_strides", [2]))
        d = rng.choice(level.get("transposed_dilations", [1])) if k > 1 else 1
        layer.update(kernel=k, stride=s, dilation=d, padding=rng.randint(0, min(d * (k - 1), 2)),
                     output_padding=rng.randrange(max(s, d)))
    return layer


def _acceptable(size: int, layers: list[dict[str, Any]], level: dict[str, Any]) -> bool:
    """Every intermediate size valid and hand-sized; ceil_mode only where it can matter."""
    max_size = int(level.get("max_size", 128))
    for layer in layers:
        if layer["type"] == "pool" and layer["ceil_mode"]:
            numerator = size + 2 * layer["padding"] - layer["dilation"] * (layer["kernel"] - 1) - 1
            if numerator % layer["stride"] == 0:
                return False  # ceil and floor agree: the flag would teach nothing
        size, _ = layer_output(size, layer)
        if size < 1 or size > max_size:
            return False
    return True


def sample(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    low, high = level.get("layers", [1, 1])
    size_low, size_high = level.get("input", [8, 32])
    rejections = Rejections()
    while True:
        size = rng.randint(size_low, size_high)
        layers = [_sample_layer(rng, level) for _ in range(rng.randint(low, high))]
        if _acceptable(size, layers, level):
            return {"input": size, "layers": layers}
        rejections.again()
