"""The decision boundary of a linear classifier (logistic regression) on two features.

A weight row ``[w0, w1, w2]`` scores a point x = (x1, x2) as z = w0 + w1·x1 + w2·x2
(w0 is the bias). With two classes there is one row: P(class 1 | x) = σ(z), the
predicted class is 1 when σ(z) ≥ 0.5, i.e. z ≥ 0, and the boundary is the line
z = 0. With one-vs-rest weights for three classes there is one row per class and
the class with the largest score wins (the 2021 past paper's "decision boundaries").

``intercepts`` asks where the boundary w0 + w1·x1 + w2·x2 = 0 meets the axes,
answered as [x1-intercept, x2-intercept] = [−w0/w1, −w0/w2]; ``slope`` asks for
dx2/dx1 along it, −w1/w2.

Params (JSON)::

    {"weights": [[w0, w1, w2], ...], "ask": "intercepts" | "slope" | "class" | "probability",
     "point": [x1, x2]}      # point only for class and probability
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from functools import lru_cache
from typing import Any

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import fmt, format_vector

ASKS = ("intercepts", "slope", "class", "probability")
Row = list[Fraction]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def score(row: Row, point: list[Fraction]) -> Fraction:
    return row[0] + row[1] * point[0] + row[2] * point[1]


# --------------------------------------------------------------------------- params


def _number(value: Any, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidParams(f"{what} must be a finite number, got {value!r}")
    return _exact(value)


@lru_cache(maxsize=512)
def _exact(value: int | float) -> Fraction:
    """A weight or coordinate as the decimal it is written as (cached: the sampler parses every draw,
    and a level's values are few; 1 and 1.0 share an entry, and are the same number)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def parse(params: Any) -> tuple[list[Row], str, list[Fraction]]:
    """Validate params; the point is [] for the asks that take none."""
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping")
    weights = params.get("weights")
    if not isinstance(weights, list) or len(weights) not in (1, 3) or not all(
        isinstance(row, list) and len(row) == 3 for row in weights
    ):
        raise InvalidParams("weights must be one row [w0, w1, w2] (two classes) or three rows (one-vs-rest)")
    rows = [[_number(w, f"weights[{r}][{c}]") for c, w in enumerate(row)] for r, row in enumerate(weights)]
    ask = params.get("ask")
    if ask not in ASKS:
        raise InvalidParams(f"ask must be one of {', '.join(ASKS)}")
    if ask in ("intercepts", "slope", "probability") and len(rows) != 1:
        raise InvalidParams(f"ask {ask!r} needs the single weight row of a two-class classifier")
    w0, w1, w2 = rows[0]
    if ask == "intercepts" and (w1 == 0 or w2 == 0 or w0 == 0):
        raise InvalidParams("intercepts need w1 and w2 non-zero (else the boundary never meets an axis) and w0 ≠ 0")
    if ask == "slope" and w2 == 0:
        raise InvalidParams("with w2 = 0 the boundary is vertical and has no slope")
    point: list[Fraction] = []
    if ask in ("class", "probability"):
        raw = params.get("point")
        if not isinstance(raw, list) or len(raw) != 2:
            raise InvalidParams("point must be [x1, x2]")
        point = [_number(v, f"point[{n}]") for n, v in enumerate(raw)]
        scores = [score(row, point) for row in rows]
        if len(rows) == 3 and sorted(scores)[-1] == sorted(scores)[-2]:
            raise InvalidParams("two classes tie for the largest score at this point")
    elif params.get("point") is not None:
        raise InvalidParams(f"point is only used when ask is class or probability, not {ask!r}")
    return rows, ask, point


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


def solve(params: dict) -> Solution:
    rows, ask, point = parse(params)
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


def question_fields(params: dict) -> dict[str, str]:
    rows, ask, point = parse(params)
    fields = {"variant": ask if len(rows) == 1 else "multiclass"}
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


def _weight(rng: random.Random, level: dict) -> int | float:
    low, high = level.get("weight_range", [-4, 4])
    step = rng.choice(level.get("steps", [1]))
    value = rng.randint(int(low / step), int(high / step)) * step
    return int(value) if float(value).is_integer() else value


def sample(rng: random.Random, level: dict) -> dict:
    ask = rng.choice(level.get("asks", list(ASKS)))
    multiclass = ask == "class" and rng.random() < float(level.get("multiclass_probability", 0.0))
    rejections = Rejections()
    while True:
        count = 3 if multiclass else 1
        weights = [[_weight(rng, level) for _ in range(3)] for _ in range(count)]
        params: dict[str, Any] = {"weights": weights, "ask": ask}
        if ask in ("class", "probability"):
            low, high = level.get("point_range", [-3, 3])
            params["point"] = [rng.randint(low, high), rng.randint(low, high)]
        if _acceptable(params, level):
            return params
        rejections.again()


def _acceptable(params: dict, level: dict) -> bool:
    """Non-zero weights, hand-sized answers, no score exactly 0, and slips that differ from the answer."""
    try:
        rows, ask, point = parse(params)
    except InvalidParams:
        return False
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
        return abs(scores[0]) <= level.get("max_abs_z", 3)
    if len(rows) == 3:  # the winner must not be the class with the largest bias alone: the point matters
        return max(range(3), key=lambda c: scores[c]) != max(range(3), key=lambda c: rows[c][0])
    return True


# --------------------------------------------------------------------------- mistakes


def _intercept_slip(swapped: bool = False, sign: int = -1):
    def answer(params: dict) -> list[float] | None:
        rows, ask, _ = parse(params)
        if ask != "intercepts":
            return None
        w0, w1, w2 = rows[0]
        x1, x2 = sign * w0 / w1, sign * w0 / w2
        return [float(x2), float(x1)] if swapped else [float(x1), float(x2)]

    return answer


def _intercept_sign_message(params: dict) -> str:
    w0, w1, _ = parse(params)[0][0]
    return (f"you dropped the minus sign: on the x1-axis w1·x1 + w0 = 0, so x1 = −w0/w1 = "
            f"−({_num(w0)})/({_num(w1)}) = {fmt_exact(-w0 / w1)}")


def _intercepts_swapped_message(params: dict) -> str:
    return "you swapped the intercepts: the x1-intercept (where x2 = 0) is −w0/w1, and comes first"


def _slope_slip(inverted: bool = False, sign: int = -1):
    def answer(params: dict) -> float | None:
        rows, ask, _ = parse(params)
        if ask != "slope":
            return None
        _, w1, w2 = rows[0]
        return float(sign * (w2 / w1 if inverted else w1 / w2))

    return answer


def _slope_sign_message(params: dict) -> str:
    _, w1, w2 = parse(params)[0][0]
    return (f"you dropped the minus sign: x2 = −(w0 + w1·x1)/w2, so the slope is −w1/w2 = "
            f"−({_num(w1)})/({_num(w2)}) = {fmt_exact(-w1 / w2)}")


def _slope_inverted_message(params: dict) -> str:
    return "you took −w2/w1, dx1/dx2: the slope of the line x2 = f(x1) is dx2/dx1 = −w1/w2"


def _probability_slip(bias: bool = True, squash: bool = True):
    def answer(params: dict) -> float | None:
        rows, ask, point = parse(params)
        if ask != "probability":
            return None
        row = rows[0] if bias else [Fraction(0), *rows[0][1:]]
        z = score(row, point)
        return sigmoid(float(z)) if squash else float(z)

    return answer


def _forgot_bias_message(params: dict) -> str:
    w0 = parse(params)[0][0][0]
    return f"you left out the bias: z = w0 + w1·x1 + w2·x2 includes w0 = {_num(w0)}"


def _logit_message(params: dict) -> str:
    rows, _, point = parse(params)
    return (f"you gave the score z = {_num(score(rows[0], point))}: the probability is σ(z) = 1/(1 + e^(−z)), "
            f"between 0 and 1")


MISTAKES = (
    Mistake("intercept-sign", _intercept_slip(sign=1), _intercept_sign_message),
    Mistake("intercepts-swapped", _intercept_slip(swapped=True), _intercepts_swapped_message),
    Mistake("slope-sign", _slope_slip(sign=1), _slope_sign_message),
    Mistake("slope-inverted", _slope_slip(inverted=True), _slope_inverted_message),
    Mistake("forgot-bias", _probability_slip(bias=False), _forgot_bias_message),
    Mistake("logit-for-probability", _probability_slip(squash=False), _logit_message),
)
