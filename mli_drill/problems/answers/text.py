"""Text preparation: paper notation rewritten as the expression syntax that ``expression`` parses.

Nothing here evaluates anything: it cleans the text, rewrites symbols (×, −,
^, π, √, %), functions as the questions print them (``ln 2``, ``0.5ln5``) and
spaces between values as commas, and splits rows. Also the quoting of a
student's text in a message and the normalising of a text answer.
"""

from __future__ import annotations

import re

from mli_drill.problems.answers.limits import CONSTANTS, FUNCTION_NAMES, MAX_CHARS, Unreadable

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


def clean(text: str) -> str:
    """Length check, one kind of line break, ordinary spaces, surrounding space removed."""
    if len(text) > MAX_CHARS:
        raise Unreadable(f"answer too long ({len(text)} characters; at most {MAX_CHARS})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(" " if ch.isspace() and ch != "\n" else ch for ch in text).strip()
    if not text:
        raise Unreadable("empty answer")
    return text


def numeric_text(text: str, allow_percent: bool, space_multiplies: bool = False) -> str:
    """Rewrite paper notation (×, −, ^, π, √, %, ln 2, 2ln(2)) as the Python expression syntax we parse."""
    text = text.translate(_CHAR_MAP).replace("^", "**")
    text = _IMPLICIT_TIMES.sub("*", text).replace("π", "pi")
    text = _ROOT_OF_GROUP.sub("sqrt(", text)
    text = _ROOT_OF_ATOM.sub(r"sqrt(\1)", text)
    if "%" in text:
        if not allow_percent:
            raise Unreadable("a percentage does not fit a whole-number answer: type the number itself")
        text = _PERCENT.sub(r"(\1/100)", text)
        if "%" in text:
            raise Unreadable("'%' may only follow a number, as in 75%")
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
        if group == "name" and text.lower() in FUNCTION_NAMES:
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
                    raise Unreadable(f"write {name}({atom})^n or {name}({atom}^n): {name} {atom}^n reads either way")
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
    return group == "number" or (group == "name" and text.lower() in CONSTANTS)


def insert_gap_commas(source: str, split_signs: bool) -> str:
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
        return text.lower() not in FUNCTION_NAMES  # "sqrt (2)" is a call
    return group == "number" or text in (")", "]")


def _starts_value(token: tuple[str | None, str], after: tuple[str | None, str] | None, split_signs: bool) -> bool:
    group, text = token
    if group in ("number", "name") or text in ("(", "["):
        return True
    return split_signs and text in ("-", "+") and after is not None and after[0] != "space"


def split_top_level(source: str, separators: str) -> list[str]:
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


def unwrap_brackets(text: str) -> str | None:
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


def check_brackets(source: str, shown: str) -> None:
    """A clearer message than Python's for the commonest typo."""
    stack: list[str] = []
    for ch in source:
        if ch in "([":
            stack.append(ch)
        elif ch in ")]":
            if not stack or stack.pop() != _OPENING[ch]:
                raise Unreadable(f"unbalanced brackets in {quote(shown)}")
    if stack:
        raise Unreadable(f"unbalanced brackets in {quote(shown)}")


_OPENING = {")": "(", "]": "["}


def quote(text: str) -> str:
    """The student's text shortened and escaped so the message stays one line."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def normalise_text(text: str) -> str:
    """Case, surrounding whitespace/quotes and repeated spaces carry no meaning in a label."""
    stripped = text.strip().strip(_QUOTES + " \t\r\n").strip()
    return re.sub(r"\s+", " ", stripped).casefold()
