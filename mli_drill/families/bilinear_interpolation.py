"""Bilinear interpolation of a small image at a non-integer (row, col).

Convention (CONVENTIONS.md, "Registration"): pixel centres sit at integer
(row, col) coordinates, so I(r, c) is the value stored at row r, column c and
a position between centres mixes its four neighbours with weights
``(1 - dr)(1 - dc), (1 - dr) dc, dr (1 - dc), dr dc``. This is what a
registration resampler (scipy's ``map_coordinates(order=1)``) computes.

Fractions keep the arithmetic exact: positions are multiples of 1/4 (1/8 at
hard), so the answer is a short terminating decimal.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from mli_drill.families.base import InvalidParams, Rejections, Solution
from mli_drill.families.common import fmt, format_grid

Image = list[list[int | Fraction]]  # a float pixel is kept as its exact Fraction


def sample(rng: random.Random, level: dict) -> dict:
    """An image of small integers and a position off the pixel grid.

    Every level keeps at least one coordinate fractional (``both_fractional``
    makes both), and the four neighbours are never all equal, so the answer
    is never just a stored pixel value.
    """
    lo, hi = level.get("size", [3, 3])
    value_lo, value_hi = level.get("values", [0, 9])
    step = int(level.get("step", 1))
    denominator = int(level.get("denominator", 4))
    both = bool(level.get("both_fractional", True))
    rejections = Rejections()
    while True:
        height, width = rng.randint(lo, hi), rng.randint(lo, hi)
        image = [[step * rng.randint(value_lo, value_hi) for _ in range(width)] for _ in range(height)]
        row = Fraction(rng.randint(0, (height - 1) * denominator), denominator)
        col = Fraction(rng.randint(0, (width - 1) * denominator), denominator)
        fractional = (row.denominator > 1) + (col.denominator > 1)
        if fractional < (2 if both else 1):
            rejections.again()
            continue
        (r0, r1, _), (c0, c1, _) = _bracket(row, height), _bracket(col, width)
        if len({image[r0][c0], image[r0][c1], image[r1][c0], image[r1][c1]}) == 1:
            rejections.again()
            continue
        return {"image": image, "row": _number(row), "col": _number(col)}


def _number(value: Fraction) -> int | float:
    """JSON-friendly: an int when whole, else the (exactly representable) float."""
    return value.numerator if value.denominator == 1 else float(value)


def _bracket(position: Fraction, size: int) -> tuple[int, int, Fraction]:
    """The two pixel indices around ``position`` and the fraction towards the second.

    A position exactly on the last row/column uses the last two pixels with
    fraction 1, so the formula needs no special case.
    """
    low = min(math.floor(position), size - 2)
    return low, low + 1, position - low


def solve(params: dict) -> Solution:
    image, row, col = _validated(params)
    height, width = len(image), len(image[0])
    r0, r1, dr = _bracket(row, height)
    c0, c1, dc = _bracket(col, width)
    q00, q01, q10, q11 = image[r0][c0], image[r0][c1], image[r1][c0], image[r1][c1]
    steps = [
        f"(row {_text(row)}, col {_text(col)}) lies between rows {r0} and {r1} and columns {c0} and {c1}: "
        f"dr = {_text(row)} - {r0} = {_text(dr)}, dc = {_text(col)} - {c0} = {_text(dc)}.",
        "The four neighbouring pixel centres:\n"
        + format_grid([["", f"col {c0}", f"col {c1}"], [f"row {r0}", q00, q01], [f"row {r1}", q10, q11]]),
    ]
    weights = [
        ((r0, c0), q00, (1 - dr) * (1 - dc), f"(1 - dr)(1 - dc) = {_text(1 - dr)}·{_text(1 - dc)}"),
        ((r0, c1), q01, (1 - dr) * dc, f"(1 - dr)·dc = {_text(1 - dr)}·{_text(dc)}"),
        ((r1, c0), q10, dr * (1 - dc), f"dr·(1 - dc) = {_text(dr)}·{_text(1 - dc)}"),
        ((r1, c1), q11, dr * dc, f"dr·dc = {_text(dr)}·{_text(dc)}"),
    ]
    lines = [f"I({r}, {c}) = {q}: weight {formula} = {_text(w)}" for (r, c), q, w, formula in weights]
    steps.append("Weights (they sum to 1):\n" + "\n".join(lines))
    value = sum(q * w for _, q, w, _ in weights)
    products = " + ".join(f"{_text(w)}·{q}" for _, q, w, _ in weights)
    steps.append(f"I({_text(row)}, {_text(col)}) = {products} = {_text(value)}")
    top = q00 + dc * (q01 - q00)
    bottom = q10 + dc * (q11 - q10)
    steps.append(
        "Check, one direction at a time: along row "
        f"{r0}: {q00} + {_text(dc)}·({q01} - {q00}) = {_text(top)}; along row {r1}: {q10} + {_text(dc)}·({q11} - {q10}) = "
        f"{_text(bottom)}; then between the rows: {_text(top)} + {_text(dr)}·({_text(bottom)} - {_text(top)}) = "
        f"{_text(top + dr * (bottom - top))}."
    )
    return Solution(answer=float(value), steps=steps, display=_text(value))


def _text(value: Fraction | int) -> str:
    """Exact decimal (these fractions terminate); a fraction only if it would not."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    while denominator % 2 == 0:
        denominator //= 2
    while denominator % 5 == 0:
        denominator //= 5
    if denominator == 1:
        return fmt(float(value), 8)
    return f"{value.numerator}/{value.denominator}"


def question_fields(params: dict) -> dict[str, str]:
    image, row, col = _validated(params)
    return {
        "height": str(len(image)),
        "width": str(len(image[0])),
        "image": format_grid(image),
        "row": _text(row),
        "col": _text(col),
    }


def _validated(params: dict) -> tuple[Image, Fraction, Fraction]:
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping with image, row and col")
    image = params.get("image")
    if not isinstance(image, list) or not image or not all(isinstance(r, list) and r for r in image):
        raise InvalidParams("image must be a non-empty list of non-empty rows")
    width = len(image[0])
    if any(len(r) != width for r in image):
        raise InvalidParams("image is not rectangular: all rows must have the same length")
    if len(image) < 2 or width < 2:
        raise InvalidParams("image must be at least 2x2 to interpolate between pixel centres")
    for r in image:
        for v in r:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InvalidParams(f"image values must be numbers, found {v!r}")
    clean = [[Fraction(v) if isinstance(v, float) else v for v in r] for r in image]
    row = _coordinate(params.get("row"), "row", len(image))
    col = _coordinate(params.get("col"), "col", width)
    return clean, row, col


def _coordinate(value: object, name: str, size: int) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidParams(f"{name} must be a number, not {value!r}")
    position = Fraction(value)
    if not 0 <= position <= size - 1:
        raise InvalidParams(f"{name} = {value} is outside the pixel centres 0..{size - 1}")
    return position
