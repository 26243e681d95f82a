"""transposed-conv-forward: the output map against torch's conv_transpose2d and a numpy scatter-add."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.families import transposed_conv_forward
from mli_drill.problems.families.transposed_conv_forward import MISTAKES
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "transposed-conv-forward"
LEVELS = ("easy", "exam", "hard")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return transposed_conv_forward.solve(typed_params(FAMILY, params))


def instances(count_per_level: int):
    for level in LEVELS:
        for seed in range(count_per_level):
            yield make_instance(FAMILY, level, seed)


def scatter_add(image, kernel, s: int, p: int) -> np.ndarray:
    """Each input value adds value * kernel (unflipped) at (i*s, j*s); then p is cut from every side."""
    x, w = np.asarray(image), np.asarray(kernel)
    n, k = len(x), len(w)
    full = np.zeros(((n - 1) * s + k,) * 2, dtype=int)
    for i in range(n):
        for j in range(n):
            full[i * s: i * s + k, j * s: j * s + k] += x[i, j] * w
    return full[p: len(full) - p, p: len(full) - p]


def full_map(params: dict) -> list:
    """The whole output map (row and col, which only an entry question has, left out)."""
    return solve({**{key: value for key, value in params.items() if key not in ("row", "col")}, "ask": "map"}).answer


def test_scatter_add_agrees_on_every_level():
    for instance in instances(100):
        params = instance.params
        expected = scatter_add(params["input"], params["kernel"], params["stride"], params["padding"])
        if params["ask"] == "map":
            assert instance.answer == expected.tolist(), params
        else:
            assert instance.answer == expected[params["row"], params["col"]], params


def test_torch_conv_transpose2d_agrees():
    torch = pytest.importorskip("torch")
    for instance in instances(80):
        params = instance.params
        x = torch.tensor(params["input"], dtype=torch.float64)[None, None]
        w = torch.tensor(params["kernel"], dtype=torch.float64)[None, None]  # (in, out, k, k)
        out = torch.nn.functional.conv_transpose2d(x, w, stride=params["stride"], padding=params["padding"])[0, 0]
        assert full_map(params) == out.round().long().tolist(), params


def test_hand_examples():
    x, ones = [[1, 2], [3, 4]], [[1, 1], [1, 1]]
    assert full_map({"input": x, "kernel": ones, "stride": 1, "padding": 0}) == [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
    # stride 2 with a 2x2 kernel: the copies tile without overlap
    assert full_map({"input": x, "kernel": ones, "stride": 2, "padding": 0}) == \
        [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    # padding 1 cuts the border of the stride-1 result: only the centre is left
    assert full_map({"input": x, "kernel": ones, "stride": 1, "padding": 1}) == [[10]]
    # the kernel is not flipped in the scatter view: a one-pixel input reproduces W
    w = [[1, 2, 0], [0, -1, 3], [2, 0, 1]]
    assert full_map({"input": [[1]], "kernel": w, "stride": 1, "padding": 0}) == w


def test_entry_working_shows_products():
    params = {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "stride": 1, "padding": 0,
              "ask": "entry", "row": 1, "col": 1}
    solution = solve(params)
    assert solution.answer == 10 and solution.kind == "integer"
    assert "1·1 + 2·1 + 3·1 + 4·1 = 10" in "\n".join(solution.steps)
    negative = solve({**params, "input": [[-1, 2], [3, 4]], "kernel": [[1, -1], [1, 1]]})
    assert "(-1)·1" in "\n".join(negative.steps)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"input": [[1, 2], [3]], "kernel": [[1]], "stride": 1, "padding": 0, "ask": "map"},
        {"input": [[1, 2], [3, 4]], "kernel": [[1.5]], "stride": 1, "padding": 0, "ask": "map"},
        {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "stride": 0, "padding": 0, "ask": "map"},
        {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "stride": 1, "padding": 2, "ask": "map"},
        {"input": [[1]], "kernel": [[1, 1], [1, 1]], "stride": 1, "padding": 1, "ask": "map"},  # empty output
        {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "stride": 1, "padding": 0, "ask": "sum"},
        {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "stride": 1, "padding": 0, "ask": "entry",
         "row": 3, "col": 0},
        {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "stride": 1, "padding": 0, "ask": "entry"},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


X, ONES = [[1, 2], [3, 4]], [[1, 1], [1, 1]]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"input": [[1, 2], [3, True]], "kernel": ONES, "stride": 1, "padding": 0, "ask": "map"},
         "at $.input[1][1]: expected an integer, got True"),
        ({"input": X, "kernel": ONES, "stride": 1, "padding": 2, "ask": "map"}, "at $.padding: must be in 0..k-1 = 0..1, got 2"),
        ({"input": [[1, 2], [3]], "kernel": ONES, "stride": 1, "padding": 0, "ask": "map"},
         "at $.input: must be a non-empty square grid of integers"),
        ({"input": [[1]], "kernel": ONES, "stride": 1, "padding": 1, "ask": "map"}, "at $: the output would be empty"),
        ({"input": X, "kernel": ONES, "stride": 1, "padding": 0, "ask": "entry", "row": 3, "col": 0},
         "at $.row: must be in 0..2, got 3"),
        ({"input": X, "kernel": ONES, "stride": 1, "padding": 0, "ask": "entry", "row": 1}, "at $.col: must be given when ask is 'entry'"),
        ({"input": X, "kernel": ONES, "stride": 1, "padding": 0, "ask": "map", "row": 1, "col": 1},
         "at $.row: only applies when ask is 'entry'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_row_and_col_only_in_an_entry_question():
    """A map question's JSON has no row and col keys (as before the typed params); an entry question's has both."""
    from mli_drill.problems.convert import dump

    written = {"input": X, "kernel": ONES, "stride": 1, "padding": 0, "ask": "map"}
    assert dump(typed_params(FAMILY, written)) == written
    entry = {**written, "ask": "entry", "row": 1, "col": 2}
    assert dump(typed_params(FAMILY, entry)) == entry


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec_level = load_spec(FAMILY).levels[level]
    instance = make_instance(FAMILY, level, seed)
    params = instance.params
    n, k = len(params["input"]), len(params["kernel"])
    assert n in spec_level["input_sizes"] and k in spec_level["kernel_sizes"]
    assert params["stride"] in spec_level["strides"] and params["padding"] <= k - 1
    assert any(any(row) for row in params["input"]) and any(any(row) for row in params["kernel"])
    out = np.array(full_map(params))
    assert 2 <= len(out) <= spec_level["max_output"] and out.any()
    if params["ask"] == "entry":
        assert instance.solution.kind == "integer" and instance.answer != 0
    else:
        assert instance.solution.kind == "matrix"
    assert make_instance(FAMILY, level, seed).to_dict() == instance.to_dict()


# --------------------------------------------------------------------------- mistakes

SLIPS = {mistake.id: mistake for mistake in MISTAKES}


def asked(params: dict, grid: np.ndarray):
    """The map or the asked entry of an independently computed map (None when it is off the map)."""
    if grid.size == 0:
        return None
    if params["ask"] == "map":
        return grid.tolist()
    r, c = params["row"], params["col"]
    return int(grid[r, c]) if r < grid.shape[0] and c < grid.shape[1] else None


def test_slips_against_scatter_add():
    """Each slip is the scatter-add picture with one thing changed:
    not flipping in the correlation view stamps the kernel rotated by 180°; ignoring p crops nothing;
    no zero insertion stamps at stride 1; padding by p instead of k − 1 − p crops k − 1 − p instead of p."""
    applied = {mistake_id: 0 for mistake_id in SLIPS}
    for instance in instances(100):
        p = instance.params
        x, w, s, pad = p["input"], p["kernel"], p["stride"], p["padding"]
        k = len(w)
        expected = {
            "kernel-not-flipped": asked(p, scatter_add(x, np.rot90(np.array(w), 2), s, pad)),
            "padding-ignored": asked(p, scatter_add(x, w, s, 0)) if pad else None,
            "zeros-not-inserted": asked(p, scatter_add(x, w, 1, pad)) if s > 1 else None,
            "padded-by-p": asked(p, scatter_add(x, w, s, k - 1 - pad)) if pad not in (k - 1 - pad, k - 1) else None,
        }
        for mistake_id, value in expected.items():
            assert SLIPS[mistake_id].answer(instance.typed) == value, (mistake_id, p)
            applied[mistake_id] += value is not None
    assert min(applied.values()) > 20, applied


def test_kernel_not_flipped_against_torch():
    torch = pytest.importorskip("torch")
    for instance in instances(40):
        p = instance.params
        x = torch.tensor(p["input"], dtype=torch.float64)[None, None]
        w = torch.tensor(p["kernel"], dtype=torch.float64).flip(0, 1)[None, None]
        out = torch.nn.functional.conv_transpose2d(x, w, stride=p["stride"], padding=p["padding"])[0, 0]
        assert SLIPS["kernel-not-flipped"].answer(instance.typed) == asked(p, out.round().long().numpy()), p


def test_hand_slips():
    written = {"input": [[1, 2], [3, 4]], "kernel": [[1, 0], [0, 0]], "stride": 1, "padding": 0, "ask": "map"}
    # scatter: W stamps its top-left 1 at each input position -> the input padded right and below
    assert solve(written).answer == [[1, 2, 0], [3, 4, 0], [0, 0, 0]]
    params = typed_params(FAMILY, written)
    assert SLIPS["kernel-not-flipped"].answer(params) == [[0, 0, 0], [0, 1, 2], [0, 3, 4]]
    assert SLIPS["padded-by-p"].answer(params) == [[4]]  # no border: one 2x2 window, flipped kernel picks 4
    assert SLIPS["padding-ignored"].answer(params) is None and SLIPS["zeros-not-inserted"].answer(params) is None
    assert "[[0, 0], [0, 1]]" in SLIPS["kernel-not-flipped"].message(params)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_sampler_keeps_every_slip_apart(seed, level):
    """Forgetting the flip always gives another answer (so no kernel symmetric under 180° is drawn),
    and the slips that apply differ from the answer and from each other."""
    instance = make_instance(FAMILY, level, seed)
    kernel = np.array(instance.params["kernel"])
    assert not np.array_equal(kernel, kernel[::-1, ::-1])
    assert SLIPS["kernel-not-flipped"].answer(instance.typed) != instance.answer
    values = [instance.answer] + [v for m in MISTAKES if (v := m.answer(instance.typed)) is not None]
    assert all(a != b for i, a in enumerate(values) for b in values[i + 1:]), instance.params
    if instance.params["ask"] == "entry":  # a near miss (one or two off) is never taken for a slip
        assert all(abs(v - instance.answer) >= 3 for v in values[1:]), instance.params


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 4), k=st.integers(1, 4), s=st.integers(1, 3), data=st.data(), flip=st.booleans())
def test_scattering_gives_the_zero_insertion_sums(n: int, k: int, s: int, data: st.DataObject, flip: bool) -> None:
    """The sampler scatters each input value; the worked solution slides the kernel over the zero-inserted,
    padded map: the same map, with every slip's knobs."""
    from mli_drill.problems.families import transposed_conv_forward as family

    p = data.draw(st.integers(0, k - 1))
    border = data.draw(st.sampled_from([None, 0, p, k - 1, 3]))
    image = data.draw(st.lists(st.lists(st.integers(-3, 5), min_size=n, max_size=n), min_size=n, max_size=n))
    kernel = data.draw(st.lists(st.lists(st.integers(-2, 3), min_size=k, max_size=k), min_size=k, max_size=k))
    padded = family.zero_insert_and_pad(image, s, k - 1 - p if border is None else border)
    slid = family.correlate(padded, family.flipped(kernel) if flip else kernel)
    assert family.transposed_conv(image, kernel, s, p, flip=flip, border=border) == slid
