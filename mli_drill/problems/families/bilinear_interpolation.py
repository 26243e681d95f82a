"""Bilinear interpolation of a small image at a non-integer (row, col).

Convention (CONVENTIONS.md, "Registration"): pixel centres sit at integer
(row, col) coordinates, so I(r, c) is the value stored at row r, column c and
a position between centres mixes its four neighbours with weights
``(1 - dr)(1 - dc), (1 - dr) dc, dr (1 - dc), dr dc``. This is what a
registration resampler (scipy's ``map_coordinates(order=1)``) computes.

Fractions keep the arithmetic exact: positions are multiples of 1/4 (1/8 at
hard), so the answer is a short terminating decimal.

The catalogued slips (``MISTAKES``) are ``interpolate`` with one step done
wrong: row and column read the other way round, dr and dc exchanged in the
weights, or each pixel weighted by its distance instead of 1 − distance.

Params (JSON), typed as :class:`Params`::

    {"image": [[number, ...], ...], "row": number, "col": number}
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any, Sequence, cast

from mli_drill.problems.families.base import FieldError, Grid, Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import fmt, format_grid, informative, plain_number, prefer_informative

Image = Sequence[Sequence[int | Fraction]]  # exact pixels: a float pixel is kept as its exact Fraction


@dataclass(frozen=True)
class Params:
    image: tuple[tuple[float, ...], ...]  # rows of pixel values; pixel centres at integer (row, col)
    row: float  # the position, counted down from the top row (0) ...
    col: float  # ... and across from the left column (0)

    def __post_init__(self) -> None:
        image = self.image
        require(bool(image) and all(image), "image", "must be a non-empty list of non-empty rows")
        width = len(image[0])
        require(all(len(r) == width for r in image), "image", "is not rectangular: all rows must have the same length")
        require(len(image) >= 2 and width >= 2, "image", "must be at least 2x2 to interpolate between pixel centres")
        if not all(all(map(math.isfinite, r)) for r in image):
            bad = next(v for r in image for v in r if not math.isfinite(v))
            raise FieldError("image", f"values must be finite numbers, found {bad}")
        for name, size in (("row", len(image)), ("col", width)):
            value = getattr(self, name)
            require(math.isfinite(value) and 0 <= value <= size - 1, name, f"{value} is outside the pixel centres 0..{size - 1}")

    @cached_property
    def exact(self) -> tuple[Image, Fraction, Fraction]:
        """The image with whole values as ints and the others as exact Fractions, and row and col as Fractions."""
        image = self.image
        whole = all(type(v) is int for r in image for v in r)  # as drawn
        pixels = cast(Image, image) if whole else tuple(tuple(_exact(v) for v in r) for r in image)
        return pixels, Fraction(self.row), Fraction(self.col)


def _exact(value: float) -> int | Fraction:
    """A pixel value for exact arithmetic (a whole number read from JSON as a float is shown as the int)."""
    return value if type(value) is int else int(value) if value.is_integer() else Fraction(value)


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    size: tuple[int, int] = (3, 3)  # [min, max] height and width
    values: tuple[int, int] = (0, 9)  # [min, max] drawn integers, times step
    step: int = 1  # the pixel values are multiples of step
    denominator: int = 4  # positions are multiples of 1/denominator
    both_fractional: bool = True  # row and col both off the grid (else at least one)

    def __post_init__(self) -> None:
        require(2 <= self.size[0] <= self.size[1], "size", "must be [min, max] with 2 <= min <= max")
        require(self.values[0] < self.values[1], "values", "must be [min, max] with min < max")
        require(self.step >= 1, "step", "must be at least 1")
        require(self.denominator >= 2, "denominator", "must be at least 2 (a position off the pixel grid)")


def sample(rng: random.Random, level: Level) -> Params:
    """An image of small integers and a position off the pixel grid.

    Every level keeps at least one coordinate fractional (``both_fractional``
    makes both), and the four neighbours are never all equal, so the answer
    is never just a stored pixel value. Draws where swapping row and column
    changes the answer, and each catalogued slip that applies gives a value
    apart from the answer and from the other slips, are preferred.
    """
    return prefer_informative(lambda: _draw(rng, level), _informative)


def _draw(rng: random.Random, level: Level) -> Params:
    lo, hi = level.size
    value_lo, value_hi = level.values
    step, denominator, both = level.step, level.denominator, level.both_fractional
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
        return Params(tuple(map(tuple, image)), plain_number(row), plain_number(col))


# Twice the answer tolerance of problems/bilinear-interpolation.yaml: values closer than this could
# both be "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.01}


def _informative(params: Params) -> bool:
    """Swapping x and y changes the answer (by one slip or the other), and each slip that applies is
    told apart from the answer and the other slips."""
    image, row, col = params.exact
    slips = [slip(image, row, col) for slip in (_row_col_swapped_at, _fractions_swapped_at, _distance_weights_at)]
    if slips[0] is None and slips[1] is None:
        return False  # a point on the cell's diagonal, reached the same way round: x/y would not matter
    return informative(interpolate_float(image, row, col), slips, **SEPARATION)



def _bracket(position: Fraction, size: int) -> tuple[int, int, Fraction]:
    """The two pixel indices around ``position`` and the fraction towards the second.

    A position exactly on the last row/column uses the last two pixels with
    fraction 1, so the formula needs no special case.
    """
    low = min(math.floor(position), size - 2)
    return low, low + 1, position - low


def corner_weights(dr: Fraction, dc: Fraction) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """Weights of the top-left, top-right, bottom-left and bottom-right neighbours."""
    return (1 - dr) * (1 - dc), (1 - dr) * dc, dr * (1 - dc), dr * dc


def interpolate(
    image: Image, row: Fraction, col: Fraction, *, fractions_swapped: bool = False, distance_weights: bool = False
) -> Fraction:
    """The bilinear value at (row, col). The keywords are slips: dr and dc exchanged in the weights, or
    each neighbour weighted by its own distances (as if the fractions were measured from the far side)."""
    (r0, r1, dr), (c0, c1, dc) = _bracket(row, len(image)), _bracket(col, len(image[0]))
    if fractions_swapped:
        dr, dc = dc, dr
    if distance_weights:
        dr, dc = 1 - dr, 1 - dc
    corners = (image[r0][c0], image[r0][c1], image[r1][c0], image[r1][c1])
    return sum((Fraction(q) * w for q, w in zip(corners, corner_weights(dr, dc))), Fraction(0))


def interpolate_float(
    image: Image, row: Fraction, col: Fraction, *, fractions_swapped: bool = False, distance_weights: bool = False
) -> float:
    """``float(interpolate(...))``, in integers when the four pixels are: with dr = a/D and dc = b/D the
    value is (q00 (D - a)(D - b) + q01 (D - a) b + q10 a (D - b) + q11 a b) / D², and an integer division
    is rounded correctly, as a Fraction's float is (the informative check needs several per draw)."""
    (r0, r1, dr), (c0, c1, dc) = _bracket(row, len(image)), _bracket(col, len(image[0]))
    corners: tuple[Any, ...] = (image[r0][c0], image[r0][c1], image[r1][c0], image[r1][c1])
    if not all(type(q) is int for q in corners):
        return float(interpolate(image, row, col, fractions_swapped=fractions_swapped, distance_weights=distance_weights))
    if fractions_swapped:
        dr, dc = dc, dr
    if distance_weights:
        dr, dc = 1 - dr, 1 - dc
    d = math.lcm(dr.denominator, dc.denominator)
    a, b = dr.numerator * (d // dr.denominator), dc.numerator * (d // dc.denominator)
    q00, q01, q10, q11 = corners
    return (q00 * (d - a) * (d - b) + q01 * (d - a) * b + q10 * a * (d - b) + q11 * a * b) / (d * d)


def solve(params: Params) -> Solution:
    image, row, col = params.exact
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
    w00, w01, w10, w11 = corner_weights(dr, dc)
    weights = [
        ((r0, c0), q00, w00, f"(1 - dr)(1 - dc) = {_text(1 - dr)}·{_text(1 - dc)}"),
        ((r0, c1), q01, w01, f"(1 - dr)·dc = {_text(1 - dr)}·{_text(dc)}"),
        ((r1, c0), q10, w10, f"dr·(1 - dc) = {_text(dr)}·{_text(1 - dc)}"),
        ((r1, c1), q11, w11, f"dr·dc = {_text(dr)}·{_text(dc)}"),
    ]
    lines = [f"I({r}, {c}) = {q}: weight {formula} = {_text(w)}" for (r, c), q, w, formula in weights]
    steps.append("Weights (they sum to 1):\n" + "\n".join(lines))
    value = interpolate(image, row, col)
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


# --------------------------------------------------------------------------- mistakes


def _row_col_swapped(params: Params) -> float | None:
    return _row_col_swapped_at(*params.exact)


def _row_col_swapped_at(image: Image, row: Fraction, col: Fraction) -> float | None:
    if col > len(image) - 1 or row > len(image[0]) - 1:
        return None  # the swapped point lies outside the image
    if _bracket(col, len(image))[0] == _bracket(row, len(image))[0] and \
            _bracket(row, len(image[0]))[0] == _bracket(col, len(image[0]))[0]:
        return None  # the same four pixels: this is fractions-swapped (or no slip at all)
    return interpolate_float(image, col, row)


def _fractions_swapped(params: Params) -> float | None:
    return _fractions_swapped_at(*params.exact)


def _fractions_swapped_at(image: Image, row: Fraction, col: Fraction) -> float | None:
    if _bracket(row, len(image))[2] == _bracket(col, len(image[0]))[2]:
        return None  # dr = dc: exchanging them changes nothing
    return interpolate_float(image, row, col, fractions_swapped=True)


def _distance_weights(params: Params) -> float | None:
    return _distance_weights_at(*params.exact)


def _distance_weights_at(image: Image, row: Fraction, col: Fraction) -> float | None:
    if _bracket(row, len(image))[2] == _bracket(col, len(image[0]))[2] == HALF:
        return None  # the middle of the cell: every distance is 1/2, the slip changes nothing
    return interpolate_float(image, row, col, distance_weights=True)


HALF = Fraction(1, 2)


def _cell(params: Params) -> tuple[Image, int, int, Fraction, int, int, Fraction]:
    image, row, col = params.exact
    (r0, r1, dr), (c0, c1, dc) = _bracket(row, len(image)), _bracket(col, len(image[0]))
    return image, r0, r1, dr, c0, c1, dc


def _row_col_message(params: Params) -> str:
    _, row, col = params.exact
    return (f"you swapped row and column: the point is row {_text(row)} (counted down from the top), column "
            f"{_text(col)} (counted from the left); you interpolated at row {_text(col)}, column {_text(row)}")


def _fractions_message(params: Params) -> str:
    _, r0, _, dr, c0, c1, dc = _cell(params)
    return (f"you swapped dr and dc: dr = {_text(dr)} is the fraction down from row {r0} and dc = {_text(dc)} "
            f"across from column {c0}, so I({r0}, {c1}) gets (1 - dr)·dc = {_text((1 - dr) * dc)}, "
            f"not (1 - dc)·dr = {_text((1 - dc) * dr)}")


def _distance_message(params: Params) -> str:
    _, r0, _, dr, c0, _, dc = _cell(params)
    return (f"you weighted each pixel by its distance: the nearer pixel gets the larger weight, so I({r0}, {c0}) "
            f"gets (1 - dr)(1 - dc) = {_text((1 - dr) * (1 - dc))}, not dr·dc = {_text(dr * dc)}")


MISTAKES = (
    Mistake("row-col-swapped", _row_col_swapped, _row_col_message),
    Mistake("fractions-swapped", _fractions_swapped, _fractions_message),
    Mistake("distances-as-weights", _distance_weights, _distance_message),
)


def _text(value: Fraction | int) -> str:
    """Exact decimal (these fractions terminate); a fraction only if it would not."""
    if type(value) is int:
        return str(value)
    if type(value) is not Fraction:
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


def question_fields(params: Params) -> dict[str, str]:
    image, row, col = params.exact
    return {
        "height": str(len(image)),
        "width": str(len(image[0])),
        "image": format_grid(image),
        "row": _text(row),
        "col": _text(col),
    }


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list[Grid]:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    return [Grid.of("image", params.exact[0])]
