"""The bounds on an answer, the names it may use, its kinds, and the two errors of the answer checker.

The bottom of ``mli_drill.problems.answers``: every other module of the
package imports from here, and this imports none of them.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Union

from mli_drill.exceptions import MliDrillError
from mli_drill.problems.families.base import ANSWER_KINDS

MAX_CHARS = 1000  # longer text is not an answer anyone types
MAX_NODES = 2000  # syntax-tree nodes (operators and contexts included)
MAX_DEPTH = 60  # nesting of the syntax tree; real answers need < 15
MAX_VALUES = 400  # numbers in a vector or matrix (a 20x20 grid)
MAX_EXACT_BITS = 4096  # larger exact fractions continue as floats (bounds the cost)
MAX_POWER_BITS = 1100  # 2**1100 is beyond the float range: such powers cannot be answers
SNAP_REL = 1e-12  # float noise tolerated when snapping an inexact result to an integer
BOUNDARY_SLACK = 1e-9  # lets a value exactly on the tolerance edge pass despite rounding

Number = Union[Fraction, float]  # Fraction = exact so far, float = inexact

FUNCTION_NAMES = ("sqrt", "ln", "log", "log2", "log10", "exp")
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
NAMES = (*CONSTANTS, *FUNCTION_NAMES)  # every name an answer may use (the command line reads "-ln(2)" as a value)


class AnswerSyntaxError(MliDrillError, ValueError):
    """The text cannot be read as an answer of the requested kind.

    ``str(error)`` is one line: what is wrong, then an example of the accepted
    form, so the interface can show it as is and let the student retype.
    """


class Unreadable(Exception):
    """Internal: what is wrong, before the kind's example is appended."""


def require_kind(kind: str) -> None:
    """Raise ValueError for a kind that is not one of ``ANSWER_KINDS``."""
    if kind not in ANSWER_KINDS:
        raise ValueError(f"unknown answer kind {kind!r}; expected one of {', '.join(ANSWER_KINDS)}")
