"""Reading a student's typed answer and judging it against the reference.

Students type answers the way they would write them on paper: ``3/4``,
``75%``, ``sqrt(5)``, ``2*ln(2)``, ``π/2``, ``[1/4, 1/4, 1/2]``, ``1 2; 3 4``,
and as the questions print them: ``ln 2``, ``1/2 ln(5)``, ``0.5ln5``.
Rejecting a right answer because of its form teaches nothing, so this module
accepts every reasonable form and only then compares values.

Safety: the text is never executed. It is parsed with ``ast.parse(mode="eval")``
(which only builds a tree), every node is checked against a small whitelist,
and the tree is evaluated by the walker in ``expression``. There is no ``eval``/``exec``
anywhere. Sizes are bounded before any arithmetic (input length, node count,
nesting depth, number of values, size of exact intermediate numbers, and the
magnitude of powers) so hostile input such as ``9**9**9`` fails fast.

Exactness: literals and ``+ - * / ^`` with integer exponents are evaluated with
``Fraction`` so ``24/2`` *is* 12 and ``0.1*30`` *is* 3 (integer answers are
compared exactly). Irrational functions and constants switch to floats; a float
result within 1e-12 (relative) of a non-zero integer is snapped to it, because
``exp(ln(5))`` is mathematically 5 and only rounding makes it 4.999999999999999.

Public API: ``parse_answer``, ``check``, ``matches``, ``example_for``,
``Verdict``, ``AnswerSyntaxError`` (and ``NAMES``, the names an answer may use).

The modules, bottom to top: ``limits`` (bounds, names, kinds, the errors),
``text`` (paper notation rewritten as expression syntax), ``expression``
(parsing, checking and evaluating the tree), ``kinds`` (one parser per answer
kind) and ``judge`` (comparing with the reference). The rest of mli_drill
imports from this package, never from those modules.

Layer: core. May import the foundation (``exceptions``), ``ANSWER_KINDS``
from ``problems.families.base`` and the standard library; ``spec`` only for
type hints. Never the store, services, ``render`` or ``cli``: an answer is
read and judged without a database or a screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mli_drill.problems.answers.judge import Verdict, judge_answer
from mli_drill.problems.answers.kinds import PARSERS
from mli_drill.problems.answers.limits import NAMES, AnswerSyntaxError, Unreadable, require_kind

if TYPE_CHECKING:  # only for type hints: keeps this module free of start-up cost
    from mli_drill.problems.spec import AnswerSpec

__all__ = ["NAMES", "AnswerSyntaxError", "Verdict", "check", "example_for", "matches", "parse_answer"]

_EXAMPLES = {
    "integer": "12  (24/2 and 2^2*3 work too)",
    "real": "0.75  (3/4, 75%, 7.5e-1, sqrt(5)/2, 2*ln(2), pi/2 work too)",
    "vector": "[0.25, 0.25, 0.5]  (0.25 0.25 0.5 and [1/4, 1/4, 1/2] work too)",
    "matrix": "[[1, 2], [3, 4]]  (1 2; 3 4 works too)",
    "text": "dice  (one word or label; case does not matter)",
}


# --- public API ---------------------------------------------------------------


def example_for(kind: str) -> str:
    """The one-line example of the accepted form, used in error messages."""
    require_kind(kind)
    return _EXAMPLES[kind]


def parse_answer(text: str, kind: str) -> Any:
    """Read ``text`` as an answer of ``kind``; raise AnswerSyntaxError if impossible.

    Returns int/float for integer and real, a list of numbers for vector, a
    list of rows or a flat row-major list for matrix (the flat form is
    reshaped when the expected shape is known), and a normalised str for text.
    """
    require_kind(kind)
    if not isinstance(text, str):
        raise TypeError(f"answer text must be a str, not {type(text).__name__}")
    try:
        return PARSERS[kind](text)
    except Unreadable as problem:
        raise AnswerSyntaxError(f"{problem}; e.g. {example_for(kind)}") from None


def check(text: str, expected: Any, spec: "AnswerSpec") -> Verdict:
    """Parse ``text`` for ``spec.kind`` and judge it (AnswerSyntaxError if unreadable)."""
    return judge_answer(parse_answer(text, spec.kind), expected, spec)


def matches(given: Any, expected: Any, spec: "AnswerSpec") -> bool:
    """Whether an already-parsed value is right, by the same rules as ``check``."""
    return judge_answer(given, expected, spec).correct
