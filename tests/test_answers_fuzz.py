"""Fuzzing the answer reader: any text either parses or raises AnswerSyntaxError, quickly.

Inputs stay small (the reader refuses more than 1,000 characters anyway) so
this file runs in a few seconds; the deadline catches anything slow.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mli_drill.problems.answers import AnswerSyntaxError, check, parse_answer
from mli_drill.problems.families.base import ANSWER_KINDS
from mli_drill.problems.spec import AnswerSpec

FUZZ = settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
REAL = AnswerSpec("real")

kinds = st.sampled_from(ANSWER_KINDS)

# Pieces that stress the reader: brackets, operators, names (allowed and not),
# huge and tiny literals, unicode notation and Python syntax that must be refused.
PIECES = [
    "(", ")", "[", "]", "((", "))", "[[", "]]", ",", ";", "\n", " ", "  ",
    "+", "-", "*", "/", "**", "^", "%", "−", "×", "·", "√", "π", "²",
    "0", "1", "9", "2.5", ".5", "1e999", "1e-999", "9**9**9", "10**1000", "99999999999999999999",
    "e", "pi", "sqrt", "ln", "log", "log2", "log10", "exp", "sqrt(", "exp(", "inf", "nan",
    "'", '"', ".", ":", "=", "lambda", "for", "in", "if", "__import__", "os", "x", "_", "{", "}",
    "@", "~", "<", "&", "|", "!", "#", "\\", "\x00", "\t", "j", "True", "None", "...",
]
structured = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def towers() -> st.SearchStrategy[str]:
    """Powers whose naive evaluation would never finish or would overflow."""
    number = st.sampled_from(["9", "10", "2", "1.0001", "0.5", "-3", "1e300", "(1/3)", "e", "pi", "0"])
    operator = st.sampled_from(["**", "^"])
    return st.lists(st.tuples(number, operator), min_size=1, max_size=8).flatmap(
        lambda parts: st.sampled_from(["9", "9999", "100000", "-100000", "0.5", "1e308"]).map(
            lambda last: "".join(n + o for n, o in parts) + last
        )
    )


def deep_nesting() -> st.SearchStrategy[str]:
    depth = st.integers(min_value=1, max_value=10_000)
    wrappers = st.sampled_from([("(", ")"), ("[", "]"), ("sqrt(", ")"), ("-(", ")"), ("[(", ")]")])
    return st.tuples(depth, wrappers).map(lambda dw: dw[1][0] * dw[0] + "1" + dw[1][1] * dw[0])


def long_digits() -> st.SearchStrategy[str]:
    length = st.integers(min_value=1, max_value=1_200)
    shape = st.sampled_from(["{d}", "0.{d}", "{d}.5", "1e{d}", "-{d}", "{d}/{d}", "1/{d}", "{d}%"])
    return st.tuples(length, shape).map(lambda ls: ls[1].format(d="9" * ls[0]))


def assert_parses_or_is_refused(text: str, kind: str) -> None:
    """The property: a value of the right shape, or AnswerSyntaxError; nothing else, and fast."""
    start = time.perf_counter()
    try:
        value = parse_answer(text, kind)
    except AnswerSyntaxError as error:
        message = str(error)
        assert message and "\n" not in message
    else:
        _assert_well_formed(value, kind)
    assert time.perf_counter() - start < 0.5


def _assert_well_formed(value: object, kind: str) -> None:
    if kind == "text":
        assert isinstance(value, str) and value
        return
    if kind in ("integer", "real"):
        numbers = [value]
    elif kind == "vector":
        assert isinstance(value, list) and value
        numbers = value
    else:
        assert isinstance(value, list) and value
        numbers = [x for row in value for x in row] if isinstance(value[0], list) else value
    for number in numbers:
        assert isinstance(number, (int, float)) and not isinstance(number, bool)
        assert math.isfinite(float(number))


@FUZZ
@given(text=st.text(max_size=200), kind=kinds)
def test_arbitrary_text_parses_or_is_refused(text: str, kind: str) -> None:
    assert_parses_or_is_refused(text, kind)


@FUZZ
@given(text=structured, kind=kinds)
def test_structured_garbage_parses_or_is_refused(text: str, kind: str) -> None:
    assert_parses_or_is_refused(text, kind)


@FUZZ
@given(text=st.one_of(towers(), deep_nesting(), long_digits()), kind=kinds)
def test_extreme_inputs_parse_or_are_refused(text: str, kind: str) -> None:
    assert_parses_or_is_refused(text, kind)


@pytest.mark.parametrize(
    "text",
    [
        "9**9**9",
        "1e999",
        "9" * 5000,
        "(" * 10_000 + ")" * 10_000,
        "(" * 10_000 + "1" + ")" * 10_000,
        "[" * 999,
        "-" * 999 + "1",
    ],
)
@pytest.mark.parametrize("kind", ANSWER_KINDS)
def test_named_extremes(text: str, kind: str) -> None:
    assert_parses_or_is_refused(text, kind)


@FUZZ
@given(x=st.floats(allow_nan=False, allow_infinity=False))
def test_repr_of_any_float_is_accepted(x: float) -> None:
    verdict = check(repr(x), x, REAL)
    assert verdict.correct, verdict.message


@FUZZ
@given(x=st.floats(min_value=0.2, max_value=1e300) | st.floats(min_value=-1e300, max_value=-0.2))
def test_five_percent_off_is_wrong(x: float) -> None:
    verdict = check(str(x * 1.05), x, REAL)
    assert not verdict.correct
    assert verdict.message.startswith("expected ")


@FUZZ
@given(p=st.integers(min_value=-(10**6), max_value=10**6), q=st.integers(min_value=1, max_value=10**6))
def test_fractions_are_accepted(p: int, q: int) -> None:
    assert check(f"{p}/{q}", p / q, REAL).correct
    assert check(f"{p} / {q}", float(Fraction(p, q)), AnswerSpec("real", rel_tol=0.0, abs_tol=0.0)).correct


@FUZZ
@given(n=st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_are_exact(n: int) -> None:
    spec = AnswerSpec("integer")
    assert check(str(n), n, spec).correct
    assert check(f"{n}.0", n, spec).correct
    assert not check(str(n + 1), n, spec).correct
    assert not check(f"{n}.5", n, spec).correct


@FUZZ
@given(
    values=st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=30),
    separator=st.sampled_from([", ", " ", "; ", "\n"]),
)
def test_vectors_round_trip(values: list[float], separator: str) -> None:
    spec = AnswerSpec("vector")
    for text in (separator.join(map(repr, values)), "[" + ", ".join(map(repr, values)) + "]"):
        verdict = check(text, values, spec)
        assert verdict.correct, (text, verdict.message)
    if len(values) > 1:
        shorter = check(" ".join(map(repr, values[:-1])), values, spec)
        assert not shorter.correct and shorter.message == f"expected {len(values)} values, got {len(values) - 1}"
