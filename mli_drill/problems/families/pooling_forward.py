"""Forward pass of max pooling and average pooling, by hand.

Drills which pixels each pooling window covers (kernel k, stride s, no
padding, windows that would run past the edge are dropped, as in torch's
default floor mode) and what the window reduces to.

Params (JSON form), typed as :class:`Params`:
    image    list[list[int]]  input map, rows of equal length
    kernel   int >= 1         window size k (k x k)
    stride   int >= 1
    mode     "max" | "average"
    ask      "map" | "entry"  (absent: "map")
    entry    [row, col]       0-based output position (only when ask == "entry"; absent otherwise)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal, Sequence

from mli_drill.problems.families.base import Grid, Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import fmt, format_grid, plain_number

Image = Sequence[Sequence[int]]
Mode = Literal["max", "average"]
Ask = Literal["map", "entry"]


@dataclass(frozen=True)
class Params:
    image: tuple[tuple[int, ...], ...]  # the input map, rows of equal length
    kernel: int  # window size k (k x k)
    stride: int
    mode: Mode
    ask: Ask = "map"  # the whole pooled map, or one entry of it
    entry: tuple[int, int] | None = optional()  # 0-based output position [row, col], only when ask is entry

    def __post_init__(self) -> None:
        image = self.image
        require(len(image) > 0 and len(image[0]) > 0, "image", "must be a non-empty grid of integers")
        require(all(len(row) == len(image[0]) for row in image), "image", "must have rows of equal length")
        require(self.kernel >= 1, "kernel", f"must be at least 1, got {self.kernel}")
        require(self.stride >= 1, "stride", f"must be at least 1, got {self.stride}")
        out_rows, out_cols = output_size(len(image), len(image[0]), self.kernel, self.stride)
        require(out_rows >= 1 and out_cols >= 1, "kernel",
                f"a {self.kernel}x{self.kernel} window does not fit the {len(image)}x{len(image[0])} input")
        if self.ask != "entry":
            require(self.entry is None, "entry", "is only given when ask is 'entry'")
            return
        require(self.entry is not None, "entry", "ask 'entry' needs the [row, col] of one output entry")
        r, c = self.entry or (0, 0)
        require(0 <= r < out_rows and 0 <= c < out_cols, "entry",
                f"must be [row, col] inside the {out_rows}x{out_cols} output (0-based), got [{r}, {c}]")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    image_size: tuple[int, int] = (4, 4)  # [min, max] rows (and columns)
    rectangular: bool = False  # draw the columns separately from the rows
    kernels: tuple[int, ...] = (2,)  # choices of the window size k
    stride_equals_kernel: float = 1.0  # chance that the stride is k; otherwise it is drawn from strides
    strides: tuple[int, ...] = (2,)
    image_values: tuple[int, int] = (0, 9)  # [low, high] integer pixel values
    modes: tuple[Mode, ...] = ("max", "average")
    max_map_cells: int = 4  # larger pooled maps ask for one entry instead of the whole map
    map_probability: float = 0.5  # chance of asking for the whole map when it is small enough
    max_out: int = 8  # largest output side accepted

    def __post_init__(self) -> None:
        require(1 <= self.image_size[0] <= self.image_size[1], "image_size", "must be [min, max] with 1 <= min <= max")
        require(bool(self.kernels) and min(self.kernels) >= 1, "kernels", "must be a non-empty list of integers >= 1")
        require(min(self.kernels) <= self.image_size[1], "kernels", "must hold a window that fits the largest map")
        require(bool(self.strides) and min(self.strides) >= 1, "strides", "must be a non-empty list of integers >= 1")
        require(0 <= self.stride_equals_kernel <= 1, "stride_equals_kernel", "must be between 0 and 1")
        require(self.image_values[0] < self.image_values[1], "image_values", "must be [low, high] with low < high")
        require(bool(self.modes), "modes", "must be a non-empty list")
        require(0 <= self.map_probability <= 1, "map_probability", "must be between 0 and 1")
        require(self.max_map_cells >= 0, "max_map_cells", "must be at least 0")
        require(self.max_out >= 1, "max_out", "must be at least 1")


def sample(rng: random.Random, level: Level) -> Params:
    """Draw a map and a pooling layer; resample until every window is informative."""
    rejections = Rejections()
    while True:
        lo, hi = level.image_size
        rows = rng.randint(lo, hi)
        cols = rng.randint(lo, hi) if level.rectangular else rows
        kernel = rng.choice(level.kernels)
        stride = kernel if rng.random() < level.stride_equals_kernel else rng.choice(level.strides)
        vlo, vhi = level.image_values
        image = tuple(tuple([rng.randint(vlo, vhi) for _ in range(cols)]) for _ in range(rows))
        mode = rng.choice(level.modes)
        if not _informative(image, kernel, stride, level):
            rejections.again()
            continue
        out_rows, out_cols = output_size(rows, cols, kernel, stride)
        if out_rows * out_cols > level.max_map_cells or rng.random() >= level.map_probability:
            return Params(image, kernel, stride, mode, "entry", (rng.randrange(out_rows), rng.randrange(out_cols)))
        return Params(image, kernel, stride, mode)


def _informative(image: Image, k: int, s: int, level: Level) -> bool:
    """Output size at least 1x1 and no window whose pixels are all equal (nothing to decide)."""
    out_rows, out_cols = output_size(len(image), len(image[0]), k, s)
    if out_rows < 1 or out_cols < 1 or max(out_rows, out_cols) > level.max_out:
        return False
    return all(
        len(set(window(image, k, s, r, c))) > 1 for r in range(out_rows) for c in range(out_cols)
    )


def output_size(rows: int, cols: int, kernel: int, stride: int) -> tuple[int, int]:
    """o = floor((i - k) / s) + 1 (CONVENTIONS.md with p = 0, d = 1)."""
    return (rows - kernel) // stride + 1, (cols - kernel) // stride + 1


def window(image: Image, kernel: int, stride: int, r: int, c: int) -> list[int]:
    """The pixels of output (r, c)'s window, row by row."""
    return [image[r * stride + i][c * stride + j] for i in range(kernel) for j in range(kernel)]


def pool(params: Params) -> list[list[Fraction]]:
    """The pooled map as exact fractions (max values are whole numbers)."""
    image, k, s = params.image, params.kernel, params.stride
    out_rows, out_cols = output_size(len(image), len(image[0]), k, s)
    reduce = max if params.mode == "max" else (lambda values: Fraction(sum(values), len(values)))
    return [[Fraction(reduce(window(image, k, s, r, c))) for c in range(out_cols)] for r in range(out_rows)]



def _window_line(params: Params, out: list[list[Fraction]], r: int, c: int) -> str:
    k, s = params.kernel, params.stride
    values = window(params.image, k, s, r, c)
    where = f"rows {r * s}-{r * s + k - 1}, cols {c * s}-{c * s + k - 1}"
    listed = ", ".join(str(v) for v in values)
    if params.mode == "max":
        return f"out({r},{c}): window {where} = {{{listed}}} -> max = {out[r][c]}"
    return (
        f"out({r},{c}): window {where} = {{{listed}}} -> ({' + '.join(_signed(v) for v in values)}) / {k * k}"
        f" = {_mean_text(sum(values), k * k)}"
    )


def _mean_text(total: int, count: int) -> str:
    """``21/9 = 7/3 ≈ 2.3333`` or ``19/4 = 4.75``: the division as written, reduced, then decimal."""
    value = Fraction(total, count)
    text = f"{total}/{count}"
    if value.denominator == 1:
        return f"{text} = {value.numerator}"
    if value.denominator != count:
        text += f" = {value}"
    decimal = fmt(float(value))
    return f"{text} {'=' if Fraction(decimal) == value else '≈'} {decimal}"


def _last(count: int, word: str) -> str:
    return f"the last {word}" if count == 1 else f"the last {count} {word}s"


def _signed(value: int) -> str:
    return f"({value})" if value < 0 else str(value)


def solve(params: Params) -> Solution:
    image, k, s = params.image, params.kernel, params.stride
    rows, cols = len(image), len(image[0])
    out = pool(params)
    out_rows, out_cols = len(out), len(out[0])
    leftover = []
    if (rows - k) % s:
        leftover.append(_last((rows - k) % s, "row"))
    if (cols - k) % s:
        leftover.append(_last((cols - k) % s, "column"))
    steps = [
        f"Output size: floor(({rows} - {k}) / {s}) + 1 = {out_rows} by floor(({cols} - {k}) / {s}) + 1 = {out_cols}"
        + (f"; {' and '.join(leftover)} fit no complete window and are ignored." if leftover else "."),
        f"Output (r, c) pools the {k}x{k} window starting at input row {s}*r, column {s}*c (0-based).",
    ]
    positions = (
        [params.entry]
        if params.entry is not None
        else [(r, c) for r in range(out_rows) for c in range(out_cols)]
    )
    steps.append("\n".join(_window_line(params, out, r, c) for r, c in positions))
    if params.entry is not None:
        r, c = params.entry
        value = out[r][c]
        kind = "integer" if params.mode == "max" else "real"
        display = str(value) if value.denominator == 1 else _mean_text(value.numerator, value.denominator)
        return Solution(answer=plain_number(value), steps=steps, kind=kind, display=display)
    steps.append(f"{params.mode.capitalize()}-pooled map:\n" + format_grid([[fmt(float(v)) for v in row] for row in out]))
    return Solution(answer=[[plain_number(v) for v in row] for row in out], steps=steps, kind="matrix")


def question_fields(params: Params) -> dict[str, str]:
    image = params.image
    fields = {
        "variant": params.ask,
        "shape": f"{len(image)}x{len(image[0])}"
        + ("" if len(image) == len(image[0]) else f" ({len(image)} rows, {len(image[0])} columns)"),
        "image": format_grid(image),
        "k": str(params.kernel),
        "stride": str(params.stride),
        "mode": params.mode,
    }
    if params.entry is not None:
        fields["row"], fields["col"] = str(params.entry[0]), str(params.entry[1])
    return fields


# --------------------------------------------------------------------------- mistakes


def _asked(params: Params, grid: list[list[Fraction]], entry: tuple[int, int] | None = None) -> object:
    """The asked part of a (possibly wrong) pooled map, in the answer's own form."""
    if params.entry is None:
        return [[plain_number(v) for v in row] for row in grid]
    r, c = entry if entry is not None else params.entry
    if not (0 <= r < len(grid) and 0 <= c < len(grid[0])):
        return None
    return plain_number(grid[r][c])


def _other_mode(params: Params) -> object:
    return _asked(params, pool(replace(params, mode="average" if params.mode == "max" else "max")))


def _other_mode_message(params: Params) -> str:
    asked, other = params.mode, ("average" if params.mode == "max" else "max")
    return f"you took the {other} of each window: this layer is {asked} pooling"


def _ignores_stride(params: Params) -> object:
    if params.stride == 1:
        return None
    return _asked(params, pool(replace(params, stride=1)))


def _ignores_stride_message(params: Params) -> str:
    s, k = params.stride, params.kernel
    return (f"you slid the window one pixel at a time: with stride {s} output (r, c) pools the {k}x{k} window "
            f"starting at row {s}·r, column {s}·c")


def _entry_swapped(params: Params) -> object:
    if params.entry is None or params.entry[0] == params.entry[1]:
        return None
    r, c = params.entry
    return _asked(params, pool(params), (c, r))


def _entry_swapped_message(params: Params) -> str:
    r, c = params.entry or (0, 0)
    return f"you swapped row and column: entry ({r}, {c}) is row {r}, column {c}, not row {c}, column {r}"


MISTAKES = (
    Mistake("other-pooling-mode", _other_mode, _other_mode_message),
    Mistake("ignores-stride", _ignores_stride, _ignores_stride_message),
    Mistake("entry-swapped", _entry_swapped, _entry_swapped_message),
)


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list[Grid]:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    return [Grid.of("image", params.image)]
