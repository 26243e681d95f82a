"""Forward pass of one 2-D convolution layer, by hand.

Drills the course convention that a CNN "convolution" is a cross-correlation
(the kernel is slid over the zero-padded input without flipping), together
with stride and zero padding. The sampler rejects kernels that are symmetric
under a 180-degree rotation, because for those flipping makes no difference
and the question would not test the convention; and it only asks about an
output (the map, or one entry) where every catalogued slip (``MISTAKES``: the
kernel flipped, the padding forgotten, the stride ignored) gives a value that
differs from the right answer and from the other slips.

Params (JSON form):
    image    list[list[int]]  input, rows of equal length
    kernel   list[list[int]]  2x2 or 3x3 weights (any k x k with k <= image size + 2p)
    stride   int >= 1
    padding  int >= 0         zeros on every side
    ask      "map" | "entry"
    entry    [row, col]       0-based output position (only when ask == "entry")
"""

from __future__ import annotations

import random
from operator import mul

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import format_grid, informative

Grid = list[list[int]]


def sample(rng: random.Random, level: dict) -> dict:
    """Draw image, kernel, stride, padding; resample until the layer is valid and the question informative."""
    rejections = Rejections()
    while True:
        size_lo, size_hi = level["image_size"]
        rows, cols = rng.randint(size_lo, size_hi), rng.randint(size_lo, size_hi)
        if not level.get("rectangular", False):
            cols = rows
        k = rng.choice(level["kernel_sizes"])
        stride = rng.choice(level["strides"])
        padding = rng.choice(level["paddings"])
        lo, hi = level["image_values"]
        image = [[rng.randint(lo, hi) for _ in range(cols)] for _ in range(rows)]
        klo, khi = level["kernel_values"]
        kernel = [[rng.randint(klo, khi) for _ in range(k)] for _ in range(k)]
        params = {"image": image, "kernel": kernel, "stride": stride, "padding": padding, "ask": "map"}
        out = _informative(params, level)
        if out is None:
            rejections.again()
            continue
        out_rows, out_cols = output_size(rows, cols, k, stride, padding)
        ask_map = out_rows * out_cols <= level["max_map_cells"] and rng.random() < level.get("map_probability", 0.5)
        if ask_map:
            if not informative(out, _slip_maps(params)):  # the right map and every slip's map differ pairwise
                rejections.again()
                continue
        else:
            params["ask"] = "entry"
            params["entry"] = _pick_entry(rng, params, out)
            if params["entry"] is None:
                rejections.again()
                continue
        return params


def _informative(params: dict, level: dict) -> Grid | None:
    """The output map when the layer is valid, the image not constant, the kernel one that flipping
    would change and the output not all 0; else None."""
    image, kernel = params["image"], params["kernel"]
    k, s, p = len(kernel), params["stride"], params["padding"]
    out_rows, out_cols = output_size(len(image), len(image[0]), k, s, p)
    if out_rows < 1 or out_cols < 1 or out_rows > level.get("max_out", 8) or out_cols > level.get("max_out", 8):
        return None
    if p >= k:  # a window entirely in the padding would be pointless
        return None
    if len({v for row in image for v in row}) < 2:
        return None
    if kernel == [row[::-1] for row in kernel[::-1]]:
        return None
    out = correlate(params)
    return out if any(v != 0 for row in out for v in row) else None


def _pick_entry(rng: random.Random, params: dict, out: Grid) -> list[int] | None:
    """An output position (in ``out``, the output map) whose window overlaps real pixels, whose value
    is not 0, and where every slip gives a value of its own, at least 3 away from the answer (so a
    flipped kernel is never marked right, and an answer one or two off is not taken for a slip)."""
    out_rows, out_cols = len(out), len(out[0])
    slip_maps = [grid for grid in _slip_maps(params) if grid is not None]
    candidates = [
        [r, c]
        for r in range(out_rows)
        for c in range(out_cols)
        if out[r][c] != 0
        and _window_overlaps_image(params, r, c)
        and informative(out[r][c], [grid[r][c] for grid in slip_maps if r < len(grid) and c < len(grid[0])], **ENTRY_SEPARATION)
    ]
    return rng.choice(candidates) if candidates else None


def _slip_maps(params: dict) -> list[Grid | None]:
    """Each slip's whole output map (None where the slip does not apply)."""
    as_map = {**params, "ask": "map"}
    return [mistake.answer(as_map) for mistake in MISTAKES]


# For one asked entry, each slip's value is at least 3 from the answer and from the other slips: an answer
# one or two off is an arithmetic slip, not named as a catalogued one.
ENTRY_SEPARATION = {"abs_tol": 2}


def _window_overlaps_image(params: dict, r: int, c: int) -> bool:
    k, s, p = len(params["kernel"]), params["stride"], params["padding"]
    rows, cols = len(params["image"]), len(params["image"][0])
    top, left = r * s - p, c * s - p
    return top + k > 0 and top < rows and left + k > 0 and left < cols


def output_size(rows: int, cols: int, k: int, stride: int, padding: int) -> tuple[int, int]:
    """o = floor((i + 2p - k) / s) + 1 in each direction (CONVENTIONS.md, d = 1)."""
    return (rows + 2 * padding - k) // stride + 1, (cols + 2 * padding - k) // stride + 1


def pad(image: Grid, padding: int) -> Grid:
    cols = len(image[0]) + 2 * padding
    zero_rows = [[0] * cols for _ in range(padding)]
    middle = [[0] * padding + list(row) + [0] * padding for row in image]
    return [list(r) for r in zero_rows] + middle + [list(r) for r in zero_rows]


def correlate(params: dict) -> Grid:
    """Cross-correlation of the zero-padded image with the (unflipped) kernel, with stride."""
    kernel, s = params["kernel"], params["stride"]
    padded = pad(params["image"], params["padding"])
    k = len(kernel)
    out_rows, out_cols = output_size(len(params["image"]), len(params["image"][0]), k, s, params["padding"])
    result = []
    for r in range(out_rows):
        pairs = list(zip(padded[r * s : r * s + k], kernel))  # the window's rows with the kernel's (integers: any order of adding)
        result.append([sum([sum(map(mul, row[c * s : c * s + k], weights)) for row, weights in pairs]) for c in range(out_cols)])
    return result


def rotated(kernel: Grid) -> Grid:
    """The kernel rotated by 180 degrees: what a true convolution slides."""
    return [list(row[::-1]) for row in kernel[::-1]]


def _asked(params: dict) -> int | Grid | None:
    """What the question asks for (the map or one entry) with these params; None when the
    layer has no output or the asked entry lies outside the map."""
    k = len(params["kernel"])
    out_rows, out_cols = output_size(len(params["image"]), len(params["image"][0]), k, params["stride"], params["padding"])
    if out_rows < 1 or out_cols < 1:
        return None
    out = correlate(params)
    if params.get("ask") != "entry":
        return out
    r, c = params["entry"]
    return out[r][c] if r < out_rows and c < out_cols else None


# --------------------------------------------------------------------------- mistakes
# Each slip is the same computation with one parameter of it done wrong.


def _kernel_flipped(params: dict) -> int | Grid | None:
    return _asked({**params, "kernel": rotated(params["kernel"])})


def _padding_forgotten(params: dict) -> int | Grid | None:
    return _asked({**params, "padding": 0}) if params["padding"] > 0 else None


def _stride_ignored(params: dict) -> int | Grid | None:
    return _asked({**params, "stride": 1}) if params["stride"] > 1 else None


def _corner(params: dict) -> str:
    return "padded cell" if params["padding"] else "input cell"


def _kernel_flipped_message(params: dict) -> str:
    where = f"out({params['entry'][0]},{params['entry'][1]})" if params.get("ask") == "entry" else "every output"
    return (
        f"you flipped the kernel (a true convolution): the layer cross-correlates, so {where} multiplies its "
        f"window by the kernel as given, {params['kernel']}, not by the kernel rotated by 180°, "
        f"{rotated(params['kernel'])}"
    )


def _padding_forgotten_message(params: dict) -> str:
    rows, cols, k = len(params["image"]), len(params["image"][0]), len(params["kernel"])
    s, p = params["stride"], params["padding"]
    out_rows, out_cols = output_size(rows, cols, k, s, p)
    return (
        f"you left out the zero padding: with p = {p} the {rows}x{cols} input is padded to "
        f"{rows + 2 * p}x{cols + 2 * p} first, so the output is {out_rows}x{out_cols} "
        f"(floor(({rows} + 2·{p} − {k})/{s}) + 1 = {out_rows} rows) and out(r, c) starts at padded cell ({s}r, {s}c)"
    )


def _stride_ignored_message(params: dict) -> str:
    s = params["stride"]
    if params.get("ask") == "entry":
        r, c = params["entry"]
        return (
            f"you ignored the stride: with s = {s}, out({r},{c}) uses the window whose top-left corner is "
            f"{_corner(params)} ({s}·{r}, {s}·{c}) = ({s * r}, {s * c}), not ({r}, {c})"
        )
    rows, k, p = len(params["image"]), len(params["kernel"]), params["padding"]
    out_rows = output_size(rows, rows, k, s, p)[0]
    return (
        f"you ignored the stride: with s = {s} the windows start every {s} pixels, so the output has "
        f"floor(({rows} + 2·{p} − {k})/{s}) + 1 = {out_rows} rows, not {rows + 2 * p - k + 1}"
    )


MISTAKES = (
    Mistake("kernel-flipped", _kernel_flipped, _kernel_flipped_message),
    Mistake("padding-forgotten", _padding_forgotten, _padding_forgotten_message),
    Mistake("stride-ignored", _stride_ignored, _stride_ignored_message),
)


def _validate(params: dict) -> None:
    try:
        image, kernel = params["image"], params["kernel"]
        stride, padding, ask = params["stride"], params["padding"], params.get("ask", "map")
    except (KeyError, TypeError) as exc:
        raise InvalidParams(f"conv-forward needs image, kernel, stride, padding: missing {exc}") from None
    if not _is_grid(image) or not _is_grid(kernel):
        raise InvalidParams("image and kernel must be non-empty rectangular grids of integers")
    if len(kernel) != len(kernel[0]):
        raise InvalidParams("the kernel must be square (k x k)")
    if not isinstance(stride, int) or isinstance(stride, bool) or stride < 1:
        raise InvalidParams("stride must be an integer >= 1")
    if not isinstance(padding, int) or isinstance(padding, bool) or padding < 0:
        raise InvalidParams("padding must be an integer >= 0")
    out_rows, out_cols = output_size(len(image), len(image[0]), len(kernel), stride, padding)
    if out_rows < 1 or out_cols < 1:
        raise InvalidParams(f"the kernel ({len(kernel)}x{len(kernel)}) does not fit the padded input: output size < 1")
    if ask not in ("map", "entry"):
        raise InvalidParams("ask must be 'map' or 'entry'")
    if ask == "entry":
        entry = params.get("entry")
        if (
            not isinstance(entry, list)
            or len(entry) != 2
            or not all(isinstance(v, int) for v in entry)
            or not (0 <= entry[0] < out_rows and 0 <= entry[1] < out_cols)
        ):
            raise InvalidParams(f"entry must be [row, col] inside the {out_rows}x{out_cols} output (0-based)")


def _is_grid(grid: object) -> bool:
    return (
        isinstance(grid, list)
        and len(grid) > 0
        and all(isinstance(row, list) and len(row) == len(grid[0]) > 0 for row in grid)
        and all(isinstance(v, int) and not isinstance(v, bool) for row in grid for v in row)
    )


def _products(padded: Grid, kernel: Grid, top: int, left: int) -> str:
    k = len(kernel)
    terms = []
    for i in range(k):
        for j in range(k):
            x, w = padded[top + i][left + j], kernel[i][j]
            terms.append(f"{_paren(x)}*{_paren(w)}")
    return " + ".join(terms)


def _paren(value: int) -> str:
    """Negative factors in brackets, as a tutor writes 2*(-1)."""
    return f"({value})" if value < 0 else str(value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def solve(params: dict) -> Solution:
    _validate(params)
    image, kernel, s, p = params["image"], params["kernel"], params["stride"], params["padding"]
    k = len(kernel)
    rows, cols = len(image), len(image[0])
    out = correlate(params)
    out_rows, out_cols = len(out), len(out[0])
    padded = pad(image, p)
    steps = [
        f"Output size: floor(({rows} + 2*{p} - {k}) / {s}) + 1 = {_plural(out_rows, 'row')}, "
        f"floor(({cols} + 2*{p} - {k}) / {s}) + 1 = {_plural(out_cols, 'column')}.",
        (f"Zero-padded input ({p} ring{'s' if p != 1 else ''} of zeros):\n" if p else "Input (no padding):\n")
        + format_grid(padded),
        "Slide the kernel without flipping it (cross-correlation); output (r, c) uses the window whose "
        + f"top-left corner is {'padded' if p else 'input'} cell "
        + (f"({s}r, {s}c)." if s > 1 else "(r, c)."),
    ]
    positions = [tuple(params["entry"])] if params.get("ask") == "entry" else [
        (r, c) for r in range(out_rows) for c in range(out_cols)
    ]
    lines = [
        f"out({r},{c}) = {_products(padded, kernel, r * s, c * s)} = {out[r][c]}" for r, c in positions
    ]
    steps.append("\n".join(lines))
    if params.get("ask") == "entry":
        r, c = params["entry"]
        return Solution(answer=out[r][c], steps=steps, kind="integer")
    steps.append("Output feature map:\n" + format_grid(out))
    return Solution(answer=out, steps=steps, kind="matrix")


def question_fields(params: dict) -> dict[str, str]:
    image, kernel = params["image"], params["kernel"]
    k = len(kernel)
    fields = {
        "variant": params.get("ask", "map"),
        "shape": f"{len(image)}x{len(image[0])}" + (
            "" if len(image) == len(image[0]) else f" ({len(image)} rows, {len(image[0])} columns)"
        ),
        "image": format_grid(image),
        "kernel": format_grid(kernel),
        "k": str(k),
        "stride": str(params["stride"]),
        "padding": str(params["padding"]),
        "padding_words": (
            "no padding"
            if params["padding"] == 0
            else f"zero padding of {_plural(params['padding'], 'pixel')} on every side"
        ),
    }
    if params.get("ask") == "entry":
        fields["row"], fields["col"] = str(params["entry"][0]), str(params["entry"][1])
    return fields


# --------------------------------------------------------------------------- pictures


def pictures(params: dict) -> list:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    from mli_drill.problems.families.base import Grid

    return [Grid.of("image", params["image"]), Grid.of("kernel", params["kernel"])]
