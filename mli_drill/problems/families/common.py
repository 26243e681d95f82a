"""Helpers shared by the families (pure): formatting for worked solutions, and
the samplers' preference for informative instances (issue 11, point 5)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Iterable, Sequence, TypeVar

from mli_drill.problems.families.base import Alternatives

T = TypeVar("T")


def fmt(x: float, digits: int = 4) -> str:
    """A number as a person writes it: integers bare, others to ``digits`` decimals, trailing zeros dropped."""
    kind = type(x)
    if kind is float:  # the common case first: isinstance(x, Fraction) below is an ABC check, slow on a float
        return _fmt_float(x, digits)
    if kind is int:
        return str(x)
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, int):
        return str(x)
    if isinstance(x, Fraction):
        return str(x) if x.denominator != 1 else str(x.numerator)
    return _fmt_float(x, digits)


def _fmt_float(x: float, digits: int) -> str:
    if math.isfinite(x):
        whole = round(x)  # an int
        if abs(x - whole) < 1e-12:
            return str(whole)
    text = format(x, _FIXED.get(digits) or f".{digits}f").rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_FIXED = {digits: f".{digits}f" for digits in range(10)}  # format specs, built once


def fmt_fraction(x: float, max_denominator: int = 1000) -> str:
    """``1/3 ≈ 0.3333`` when x is a simple fraction, else ``fmt(x)``."""
    frac = Fraction(x).limit_denominator(max_denominator)
    if frac.denominator == 1:
        return str(frac.numerator)
    if abs(float(frac) - x) < 1e-12:
        return f"{frac} ≈ {fmt(x)}"
    return fmt(x)


def plain_number(value: Fraction) -> int | float:
    """An exact result as JSON and the answer checker want it: an int when whole, else the nearest float."""
    return value.numerator if value.denominator == 1 else float(value)


def fraction_text(value: Fraction) -> str:
    """An exact value as a worked step writes it: ``3``, or ``1/3 ≈ 0.3333``."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator} ≈ {fmt(float(value))}"


def ratio_text(numerator: int, denominator: int) -> str:
    """``18/36 = 1/2``, without repeating a fraction already in lowest terms (``9/22 ≈ 0.4091``)."""
    value = Fraction(numerator, denominator)
    if value.denominator == denominator:
        return fraction_text(value)
    return f"{numerator}/{denominator} = {fraction_text(value)}"


def format_grid(rows: Sequence[Sequence[object]], marks: set[tuple[int, int]] | None = None, mark: str = "*") -> str:
    """Rows of values as an aligned, right-justified text grid.

    ``marks`` flags cells (row, col) with ``mark`` after the value, e.g. to
    show surface pixels. Values are formatted with ``fmt``.
    """
    cells = [[v if type(v) is str else fmt(v) if isinstance(v, (int, float)) else str(v) for v in row] for row in rows]
    if marks:
        cells = [[c + (mark if (r, k) in marks else " ") for k, c in enumerate(row)] for r, row in enumerate(cells)]
    width = max((max(map(len, row)) for row in cells if row), default=1)
    return "\n".join(" ".join([c.rjust(width) for c in row]) for row in cells)


def format_vector(values: Iterable[float], digits: int = 4) -> str:
    return "[" + ", ".join(fmt(v, digits) for v in values) + "]"


# A worked-solution line is drawn inside a panel (2 cells of border, 2 of padding)
# after a 2-cell step marker: this many cells fit an 80-column terminal.
TABLE_WIDTH = 74


def format_table(rows: Sequence[Sequence[object]], max_width: int = TABLE_WIDTH) -> str:
    """Rows as text with each column as wide as its own widest cell (numbers via ``fmt``), right-justified.

    Narrower than ``format_grid``, whose one width fits every cell: a table with a wide column
    (a header, a surd) stays within 80 columns. A table still wider than ``max_width`` is split
    into blocks of columns, each repeating the first (label) column, one under the other:
    a row is never wrapped in the middle.
    """
    cells = [[v if type(v) is str else fmt(v) if isinstance(v, (int, float)) else str(v) for v in row] for row in rows]
    count = max(map(len, cells))
    cells = [row + [""] * (count - len(row)) if len(row) < count else row for row in cells]
    widths = [max(map(len, column)) for column in zip(*cells)]
    if sum(widths) + 2 * (count - 1) <= max_width:  # one block: the common case, without the bookkeeping
        return "\n".join("  ".join(map(str.rjust, row, widths)).rstrip() for row in cells)
    blocks: list[list[int]] = [[]]
    used = widths[0]  # the width of the current block's line so far, label column included
    for column in range(1, count):
        if blocks[-1] and used + 2 + widths[column] > max_width:
            blocks.append([])
            used = widths[0]
        blocks[-1].append(column)
        used += 2 + widths[column]
    return "\n\n".join(
        "\n".join("  ".join(row[c].rjust(widths[c]) for c in [0, *block]).rstrip() for row in cells) for block in blocks
    )


# How many draws a sampler tries for an informative instance before taking its
# first draw anyway: enough that informative instances are the rule where they
# are common, few enough that sampling stays fast where they are rare.
INFORMATIVE_TRIES = 12


_NUMBERS = (int, float)


def apart(first: Any, second: Any, rel_tol: float = 0.0, abs_tol: float = 0.0) -> bool:
    """Whether two answers are told apart beyond the tolerance (vectors: in at least one entry).

    With no tolerance, integers must simply differ, as the checker compares them.
    """
    if type(first) in _NUMBERS and type(second) in _NUMBERS:  # the common case, without the checks below
        a, b = float(first), float(second)
        return abs(a - b) > max(rel_tol * max(abs(a), abs(b)), abs_tol)
    if isinstance(first, list) and isinstance(second, list):
        return len(first) != len(second) or any(apart(a, b, rel_tol, abs_tol) for a, b in zip(first, second))
    if isinstance(first, list) or isinstance(second, list):
        return True
    allowed = max(rel_tol * max(abs(float(first)), abs(float(second))), abs_tol)
    return abs(float(first) - float(second)) > allowed


def informative(answer: Any, slips: Iterable[Any], rel_tol: float = 0.0, abs_tol: float = 0.0) -> bool:
    """Whether each slip that applies can be told apart from the right answer and from the others.

    ``slips`` are the catalogue's values for one instance: None where a slip
    does not apply, :class:`Alternatives` where any of several values counts
    (then at least one must differ from the answer). Pass twice the answer
    tolerance, so that no typed answer is within tolerance of two of them.
    """
    seen = [answer]
    for value in slips:
        if value is None:
            continue
        options = value.values if isinstance(value, Alternatives) else (value,)
        told_apart = [option for option in options if option is not None and apart(option, answer, rel_tol, abs_tol)]
        if not told_apart:
            return False
        if not all(apart(option, other, rel_tol, abs_tol) for option in told_apart for other in seen):
            return False
        seen.extend(told_apart)
    return True


def prefer_informative(draw: Callable[[], T], informative: Callable[[T], bool], tries: int = INFORMATIVE_TRIES) -> T:
    """The first of up to ``tries`` draws that is informative, else the first draw.

    An instance is informative when its common slips give answers that differ
    from the right one and from each other, so a slip is never marked correct
    and a diagnosis names one slip. Bounding the tries keeps every level's
    documented ranges: a level where few draws are informative still samples.
    """
    first = draw()
    if informative(first):
        return first
    for _ in range(tries - 1):
        candidate = draw()
        if informative(candidate):
            return candidate
    return first
