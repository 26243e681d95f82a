"""conv-forward: reference answers against torch and scipy, invariants, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import convolve2d, correlate2d

from mli_drill.problems.families import conv_forward as fam
from mli_drill.problems.convert import load
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "conv-forward"
LEVELS = ("easy", "exam", "hard")
SEEDS = range(80)  # 80 seeds x 3 levels = 240 instances


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def full_map(params: dict) -> np.ndarray:
    """The full output map from the solver, whatever the instance asks."""
    return np.array(solve({**params, "ask": "map"}).answer)


def scipy_map(params: dict) -> np.ndarray:
    """Independent: scipy cross-correlation ('valid') on the padded input, then stride subsampling."""
    image = np.pad(np.array(params["image"]), params["padding"])
    valid = correlate2d(image, np.array(params["kernel"]), mode="valid")
    s = params["stride"]
    return valid[::s, ::s]


def instances():
    for level in LEVELS:
        for seed in SEEDS:
            yield make_instance(FAMILY, level, seed)


def test_against_scipy_correlate2d():
    for inst in instances():
        expected = scipy_map(inst.params)
        assert np.array_equal(full_map(inst.params), expected), inst.params
        if inst.params["ask"] == "entry":
            r, c = inst.params["entry"]
            assert inst.answer == expected[r, c]
        else:
            assert np.array_equal(np.array(inst.answer), expected)


def test_against_torch_conv2d():
    torch = pytest.importorskip("torch")
    for inst in instances():
        p = inst.params
        x = torch.tensor(p["image"], dtype=torch.float64)[None, None]
        w = torch.tensor(p["kernel"], dtype=torch.float64)[None, None]
        out = torch.nn.functional.conv2d(x, w, stride=p["stride"], padding=p["padding"])[0, 0].numpy()
        assert np.array_equal(full_map(p), out.round().astype(int)), p
        if p["ask"] == "entry":
            r, c = p["entry"]
            assert inst.answer == int(round(out[r, c]))


def test_conventions_shape_example():
    # CONVENTIONS.md: Conv2d(k=5, s=2, p=1) on 32 gives 15.
    image = [[(r * 7 + c * 3) % 5 for c in range(32)] for r in range(32)]
    kernel = [[1 if (i + j) % 2 else 0 for j in range(5)] for i in range(5)]
    answer = solve({"image": image, "kernel": kernel, "stride": 2, "padding": 1, "ask": "map"}).answer
    assert len(answer) == 15 and all(len(row) == 15 for row in answer)


def test_kernel_is_not_flipped():
    image = [[1, 2], [3, 4]]
    kernel = [[1, 0], [0, 0]]  # picks the top-left pixel of each window (flipped it would pick bottom-right)
    assert solve({"image": image, "kernel": kernel, "stride": 1, "padding": 0, "ask": "map"}).answer == [[1]]
    padded = solve({"image": image, "kernel": kernel, "stride": 1, "padding": 1, "ask": "map"}).answer
    assert padded == [[0, 0, 0], [0, 1, 2], [0, 3, 4]]


def test_hand_worked_entry_with_stride_and_padding():
    params = {
        "image": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
        "kernel": [[1, -1], [2, 0]],
        "stride": 2,
        "padding": 1,
        "ask": "entry",
        "entry": [1, 1],
    }
    # output (1,1): padded window rows 2-3, cols 2-3 = [[5, 6], [8, 9]] -> 5 - 6 + 16 = 15
    sol = solve(params)
    assert sol.answer == 15 and sol.kind == "integer"
    assert "15" in sol.steps[-1]


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"image": [[1, 2]], "kernel": [[1, 2], [3, 4]], "stride": 1, "padding": 0},  # kernel does not fit
        {"image": [[1, 2], [3]], "kernel": [[1]], "stride": 1, "padding": 0},  # ragged
        {"image": [[1, 2], [3, 4]], "kernel": [[1, 2]], "stride": 1, "padding": 0},  # non-square kernel
        {"image": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 0, "padding": 0},
        {"image": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 1, "padding": -1},
        {"image": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 1, "padding": 0, "ask": "entry", "entry": [2, 0]},
        {"image": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 1, "padding": 0, "ask": "sum"},
        {"image": [[1.5, 2], [3, 4]], "kernel": [[1]], "stride": 1, "padding": 0},
    ],
)
def test_invalid_params(bad):
    with pytest.raises(InvalidParams):
        solve(bad)


GOOD = {"image": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 1, "padding": 0}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"image": [[1, 2], [3, "4"]]}, "at $.image[1][1]: expected an integer, got '4'"),
        ({"stride": 0}, "at $.stride: must be at least 1, got 0"),
        ({"image": [[1, 2], [3]]}, "at $.image: must be rectangular (rows of equal length)"),
        ({"ask": "entry", "entry": [2, 0]}, "at $.entry: must be [row, col] inside the 2x2 output (0-based)"),
        ({"ask": "entry"}, "at $.entry: must be given when ask is 'entry'"),
        ({"ask": "entry", "entry": [1]}, "at $.entry: expected a list of 2, got 1 item(s)"),
    ],
)
def test_invalid_params_name_the_path(change, message):
    with pytest.raises(InvalidParams) as caught:
        solve({**GOOD, **change})
    assert str(caught.value) == message


def test_entry_is_in_the_json_only_when_asked():
    for seed in range(20):
        inst = make_instance(FAMILY, "exam", seed)
        assert ("entry" in inst.params) == (inst.params["ask"] == "entry")
    assert list(make_instance(FAMILY, "exam", 7).params) == ["image", "kernel", "stride", "padding", "ask", "entry"]
    with pytest.raises(InvalidParams, match=r"at \$\.map_probability: must be between 0 and 1"):
        load(fam.Level, {"map_probability": 1.5})


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    again = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == again.to_dict()
    p = inst.params
    spec_level = load_spec(FAMILY).levels[level]
    lo, hi = spec_level["image_size"]
    assert lo <= len(p["image"]) <= hi and lo <= len(p["image"][0]) <= hi
    assert len(p["kernel"]) in spec_level["kernel_sizes"]
    kernel = np.array(p["kernel"])
    assert not np.array_equal(kernel, kernel[::-1, ::-1]), "flipping must matter"
    assert len({v for row in p["image"] for v in row}) > 1
    out = full_map(p)
    assert out.shape[0] >= 1 and out.shape[1] >= 1 and out.any()
    if level in ("easy", "exam"):
        assert len(p["image"]) <= 8 and np.abs(out).max() < 1000
    if p["ask"] == "entry":
        assert inst.answer != 0
        assert inst.solution.kind == "integer"
    else:
        assert out.size <= spec_level["max_map_cells"]
        assert inst.solution.kind == "matrix"
    assert "NOT flipped" in inst.question


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in fam.MISTAKES}


def asked(params: dict, grid: np.ndarray):
    """What the question asks for, read off an independent full map (None when the entry is off it)."""
    if params["ask"] == "map":
        return grid.tolist()
    r, c = params["entry"]
    return int(grid[r, c]) if r < grid.shape[0] and c < grid.shape[1] else None


def test_kernel_flipped_is_scipy_convolve2d():
    """A true convolution (scipy flips the kernel) of the padded input, subsampled by the stride."""
    for inst in instances():
        p = inst.params
        image = np.pad(np.array(p["image"]), p["padding"])
        true_conv = convolve2d(image, np.array(p["kernel"]), mode="valid")[:: p["stride"], :: p["stride"]]
        assert SLIPS["kernel-flipped"].answer(inst.typed) == asked(p, true_conv), p


def test_padding_forgotten_is_correlation_of_the_unpadded_input():
    seen = 0
    for inst in instances():
        p = inst.params
        value = SLIPS["padding-forgotten"].answer(inst.typed)
        if p["padding"] == 0:
            assert value is None
            continue
        seen += 1
        unpadded = correlate2d(np.array(p["image"]), np.array(p["kernel"]), mode="valid")
        assert value == asked(p, unpadded[:: p["stride"], :: p["stride"]]), p
    assert seen > 50


def test_stride_ignored_is_the_stride_one_map():
    seen = 0
    for inst in instances():
        p = inst.params
        value = SLIPS["stride-ignored"].answer(inst.typed)
        if p["stride"] == 1:
            assert value is None
            continue
        seen += 1
        dense = correlate2d(np.pad(np.array(p["image"]), p["padding"]), np.array(p["kernel"]), mode="valid")
        assert value == asked(p, dense), p
    assert seen > 50


def test_issue_example_flipped_kernel_no_longer_scores():
    # Before the sampler checked the slips, easy seed 312 asked entry (1, 0) of kernel [[1, 1], [0, 0]],
    # where the flipped kernel gives the same 2.
    inst = make_instance(FAMILY, "easy", 312)
    assert inst.params["kernel"] == [[1, 1], [0, 0]]
    assert SLIPS["kernel-flipped"].answer(inst.typed) != inst.answer


def test_hand_slips_with_stride_and_padding():
    params = {"image": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernel": [[1, -1], [2, 0]], "stride": 2, "padding": 1,
              "ask": "entry", "entry": [1, 1]}
    # right: padded window [[5, 6], [8, 9]] -> 15; flipped kernel [[0, 2], [-1, 1]] -> 12 - 8 + 9 = 13;
    # no padding: output 1x1, no entry (1, 1); stride 1: padded window at (1, 1) = [[1, 2], [4, 5]] -> 1 - 2 + 8 = 7
    assert solve(params).answer == 15
    typed = typed_params(FAMILY, params)
    assert SLIPS["kernel-flipped"].answer(typed) == 13
    assert SLIPS["padding-forgotten"].answer(typed) is None
    assert SLIPS["stride-ignored"].answer(typed) == 7
    assert "(2·1, 2·1) = (2, 2)" in SLIPS["stride-ignored"].message(typed)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_sampler_keeps_every_slip_apart(seed, level):
    """The flipped kernel always gives another answer; the slips that apply differ from it and each other
    (for one entry, by at least 3 from the answer)."""
    inst = make_instance(FAMILY, level, seed)
    assert SLIPS["kernel-flipped"].answer(inst.typed) != inst.answer
    values = [inst.answer] + [v for m in fam.MISTAKES if (v := m.answer(inst.typed)) is not None]
    assert all(a != b for i, a in enumerate(values) for b in values[i + 1:]), inst.params
    if inst.params["ask"] == "entry":  # a near miss (one or two off) is never taken for a slip
        assert all(abs(v - inst.answer) >= 3 for v in values[1:]), inst.params
