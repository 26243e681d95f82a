"""Parsing by kind: integer, real, vector, matrix and text answers, each read by its own parser (``PARSERS``)."""

from __future__ import annotations

import re
from typing import Any, Callable

from mli_drill.problems.answers.expression import public_number, read
from mli_drill.problems.answers.limits import MAX_CHARS, MAX_VALUES, Number, Unreadable
from mli_drill.problems.answers.text import clean, insert_gap_commas, normalise_text, numeric_text, split_top_level, unwrap_brackets

def _parse_integer(text: str) -> int | float:
    """A single number; integrality is judged later so 2.5 is *wrong*, not unreadable."""
    return _parse_scalar(text, allow_percent=False)


def _parse_real(text: str) -> int | float:
    return _parse_scalar(text, allow_percent=True)


_UNIT = re.compile(r"(?<=[0-9)\s])\s*(?:bits?|nats?|dits?|hartleys?|px|pixels?|voxels?|parameters?|params?)\s*$", re.IGNORECASE)


def _parse_scalar(text: str, allow_percent: bool) -> int | float:
    """One number; a trailing unit the solutions use ("0.97 bits", "5 px") is allowed."""
    shown = _UNIT.sub("", clean(text)) or text
    source = insert_gap_commas(numeric_text(shown, allow_percent, space_multiplies=True), split_signs=False)
    value = read(source, shown)
    if isinstance(value, list):
        decimal_comma = re.fullmatch(r"[+-]?[0-9]+,[0-9]+", shown) is not None
        hint = " (use a point for decimals: 0.75, not 0,75)" if decimal_comma else ""
        raise Unreadable(f"expected one number, got {len(value)} values{hint}")
    return public_number(value)


def _parse_vector(text: str) -> list[int | float]:
    """A flat list; brackets optional; commas, spaces, ';' or newlines separate values."""
    shown = clean(text)
    source = numeric_text(shown, allow_percent=True).replace(";", ",")
    value = read(insert_gap_commas(source, split_signs=True), shown)
    values = value if isinstance(value, list) else [value]
    if any(isinstance(item, list) for item in values):
        raise Unreadable("expected a flat list of numbers, got a nested list")
    if not values:
        raise Unreadable("the list is empty")
    return [public_number(item) for item in values]


def _parse_matrix(text: str) -> list[list[int | float]] | list[int | float]:
    """Rows as nested lists, or separated by ';'/newlines, or one flat row-major list."""
    shown = clean(text)
    source = numeric_text(shown, allow_percent=True)
    pieces = _matrix_rows(source)
    if not pieces:
        raise Unreadable("empty answer")
    if len(pieces) > 1:
        grid = [_read_row(piece, shown) for piece in pieces]
    else:
        value = read(insert_gap_commas(pieces[0], split_signs=True), shown)
        grid = _grid_from_value(value)
    if not grid:
        raise Unreadable("the matrix is empty")
    if isinstance(grid[0], list):
        lengths = [len(row) for row in grid]
        if len(set(lengths)) != 1:
            raise Unreadable(f"rows have different lengths ({', '.join(map(str, lengths))})")
        if sum(lengths) > MAX_VALUES:
            raise Unreadable(f"too many values (at most {MAX_VALUES})")
        return [[public_number(item) for item in row] for row in grid]
    return [public_number(item) for item in grid]


def _matrix_rows(source: str) -> list[str]:
    """Row texts split at top-level ';'/newlines, or inside one [...] (MATLAB style).

    Inside brackets a newline separates rows only when there are no nested
    brackets: ``[[1, 2],\\n [3, 4]]`` is a nested list spread over two lines.
    """
    pieces = split_top_level(source, ";\n")
    if len(pieces) == 1:
        inner = unwrap_brackets(pieces[0].strip())
        if inner is not None:
            inner_pieces = split_top_level(inner, ";" if "[" in inner else ";\n")
            if len(inner_pieces) > 1:
                return inner_pieces
    return pieces


def _read_row(piece: str, shown: str) -> list[Number]:
    value = read(insert_gap_commas(piece, split_signs=True), shown)
    row = value if isinstance(value, list) else [value]
    if not row or any(isinstance(item, list) for item in row):
        raise Unreadable("each row must be a non-empty list of numbers")
    return row


def _grid_from_value(value: Number | list) -> list:
    """A parsed single piece as rows (list of lists) or a flat list."""
    if not isinstance(value, list):
        return [value]
    nested = [isinstance(item, list) for item in value]
    if all(nested):
        if any(not row or any(isinstance(item, list) for item in row) for row in value):
            raise Unreadable("each row must be a non-empty list of numbers")
        return value
    if any(nested):
        raise Unreadable("mix of rows and single numbers")
    return value


def _parse_text(text: str) -> str:
    if len(text) > MAX_CHARS:
        raise Unreadable(f"answer too long ({len(text)} characters; at most {MAX_CHARS})")
    normalised = normalise_text(text)
    if not normalised:
        raise Unreadable("empty answer")
    return normalised

PARSERS: dict[str, Callable[[str], Any]] = {
    "integer": _parse_integer,
    "real": _parse_real,
    "vector": _parse_vector,
    "matrix": _parse_matrix,
    "text": _parse_text,
}
