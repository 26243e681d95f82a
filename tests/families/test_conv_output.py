"""conv-output: reference sizes, and the mistake catalogue's sizes, against torch shapes and a window-enumeration brute force."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.families import conv_output
from mli_drill.problems.families.conv_output import MISTAKES, question_fields
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.mistakes import mistake_answers
from mli_drill.problems.spec import load_spec
from tests.conftest import ROOT

FAMILY = "conv-output"
LEVELS = ("easy", "exam", "hard")
LAYER_KEYS = ("type", "kernel", "stride", "padding", "dilation", "output_padding", "ceil_mode")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return conv_output.solve(typed_params(FAMILY, params))


def layer(kind: str, k: int, s: int = 1, p: int = 0, d: int = 1, op: int = 0, ceil: bool = False) -> dict:
    return {"type": kind, "kernel": k, "stride": s, "padding": p, "dilation": d, "output_padding": op,
            "ceil_mode": ceil}


def size_of(size: int, *layers: dict) -> int:
    return solve({"input": size, "layers": list(layers)}).answer


def instances(count_per_level: int):
    for level in LEVELS:
        for seed in range(count_per_level):
            yield make_instance(FAMILY, level, seed)


# ---------------------------------------------------------------- brute force (always runs)


def windows_by_enumeration(size: int, lay: dict) -> int:
    """Slide a window along the padded input and count the positions torch keeps.

    Full windows always count. In ceil_mode one more, overhanging window counts
    if the previous window had not reached the right edge yet and it starts
    inside the input or the left padding (not in the right padding).
    """
    padded = size + 2 * lay["padding"]
    span = lay["dilation"] * (lay["kernel"] - 1) + 1
    count, n = 0, 0
    while True:
        start = n * lay["stride"]
        if start + span <= padded:
            count += 1
            n += 1
            continue
        previous_reached_end = n > 0 and (n - 1) * lay["stride"] + span >= padded
        if lay["ceil_mode"] and not previous_reached_end and start < size + lay["padding"]:
            count += 1
        return count


def scatter_size(size: int, lay: dict) -> int:
    """Transposed conv as scatter: each input pixel stamps the (dilated) kernel at stride s.

    The full result spans every stamped position; torch then removes p from each
    side and adds output_padding extra rows on one side.
    """
    stamped = np.zeros((size - 1) * lay["stride"] + lay["dilation"] * (lay["kernel"] - 1) + 10)
    for n in range(size):
        for t in range(lay["kernel"]):
            stamped[n * lay["stride"] + t * lay["dilation"]] += 1
    full = int(np.nonzero(stamped)[0].max()) + 1
    return full - 2 * lay["padding"] + lay["output_padding"]


def brute_force(size: int, layers: list[dict]) -> int:
    for lay in layers:
        size = scatter_size(size, lay) if lay["type"] == "transposed" else windows_by_enumeration(size, lay)
        assert size >= 1
    return size


def test_brute_force_agrees_on_every_level():
    for instance in instances(100):
        assert instance.answer == brute_force(instance.params["input"], instance.params["layers"]), instance.params


# ---------------------------------------------------------------- torch


def torch_size(torch, size: int, layers: list[dict]) -> int:
    nn = torch.nn
    x = torch.zeros(1, 1, size, size)
    with torch.no_grad():
        for lay in layers:
            k, s, p, d = lay["kernel"], lay["stride"], lay["padding"], lay["dilation"]
            if lay["type"] == "conv":
                module = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
            elif lay["type"] == "pool":
                module = nn.MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=lay["ceil_mode"])
            else:
                module = nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, dilation=d,
                                            output_padding=lay["output_padding"])
            x = module(x)
            assert x.shape[-1] == x.shape[-2]
    return int(x.shape[-1])


def test_torch_shapes_agree():
    torch = pytest.importorskip("torch")
    for instance in instances(80):
        assert instance.answer == torch_size(torch, instance.params["input"], instance.params["layers"]), \
            instance.params


def test_torch_agrees_on_every_ceil_mode_case():
    """Exhaustive over small pools: the drop-the-last-window correction is where hand formulas go wrong."""
    torch = pytest.importorskip("torch")
    for k in (2, 3, 4):
        for s in (1, 2, 3):
            for p in range(k // 2 + 1):
                for size in range(max(1, k - 2 * p), 14):
                    lay = layer("pool", k, s, p, ceil=True)
                    expected = torch_size(torch, size, [lay])
                    assert size_of(size, lay) == expected == windows_by_enumeration(size, lay), (k, s, p, size)


# ---------------------------------------------------------------- worked examples (CONVENTIONS.md)


def test_conventions_worked_examples():
    assert size_of(32, layer("conv", 5, 2, 1)) == 15
    assert size_of(32, layer("conv", 3, 1, 0, d=2)) == 28
    assert size_of(7, layer("pool", 2, 2)) == 3
    assert size_of(7, layer("pool", 2, 2, ceil=True)) == 4
    assert size_of(5, layer("pool", 2, 2, 1, ceil=True)) == 3  # last window would start in the right padding
    assert size_of(3, layer("transposed", 3, 2, 1, op=1)) == 6  # the course's "3x3 -> 6x6" slide


def test_course_notes_examples():
    assert size_of(5, layer("conv", 4, 1, 2)) == 6  # 5 - 4 + 4 + 1
    assert size_of(5, layer("conv", 3, 2, 1)) == 3  # (5 - 3 + 2)/2 + 1


def test_chain_and_steps():
    solution = solve({"input": 32, "layers": [layer("conv", 5, 2, 1), layer("pool", 2, 2, ceil=True),
                                               layer("transposed", 3, 2, 1, op=1)]})
    # 32 -> 15 -> ceil(13/2) + 1 = 8 -> (8-1)*2 - 2 + 2 + 1 + 1 = 16
    assert solution.answer == 16
    text = "\n".join(solution.steps)
    assert "floor(29/2) + 1 = 15" in text and "ceil(13/2) + 1 = 8" in text and "32 → 15 → 8 → 16" in text


def test_ceil_mode_drop_is_explained():
    text = "\n".join(solve({"input": 5, "layers": [layer("pool", 2, 2, 1, ceil=True)]}).steps)
    assert "right padding" in text and "o = 3" in text


@pytest.mark.parametrize(
    "size, lay, expected",
    [
        (1, layer("conv", 1), 1),
        (3, layer("conv", 3), 1),
        (1, layer("transposed", 1), 1),
        (1, layer("transposed", 2, 2, 0, op=1), 3),
        (4, layer("transposed", 3, 1, 1), 4),  # "same" transposed conv
        (2, layer("pool", 3, 2, 1, ceil=True), 2),  # second window overhangs but starts in the input
        (1, layer("pool", 2, 2, 1, ceil=True), 1),  # second window would start in the right padding
    ],
)
def test_edge_cases(size, lay, expected):
    assert size_of(size, lay) == expected == brute_force(size, [lay])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"input": 0, "layers": [layer("conv", 3)]},
        {"input": 8, "layers": []},
        {"input": "8", "layers": [layer("conv", 3)]},
        {"input": 8, "layers": [{"type": "conv", "kernel": 3, "stride": 1}]},  # keys missing
        {"input": 8, "layers": [layer("fc", 3)]},
        {"input": 8, "layers": [layer("conv", 0)]},
        {"input": 8, "layers": [layer("conv", 3, s=0)]},
        {"input": 8, "layers": [layer("conv", 3, p=-1)]},
        {"input": 8, "layers": [layer("conv", 3, op=1)]},
        {"input": 8, "layers": [layer("conv", 3, ceil=True)]},
        {"input": 8, "layers": [layer("transposed", 3, ceil=True)]},
        {"input": 8, "layers": [dict(layer("pool", 2, 2), ceil_mode="yes")]},
        {"input": 8, "layers": [layer("pool", 3, 2, 2)]},  # torch: pad <= kernel/2
        {"input": 8, "layers": [layer("transposed", 3, 2, 1, op=2)]},  # torch: op < max(s, d)
        {"input": 2, "layers": [layer("conv", 5)]},  # output size < 1
        {"input": 1, "layers": [layer("transposed", 3, 1, 2)]},  # 0 - 4 + 2 + 1 < 1
        {"input": 8, "layers": [layer("conv", 3), layer("conv", 9)]},  # invalid in the middle of a chain
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"input": 8, "layers": [layer("conv", 3), dict(layer("conv", 3), kernel="3")]},
         "at $.layers[1].kernel: expected an integer, got '3'"),
        ({"input": 8, "layers": [layer("conv", 3), layer("conv", 3, s=0)]}, "at $.layers[1].stride: must be at least 1, got 0"),
        ({"input": 8, "layers": [layer("pool", 3, 2, 2)]},
         "at $.layers[0].padding: torch requires pooling padding <= kernel/2, got padding 2 for kernel 3"),
        ({"input": 8, "layers": [layer("conv", 3, op=1)]}, "at $.layers[0].output_padding: only applies to a transposed convolution"),
        ({"input": 8, "layers": [dict(layer("pool", 2, 2), ceil_mode="yes")]},
         "at $.layers[0].ceil_mode: expected true or false, got 'yes'"),
        ({"input": 8, "layers": [layer("conv", 3), layer("conv", 9)]},
         "at $.layers[1]: Conv2d(kernel_size=9, stride=1, padding=0, dilation=1) gives output size -2 from 6"),
        ({"input": 0, "layers": [layer("conv", 1)]}, "at $.input: must be at least 1, got 0"),
        ({"input": 8, "layers": []}, "at $.layers: must list at least one layer"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


# ---------------------------------------------------------------- mistake catalogue

SLIPS = {mistake.id: mistake for mistake in MISTAKES}


def slip(mistake_id: str, size: int, *layers: dict):
    return SLIPS[mistake_id].answer(typed_params(FAMILY, {"input": size, "layers": list(layers)}))


def torch_slipped_size(torch, size: int, layers: list[dict], mistake_id: str) -> int | None:
    """The slip made with real torch modules, each layer fed the student's running size.

    forgot-plus-one: torch's size minus 1. padding-one-side: zero padding on the
    top/left only (F.pad) and the module with padding 0; for a transposed layer,
    padding 0 and p rows/columns cropped from one side. ignores-dilation: the
    module with dilation 1. conv-formula-for-transposed: a Conv2d with the
    transposed layer's arguments. rounding-swapped: a ceil_mode pool without it,
    and any other conv or pool fed s − 1 extra pixels on the right, so that its
    floor becomes a ceil: floor((N + s − 1)/s) = ceil(N/s).
    None when torch finds a size below 1, as the catalogue gives None.
    """
    nn, functional = torch.nn, torch.nn.functional
    x = torch.zeros(1, 1, size, size)
    try:
        with torch.no_grad():
            for lay in layers:
                k, s, p, d, op = lay["kernel"], lay["stride"], lay["padding"], lay["dilation"], lay["output_padding"]
                kind, ceil = lay["type"], lay["ceil_mode"]
                crop = 0
                if mistake_id == "ignores-dilation":
                    d = 1
                if mistake_id == "conv-formula-for-transposed" and kind == "transposed":
                    kind, op = "conv", 0
                if mistake_id == "padding-one-side" and p:
                    if kind == "transposed":
                        crop = p
                    else:
                        x = functional.pad(x, (p, 0, p, 0))
                    p = 0
                if mistake_id == "rounding-swapped" and kind != "transposed":
                    if ceil:
                        ceil = False
                    else:
                        x = functional.pad(x, (0, s - 1, 0, s - 1))
                if kind == "conv":
                    module = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
                elif kind == "pool":
                    module = nn.MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
                else:
                    # torch only builds output_padding < max(s, d); with d taken as 1 that can fail, and
                    # output_padding is only extra rows on one side, so add them with F.pad instead.
                    legal = op if op < max(s, d) else 0
                    module = nn.Sequential(
                        nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, dilation=d, output_padding=legal),
                        nn.ZeroPad2d((0, op - legal, 0, op - legal)),
                    )
                x = module(x)[..., crop:, crop:]
                if mistake_id == "forgot-plus-one":
                    x = x[..., 1:, 1:]
                if x.shape[-1] < 1:
                    return None
                assert x.shape[-1] == x.shape[-2]
    except RuntimeError:  # torch: "output size is too small"
        return None
    return int(x.shape[-1])


def test_slips_match_torch():
    torch = pytest.importorskip("torch")
    changed = dict.fromkeys(SLIPS, 0)
    for instance in instances(40):
        params = instance.params
        for mistake_id, mistake in SLIPS.items():
            ours = mistake.answer(instance.typed)
            expected = torch_slipped_size(torch, params["input"], params["layers"], mistake_id)
            if ours is None:
                # not applicable: no layer has the step, or the slip drives a size below 1
                assert expected in (None, instance.answer), (mistake_id, params, expected)
            else:
                assert ours == expected, (mistake_id, params)
                changed[mistake_id] += ours != instance.answer
    assert all(count >= 10 for count in changed.values()), changed


def test_slips_on_the_conventions_examples():
    conv = layer("conv", 5, 2, 1)  # 32 -> 15
    assert slip("forgot-plus-one", 32, conv) == 14  # floor(29/2)
    assert slip("padding-one-side", 32, conv) == 15  # floor(28/2) + 1: the same, so never diagnosed here
    assert slip("ignores-dilation", 32, conv) is None and slip("conv-formula-for-transposed", 32, conv) is None
    assert slip("rounding-swapped", 32, conv) == 16  # ceil(29/2) + 1
    assert slip("ignores-dilation", 32, layer("conv", 3, d=2)) == 30  # 28 with the dilation
    up = layer("transposed", 3, 2, 1, op=1)  # 3 -> 6
    assert slip("forgot-plus-one", 3, up) == 5
    assert slip("padding-one-side", 3, up) == 7  # (3-1)·2 - 1 + 2 + 1 + 1
    assert slip("conv-formula-for-transposed", 3, up) == 2  # floor((3 + 2 - 2 - 1)/2) + 1
    assert slip("rounding-swapped", 3, up) is None  # no rounding in a transposed layer
    assert slip("rounding-swapped", 7, layer("pool", 2, 2)) == 4  # ceil(5/2) + 1: what ceil_mode gives
    assert slip("rounding-swapped", 7, layer("pool", 2, 2, ceil=True)) == 3
    # MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5 gives 3 after torch drops the last window;
    # without the +1 the count is one less, the drop unchanged; floor(4/2) + 1 is also 3, so
    # the swapped rounding cannot be told apart there and does not apply.
    assert slip("forgot-plus-one", 5, layer("pool", 2, 2, 1, ceil=True)) == 2
    assert slip("rounding-swapped", 5, layer("pool", 2, 2, 1, ceil=True)) is None


def test_a_slip_below_size_one_does_not_apply():
    assert slip("forgot-plus-one", 3, layer("conv", 3)) is None  # floor(0/1) = 0


def test_slip_messages_quote_the_layer_the_slip_changes():
    params = {"input": 32, "layers": [layer("conv", 3), layer("conv", 3, 1, 0, d=2)]}
    message = SLIPS["ignores-dilation"].message(typed_params(FAMILY, params))
    assert message.startswith("you left out the dilation (with d = 2 a 3-wide kernel spans (3−1)·2+1 = 5 pixels)")
    assert "layer 2 (Conv2d, i = 30)" in message and "= 26, not" in message and message.endswith("= 28")
    message = SLIPS["rounding-swapped"].message(typed_params(FAMILY, {"input": 7, "layers": [layer("pool", 2, 2, ceil=True)]}))
    assert "layer 1 (MaxPool2d, ceil_mode=True, i = 7)" in message and "= ceil(5/2) + 1 = 4, not floor(" in message and message.endswith("= 3")
    message = SLIPS["padding-one-side"].message(
        typed_params(FAMILY, {"input": 3, "layers": [layer("transposed", 3, 2, 1, op=1)]})
    )
    assert "2p = 2 in all" in message and "= 6, not" in message and message.endswith("= 7")


# ---------------------------------------------------------------- properties


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec_level = load_spec(FAMILY).levels[level]
    instance = make_instance(FAMILY, level, seed)
    size, layers = instance.params["input"], instance.params["layers"]
    assert spec_level["input"][0] <= size <= spec_level["input"][1]
    assert spec_level["layers"][0] <= len(layers) <= spec_level["layers"][1]
    for lay in layers:
        assert tuple(lay) == LAYER_KEYS
        assert lay["type"] in spec_level["types"]
        if lay["type"] != "transposed":
            assert lay["output_padding"] == 0
        else:
            assert lay["output_padding"] < max(lay["stride"], lay["dilation"])
        if lay["type"] == "pool":
            assert lay["padding"] <= lay["kernel"] // 2
            if lay["ceil_mode"]:  # only where ceil and floor differ
                assert (size + 2 * lay["padding"] - lay["kernel"]) % lay["stride"] != 0
        else:
            assert not lay["ceil_mode"]
        size = brute_force(size, [lay])
        assert 1 <= size <= spec_level["max_size"]
    assert instance.answer == size
    assert make_instance(FAMILY, level, seed).to_dict() == instance.to_dict()
    assert question_fields(instance.typed)["layers"].count("\n") == len(layers) - 1


def test_doc_example_and_its_slips_are_current():
    """docs/problems/conv-output.md shows exam seed 40, its answer and its slips' answers: they must not go stale."""
    page = (ROOT / "docs" / "problems" / "conv-output.md").read_text(encoding="utf-8")
    instance = make_instance("conv-output", "exam", 40)
    assert json.loads(re.search(r"```json\n(.*?)\n```", page, re.S).group(1)) == instance.params
    slips = page.split("## Mistakes it recognises")[1].split("For the example above")[1]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", slips, re.M)
    assert listed and sorted(set(listed)) == sorted({mistake_id for mistake_id, _ in mistake_answers(instance)})

