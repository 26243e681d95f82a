"""Parsing and checking the tree, and evaluation: the safe arithmetic.

The text is parsed with ``ast.parse(mode="eval")`` (which only builds a tree),
every node is checked against a small whitelist, and the tree is evaluated by
the walker below; there is no ``eval``/``exec``. ``read`` is the one entry:
parse, check, evaluate. ``public_number`` turns an exact or inexact result
into what callers see.
"""

from __future__ import annotations

import ast
import math
import warnings
from fractions import Fraction
from typing import Any, Callable

from mli_drill.problems.answers.limits import (
    CONSTANTS,
    FUNCTION_NAMES,
    MAX_DEPTH,
    MAX_EXACT_BITS,
    MAX_NODES,
    MAX_POWER_BITS,
    MAX_VALUES,
    SNAP_REL,
    Number,
    Unreadable,
)
from mli_drill.problems.answers.text import check_brackets, quote

_OPERATOR_SYMBOLS = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Not: "not",
}
_NODE_DESCRIPTIONS = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing (x[...])",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.Dict: "braces {...}",
    ast.Set: "braces {...}",
    ast.Starred: "'*' unpacking",
    ast.NamedExpr: "':='",
    ast.JoinedStr: "text in quotes",
    ast.Slice: "slices",
}


# --- parsing and checking the tree -------------------------------------------------


def read(source: str, shown: str) -> Number | list:
    """Parse (never execute), check against the whitelist, then evaluate."""
    check_brackets(source, shown)
    try:
        with warnings.catch_warnings():  # e.g. SyntaxWarning for "1in": noise, or an error under -W error
            warnings.simplefilter("ignore")
            tree = ast.parse(source.strip(), mode="eval")  # leading space is an "indent" to Python
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError, Warning):
        raise Unreadable(f"could not read {quote(shown)}") from None
    _check_tree(tree.body)
    try:
        return _evaluate(tree.body, list_depth=0)
    except ZeroDivisionError:
        raise Unreadable("cannot evaluate: division by zero") from None
    except OverflowError:
        raise Unreadable("cannot evaluate: the number is too large") from None
    except (ValueError, ArithmeticError, RecursionError):
        raise Unreadable(f"cannot evaluate {quote(shown)}") from None


def _check_tree(root: ast.AST) -> None:
    """Reject anything outside the whitelist, and oversized trees, before evaluating.

    Iterative, so a deep tree cannot exhaust the Python stack while checking.
    """
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    nodes = values = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise Unreadable("expression too long")
        if depth > MAX_DEPTH:
            raise Unreadable("expression nested too deeply")
        for child in _allowed_children(node):
            stack.append((child, depth + 1))
        if isinstance(node, (ast.List, ast.Tuple)):
            values += sum(not isinstance(item, (ast.List, ast.Tuple)) for item in node.elts)
            if values > MAX_VALUES:
                raise Unreadable(f"too many values (at most {MAX_VALUES})")


def _allowed_children(node: ast.AST) -> list[ast.AST]:
    """The children to check next; raises for any node not on the whitelist."""
    if isinstance(node, ast.Constant):
        _check_constant(node.value)
        return []
    if isinstance(node, ast.Name):
        _check_name(node.id)
        return []
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            raise Unreadable(f"operator {_OPERATOR_SYMBOLS.get(type(node.op), '?')} is not allowed")
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise Unreadable(f"operator {_OPERATOR_SYMBOLS.get(type(node.op), '?')} is not allowed")
        return [node.operand]
    if isinstance(node, ast.Call):
        _check_call(node)
        return [node.args[0]]
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    description = _NODE_DESCRIPTIONS.get(type(node), type(node).__name__)
    raise Unreadable(f"{description} is not allowed in an answer")


def _check_constant(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, (str, bytes)):
            raise Unreadable("text in quotes is not a number")
        if isinstance(value, complex):
            raise Unreadable("complex numbers are not allowed")
        raise Unreadable(f"{value!r} is not a number")


def _check_name(name: str) -> None:
    lowered = name.lower()
    if lowered in FUNCTION_NAMES:
        raise Unreadable(f"{lowered} needs its argument in parentheses, as in {lowered}(2)")
    if lowered not in CONSTANTS:
        allowed = ", ".join((*CONSTANTS, *FUNCTION_NAMES))
        raise Unreadable(f"unknown name {quote(name)} (allowed: {allowed})")


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id.lower() not in FUNCTION_NAMES:
        raise Unreadable(f"only {', '.join(FUNCTION_NAMES)} can be applied to a value")
    name = node.func.id.lower()
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise Unreadable(f"{name} takes exactly one value, as in {name}(2)")


# --- evaluation ------------------------------------------------------------------


def _evaluate(node: ast.AST, list_depth: int) -> Number | list:
    """A number, or (nested at most twice) lists of numbers. The tree is already checked."""
    if isinstance(node, (ast.List, ast.Tuple)):
        if list_depth >= 2:
            raise Unreadable("lists nested more than two deep")
        return [_evaluate(item, list_depth + 1) for item in node.elts]
    return _evaluate_number(node)


def _evaluate_number(node: ast.AST) -> Number:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))  # _check_constant let only int and float literals through
        return _literal(node.value)
    if isinstance(node, ast.Name):
        return CONSTANTS[node.id.lower()]
    if isinstance(node, ast.UnaryOp):
        value = _evaluate_number(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate_number(node.left), _evaluate_number(node.right))
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id.lower()](_evaluate_number(node.args[0]))  # type: ignore[attr-defined]
    if isinstance(node, (ast.List, ast.Tuple)):
        raise Unreadable("a list cannot be part of a calculation")
    raise Unreadable("this expression is not allowed")  # unreachable after _check_tree


def _literal(value: int | float) -> Number:
    """Literals are exact: the float's shortest repr is the decimal the student typed."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise OverflowError
        return _tame(Fraction(repr(value)))
    return _tame(Fraction(value))


def _tame(value: Fraction) -> Number:
    """Keep exact numbers cheap and finite: too large -> error, too many digits -> float."""
    numerator, denominator = abs(value.numerator), value.denominator
    if numerator.bit_length() - denominator.bit_length() > 1025:
        raise OverflowError
    if max(numerator.bit_length(), denominator.bit_length()) > MAX_EXACT_BITS:
        return _finite(float(value))
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise OverflowError
    return value


def _arithmetic(operation: Callable[[Any, Any], Any]) -> Callable[[Number, Number], Number]:
    """Exact when both sides are exact, float otherwise."""

    def apply(left: Number, right: Number) -> Number:
        if isinstance(left, Fraction) and isinstance(right, Fraction):
            return _tame(operation(left, right))
        return _finite(operation(float(left), float(right)))

    return apply


def _power(base: Number, exponent: Number) -> Number:
    """Exact for integer exponents when the result stays small, otherwise float with a size check first."""
    if isinstance(base, Fraction) and isinstance(exponent, Fraction) and exponent.denominator == 1:
        exact = _exact_power(base, exponent.numerator)
        if exact is not None:
            return exact
    return _float_power(float(base), float(exponent))


def _exact_power(base: Fraction, exponent: int) -> Number | None:
    if base == 0:
        if exponent < 0:
            raise ZeroDivisionError
        return Fraction(1 if exponent == 0 else 0)
    if abs(base) == 1:
        return base ** (exponent % 2)
    size = max(base.numerator.bit_length(), base.denominator.bit_length()) * abs(exponent)
    if size > MAX_EXACT_BITS:
        return None
    return _tame(base**exponent)


def _float_power(base: float, exponent: float) -> float:
    if base == 0.0:
        if exponent < 0:
            raise ZeroDivisionError
        return 1.0 if exponent == 0 else 0.0
    if base < 0 and not exponent.is_integer():
        raise Unreadable("cannot evaluate: a negative number to a fractional power")
    if exponent * math.log2(abs(base)) > MAX_POWER_BITS:  # checked before computing
        raise OverflowError
    return _finite(math.pow(base, exponent))


def _sqrt(value: Number) -> Number:
    if value < 0:
        raise Unreadable("cannot evaluate: square root of a negative number")
    if isinstance(value, Fraction):
        top, bottom = math.isqrt(value.numerator), math.isqrt(value.denominator)
        if top * top == value.numerator and bottom * bottom == value.denominator:
            return Fraction(top, bottom)
    return math.sqrt(float(value))


def _logarithm(log: Callable[[Any], float]) -> Callable[[Number], float]:
    """An exact value too small for a float is logged as numerator and denominator, so it does not underflow."""

    def apply(value: Number) -> float:
        if value <= 0:
            raise Unreadable("cannot evaluate: logarithm of zero or a negative number")
        as_float = float(value)
        if as_float == 0.0 and isinstance(value, Fraction):
            return log(value.numerator) - log(value.denominator)
        return log(as_float)

    return apply


def _exp(value: Number) -> float:
    return _finite(math.exp(float(value)))


_BINARY: dict[type, Callable[[Number, Number], Number]] = {
    ast.Add: _arithmetic(lambda a, b: a + b),
    ast.Sub: _arithmetic(lambda a, b: a - b),
    ast.Mult: _arithmetic(lambda a, b: a * b),
    ast.Div: _arithmetic(lambda a, b: a / b),
    ast.Pow: _power,
}
_FUNCTIONS: dict[str, Callable[[Number], Number]] = {
    "sqrt": _sqrt,
    "ln": _logarithm(math.log),
    "log": _logarithm(math.log),
    "log2": _logarithm(math.log2),
    "log10": _logarithm(math.log10),
    "exp": _exp,
}


def public_number(value: Number) -> int | float:
    """What callers see: int when exactly integral, else float (JSON-able, no Fraction)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return int(value.numerator)
        try:
            return _finite(float(value)) + 0.0
        except OverflowError:
            raise Unreadable("cannot evaluate: the number is too large") from None
    nearest = round(value)
    if nearest != 0 and abs(nearest) < 2**53 and abs(value - nearest) <= SNAP_REL * abs(nearest):
        return int(nearest)
    return value + 0.0  # turns -0.0 into 0.0
