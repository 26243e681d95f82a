"""LaTeX math in cards, read as Unicode the way a typesetter would set it.

Decks write math as LaTeX between dollars. A terminal has no math fonts, so
each span becomes one line of Unicode with the two things that make a formula
read right:

- **Grouping.** ``RF_{n-1}`` is ``RFₙ₋₁``, never ``RF_n-1`` (which reads as
  RF_n minus 1): a sub- or superscript uses Unicode script characters when
  every character has one, else ``_x`` for a single character and ``_(…)``
  for more. A fraction's parts are parenthesised unless they are one term
  (``\\frac{2TP}{2TP+FP+FN}`` is ``2TP/(2TP+FP+FN)``).
- **Spacing.** Each piece is an atom of one of TeX's classes (ordinary,
  operator such as ∑ or ln, binary operator, relation, opening and closing
  bracket, punctuation) and the space between two atoms follows TeX's table:
  one space around relations and binary operators, none inside brackets, a
  space between an operator name and its operand (``log D``), and the
  author's own spacing where TeX would put only a thin space or none (``W z``,
  ``p(x | y)``, ``a / b``). A ``-`` after an opening bracket, a relation or
  another operator is a sign, not a binary minus. As in TeX's inline
  fractions and scripts, the parts of a fraction keep the author's spacing
  around operators and scripts are set tight.

pylatexenc parses the LaTeX and names the symbols (``\\alpha`` → α); this
module decides the layout, which pylatexenc's own text conversion does not
(it drops braces and the space after a command). No rich here: worksheets use
it too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

MATH = re.compile(r"\$(.+?)\$", re.DOTALL)

SUPERSCRIPTS = dict(zip(
    "0123456789+-−=()abcdefghijklmnoprstuvwxyzTαβγδθ",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀᵅᵝᵞᵟᶿ",
))
SUBSCRIPTS = dict(zip(
    "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
    "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
))
SCRIPT_CHARACTERS = "".join(SUPERSCRIPTS.values()) + "".join(SUBSCRIPTS.values())

RELATIONS = set("=<>≤≥≠≈≡∼≃≅∝→←↔⇒⇐⇔↦⟶⟵⟹∈∉∋⊂⊃⊆⊇≪≫∣≺≻⊥∥") | {":="}
BINARY = set("+-−×·±∓∩∪∘⊕⊗∧∨∖⋅*∗⊙")
OPENING = set("([{⌊⌈⟨")
CLOSING = set(")]}⌋⌉⟩")
PUNCTUATION = set(",;:")
LARGE_OPERATORS = set("∑∏∫∮⋂⋃∐")
FUNCTIONS = (
    "ln", "log", "lg", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan",
    "max", "min", "sup", "inf", "lim", "arg", "det", "dim", "ker", "deg", "gcd", "Pr",
)
DELIMITERS = {
    "lVert": ("‖", "open"), "rVert": ("‖", "close"), "lvert": ("|", "open"), "rvert": ("|", "close"),
    "lfloor": ("⌊", "open"), "rfloor": ("⌋", "close"), "lceil": ("⌈", "open"), "rceil": ("⌉", "close"),
    "langle": ("⟨", "open"), "rangle": ("⟩", "close"), "{": ("{", "open"), "}": ("}", "close"),
}
FENCES = {"|": "‖", "Vert": "‖", "vert": "|"}  # \| x \|: bars that open and close in pairs, like brackets
SPACES = {",": True, ";": True, ":": True, " ": True, "quad": True, "qquad": True, "!": False}
TEXT_MACROS = {"text", "textrm", "textit", "textbf", "textsf", "texttt", "mbox", "hbox"}
FONT_MACROS = {"mathrm", "operatorname", "mathit", "mathbf", "mathsf", "mathtt", "boldsymbol", "bm"}
FRACTIONS = {"frac", "dfrac", "tfrac"}
ATTACHED = {"∂", "∇"}  # ∂L, ∇f: the space that ends the command is not the author's


@dataclass(frozen=True)
class Atom:
    """One piece of a formula: its text, its TeX class and whether the source had a space before it.

    ``kind`` is ord, op, bin, rel, open, close, punct, slash (``/``, spaced
    as its author wrote it, the same on both sides), text (``\\text{ if }``,
    whose own spaces count) or fence (``\\|``, paired into open and close).
    """

    text: str
    kind: str = "ord"
    gap: bool = False
    sign: bool = False  # a bin that is a sign (-x), set when laid out


def latex_to_unicode(text: str) -> str:
    """Replace each ``$...$`` span by its Unicode reading; leave other text alone."""
    return MATH.sub(lambda match: math_to_unicode(match.group(1)), text)


@lru_cache(maxsize=4096)
def math_to_unicode(source: str) -> str:
    """One math span (without its dollars) as one line of Unicode; the source itself if it does not parse."""
    from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

    try:
        nodes, _, _ = LatexWalker(source, latex_context=_context(), tolerant_parsing=False).get_latex_nodes()
        return _Typesetter().layout(nodes, "text").strip()
    except (LatexWalkerError, IndexError, AttributeError, TypeError, ValueError):
        return source


@lru_cache(maxsize=1)
def _context() -> Any:
    from pylatexenc.latexwalker import get_default_latex_context_db

    return get_default_latex_context_db()


@lru_cache(maxsize=1)
def _symbols() -> Any:
    """pylatexenc's own converter, used only to name a symbol or accent (``\\alpha`` → α, ``\\hat{x}`` → x̂)."""
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


class _Typesetter:
    """Turns pylatexenc nodes into atoms and atoms into a spaced line."""

    def layout(self, nodes: list[Any], style: str) -> str:
        """``style`` is text (a formula), fraction (a fraction's part) or script (a sub/superscript)."""
        return _join(self.atoms(nodes, style), style)

    def atoms(self, nodes: list[Any], style: str) -> list[Atom]:
        tokens = _tokens(nodes)
        atoms: list[Atom] = []
        gap = False
        index = 0
        while index < len(tokens):
            token = tokens[index]
            index += 1
            if _is(token, " "):
                gap = True
                continue
            if _is(token, "_") or _is(token, "^"):
                operand, index = _operand(tokens, index)
                script = self._script(token, operand)
                if atoms:
                    atoms[-1] = replace(atoms[-1], text=atoms[-1].text + script)
                else:
                    atoms.append(Atom(script, gap=gap))
                gap = bool(getattr(operand, "macro_post_space", ""))  # ∇_\theta L: that space is the author's
                continue
            made, trailing = self._atoms_of(token, style)
            if made:
                atoms.append(replace(made[0], gap=made[0].gap or gap))
                atoms.extend(made[1:])
                gap = trailing
            else:
                gap = gap or trailing
        return _pair_fences(_merge_colon_equals(atoms))

    def _atoms_of(self, token: Any, style: str) -> tuple[list[Atom], bool]:
        """The atoms of one token (a character or a node) and whether a space follows it."""
        if isinstance(token, str):
            return [Atom(token, _char_kind(token))], False
        name = type(token).__name__
        if name == "LatexGroupNode":
            return self.atoms(token.nodelist, style), False
        if name == "LatexMacroNode":
            return self._macro(token, style)
        text = _symbols().node_to_text(token)
        return ([Atom(text.strip(), _char_kind(text.strip()))] if text.strip() else []), bool(text) and text[-1:].isspace()

    def _macro(self, node: Any, style: str) -> tuple[list[Atom], bool]:
        name = node.macroname
        spaced = bool(node.macro_post_space)
        args = [arg for arg in (node.nodeargd.argnlist if node.nodeargd else []) if arg is not None]
        if name in SPACES:
            return [], SPACES[name]
        if name in ("left", "right", "middle", "big", "Big", "bigl", "bigr", "Bigl", "Bigr", "displaystyle"):
            return [], False
        if name in DELIMITERS:
            text, kind = DELIMITERS[name]
            return [Atom(text, kind)], spaced
        if name in FENCES:
            return [Atom(FENCES[name], "fence")], spaced
        if name in FRACTIONS and len(args) >= 2:
            parts = [_grouped(self.layout(_nodes_of(arg), "fraction")) for arg in args[-2:]]
            return [Atom("/".join(parts))], spaced
        if name == "sqrt" and args:
            root = _grouped(self.layout(_nodes_of(args[-1]), "text"))
            index = self.layout(_nodes_of(args[0]), "script") if len(args) > 1 else ""
            return [Atom(_script_text("^", index) + "√" + root if index else "√" + root)], spaced
        if name in FUNCTIONS:
            return [Atom(name, "op")], spaced
        if name in TEXT_MACROS and args:
            raw = _symbols().nodelist_to_text(_nodes_of(args[-1]))
            return [Atom(raw.strip(), "text", gap=raw[:1].isspace())], spaced or raw[-1:].isspace()
        if name in FONT_MACROS and args:
            inner = self.layout(_nodes_of(args[-1]), style)
            return [Atom(inner, "op" if len(inner) > 1 and inner.isalpha() else "ord")], spaced
        text = _symbols().node_to_text(node).strip()
        if not text:
            return [], spaced
        return [Atom(text, _char_kind(text))], spaced and text not in ATTACHED

    def _script(self, mark: str, operand: Any) -> str:
        if operand is None:
            return mark
        if isinstance(operand, str):
            text = operand
        elif type(operand).__name__ == "LatexGroupNode":
            text = self.layout(operand.nodelist, "script")
        else:
            text = "".join(atom.text for atom in self._atoms_of(operand, "script")[0])
        return _script_text(mark, text)


def _tokens(nodes: list[Any]) -> list[Any]:
    """Characters (whitespace runs as one " ") and non-character nodes, in order."""
    tokens: list[Any] = []
    for node in nodes:
        if type(node).__name__ == "LatexCharsNode":
            for char in node.chars:
                if char.isspace():
                    if not (tokens and _is(tokens[-1], " ")):
                        tokens.append(" ")
                elif unicodedata.combining(char) and tokens and isinstance(tokens[-1], str):
                    tokens[-1] += char
                else:
                    tokens.append(char)
        elif type(node).__name__ != "LatexCommentNode":
            tokens.append(node)
    return tokens


def _is(token: Any, char: str) -> bool:
    """Whether a token is that character (pylatexenc's nodes cannot be compared with a string)."""
    return isinstance(token, str) and token == char


def _operand(tokens: list[Any], index: int) -> tuple[Any, int]:
    """A script's operand, TeX-style: the next token after any spaces (one character, a group or a command)."""
    while index < len(tokens) and _is(tokens[index], " "):
        index += 1
    if index >= len(tokens):
        return None, index
    return tokens[index], index + 1


def _nodes_of(arg: Any) -> list[Any]:
    return arg.nodelist if type(arg).__name__ == "LatexGroupNode" else [arg]


def _char_kind(text: str) -> str:
    if text in RELATIONS:
        return "rel"
    if text in BINARY:
        return "bin"
    if text in OPENING:
        return "open"
    if text in CLOSING:
        return "close"
    if text in PUNCTUATION:
        return "punct"
    if text in LARGE_OPERATORS:
        return "op"
    if text == "/":
        return "slash"
    return "ord"


def _merge_colon_equals(atoms: list[Atom]) -> list[Atom]:
    merged: list[Atom] = []
    for atom in atoms:
        if atom.text == "=" and not atom.gap and merged and merged[-1].text == ":":
            merged[-1] = Atom(":=", "rel", merged[-1].gap)
        else:
            merged.append(atom)
    return merged


def _pair_fences(atoms: list[Atom]) -> list[Atom]:
    """``\\| x \\|``: a bar and the next one open and close a norm (set tight, like brackets); a lone bar is ordinary."""
    paired = [replace(atom, kind="ord") if atom.kind == "fence" else atom for atom in atoms]
    fences = [index for index, atom in enumerate(atoms) if atom.kind == "fence"]
    for opening, closing in zip(fences[0::2], fences[1::2]):
        paired[opening] = replace(atoms[opening], kind="open")
        paired[closing] = replace(atoms[closing], kind="close")
    return paired


def _script_text(mark: str, text: str) -> str:
    """``_`` or ``^`` with its operand: Unicode scripts when each character has one, else grouped."""
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
    compact = text.replace(" ", "")
    if compact and all(char in table for char in compact):
        return "".join(table[char] for char in compact)
    if _one_unit(text) or _one_group(text):
        return mark + text
    return f"{mark}({text})"


def _one_unit(text: str) -> bool:
    """One character, with any accents on it (x̂ is one unit)."""
    return len(text) >= 1 and all(unicodedata.combining(char) for char in text[1:])


def _grouped(text: str) -> str:
    """Parenthesise a fraction part unless it is a single term (a number, a symbol, a product without spaces)."""
    if re.fullmatch(r"[\w.'√∂∇′" + SCRIPT_CHARACTERS + r"\u0300-\u036f]*", text) or _one_group(text):
        return text
    return f"({text})"


def _one_group(text: str) -> bool:
    """True for "(…)" whose first parenthesis closes at the very end."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _join(atoms: list[Atom], style: str) -> str:
    """Lay atoms out on one line with TeX's spacing (see the module docstring)."""
    atoms = _mark_signs(atoms)
    symmetric = [_symmetric_gap(atoms, index) for index in range(len(atoms))]
    out: list[str] = []
    for index, atom in enumerate(atoms):
        if index and _space(atoms[index - 1], atom, style, symmetric[index - 1], symmetric[index]):
            out.append(" ")
        out.append(atom.text)
    return "".join(out)


def _mark_signs(atoms: list[Atom]) -> list[Atom]:
    """A + or - with nothing to its left that it could be subtracted from is a sign."""
    marked: list[Atom] = []
    for atom in atoms:
        before = marked[-1] if marked else None
        if atom.kind == "bin" and (before is None or before.kind in ("open", "rel", "bin", "punct", "op")):
            atom = replace(atom, sign=True)
        marked.append(atom)
    return marked


def _symmetric_gap(atoms: list[Atom], index: int) -> bool:
    """For a slash (or an operator in a fraction's part): spaced on both sides if its author spaced either."""
    following = atoms[index + 1].gap if index + 1 < len(atoms) else False
    return atoms[index].gap or following


def _space(left: Atom, right: Atom, style: str, left_symmetric: bool, right_symmetric: bool) -> bool:
    """Whether one space goes between two neighbouring atoms."""
    if style == "script":
        return right.gap and left.kind in ("ord", "op", "punct", "close") and right.kind in ("ord", "op", "open")
    if left.kind == "open" or right.kind in ("close", "punct"):
        return False
    if left.sign:
        return False
    if left.kind == "punct":
        return left.text != ":" or right.gap  # a comma is followed by a space; f: X as written
    operator = {"rel", "bin"}
    if right.kind in operator and not right.sign:
        return right_symmetric if style == "fraction" else True
    if left.kind in operator:
        return left_symmetric if style == "fraction" else True
    if right.kind == "slash":
        return right_symmetric
    if left.kind == "slash":
        return left_symmetric
    if left.kind == "op":
        return right.gap if right.kind == "open" else True
    if right.kind == "op":
        return True if left.kind in ("ord", "close") else right.gap
    return right.gap
