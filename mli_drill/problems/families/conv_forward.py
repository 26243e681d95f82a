"""Forward pass of one 2-D convolution layer, by hand.

Drills the course convention that a CNN "convolution" is a cross-correlation
(the kernel is slid over the zero-padded input without flipping), together
with stride and zero padding. The sampler rejects kernels that are symmetric
under a 180-degree rotation, because for those flipping makes no difference
and the question would not test the convention; and it only asks about an
output (the map, or one entry) where every catalogued slip (``MISTAKES``: the
kernel flipped, the padding forgotten, the stride ignored) gives a value that
differs from the right answer and from the other slips.

Params (JSON form), typed as :class:`Params`:
    image    list[list[int]]  input, rows of equal length
    kernel   list[list[int]]  2x2 or 3x3 weights (any k x k with k <= image size + 2p)
    stride   int >= 1
    padding  int >= 0         zeros on every side
    ask      "map" | "entry"  (default "map")
    entry    [row, col]       0-based output position (only when ask == "entry"; absent otherwise)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from operator import mul
from typing import Callable, Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import format_grid, informative

Grid = list[list[int]]
Rows = Sequence[Sequence[int]]  # a grid as lists (the sampler's) or tuples (Params')
Ask = Literal["map", "entry"]


@dataclass(frozen=True)
class Params:
    image: tuple[tuple[int, ...], ...]
    kernel: tuple[tuple[int, ...], ...]
    stride: int
    padding: int
    ask: Ask = "map"
    entry: tuple[int, int] | None = optional()

    def __post_init__(self) -> None:
        for name in ("image", "kernel"):
            grid = getattr(self, name)
            require(len(grid) > 0 and len(grid[0]) > 0, name, "must be a non-empty grid")
            require(all(len(row) == len(grid[0]) for row in grid), name, "must be rectangular (rows of equal length)")
        require(len(self.kernel) == len(self.kernel[0]), "kernel", "must be square (k x k)")
        require(self.stride >= 1, "stride", f"must be at least 1, got {self.stride}")
        require(self.padding >= 0, "padding", f"must be at least 0, got {self.padding}")
        k = len(self.kernel)
        out_rows, out_cols = output_size(len(self.image), len(self.image[0]), k, self.stride, self.padding)
        require(out_rows >= 1 and out_cols >= 1, "kernel", f"the kernel ({k}x{k}) does not fit the padded input: output size < 1")
        if self.ask == "entry":
            require(self.entry is not None, "entry", "must be given when ask is 'entry'")
            row, col = self.entry or (0, 0)
            require(0 <= row < out_rows and 0 <= col < out_cols, "entry",
                    f"must be [row, col] inside the {out_rows}x{out_cols} output (0-based)")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    image_size: tuple[int, int] = (4, 6)  # [min, max] rows (and columns) of the input
    rectangular: bool = False  # draw the columns separately (else the input is square)
    kernel_sizes: tuple[int, ...] = (2, 3)  # choices of k (the kernel is k x k)
    strides: tuple[int, ...] = (1, 2)  # stride choices
    paddings: tuple[int, ...] = (0, 1)  # zero-padding choices
    image_values: tuple[int, int] = (0, 5)  # [min, max] input values
    kernel_values: tuple[int, int] = (-2, 2)  # [min, max] kernel weights
    max_map_cells: int = 9  # the whole map is asked only when it has at most this many cells
    map_probability: float = 0.5  # chance of asking the whole map (when it is small enough), else one entry
    max_out: int = 8  # largest output size (rows and columns)

    def __post_init__(self) -> None:
        require(1 <= self.image_size[0] <= self.image_size[1], "image_size", "must be [min, max] with 1 <= min <= max")
        require(bool(self.kernel_sizes) and min(self.kernel_sizes) >= 1, "kernel_sizes", "must be a non-empty list of integers >= 1")
        require(bool(self.strides) and min(self.strides) >= 1, "strides", "must be a non-empty list of integers >= 1")
        require(bool(self.paddings) and min(self.paddings) >= 0, "paddings", "must be a non-empty list of integers >= 0")
        require(self.image_values[0] < self.image_values[1], "image_values", "must be [min, max] with min < max")
        require(self.kernel_values[0] < self.kernel_values[1], "kernel_values", "must be [min, max] with min < max")
        require(0 <= self.map_probability <= 1, "map_probability", "must be between 0 and 1")
        require(self.max_out >= 1, "max_out", "must be at least 1")


def sample(rng: random.Random, level: Level) -> Params:
    """Draw image, kernel, stride, padding; resample until the layer is valid and the question informative."""
    rejections = Rejections()
    while True:
        size_lo, size_hi = level.image_size
        rows, cols = rng.randint(size_lo, size_hi), rng.randint(size_lo, size_hi)
        if not level.rectangular:
            cols = rows
        k = rng.choice(level.kernel_sizes)
        stride = rng.choice(level.strides)
        padding = rng.choice(level.paddings)
        lo, hi = level.image_values
        image = [[rng.randint(lo, hi) for _ in range(cols)] for _ in range(rows)]
        klo, khi = level.kernel_values
        kernel = [[rng.randint(klo, khi) for _ in range(k)] for _ in range(k)]
        out = _informative(image, kernel, stride, padding, level)
        if out is None:
            rejections.again()
            continue
        out_rows, out_cols = output_size(rows, cols, k, stride, padding)
        ask_map = out_rows * out_cols <= level.max_map_cells and rng.random() < level.map_probability
        entry = None
        if ask_map:
            if not informative(out, _slip_maps(image, kernel, stride, padding)):  # the right map and every slip's map differ pairwise
                rejections.again()
                continue
        else:
            entry = _pick_entry(rng, image, kernel, stride, padding, out)
            if entry is None:
                rejections.again()
                continue
        return Params(tuple(map(tuple, image)), tuple(map(tuple, kernel)), stride, padding,
                      "map" if ask_map else "entry", entry)


def _informative(image: Grid, kernel: Grid, s: int, p: int, level: Level) -> Grid | None:
    """The output map when the layer is valid, the image not constant, the kernel one that flipping
    would change and the output not all 0; else None."""
    k = len(kernel)
    out_rows, out_cols = output_size(len(image), len(image[0]), k, s, p)
    if out_rows < 1 or out_cols < 1 or out_rows > level.max_out or out_cols > level.max_out:
        return None
    if p >= k:  # a window entirely in the padding would be pointless
        return None
    if len({v for row in image for v in row}) < 2:
        return None
    if kernel == [row[::-1] for row in kernel[::-1]]:
        return None
    out = correlate(image, kernel, s, p)
    return out if any(v != 0 for row in out for v in row) else None


def _pick_entry(rng: random.Random, image: Grid, kernel: Grid, s: int, p: int, out: Grid) -> tuple[int, int] | None:
    """An output position (in ``out``, the output map) whose window overlaps real pixels, whose value
    is not 0, and where every slip gives a value of its own, at least 3 away from the answer (so a
    flipped kernel is never marked right, and an answer one or two off is not taken for a slip)."""
    out_rows, out_cols = len(out), len(out[0])
    slip_maps = [grid for grid in _slip_maps(image, kernel, s, p) if grid is not None]
    candidates = [
        (r, c)
        for r in range(out_rows)
        for c in range(out_cols)
        if out[r][c] != 0
        and _window_overlaps_image(image, len(kernel), s, p, r, c)
        and informative(out[r][c], [grid[r][c] for grid in slip_maps if r < len(grid) and c < len(grid[0])], **ENTRY_SEPARATION)
    ]
    return rng.choice(candidates) if candidates else None


def _slip_maps(image: Rows, kernel: Rows, s: int, p: int) -> list[Grid | None]:
    """Each slip's whole output map (None where the slip does not apply), in MISTAKES order."""
    return [_map(slipped(image, kernel, s, p)) for slipped in _SLIPPED_LAYERS]


# For one asked entry, each slip's value is at least 3 from the answer and from the other slips: an answer
# one or two off is an arithmetic slip, not named as a catalogued one.
ENTRY_SEPARATION = {"abs_tol": 2}


def _window_overlaps_image(image: Rows, k: int, s: int, p: int, r: int, c: int) -> bool:
    rows, cols = len(image), len(image[0])
    top, left = r * s - p, c * s - p
    return top + k > 0 and top < rows and left + k > 0 and left < cols


def output_size(rows: int, cols: int, k: int, stride: int, padding: int) -> tuple[int, int]:
    """o = floor((i + 2p - k) / s) + 1 in each direction (CONVENTIONS.md, d = 1)."""
    return (rows + 2 * padding - k) // stride + 1, (cols + 2 * padding - k) // stride + 1


def pad(image: Rows, padding: int) -> Grid:
    cols = len(image[0]) + 2 * padding
    zero_rows = [[0] * cols for _ in range(padding)]
    middle = [[0] * padding + list(row) + [0] * padding for row in image]
    return [list(r) for r in zero_rows] + middle + [list(r) for r in zero_rows]


def correlate(image: Rows, kernel: Rows, s: int, p: int) -> Grid:
    """Cross-correlation of the zero-padded image with the (unflipped) kernel, with stride."""
    padded = pad(image, p)
    k = len(kernel)
    out_rows, out_cols = output_size(len(image), len(image[0]), k, s, p)
    result = []
    for r in range(out_rows):
        pairs = list(zip(padded[r * s : r * s + k], kernel))  # the window's rows with the kernel's (integers: any order of adding)
        result.append([sum([sum(map(mul, row[c * s : c * s + k], weights)) for row, weights in pairs]) for c in range(out_cols)])
    return result


def rotated(kernel: Rows) -> Grid:
    """The kernel rotated by 180 degrees: what a true convolution slides."""
    return [list(row[::-1]) for row in kernel[::-1]]


Layer = tuple[Rows, Rows, int, int]  # image, kernel, stride, padding


def _map(layer: Layer | None) -> Grid | None:
    """A layer's output map; None when there is no layer (a slip that does not apply) or no output."""
    if layer is None:
        return None
    image, kernel, s, p = layer
    out_rows, out_cols = output_size(len(image), len(image[0]), len(kernel), s, p)
    return correlate(image, kernel, s, p) if out_rows >= 1 and out_cols >= 1 else None


def _asked(layer: Layer | None, ask: Ask, entry: tuple[int, int] | None) -> int | Grid | None:
    """What the question asks for (the map or one entry) of a layer; None when ``_map`` gives none or the
    asked entry lies outside the map."""
    out = _map(layer)
    if out is None or ask != "entry" or entry is None:
        return out
    r, c = entry
    return out[r][c] if r < len(out) and c < len(out[0]) else None


# --------------------------------------------------------------------------- mistakes
# Each slip is the same computation with one parameter of it done wrong: the layer it computes instead
# (None when the slip does not apply).


def _flipped_layer(image: Rows, kernel: Rows, s: int, p: int) -> Layer | None:
    return image, rotated(kernel), s, p


def _unpadded_layer(image: Rows, kernel: Rows, s: int, p: int) -> Layer | None:
    return (image, kernel, s, 0) if p > 0 else None


def _dense_layer(image: Rows, kernel: Rows, s: int, p: int) -> Layer | None:
    return (image, kernel, 1, p) if s > 1 else None


_SLIPPED_LAYERS: tuple[Callable[[Rows, Rows, int, int], Layer | None], ...] = (_flipped_layer, _unpadded_layer, _dense_layer)


def _slip(slipped: Callable[[Rows, Rows, int, int], Layer | None]) -> Callable[[Params], int | Grid | None]:
    def answer(params: Params) -> int | Grid | None:
        return _asked(slipped(params.image, params.kernel, params.stride, params.padding), params.ask, params.entry)

    return answer


def _grid(rows: Rows) -> Grid:
    return [list(row) for row in rows]


def _corner(params: Params) -> str:
    return "padded cell" if params.padding else "input cell"


def _kernel_flipped_message(params: Params) -> str:
    where = f"out({params.entry[0]},{params.entry[1]})" if params.ask == "entry" and params.entry else "every output"
    return (
        f"you flipped the kernel (a true convolution): the layer cross-correlates, so {where} multiplies its "
        f"window by the kernel as given, {_grid(params.kernel)}, not by the kernel rotated by 180°, "
        f"{rotated(params.kernel)}"
    )


def _padding_forgotten_message(params: Params) -> str:
    rows, cols, k = len(params.image), len(params.image[0]), len(params.kernel)
    s, p = params.stride, params.padding
    out_rows, out_cols = output_size(rows, cols, k, s, p)
    return (
        f"you left out the zero padding: with p = {p} the {rows}x{cols} input is padded to "
        f"{rows + 2 * p}x{cols + 2 * p} first, so the output is {out_rows}x{out_cols} "
        f"(floor(({rows} + 2·{p} − {k})/{s}) + 1 = {out_rows} rows) and out(r, c) starts at padded cell ({s}r, {s}c)"
    )


def _stride_ignored_message(params: Params) -> str:
    s = params.stride
    if params.ask == "entry" and params.entry:
        r, c = params.entry
        return (
            f"you ignored the stride: with s = {s}, out({r},{c}) uses the window whose top-left corner is "
            f"{_corner(params)} ({s}·{r}, {s}·{c}) = ({s * r}, {s * c}), not ({r}, {c})"
        )
    rows, k, p = len(params.image), len(params.kernel), params.padding
    out_rows = output_size(rows, rows, k, s, p)[0]
    return (
        f"you ignored the stride: with s = {s} the windows start every {s} pixels, so the output has "
        f"floor(({rows} + 2·{p} − {k})/{s}) + 1 = {out_rows} rows, not {rows + 2 * p - k + 1}"
    )


MISTAKES = (
    Mistake("kernel-flipped", _slip(_flipped_layer), _kernel_flipped_message),
    Mistake("padding-forgotten", _slip(_unpadded_layer), _padding_forgotten_message),
    Mistake("stride-ignored", _slip(_dense_layer), _stride_ignored_message),
)


def _products(padded: Grid, kernel: Rows, top: int, left: int) -> str:
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


def solve(params: Params) -> Solution:
    image, kernel, s, p = params.image, params.kernel, params.stride, params.padding
    k = len(kernel)
    rows, cols = len(image), len(image[0])
    out = correlate(image, kernel, s, p)
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
    positions = [params.entry] if params.ask == "entry" and params.entry else [
        (r, c) for r in range(out_rows) for c in range(out_cols)
    ]
    lines = [
        f"out({r},{c}) = {_products(padded, kernel, r * s, c * s)} = {out[r][c]}" for r, c in positions
    ]
    steps.append("\n".join(lines))
    if params.ask == "entry" and params.entry:
        r, c = params.entry
        return Solution(answer=out[r][c], steps=steps, kind="integer")
    steps.append("Output feature map:\n" + format_grid(out))
    return Solution(answer=out, steps=steps, kind="matrix")


def question_fields(params: Params) -> dict[str, str]:
    image, kernel = params.image, params.kernel
    k = len(kernel)
    fields = {
        "variant": params.ask,
        "shape": f"{len(image)}x{len(image[0])}" + (
            "" if len(image) == len(image[0]) else f" ({len(image)} rows, {len(image[0])} columns)"
        ),
        "image": format_grid(image),
        "kernel": format_grid(kernel),
        "k": str(k),
        "stride": str(params.stride),
        "padding": str(params.padding),
        "padding_words": (
            "no padding"
            if params.padding == 0
            else f"zero padding of {_plural(params.padding, 'pixel')} on every side"
        ),
    }
    if params.ask == "entry" and params.entry:
        fields["row"], fields["col"] = str(params.entry[0]), str(params.entry[1])
    return fields


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    from mli_drill.problems.families.base import Grid

    return [Grid.of("image", params.image), Grid.of("kernel", params.kernel)]
