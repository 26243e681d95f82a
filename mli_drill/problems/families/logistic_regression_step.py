"""One gradient-descent step of the course's logistic regression, by hand.

Follows the week-2 tutorial's LogisticRegression class exactly
(CONVENTIONS.md): a column of ones is prepended to X for the bias,
z = X theta, h = sigmoid(z), loss = mean binary cross-entropy (natural log),
gradient = X^T (h - y) / N, theta <- theta - lr * gradient.

Params (JSON form), typed as :class:`Params`:
    X      list[list[number]]  N x d raw features (WITHOUT the ones column), N >= 1, d >= 1
    y      list[int]           N labels in {0, 1}
    theta  list[number]        d + 1 values: theta[0] is the bias, theta[j] multiplies feature j
    lr     number > 0          learning rate
    ask    "z" | "h" | "loss" | "gradient" | "theta"   (theta = the parameters after one step)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import chain
from operator import mul
from typing import Callable, Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import apart, fmt, format_grid, format_vector, prefer_informative

Ask = Literal["z", "h", "loss", "gradient", "theta"]
ASKS: tuple[Ask, ...] = ("z", "h", "loss", "gradient", "theta")

MAX_ABS_Z = 30  # beyond this the sigmoid saturates and the loss is not meaningful by hand


@dataclass(frozen=True)
class Params:
    X: tuple[tuple[float, ...], ...]  # N x d raw features, without the ones column
    y: tuple[int, ...]  # N labels in {0, 1}
    theta: tuple[float, ...]  # d + 1 values, the bias first
    lr: float
    ask: Ask

    def __post_init__(self) -> None:
        X, theta = self.X, self.theta
        d = len(X[0]) if X else 0
        require(d > 0 and all(len(row) == d for row in X), "X",
                "must be a non-empty N x d grid of numbers (without the ones column)")
        require(all(map(math.isfinite, chain.from_iterable(X))), "X", "must hold finite numbers")
        require(len(self.y) == len(X) and set(self.y) <= {0, 1}, "y", "must hold one label 0 or 1 per row of X")
        require(len(theta) == d + 1 and all(map(math.isfinite, theta)), "theta", f"must hold d + 1 = {d + 1} numbers (bias first)")
        require(math.isfinite(self.lr) and self.lr > 0, "lr", "must be a positive number")
        require(_max_abs_z(X, theta) <= MAX_ABS_Z, "X",
                f"|z| > {MAX_ABS_Z}: sigmoid saturates and the loss is not meaningful by hand")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    samples: tuple[int, int] = (2, 4)  # [min, max] number of samples N
    features: tuple[int, int] = (1, 2)  # [min, max] number of features d
    feature_values: tuple[int, int] = (-2, 3)  # [low, high] of the integer feature values
    zero_theta_probability: float = 0.5  # chance that theta starts at all zeros
    # Choices for each entry of a non-zero theta, and for the learning rate (kept as written: 1 stays 1, not 1.0).
    theta_values: tuple[int | float, ...] = (-1, -0.5, 0.5, 1)
    learning_rates: tuple[int | float, ...] = (0.1, 0.5, 1)
    asks: tuple[Ask, ...] = ASKS  # quantities to choose from (repeat one to ask it more often)
    zero_theta_loss: bool = False  # at theta = 0 the loss is always ln 2: ask it anyway
    max_abs_z: float = 3  # largest |z| accepted (keeps the sigmoid hand-workable)

    def __post_init__(self) -> None:
        for name in ("samples", "features"):
            low, high = getattr(self, name)
            require(1 <= low <= high, name, "must be [min, max] with 1 <= min <= max")
        require(self.feature_values[0] < self.feature_values[1], "feature_values", "must be [low, high] with low < high")
        require(0 <= self.zero_theta_probability <= 1, "zero_theta_probability", "must be between 0 and 1")
        require(bool(self.theta_values), "theta_values", "must not be empty")
        require(bool(self.learning_rates) and min(self.learning_rates) > 0, "learning_rates",
                "must be a non-empty list of positive numbers")
        require(bool(self.asks), "asks", "must not be empty")
        require(0 < self.max_abs_z <= MAX_ABS_Z, "max_abs_z", f"must be above 0 and at most {MAX_ABS_Z}")


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _max_abs_z(X: tuple[tuple[float, ...], ...], theta: tuple[float, ...]) -> float:
    """The largest |z| over the samples, the ones column included."""
    return max(abs(sum(map(mul, (1, *row), theta))) for row in X)


def forward(params: Params, bias: bool = True, average: bool = True, sign: int = 1) -> dict:
    """Every intermediate quantity of one step, in the tutorial's order.

    The keyword arguments do one step wrong, for the mistake catalogue: ``bias``
    False leaves theta0 out of z (no ones column), ``average`` False sums the
    loss and gradient instead of dividing by N, ``sign`` -1 uses y - h.
    """
    return _forward(params.X, params.y, params.theta, params.lr, bias, average, sign)


def _forward(
    raw_X: Sequence[Sequence[float]], raw_y: Sequence[int], raw_theta: Sequence[float], lr: float,
    bias: bool = True, average: bool = True, sign: int = 1,
) -> dict:
    """``forward`` on the parts of a Params (the sampler checks its candidates before building one)."""
    X = [[1.0 if bias else 0.0, *map(float, row)] for row in raw_X]
    y = [float(v) for v in raw_y]
    theta = [float(t) for t in raw_theta]
    n = len(X)
    divisor = n if average else 1
    z = [sum(x * t for x, t in zip(row, theta)) for row in X]
    h = [sigmoid(v) for v in z]
    losses = [-(yi * math.log(hi) + (1 - yi) * math.log(1 - hi)) for hi, yi in zip(h, y)]
    residual = [sign * (hi - yi) for hi, yi in zip(h, y)]
    X_gradient = X if bias else [[1.0, *row[1:]] for row in X]  # g0 is still the mean residual
    gradient = [sum(X_gradient[i][j] * residual[i] for i in range(n)) / divisor for j in range(len(theta))]
    new_theta = [t - lr * g for t, g in zip(theta, gradient)]
    return {
        "X": X,
        "z": z,
        "h": h,
        "losses": losses,
        "loss": sum(losses) / divisor,
        "residual": residual,
        "gradient": gradient,
        "theta": new_theta,
    }


def sample(rng: random.Random, level: Level) -> Params:
    """Prefers a draw where no slip passes for the answer: with a small learning rate the new theta
    hardly moves, so theta computed without the bias can land within the tolerance of the right one."""
    return prefer_informative(lambda: _draw(rng, level), _no_slip_passes)


# Twice the spec's answer tolerance (rel_tol 0.01, abs_tol 0.002).
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.004}


def _no_slip_passes(params: Params) -> bool:
    """No slip gives a value near the answer without being it. A slip that gives exactly the answer (the
    bias left out where theta0 = 0) changes nothing a student could see, and is allowed."""
    answer = forward(params)[_ANSWER_KEY[params.ask]]
    for _, asks, wrong, _ in _SLIPS:
        value = _slipped(params, asks, wrong)
        if value is not None and apart(value, answer, 1e-9, 1e-12) and not apart(value, answer, **SEPARATION):
            return False
    return True


def _draw(rng: random.Random, level: Level) -> Params:
    rejections = Rejections()
    while True:
        n = rng.randint(*level.samples)
        d = rng.randint(*level.features)
        lo, hi = level.feature_values
        X = tuple(tuple(rng.randint(lo, hi) for _ in range(d)) for _ in range(n))
        y = tuple(rng.randint(0, 1) for _ in range(n))
        zero_theta = rng.random() < level.zero_theta_probability
        theta = (0,) * (d + 1) if zero_theta else tuple(rng.choice(level.theta_values) for _ in range(d + 1))
        # At theta = 0, z = 0 and h = 0.5 are given away, and the loss is always ln 2 (kept only where the level allows).
        trivial = ("z", "h") if level.zero_theta_loss else ("z", "h", "loss")
        asks = [a for a in level.asks if not (zero_theta and a in trivial)]
        lr = rng.choice(level.learning_rates)
        ask = rng.choice(asks)
        if _distinct(X, y):
            out = _forward(X, y, theta, lr)
            # Small |z| (at most 30, so Params accepts it) and a non-zero gradient.
            if max(abs(v) for v in out["z"]) <= level.max_abs_z and all(abs(g) > 1e-9 for g in out["gradient"]):
                return Params(X, y, theta, lr, ask)
        rejections.again()


def _distinct(X: tuple[tuple[int, ...], ...], y: tuple[int, ...]) -> bool:
    """Both classes present, distinct samples, no constant feature."""
    if len(set(y)) < 2 or len(set(X)) < len(X):
        return False
    return not any(len({row[j] for row in X}) < 2 for j in range(len(X[0])))


def _paren(value: float) -> str:
    return fmt(value) if value >= 0 else f"({fmt(value)})"


def _term(x: float, t: float) -> str:
    return f"{_paren(x)}*{_paren(t)}"


def solve(params: Params) -> Solution:
    ask = params.ask
    out = forward(params)
    X, theta, n = out["X"], params.theta, len(out["X"])
    steps = [
        "Prepend a column of ones for the bias, X =\n" + format_grid(X) + f"\ntheta = {format_vector(theta)}",
        "z = X theta:\n"
        + "\n".join(
            f"  z{i + 1} = {' + '.join(_term(x, t) for x, t in zip(row, theta))} = {fmt(out['z'][i])}"
            for i, row in enumerate(X)
        ),
    ]
    if ask == "z":
        return Solution(answer=out["z"], steps=steps, kind="vector", display=format_vector(out["z"]))
    steps.append(
        "h = sigmoid(z) = 1 / (1 + e^(-z)):\n"
        + "\n".join(f"  h{i + 1} = sigmoid({fmt(z)}) = {fmt(h)}" for i, (z, h) in enumerate(zip(out["z"], out["h"])))
    )
    if ask == "h":
        return Solution(answer=out["h"], steps=steps, kind="vector", display=format_vector(out["h"]))
    if ask == "loss":
        steps.append(
            "Per-sample loss -[y ln h + (1-y) ln(1-h)]:\n"
            + "\n".join(
                f"  sample {i + 1} (y = {yi}): -ln({fmt(h if yi == 1 else 1 - h)}) = {fmt(loss)}"
                for i, (yi, h, loss) in enumerate(zip(params.y, out["h"], out["losses"]))
            )
        )
        steps.append(
            f"Mean over N = {n}: ({' + '.join(fmt(v) for v in out['losses'])}) / {n} = {fmt(out['loss'])}"
        )
        display = "ln 2 ≈ 0.6931" if all(abs(v) < 1e-12 for v in out["z"]) else fmt(out["loss"])
        return Solution(answer=out["loss"], steps=steps, kind="real", display=display)
    steps.append(f"h - y = {format_vector(out['h'])} - {format_vector(params.y)} = {format_vector(out['residual'])}")
    columns = list(zip(*X))
    steps.append(
        f"gradient = X^T (h - y) / N with N = {n}:\n"
        + "\n".join(
            f"  g{j} = ({' + '.join(_term(x, r) for x, r in zip(columns[j], out['residual']))}) / {n} = {fmt(g)}"
            for j, g in enumerate(out["gradient"])
        )
    )
    if ask == "gradient":
        return Solution(answer=out["gradient"], steps=steps, kind="vector", display=format_vector(out["gradient"]))
    lr = params.lr
    steps.append(
        f"theta <- theta - lr * gradient with lr = {fmt(lr)}:\n"
        + "\n".join(
            f"  theta{j} = {fmt(t)} - {fmt(lr)}*{_paren(g)} = {fmt(new)}"
            for j, (t, g, new) in enumerate(zip(theta, out["gradient"], out["theta"]))
        )
    )
    return Solution(answer=out["theta"], steps=steps, kind="vector", display=format_vector(out["theta"]))


def question_fields(params: Params) -> dict[str, str]:
    d = len(params.X[0])
    header = ["sample", *(f"x{j + 1}" for j in range(d)), "y"]
    table: list[list[object]] = [list(header)]
    table += [[str(i + 1), *row, yi] for i, (row, yi) in enumerate(zip(params.X, params.y))]
    names = ", ".join(["theta0 (bias)", *(f"theta{j + 1} (x{j + 1})" for j in range(d))])
    asks = {
        "z": "the vector z = X theta (one value per sample)",
        "h": "the vector h = sigmoid(X theta) (one value per sample)",
        "loss": "the loss (mean binary cross-entropy, natural log) at the current theta",
        "gradient": "the gradient X^T (h - y) / N (one value per parameter, bias first)",
        "theta": "the new theta after one gradient-descent step (bias first)",
    }
    return {
        "table": format_grid(table),
        "n": str(len(params.X)),
        "theta": format_vector(params.theta),
        "names": names,
        "lr": fmt(params.lr),
        "target": asks[params.ask],
    }


# --------------------------------------------------------------------------- mistakes

_ANSWER_KEY = {"z": "z", "h": "h", "loss": "loss", "gradient": "gradient", "theta": "theta"}


def _slip(asks: tuple[str, ...], **wrong: object):
    """The asked quantity with one step done wrong (None where the slip cannot show)."""

    def answer(params: Params):
        return _slipped(params, asks, wrong)

    return answer


def _slipped(params: Params, asks: tuple[str, ...], wrong: dict[str, object]):  # type: ignore[no-untyped-def]
    if params.ask not in asks or (wrong.get("average") is False and len(params.X) == 1):
        return None
    return forward(params, **wrong)[_ANSWER_KEY[params.ask]]  # type: ignore[arg-type]


def _no_bias_message(params: Params) -> str:
    row, theta = params.X[0], params.theta
    right = fmt(forward(params)["z"][0])
    return (f"you left out the bias: the ones column makes z1 = {_term(1, theta[0])} + "
            f"{' + '.join(_term(x, t) for x, t in zip(row, theta[1:]))} = {right}, theta0 included")


def _not_averaged_message(params: Params) -> str:
    n = len(params.X)
    what = "loss" if params.ask == "loss" else "gradient"
    return f"you summed the {what} over the samples: it is the mean, so divide the sum by N = {n}"


def _sign_message(params: Params) -> str:
    if params.ask == "gradient":
        return "you used y − h: the gradient is X^T (h − y) / N, with h − y"
    g0 = forward(params)["gradient"][0]
    return (f"you stepped uphill: gradient descent subtracts, theta0 = {fmt(params.theta[0])} − "
            f"{fmt(params.lr)}*{_paren(g0)}, not adds (or you used y − h in the gradient)")


# Each slip: the asks it can show in, and the step of ``forward`` done wrong.
_SLIPS: tuple[tuple[str, tuple[str, ...], dict[str, object], Callable[[Params], str]], ...] = (
    ("no-bias", ASKS, {"bias": False}, _no_bias_message),
    ("not-averaged", ("loss", "gradient", "theta"), {"average": False}, _not_averaged_message),
    ("sign-flipped", ("gradient", "theta"), {"sign": -1}, _sign_message),
)
MISTAKES = tuple(Mistake(slip_id, _slip(asks, **wrong), message) for slip_id, asks, wrong, message in _SLIPS)
