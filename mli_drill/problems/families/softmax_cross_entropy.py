"""Softmax, cross-entropy and its gradient with respect to the logits, for a tiny batch.

Conventions (CONVENTIONS.md, "Neural networks"): p = softmax(z) per sample;
L = -(1/N) sum_n ln p[n, y_n] (natural log, averaged over the batch);
dL/dz = (p - onehot(y)) / N.

Parameters (JSON form), typed as :class:`Params`:
    logits        list of N rows (N >= 1), each a list of K >= 2 numbers
    targets       list of N true class indices (0-based)
    ask           "probability" | "loss" | "gradient"
    sample_index  0-based sample whose probability is asked (ask "probability"; else null/absent)
    class_index   0-based class whose probability is asked (ask "probability"; else null/absent)

Answer: a real for "probability" and "loss"; for "gradient" a vector when
N == 1 and an N x K matrix (rows = samples) otherwise.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import fmt, format_grid, format_vector

Ask = Literal["probability", "loss", "gradient"]
ASKS: tuple[Ask, ...] = ("probability", "loss", "gradient")


# --------------------------------------------------------------------------- maths


def softmax(row: Sequence[float]) -> list[float]:
    top = max(row)  # subtracting the max changes nothing mathematically and avoids overflow
    exps = [math.exp(z - top) for z in row]
    total = sum(exps)
    return [e / total for e in exps]


def log_softmax(row: Sequence[float], k: int) -> float:
    """ln p_k computed as z_k - logsumexp(z), which stays finite when p_k underflows to 0."""
    top = max(row)
    return row[k] - top - math.log(sum(math.exp(z - top) for z in row))


def loss(rows: Sequence[Sequence[float]], targets: Sequence[int]) -> float:
    return -sum(log_softmax(row, t) for row, t in zip(rows, targets)) / len(targets)


def gradient(probs: Sequence[Sequence[float]], targets: Sequence[int]) -> list[list[float]]:
    n = len(targets)
    return [[(p - (1.0 if k == t else 0.0)) / n for k, p in enumerate(row)] for row, t in zip(probs, targets)]


# --------------------------------------------------------------------------- params


@dataclass(frozen=True)
class Params:
    logits: tuple[tuple[float, ...], ...]  # N rows (samples) of K logits
    targets: tuple[int, ...]  # the true class of each sample, 0-based
    ask: Ask
    sample_index: int | None = None  # the sample and class whose probability is asked (ask "probability" only)
    class_index: int | None = None

    def __post_init__(self) -> None:
        logits = self.logits
        require(len(logits) > 0, "logits", "must be a list of rows, one per sample, e.g. [[2, 1, 0.1]]")
        k = len(logits[0])
        require(k >= 2 and all(len(r) == k for r in logits), "logits",
                "every row must have the same number (>= 2) of classes")
        for n, row in enumerate(logits):
            for j, z in enumerate(row):
                require(math.isfinite(z), f"logits[{n}][{j}]", f"must be a finite number, got {z!r}")
        require(len(self.targets) == len(logits), "targets", f"must list one class index per sample ({len(logits)})")
        for n, t in enumerate(self.targets):
            require(0 <= t < k, f"targets[{n}]", f"must be an integer from 0 to {k - 1}, got {t!r}")
        if self.ask == "probability":
            for name, size in (("sample_index", len(logits)), ("class_index", k)):
                value = getattr(self, name)
                require(value is not None and 0 <= value < size, name,
                        f"must be an integer from 0 to {size - 1}, got {value!r}")
        else:
            for name in ("sample_index", "class_index"):
                require(getattr(self, name) is None, name, "is only used when ask is 'probability'")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    batch: tuple[int, ...] = (1,)  # batch sizes N to choose from
    classes: tuple[int, ...] = (3,)  # class counts K to choose from
    logits: tuple[float, float] = (-2, 3)  # [low, high] range of the logits
    decimals: tuple[int, ...] = (0,)  # 0 for integer logits, 1 for one-decimal logits
    asks: tuple[Ask, ...] = ASKS  # quantities asked

    def __post_init__(self) -> None:
        require(bool(self.batch) and min(self.batch) >= 1, "batch", "must be a non-empty list of integers >= 1")
        require(bool(self.classes) and min(self.classes) >= 2, "classes", "must be a non-empty list of integers >= 2")
        require(self.logits[0] < self.logits[1], "logits", "must be [low, high] with low < high")
        require(bool(self.decimals) and min(self.decimals) >= 0, "decimals", "must be a non-empty list of integers >= 0")
        require(bool(self.asks), "asks", "must not be empty")


# --------------------------------------------------------------------------- sampling


def _logit(rng: random.Random, low: float, high: float, decimals: int) -> float | int:
    if decimals == 0:
        return rng.randint(int(low), int(high))
    scale = 10**decimals
    return rng.randint(int(low * scale), int(high * scale)) / scale


def sample(rng: random.Random, level: Level) -> Params:
    n = rng.choice(level.batch)
    k = rng.choice(level.classes)
    low, high = level.logits
    decimals = rng.choice(level.decimals)
    ask = rng.choice(level.asks)
    rejections = Rejections()
    while True:
        logits = tuple(tuple(_logit(rng, low, high, decimals) for _ in range(k)) for _ in range(n))
        if all(len(set(row)) > 1 for row in logits):  # an all-equal row is the trivial uniform 1/K
            break
        rejections.again()
    targets = tuple(rng.randrange(k) for _ in range(n))
    if ask == "probability":
        sample_index = rng.randrange(n)
        return Params(logits, targets, ask, sample_index, rng.randrange(k))
    return Params(logits, targets, ask)


# --------------------------------------------------------------------------- wording


def logits_text(rows: Sequence[Sequence[float]], targets: Sequence[int]) -> str:
    k = len(rows[0])
    if len(rows) == 1:
        return f"logits z = {format_vector(rows[0])} for classes 0..{k - 1}; the true class is {targets[0]}."
    grid: list[list[object]] = [["", *[f"class {j}" for j in range(k)], "true class"]]
    grid += [[f"sample {n}", *row, str(t)] for n, (row, t) in enumerate(zip(rows, targets))]
    return f"a batch of {len(rows)} samples with logits (rows = samples, classes 0..{k - 1}):\n\n" + format_grid(grid)


def question_fields(params: Params) -> dict[str, str]:
    rows, targets, ask = params.logits, params.targets, params.ask
    n = len(rows)
    fields = {
        "variant": ask,
        "data": logits_text(rows, targets),
        "n": str(n),
        "batch": "the batch of N = 1 sample" if n == 1 else f"the N = {n} samples of the batch",
    }
    if ask == "probability":
        s, c = params.sample_index, params.class_index
        fields["which"] = f"class {c}" if n == 1 else f"class {c} for sample {s}"
    if ask == "gradient":
        fields["shape"] = (
            f"a vector of {len(rows[0])} numbers, one per class" if n == 1
            else f"a {n} x {len(rows[0])} matrix, one row per sample"
        )
    return fields


# --------------------------------------------------------------------------- worked solution


def softmax_steps(rows: Sequence[Sequence[float]], probs: Sequence[Sequence[float]]) -> list[str]:
    steps = []
    for n, (row, p) in enumerate(zip(rows, probs)):
        who = "" if len(rows) == 1 else f"Sample {n}: "
        shift = max(row) if max(abs(z) for z in row) > 30 else 0  # keep exp() printable
        exps = [math.exp(z - shift) for z in row]
        name = "exp(z)" if shift == 0 else f"exp(z - {fmt(shift)})"
        steps.append(
            f"{who}{name} = {format_vector(exps)}, sum = {fmt(sum(exps))}; "
            f"p = {name} / sum = {format_vector(p)}"
        )
    return steps


def solve(params: Params) -> Solution:
    rows, targets, ask = params.logits, params.targets, params.ask
    n = len(rows)
    probs = [softmax(r) for r in rows]
    steps = softmax_steps(rows, probs)
    if ask == "probability":
        s, c = params.sample_index, params.class_index
        assert s is not None and c is not None  # Params requires both when ask is "probability"
        value = probs[s][c]
        where = "" if n == 1 else f" of sample {s}"
        steps.append(f"The probability of class {c}{where} is p = {fmt(value)}.")
        return Solution(answer=round(value, 12), steps=steps, kind="real", display=fmt(value))
    value = loss(rows, targets)
    terms = " + ".join(f"ln {fmt(p[t])}" for p, t in zip(probs, targets))
    if ask == "loss":
        mean = f"-({terms}) / {n}" if n > 1 else f"-{terms}"
        steps.append(f"L = {mean} = {fmt(value)} (natural log of the true class's probability"
                     + (", averaged over the batch)" if n > 1 else ")"))
        return Solution(answer=round(value, 12), steps=steps, kind="real", display=fmt(value))
    grad = gradient(probs, targets)
    onehot = [[1 if k == t else 0 for k in range(len(rows[0]))] for t in targets]
    if n == 1:
        steps.append(f"One-hot target y = {format_vector(onehot[0])}; dL/dz = p - y = {format_vector(grad[0])}")
        answer: Any = [round(g, 12) for g in grad[0]]
        return Solution(answer=answer, steps=steps, kind="vector", display=format_vector(grad[0]))
    steps.append("One-hot targets (rows = samples):\n" + format_grid(onehot))
    steps.append(f"dL/dz = (p - y) / N with N = {n}:\n" + format_grid([[round(g, 4) for g in r] for r in grad]))
    answer = [[round(g, 12) for g in r] for r in grad]
    display = "[" + ", ".join(format_vector(r) for r in grad) + "]"
    return Solution(answer=answer, steps=steps, kind="matrix", display=display)


# --------------------------------------------------------------------------- mistakes


def _shaped(grad: list[list[float]]) -> Any:
    """A gradient in the answer's own shape: a vector for one sample, else a matrix."""
    rounded = [[round(g, 12) for g in row] for row in grad]
    return rounded[0] if len(rounded) == 1 else rounded


def _not_averaged(params: Params) -> Any:
    rows, targets, ask = params.logits, params.targets, params.ask
    n = len(rows)
    if n == 1 or ask == "probability":
        return None
    if ask == "loss":
        return round(loss(rows, targets) * n, 12)
    return _shaped([[g * n for g in row] for row in gradient([softmax(r) for r in rows], targets)])


def _not_averaged_message(params: Params) -> str:
    rows, ask = params.logits, params.ask
    what = "loss" if ask == "loss" else "gradient"
    return (f"you summed the {what} over the batch: the cross-entropy is averaged over N = {len(rows)} samples, "
            f"so divide the sum by {len(rows)}")


def _gradient_sign(params: Params) -> Any:
    rows, targets, ask = params.logits, params.targets, params.ask
    if ask != "gradient":
        return None
    return _shaped([[-g for g in row] for row in gradient([softmax(r) for r in rows], targets)])


def _gradient_sign_message(params: Params) -> str:
    rows, targets = params.logits, params.targets
    p = softmax(rows[0])[targets[0]]
    return (f"you took y − p instead of p − y: the true class's entry is p − 1 = {fmt(p)} − 1 = {fmt(p - 1)}, "
            f"negative, because raising its logit lowers the loss")


def _no_onehot(params: Params) -> Any:
    rows, ask = params.logits, params.ask
    if ask != "gradient":
        return None
    n = len(rows)
    return _shaped([[p / n for p in softmax(r)] for r in rows])


def _no_onehot_message(params: Params) -> str:
    rows, targets = params.logits, params.targets
    return (f"you forgot to subtract the one-hot target: dL/dz = (p − y)/N, so the true class "
            f"{targets[0]}{'' if len(rows) == 1 else ' of sample 0'} gets p − 1, not p")


def _log10_loss(params: Params) -> Any:
    rows, targets, ask = params.logits, params.targets, params.ask
    return round(loss(rows, targets) / math.log(10), 12) if ask == "loss" else None


def _log10_loss_message(params: Params) -> str:
    rows, targets = params.logits, params.targets
    return (f"you used log base 10: the cross-entropy uses the natural log, ln {fmt(softmax(rows[0])[targets[0]])} "
            f"= {fmt(math.log(softmax(rows[0])[targets[0]]))}")


MISTAKES = (
    Mistake("not-averaged", _not_averaged, _not_averaged_message),
    Mistake("gradient-sign-flipped", _gradient_sign, _gradient_sign_message),
    Mistake("gradient-without-target", _no_onehot, _no_onehot_message),
    Mistake("log10-loss", _log10_loss, _log10_loss_message),
)
