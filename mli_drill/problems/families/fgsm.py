"""The fast gradient sign method (FGSM) on a linear model, by hand.

x_adv = x + eps * sign(grad_x L) (CONVENTIONS.md), no clipping unless the
instance says so. The catalogued slips (``MISTAKES``) are the same step done
wrong: against the gradient, by eps times the gradient itself, or unclipped. For a linear score s = w.x + b the input gradient is
dL/ds * w, so the attack moves every pixel by eps in the direction of
sign(dL/ds) * sign(w_i): the drill is getting that sign right for the loss given.

Params (JSON form), typed as :class:`Params`:
    w      list[number]  weights, none zero (a zero weight makes sign(0) ambiguous)
    b      number        bias
    x      list[number]  the input, same length as w
    y      label: +1/-1 for "negative-score", 0/1 for "logistic", a real target for "squared"
    loss   "negative-score"  L = -y (w.x + b)
           "logistic"        L = -[y ln sigmoid(s) + (1-y) ln(1 - sigmoid(s))]
           "squared"         L = (s - y)^2
    eps    number > 0
    clip   null or [low, high]: clip x_adv to this range after the step
    ask    "vector" | "coordinate"
    index  0-based coordinate (only when ask == "coordinate"; the question calls it x{index+1})
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from mli_drill.problems.families.base import Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import (
    fmt,
    format_vector,
    informative,
    prefer_informative,
)

Loss = Literal["negative-score", "logistic", "squared"]
Ask = Literal["vector", "coordinate"]
Number = int | float  # a level's choices keep their type: an integer bias stays an integer in the JSON
LOSSES: tuple[Loss, ...] = ("negative-score", "logistic", "squared")
LOSS_TEXT = {
    "negative-score": "L = -y (w.x + b) with label y = {y}",
    "logistic": "the logistic loss L = -[y ln sigmoid(s) + (1 - y) ln(1 - sigmoid(s))] with s = w.x + b and label y = {y}",
    "squared": "the squared error L = (s - y)^2 with s = w.x + b and target y = {y}",
}


@dataclass(frozen=True)
class Params:
    w: tuple[float, ...]
    b: float
    x: tuple[float, ...]
    y: float
    loss: Loss
    eps: float
    clip: tuple[float, float] | None = field(default=None, kw_only=True)
    ask: Ask
    index: int | None = optional()  # 0-based coordinate; only when ask is "coordinate"

    def __post_init__(self) -> None:
        require(len(self.w) > 0, "w", "must list at least one weight")
        require(len(self.x) == len(self.w), "x", f"must have as many values as w ({len(self.w)}), got {len(self.x)}")
        require(math.isfinite(sum(self.w)), "w", "must be finite numbers")
        require(math.isfinite(sum(self.x)), "x", "must be finite numbers")
        require(math.isfinite(self.b), "b", "must be a finite number")
        require(0 not in self.w, "w", "a zero weight gives a zero gradient component: sign(0) is ambiguous")
        if self.loss == "negative-score":
            require(self.y in (-1, 1), "y", "the negative-score loss needs a label y in {-1, +1}")
        elif self.loss == "logistic":
            require(self.y in (0, 1), "y", "the logistic loss needs a label y in {0, 1}")
        else:
            require(math.isfinite(self.y), "y", "the squared loss needs a finite target y")
        require(math.isfinite(self.eps) and self.eps > 0, "eps", "must be a positive number")
        require(self.clip is None or (all(map(math.isfinite, self.clip)) and self.clip[0] < self.clip[1]), "clip",
                "must be null or [low, high] with low < high")
        require(self.loss != "squared" or score(self) != self.y, "y",
                "s = y: the squared loss has a zero gradient, FGSM's sign is undefined")
        if self.ask == "coordinate":
            require(self.index is not None and 0 <= self.index < len(self.w), "index",
                    f"must be a 0-based coordinate below {len(self.w)}")
        else:
            require(self.index is None, "index", "is only used when ask is 'coordinate'")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    dims: tuple[int, int] = (3, 4)  # [min, max] length of w and x
    weights: tuple[int, int] = (-3, 3)  # [low, high] of the integer weights (0 excluded)
    biases: tuple[Number, ...] = (-2, -1, 0, 1, 2)  # choices for b
    x_values: tuple[Number, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # choices for each x_i
    losses: tuple[Loss, ...] = LOSSES  # choices for the loss
    targets: tuple[Number, ...] = (-1, 0, 1, 2)  # choices for y under the squared loss
    eps: tuple[Number, ...] = (0.05, 0.1, 0.2)  # choices for eps
    clip_probability: float = 0.0  # chance of clipping to [0, 1] (kept only half the time where it changes nothing)
    coordinate_probability: float = 0.4  # chance of asking for one coordinate rather than the whole x_adv
    max_abs_score: float = 4  # largest |s| (no saturated sigmoid)

    def __post_init__(self) -> None:
        require(1 <= self.dims[0] <= self.dims[1], "dims", "must be [min, max] with 1 <= min <= max")
        require(self.weights[0] <= self.weights[1] and self.weights != (0, 0), "weights",
                "must be [low, high] with low <= high, not only 0")
        for name in ("biases", "x_values", "losses", "targets"):
            require(bool(getattr(self, name)), name, "must list at least one choice")
        require(bool(self.eps) and min(self.eps) > 0, "eps", "must be a non-empty list of positive numbers")
        require(0 <= self.clip_probability <= 1, "clip_probability", "must be between 0 and 1")
        require(0 <= self.coordinate_probability <= 1, "coordinate_probability", "must be between 0 and 1")
        require(self.max_abs_score > 0, "max_abs_score", "must be positive")


def _sign(value: float) -> int:
    return 1 if value > 0 else -1 if value < 0 else 0


def _score(w: Sequence[float], x: Sequence[float], b: float) -> float:
    return sum(wi * xi for wi, xi in zip(w, x)) + b


def score(params: Params) -> float:
    return _score(params.w, params.x, params.b)


def dloss_dscore(params: Params) -> float:
    s, y = score(params), params.y
    if params.loss == "negative-score":
        return -y
    if params.loss == "logistic":
        return 1.0 / (1.0 + math.exp(-s)) - y
    return 2.0 * (s - y)


def attack(
    params: Params, *, direction: int = 1, sign: bool = True, clip: bool = True
) -> tuple[list[float], list[int], list[float]]:
    """Input gradient, its sign, and x_adv (clipped if the instance says so).

    The keywords are the slips: ``direction=-1`` steps against the gradient, ``sign=False``
    steps by eps times the gradient itself, ``clip=False`` leaves the clipping out."""
    g = dloss_dscore(params)
    grad = [g * wi for wi in params.w]
    signs = [_sign(v) for v in grad]
    step: Sequence[float] = signs if sign else grad
    adv = [xi + direction * params.eps * si for xi, si in zip(params.x, step)]
    if clip and params.clip:
        low, high = params.clip
        adv = [min(max(v, low), high) for v in adv]
    return grad, signs, [round(v, 10) for v in adv]


def sample(rng: random.Random, level: Level) -> Params:
    """Prefers a draw where the slips give values apart from the answer and each other (so not, say,
    weights of ±1 under L = -y·s, where eps·gradient is eps·sign)."""
    return prefer_informative(lambda: _draw(rng, level), _informative)


def _draw(rng: random.Random, level: Level) -> Params:
    rejections = Rejections()
    low, high = level.weights
    nonzero = [v for v in range(low, high + 1) if v != 0]
    while True:
        d = rng.randint(*level.dims)
        w = tuple(rng.choice(nonzero) for _ in range(d))
        x = tuple(rng.choice(level.x_values) for _ in range(d))
        loss = rng.choice(level.losses)
        y = rng.choice([-1, 1]) if loss == "negative-score" else rng.choice([0, 1]) if loss == "logistic" else (
            rng.choice(level.targets)
        )
        b = rng.choice(level.biases)
        eps = rng.choice(level.eps)
        clip = (0, 1) if rng.random() < level.clip_probability else None
        s = _score(w, x, b)
        if loss == "squared" and abs(s - y) < 0.25:
            rejections.again()  # s = y makes the gradient vanish; near it the sign is fragile by hand
            continue
        if abs(s) > level.max_abs_score:
            rejections.again()  # a saturated sigmoid is not a model anyone would attack
            continue
        if clip and not _clipping_matters(Params(w, b, x, y, loss, eps, clip=clip, ask="vector")):
            clip = None if rng.random() < 0.5 else clip
        if rng.random() < level.coordinate_probability:
            return Params(w, b, x, y, loss, eps, clip=clip, ask="coordinate", index=rng.randrange(d))
        return Params(w, b, x, y, loss, eps, clip=clip, ask="vector")


# Twice the answer tolerance of problems/fgsm.yaml: values closer than this could both be
# "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.002}


def _informative(params: Params) -> bool:
    return informative(_asked(params, attack(params)[2]), [m.answer(params) for m in MISTAKES], **SEPARATION)


# --------------------------------------------------------------------------- mistakes


def _asked(params: Params, adv: list[float]) -> float | list[float]:
    return adv[params.index] if params.index is not None else adv


def _against_gradient(params: Params) -> float | list[float]:
    return _asked(params, attack(params, direction=-1)[2])


def _gradient_not_sign(params: Params) -> float | list[float]:
    return _asked(params, attack(params, sign=False)[2])


def _clip_forgotten(params: Params) -> float | list[float] | None:
    """None without clipping, or where the clipping changes nothing that is asked."""
    if not params.clip:
        return None
    unclipped = _asked(params, attack(params, clip=False)[2])
    return None if unclipped == _asked(params, attack(params)[2]) else unclipped


def _where(params: Params) -> str:
    return f"x{params.index + 1}" if params.index is not None else "x"


def _pick(params: Params, values: Sequence[float]) -> str:
    """The asked coordinate, or the whole vector, as text."""
    return fmt(values[params.index]) if params.index is not None else format_vector(values)


def _against_gradient_message(params: Params) -> str:
    _, signs, _ = attack(params)
    return (
        f"you stepped against the gradient: FGSM increases the loss, so {_where(params)} moves by "
        f"+ε·sign(grad_x L) = {fmt(params.eps)}·{_pick(params, signs)}; subtracting it is a gradient-descent step"
    )


def _gradient_not_sign_message(params: Params) -> str:
    grad, signs, _ = attack(params)
    return (
        f"you stepped by ε·grad_x L = {fmt(params.eps)}·{_pick(params, grad)} instead of "
        f"ε·sign(grad_x L) = {fmt(params.eps)}·{_pick(params, signs)}: FGSM moves every coordinate by exactly ε"
    )


def _clip_forgotten_message(params: Params) -> str:
    low, high = params.clip or (0, 1)
    unclipped = attack(params, clip=False)[2]
    return (
        f"you did not clip: x + ε·sign(grad_x L) gives {_where(params)} = {_pick(params, unclipped)}, which must "
        f"then be clipped to [{fmt(low)}, {fmt(high)}], giving {_pick(params, attack(params)[2])}"
    )


MISTAKES = (
    Mistake("step-against-gradient", _against_gradient, _against_gradient_message),
    Mistake("gradient-not-sign", _gradient_not_sign, _gradient_not_sign_message),
    Mistake("clip-forgotten", _clip_forgotten, _clip_forgotten_message),
)


def _clipping_matters(params: Params) -> bool:
    return attack(params, clip=False)[2] != attack(params)[2]


def _paren(value: float) -> str:
    return fmt(value) if value >= 0 else f"({fmt(value)})"


def solve(params: Params) -> Solution:
    w, x, b, y, eps = params.w, params.x, params.b, params.y, params.eps
    s = score(params)
    g = dloss_dscore(params)
    grad, signs, adv = attack(params)
    terms = " + ".join(f"{_paren(wi)}*{_paren(xi)}" for wi, xi in zip(w, x))
    steps = []
    if params.loss == "negative-score":
        steps.append(f"L = -y (w.x + b), so grad_x L = -y w = {_paren(-y)} * w (the score s does not matter).")
    else:
        steps.append(f"s = w.x + b = {terms} + {_paren(b)} = {fmt(s)}")
        if params.loss == "logistic":
            sig = 1.0 / (1.0 + math.exp(-s))
            steps.append(
                f"dL/ds = sigmoid(s) - y = {fmt(sig)} - {fmt(y)} = {fmt(g)}; by the chain rule grad_x L = dL/ds * w."
            )
        else:
            steps.append(f"dL/ds = 2 (s - y) = 2 * ({fmt(s)} - {_paren(y)}) = {fmt(g)}; by the chain rule grad_x L = dL/ds * w.")
    steps.append(f"grad_x L = {format_vector(grad)}")
    steps.append(f"sign(grad_x L) = {format_vector(signs)}  (no component is 0)")
    unclipped = [xi + eps * si for xi, si in zip(x, signs)]
    steps.append(
        f"x_adv = x + eps * sign = {format_vector(x)} + {fmt(eps)} * {format_vector(signs)} = {format_vector(unclipped)}"
    )
    if params.clip:
        low, high = params.clip
        steps.append(f"Clip to [{fmt(low)}, {fmt(high)}]: x_adv = {format_vector(adv)}")
    if params.index is not None:
        i = params.index
        steps.append(f"x{i + 1} of x_adv = {fmt(adv[i])}")
        return Solution(answer=adv[i], steps=steps, kind="real", display=fmt(adv[i]))
    return Solution(answer=adv, steps=steps, kind="vector", display=format_vector(adv))


def question_fields(params: Params) -> dict[str, str]:
    d = len(params.w)
    y = params.y
    y_text = f"{int(y):+d}" if params.loss == "negative-score" else fmt(y)
    clip = params.clip
    target = (
        f"the coordinate x{params.index + 1} of x_adv" if params.index is not None else "the whole vector x_adv"
    )
    return {
        "variant": params.ask,
        "w": format_vector(params.w),
        "b": fmt(params.b),
        "x": format_vector(params.x),
        "names": "(" + ", ".join(f"x{i + 1}" for i in range(d)) + ")",
        "loss_text": LOSS_TEXT[params.loss].format(y=y_text),
        "eps": fmt(params.eps),
        "clip_text": (
            f"then clip every coordinate of x_adv to [{fmt(clip[0])}, {fmt(clip[1])}]" if clip else "no clipping"
        ),
        "target": target,
    }
