"""Counting learnable parameters of layers and small networks (CONVENTIONS.md).

* Conv (2D or 3D): ``C_out * (k^dims * C_in + 1)`` with biases, ``C_out * k^dims * C_in`` without.
* Transposed conv: ``C_in * C_out * k^dims (+ C_out)``. Linear: ``in * out (+ out)``.
* Logistic regression on an H x W image: ``H*W (+ 1)``. BatchNorm: ``2C`` (gamma and beta;
  the running mean and variance are buffers, not parameters).

Every question says whether biases count. With biases not counted, networks
contain no batch-norm layers (its beta is a bias-like shift, so it would be ambiguous).

Params (JSON), by ``variant``::

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
from typing import Any

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution

VARIANTS = ("conv", "transposed", "linear", "batchnorm", "logistic", "mlp", "cnn")


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

    def biases(self, params: dict[str, Any]) -> bool:
        return _bias(params) if self.bias is None else self.bias


RIGHT = Counting()


def _int(value: Any, what: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParams(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def _bias(params: dict[str, Any]) -> bool:
    value = params.get("bias")
    if not isinstance(value, bool):
        raise InvalidParams(f"bias must be true or false, got {value!r}")
    return value


def _dims(params: dict[str, Any], allowed: tuple[int, ...]) -> int:
    dims = params.get("dims")
    if dims not in allowed or isinstance(dims, bool):
        raise InvalidParams(f"dims must be one of {allowed}, got {dims!r}")
    return dims


def _kernel_text(k: int, dims: int) -> str:
    return "·".join([str(k)] * dims)


def _count_text(bias: bool) -> str:
    return "weights and biases" if bias else "weights only"


# ---------------------------------------------------------------- single layers


def _solve_conv(params: dict[str, Any], transposed: bool, counting: Counting = RIGHT) -> Solution:
    dims = _dims(params, (2, 3))
    c_in, c_out = _int(params.get("in_channels"), "in_channels"), _int(params.get("out_channels"), "out_channels")
    k, bias = _int(params.get("kernel"), "kernel"), counting.biases(params)
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


def _solve_linear(params: dict[str, Any], counting: Counting = RIGHT) -> Solution:
    n_in, n_out = _int(params.get("in_features"), "in_features"), _int(params.get("out_features"), "out_features")
    bias = counting.biases(params)
    steps = [f"Linear({n_in}, {n_out}): a {n_out} x {n_in} weight matrix, {n_in}·{n_out} = {n_in * n_out} weights."]
    if bias:
        total = n_in * n_out + n_out
        steps.append(f"Plus {n_out} biases (one per output): {n_in * n_out} + {n_out} = {total}.")
        return Solution(answer=total, steps=steps)
    steps.append(f"Biases are not counted: {n_in * n_out}.")
    return Solution(answer=n_in * n_out, steps=steps)


def _solve_batchnorm(params: dict[str, Any], counting: Counting = RIGHT) -> Solution:
    dims = _dims(params, (1, 2, 3))
    channels = _int(params.get("channels"), "channels")
    steps = [
        f"BatchNorm{dims}d({channels}) learns a scale γ and a shift β per channel: 2·{channels} = {2 * channels}.",
        "The running mean and running variance are statistics (buffers), not learnable parameters.",
    ]
    return Solution(answer=counting.batchnorm_per_channel * channels, steps=steps)


def _solve_logistic(params: dict[str, Any], counting: Counting = RIGHT) -> Solution:
    h, w, bias = _int(params.get("height"), "height"), _int(params.get("width"), "width"), counting.biases(params)
    steps = [f"Logistic regression on raw pixels: one weight per pixel, {h}·{w} = {h * w}."]
    if bias:
        steps.append(f"Plus one bias: {h * w} + 1 = {h * w + 1}.")
        return Solution(answer=h * w + 1, steps=steps)
    steps.append(f"Bias not counted: {h * w}.")
    return Solution(answer=h * w, steps=steps)


def _linear_chain(sizes: list[int], bias: bool, names: list[str] | None = None) -> tuple[int, list[str]]:
    total, lines = 0, []
    for index, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        count = n_in * n_out + (n_out if bias else 0)
        name = names[index] if names else f"layer {index + 1}"
        formula = f"{n_in}·{n_out} + {n_out}" if bias else f"{n_in}·{n_out}"
        lines.append(f"{name} ({n_in} → {n_out}): {formula} = {count}")
        total += count
    return total, lines


def _solve_mlp(params: dict[str, Any], counting: Counting = RIGHT) -> Solution:
    sizes = params.get("sizes")
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise InvalidParams("sizes must list at least the input and the output size")
    sizes = [_int(size, "every size") for size in sizes]
    bias = counting.biases(params)
    total, lines = _linear_chain(sizes, bias)
    rule = "in·out + out (weights and one bias per neuron)" if bias else "in·out (weights only)"
    steps = [f"Each fully connected layer has {rule}:", "\n".join(lines),
             f"Total: {' + '.join(line.rsplit('= ', 1)[1] for line in lines)} = {total}."]
    return Solution(answer=total, steps=steps)


# ---------------------------------------------------------------- small CNN


def _cnn_layers(params: dict[str, Any]) -> list[dict[str, Any]]:
    layers = params.get("layers")
    if not isinstance(layers, list) or not layers:
        raise InvalidParams("layers must be a non-empty list")
    checked = []
    for index, layer in enumerate(layers):
        where = f"layer {index + 1}"
        if not isinstance(layer, dict) or layer.get("type") not in ("conv", "pool", "batchnorm", "relu", "linear"):
            raise InvalidParams(f"{where}: type must be conv, pool, batchnorm, relu or linear")
        if layer["type"] == "conv":
            checked.append({"type": "conv", "out_channels": _int(layer.get("out_channels"), f"{where}: out_channels"),
                            "kernel": _int(layer.get("kernel"), f"{where}: kernel"),
                            "padding": _int(layer.get("padding"), f"{where}: padding", 0)})
        elif layer["type"] == "linear":
            checked.append({"type": "linear",
                            "out_features": _int(layer.get("out_features"), f"{where}: out_features")})
        else:
            checked.append({"type": layer["type"]})
    return checked


def _cnn_walk(params: dict[str, Any], counting: Counting = RIGHT) -> tuple[int, list[str], list[tuple[str, int]]]:
    """Walk the network: total, a line per layer, and (layer description, count) per layer."""
    channels, size = _int(params.get("in_channels"), "in_channels"), _int(params.get("input"), "input")
    _bias(params)  # validated even when a slip overrides it
    bias = counting.biases(params)
    features: int | None = None  # set once flattened
    total, lines, counts = 0, [], []
    for index, layer in enumerate(_cnn_layers(params)):
        where = f"layer {index + 1}"
        kind = layer["type"]
        if kind == "conv":
            if features is not None:
                raise InvalidParams(f"{where}: a conv after a linear layer")
            k, p, c_out = layer["kernel"], layer["padding"], layer["out_channels"]
            count = c_out * (k * k * (channels if counting.in_channels else 1) + (1 if bias else 0))
            new_size = size + 2 * p - k + 1
            if new_size < 1:
                raise InvalidParams(f"{where}: the conv gives size {new_size}")
            formula = f"{c_out}·({k}·{k}·{channels} + 1)" if bias else f"{c_out}·{k}·{k}·{channels}"
            lines.append(f"{index + 1}. Conv2d({channels}, {c_out}, kernel_size={k}, padding={p}): {formula} = {count}"
                         f"; output {c_out} x {new_size} x {new_size}")
            channels, size = c_out, new_size
        elif kind == "pool":
            if features is not None or size < 2:
                raise InvalidParams(f"{where}: max-pooling needs a feature map of size >= 2")
            count = 0
            lines.append(f"{index + 1}. MaxPool2d(2): no parameters; output {channels} x {size // 2} x {size // 2}")
            size = size // 2 if counting.pooling else size
        elif kind == "relu":
            count = 0
            lines.append(f"{index + 1}. ReLU: no parameters")
        elif kind == "batchnorm":
            if not _bias(params):
                raise InvalidParams(f"{where}: batch norm in a weights-only count is ambiguous (beta is a shift)")
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
            n_out = layer["out_features"]
            count = features * n_out + (n_out if bias else 0)
            formula = f"{features}·{n_out} + {n_out}" if bias else f"{features}·{n_out}"
            lines.append(f"{index + 1}. Linear({features}, {n_out}): {formula} = {count}")
            features = n_out
        total += count
        counts.append((kind, count))
    return total, lines, counts


def _solve_cnn(params: dict[str, Any], counting: Counting = RIGHT) -> Solution:
    total, lines, counts = _cnn_walk(params, counting)
    bias = _bias(params)
    rule = ("conv C_out·(k·k·C_in + 1), linear in·out + out, batch norm 2C, pooling and ReLU 0" if bias
            else "conv C_out·k·k·C_in, linear in·out (weights only), pooling and ReLU 0")
    nonzero = [str(count) for _, count in counts if count]
    steps = [f"Count layer by layer, tracking the feature-map size (stride-1 convs: o = i + 2p − k + 1; "
             f"MaxPool2d(2) halves, rounding down). Rule: {rule}.",
             "\n".join(lines),
             f"Total: {' + '.join(nonzero)} = {total}."]
    return Solution(answer=total, steps=steps)


# ---------------------------------------------------------------- mistakes


def _count(params: dict[str, Any], **slip: Any) -> int:
    return solve(params, Counting(**slip)).answer


def _cnn_layers_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    return _cnn_layers(params) if params.get("variant") == "cnn" else []


def _convs(params: dict[str, Any]) -> list[tuple[int, int, int]]:
    """(C_in, C_out, k) of every conv (or transposed conv) layer, in order."""
    if params.get("variant") in ("conv", "transposed"):
        return [(params["in_channels"], params["out_channels"], params["kernel"])]
    convs, channels = [], params.get("in_channels", 1)
    for layer in _cnn_layers_of(params):
        if layer["type"] == "conv":
            convs.append((channels, layer["out_channels"], layer["kernel"]))
            channels = layer["out_channels"]
    return convs


def _biases_forgotten(params: dict[str, Any]) -> int | None:
    if params.get("variant") == "batchnorm" or not _bias(params):
        return None
    return _count(params, bias=False)


def _biases_counted(params: dict[str, Any]) -> int | None:
    if params.get("variant") == "batchnorm" or _bias(params):
        return None
    return _count(params, bias=True)


def _in_channels_forgotten(params: dict[str, Any]) -> int | None:
    if not any(c_in > 1 for c_in, _, _ in _convs(params)):
        return None
    return _count(params, in_channels=False)


def _has_batchnorm(params: dict[str, Any]) -> bool:
    return params.get("variant") == "batchnorm" or any(layer["type"] == "batchnorm" for layer in _cnn_layers_of(params))


def _running_stats_counted(params: dict[str, Any]) -> int | None:
    return _count(params, batchnorm_per_channel=4) if _has_batchnorm(params) else None


def _pooling_ignored(params: dict[str, Any]) -> int | None:
    layers = _cnn_layers_of(params)
    first_linear = next((i for i, layer in enumerate(layers) if layer["type"] == "linear"), len(layers))
    if not any(layer["type"] == "pool" for layer in layers[:first_linear]):
        return None
    return _count(params, pooling=False)


def _biases_text(count: int) -> str:
    return f"{count} bias" if count == 1 else f"{count} biases"


def _biases_forgotten_message(params: dict[str, Any]) -> str:
    total, weights = solve(params).answer, _count(params, bias=False)
    return (f"you left out the biases: the question counts them, one per output channel or neuron, "
            f"so {weights} + {_biases_text(total - weights)} = {total}")


def _biases_counted_message(params: dict[str, Any]) -> str:
    weights, total = solve(params).answer, _count(params, bias=True)
    return (f"you counted the biases: the question asks for the weights only, {weights}, "
            f"not {weights} + {_biases_text(total - weights)} = {total}")


def _in_channels_message(params: dict[str, Any]) -> str:
    c_in, c_out, k = next((conv for conv in _convs(params) if conv[0] > 1), (2, 1, 3))
    dims = params.get("dims", 2) if params.get("variant") in ("conv", "transposed") else 2
    kernel = _kernel_text(k, dims)
    return (f"you left out the input channels: each of the {c_out} kernels spans all {c_in} input channels, "
            f"so it has {kernel}·{c_in} = {k**dims * c_in} weights, not {k**dims}")


def _first_batchnorm_width(params: dict[str, Any]) -> int:
    """The channels (or features, after a Linear layer) of the first batch-norm layer."""
    if params.get("variant") == "batchnorm":
        return params["channels"]
    channels, features = params["in_channels"], None
    for layer in _cnn_layers_of(params):
        if layer["type"] == "conv":
            channels = layer["out_channels"]
        elif layer["type"] == "linear":
            features = layer["out_features"]
        elif layer["type"] == "batchnorm":
            return features if features is not None else channels
    return channels


def _running_stats_message(params: dict[str, Any]) -> str:
    channels = _first_batchnorm_width(params)
    return (f"you counted the running mean and variance: batch norm over {channels} channels learns only γ and β, "
            f"2·{channels} = {2 * channels}; the running statistics are buffers, not parameters")


def _pooling_message(params: dict[str, Any]) -> str:
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


def solve(params: dict[str, Any], counting: Counting = RIGHT) -> Solution:
    """The count and its working; ``counting`` other than the default is a slip (see MISTAKES)."""
    variant = params.get("variant") if isinstance(params, dict) else None
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
    if variant == "cnn":
        return _solve_cnn(params, counting)
    raise InvalidParams(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")


def _counting(params: dict[str, Any]) -> str:
    return ("Count every learnable parameter, biases included." if _bias(params)
            else "Count the weights only, not the biases.")


def _cnn_description(params: dict[str, Any]) -> str:
    lines = []
    channels = params["in_channels"]
    flattened, features = False, 0
    for index, layer in enumerate(_cnn_layers(params)):
        kind = layer["type"]
        if kind == "conv":
            lines.append(f"  {index + 1}. Conv2d({channels}, {layer['out_channels']}, kernel_size={layer['kernel']}, "
                         f"stride=1, padding={layer['padding']})")
            channels = layer["out_channels"]
        elif kind == "pool":
            lines.append(f"  {index + 1}. MaxPool2d(2)")
        elif kind == "relu":
            lines.append(f"  {index + 1}. ReLU()")
        elif kind == "batchnorm":
            lines.append(f"  {index + 1}. BatchNorm1d({features})" if flattened else
                         f"  {index + 1}. BatchNorm2d({channels})")
        else:
            if flattened:
                lines.append(f"  {index + 1}. Linear({features}, {layer['out_features']})")
            else:
                lines.append(f"  {index + 1}. flatten, then Linear(?, {layer['out_features']})")
            flattened, features = True, layer["out_features"]
    return "\n".join(lines)


def question_fields(params: dict[str, Any]) -> dict[str, str]:
    variant = params.get("variant") if isinstance(params, dict) else None
    if variant not in VARIANTS:
        raise InvalidParams(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    fields = {"variant": variant}
    if variant in ("conv", "transposed"):
        name = ("ConvTranspose" if variant == "transposed" else "Conv") + f"{params['dims']}d"
        fields["layer"] = (f"torch.nn.{name}(in_channels={params['in_channels']}, "
                           f"out_channels={params['out_channels']}, kernel_size={params['kernel']})")
    elif variant == "linear":
        fields["layer"] = f"torch.nn.Linear({params['in_features']}, {params['out_features']})"
    elif variant == "batchnorm":
        fields["layer"] = f"torch.nn.BatchNorm{params['dims']}d({params['channels']})"
    elif variant == "logistic":
        fields.update(height=str(params["height"]), width=str(params["width"]))
    elif variant == "mlp":
        sizes = params["sizes"]
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
        fields.update(channels=str(params["in_channels"]), input=str(params["input"]),
                      layers=_cnn_description(params))
    if variant != "batchnorm":
        fields["counting"] = _counting(params)
    return fields


# ---------------------------------------------------------------- sampling


def _sample_cnn(rng: random.Random, level: dict[str, Any], bias: bool) -> dict[str, Any]:
    channels = rng.choice(level.get("image_channels", [1, 3]))
    size = rng.choice(level.get("cnn_inputs", [8, 16, 28, 32]))
    layers: list[dict[str, Any]] = []
    for _ in range(rng.randint(*level.get("conv_blocks", [1, 2]))):
        k = rng.choice(level.get("kernels", [3, 5]))
        layers.append({"type": "conv", "out_channels": rng.choice(level.get("channels", [4, 8, 16])), "kernel": k,
                       "padding": rng.choice([0, (k - 1) // 2])})
        if bias and rng.random() < level.get("batchnorm_probability", 0.3):
            layers.append({"type": "batchnorm"})
        layers.append({"type": "relu"})
        if rng.random() < 0.7:
            layers.append({"type": "pool"})
    for _ in range(rng.randint(*level.get("linear_layers", [1, 1])) - 1):
        layers.append({"type": "linear", "out_features": rng.choice(level.get("hidden", [16, 32, 64]))})
        layers.append({"type": "relu"})
    layers.append({"type": "linear", "out_features": rng.choice(level.get("classes", [2, 10]))})
    return {"variant": "cnn", "in_channels": channels, "input": size, "bias": bias, "layers": layers}


def _sample_variant(rng: random.Random, level: dict[str, Any], variant: str) -> dict[str, Any]:
    bias = rng.random() < level.get("bias_probability", 0.6)
    channels = level.get("channels", [4, 8, 16])
    if variant in ("conv", "transposed"):
        dims = rng.choice(level.get("dims", [2]))
        return {"variant": variant, "dims": dims, "in_channels": rng.choice(level.get("in_channels", [1, 3] + channels)),
                "out_channels": rng.choice(channels), "kernel": rng.choice(level.get("kernels", [3, 5])), "bias": bias}
    if variant == "linear":
        return {"variant": variant, "in_features": rng.choice(level.get("features", [10, 64, 100])),
                "out_features": rng.choice(level.get("features", [10, 64, 100])), "bias": bias}
    if variant == "batchnorm":
        return {"variant": variant, "dims": rng.choice([1, 2, 3]), "channels": rng.choice(channels)}
    if variant == "logistic":
        side = rng.choice(level.get("image_sides", [8, 16, 28, 32, 64]))
        height = side if rng.random() < 0.7 else rng.choice(level.get("image_sides", [8, 16, 28, 32, 64]))
        return {"variant": variant, "height": height, "width": side, "bias": bias}
    if variant == "mlp":
        sizes = [rng.choice(level.get("mlp_inputs", [4, 16, 784]))]
        for _ in range(rng.randint(*level.get("hidden_layers", [1, 2]))):
            sizes.append(rng.choice(level.get("hidden", [16, 32, 100])))
        sizes.append(rng.choice(level.get("classes", [2, 10])))
        return {"variant": variant, "sizes": sizes, "bias": bias}
    return _sample_cnn(rng, level, bias)


def sample(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    variant = rng.choice(level.get("variants", list(VARIANTS)))
    rejections = Rejections()
    while True:
        params = _sample_variant(rng, level, variant)
        try:
            answer = solve(params).answer
        except InvalidParams:
            rejections.again()
            continue
        if answer <= int(level.get("max_answer", 10**7)):
            return params
        rejections.again()
