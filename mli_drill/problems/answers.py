"""Reading a student's typed answer and judging it against the reference.

Students type answers the way they would write them on paper: ``3/4``,
``75%``, ``sqrt(5)``, ``2*ln(2)``, ``π/2``, ``[1/4, 1/4, 1/2]``, ``1 2; 3 4``,
and as the questions print them: ``ln 2``, ``1/2 ln(5)``, ``0.5ln5``.
Rejecting a right answer because of its form teaches nothing, so this module
accepts every reasonable form and only then compares values.

Safety: the text is never executed. It is parsed with ``ast.parse(mode="eval")``
(which only builds a tree), every node is checked against a small whitelist,
and the tree is evaluated by the walker below. There is no ``eval``/``exec``
anywhere. Sizes are bounded before any arithmetic (input length, node count,
nesting depth, number of values, size of exact intermediate numbers, and the
magnitude of powers) so hostile input such as ``9**9**9`` fails fast.

Exactness: literals and ``+ - * / ^`` with integer exponents are evaluated with
``Fraction`` so ``24/2`` *is* 12 and ``0.1*30`` *is* 3 (integer answers are
compared exactly). Irrational functions and constants switch to floats; a float
result within 1e-12 (relative) of a non-zero integer is snapped to it, because
``exp(ln(5))`` is mathematically 5 and only rounding makes it 4.999999999999999.

Public API: ``parse_answer``, ``check``, ``matches``, ``example_for``,
``Verdict``, ``AnswerSyntaxError``.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Union

from mli_drill.exceptions import MliDrillError
from mli_drill.problems.families.base import ANSWER_KINDS

if TYPE_CHECKING:  # only for type hints: keeps this module free of start-up cost
    from mli_drill.problems.spec import AnswerSpec

# --- limits -----------------------------------------------------------------
MAX_CHARS = 1000  # longer text is not an answer anyone types
MAX_NODES = 2000  # syntax-tree nodes (operators and contexts included)
MAX_DEPTH = 60  # nesting of the syntax tree; real answers need < 15
MAX_VALUES = 400  # numbers in a vector or matrix (a 20x20 grid)
MAX_EXACT_BITS = 4096  # larger exact fractions continue as floats (bounds the cost)
MAX_POWER_BITS = 1100  # 2**1100 is beyond the float range: such powers cannot be answers
_SNAP_REL = 1e-12  # float noise tolerated when snapping an inexact result to an integer
_BOUNDARY_SLACK = 1e-9  # lets a value exactly on the tolerance edge pass despite rounding

Number = Union[Fraction, float]  # Fraction = exact so far, float = inexact

_EXAMPLES = {
    "integer": "12  (24/2 and 2^2*3 work too)",
    "real": "0.75  (3/4, 75%, 7.5e-1, sqrt(5)/2, 2*ln(2), pi/2 work too)",
    "vector": "[0.25, 0.25, 0.5]  (0.25 0.25 0.5 and [1/4, 1/4, 1/2] work too)",
    "matrix": "[[1, 2], [3, 4]]  (1 2; 3 4 works too)",
    "text": "dice  (one word or label; case does not matter)",
}

_FUNCTION_NAMES = ("sqrt", "ln", "log", "log2", "log10", "exp")
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
NAMES = (*_CONSTANTS, *_FUNCTION_NAMES)  # every name an answer may use (the command line reads "-ln(2)" as a value)
_QUOTES = "\"'`“”‘’„«»"

_CHAR_MAP = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\ufe63": "-",  # small hyphen-minus
        "\uff0d": "-",  # fullwidth hyphen-minus
        "\uff0b": "+",  # fullwidth plus
        "\u00d7": "*",  # multiplication sign
        "\u00b7": "*",  # middle dot
        "\u22c5": "*",  # dot operator
        "\u2219": "*",  # bullet operator
        "\u2715": "*",  # multiplication x
        "\u00f7": "/",  # division sign
        "\u2215": "/",  # division slash
        "\u2044": "/",  # fraction slash
        "\u00b2": "**2",  # superscript two
        "\u00b3": "**3",  # superscript three
    }
)

_NUMBER_PATTERN = r"(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?"
_PERCENT = re.compile(r"(?<![\w.])(" + _NUMBER_PATTERN + r")\s*%")
_IMPLICIT_TIMES = re.compile(r"(?<=[0-9.)])(?=[√π])")  # 2π, 3√2, (1+1)π
_ROOT_OF_GROUP = re.compile(r"√\s*\(")
_ROOT_OF_ATOM = re.compile(r"√\s*(" + _NUMBER_PATTERN + r"|[A-Za-z_]\w*)")
_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<number>" + _NUMBER_PATTERN + r")|(?P<name>[^\W0-9]\w*)|(?P<symbol>\*\*|.)",
    re.DOTALL,
)

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


class AnswerSyntaxError(MliDrillError, ValueError):
    """The text cannot be read as an answer of the requested kind.

    ``str(error)`` is one line: what is wrong, then an example of the accepted
    form, so the interface can show it as is and let the student retype.
    """


class _Problem(Exception):
    """Internal: what is wrong, before the kind's example is appended."""


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


# --- public API ---------------------------------------------------------------


def example_for(kind: str) -> str:
    """The one-line example of the accepted form, used in error messages."""
    _require_kind(kind)
    return _EXAMPLES[kind]


def parse_answer(text: str, kind: str) -> Any:
    """Read ``text`` as an answer of ``kind``; raise AnswerSyntaxError if impossible.

    Returns int/float for integer and real, a list of numbers for vector, a
    list of rows or a flat row-major list for matrix (the flat form is
    reshaped when the expected shape is known), and a normalised str for text.
    """
    _require_kind(kind)
    if not isinstance(text, str):
        raise TypeError(f"answer text must be a str, not {type(text).__name__}")
    try:
        return _PARSERS[kind](text)
    except _Problem as problem:
        raise AnswerSyntaxError(f"{problem}; e.g. {example_for(kind)}") from None


def check(text: str, expected: Any, spec: "AnswerSpec") -> Verdict:
    """Parse ``text`` for ``spec.kind`` and judge it (AnswerSyntaxError if unreadable)."""
    return _judge(parse_answer(text, spec.kind), expected, spec)


def matches(given: Any, expected: Any, spec: "AnswerSpec") -> bool:
    """Whether an already-parsed value is right, by the same rules as ``check``."""
    return _judge(given, expected, spec).correct


def _require_kind(kind: str) -> None:
    if kind not in ANSWER_KINDS:
        raise ValueError(f"unknown answer kind {kind!r}; expected one of {', '.join(ANSWER_KINDS)}")


# --- parsing by kind ------------------------------------------------------------


def _parse_integer(text: str) -> int | float:
    """A single number; integrality is judged later so 2.5 is *wrong*, not unreadable."""
    return _parse_scalar(text, allow_percent=False)


def _parse_real(text: str) -> int | float:
    return _parse_scalar(text, allow_percent=True)


_UNIT = re.compile(r"(?<=[0-9)\s])\s*(?:bits?|nats?|dits?|hartleys?|px|pixels?|voxels?|parameters?|params?)\s*$", re.IGNORECASE)


def _parse_scalar(text: str, allow_percent: bool) -> int | float:
    """One number; a trailing unit the solutions use ("0.97 bits", "5 px") is allowed."""
    shown = _UNIT.sub("", _clean(text)) or text
    source = _insert_gap_commas(_numeric_text(shown, allow_percent, space_multiplies=True), split_signs=False)
    value = _read(source, shown)
    if isinstance(value, list):
        decimal_comma = re.fullmatch(r"[+-]?[0-9]+,[0-9]+", shown) is not None
        hint = " (use a point for decimals: 0.75, not 0,75)" if decimal_comma else ""
        raise _Problem(f"expected one number, got {len(value)} values{hint}")
    return _public_number(value)


def _parse_vector(text: str) -> list[int | float]:
    """A flat list; brackets optional; commas, spaces, ';' or newlines separate values."""
    shown = _clean(text)
    source = _numeric_text(shown, allow_percent=True).replace(";", ",")
    value = _read(_insert_gap_commas(source, split_signs=True), shown)
    values = value if isinstance(value, list) else [value]
    if any(isinstance(item, list) for item in values):
        raise _Problem("expected a flat list of numbers, got a nested list")
    if not values:
        raise _Problem("the list is empty")
    return [_public_number(item) for item in values]


def _parse_matrix(text: str) -> list[list[int | float]] | list[int | float]:
    """Rows as nested lists, or separated by ';'/newlines, or one flat row-major list."""
    shown = _clean(text)
    source = _numeric_text(shown, allow_percent=True)
    pieces = _matrix_rows(source)
    if not pieces:
        raise _Problem("empty answer")
    if len(pieces) > 1:
        grid = [_read_row(piece, shown) for piece in pieces]
    else:
        value = _read(_insert_gap_commas(pieces[0], split_signs=True), shown)
        grid = _grid_from_value(value)
    if not grid:
        raise _Problem("the matrix is empty")
    if isinstance(grid[0], list):
        lengths = [len(row) for row in grid]
        if len(set(lengths)) != 1:
            raise _Problem(f"rows have different lengths ({', '.join(map(str, lengths))})")
        if sum(lengths) > MAX_VALUES:
            raise _Problem(f"too many values (at most {MAX_VALUES})")
        return [[_public_number(item) for item in row] for row in grid]
    return [_public_number(item) for item in grid]


def _matrix_rows(source: str) -> list[str]:
    """Row texts split at top-level ';'/newlines, or inside one [...] (MATLAB style).

    Inside brackets a newline separates rows only when there are no nested
    brackets: ``[[1, 2],\\n [3, 4]]`` is a nested list spread over two lines.
    """
    pieces = _split_top_level(source, ";\n")
    if len(pieces) == 1:
        inner = _unwrap_brackets(pieces[0].strip())
        if inner is not None:
            inner_pieces = _split_top_level(inner, ";" if "[" in inner else ";\n")
            if len(inner_pieces) > 1:
                return inner_pieces
    return pieces


def _read_row(piece: str, shown: str) -> list[Number]:
    value = _read(_insert_gap_commas(piece, split_signs=True), shown)
    row = value if isinstance(value, list) else [value]
    if not row or any(isinstance(item, list) for item in row):
        raise _Problem("each row must be a non-empty list of numbers")
    return row


def _grid_from_value(value: Number | list) -> list:
    """A parsed single piece as rows (list of lists) or a flat list."""
    if not isinstance(value, list):
        return [value]
    nested = [isinstance(item, list) for item in value]
    if all(nested):
        if any(not row or any(isinstance(item, list) for item in row) for row in value):
            raise _Problem("each row must be a non-empty list of numbers")
        return value
    if any(nested):
        raise _Problem("mix of rows and single numbers")
    return value


def _parse_text(text: str) -> str:
    if len(text) > MAX_CHARS:
        raise _Problem(f"answer too long ({len(text)} characters; at most {MAX_CHARS})")
    normalised = _normalise_text(text)
    if not normalised:
        raise _Problem("empty answer")
    return normalised


def _normalise_text(text: str) -> str:
    """Case, surrounding whitespace/quotes and repeated spaces carry no meaning in a label."""
    stripped = text.strip().strip(_QUOTES + " \t\r\n").strip()
    return re.sub(r"\s+", " ", stripped).casefold()


_PARSERS: dict[str, Callable[[str], Any]] = {
    "integer": _parse_integer,
    "real": _parse_real,
    "vector": _parse_vector,
    "matrix": _parse_matrix,
    "text": _parse_text,
}


# --- text preparation -------------------------------------------------------------


def _clean(text: str) -> str:
    """Length check, one kind of line break, ordinary spaces, surrounding space removed."""
    if len(text) > MAX_CHARS:
        raise _Problem(f"answer too long ({len(text)} characters; at most {MAX_CHARS})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(" " if ch.isspace() and ch != "\n" else ch for ch in text).strip()
    if not text:
        raise _Problem("empty answer")
    return text


def _numeric_text(text: str, allow_percent: bool, space_multiplies: bool = False) -> str:
    """Rewrite paper notation (×, −, ^, π, √, %, ln 2, 2ln(2)) as the Python expression syntax we parse."""
    text = text.translate(_CHAR_MAP).replace("^", "**")
    text = _IMPLICIT_TIMES.sub("*", text).replace("π", "pi")
    text = _ROOT_OF_GROUP.sub("sqrt(", text)
    text = _ROOT_OF_ATOM.sub(r"sqrt(\1)", text)
    if "%" in text:
        if not allow_percent:
            raise _Problem("a percentage does not fit a whole-number answer: type the number itself")
        text = _PERCENT.sub(r"(\1/100)", text)
        if "%" in text:
            raise _Problem("'%' may only follow a number, as in 75%")
    return _function_notation(text, space_multiplies)


# "ln5" in "0.5ln5": a function name glued to the number it applies to (log2 and log10 end in digits, so not log)
_GLUED_ARGUMENT = re.compile(r"(?<![A-Za-z_])(sqrt|ln|exp)(?=[0-9.])", re.IGNORECASE)


def _function_notation(source: str, space_multiplies: bool) -> str:
    """Functions as the questions print them: ``ln 2`` is ln(2); ``0.5ln5`` and ``1/2 ln(5)`` are products.

    Works on tokens, before parsing, and only adds ``*`` and parentheses
    around a single number or constant, so the result is checked by the same
    whitelist as anything typed. A function followed by a number and a power
    (``ln 2^3``) is refused: it reads as ln(2)^3 or as ln(2^3). A space before
    a function multiplies only in a single-number answer (``space_multiplies``);
    in a list it separates values, as everywhere else.
    """
    tokens = [(match.lastgroup, match.group()) for match in _TOKEN.finditer(_GLUED_ARGUMENT.sub(r"\1 ", source))]
    out: list[str] = []
    last: tuple[str | None, str] | None = None  # the last token that was not space
    index = 0
    while index < len(tokens):
        group, text = tokens[index]
        if group == "name" and text.lower() in _FUNCTION_NAMES:
            spaced = index > 0 and tokens[index - 1][0] == "space"
            if last is not None and _ends_value(last) and (space_multiplies or not spaced):
                if spaced:
                    out.pop()
                out.append("*")
            argument = _next_solid(tokens, index + 1)
            if argument is not None and _is_atom(tokens[argument]):
                after = _next_solid(tokens, argument + 1)
                if after is not None and tokens[after][1] == "**":
                    name, atom = text.lower(), tokens[argument][1]
                    raise _Problem(f"write {name}({atom})^n or {name}({atom}^n): {name} {atom}^n reads either way")
                out.append(f"{text}({tokens[argument][1]})")
                last = ("symbol", ")")
                index = argument + 1
                continue
        out.append(text)
        if group != "space":
            last = (group, text)
        index += 1
    return "".join(out)


def _next_solid(tokens: list[tuple[str | None, str]], start: int) -> int | None:
    """Index of the first token from ``start`` that is not space."""
    for index in range(start, len(tokens)):
        if tokens[index][0] != "space":
            return index
    return None


def _is_atom(token: tuple[str | None, str]) -> bool:
    """A bare number or constant, which a function may take without parentheses."""
    group, text = token
    return group == "number" or (group == "name" and text.lower() in _CONSTANTS)


def _insert_gap_commas(source: str, split_signs: bool) -> str:
    """Turn space-separated values into comma-separated ones: ``1/4 1/2`` -> ``1/4, 1/2``.

    A space separates two values when the left side ends a value (number,
    constant, ')' or ']') and the right side starts one. With ``split_signs``
    (lists) a sign glued to the following value also starts one, as in MATLAB:
    ``1 -2`` is two values while ``1 - 2`` and ``1-2`` are a subtraction.
    """
    tokens = [(match.lastgroup, match.group()) for match in _TOKEN.finditer(source)]
    out: list[str] = []
    for index, (group, token) in enumerate(tokens):
        if group == "space" and 0 < index < len(tokens) - 1:
            after = tokens[index + 2] if index + 2 < len(tokens) else None
            if _ends_value(tokens[index - 1]) and _starts_value(tokens[index + 1], after, split_signs):
                out.append(",")
        out.append(" " if "\n" in token else token)  # a line break would end the expression
    return "".join(out)


def _ends_value(token: tuple[str | None, str]) -> bool:
    group, text = token
    if group == "name":
        return text.lower() not in _FUNCTION_NAMES  # "sqrt (2)" is a call
    return group == "number" or text in (")", "]")


def _starts_value(token: tuple[str | None, str], after: tuple[str | None, str] | None, split_signs: bool) -> bool:
    group, text = token
    if group in ("number", "name") or text in ("(", "["):
        return True
    return split_signs and text in ("-", "+") and after is not None and after[0] != "space"


def _split_top_level(source: str, separators: str) -> list[str]:
    """Split at separators outside brackets; blank pieces dropped."""
    pieces, depth, start = [], 0, 0
    for index, ch in enumerate(source):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch in separators and depth == 0:
            pieces.append(source[start:index])
            start = index + 1
    pieces.append(source[start:])
    return [piece for piece in pieces if piece.strip()]


def _unwrap_brackets(text: str) -> str | None:
    """The inside of ``[...]`` when the first bracket closes at the very end."""
    if not (text.startswith("[") and text.endswith("]")):
        return None
    depth = 0
    for index, ch in enumerate(text):
        depth += ch in "(["
        depth -= ch in ")]"
        if depth == 0:
            return text[1:-1] if index == len(text) - 1 else None
    return None


def _check_brackets(source: str, shown: str) -> None:
    """A clearer message than Python's for the commonest typo."""
    stack: list[str] = []
    for ch in source:
        if ch in "([":
            stack.append(ch)
        elif ch in ")]":
            if not stack or stack.pop() != _OPENING[ch]:
                raise _Problem(f"unbalanced brackets in {_quote(shown)}")
    if stack:
        raise _Problem(f"unbalanced brackets in {_quote(shown)}")


_OPENING = {")": "(", "]": "["}


def _quote(text: str) -> str:
    """The student's text shortened and escaped so the message stays one line."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


# --- parsing and checking the tree -------------------------------------------------


def _read(source: str, shown: str) -> Number | list:
    """Parse (never execute), check against the whitelist, then evaluate."""
    _check_brackets(source, shown)
    try:
        with warnings.catch_warnings():  # e.g. SyntaxWarning for "1in": noise, or an error under -W error
            warnings.simplefilter("ignore")
            tree = ast.parse(source.strip(), mode="eval")  # leading space is an "indent" to Python
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError, Warning):
        raise _Problem(f"could not read {_quote(shown)}") from None
    _check_tree(tree.body)
    try:
        return _evaluate(tree.body, list_depth=0)
    except ZeroDivisionError:
        raise _Problem("cannot evaluate: division by zero") from None
    except OverflowError:
        raise _Problem("cannot evaluate: the number is too large") from None
    except (ValueError, ArithmeticError, RecursionError):
        raise _Problem(f"cannot evaluate {_quote(shown)}") from None


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
            raise _Problem("expression too long")
        if depth > MAX_DEPTH:
            raise _Problem("expression nested too deeply")
        for child in _allowed_children(node):
            stack.append((child, depth + 1))
        if isinstance(node, (ast.List, ast.Tuple)):
            values += sum(not isinstance(item, (ast.List, ast.Tuple)) for item in node.elts)
            if values > MAX_VALUES:
                raise _Problem(f"too many values (at most {MAX_VALUES})")


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
            raise _Problem(f"operator {_OPERATOR_SYMBOLS.get(type(node.op), '?')} is not allowed")
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _Problem(f"operator {_OPERATOR_SYMBOLS.get(type(node.op), '?')} is not allowed")
        return [node.operand]
    if isinstance(node, ast.Call):
        _check_call(node)
        return [node.args[0]]
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    description = _NODE_DESCRIPTIONS.get(type(node), type(node).__name__)
    raise _Problem(f"{description} is not allowed in an answer")


def _check_constant(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, (str, bytes)):
            raise _Problem("text in quotes is not a number")
        if isinstance(value, complex):
            raise _Problem("complex numbers are not allowed")
        raise _Problem(f"{value!r} is not a number")


def _check_name(name: str) -> None:
    lowered = name.lower()
    if lowered in _FUNCTION_NAMES:
        raise _Problem(f"{lowered} needs its argument in parentheses, as in {lowered}(2)")
    if lowered not in _CONSTANTS:
        allowed = ", ".join((*_CONSTANTS, *_FUNCTION_NAMES))
        raise _Problem(f"unknown name {_quote(name)} (allowed: {allowed})")


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id.lower() not in _FUNCTION_NAMES:
        raise _Problem(f"only {', '.join(_FUNCTION_NAMES)} can be applied to a value")
    name = node.func.id.lower()
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise _Problem(f"{name} takes exactly one value, as in {name}(2)")


# --- evaluation ------------------------------------------------------------------


def _evaluate(node: ast.AST, list_depth: int) -> Number | list:
    """A number, or (nested at most twice) lists of numbers. The tree is already checked."""
    if isinstance(node, (ast.List, ast.Tuple)):
        if list_depth >= 2:
            raise _Problem("lists nested more than two deep")
        return [_evaluate(item, list_depth + 1) for item in node.elts]
    return _number(node)


def _number(node: ast.AST) -> Number:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))  # _check_constant let only int and float literals through
        return _literal(node.value)
    if isinstance(node, ast.Name):
        return _CONSTANTS[node.id.lower()]
    if isinstance(node, ast.UnaryOp):
        value = _number(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_number(node.left), _number(node.right))
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id.lower()](_number(node.args[0]))  # type: ignore[attr-defined]
    if isinstance(node, (ast.List, ast.Tuple)):
        raise _Problem("a list cannot be part of a calculation")
    raise _Problem("this expression is not allowed")  # unreachable after _check_tree


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
        raise _Problem("cannot evaluate: a negative number to a fractional power")
    if exponent * math.log2(abs(base)) > MAX_POWER_BITS:  # checked before computing
        raise OverflowError
    return _finite(math.pow(base, exponent))


def _sqrt(value: Number) -> Number:
    if value < 0:
        raise _Problem("cannot evaluate: square root of a negative number")
    if isinstance(value, Fraction):
        top, bottom = math.isqrt(value.numerator), math.isqrt(value.denominator)
        if top * top == value.numerator and bottom * bottom == value.denominator:
            return Fraction(top, bottom)
    return math.sqrt(float(value))


def _logarithm(log: Callable[[Any], float]) -> Callable[[Number], float]:
    """An exact value too small for a float is logged as numerator and denominator, so it does not underflow."""

    def apply(value: Number) -> float:
        if value <= 0:
            raise _Problem("cannot evaluate: logarithm of zero or a negative number")
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


def _public_number(value: Number) -> int | float:
    """What callers see: int when exactly integral, else float (JSON-able, no Fraction)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return int(value.numerator)
        try:
            return _finite(float(value)) + 0.0
        except OverflowError:
            raise _Problem("cannot evaluate: the number is too large") from None
    nearest = round(value)
    if nearest != 0 and abs(nearest) < 2**53 and abs(value - nearest) <= _SNAP_REL * abs(nearest):
        return int(nearest)
    return value + 0.0  # turns -0.0 into 0.0


# --- judging -----------------------------------------------------------------------


def _judge(given: Any, expected: Any, spec: "AnswerSpec") -> Verdict:
    judges = {
        "integer": _judge_integer,
        "real": _judge_real,
        "vector": _judge_vector,
        "matrix": _judge_matrix,
        "text": _judge_text,
    }
    _require_kind(spec.kind)
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
    return abs(float(given) - float(expected)) <= allowed * (1 + _BOUNDARY_SLACK)


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
    given_text = _normalise_text(str(given))
    correct = given_text == _normalise_text(str(expected))
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
    return _quote(str(value))
