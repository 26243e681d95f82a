"""Forward pass of max pooling and average pooling, by hand.

Drills which pixels each pooling window covers (kernel k, stride s, no
padding, windows that would run past the edge are dropped, as in torch's
default floor mode) and what the window reduces to.

Params (JSON form):
    image    list[list[int]]  input map, rows of equal length
    kernel   int >= 1         window size k (k x k)
    stride   int >= 1
    mode     "max" | "average"
    ask      "map" | "entry"
    entry    [row, col]       0-based output position (only when ask == "entry")
"""

from __future__ import annotations

import random
from fractions import Fraction

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import fmt, format_grid

Grid = list[list[int]]


def sample(rng: random.Random, level: dict) -> dict:
    """Draw a map and a pooling layer; resample until every window is informative."""
    rejections = Rejections()
    while True:
        lo, hi = level["image_size"]
        rows = rng.randint(lo, hi)
        cols = rng.randint(lo, hi) if level.get("rectangular", False) else rows
        kernel = rng.choice(level["kernels"])
        stride = kernel if rng.random() < level.get("stride_equals_kernel", 1.0) else rng.choice(level["strides"])
        vlo, vhi = level["image_values"]
        image = [[rng.randint(vlo, vhi) for _ in range(cols)] for _ in range(rows)]
        mode = rng.choice(level["modes"])
        params = {"image": image, "kernel": kernel, "stride": stride, "mode": mode, "ask": "map"}
        if not _informative(params, level):
            rejections.again()
            continue
        out_rows, out_cols = output_size(rows, cols, kernel, stride)
        if out_rows * out_cols > level["max_map_cells"] or rng.random() >= level.get("map_probability", 0.5):
            params["ask"] = "entry"
            params["entry"] = [rng.randrange(out_rows), rng.randrange(out_cols)]
        return params


def _informative(params: dict, level: dict) -> bool:
    """Output size at least 1x1 and no window whose pixels are all equal (nothing to decide)."""
    image, k, s = params["image"], params["kernel"], params["stride"]
    out_rows, out_cols = output_size(len(image), len(image[0]), k, s)
    if out_rows < 1 or out_cols < 1 or max(out_rows, out_cols) > level.get("max_out", 8):
        return False
    return all(
        len(set(window(image, k, s, r, c))) > 1 for r in range(out_rows) for c in range(out_cols)
    )


def output_size(rows: int, cols: int, kernel: int, stride: int) -> tuple[int, int]:
    """o = floor((i - k) / s) + 1 (CONVENTIONS.md with p = 0, d = 1)."""
    return (rows - kernel) // stride + 1, (cols - kernel) // stride + 1


def window(image: Grid, kernel: int, stride: int, r: int, c: int) -> list[int]:
    """The pixels of output (r, c)'s window, row by row."""
    return [image[r * stride + i][c * stride + j] for i in range(kernel) for j in range(kernel)]


def pool(params: dict) -> list[list[Fraction]]:
    """The pooled map as exact fractions (max values are whole numbers)."""
    image, k, s = params["image"], params["kernel"], params["stride"]
    out_rows, out_cols = output_size(len(image), len(image[0]), k, s)
    reduce = max if params["mode"] == "max" else (lambda values: Fraction(sum(values), len(values)))
    return [[Fraction(reduce(window(image, k, s, r, c))) for c in range(out_cols)] for r in range(out_rows)]


def _validate(params: dict) -> None:
    try:
        image, k, s, mode = params["image"], params["kernel"], params["stride"], params["mode"]
    except (KeyError, TypeError) as exc:
        raise InvalidParams(f"pooling-forward needs image, kernel, stride, mode: missing {exc}") from None
    if not (
        isinstance(image, list)
        and image
        and all(isinstance(row, list) and len(row) == len(image[0]) > 0 for row in image)
        and all(isinstance(v, int) and not isinstance(v, bool) for row in image for v in row)
    ):
        raise InvalidParams("image must be a non-empty rectangular grid of integers")
    for name, value in (("kernel", k), ("stride", s)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidParams(f"{name} must be an integer >= 1")
    if mode not in ("max", "average"):
        raise InvalidParams("mode must be 'max' or 'average'")
    out_rows, out_cols = output_size(len(image), len(image[0]), k, s)
    if out_rows < 1 or out_cols < 1:
        raise InvalidParams(f"a {k}x{k} window does not fit the {len(image)}x{len(image[0])} input")
    ask = params.get("ask", "map")
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


def _number(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)


def _window_line(params: dict, out: list[list[Fraction]], r: int, c: int) -> str:
    k, s = params["kernel"], params["stride"]
    values = window(params["image"], k, s, r, c)
    where = f"rows {r * s}-{r * s + k - 1}, cols {c * s}-{c * s + k - 1}"
    listed = ", ".join(str(v) for v in values)
    if params["mode"] == "max":
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


def solve(params: dict) -> Solution:
    _validate(params)
    image, k, s = params["image"], params["kernel"], params["stride"]
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
        [tuple(params["entry"])]
        if params.get("ask") == "entry"
        else [(r, c) for r in range(out_rows) for c in range(out_cols)]
    )
    steps.append("\n".join(_window_line(params, out, r, c) for r, c in positions))
    if params.get("ask") == "entry":
        r, c = params["entry"]
        value = out[r][c]
        kind = "integer" if params["mode"] == "max" else "real"
        display = str(value) if value.denominator == 1 else _mean_text(value.numerator, value.denominator)
        return Solution(answer=_number(value), steps=steps, kind=kind, display=display)
    steps.append(f"{params['mode'].capitalize()}-pooled map:\n" + format_grid([[fmt(float(v)) for v in row] for row in out]))
    return Solution(answer=[[_number(v) for v in row] for row in out], steps=steps, kind="matrix")


def question_fields(params: dict) -> dict[str, str]:
    image = params["image"]
    fields = {
        "variant": params.get("ask", "map"),
        "shape": f"{len(image)}x{len(image[0])}"
        + ("" if len(image) == len(image[0]) else f" ({len(image)} rows, {len(image[0])} columns)"),
        "image": format_grid(image),
        "k": str(params["kernel"]),
        "stride": str(params["stride"]),
        "mode": params["mode"],
    }
    if params.get("ask") == "entry":
        fields["row"], fields["col"] = str(params["entry"][0]), str(params["entry"][1])
    return fields


# --------------------------------------------------------------------------- mistakes


def _asked(params: dict, grid: list[list[Fraction]], entry: tuple[int, int] | None = None) -> object:
    """The asked part of a (possibly wrong) pooled map, in the answer's own form."""
    if params.get("ask") != "entry":
        return [[_number(v) for v in row] for row in grid]
    r, c = entry if entry is not None else params["entry"]
    if not (0 <= r < len(grid) and 0 <= c < len(grid[0])):
        return None
    return _number(grid[r][c])


def _other_mode(params: dict) -> object:
    _validate(params)
    other = "average" if params["mode"] == "max" else "max"
    return _asked(params, pool({**params, "mode": other}))


def _other_mode_message(params: dict) -> str:
    asked, other = params["mode"], ("average" if params["mode"] == "max" else "max")
    return f"you took the {other} of each window: this layer is {asked} pooling"


def _ignores_stride(params: dict) -> object:
    _validate(params)
    if params["stride"] == 1:
        return None
    return _asked(params, pool({**params, "stride": 1}))


def _ignores_stride_message(params: dict) -> str:
    s, k = params["stride"], params["kernel"]
    return (f"you slid the window one pixel at a time: with stride {s} output (r, c) pools the {k}x{k} window "
            f"starting at row {s}·r, column {s}·c")


def _entry_swapped(params: dict) -> object:
    _validate(params)
    if params.get("ask") != "entry" or params["entry"][0] == params["entry"][1]:
        return None
    r, c = params["entry"]
    return _asked(params, pool(params), (c, r))


def _entry_swapped_message(params: dict) -> str:
    r, c = params.get("entry", [0, 0])
    return f"you swapped row and column: entry ({r}, {c}) is row {r}, column {c}, not row {c}, column {r}"


MISTAKES = (
    Mistake("other-pooling-mode", _other_mode, _other_mode_message),
    Mistake("ignores-stride", _ignores_stride, _ignores_stride_message),
    Mistake("entry-swapped", _entry_swapped, _entry_swapped_message),
)


# --------------------------------------------------------------------------- pictures


def pictures(params: dict) -> list:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    from mli_drill.problems.families.base import Grid

    return [Grid.of("image", params["image"])]
