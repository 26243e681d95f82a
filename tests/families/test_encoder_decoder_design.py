"""encoder-decoder-design: answers against a brute-force search over paddings and against torch shapes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.convert import load
from mli_drill.problems.families import encoder_decoder_design as edd
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.families.encoder_decoder_design import question_fields
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "encoder-decoder-design"
LEVELS = ("easy", "exam", "hard")


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return edd.solve(typed_params(FAMILY, params))


def instances(count_per_level: int):
    for level in LEVELS:
        for seed in range(count_per_level):
            yield make_instance(FAMILY, level, seed)


# ---------------------------------------------------------------- brute force (always runs)


def windows(size: int, k: int, s: int, p: int, d: int) -> int:
    """Count the positions of a (dilated) window sliding along the padded input: conv / floor-mode pool."""
    span, padded = d * (k - 1) + 1, size + 2 * p
    count = 0
    while count * s + span <= padded:
        count += 1
    return count


def stamped(size: int, k: int, s: int, p: int, d: int, op: int) -> int:
    """Transposed conv: the span of kernel stamps at stride s, minus p on each side, plus output_padding."""
    positions = {n * s + t * d for n in range(size) for t in range(k)}
    return max(positions) + 1 - 2 * p + op


def smallest_padding_by_search(params: dict) -> int | None:
    layer, size, target = params["layer"], params["input"], params["target"]
    k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
    for p in range(0, 80):
        if layer["type"] == "transposed":
            out = stamped(size, k, s, p, d, layer["output_padding"])
        else:
            out = windows(size, k, s, p, d)
        if out == target:
            return p
    return None


def network_by_simulation(params: dict) -> tuple[int, int]:
    size, k, p, n = params["input"], params["conv_kernel"], params["conv_padding"], params["convs_per_block"]
    for _ in range(params["depth"]):
        for _ in range(n):
            size = windows(size, k, 1, p, 1)
        assert size % 2 == 0
        size = windows(size, 2, 2, 0, 1)
    for _ in range(n):
        size = windows(size, k, 1, p, 1)
    bottleneck = size
    for _ in range(params["depth"]):
        size = stamped(size, 2, 2, 0, 1, 0)
        for _ in range(n):
            size = windows(size, k, 1, p, 1)
    return bottleneck, size


def brute_force(params: dict) -> int:
    if params["variant"] == "padding":
        return smallest_padding_by_search(params)
    if params["variant"] == "output_padding":
        layer = params["layer"]
        args = (params["input"], layer["kernel"], layer["stride"], layer["padding"], layer["dilation"])
        matches = [q for q in range(max(layer["stride"], layer["dilation"])) if stamped(*args, q) == params["target"]]
        assert len(matches) == 1
        return matches[0]
    bottleneck, output = network_by_simulation(params)
    return bottleneck if params["ask"] == "bottleneck" else output


def test_brute_force_agrees_on_every_level():
    for instance in instances(100):
        assert instance.answer == brute_force(instance.params), instance.params


# ---------------------------------------------------------------- torch


def test_torch_shapes_agree():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    for instance in instances(80):
        params, answer = instance.params, instance.answer
        x = torch.zeros(1, 1, params["input"], params["input"])
        with torch.no_grad():
            if params["variant"] == "padding":
                layer = params["layer"]
                k, s, d = layer["kernel"], layer["stride"], layer["dilation"]

                def build(p):
                    if layer["type"] == "conv":
                        return nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
                    if layer["type"] == "pool":
                        return nn.MaxPool2d(k, stride=s, padding=p, dilation=d)
                    return nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, dilation=d,
                                              output_padding=layer["output_padding"])

                assert build(answer)(x).shape[-1] == params["target"]
                if answer > 0:  # the smallest: one less does not reach the target
                    assert build(answer - 1)(x).shape[-1] != params["target"]
            elif params["variant"] == "output_padding":
                layer = params["layer"]
                module = nn.ConvTranspose2d(1, 1, layer["kernel"], stride=layer["stride"], padding=layer["padding"],
                                            dilation=layer["dilation"], output_padding=answer)
                assert module(x).shape[-1] == params["target"]
            else:
                k, p, n = params["conv_kernel"], params["conv_padding"], params["convs_per_block"]
                def block():
                    return [nn.Conv2d(1, 1, k, padding=p) for _ in range(n)]
                encoder = []
                for _ in range(params["depth"]):
                    encoder += block() + [nn.MaxPool2d(2)]
                bottleneck = nn.Sequential(*encoder, *block())(x)
                decoder = []
                for _ in range(params["depth"]):
                    decoder += [nn.ConvTranspose2d(1, 1, 2, stride=2)] + block()
                out = nn.Sequential(*decoder)(bottleneck)
                got = bottleneck.shape[-1] if params["ask"] == "bottleneck" else out.shape[-1]
                assert got == answer, params


# ---------------------------------------------------------------- known examples


def test_original_unet_sizes():
    # Ronneberger et al.: 572 x 572 in, 4 levels of two unpadded 3x3 convs, 28 x 28 bottleneck, 388 x 388 out.
    net = {"variant": "network", "input": 572, "depth": 4, "convs_per_block": 2, "conv_kernel": 3,
           "conv_padding": 0}
    assert solve({**net, "ask": "bottleneck"}).answer == 28
    solution = solve({**net, "ask": "output"})
    assert solution.answer == 388
    assert "572 → 570 → 568" in "\n".join(solution.steps)


def test_course_slide_transposed_3_to_6():
    # CONVENTIONS.md: k=3, s=2 turns 3x3 into 6x6 with torch padding=1, output_padding=1.
    params = {"variant": "output_padding", "input": 3, "target": 6,
              "layer": {"type": "transposed", "kernel": 3, "stride": 2, "padding": 1, "dilation": 1}}
    assert solve(params).answer == 1
    params = {"variant": "padding", "input": 3, "target": 6,
              "layer": {"type": "transposed", "kernel": 3, "stride": 2, "dilation": 1, "output_padding": 1}}
    assert solve(params).answer == 1


@pytest.mark.parametrize(
    "kind, k, s, d, op, size, target, expected",
    [
        ("conv", 3, 1, 1, 0, 32, 32, 1),  # "same" 3x3
        ("conv", 5, 1, 1, 0, 32, 32, 2),
        ("conv", 3, 1, 2, 0, 32, 32, 2),  # dilated 3x3 reaches 5
        ("conv", 3, 2, 1, 0, 32, 16, 1),
        ("conv", 4, 2, 1, 0, 32, 16, 1),
        ("conv", 2, 2, 1, 0, 32, 16, 0),
        ("conv", 1, 2, 1, 0, 32, 16, 0),
        ("pool", 3, 2, 1, 0, 32, 16, 1),
        ("pool", 3, 1, 1, 0, 32, 32, 1),
        ("transposed", 4, 2, 1, 0, 16, 32, 1),  # the DCGAN up-sampling layer
        ("transposed", 2, 2, 1, 0, 16, 32, 0),
        ("transposed", 3, 1, 1, 0, 16, 16, 1),
        ("conv", 7, 4, 1, 0, 32, 8, 2),  # s = 4: 2p may be 4..7, the smallest p is 2 (p = 3 works too)
    ],
)
def test_padding_cases(kind, k, s, d, op, size, target, expected):
    params = {"variant": "padding", "input": size, "target": target,
              "layer": {"type": kind, "kernel": k, "stride": s, "dilation": d, "output_padding": op}}
    assert solve(params).answer == expected == smallest_padding_by_search(params)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"variant": "stride"},
        # conv k=2, s=1 cannot keep the size (2p would be 1)
        {"variant": "padding", "input": 8, "target": 8,
         "layer": {"type": "conv", "kernel": 2, "stride": 1, "dilation": 1, "output_padding": 0}},
        # max-pool k=3, s=1 growing by 2 needs p = 2 > kernel/2
        {"variant": "padding", "input": 8, "target": 10,
         "layer": {"type": "pool", "kernel": 3, "stride": 1, "dilation": 1, "output_padding": 0}},
        # output_padding on a conv
        {"variant": "padding", "input": 8, "target": 8,
         "layer": {"type": "conv", "kernel": 3, "stride": 1, "dilation": 1, "output_padding": 1}},
        {"variant": "padding", "input": 8, "target": 8, "layer": {"type": "conv", "kernel": 3}},
        {"variant": "padding", "input": 0, "target": 8,
         "layer": {"type": "conv", "kernel": 3, "stride": 1, "dilation": 1, "output_padding": 0}},
        # output_padding would have to be 2 >= max(s, d)
        {"variant": "output_padding", "input": 4, "target": 10,
         "layer": {"type": "transposed", "kernel": 2, "stride": 2, "padding": 0, "dilation": 1}},
        {"variant": "output_padding", "input": 4, "target": 8,
         "layer": {"type": "conv", "kernel": 2, "stride": 2, "padding": 0, "dilation": 1}},
        # an odd size before max-pooling (10 -> 8 -> 4 ... 9 is odd): 11 - 2 = 9
        {"variant": "network", "input": 11, "depth": 1, "convs_per_block": 1, "conv_kernel": 3,
         "conv_padding": 0, "ask": "output"},
        {"variant": "network", "input": 16, "depth": 1, "convs_per_block": 1, "conv_kernel": 3,
         "conv_padding": 0, "ask": "middle"},
        {"variant": "network", "input": 4, "depth": 2, "convs_per_block": 2, "conv_kernel": 3,
         "conv_padding": 0, "ask": "output"},  # shrinks below 1
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


PADDING = {"variant": "padding", "input": 8, "target": 8,
           "layer": {"type": "conv", "kernel": 3, "stride": 1, "dilation": 1, "output_padding": 0}}
NETWORK = {"variant": "network", "input": 16, "depth": 1, "convs_per_block": 1, "conv_kernel": 3,
           "conv_padding": 1, "ask": "output"}


@pytest.mark.parametrize(
    "params, message",
    [
        ({**PADDING, "layer": {**PADDING["layer"], "kernel": "3"}}, "at $.layer.kernel: expected an integer, got '3'"),
        ({**PADDING, "layer": {**PADDING["layer"], "stride": 0}}, "at $.layer.stride: must be at least 1, got 0"),
        ({**PADDING, "input": 0}, "at $.input: must be at least 1, got 0"),
        ({**PADDING, "layer": {**PADDING["layer"], "kernel": 2}},
         "at $.target: no padding p >= 0 gives 8 (2p must lie in [1, 1])"),
        ({**PADDING, "layer": {**PADDING["layer"], "output_padding": 1}},
         "at $.layer.output_padding: only applies to a transposed convolution"),
        ({**PADDING, "layer": {**PADDING["layer"], "padding": 1}},
         "at $.layer.padding: is what the padding variant asks for: leave it out"),
        ({**PADDING, "depth": 2}, "at $.depth: variant 'padding' does not use depth"),
        ({k: v for k, v in NETWORK.items() if k != "ask"}, "at $.ask: variant 'network' needs ask"),
        ({**NETWORK, "ask": "middle"}, "at $.ask: expected one of 'bottleneck', 'output', got 'middle'"),
        ({**NETWORK, "input": 11, "conv_padding": 0}, "at $: encoder level 1: size 9 is odd before max-pooling"),
        ({**NETWORK, "input": 2, "conv_padding": 0}, "at $: encoder level 1: a convolution gives size 0"),
        ({"variant": "output_padding", "input": 4, "target": 10,
          "layer": {"type": "transposed", "kernel": 2, "stride": 2, "padding": 0, "dilation": 1}},
         "at $.target: output_padding would be 2; torch needs 0 <= output_padding < 2"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_level_ranges_are_checked():
    with pytest.raises(InvalidParams, match=r"at \$\.depth: must be \[min, max\] with 1 <= min <= max"):
        load(edd.Level, {"depth": [2, 1]})


def test_keys_of_other_variants_stay_out_of_the_json():
    keys = {"padding": ["variant", "input", "target", "layer"],
            "output_padding": ["variant", "input", "target", "layer"],
            "network": ["variant", "input", "depth", "convs_per_block", "conv_kernel", "conv_padding", "ask"]}
    layer_keys = {"padding": ["type", "kernel", "stride", "dilation", "output_padding"],
                  "output_padding": ["type", "kernel", "stride", "padding", "dilation"]}
    for instance in instances(10):
        params = instance.params
        assert list(params) == keys[params["variant"]]
        if params["variant"] in layer_keys:
            assert list(params["layer"]) == layer_keys[params["variant"]]


# ---------------------------------------------------------------- properties


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec_level = load_spec(FAMILY).levels[level]
    instance = make_instance(FAMILY, level, seed)
    params = instance.params
    assert params["variant"] in spec_level["variants"]
    assert isinstance(instance.answer, int) and instance.answer >= 0
    fields = question_fields(instance.typed)
    if params["variant"] in ("padding", "output_padding"):
        assert fields["goal"] in ("keep the size", "halve the size", "double the size") or \
            fields["goal"].startswith("multiply the size by")
        assert params["target"] >= 1
    else:
        bottleneck, output = network_by_simulation(params)
        assert spec_level["min_bottleneck"] <= bottleneck and output <= spec_level["max_size"]
        assert spec_level["depth"][0] <= params["depth"] <= spec_level["depth"][1]
    assert make_instance(FAMILY, level, seed).to_dict() == instance.to_dict()


def slipped_simulation(params: dict, keep_size: bool, one_conv: bool) -> int | None:
    """The network walked by brute force with the slipped convolution count or effect."""
    size, k, p = params["input"], params["conv_kernel"], params["conv_padding"]
    n = 1 if one_conv else params["convs_per_block"]

    def convs(size: int) -> int:
        for _ in range(n):
            size = size if keep_size else windows(size, k, 1, p, 1)
        return size

    for _ in range(params["depth"]):
        size = windows(convs(size), 2, 2, 0, 1)
    size = convs(size)
    bottleneck = size
    for _ in range(params["depth"]):
        size = convs(stamped(size, 2, 2, 0, 1, 0))
    value = bottleneck if params["ask"] == "bottleneck" else size
    return value if value >= 1 else None


def brute_force_slip(params: dict, slip: str) -> int | None:
    variant = params["variant"]
    if slip == "padding-not-halved":
        p = brute_force(params) if variant == "padding" else 0
        return 2 * p if p else None
    if slip == "padding-ignores-dilation":
        if variant != "padding" or params["layer"]["dilation"] == 1:
            return None
        return smallest_padding_by_search({**params, "layer": {**params["layer"], "dilation": 1}})
    if slip == "output-padding-plus-one":
        if variant != "output_padding":
            return None
        layer = params["layer"]
        args = (params["input"], layer["kernel"], layer["stride"], layer["padding"], layer["dilation"])
        return next(q for q in range(50) if stamped(*args, q) - 1 == params["target"])
    if variant != "network":
        return None
    change = 2 * params["conv_padding"] - (params["conv_kernel"] - 1)
    if slip == "convs-keep-size":
        return None if change == 0 else slipped_simulation(params, keep_size=True, one_conv=False)
    return None if params["convs_per_block"] == 1 else slipped_simulation(params, keep_size=False, one_conv=True)


def test_slips_against_brute_force(check_slips):
    from mli_drill.problems.families.encoder_decoder_design import MISTAKES

    check_slips(instances(100), MISTAKES, brute_force_slip)