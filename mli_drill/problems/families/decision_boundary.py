"""The decision boundary of a linear classifier (logistic regression) on two features.

A weight row ``[w0, w1, w2]`` scores a point x = (x1, x2) as z = w0 + w1·x1 + w2·x2
(w0 is the bias). With two classes there is one row: P(class 1 | x) = σ(z), the
predicted class is 1 when σ(z) ≥ 0.5, i.e. z ≥ 0, and the boundary is the line
z = 0. With one-vs-rest weights for three classes there is one row per class and
the class with the largest score wins (the 2021 past paper's "decision boundaries").

``intercepts`` asks where the boundary w0 + w1·x1 + w2·x2 = 0 meets the axes,
answered as [x1-intercept, x2-intercept] = [−w0/w1, −w0/w2]; ``slope`` asks for
dx2/dx1 along it, −w1/w2.

Params (JSON), typed as :class:`Params`::

    {"weights": [[w0, w1, w2], ...], "ask": "intercepts" | "slope" | "class" | "probability",
     "point": [x1, x2]}      # point only for class and probability
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Literal

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import fmt, format_vector

Ask = Literal["intercepts", "slope", "class", "probability"]
ASKS: tuple[Ask, ...] = ("intercepts", "slope", "class", "probability")
Row = list[Fraction]
Weights = tuple[float, float, float]  # [w0, w1, w2]; w0 is the bias


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def score(row: Row, point: list[Fraction]) -> Fraction:
    return row[0] + row[1] * point[0] + row[2] * point[1]


# --------------------------------------------------------------------------- params


@lru_cache(maxsize=512)
def _exact(value: int | float) -> Fraction:
    """A weight or coordinate as the decimal it is written as (cached: the sampler parses every draw,
    and a level's values are few; 1 and 1.0 share an entry, and are the same number)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


@dataclass(frozen=True)
class Params:
    weights: tuple[Weights, ...]  # one row (two classes) or three rows (one-vs-rest, ``class`` only)
    ask: Ask
    point: tuple[float, float] | None = optional()  # [x1, x2]: class, probability

    def __post_init__(self) -> None:
        require(len(self.weights) in (1, 3), "weights",
                "must be one row [w0, w1, w2] (two classes) or three rows (one-vs-rest)")
        require(all(math.isfinite(w) for row in self.weights for w in row), "weights", "must be finite numbers")
        ask = self.ask
        require(ask == "class" or len(self.weights) == 1, "weights",
                f"ask {ask!r} needs the single weight row of a two-class classifier")
        w0, w1, w2 = self.rows[0]
        require(ask != "intercepts" or (w1 != 0 and w2 != 0 and w0 != 0), "weights",
                "intercepts need w1 and w2 non-zero (else the boundary never meets an axis) and w0 ≠ 0")
        require(ask != "slope" or w2 != 0, "weights", "with w2 = 0 the boundary is vertical and has no slope")
        if ask in ("class", "probability"):
            require(self.point is not None, "point", f"must be [x1, x2] when ask is {ask!r}")
            require(all(math.isfinite(v) for v in self.point or ()), "point", "must be finite numbers")
            scores = sorted(score(row, self.exact_point) for row in self.rows)
            require(len(scores) == 1 or scores[-1] != scores[-2], "point",
                    "two classes tie for the largest score at this point")
        else:
            require(self.point is None, "point", f"is only used when ask is class or probability, not {ask!r}")

    @cached_property
    def rows(self) -> list[Row]:
        """The weights as the exact decimals they are written as."""
        return [[_exact(w) for w in row] for row in self.weights]

    @cached_property
    def exact_point(self) -> list[Fraction]:
        """The point as exact decimals; [] for the asks that take none."""
        return [_exact(v) for v in self.point] if self.point is not None else []


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    asks: tuple[Ask, ...] = ASKS  # what is asked (one drawn per instance)
    weight_range: tuple[float, float] = (-4, 4)  # [low, high] of every weight
    steps: tuple[float, ...] = (1,)  # every weight is a multiple of one of these
    point_range: tuple[int, int] = (-3, 3)  # [low, high] of the point's coordinates (integers)
    max_abs_z: float = 3  # largest |z| at the point of a probability question
    multiclass_probability: float = 0.0  # chance that a class question has three one-vs-rest rows

    def __post_init__(self) -> None:
        require(bool(self.asks), "asks", "must name at least one ask")
        require(self.weight_range[0] < self.weight_range[1], "weight_range", "must be [low, high] with low < high")
        require(bool(self.steps) and min(self.steps) > 0, "steps", "must be a non-empty list of positive numbers")
        require(self.point_range[0] <= self.point_range[1], "point_range", "must be [low, high] with low <= high")
        require(self.max_abs_z > 0, "max_abs_z", "must be positive")
        require(0 <= self.multiclass_probability <= 1, "multiclass_probability", "must be between 0 and 1")


# --------------------------------------------------------------------------- solving


def _num(value: Fraction) -> str:
    """A weight, coordinate or score as the question writes it: decimals (-4.5), as in the params."""
    return fmt(float(value))


def _text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator} = {fmt(float(value))}"


def _signed(value: Fraction) -> str:
    return _num(value) if value >= 0 else f"({_num(value)})"


def _score_line(row: Row, point: list[Fraction], name: str = "z") -> str:
    w0, w1, w2 = row
    return (f"{name} = w0 + w1·x1 + w2·x2 = {_num(w0)} + {_signed(w1)}·{_signed(point[0])} + "
            f"{_signed(w2)}·{_signed(point[1])} = {_num(score(row, point))}")


def solve(params: Params) -> Solution:
    rows, ask, point = params.rows, params.ask, params.exact_point
    w0, w1, w2 = rows[0]
    boundary = f"The boundary is where z = 0: {_num(w0)} + {_signed(w1)}·x1 + {_signed(w2)}·x2 = 0."
    if ask == "intercepts":
        x1, x2 = -w0 / w1, -w0 / w2
        steps = [
            boundary,
            f"On the x1-axis x2 = 0: {_signed(w1)}·x1 = {_num(-w0)}, so x1 = −w0/w1 = {_text(x1)}.",
            f"On the x2-axis x1 = 0: {_signed(w2)}·x2 = {_num(-w0)}, so x2 = −w0/w2 = {_text(x2)}.",
        ]
        return Solution(answer=[float(x1), float(x2)], steps=steps, kind="vector",
                        display=f"[{fmt_exact(x1)}, {fmt_exact(x2)}]")
    if ask == "slope":
        slope = -w1 / w2
        steps = [
            boundary,
            f"Solve for x2: x2 = −(w0 + w1·x1)/w2, a line with slope −w1/w2 = −({_num(w1)})/({_num(w2)}) = {_text(slope)}.",
        ]
        return Solution(answer=float(slope), steps=steps, kind="real", display=fmt_exact(slope))
    if ask == "probability":
        z = score(rows[0], point)
        p = sigmoid(float(z))
        steps = [_score_line(rows[0], point), f"P(class 1 | x) = σ(z) = 1/(1 + e^(−z)) = 1/(1 + e^({_num(-z)})) = {fmt(p)}."]
        return Solution(answer=p, steps=steps, kind="real", display=fmt(p))
    if len(rows) == 1:
        z = score(rows[0], point)
        label = 1 if z >= 0 else 0
        steps = [_score_line(rows[0], point),
                 f"σ(z) ≥ 0.5 exactly when z ≥ 0; z = {_num(z)} {'≥' if z >= 0 else '<'} 0, so the class is {label}."]
        return Solution(answer=label, steps=steps, kind="integer")
    scores = [score(row, point) for row in rows]
    winner = max(range(3), key=lambda c: scores[c])
    steps = [
        "One-vs-rest: score every class with its own weights; the largest score wins.",
        "\n".join(_score_line(row, point, f"z{c}") for c, row in enumerate(rows)),
        f"The largest is z{winner} = {_num(scores[winner])}, so the class is {winner}.",
    ]
    return Solution(answer=winner, steps=steps, kind="integer")


def fmt_exact(value: Fraction) -> str:
    """``-5/2`` or ``3``: a fraction as a student would write it."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def question_fields(params: Params) -> dict[str, str]:
    rows, ask, point = params.rows, params.ask, params.exact_point
    fields: dict[str, str] = {"variant": ask if len(rows) == 1 else "multiclass"}
    if len(rows) == 1:
        w0, w1, w2 = rows[0]
        fields["weights"] = f"w0 = {_num(w0)} (bias), w1 = {_num(w1)}, w2 = {_num(w2)}"
    else:
        fields["weights"] = "\n".join(
            f"  class {c}: [w0, w1, w2] = {format_vector(float(w) for w in row)}" for c, row in enumerate(rows)
        )
    if point:
        fields["point"] = f"({_num(point[0])}, {_num(point[1])})"
    return fields


# --------------------------------------------------------------------------- sampling


def _weight(rng: random.Random, level: Level) -> int | float:
    low, high = level.weight_range
    step = rng.choice(level.steps)
    value = rng.randint(int(low / step), int(high / step)) * step
    return int(value) if float(value).is_integer() else value


def sample(rng: random.Random, level: Level) -> Params:
    ask = rng.choice(level.asks)
    multiclass = ask == "class" and rng.random() < level.multiclass_probability
    rejections = Rejections()
    while True:
        count = 3 if multiclass else 1
        weights = tuple((_weight(rng, level), _weight(rng, level), _weight(rng, level)) for _ in range(count))
        point = None
        if ask in ("class", "probability"):
            low, high = level.point_range
            point = (rng.randint(low, high), rng.randint(low, high))
        try:
            params = Params(weights, ask, point)
        except InvalidParams:  # degenerate (a zero weight where the ask divides by it, a tie)
            params = None
        if params is not None and _acceptable(params, level):
            return params
        rejections.again()


def _acceptable(params: Params, level: Level) -> bool:
    """Non-zero weights, hand-sized answers, no score exactly 0, and slips that differ from the answer."""
    rows, ask, point = params.rows, params.ask, params.exact_point
    if any(w == 0 for row in rows for w in row[1:]) or rows[0][0] == 0:
        return False
    w0, w1, w2 = rows[0]
    if ask == "intercepts":
        return (-w0 / w1).denominator <= 4 and (-w0 / w2).denominator <= 4 and -w0 / w1 != -w0 / w2
    if ask == "slope":
        return abs(w1) != abs(w2) and (-w1 / w2).denominator <= 4
    scores = [score(row, point) for row in rows]
    if any(z == 0 for z in scores):
        return False
    if ask == "probability":
        return abs(scores[0]) <= level.max_abs_z
    if len(rows) == 3:  # the winner must not be the class with the largest bias alone: the point matters
        return max(range(3), key=lambda c: scores[c]) != max(range(3), key=lambda c: rows[c][0])
    return True


# --------------------------------------------------------------------------- mistakes


def _intercept_slip(swapped: bool = False, sign: int = -1):
    def answer(params: Params) -> list[float] | None:
        if params.ask != "intercepts":
            return None
        w0, w1, w2 = params.rows[0]
        x1, x2 = sign * w0 / w1, sign * w0 / w2
        return [float(x2), float(x1)] if swapped else [float(x1), float(x2)]

    return answer


def _intercept_sign_message(params: Params) -> str:
    w0, w1, _ = params.rows[0]
    return (f"you dropped the minus sign: on the x1-axis w1·x1 + w0 = 0, so x1 = −w0/w1 = "
            f"−({_num(w0)})/({_num(w1)}) = {fmt_exact(-w0 / w1)}")


def _intercepts_swapped_message(params: Params) -> str:
    return "you swapped the intercepts: the x1-intercept (where x2 = 0) is −w0/w1, and comes first"


def _slope_slip(inverted: bool = False, sign: int = -1):
    def answer(params: Params) -> float | None:
        if params.ask != "slope":
            return None
        _, w1, w2 = params.rows[0]
        return float(sign * (w2 / w1 if inverted else w1 / w2))

    return answer


def _slope_sign_message(params: Params) -> str:
    _, w1, w2 = params.rows[0]
    return (f"you dropped the minus sign: x2 = −(w0 + w1·x1)/w2, so the slope is −w1/w2 = "
            f"−({_num(w1)})/({_num(w2)}) = {fmt_exact(-w1 / w2)}")


def _slope_inverted_message(params: Params) -> str:
    return "you took −w2/w1, dx1/dx2: the slope of the line x2 = f(x1) is dx2/dx1 = −w1/w2"


def _probability_slip(bias: bool = True, squash: bool = True):
    def answer(params: Params) -> float | None:
        if params.ask != "probability":
            return None
        row = params.rows[0] if bias else [Fraction(0), *params.rows[0][1:]]
        z = score(row, params.exact_point)
        return sigmoid(float(z)) if squash else float(z)

    return answer


def _forgot_bias_message(params: Params) -> str:
    w0 = params.rows[0][0]
    return f"you left out the bias: z = w0 + w1·x1 + w2·x2 includes w0 = {_num(w0)}"


def _logit_message(params: Params) -> str:
    return (f"you gave the score z = {_num(score(params.rows[0], params.exact_point))}: the probability is σ(z) = 1/(1 + e^(−z)), "
            f"between 0 and 1")


MISTAKES = (
    Mistake("intercept-sign", _intercept_slip(sign=1), _intercept_sign_message),
    Mistake("intercepts-swapped", _intercept_slip(swapped=True), _intercepts_swapped_message),
    Mistake("slope-sign", _slope_slip(sign=1), _slope_sign_message),
    Mistake("slope-inverted", _slope_slip(inverted=True), _slope_inverted_message),
    Mistake("forgot-bias", _probability_slip(bias=False), _forgot_bias_message),
    Mistake("logit-for-probability", _probability_slip(squash=False), _logit_message),
)
