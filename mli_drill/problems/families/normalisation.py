"""Feature normalisation: z-score standardisation, min-max scaling and batch normalisation.

Conventions: z = (x - mean) / std with the POPULATION std (divide by N);
min-max x' = (x - min) / (max - min), into [0, 1]; batch normalisation in
training mode normalises each feature (column) over the batch with the batch
mean and the biased batch variance (divide by N), then scales and shifts:
y = gamma (x - mean) / sqrt(var + eps) + beta. The questions state all of this,
including eps.

Parameters (JSON form):
    method  "zscore" | "minmax" | "batchnorm"
    x       zscore/minmax: list of numbers (one feature);
            batchnorm: list of N rows (samples), each a list of C numbers (features)
    gamma, beta  batchnorm only: lists of C numbers (null/absent otherwise)
    eps     batchnorm only: number >= 0 (null/absent otherwise)
    ask     "value" (one output element) | "output" (all of them)
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
from typing import Any

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import (
    fmt,
    format_grid,
    format_vector,
    informative,
    prefer_informative,
)

METHODS = ("zscore", "minmax", "batchnorm")
ASKS = ("value", "output")


# --------------------------------------------------------------------------- maths


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def population_variance(values: list[float], ddof: int = 0) -> float:
    """The mean squared deviation (divide by N); ``ddof=1`` divides by N - 1 (a slip here)."""
    m = mean(values)
    return sum((v - m) ** 2 for v in values) / (len(values) - ddof)


def _spread(variance: float, root: bool) -> float:
    """What the deviations are divided by: the std, or (a slip) the variance itself."""
    return math.sqrt(variance) if root else variance


def zscore(values: list[float], ddof: int = 0, root: bool = True) -> list[float]:
    m, sd = mean(values), _spread(population_variance(values, ddof), root)
    return [(v - m) / sd for v in values]


def minmax(values: list[float], from_zero: bool = False) -> list[float]:
    """(x - min) / (max - min); ``from_zero`` takes the minimum as 0, i.e. divides by the maximum (a slip)."""
    low, high = (0 if from_zero else min(values)), max(values)
    return [(v - low) / (high - low) for v in values]


def batchnorm(
    rows: list[list[float]], gamma: list[float], beta: list[float], eps: float,
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


def outputs(params: dict, **slip: Any) -> list[float] | list[list[float]]:
    """The whole output of the instance's method (with a slip's keywords, if given)."""
    method = params["method"]
    if method == "zscore":
        return zscore(params["x"], **slip)
    if method == "minmax":
        return minmax(params["x"], **slip)
    return batchnorm(params["x"], params["gamma"], params["beta"], params["eps"], **slip)


Asked = float | list[float] | list[list[float]]  # one value, a vector or a matrix


def asked(params: dict, out: list[float] | list[list[float]]) -> Asked:
    """The asked part of a whole output, rounded as answers are: one value, a vector or a matrix."""
    if params["method"] != "batchnorm":
        values = [float(v) for v in out]  # type: ignore[arg-type]
        return round(values[params["index"]], 12) if params["ask"] == "value" else [round(v, 12) for v in values]
    rows = [list(r) for r in out]  # type: ignore[arg-type]
    if params["ask"] == "value":
        n, c = params["index"]
        return round(rows[n][c], 12)
    if len(rows[0]) == 1:
        return [round(r[0], 12) for r in rows]
    return [[round(v, 12) for v in r] for r in rows]


# --------------------------------------------------------------------------- params


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidParams(f"{what} must be a finite number, got {value!r}")
    return value


def _numbers(value: Any, what: str, length: int | None = None) -> list[float]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        size = f" of {length}" if length is not None else ""
        raise InvalidParams(f"{what} must be a list{size} of numbers")
    return [_number(v, f"{what}[{i}]") for i, v in enumerate(value)]


def _int(value: Any, size: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise InvalidParams(f"{what} must be an integer from 0 to {size - 1}, got {value!r}")
    return value


def check(params: Any) -> str:
    """Validate params; return the method."""
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping")
    method, ask = params.get("method"), params.get("ask")
    if method not in METHODS:
        raise InvalidParams(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if ask not in ASKS:
        raise InvalidParams(f"ask must be one of {', '.join(ASKS)}, got {ask!r}")
    index = params.get("index")
    if method == "batchnorm":
        x = params.get("x")
        if not isinstance(x, list) or len(x) < 2 or not all(isinstance(r, list) for r in x):
            raise InvalidParams("batchnorm x must be a list of at least 2 rows (samples) of features")
        width = len(x[0])
        if width < 1 or any(len(r) != width for r in x):
            raise InvalidParams("every row of x must have the same number (>= 1) of features")
        rows = [_numbers(r, f"x[{n}]") for n, r in enumerate(x)]
        _numbers(params.get("gamma"), "gamma", width)
        _numbers(params.get("beta"), "beta", width)
        eps = _number(params.get("eps"), "eps")
        if eps < 0:
            raise InvalidParams("eps must be >= 0")
        for c, col in enumerate(zip(*rows)):
            if population_variance(list(col)) + eps <= 0:
                raise InvalidParams(f"feature {c} has zero variance over the batch and eps = 0")
        if ask == "value":
            if not isinstance(index, list) or len(index) != 2:
                raise InvalidParams("batchnorm index must be [sample, feature]")
            _int(index[0], len(rows), "index[0]")
            _int(index[1], width, "index[1]")
    else:
        for name in ("gamma", "beta", "eps"):
            if params.get(name) is not None:
                raise InvalidParams(f"{name} is only used by batchnorm")
        values = _numbers(params.get("x"), "x")
        if len(values) < 2:
            raise InvalidParams("x must hold at least 2 values")
        if max(values) == min(values):
            raise InvalidParams("all values are equal: the std (or max - min) is 0")
        if ask == "value":
            _int(index, len(values), "index")
    if ask == "output" and index is not None:
        raise InvalidParams("index is only used when ask is 'value'")
    return method


# --------------------------------------------------------------------------- mistakes


def _slip(params: dict, applies: bool, **knobs: Any) -> Asked | None:
    """The asked part of the output with a slip's knobs, or None where the slip does not apply
    (or divides by zero: a sample whose features are all equal, with eps = 0)."""
    if not applies:
        return None
    try:
        return asked(params, outputs(params, **knobs))
    except ZeroDivisionError:
        return None


def _unbiased(params: dict) -> Asked | None:
    return _slip(params, params["method"] != "minmax", ddof=1)


def _variance_not_std(params: dict) -> Asked | None:
    return _slip(params, params["method"] != "minmax", root=False)


def _wrong_axis(params: dict) -> Asked | None:
    return _slip(params, params["method"] == "batchnorm" and len(params["x"][0]) > 1, per_sample=True)


def _no_affine(params: dict) -> Asked | None:
    if params["method"] != "batchnorm":
        return None
    features = [params["index"][1]] if params["ask"] == "value" else range(len(params["gamma"]))
    applies = any(params["gamma"][c] != 1 or params["beta"][c] != 0 for c in features)
    return _slip(params, applies, affine=False)


def _divided_by_max(params: dict) -> Asked | None:
    applies = params["method"] == "minmax" and min(params["x"]) != 0 and max(params["x"]) > 0
    return _slip(params, applies, from_zero=True)


def _feature(params: dict) -> tuple[list[float], str, float]:
    """The values whose statistics the asked output uses, how to name them, and the eps added."""
    if params["method"] != "batchnorm":
        return list(params["x"]), "", 0.0
    c = params["index"][1] if params["ask"] == "value" else 0
    label = f" of feature {c}" if len(params["x"][0]) > 1 else ""
    return [row[c] for row in params["x"]], label, params["eps"]


def _eps_text(eps: float) -> str:
    return f" + {eps:g}" if eps else ""


def _unbiased_message(params: dict) -> str:
    values, label, _ = _feature(params)
    n, m = len(values), mean(values)
    squares = sum((v - m) ** 2 for v in values)
    return (f"you divided by N − 1 = {n - 1}: the question uses the population variance, so the variance{label} is "
            f"{fmt(squares)} / {n} = {fmt(squares / n)}, not {fmt(squares)} / {n - 1} = {fmt(squares / (n - 1))}")


def _variance_not_std_message(params: dict) -> str:
    values, label, eps = _feature(params)
    var = population_variance(values)
    return (f"you divided by the variance{label}: the deviations are divided by the standard deviation "
            f"sqrt({fmt(var)}{_eps_text(eps)}) = {fmt(math.sqrt(var + eps))}, not by {fmt(var + eps)}")


def _wrong_axis_message(params: dict) -> str:
    values, label, _ = _feature(params)
    rows = params["x"]
    return (f"you normalised each sample over its {len(rows[0])} features: batch norm normalises each feature over "
            f"the {len(rows)} samples of the batch (the mean{label} is {fmt(mean(values))}, its variance "
            f"{fmt(population_variance(values))})")


def _no_affine_message(params: dict) -> str:
    gamma, beta = params["gamma"], params["beta"]
    g = fmt(gamma[0]) if len(gamma) == 1 else format_vector(gamma)
    b = fmt(beta[0]) if len(beta) == 1 else format_vector(beta)
    return f"you stopped at x_hat: batch norm then scales and shifts, y = gamma · x_hat + beta with gamma = {g}, beta = {b}"


def _divided_by_max_message(params: dict) -> str:
    low, high = min(params["x"]), max(params["x"])
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


def sample(rng: random.Random, level: dict) -> dict:
    """Prefers a draw where each catalogued slip that applies is told apart from the answer and the
    other slips (so not the z-score of the mean, 0 with or without the slips)."""
    method = rng.choice(list(level.get("methods", METHODS)))
    ask = rng.choice(list(level.get("asks", ASKS)))
    return prefer_informative(lambda: _draw(rng, level, method, ask), _informative)


# Twice the answer tolerance of problems/normalisation.yaml: values closer than this could both be
# "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.001}


def _informative(params: dict) -> bool:
    return informative(asked(params, outputs(params)), [m.answer(params) for m in MISTAKES], **SEPARATION)


def _draw(rng: random.Random, level: dict, method: str, ask: str) -> dict:
    n_low, n_high = level.get("n", [4, 5])
    low, high = level.get("values", [0, 10])
    nice = level.get("nice", "mean")
    n = rng.randint(n_low, n_high)
    params: dict[str, Any] = {"method": method, "ask": ask, "gamma": None, "beta": None, "eps": None}
    if method != "batchnorm":
        x = _values(rng, n, low, high, nice if method == "zscore" else "none")
        # for min-max, asking for the min (0) or the max (1) would be a giveaway when avoidable
        inner = [i for i, v in enumerate(x) if min(x) < v < max(x)] if method == "minmax" else []
        index = rng.choice(inner or list(range(n))) if ask == "value" else None
        params.update(x=x, index=index)
        return params
    width = rng.choice(list(level.get("features", [1])))
    columns = [_values(rng, n, low, high, nice) for _ in range(width)]
    rows = [list(r) for r in zip(*columns)]
    params.update(
        x=rows,
        gamma=[rng.choice(list(level.get("gammas", [1, 2]))) for _ in range(width)],
        beta=[rng.choice(list(level.get("betas", [0, 1]))) for _ in range(width)],
        eps=rng.choice(list(level.get("eps", [0]))),
        index=[rng.randrange(n), rng.randrange(width)] if ask == "value" else None,
    )
    return params


# --------------------------------------------------------------------------- wording


def _batch_grid(rows: list[list[float]]) -> str:
    width = len(rows[0])
    header = [""] + [f"feature {c}" for c in range(width)]
    return format_grid([header] + [[f"sample {n + 1}"] + list(r) for n, r in enumerate(rows)])


def question_fields(params: dict) -> dict[str, str]:
    method = check(params)
    ask = params["ask"]
    fields = {"variant": method}
    if method == "batchnorm":
        rows = params["x"]
        width = len(rows[0])
        fields["data"] = _batch_grid(rows)
        fields["n"] = str(len(rows))
        fields["gamma"] = format_vector(params["gamma"]) if width > 1 else fmt(params["gamma"][0])
        fields["beta"] = format_vector(params["beta"]) if width > 1 else fmt(params["beta"][0])
        fields["eps"] = fmt(params["eps"]) if params["eps"] >= 1e-3 or params["eps"] == 0 else f"{params['eps']:g}"
        fields["per_feature"] = " (per feature, in feature order)" if width > 1 else ""
        if ask == "value":
            n, c = params["index"]
            where = f"sample {n + 1}" + (f", feature {c}" if width > 1 else "")
            fields["task"] = f"What is the output y for {where} (input {fmt(rows[n][c])})?"
        elif width > 1:
            fields["task"] = f"Give the whole output as a {len(rows)} x {width} matrix (rows = samples)."
        else:
            fields["task"] = f"Give the whole output as a vector of {len(rows)} values in sample order."
        return fields
    x = params["x"]
    fields["data"] = format_vector(x)
    fields["n"] = str(len(x))
    if ask == "value":
        i = params["index"]
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


def _stats_step(values: list[float], name: str = "") -> tuple[str, float, float]:
    m, var = mean(values), population_variance(values)
    devs = ", ".join(f"({fmt(v - m)})²" for v in values)
    text = (f"{name}mean = {fmt(sum(values))} / {len(values)} = {fmt(m)}; variance (divide by N) = "
            f"[{devs}] / {len(values)} = {fmt(var)}")
    return text, m, var


def solve(params: dict) -> Solution:
    method = check(params)
    ask = params["ask"]
    if method == "zscore":
        x = params["x"]
        stats, m, var = _stats_step(x)
        out = zscore(x)
        steps = [stats + f"; std = {_sqrt_text(var)}.",
                 f"z = ({_shift(m)}) / {fmt(math.sqrt(var))} = {format_vector(out)}"]
        return _answer(params, out, steps)
    if method == "minmax":
        x = params["x"]
        low, high = min(x), max(x)
        out = minmax(x)
        steps = [f"min = {fmt(low)}, max = {fmt(high)}, range = {fmt(high - low)}.",
                 f"x' = ({_shift(low)}) / {fmt(high - low)} = {format_vector(out)}"]
        return _answer(params, out, steps)
    rows, gamma, beta, eps = params["x"], params["gamma"], params["beta"], params["eps"]
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
        n, c = params["index"]
        value = out_rows[n][c]
        steps.append(f"The asked output (sample {n + 1}" + (f", feature {c}" if width > 1 else "")
                     + f") is {fmt(value)}.")
        return Solution(answer=answer, steps=steps, kind="real", display=fmt(value))
    if width == 1:
        return Solution(answer=answer, steps=steps, kind="vector", display=format_vector([r[0] for r in out_rows]))
    return Solution(answer=answer, steps=steps, kind="matrix",
                    display="[" + ", ".join(format_vector(r) for r in out_rows) + "]")


def _answer(params: dict, out: list[float], steps: list[str]) -> Solution:
    if params["ask"] == "value":
        index = params["index"]
        steps.append(f"The asked value (number {index + 1}) is {fmt(out[index])}.")
        return Solution(answer=asked(params, out), steps=steps, kind="real", display=fmt(out[index]))
    return Solution(answer=asked(params, out), steps=steps, kind="vector", display=format_vector(out))
