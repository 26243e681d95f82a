"""Feature normalisation: z-score standardisation, min-max scaling and batch normalisation.

Conventions: z = (x - mean) / std with the POPULATION std (divide by N);
min-max x' = (x - min) / (max - min), into [0, 1]; batch normalisation in
training mode normalises each feature (column) over the batch with the batch
mean and the biased batch variance (divide by N), then scales and shifts:
y = gamma (x - mean) / sqrt(var + eps) + beta. The questions state all of this,
including eps.

Params (JSON), typed as :class:`Params` (keys in this order)::

    method  "zscore" | "minmax" | "batchnorm"
    ask     "value" (one output element) | "output" (all of them)
    gamma, beta  batchnorm only: lists of C numbers (null/absent otherwise)
    eps     batchnorm only: number >= 0 (null/absent otherwise)
    x       zscore/minmax: list of numbers (one feature);
            batchnorm: list of N rows (samples), each a list of C numbers (features)
    index   ask "value": 0-based sample index (zscore/minmax) or [sample, feature]
            (batchnorm); null/absent for ask "output"

Answer: a real for "value"; for "output" a vector (zscore, minmax, batchnorm
with C == 1) or an N x C matrix (batchnorm with C > 1).

The catalogued slips (``MISTAKES``) are ``outputs`` with one of its knobs set
wrong: the unbiased variance, the variance for the std, batch norm over the
wrong axis or without gamma and beta, and min-max as a division by the maximum.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import (
    fmt,
    format_grid,
    format_vector,
    informative,
    prefer_informative,
)

Method = Literal["zscore", "minmax", "batchnorm"]
Ask = Literal["value", "output"]
METHODS: tuple[Method, ...] = ("zscore", "minmax", "batchnorm")
ASKS: tuple[Ask, ...] = ("value", "output")
Vector = tuple[float, ...]
Rows = tuple[Vector, ...]
Number = int | float  # in a Level: a whole number stays an int, so the drawn params' JSON keeps it whole


# --------------------------------------------------------------------------- maths


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def population_variance(values: Sequence[float], ddof: int = 0) -> float:
    """The mean squared deviation (divide by N); ``ddof=1`` divides by N - 1 (a slip here)."""
    m = mean(values)
    return sum((v - m) ** 2 for v in values) / (len(values) - ddof)


def _spread(variance: float, root: bool) -> float:
    """What the deviations are divided by: the std, or (a slip) the variance itself."""
    return math.sqrt(variance) if root else variance


def zscore(values: Sequence[float], ddof: int = 0, root: bool = True) -> list[float]:
    m, sd = mean(values), _spread(population_variance(values, ddof), root)
    return [(v - m) / sd for v in values]


def minmax(values: Sequence[float], from_zero: bool = False) -> list[float]:
    """(x - min) / (max - min); ``from_zero`` takes the minimum as 0, i.e. divides by the maximum (a slip)."""
    low, high = (0 if from_zero else min(values)), max(values)
    return [(v - low) / (high - low) for v in values]


def batchnorm(
    rows: Sequence[Sequence[float]], gamma: Sequence[float], beta: Sequence[float], eps: float,
    ddof: int = 0, root: bool = True, per_sample: bool = False, affine: bool = True,
) -> list[list[float]]:
    """Per feature over the batch, then gamma and beta. The keywords are the slips: the unbiased
    variance, the variance for the std, each sample normalised over its features, no scale and shift."""
    if per_sample:
        stats_of_row = [(mean(row), population_variance(row, ddof)) for row in rows]
        x_hat = [[(x - m) / _spread(v + eps, root) for x in row] for row, (m, v) in zip(rows, stats_of_row)]
    else:
        columns = [list(col) for col in zip(*rows)]
        stats = [(mean(col), population_variance(col, ddof)) for col in columns]
        x_hat = [[(x - stats[c][0]) / _spread(stats[c][1] + eps, root) for c, x in enumerate(row)] for row in rows]
    if not affine:
        return x_hat
    return [[gamma[c] * v + beta[c] for c, v in enumerate(row)] for row in x_hat]


# --------------------------------------------------------------------------- params


@dataclass(frozen=True, kw_only=True)
class Params:
    method: Method
    ask: Ask
    gamma: Vector | None = None  # batchnorm: scale per feature
    beta: Vector | None = None  # batchnorm: shift per feature
    eps: float | None = None  # batchnorm: added to the variance
    x: Vector | Rows  # zscore/minmax: one feature's values; batchnorm: rows = samples, columns = features
    index: int | tuple[int, int] | None = None  # ask "value": the element asked for (0-based)

    def __post_init__(self) -> None:
        if self.method == "batchnorm":
            self._check_batch()
        else:
            self._check_values()
        if self.ask == "output":
            require(self.index is None, "index", "is only used when ask is 'value'")

    def _check_batch(self) -> None:
        rows = self.x
        require(
            len(rows) >= 2 and all(type(r) is tuple for r in rows), "x", "batchnorm takes a list of at least 2 rows (samples) of features"
        )
        width = len(self.rows[0])
        require(width >= 1 and all(len(r) == width for r in self.rows), "x", "every row must have the same number (>= 1) of features")
        require(all(math.isfinite(v) for r in self.rows for v in r), "x", "must hold finite numbers")
        for name in ("gamma", "beta"):
            values = getattr(self, name)
            require(values is not None and len(values) == width, name, f"batchnorm needs one number per feature: a list of {width}")
            require(all(math.isfinite(v) for v in values), name, "must hold finite numbers")
        eps = self.eps
        require(eps is not None and math.isfinite(eps) and eps >= 0, "eps", f"batchnorm needs a finite eps >= 0, got {eps}")
        for c, col in enumerate(zip(*self.rows)):
            require(population_variance(col) + self.affine[2] > 0, "x", f"feature {c} has zero variance over the batch and eps = 0")
        if self.ask == "value":
            require(type(self.index) is tuple, "index", "batchnorm asks for [sample, feature]")
            n, c = self.cell
            require(0 <= n < len(rows), "index", f"the sample must be from 0 to {len(rows) - 1}, got {n}")
            require(0 <= c < width, "index", f"the feature must be from 0 to {width - 1}, got {c}")

    def _check_values(self) -> None:
        for name in ("gamma", "beta", "eps"):
            require(getattr(self, name) is None, name, "is only used by batchnorm")
        values = self.values
        require(all(type(v) is not tuple for v in values), "x", f"{self.method} takes a list of numbers (one feature)")
        require(all(math.isfinite(v) for v in values), "x", "must hold finite numbers")
        require(len(values) >= 2, "x", "must hold at least 2 values")
        require(max(values) != min(values), "x", "all values are equal: the std (or max - min) is 0")
        if self.ask == "value":
            index = self.index
            require(type(index) is int and 0 <= self.position < len(values), "index", f"must be an integer from 0 to {len(values) - 1}, got {index}")

    # x, gamma, beta, eps and index as the method uses them (``__post_init__`` has checked which they are)

    @property
    def values(self) -> Vector:
        """zscore, minmax: the values of the one feature."""
        return self.x  # type: ignore[return-value]

    @property
    def rows(self) -> Rows:
        """batchnorm: the batch, one row per sample."""
        return self.x  # type: ignore[return-value]

    @property
    def position(self) -> int:
        """zscore, minmax with ask "value": the asked value's index."""
        return self.index  # type: ignore[return-value]

    @property
    def cell(self) -> tuple[int, int]:
        """batchnorm with ask "value": [sample, feature]."""
        return self.index  # type: ignore[return-value]

    @property
    def affine(self) -> tuple[Vector, Vector, float]:
        """batchnorm: gamma, beta and eps."""
        return self.gamma, self.beta, self.eps  # type: ignore[return-value]


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    methods: tuple[Method, ...] = METHODS  # the methods drawn
    asks: tuple[Ask, ...] = ASKS  # one value, or the whole output
    n: tuple[int, int] = (4, 5)  # [low, high] batch size (number of values or samples)
    values: tuple[int, int] = (0, 10)  # [low, high] integer inputs
    # z-score and batchnorm inputs: "std" (integer mean and std), "mean" (integer mean) or "none"
    nice: Literal["std", "mean", "none"] = "mean"
    features: tuple[int, ...] = (1,)  # batchnorm feature counts
    gammas: tuple[Number, ...] = (1, 2)  # batchnorm scale, drawn per feature
    betas: tuple[Number, ...] = (0, 1)  # batchnorm shift, drawn per feature
    eps: tuple[Number, ...] = (0,)  # batchnorm eps

    def __post_init__(self) -> None:
        require(bool(self.methods), "methods", "must list at least one method")
        require(bool(self.asks), "asks", "must list at least one ask")
        require(2 <= self.n[0] <= self.n[1], "n", "must be [low, high] with 2 <= low <= high")
        require(self.values[0] < self.values[1], "values", "must be [low, high] with low < high")
        require(bool(self.features) and min(self.features) >= 1, "features", "must be a non-empty list of integers >= 1")
        require(bool(self.gammas), "gammas", "must list at least one value")
        require(bool(self.betas), "betas", "must list at least one value")
        require(bool(self.eps) and min(self.eps) >= 0, "eps", "must be a non-empty list of numbers >= 0")


def outputs(params: Params, **slip: Any) -> list[float] | list[list[float]]:
    """The whole output of the instance's method (with a slip's keywords, if given)."""
    method = params.method
    if method == "zscore":
        return zscore(params.values, **slip)
    if method == "minmax":
        return minmax(params.values, **slip)
    return batchnorm(params.rows, *params.affine, **slip)


Asked = float | list[float] | list[list[float]]  # one value, a vector or a matrix


def asked(params: Params, out: list[float] | list[list[float]]) -> Asked:
    """The asked part of a whole output, rounded as answers are: one value, a vector or a matrix."""
    if params.method != "batchnorm":
        values = [float(v) for v in out]  # type: ignore[arg-type]
        return round(values[params.position], 12) if params.ask == "value" else [round(v, 12) for v in values]
    rows = [list(r) for r in out]  # type: ignore[arg-type]
    if params.ask == "value":
        n, c = params.cell
        return round(rows[n][c], 12)
    if len(rows[0]) == 1:
        return [round(r[0], 12) for r in rows]
    return [[round(v, 12) for v in r] for r in rows]


# --------------------------------------------------------------------------- mistakes


def _slip(params: Params, applies: bool, **knobs: Any) -> Asked | None:
    """The asked part of the output with a slip's knobs, or None where the slip does not apply
    (or divides by zero: a sample whose features are all equal, with eps = 0)."""
    if not applies:
        return None
    try:
        return asked(params, outputs(params, **knobs))
    except ZeroDivisionError:
        return None


def _unbiased(params: Params) -> Asked | None:
    return _slip(params, params.method != "minmax", ddof=1)


def _variance_not_std(params: Params) -> Asked | None:
    return _slip(params, params.method != "minmax", root=False)


def _wrong_axis(params: Params) -> Asked | None:
    return _slip(params, params.method == "batchnorm" and len(params.rows[0]) > 1, per_sample=True)


def _no_affine(params: Params) -> Asked | None:
    if params.method != "batchnorm":
        return None
    gamma, beta, _ = params.affine
    features = [params.cell[1]] if params.ask == "value" else range(len(gamma))
    applies = any(gamma[c] != 1 or beta[c] != 0 for c in features)
    return _slip(params, applies, affine=False)


def _divided_by_max(params: Params) -> Asked | None:
    applies = params.method == "minmax" and min(params.values) != 0 and max(params.values) > 0
    return _slip(params, applies, from_zero=True)


def _feature(params: Params) -> tuple[list[float], str, float]:
    """The values whose statistics the asked output uses, how to name them, and the eps added."""
    if params.method != "batchnorm":
        return list(params.values), "", 0.0
    rows = params.rows
    c = params.cell[1] if params.ask == "value" else 0
    label = f" of feature {c}" if len(rows[0]) > 1 else ""
    return [row[c] for row in rows], label, params.affine[2]


def _eps_text(eps: float) -> str:
    return f" + {eps:g}" if eps else ""


def _unbiased_message(params: Params) -> str:
    values, label, _ = _feature(params)
    n, m = len(values), mean(values)
    squares = sum((v - m) ** 2 for v in values)
    return (f"you divided by N − 1 = {n - 1}: the question uses the population variance, so the variance{label} is "
            f"{fmt(squares)} / {n} = {fmt(squares / n)}, not {fmt(squares)} / {n - 1} = {fmt(squares / (n - 1))}")


def _variance_not_std_message(params: Params) -> str:
    values, label, eps = _feature(params)
    var = population_variance(values)
    return (f"you divided by the variance{label}: the deviations are divided by the standard deviation "
            f"sqrt({fmt(var)}{_eps_text(eps)}) = {fmt(math.sqrt(var + eps))}, not by {fmt(var + eps)}")


def _wrong_axis_message(params: Params) -> str:
    values, label, _ = _feature(params)
    rows = params.rows
    return (f"you normalised each sample over its {len(rows[0])} features: batch norm normalises each feature over "
            f"the {len(rows)} samples of the batch (the mean{label} is {fmt(mean(values))}, its variance "
            f"{fmt(population_variance(values))})")


def _no_affine_message(params: Params) -> str:
    gamma, beta, _ = params.affine
    g = fmt(gamma[0]) if len(gamma) == 1 else format_vector(gamma)
    b = fmt(beta[0]) if len(beta) == 1 else format_vector(beta)
    return f"you stopped at x_hat: batch norm then scales and shifts, y = gamma · x_hat + beta with gamma = {g}, beta = {b}"


def _divided_by_max_message(params: Params) -> str:
    low, high = min(params.values), max(params.values)
    return (f"you divided by the maximum {fmt(high)}: min-max scaling subtracts the minimum {fmt(low)} first and "
            f"divides by the range {fmt(high)} − {fmt(low)} = {fmt(high - low)}")


MISTAKES = (
    Mistake("unbiased-variance", _unbiased, _unbiased_message),
    Mistake("variance-not-std", _variance_not_std, _variance_not_std_message),
    Mistake("wrong-axis", _wrong_axis, _wrong_axis_message),
    Mistake("scale-shift-forgotten", _no_affine, _no_affine_message),
    Mistake("divided-by-max", _divided_by_max, _divided_by_max_message),
)


# --------------------------------------------------------------------------- sampling


def _values(rng: random.Random, n: int, low: int, high: int, nice: str) -> list[int]:
    """n integers; nice = "std" (integer mean and std), "mean" (integer mean) or "none"."""
    rejections = Rejections(limit=100_000)
    while True:
        values = [rng.randint(low, high) for _ in range(n)]
        total = sum(values)
        if len(set(values)) < 2 or (nice in ("mean", "std") and total % n):
            rejections.again()
            continue
        if nice == "std":
            squares = sum((v * n - total) ** 2 for v in values)  # n³ · variance, exact
            variance, remainder = divmod(squares, n**3)
            if remainder or math.isqrt(variance) ** 2 != variance:
                rejections.again()
                continue
        return values


def sample(rng: random.Random, level: Level) -> Params:
    """Prefers a draw where each catalogued slip that applies is told apart from the answer and the
    other slips (so not the z-score of the mean, 0 with or without the slips)."""
    method = rng.choice(level.methods)
    ask = rng.choice(level.asks)
    return prefer_informative(lambda: _draw(rng, level, method, ask), _informative)


# Twice the answer tolerance of problems/normalisation.yaml: values closer than this could both be
# "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.001}


def _informative(params: Params) -> bool:
    return informative(asked(params, outputs(params)), [m.answer(params) for m in MISTAKES], **SEPARATION)


def _draw(rng: random.Random, level: Level, method: Method, ask: Ask) -> Params:
    n_low, n_high = level.n
    low, high = level.values
    nice = level.nice
    n = rng.randint(n_low, n_high)
    if method != "batchnorm":
        x = _values(rng, n, low, high, nice if method == "zscore" else "none")
        # for min-max, asking for the min (0) or the max (1) would be a giveaway when avoidable
        inner = [i for i, v in enumerate(x) if min(x) < v < max(x)] if method == "minmax" else []
        index = rng.choice(inner or list(range(n))) if ask == "value" else None
        return Params(method=method, ask=ask, x=tuple(x), index=index)
    width = rng.choice(level.features)
    columns = [_values(rng, n, low, high, nice) for _ in range(width)]
    rows = tuple(zip(*columns))
    gamma = tuple(rng.choice(level.gammas) for _ in range(width))
    beta = tuple(rng.choice(level.betas) for _ in range(width))
    eps = rng.choice(level.eps)
    cell = (rng.randrange(n), rng.randrange(width)) if ask == "value" else None
    return Params(method=method, ask=ask, gamma=gamma, beta=beta, eps=eps, x=rows, index=cell)


# --------------------------------------------------------------------------- wording


def _batch_grid(rows: Rows) -> str:
    width = len(rows[0])
    header = [""] + [f"feature {c}" for c in range(width)]
    return format_grid([header] + [[f"sample {n + 1}"] + list(r) for n, r in enumerate(rows)])


def question_fields(params: Params) -> dict[str, str]:
    method, ask = params.method, params.ask
    fields: dict[str, str] = {"variant": method}
    if method == "batchnorm":
        rows = params.rows
        gamma, beta, eps = params.affine
        width = len(rows[0])
        fields["data"] = _batch_grid(rows)
        fields["n"] = str(len(rows))
        fields["gamma"] = format_vector(gamma) if width > 1 else fmt(gamma[0])
        fields["beta"] = format_vector(beta) if width > 1 else fmt(beta[0])
        fields["eps"] = fmt(eps) if eps >= 1e-3 or eps == 0 else f"{eps:g}"
        fields["per_feature"] = " (per feature, in feature order)" if width > 1 else ""
        if ask == "value":
            n, c = params.cell
            where = f"sample {n + 1}" + (f", feature {c}" if width > 1 else "")
            fields["task"] = f"What is the output y for {where} (input {fmt(rows[n][c])})?"
        elif width > 1:
            fields["task"] = f"Give the whole output as a {len(rows)} x {width} matrix (rows = samples)."
        else:
            fields["task"] = f"Give the whole output as a vector of {len(rows)} values in sample order."
        return fields
    x = params.values
    fields["data"] = format_vector(x)
    fields["n"] = str(len(x))
    if ask == "value":
        i = params.position
        fields["task"] = f"What is the scaled value of the {_ordinal(i + 1)} value, x = {fmt(x[i])}?"
    else:
        fields["task"] = f"Give all {len(x)} scaled values as a vector, in the given order."
    return fields


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


# --------------------------------------------------------------------------- worked solution


def _shift(m: float) -> str:
    """'x - 3' or 'x + 3' (never 'x - -3')."""
    return f"x - {fmt(m)}" if m >= 0 else f"x + {fmt(-m)}"


def _sqrt_text(x: float) -> str:
    root = math.sqrt(x)
    return fmt(root) if abs(root - round(root)) < 1e-12 else f"sqrt({fmt(x)}) ≈ {fmt(root)}"


def _stats_step(values: Sequence[float], name: str = "") -> tuple[str, float, float]:
    m, var = mean(values), population_variance(values)
    devs = ", ".join(f"({fmt(v - m)})²" for v in values)
    text = (f"{name}mean = {fmt(sum(values))} / {len(values)} = {fmt(m)}; variance (divide by N) = "
            f"[{devs}] / {len(values)} = {fmt(var)}")
    return text, m, var


def solve(params: Params) -> Solution:
    method, ask = params.method, params.ask
    if method == "zscore":
        x = params.values
        stats, m, var = _stats_step(x)
        out = zscore(x)
        steps = [stats + f"; std = {_sqrt_text(var)}.",
                 f"z = ({_shift(m)}) / {fmt(math.sqrt(var))} = {format_vector(out)}"]
        return _answer(params, out, steps)
    if method == "minmax":
        x = params.values
        low, high = min(x), max(x)
        out = minmax(x)
        steps = [f"min = {fmt(low)}, max = {fmt(high)}, range = {fmt(high - low)}.",
                 f"x' = ({_shift(low)}) / {fmt(high - low)} = {format_vector(out)}"]
        return _answer(params, out, steps)
    rows, (gamma, beta, eps) = params.rows, params.affine
    out_rows = batchnorm(rows, gamma, beta, eps)
    steps = []
    width = len(rows[0])
    for c, col in enumerate(zip(*rows)):
        label = f"Feature {c}: " if width > 1 else ""
        stats, m, var = _stats_step(list(col), label)
        denom = math.sqrt(var + eps)
        eps_text = f" + {fmt(eps) if eps >= 1e-3 else f'{eps:g}'}" if eps else ""
        column = [r[c] for r in out_rows]
        steps.append(stats + ".")
        steps.append(
            f"{label}x_hat = ({_shift(m)}) / sqrt({fmt(var)}{eps_text}) = ({_shift(m)}) / {fmt(denom)}; "
            f"y = {fmt(gamma[c])} · x_hat + {fmt(beta[c])} = {format_vector(column)}"
        )
    answer = asked(params, out_rows)
    if ask == "value":
        n, c = params.cell
        value = out_rows[n][c]
        steps.append(f"The asked output (sample {n + 1}" + (f", feature {c}" if width > 1 else "")
                     + f") is {fmt(value)}.")
        return Solution(answer=answer, steps=steps, kind="real", display=fmt(value))
    if width == 1:
        return Solution(answer=answer, steps=steps, kind="vector", display=format_vector([r[0] for r in out_rows]))
    return Solution(answer=answer, steps=steps, kind="matrix",
                    display="[" + ", ".join(format_vector(r) for r in out_rows) + "]")


def _answer(params: Params, out: list[float], steps: list[str]) -> Solution:
    if params.ask == "value":
        index = params.position
        steps.append(f"The asked value (number {index + 1}) is {fmt(out[index])}.")
        return Solution(answer=asked(params, out), steps=steps, kind="real", display=fmt(out[index]))
    return Solution(answer=asked(params, out), steps=steps, kind="vector", display=format_vector(out))
