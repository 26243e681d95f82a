"""Softmax, cross-entropy and its gradient with respect to the logits, for a tiny batch.

Conventions (CONVENTIONS.md, "Neural networks"): p = softmax(z) per sample;
L = -(1/N) sum_n ln p[n, y_n] (natural log, averaged over the batch);
dL/dz = (p - onehot(y)) / N.

Parameters (JSON form):
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
from typing import Any

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import fmt, format_grid, format_vector

ASKS = ("probability", "loss", "gradient")


# --------------------------------------------------------------------------- maths


def softmax(row: list[float]) -> list[float]:
    top = max(row)  # subtracting the max changes nothing mathematically and avoids overflow
    exps = [math.exp(z - top) for z in row]
    total = sum(exps)
    return [e / total for e in exps]


def log_softmax(row: list[float], k: int) -> float:
    """ln p_k computed as z_k - logsumexp(z), which stays finite when p_k underflows to 0."""
    top = max(row)
    return row[k] - top - math.log(sum(math.exp(z - top) for z in row))


def loss(rows: list[list[float]], targets: list[int]) -> float:
    return -sum(log_softmax(row, t) for row, t in zip(rows, targets)) / len(targets)


def gradient(probs: list[list[float]], targets: list[int]) -> list[list[float]]:
    n = len(targets)
    return [[(p - (1.0 if k == t else 0.0)) / n for k, p in enumerate(row)] for row, t in zip(probs, targets)]


# --------------------------------------------------------------------------- params


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidParams(f"{what} must be a finite number, got {value!r}")
    return value


def _index(value: Any, size: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise InvalidParams(f"{what} must be an integer from 0 to {size - 1}, got {value!r}")
    return value


def parse(params: Any) -> tuple[list[list[float]], list[int], str]:
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping")
    logits = params.get("logits")
    if not isinstance(logits, list) or not logits or not all(isinstance(r, list) for r in logits):
        raise InvalidParams("logits must be a list of rows, one per sample, e.g. [[2, 1, 0.1]]")
    k = len(logits[0])
    if k < 2 or any(len(r) != k for r in logits):
        raise InvalidParams("every logits row must have the same number (>= 2) of classes")
    rows = [[_number(z, f"logits[{n}][{j}]") for j, z in enumerate(r)] for n, r in enumerate(logits)]
    targets = params.get("targets")
    if not isinstance(targets, list) or len(targets) != len(rows):
        raise InvalidParams(f"targets must list one class index per sample ({len(rows)})")
    targets = [_index(t, k, f"targets[{n}]") for n, t in enumerate(targets)]
    ask = params.get("ask")
    if ask not in ASKS:
        raise InvalidParams(f"ask must be one of {', '.join(ASKS)}, got {ask!r}")
    if ask == "probability":
        _index(params.get("sample_index"), len(rows), "sample_index")
        _index(params.get("class_index"), k, "class_index")
    else:
        for name in ("sample_index", "class_index"):
            if params.get(name) is not None:
                raise InvalidParams(f"{name} is only used when ask is 'probability'")
    return rows, targets, ask


# --------------------------------------------------------------------------- sampling


def _logit(rng: random.Random, low: float, high: float, decimals: int) -> float | int:
    if decimals == 0:
        return rng.randint(int(low), int(high))
    scale = 10**decimals
    return rng.randint(int(low * scale), int(high * scale)) / scale


def sample(rng: random.Random, level: dict) -> dict:
    n = rng.choice(list(level.get("batch", [1])))
    k = rng.choice(list(level.get("classes", [3])))
    low, high = level.get("logits", [-2, 3])
    decimals = rng.choice(list(level.get("decimals", [0])))
    ask = rng.choice(list(level.get("asks", ASKS)))
    rejections = Rejections()
    while True:
        logits = [[_logit(rng, low, high, decimals) for _ in range(k)] for _ in range(n)]
        if all(len(set(row)) > 1 for row in logits):  # an all-equal row is the trivial uniform 1/K
            break
        rejections.again()
    targets = [rng.randrange(k) for _ in range(n)]
    params: dict[str, Any] = {"logits": logits, "targets": targets, "ask": ask,
                              "sample_index": None, "class_index": None}
    if ask == "probability":
        params["sample_index"] = rng.randrange(n)
        params["class_index"] = rng.randrange(k)
    return params


# --------------------------------------------------------------------------- wording


def logits_text(rows: list[list[float]], targets: list[int]) -> str:
    k = len(rows[0])
    if len(rows) == 1:
        return f"logits z = {format_vector(rows[0])} for classes 0..{k - 1}; the true class is {targets[0]}."
    grid: list[list[object]] = [["", *[f"class {j}" for j in range(k)], "true class"]]
    grid += [[f"sample {n}", *row, str(t)] for n, (row, t) in enumerate(zip(rows, targets))]
    return f"a batch of {len(rows)} samples with logits (rows = samples, classes 0..{k - 1}):\n\n" + format_grid(grid)


def question_fields(params: dict) -> dict[str, str]:
    rows, targets, ask = parse(params)
    n = len(rows)
    fields = {
        "variant": ask,
        "data": logits_text(rows, targets),
        "n": str(n),
        "batch": "the batch of N = 1 sample" if n == 1 else f"the N = {n} samples of the batch",
    }
    if ask == "probability":
        s, c = params["sample_index"], params["class_index"]
        fields["which"] = f"class {c}" if n == 1 else f"class {c} for sample {s}"
    if ask == "gradient":
        fields["shape"] = (
            f"a vector of {len(rows[0])} numbers, one per class" if n == 1
            else f"a {n} x {len(rows[0])} matrix, one row per sample"
        )
    return fields


# --------------------------------------------------------------------------- worked solution


def softmax_steps(rows: list[list[float]], probs: list[list[float]]) -> list[str]:
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


def solve(params: dict) -> Solution:
    rows, targets, ask = parse(params)
    n = len(rows)
    probs = [softmax(r) for r in rows]
    steps = softmax_steps(rows, probs)
    if ask == "probability":
        s, c = params["sample_index"], params["class_index"]
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


def _not_averaged(params: dict) -> Any:
    rows, targets, ask = parse(params)
    n = len(rows)
    if n == 1 or ask == "probability":
        return None
    if ask == "loss":
        return round(loss(rows, targets) * n, 12)
    return _shaped([[g * n for g in row] for row in gradient([softmax(r) for r in rows], targets)])


def _not_averaged_message(params: dict) -> str:
    rows, targets, ask = parse(params)
    what = "loss" if ask == "loss" else "gradient"
    return (f"you summed the {what} over the batch: the cross-entropy is averaged over N = {len(rows)} samples, "
            f"so divide the sum by {len(rows)}")


def _gradient_sign(params: dict) -> Any:
    rows, targets, ask = parse(params)
    if ask != "gradient":
        return None
    return _shaped([[-g for g in row] for row in gradient([softmax(r) for r in rows], targets)])


def _gradient_sign_message(params: dict) -> str:
    rows, targets, _ = parse(params)
    p = softmax(rows[0])[targets[0]]
    return (f"you took y − p instead of p − y: the true class's entry is p − 1 = {fmt(p)} − 1 = {fmt(p - 1)}, "
            f"negative, because raising its logit lowers the loss")


def _no_onehot(params: dict) -> Any:
    rows, targets, ask = parse(params)
    if ask != "gradient":
        return None
    n = len(rows)
    return _shaped([[p / n for p in softmax(r)] for r in rows])


def _no_onehot_message(params: dict) -> str:
    rows, targets, _ = parse(params)
    return (f"you forgot to subtract the one-hot target: dL/dz = (p − y)/N, so the true class "
            f"{targets[0]}{'' if len(rows) == 1 else ' of sample 0'} gets p − 1, not p")


def _log10_loss(params: dict) -> Any:
    rows, targets, ask = parse(params)
    return round(loss(rows, targets) / math.log(10), 12) if ask == "loss" else None


def _log10_loss_message(params: dict) -> str:
    rows, targets, _ = parse(params)
    return (f"you used log base 10: the cross-entropy uses the natural log, ln {fmt(softmax(rows[0])[targets[0]])} "
            f"= {fmt(math.log(softmax(rows[0])[targets[0]]))}")


MISTAKES = (
    Mistake("not-averaged", _not_averaged, _not_averaged_message),
    Mistake("gradient-sign-flipped", _gradient_sign, _gradient_sign_message),
    Mistake("gradient-without-target", _no_onehot, _no_onehot_message),
    Mistake("log10-loss", _log10_loss, _log10_loss_message),
)
