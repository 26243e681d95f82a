"""pooling-forward: reference answers against torch and a numpy loop, invariants, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.families import pooling_forward as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "pooling-forward"
LEVELS = ("easy", "exam", "hard")
SEEDS = range(80)  # 240 instances


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def full_map(params: dict) -> np.ndarray:
    whole = {key: value for key, value in params.items() if key != "entry"}  # an entry goes only with ask "entry"
    return np.array(solve({**whole, "ask": "map"}).answer, dtype=float)


def numpy_pool(params: dict) -> np.ndarray:
    """Independent: numpy sliding windows (sliding_window_view), then stride subsampling."""
    image = np.array(params["image"], dtype=float)
    k, s = params["kernel"], params["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(image, (k, k))[::s, ::s]
    return windows.max(axis=(2, 3)) if params["mode"] == "max" else windows.mean(axis=(2, 3))


def numpy_reshape_pool(params: dict) -> np.ndarray | None:
    """Second independent check for non-overlapping windows (s == k): crop and reshape into blocks."""
    k, s = params["kernel"], params["stride"]
    if s != k:
        return None
    image = np.array(params["image"], dtype=float)
    rows, cols = (image.shape[0] // k) * k, (image.shape[1] // k) * k
    blocks = image[:rows, :cols].reshape(rows // k, k, cols // k, k)
    return blocks.max(axis=(1, 3)) if params["mode"] == "max" else blocks.mean(axis=(1, 3))


def instances():
    for level in LEVELS:
        for seed in SEEDS:
            yield make_instance(FAMILY, level, seed)


def test_against_numpy():
    for inst in instances():
        expected = numpy_pool(inst.params)
        assert np.allclose(full_map(inst.params), expected), inst.params
        blocks = numpy_reshape_pool(inst.params)
        if blocks is not None:
            assert np.allclose(blocks, expected)
        if inst.params["ask"] == "entry":
            r, c = inst.params["entry"]
            assert inst.answer == pytest.approx(expected[r, c])
        else:
            assert np.allclose(np.array(inst.answer, dtype=float), expected)


def test_against_torch_pooling():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for inst in instances():
        p = inst.params
        x = torch.tensor(p["image"], dtype=torch.float64)[None, None]
        pool = F.max_pool2d if p["mode"] == "max" else F.avg_pool2d
        out = pool(x, kernel_size=p["kernel"], stride=p["stride"])[0, 0].numpy()
        assert np.allclose(full_map(p), out), p


def test_hand_worked_examples():
    image = [[1, 3, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
    assert solve({"image": image, "kernel": 2, "stride": 2, "mode": "max"}).answer == [[6, 8], [3, 4]]
    avg = solve({"image": image, "kernel": 2, "stride": 2, "mode": "average"}).answer
    assert avg == [[3.75, 5.25], [2, 2]]
    # overlapping windows, one entry: window rows 1-2, cols 1-2 = {6, 7, 2, 1}
    sol = solve({"image": image, "kernel": 2, "stride": 1, "mode": "average", "ask": "entry", "entry": [1, 1]})
    assert sol.answer == 4 and sol.kind == "real"
    # a 3x3 mean that is not a terminating decimal keeps its fraction in the display
    sol = solve({"image": [[1, 0, 0], [0, 1, 0], [0, 0, 0]], "kernel": 3, "stride": 3, "mode": "average",
                     "ask": "entry", "entry": [0, 0]})
    assert sol.answer == pytest.approx(2 / 9) and "2/9" in sol.display


def test_conventions_floor_mode_example():
    # CONVENTIONS.md: MaxPool2d(2) on 7 gives 3 (the last row/column is dropped).
    image = [[(3 * r + 5 * c) % 7 for c in range(7)] for r in range(7)]
    sol = solve({"image": image, "kernel": 2, "stride": 2, "mode": "max"})
    assert np.array(sol.answer).shape == (3, 3)
    assert "ignored" in sol.steps[0]


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"image": [[1, 2], [3, 4]], "kernel": 3, "stride": 1, "mode": "max"},
        {"image": [[1, 2], [3, 4]], "kernel": 2, "stride": 0, "mode": "max"},
        {"image": [[1, 2], [3, 4]], "kernel": 2, "stride": 1, "mode": "median"},
        {"image": [[1, 2], [3]], "kernel": 1, "stride": 1, "mode": "max"},
        {"image": [[1, 2], [3, 4]], "kernel": 2, "stride": 2, "mode": "max", "ask": "entry", "entry": [1, 0]},
        {"image": [[1, 2], [3, 4]], "kernel": 2, "stride": 2, "mode": "max", "ask": "all"},
    ],
)
def test_invalid_params(bad):
    with pytest.raises(InvalidParams):
        solve(bad)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"image": [[1, 2], [3, "4"]], "kernel": 1, "stride": 1, "mode": "max"}, "at $.image[1][1]: expected an integer, got '4'"),
        ({"image": [[1, 2], [3, 4]], "kernel": 2, "stride": 0, "mode": "max"}, "at $.stride: must be at least 1, got 0"),
        ({"image": [[1, 2], [3, 4]], "kernel": 3, "stride": 1, "mode": "max"}, "at $.kernel: a 3x3 window does not fit the 2x2 input"),
        ({"image": [[1, 2], [3, 4]], "kernel": 2, "stride": 2, "mode": "max", "ask": "entry", "entry": [1, 0]},
         "at $.entry: must be [row, col] inside the 1x1 output (0-based), got [1, 0]"),
        ({"image": [[1, 2], [3, 4]], "kernel": 2, "stride": 2, "mode": "max", "ask": "entry"},
         "at $.entry: ask 'entry' needs the [row, col] of one output entry"),
    ],
)
def test_invalid_params_name_the_path(bad, message):
    with pytest.raises(InvalidParams) as caught:
        solve(bad)
    assert str(caught.value) == message


def test_the_json_lists_entry_only_when_one_entry_is_asked():
    for inst in instances():
        assert ("entry" in inst.params) == (inst.params["ask"] == "entry"), inst.params


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    p = inst.params
    spec_level = load_spec(FAMILY).levels[level]
    lo, hi = spec_level["image_size"]
    assert lo <= len(p["image"]) <= hi and lo <= len(p["image"][0]) <= hi
    assert p["kernel"] in spec_level["kernels"]
    image = np.array(p["image"])
    windows = np.lib.stride_tricks.sliding_window_view(image, (p["kernel"], p["kernel"]))[:: p["stride"], :: p["stride"]]
    assert windows.shape[0] >= 1 and windows.shape[1] >= 1
    # every window has at least two distinct values: the pooling decides something
    assert all(len(np.unique(w)) > 1 for w in windows.reshape(-1, p["kernel"] ** 2))
    if p["ask"] == "map":
        assert windows.shape[0] * windows.shape[1] <= spec_level["max_map_cells"]
        assert inst.solution.kind == "matrix"
    else:
        assert inst.solution.kind == ("integer" if p["mode"] == "max" else "real")
    assert p["mode"] in inst.question


def slipped_numpy(params: dict, slip: str):
    """Each catalogued slip computed independently with numpy windows."""
    wrong = dict(params)
    entry = params.get("entry")
    if slip == "other-pooling-mode":
        wrong["mode"] = "average" if params["mode"] == "max" else "max"
    elif slip == "ignores-stride":
        if params["stride"] == 1:
            return None
        wrong["stride"] = 1
    else:  # entry-swapped
        if params["ask"] != "entry" or entry[0] == entry[1]:
            return None
        entry = entry[::-1]
    grid = numpy_pool(wrong)
    if params["ask"] != "entry":
        return grid
    r, c = entry
    return grid[r, c] if r < grid.shape[0] and c < grid.shape[1] else None


def test_slips_against_numpy(check_slips):
    check_slips(instances(), fam.MISTAKES, slipped_numpy)