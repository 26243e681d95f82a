"""parameter-count: counts against torch's sum(p.numel()) and an independent numpy count of parameter shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.families import parameter_count as fam
from mli_drill.problems.families.parameter_count import MISTAKES
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "parameter-count"
LEVELS = ("easy", "exam", "hard")


def typed(params: dict) -> fam.Params:
    """JSON params through the converter, as ``problems check --params`` gives them."""
    return typed_params(FAMILY, params)


def solve(params: dict):
    return fam.solve(typed(params))


def question_fields(params: dict) -> dict[str, str]:
    return fam.question_fields(typed(params))


def instances(count_per_level: int):
    for level in LEVELS:
        for seed in range(count_per_level):
            yield make_instance(FAMILY, level, seed)


# ---------------------------------------------------------------- numpy count (always runs)


def parameter_shapes(params: dict) -> list[tuple[int, ...]]:
    """The shapes of every learnable tensor, as the layers would allocate them.

    For the CNN the flattened size comes from pushing a zero image through
    sliding windows (numpy), not from a size formula.
    """
    v, bias = params["variant"], params.get("bias", True)
    if v in ("conv", "transposed"):
        k = (params["kernel"],) * params["dims"]
        first, second = ((params["in_channels"], params["out_channels"]) if v == "transposed"
                         else (params["out_channels"], params["in_channels"]))
        return [(first, second, *k)] + ([(params["out_channels"],)] if bias else [])
    if v == "linear":
        return [(params["out_features"], params["in_features"])] + ([(params["out_features"],)] if bias else [])
    if v == "batchnorm":
        return [(params["channels"],), (params["channels"],)]
    if v == "logistic":
        return [(params["height"] * params["width"],)] + ([(1,)] if bias else [])
    if v == "mlp":
        shapes = []
        for n_in, n_out in zip(params["sizes"], params["sizes"][1:]):
            shapes += [(n_out, n_in)] + ([(n_out,)] if bias else [])
        return shapes
    fmap = np.zeros((params["in_channels"], params["input"], params["input"]))
    flat = None
    shapes = []
    for layer in params["layers"]:
        if layer["type"] == "conv":
            k, p = layer["kernel"], layer["padding"]
            padded = np.pad(fmap, ((0, 0), (p, p), (p, p)))
            windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(1, 2))
            shapes += [(layer["out_channels"], fmap.shape[0], k, k)] + ([(layer["out_channels"],)] if bias else [])
            fmap = np.zeros((layer["out_channels"], windows.shape[1], windows.shape[2]))
        elif layer["type"] == "pool":
            windows = np.lib.stride_tricks.sliding_window_view(fmap, (2, 2), axis=(1, 2))[:, ::2, ::2]
            fmap = windows.max(axis=(-1, -2))
        elif layer["type"] == "batchnorm":
            c = flat.size if flat is not None else fmap.shape[0]
            shapes += [(c,), (c,)]
        elif layer["type"] == "linear":
            if flat is None:
                flat = fmap.reshape(-1)
            shapes += [(layer["out_features"], flat.size)] + ([(layer["out_features"],)] if bias else [])
            flat = np.zeros(layer["out_features"])
    return shapes


def numpy_count(params: dict) -> int:
    return int(sum(np.empty(shape).size for shape in parameter_shapes(params)))


def test_numpy_count_agrees_on_every_level():
    for instance in instances(100):
        assert instance.answer == numpy_count(instance.params), instance.params


# ---------------------------------------------------------------- torch


def torch_model(torch, params: dict):
    """The torch modules on the meta device: real parameter shapes, no memory or initialisation cost."""
    with torch.device("meta"):
        return _torch_model(torch, params)


def _torch_model(torch, params: dict):
    nn = torch.nn
    v, bias = params["variant"], params.get("bias", True)
    if v in ("conv", "transposed"):
        cls = {("conv", 2): nn.Conv2d, ("conv", 3): nn.Conv3d,
               ("transposed", 2): nn.ConvTranspose2d, ("transposed", 3): nn.ConvTranspose3d}[(v, params["dims"])]
        return cls(params["in_channels"], params["out_channels"], params["kernel"], bias=bias)
    if v == "linear":
        return nn.Linear(params["in_features"], params["out_features"], bias=bias)
    if v == "batchnorm":
        return {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[params["dims"]](params["channels"])
    if v == "logistic":
        return nn.Sequential(nn.Flatten(), nn.Linear(params["height"] * params["width"], 1, bias=bias), nn.Sigmoid())
    if v == "mlp":
        sizes = params["sizes"]
        return nn.Sequential(*[nn.Linear(a, b, bias=bias) for a, b in zip(sizes, sizes[1:])])
    x = torch.zeros(1, params["in_channels"], params["input"], params["input"])
    modules = []
    for layer in params["layers"]:
        if layer["type"] == "conv":
            module = nn.Conv2d(x.shape[1], layer["out_channels"], layer["kernel"], padding=layer["padding"], bias=bias)
        elif layer["type"] == "pool":
            module = nn.MaxPool2d(2)
        elif layer["type"] == "relu":
            module = nn.ReLU()
        elif layer["type"] == "batchnorm":
            module = nn.BatchNorm2d(x.shape[1]) if x.dim() == 4 else nn.BatchNorm1d(x.shape[1])
        else:
            if x.dim() == 4:
                flatten = nn.Flatten()
                modules.append(flatten)
                x = flatten(x)
            module = nn.Linear(x.shape[1], layer["out_features"], bias=bias)
        modules.append(module)
        with torch.no_grad():
            x = module.eval()(x)
    return nn.Sequential(*modules)


def test_torch_numel_agrees():
    torch = pytest.importorskip("torch")
    for instance in instances(80):
        model = torch_model(torch, instance.params)
        assert instance.answer == sum(p.numel() for p in model.parameters() if p.requires_grad), instance.params


# ---------------------------------------------------------------- worked examples


def test_conventions_worked_examples():
    conv = {"variant": "conv", "dims": 2, "in_channels": 3, "out_channels": 4, "kernel": 5}
    assert solve({**conv, "bias": True}).answer == 304
    assert solve({**conv, "bias": False}).answer == 300
    assert solve({"variant": "conv", "dims": 3, "in_channels": 40, "out_channels": 40, "kernel": 5,
                  "bias": True}).answer == 200_040
    # ConvTranspose2d(64, 32, 2, 2): the stride does not change the count.
    assert solve({"variant": "transposed", "dims": 2, "in_channels": 64, "out_channels": 32, "kernel": 2,
                  "bias": True}).answer == 8_224
    assert solve({"variant": "mlp", "sizes": [784, 100, 10], "bias": True}).answer == 79_510
    # the course notes: logistic regression on 64 x 64 raw pixels and a bias
    assert solve({"variant": "logistic", "height": 64, "width": 64, "bias": True}).answer == 64 * 64 + 1
    assert solve({"variant": "batchnorm", "dims": 2, "channels": 16}).answer == 32


def test_cnn_walkthrough():
    params = {"variant": "cnn", "in_channels": 1, "input": 28, "bias": True, "layers": [
        {"type": "conv", "out_channels": 8, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
        {"type": "pool"},
        {"type": "conv", "out_channels": 16, "kernel": 5, "padding": 0}, {"type": "relu"}, {"type": "pool"},
        {"type": "linear", "out_features": 10}]}
    # conv1 8*(9+1)=80, bn 16, 28->28->14, conv2 16*(25*8+1)=3216, 14->10->5, linear 400*10+10=4010
    solution = solve(params)
    assert solution.answer == 80 + 16 + 3216 + 4010
    assert "Flatten: 16·5·5 = 400 features" in "\n".join(solution.steps)
    assert "Linear(?, 10)" in question_fields(params)["layers"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"variant": "rnn"},
        {"variant": "conv", "dims": 4, "in_channels": 3, "out_channels": 4, "kernel": 5, "bias": True},
        {"variant": "conv", "dims": 2, "in_channels": 0, "out_channels": 4, "kernel": 5, "bias": True},
        {"variant": "conv", "dims": 2, "in_channels": 3, "out_channels": 4, "kernel": 5, "bias": "yes"},
        {"variant": "linear", "in_features": 3, "out_features": 4},
        {"variant": "batchnorm", "dims": 2, "channels": 0},
        {"variant": "logistic", "height": 8, "width": 0, "bias": True},
        {"variant": "mlp", "sizes": [10], "bias": True},
        {"variant": "mlp", "sizes": [10, "5"], "bias": True},
        {"variant": "cnn", "in_channels": 1, "input": 4, "bias": True,
         "layers": [{"type": "conv", "out_channels": 2, "kernel": 5, "padding": 0}]},  # output size 0
        {"variant": "cnn", "in_channels": 1, "input": 8, "bias": False,
         "layers": [{"type": "conv", "out_channels": 2, "kernel": 3, "padding": 1}, {"type": "batchnorm"}]},
        {"variant": "cnn", "in_channels": 1, "input": 8, "bias": True, "layers": [{"type": "dropout"}]},
        {"variant": "cnn", "in_channels": 1, "input": 8, "bias": True,
         "layers": [{"type": "linear", "out_features": 4}, {"type": "conv", "out_channels": 2, "kernel": 1,
                                                           "padding": 0}]},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


CNN = {"variant": "cnn", "in_channels": 1, "input": 8, "bias": True, "layers": [
    {"type": "conv", "out_channels": 4, "kernel": 3, "padding": 1}, {"type": "pool"}, {"type": "linear", "out_features": 10}]}


@pytest.mark.parametrize(
    "params, message",
    [
        ({**CNN, "layers": [CNN["layers"][0], {"type": "linear", "out_features": "10"}]},
         "at $.layers[1].out_features: expected an integer, got '10'"),
        ({**CNN, "layers": [{"type": "conv", "out_channels": 4, "kernel": 3, "padding": -1}]},
         "at $.layers[0].padding: must be at least 0, got -1"),
        ({**CNN, "layers": [{"type": "pool", "kernel": 2}]}, "at $.layers[0].kernel: is not used by a pool layer"),
        ({**CNN, "input": 4, "layers": [{"type": "conv", "out_channels": 2, "kernel": 5, "padding": 0}]},
         "at $.layers[0]: the conv gives size 0"),
        ({"variant": "conv", "dims": 4, "in_channels": 3, "out_channels": 4, "kernel": 5, "bias": True},
         "at $.dims: must be one of (2, 3), got 4"),
        ({"variant": "linear", "in_features": 3, "out_features": 4}, "at $.bias: is needed by the linear variant"),
        ({"variant": "batchnorm", "dims": 2, "channels": 16, "bias": True}, "at $.bias: is not used by the batchnorm variant"),
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
    assert params["variant"] in spec_level["variants"]
    assert 1 <= instance.answer <= spec_level["max_answer"]
    if params["variant"] != "batchnorm":
        counted = "biases included" in instance.question
        assert counted == params["bias"]
        assert counted != ("weights only" in instance.question)
    if params["variant"] == "cnn":
        kinds = [layer["type"] for layer in params["layers"]]
        assert kinds[-1] == "linear"
        assert params["bias"] or "batchnorm" not in kinds
    assert make_instance(FAMILY, level, seed).to_dict() == instance.to_dict()


# ---------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in MISTAKES}


def torch_slips(torch, params: dict) -> dict[str, int | None]:
    """Each slip from torch modules: the model built with the other bias setting or without its
    MaxPool2d layers; the running statistics added from the modules' buffers; each conv weight divided
    by its module's in_channels."""
    nn = torch.nn

    def numel(model) -> int:
        return sum(p.numel() for p in model.parameters())

    model = torch_model(torch, params)
    variant, bias = params["variant"], params.get("bias")
    convs = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.ConvTranspose3d))]
    running = sum(b.numel() for name, b in model.named_buffers() if "running" in name)
    layers = params.get("layers", [])
    first_linear = next((i for i, layer in enumerate(layers) if layer["type"] == "linear"), len(layers))
    pooled = any(layer["type"] == "pool" for layer in layers[:first_linear])
    return {
        "biases-forgotten": numel(torch_model(torch, {**params, "bias": False})) if bias and variant != "batchnorm" else None,
        "biases-counted": numel(torch_model(torch, {**params, "bias": True})) if bias is False else None,
        "input-channels-forgotten": numel(model) - sum(m.weight.numel() - m.weight.numel() // m.in_channels for m in convs)
        if any(m.in_channels > 1 for m in convs) else None,
        "running-stats-counted": numel(model) + running if running else None,
        "pooling-ignored": numel(torch_model(torch, {**params, "layers": [l for l in layers if l["type"] != "pool"]}))
        if pooled else None,
    }


def test_slips_against_torch():
    torch = pytest.importorskip("torch")
    applied = dict.fromkeys(SLIPS, 0)
    for instance in instances(80):
        p = instance.params
        for mistake_id, value in torch_slips(torch, p).items():
            assert SLIPS[mistake_id].answer(instance.typed) == value, (mistake_id, p)
            applied[mistake_id] += value is not None
    assert min(applied.values()) > 20, applied


def test_slips_hand_examples():
    # CONVENTIONS.md: Conv2d(3, 4, 5) has 304 parameters, 300 of them weights
    conv = {"variant": "conv", "dims": 2, "in_channels": 3, "out_channels": 4, "kernel": 5, "bias": True}
    assert solve(conv).answer == 304
    assert SLIPS["biases-forgotten"].answer(typed(conv)) == 300
    assert SLIPS["biases-counted"].answer(typed(conv)) is None
    assert SLIPS["input-channels-forgotten"].answer(typed(conv)) == 4 * 25 + 4
    assert SLIPS["biases-counted"].answer(typed({**conv, "bias": False})) == 304
    assert "5·5·3 = 75 weights, not 25" in SLIPS["input-channels-forgotten"].message(typed(conv))
    assert SLIPS["running-stats-counted"].answer(typed({"variant": "batchnorm", "dims": 2, "channels": 16})) == 64
    # MLP 784-100-10: 79,510 with biases, 79,400 without
    mlp = {"variant": "mlp", "sizes": [784, 100, 10], "bias": True}
    assert SLIPS["biases-forgotten"].answer(typed(mlp)) == 79_400
    assert "79400 + 110 biases = 79510" in SLIPS["biases-forgotten"].message(typed(mlp))
    # 1 x 8 x 8 -> conv 3x3 (4 channels, pad 1) -> pool -> linear 10: flatten 4·4·4 = 64, without the pool 4·8·8
    cnn = {"variant": "cnn", "in_channels": 1, "input": 8, "bias": True, "layers": [
        {"type": "conv", "out_channels": 4, "kernel": 3, "padding": 1}, {"type": "pool"},
        {"type": "linear", "out_features": 10}]}
    assert solve(cnn).answer == 4 * 10 + 64 * 10 + 10
    assert SLIPS["pooling-ignored"].answer(typed(cnn)) == 4 * 10 + 256 * 10 + 10
    assert SLIPS["input-channels-forgotten"].answer(typed(cnn)) is None  # one input channel: nothing to forget
