"""The output of a small transposed convolution, worked by zero insertion and padding.

torch semantics (``conv_transpose2d``, one channel, no bias, no dilation, no
output padding): each input value stamps a scaled copy of the kernel at stride
s, and p rows/columns are cut from every side. The worked solution uses the
equivalent method of the course notes: insert s − 1 zeros between input
values, pad with k − 1 − p zeros on every side, and cross-correlate (stride 1)
with the kernel flipped by 180°. Output size ``o = (i − 1)s − 2p + k``.

Params (JSON), typed as :class:`Params`::

    {"input": [[int]] (n x n), "kernel": [[int]] (k x k), "stride": int, "padding": int,
     "ask": "map" | "entry", "row": int, "col": int}     # row/col only when ask == "entry"

``padding`` must be at most k − 1 so the zero-insertion picture applies. ``row`` and
``col`` are left out of the JSON of a map question (see
:func:`~mli_drill.problems.families.base.optional`).

The catalogued slips (``MISTAKES``) are steps of the zero-insertion method done
wrong: the kernel not flipped, the padding p ignored, no zeros inserted, and
the map padded by p instead of k − 1 − p. The sampler only asks about a map or
an entry where each slip that applies gives a value of its own, so a student
who forgets the flip is never marked right.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from operator import mul
from typing import Callable, Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import format_grid, informative

Grid = list[list[int]]
Square = tuple[tuple[int, ...], ...]
Ask = Literal["map", "entry"]


@dataclass(frozen=True)
class Params:
    input: Square  # n x n
    kernel: Square  # k x k
    stride: int
    padding: int  # torch's p, at most k - 1
    ask: Ask
    row: int | None = optional()  # the asked entry, 0-based (ask "entry" only)
    col: int | None = optional()

    def __post_init__(self) -> None:
        for name in ("input", "kernel"):
            grid = getattr(self, name)
            require(bool(grid) and all(len(row) == len(grid) for row in grid), name, "must be a non-empty square grid of integers")
        k = len(self.kernel)
        require(self.stride >= 1, "stride", f"must be at least 1, got {self.stride}")
        require(0 <= self.padding <= k - 1, "padding", f"must be in 0..k-1 = 0..{k - 1}, got {self.padding}")
        o = output_size(len(self.input), k, self.stride, self.padding)
        require(o >= 1, "", "the output would be empty")
        for name in ("row", "col"):
            value = getattr(self, name)
            if self.ask == "entry":
                require(value is not None, name, "must be given when ask is 'entry'")
                require(value is not None and 0 <= value < o, name, f"must be in 0..{o - 1}, got {value}")
            else:
                require(value is None, name, "only applies when ask is 'entry'")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    input_sizes: tuple[int, ...] = (2,)  # choices of the input's side n
    kernel_sizes: tuple[int, ...] = (2,)  # choices of the kernel's side k
    strides: tuple[int, ...] = (1, 2)
    paddings: tuple[int, ...] = (0,)  # choices of p (only those <= k - 1 are drawn)
    values: tuple[int, int] = (0, 3)  # [min, max] of the input integers
    kernel_values: tuple[int, int] = (-1, 2)  # [min, max] of the kernel integers
    entry_probability: float = 0.5  # chance of asking for one entry (an integer) instead of the whole map
    max_output: int = 8  # largest output side accepted

    def __post_init__(self) -> None:
        for name in ("input_sizes", "kernel_sizes", "strides"):
            choices = getattr(self, name)
            require(bool(choices) and min(choices) >= 1, name, "must be a non-empty list of integers >= 1")
        require(bool(self.paddings) and min(self.paddings) >= 0, "paddings", "must be a non-empty list of integers >= 0")
        require(all(min(self.paddings) <= k - 1 for k in self.kernel_sizes), "paddings", "must offer a padding <= k - 1 for every kernel size")
        for name in ("values", "kernel_values"):
            low, high = getattr(self, name)
            require(low <= high, name, "must be [min, max] with min <= max")
        require(0 <= self.entry_probability <= 1, "entry_probability", "must be between 0 and 1")
        require(self.max_output >= 2, "max_output", f"must be at least 2, got {self.max_output}")


def output_size(n: int, k: int, s: int, p: int) -> int:
    return (n - 1) * s - 2 * p + k


def zero_insert_and_pad(image: Sequence[Sequence[int]], s: int, border: int) -> Grid:
    """s − 1 zeros between neighbouring values, then ``border`` zeros around."""
    n = len(image)
    side = (n - 1) * s + 1 + 2 * border
    grid = [[0] * side for _ in range(side)]
    for r in range(n):
        for c in range(n):
            grid[border + r * s][border + c * s] = image[r][c]
    return grid


def flipped(kernel: Sequence[Sequence[int]]) -> Grid:
    return [list(row[::-1]) for row in kernel[::-1]]


def correlate(grid: Grid, kernel: Sequence[Sequence[int]]) -> Grid:
    """Stride-1 cross-correlation ('valid'); empty when the kernel does not fit."""
    k = len(kernel)
    side = max(len(grid) - k + 1, 0)
    result = []
    for r in range(side):
        pairs = list(zip(grid[r : r + k], kernel))  # the window's rows with the kernel's (integers: any order of adding)
        result.append([sum([sum(map(mul, row[c : c + k], weights)) for row, weights in pairs]) for c in range(side)])
    return result


def transposed_conv(image: Sequence[Sequence[int]], kernel: Sequence[Sequence[int]], s: int, p: int, *, flip: bool = True, border: int | None = None) -> Grid:
    """The output map by zero insertion: pad ``border`` (k − 1 − p unless given) zeros around and
    cross-correlate with the kernel, flipped unless ``flip`` is False (the slips use both knobs)."""
    k = len(kernel)
    border = k - 1 - p if border is None else border
    weights = flipped(kernel) if flip else kernel
    # The same sums as correlate(zero_insert_and_pad(image, s, border), weights), added by scattering
    # each input value (at border + i·s, border + j·s in the padded map) rather than sliding over the
    # zeros: integers, so the order of adding does not matter, and the sampler needs several per draw.
    side = max((len(image) - 1) * s + 1 + 2 * border - k + 1, 0)
    out = [[0] * side for _ in range(side)]
    for i, row in enumerate(image):
        for j, value in enumerate(row):
            if value == 0:
                continue
            top, left = border + i * s, border + j * s
            for a, kernel_row in enumerate(weights):
                if 0 <= top - a < side:
                    target = out[top - a]
                    for b, weight in enumerate(kernel_row):
                        if 0 <= left - b < side:
                            target[left - b] += value * weight
    return out


def _asked(params: Params, out: Grid) -> Grid | int | None:
    """The map, or the asked entry of it (None when the map is empty or the entry lies outside it)."""
    if not out or not out[0]:
        return None
    if params.row is None or params.col is None:  # ask "map"
        return out
    row, col = params.row, params.col
    return out[row][col] if row < len(out) and col < len(out) else None


# --------------------------------------------------------------------------- mistakes

# Each slip's whole output map (None when the slip does not apply), from the input, kernel, stride and padding:
# the sampler judges a draw by these maps before it makes it an instance.
SlipMap = Callable[[Square, Square, int, int], Grid | None]


def _not_flipped_map(image: Square, kernel: Square, s: int, p: int) -> Grid | None:
    return transposed_conv(image, kernel, s, p, flip=False)


def _padding_ignored_map(image: Square, kernel: Square, s: int, p: int) -> Grid | None:
    return None if p == 0 else transposed_conv(image, kernel, s, 0)


def _zeros_not_inserted_map(image: Square, kernel: Square, s: int, p: int) -> Grid | None:
    return None if s == 1 else transposed_conv(image, kernel, 1, p)


def _padded_by_p_map(image: Square, kernel: Square, s: int, p: int) -> Grid | None:
    k = len(kernel)
    if p in (k - 1 - p, k - 1):
        return None  # padding p is then right, or the same as ignoring p (padding-ignored names that)
    return transposed_conv(image, kernel, s, p, border=p)


def _slip(map_of: SlipMap) -> Callable[[Params], Grid | int | None]:
    def answer(params: Params) -> Grid | int | None:
        out = map_of(params.input, params.kernel, params.stride, params.padding)
        return None if out is None else _asked(params, out)

    return answer


def _not_flipped_message(params: Params) -> str:
    return (
        f"you did not flip the kernel: the zero-inserted, padded map is cross-correlated with W rotated by 180°, "
        f"{flipped(params.kernel)}, not with W = {[list(row) for row in params.kernel]} (only the scatter view stamps W unflipped)"
    )


def _sizes(params: Params) -> tuple[int, int, int, int, int]:
    n, k, s, p = len(params.input), len(params.kernel), params.stride, params.padding
    return n, k, s, p, output_size(n, k, s, p)


def _padding_ignored_message(params: Params) -> str:
    n, k, s, p, o = _sizes(params)
    return (
        f"you ignored the padding: torch's p = {p} cuts {p} from every side of the full "
        f"{o + 2 * p}x{o + 2 * p} result (pad k − 1 − p = {k - 1 - p} zeros, not k − 1 = {k - 1}), leaving "
        f"(i − 1)·s − 2p + k = ({n} − 1)·{s} − 2·{p} + {k} = {o}"
    )


def _zeros_not_inserted_message(params: Params) -> str:
    n, k, s, p, o = _sizes(params)
    zeros = f"{s - 1} zero{'s' if s != 2 else ''}"
    return (
        f"you did not insert zeros between the input values: with s = {s}, {zeros} go between neighbours, so the "
        f"{n}x{n} input spreads to {(n - 1) * s + 1}x{(n - 1) * s + 1} before padding and the output is "
        f"({n} − 1)·{s} − 2·{p} + {k} = {o} wide"
    )


def _padded_by_p_message(params: Params) -> str:
    _, k, _, p, _ = _sizes(params)
    return (
        f"you padded the zero-inserted map with p = {p} zero{'s' if p != 1 else ''}: the transposed convolution "
        f"pads k − 1 − p = {k} − 1 − {p} = {k - 1 - p} on every side (torch's p crops the output instead)"
    )


MISTAKES = (
    Mistake("kernel-not-flipped", _slip(_not_flipped_map), _not_flipped_message),
    Mistake("padding-ignored", _slip(_padding_ignored_map), _padding_ignored_message),
    Mistake("zeros-not-inserted", _slip(_zeros_not_inserted_map), _zeros_not_inserted_message),
    Mistake("padded-by-p", _slip(_padded_by_p_map), _padded_by_p_message),
)
_SLIP_MAPS = (_not_flipped_map, _padding_ignored_map, _zeros_not_inserted_map, _padded_by_p_map)  # in MISTAKES order


# For one asked entry, each slip's value is at least 3 from the answer and from the other slips: an answer
# one or two off is an arithmetic slip, not named as a catalogued one.
ENTRY_SEPARATION = {"abs_tol": 2}


def _factor(value: int) -> str:
    return f"({value})" if value < 0 else str(value)


def _entry_working(padded: Grid, kernel_flipped: Grid, row: int, col: int) -> str:
    k = len(kernel_flipped)
    window = [padded[row + a][col: col + k] for a in range(k)]
    terms = [(window[a][b], kernel_flipped[a][b]) for a in range(k) for b in range(k)
             if window[a][b] != 0 and kernel_flipped[a][b] != 0]
    value = sum(x * w for x, w in terms)
    if not terms:
        products = "every product has a zero factor, so 0"
    else:
        products = " + ".join(f"{_factor(x)}·{_factor(w)}" for x, w in terms) + f" = {value}"
    return (f"Entry (row {row}, col {col}): the {k}x{k} window of the padded map starting there,\n"
            f"{format_grid(window)}\n"
            f"times the flipped kernel, summed (non-zero products only): {products}.")


def solve(params: Params) -> Solution:
    image, kernel, s, p = params.input, params.kernel, params.stride, params.padding
    n, k = len(image), len(kernel)
    border = k - 1 - p
    padded = zero_insert_and_pad(image, s, border)
    kernel_flipped = flipped(kernel)
    out = correlate(padded, kernel_flipped)
    o = len(out)
    steps = [
        f"Output size: o = (i − 1)·s − 2p + k = ({n} − 1)·{s} − 2·{p} + {k} = {o}.",
        f"Insert s − 1 = {s - 1} zero{'s' if s != 2 else ''} between neighbouring input values and pad "
        f"k − 1 − p = {k} − 1 − {p} = {border} zero{'s' if border != 1 else ''} on every side "
        f"({len(padded)} x {len(padded)}):\n{format_grid(padded)}",
        f"Flip the kernel by 180°:\n{format_grid(kernel_flipped)}",
        f"Slide the flipped kernel over the padded map with stride 1 (cross-correlation); each output value is the "
        f"sum of the element-wise products. Output ({o} x {o}):\n{format_grid(out)}",
        "(Equivalently: every input value x[i][j] adds x[i][j]·W into the output at offset (i·s − p, j·s − p), "
        "unflipped; what falls outside the output is cut off.)",
    ]
    if params.row is not None and params.col is not None:  # ask "entry"
        row, col = params.row, params.col
        steps.insert(4, _entry_working(padded, kernel_flipped, row, col))
        return Solution(answer=out[row][col], steps=steps, kind="integer")
    return Solution(answer=out, steps=steps, kind="matrix")


def question_fields(params: Params) -> dict[str, str]:
    image, kernel, s, p = params.input, params.kernel, params.stride, params.padding
    if params.ask == "entry":
        task = (f"What is the output value at row {params.row}, column {params.col} "
                "(0-based, row 0 at the top, column 0 at the left)?")
    else:
        task = "Give the whole output map."
    return {"variant": params.ask, "input": format_grid(image), "kernel": format_grid(kernel),
            "stride": str(s), "padding": str(p), "task": task, "n": str(len(image)), "k": str(len(kernel))}


def _contributions(n: int, k: int, s: int, p: int, o: int) -> list[list[int]]:
    """For each output cell, how many (input, kernel) position pairs land on it: overlap makes an entry worth asking."""
    along = [0] * o
    for i in range(n):
        for a in range(k):
            if 0 <= i * s + a - p < o:
                along[i * s + a - p] += 1
    return [[along[row] * along[col] for col in range(o)] for row in range(o)]


def sample(rng: random.Random, level: Level) -> Params:
    low, high = level.values
    klow, khigh = level.kernel_values
    # decided once, so that redrawing an instance whose entries are all uninformative keeps the level's share
    ask: Ask = "entry" if rng.random() < level.entry_probability else "map"
    rejections = Rejections()
    while True:
        n = rng.choice(level.input_sizes)
        k = rng.choice(level.kernel_sizes)
        s = rng.choice(level.strides)
        p = rng.choice([q for q in level.paddings if q <= k - 1])
        o = output_size(n, k, s, p)
        image = tuple(tuple(rng.randint(low, high) for _ in range(n)) for _ in range(n))
        kernel = tuple(tuple(rng.randint(klow, khigh) for _ in range(k)) for _ in range(k))
        if o < 2 or o > level.max_output or not any(any(row) for row in image) \
                or not any(any(row) for row in kernel):
            rejections.again()
            continue
        out = transposed_conv(image, kernel, s, p)
        if all(v == 0 for row in out for v in row):
            rejections.again()
            continue
        slip_maps = [grid for map_of in _SLIP_MAPS if (grid := map_of(image, kernel, s, p)) is not None and grid and grid[0]]
        if ask == "map":
            if not informative(out, slip_maps):
                rejections.again()  # e.g. a kernel symmetric under 180°: forgetting the flip changes nothing
                continue
            return Params(image, kernel, s, p, ask)
        cells = [(r, c) for r in range(o) for c in range(o)]
        contributions = _contributions(n, k, s, p, o)
        best = max(map(max, contributions))
        # ask about a cell where kernel copies overlap (if any do), the value is not 0, and every slip
        # that applies gives a value of its own there, at least 3 away from the answer
        wanted = [(r, c) for r, c in cells
                  if contributions[r][c] >= min(2, best) and out[r][c] != 0
                  and informative(out[r][c], [g[r][c] for g in slip_maps if r < len(g) and c < len(g)],
                                  **ENTRY_SEPARATION)]
        if not wanted:
            rejections.again()
            continue
        row, col = rng.choice(wanted)
        return Params(image, kernel, s, p, ask, row, col)


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    from mli_drill.problems.families.base import Grid

    return [Grid.of("image", params.input), Grid.of("kernel", params.kernel)]
