"""The fast gradient sign method (FGSM) on a linear model, by hand.

x_adv = x + eps * sign(grad_x L) (CONVENTIONS.md), no clipping unless the
instance says so. The catalogued slips (``MISTAKES``) are the same step done
wrong: against the gradient, by eps times the gradient itself, or unclipped. For a linear score s = w.x + b the input gradient is
dL/ds * w, so the attack moves every pixel by eps in the direction of
sign(dL/ds) * sign(w_i): the drill is getting that sign right for the loss given.

Params (JSON form):
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

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import (
    fmt,
    format_vector,
    informative,
    prefer_informative,
)

LOSSES = ("negative-score", "logistic", "squared")
LOSS_TEXT = {
    "negative-score": "L = -y (w.x + b) with label y = {y}",
    "logistic": "the logistic loss L = -[y ln sigmoid(s) + (1 - y) ln(1 - sigmoid(s))] with s = w.x + b and label y = {y}",
    "squared": "the squared error L = (s - y)^2 with s = w.x + b and target y = {y}",
}


def _sign(value: float) -> int:
    return 1 if value > 0 else -1 if value < 0 else 0


def score(params: dict) -> float:
    return sum(wi * xi for wi, xi in zip(params["w"], params["x"])) + params["b"]


def dloss_dscore(params: dict) -> float:
    s, y = score(params), params["y"]
    if params["loss"] == "negative-score":
        return -y
    if params["loss"] == "logistic":
        return 1.0 / (1.0 + math.exp(-s)) - y
    return 2.0 * (s - y)


def attack(
    params: dict, *, direction: int = 1, sign: bool = True, clip: bool = True
) -> tuple[list[float], list[int], list[float]]:
    """Input gradient, its sign, and x_adv (clipped if the instance says so).

    The keywords are the slips: ``direction=-1`` steps against the gradient, ``sign=False``
    steps by eps times the gradient itself, ``clip=False`` leaves the clipping out."""
    g = dloss_dscore(params)
    grad = [g * wi for wi in params["w"]]
    signs = [_sign(v) for v in grad]
    step = signs if sign else grad
    adv = [xi + direction * params["eps"] * si for xi, si in zip(params["x"], step)]
    if clip and params.get("clip"):
        low, high = params["clip"]
        adv = [min(max(v, low), high) for v in adv]
    return grad, signs, [round(v, 10) for v in adv]


def sample(rng: random.Random, level: dict) -> dict:
    """Prefers a draw where the slips give values apart from the answer and each other (so not, say,
    weights of ±1 under L = -y·s, where eps·gradient is eps·sign)."""
    return prefer_informative(lambda: _draw(rng, level), _informative)


def _draw(rng: random.Random, level: dict) -> dict:
    rejections = Rejections()
    while True:
        d = rng.randint(*level["dims"])
        w = [rng.choice([v for v in range(level["weights"][0], level["weights"][1] + 1) if v != 0]) for _ in range(d)]
        x = [rng.choice(level["x_values"]) for _ in range(d)]
        loss = rng.choice(level["losses"])
        y = rng.choice([-1, 1]) if loss == "negative-score" else rng.choice([0, 1]) if loss == "logistic" else (
            rng.choice(level["targets"])
        )
        params = {
            "w": w,
            "b": rng.choice(level["biases"]),
            "x": x,
            "y": y,
            "loss": loss,
            "eps": rng.choice(level["eps"]),
            "clip": [0, 1] if rng.random() < level.get("clip_probability", 0.0) else None,
            "ask": "vector",
        }
        if loss == "squared" and abs(score(params) - y) < 0.25:
            rejections.again()  # s = y makes the gradient vanish; near it the sign is fragile by hand
            continue
        if abs(score(params)) > level.get("max_abs_score", 4):
            rejections.again()  # a saturated sigmoid is not a model anyone would attack
            continue
        if params["clip"] and not _clipping_matters(params):
            params["clip"] = None if rng.random() < 0.5 else params["clip"]
        if rng.random() < level.get("coordinate_probability", 0.4):
            params["ask"] = "coordinate"
            params["index"] = rng.randrange(d)
        return params


# Twice the answer tolerance of problems/fgsm.yaml: values closer than this could both be
# "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.002}


def _informative(params: dict) -> bool:
    return informative(_asked(params, attack(params)[2]), [m.answer(params) for m in MISTAKES], **SEPARATION)


# --------------------------------------------------------------------------- mistakes


def _asked(params: dict, adv: list[float]) -> float | list[float]:
    return adv[params["index"]] if params["ask"] == "coordinate" else adv


def _against_gradient(params: dict) -> float | list[float]:
    return _asked(params, attack(params, direction=-1)[2])


def _gradient_not_sign(params: dict) -> float | list[float]:
    return _asked(params, attack(params, sign=False)[2])


def _clip_forgotten(params: dict) -> float | list[float] | None:
    """None without clipping, or where the clipping changes nothing that is asked."""
    if not params.get("clip"):
        return None
    unclipped = _asked(params, attack(params, clip=False)[2])
    return None if unclipped == _asked(params, attack(params)[2]) else unclipped


def _where(params: dict) -> str:
    return f"x{params['index'] + 1}" if params["ask"] == "coordinate" else "x"


def _pick(params: dict, values: Sequence[float]) -> str:
    """The asked coordinate, or the whole vector, as text."""
    return fmt(values[params["index"]]) if params["ask"] == "coordinate" else format_vector(values)


def _against_gradient_message(params: dict) -> str:
    _, signs, _ = attack(params)
    return (
        f"you stepped against the gradient: FGSM increases the loss, so {_where(params)} moves by "
        f"+ε·sign(grad_x L) = {fmt(params['eps'])}·{_pick(params, signs)}; subtracting it is a gradient-descent step"
    )


def _gradient_not_sign_message(params: dict) -> str:
    grad, signs, _ = attack(params)
    return (
        f"you stepped by ε·grad_x L = {fmt(params['eps'])}·{_pick(params, grad)} instead of "
        f"ε·sign(grad_x L) = {fmt(params['eps'])}·{_pick(params, signs)}: FGSM moves every coordinate by exactly ε"
    )


def _clip_forgotten_message(params: dict) -> str:
    low, high = params["clip"]
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


def _clipping_matters(params: dict) -> bool:
    unclipped = attack({**params, "clip": None})[2]
    return unclipped != attack(params)[2]


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _validate(params: dict) -> None:
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping")
    w, x = params.get("w"), params.get("x")
    if not (isinstance(w, list) and isinstance(x, list) and w and len(w) == len(x)):
        raise InvalidParams("w and x must be non-empty lists of the same length")
    if not all(_number(v) for v in w + x) or not _number(params.get("b")):
        raise InvalidParams("w, x and b must be numbers")
    if any(v == 0 for v in w):
        raise InvalidParams("a zero weight gives a zero gradient component: sign(0) is ambiguous")
    loss, y = params.get("loss"), params.get("y")
    if loss not in LOSSES:
        raise InvalidParams(f"loss must be one of {', '.join(LOSSES)}")
    if loss == "negative-score" and y not in (-1, 1):
        raise InvalidParams("the negative-score loss needs a label y in {-1, +1}")
    if loss == "logistic" and y not in (0, 1):
        raise InvalidParams("the logistic loss needs a label y in {0, 1}")
    if loss == "squared" and not _number(y):
        raise InvalidParams("the squared loss needs a numeric target y")
    if isinstance(y, bool):
        raise InvalidParams("y must be a number")
    if not _number(params.get("eps")) or params["eps"] <= 0:
        raise InvalidParams("eps must be a positive number")
    clip = params.get("clip")
    if clip is not None and not (
        isinstance(clip, list) and len(clip) == 2 and all(_number(v) for v in clip) and clip[0] < clip[1]
    ):
        raise InvalidParams("clip must be null or [low, high] with low < high")
    if loss == "squared" and score(params) == y:
        raise InvalidParams("s = y: the squared loss has a zero gradient, FGSM's sign is undefined")
    ask = params.get("ask")
    if ask not in ("vector", "coordinate"):
        raise InvalidParams("ask must be 'vector' or 'coordinate'")
    if ask == "coordinate" and not (
        isinstance(params.get("index"), int) and not isinstance(params["index"], bool) and 0 <= params["index"] < len(w)
    ):
        raise InvalidParams(f"index must be a 0-based coordinate below {len(w)}")


def _paren(value: float) -> str:
    return fmt(value) if value >= 0 else f"({fmt(value)})"


def solve(params: dict) -> Solution:
    _validate(params)
    w, x, b, y, eps = params["w"], params["x"], params["b"], params["y"], params["eps"]
    s = score(params)
    g = dloss_dscore(params)
    grad, signs, adv = attack(params)
    terms = " + ".join(f"{_paren(wi)}*{_paren(xi)}" for wi, xi in zip(w, x))
    steps = []
    if params["loss"] == "negative-score":
        steps.append(f"L = -y (w.x + b), so grad_x L = -y w = {_paren(-y)} * w (the score s does not matter).")
    else:
        steps.append(f"s = w.x + b = {terms} + {_paren(b)} = {fmt(s)}")
        if params["loss"] == "logistic":
            sig = 1.0 / (1.0 + math.exp(-s))
            steps.append(
                f"dL/ds = sigmoid(s) - y = {fmt(sig)} - {y} = {fmt(g)}; by the chain rule grad_x L = dL/ds * w."
            )
        else:
            steps.append(f"dL/ds = 2 (s - y) = 2 * ({fmt(s)} - {_paren(y)}) = {fmt(g)}; by the chain rule grad_x L = dL/ds * w.")
    steps.append(f"grad_x L = {format_vector(grad)}")
    steps.append(f"sign(grad_x L) = {format_vector(signs)}  (no component is 0)")
    unclipped = [xi + eps * si for xi, si in zip(x, signs)]
    steps.append(
        f"x_adv = x + eps * sign = {format_vector(x)} + {fmt(eps)} * {format_vector(signs)} = {format_vector(unclipped)}"
    )
    if params.get("clip"):
        low, high = params["clip"]
        steps.append(f"Clip to [{fmt(low)}, {fmt(high)}]: x_adv = {format_vector(adv)}")
    if params["ask"] == "coordinate":
        i = params["index"]
        steps.append(f"x{i + 1} of x_adv = {fmt(adv[i])}")
        return Solution(answer=adv[i], steps=steps, kind="real", display=fmt(adv[i]))
    return Solution(answer=adv, steps=steps, kind="vector", display=format_vector(adv))


def question_fields(params: dict) -> dict[str, str]:
    d = len(params["w"])
    y = params["y"]
    y_text = f"{y:+d}" if params["loss"] == "negative-score" else fmt(y)
    clip = params.get("clip")
    target = (
        f"the coordinate x{params['index'] + 1} of x_adv" if params["ask"] == "coordinate" else "the whole vector x_adv"
    )
    return {
        "variant": params["ask"],
        "w": format_vector(params["w"]),
        "b": fmt(params["b"]),
        "x": format_vector(params["x"]),
        "names": "(" + ", ".join(f"x{i + 1}" for i in range(d)) + ")",
        "loss_text": LOSS_TEXT[params["loss"]].format(y=y_text),
        "eps": fmt(params["eps"]),
        "clip_text": (
            f"then clip every coordinate of x_adv to [{fmt(clip[0])}, {fmt(clip[1])}]" if clip else "no clipping"
        ),
        "target": target,
    }
