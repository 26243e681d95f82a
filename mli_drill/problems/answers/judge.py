"""Judging: a parsed answer compared with the reference, and the one-line verdict that says what differs."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mli_drill.problems.answers.limits import BOUNDARY_SLACK, require_kind
from mli_drill.problems.answers.text import normalise_text, quote

if TYPE_CHECKING:  # only for type hints: keeps this module free of start-up cost
    from mli_drill.problems.spec import AnswerSpec


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing one typed answer with the reference."""

    correct: bool
    given: Any  # the parsed value: number, list, list of lists or str
    expected: Any
    message: str  # one line: "correct" or what differs
    # For a list or matrix of the right shape: every entry that differs, one
    # line each in reading order ("entry (row 1, column 2): expected 4 (exactly),
    # got 5"); ``message`` names the first. A report shows them all, so nobody
    # has to compare two long lists by eye.
    wrong_entries: tuple[str, ...] = ()


def judge_answer(given: Any, expected: Any, spec: "AnswerSpec") -> Verdict:
    """Judge an already-parsed value against ``expected`` by the rules of ``spec.kind``."""
    judges = {
        "integer": _judge_integer,
        "real": _judge_real,
        "vector": _judge_vector,
        "matrix": _judge_matrix,
        "text": _judge_text,
    }
    require_kind(spec.kind)
    return judges[spec.kind](given, expected, spec)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Fraction)) and not isinstance(value, bool)


def _judge_integer(given: Any, expected: Any, spec: "AnswerSpec") -> Verdict:
    if not _is_number(given):
        return Verdict(False, given, expected, f"expected one whole number, got {_show(given)}")
    if isinstance(given, float) and not given.is_integer():
        return Verdict(False, given, expected, f"expected {_show(expected)}, got {_show(given)} (not a whole number)")
    if isinstance(given, Fraction) and given.denominator != 1:
        return Verdict(False, given, expected, f"expected {_show(expected)}, got {_show(given)} (not a whole number)")
    correct = int(given) == expected
    message = "correct" if correct else f"expected {_show(expected)}, got {_show(given)}"
    return Verdict(correct, given, expected, message)


def _close(given: Any, expected: Any, spec: "AnswerSpec") -> bool:
    """Within rel_tol of the *expected* value, or within abs_tol (which matters near zero)."""
    if not _is_number(given):
        return False
    allowed = max(spec.rel_tol * abs(float(expected)), spec.abs_tol)
    return abs(float(given) - float(expected)) <= allowed * (1 + BOUNDARY_SLACK)


def _tolerance_phrase(expected: Any, spec: "AnswerSpec") -> str:
    if spec.rel_tol > 0 and spec.rel_tol * abs(float(expected)) >= spec.abs_tol:
        return f"within {spec.rel_tol * 100:g}%"
    if spec.abs_tol > 0:
        return f"within ±{spec.abs_tol:g}"
    return "exactly"


def _judge_real(given: Any, expected: Any, spec: "AnswerSpec") -> Verdict:
    if not _is_number(given):
        return Verdict(False, given, expected, f"expected one number, got {_show(given)}")
    if _close(given, expected, spec):
        return Verdict(True, given, expected, "correct")
    return Verdict(False, given, expected, _difference(expected, given, spec))


def _judge_vector(given: Any, expected: Any, spec: "AnswerSpec") -> Verdict:
    expected_list = list(expected)
    if not isinstance(given, list):
        return Verdict(False, given, expected, f"expected {len(expected_list)} values, got {_show(given)}")
    if len(given) != len(expected_list):
        return Verdict(False, given, expected, f"expected {len(expected_list)} values, got {len(given)}")
    wrong = [i for i, (g, e) in enumerate(zip(given, expected_list)) if not _close(g, e, spec)]
    if not wrong:
        return Verdict(True, given, expected, "correct")
    entries = tuple(f"value {i + 1} of {len(expected_list)}: {_difference(expected_list[i], given[i], spec)}" for i in wrong)
    message = entries[0]
    if len(wrong) > 1:
        message += f" ({len(wrong)} values off)"
    return Verdict(False, given, expected, message, entries)


def _judge_matrix(given: Any, expected: Any, spec: "AnswerSpec") -> Verdict:
    rows, cols = len(expected), (len(expected[0]) if expected else 0)
    shape = f"{rows}×{cols}"
    if not isinstance(given, list) or not given:
        return Verdict(False, given, expected, f"expected a {shape} matrix, got {_show(given)}")
    if not any(isinstance(item, list) for item in given):  # flat, row-major
        if len(given) != rows * cols:
            message = f"expected {rows * cols} values (a {shape} matrix), got {len(given)}"
            return Verdict(False, given, expected, message)
        given = [given[r * cols : (r + 1) * cols] for r in range(rows)]
    elif not all(isinstance(row, list) for row in given):
        return Verdict(False, given, expected, f"expected a {shape} matrix, got a mix of rows and numbers")
    lengths = [len(row) for row in given]
    if len(given) != rows or any(length != cols for length in lengths):
        ragged = len(set(lengths)) != 1
        got = f"rows of lengths {', '.join(map(str, lengths))}" if ragged else f"{len(given)}×{lengths[0]}"
        return Verdict(False, given, expected, f"expected a {shape} matrix, got {got}")
    wrong = [(r, c) for r in range(rows) for c in range(cols) if not _close(given[r][c], expected[r][c], spec)]
    if not wrong:
        return Verdict(True, given, expected, "correct")
    entries = tuple(f"entry (row {r + 1}, column {c + 1}): {_difference(expected[r][c], given[r][c], spec)}" for r, c in wrong)
    message = entries[0]
    if len(wrong) > 1:
        message += f" ({len(wrong)} entries off)"
    return Verdict(False, given, expected, message, entries)


def _judge_text(given: Any, expected: Any, spec: "AnswerSpec") -> Verdict:
    given_text = normalise_text(str(given))
    correct = given_text == normalise_text(str(expected))
    message = "correct" if correct else f"expected {str(expected).strip()!r}, got {given_text!r}"
    return Verdict(correct, given_text, expected, message)


def _difference(expected: Any, given: Any, spec: "AnswerSpec") -> str:
    """``expected 0.5 (within 1%), got 0.55``, with enough digits to tell the two apart."""
    shown_expected, shown_given = _show(expected), _show(given)
    if shown_expected == shown_given and _is_number(given):  # only possible with a very tight tolerance
        shown_expected, shown_given = repr(float(expected)), repr(float(given))
    return f"expected {shown_expected} ({_tolerance_phrase(expected, spec)}), got {shown_given}"


def _show(value: Any) -> str:
    """A value for a one-line message: numbers to 6 significant digits, lists in brackets."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else f"{value:.6g}"
    if isinstance(value, (float, Fraction)):
        text = f"{float(value):.6g}"
        return "0" if text == "-0" else text
    if isinstance(value, list):
        shown = ", ".join(_show(item) for item in value[:8])
        return "[" + shown + (", ..." if len(value) > 8 else "") + "]"
    return quote(str(value))
