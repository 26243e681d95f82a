"""Formatting helpers shared by the families' worked solutions (pure)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Iterable, Sequence


def fmt(x: float, digits: int = 4) -> str:
    """A number as a person writes it: integers bare, others to ``digits`` decimals, trailing zeros dropped."""
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, int):
        return str(x)
    if isinstance(x, Fraction):
        return str(x) if x.denominator != 1 else str(x.numerator)
    if math.isfinite(x) and abs(x - round(x)) < 1e-12:
        return str(int(round(x)))
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_fraction(x: float, max_denominator: int = 1000) -> str:
    """``1/3 ≈ 0.3333`` when x is a simple fraction, else ``fmt(x)``."""
    frac = Fraction(x).limit_denominator(max_denominator)
    if frac.denominator == 1:
        return str(frac.numerator)
    if abs(float(frac) - x) < 1e-12:
        return f"{frac} ≈ {fmt(x)}"
    return fmt(x)


def format_grid(rows: Sequence[Sequence[object]], marks: set[tuple[int, int]] | None = None, mark: str = "*") -> str:
    """Rows of values as an aligned, right-justified text grid.

    ``marks`` flags cells (row, col) with ``mark`` after the value, e.g. to
    show surface pixels. Values are formatted with ``fmt``.
    """
    cells = [[fmt(v) if isinstance(v, (int, float)) else str(v) for v in row] for row in rows]
    if marks:
        cells = [[c + (mark if (r, k) in marks else " ") for k, c in enumerate(row)] for r, row in enumerate(cells)]
    width = max((len(c) for row in cells for c in row), default=1)
    return "\n".join(" ".join(c.rjust(width) for c in row) for row in cells)


def format_vector(values: Iterable[float], digits: int = 4) -> str:
    return "[" + ", ".join(fmt(v, digits) for v in values) + "]"


def format_table(rows: Sequence[Sequence[object]]) -> str:
    """Rows as text with each column as wide as its own widest cell (numbers via ``fmt``), right-justified.

    Narrower than ``format_grid``, whose one width fits every cell: a table with a wide column
    (a header, a surd) stays within 80 columns.
    """
    cells = [[fmt(v) if isinstance(v, (int, float)) else str(v) for v in row] for row in rows]
    widths = [max(len(row[c]) for row in cells if c < len(row)) for c in range(max(len(row) for row in cells))]
    return "\n".join("  ".join(cell.rjust(widths[c]) for c, cell in enumerate(row)) for row in cells)
