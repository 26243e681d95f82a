"""Binary classification metrics from a confusion matrix or from two label vectors.

Conventions (CONVENTIONS.md, "Classification metrics"): accuracy
(TP+TN)/all; precision (PPV) TP/(TP+FP); recall (sensitivity, TPR) TP/(TP+FN);
specificity (TNR) TN/(TN+FP); F1 = 2TP/(2TP+FP+FN);
F_beta = (1+b²) P R / (b² P + R).

Parameters (JSON form), typed as :class:`Params`:
    metric      "accuracy" | "precision" | "recall" | "specificity" | "f1" | "fbeta"
    beta        positive number when metric == "fbeta", else null/absent
    source      "matrix" (give tp, fp, fn, tn) or "labels" (give y_true, y_pred, positive)
    tp, fp, fn, tn        non-negative ints (source "matrix")
    y_true, y_pred        equal-length lists of 0/1 (source "labels")
    positive              0 or 1: which label is the positive class (source "labels")
Parameters the source does not use must be absent (or null; generated instances
leave them out, and always have ``beta``). The asked metric's denominator must
not be 0 (InvalidParams otherwise).

The catalogued slips (``MISTAKES``) reuse ``value`` with one step done wrong:
FP and FN exchanged (precision for recall, NPV for specificity), F1 as the
arithmetic mean, beta not squared, or the other label taken as positive.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from mli_drill.problems.families.base import Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import fmt, informative, prefer_informative

Metric = Literal["accuracy", "precision", "recall", "specificity", "f1", "fbeta"]
Source = Literal["matrix", "labels"]
METRICS: tuple[Metric, ...] = ("accuracy", "precision", "recall", "specificity", "f1", "fbeta")
NAMES = {
    "accuracy": "accuracy",
    "precision": "precision (positive predictive value)",
    "recall": "recall (sensitivity, true positive rate)",
    "specificity": "specificity (true negative rate)",
    "f1": "F1 score",
    "fbeta": "F-beta score",
}
MATRIX_KEYS = ("tp", "fp", "fn", "tn")
LABEL_KEYS = ("y_true", "y_pred", "positive")


# --------------------------------------------------------------------------- params


@dataclass(frozen=True, kw_only=True)
class Params:
    metric: Metric
    beta: int | float | None = None  # always in the JSON: null unless the metric is fbeta
    source: Source
    tp: int | None = optional()  # the cells (source "matrix")
    fp: int | None = optional()
    fn: int | None = optional()
    tn: int | None = optional()
    y_true: tuple[int, ...] | None = optional()  # the labels (source "labels")
    y_pred: tuple[int, ...] | None = optional()
    positive: int | None = optional()

    def __post_init__(self) -> None:
        if self.metric == "fbeta":
            beta = self.beta
            require(beta is not None and beta > 0 and math.isfinite(beta), "beta",
                    f"metric 'fbeta' needs a positive number beta, got {beta!r}")
        else:
            require(self.beta is None, "beta", "is only used when metric is 'fbeta'")
        used, unused = (MATRIX_KEYS, LABEL_KEYS) if self.source == "matrix" else (LABEL_KEYS, MATRIX_KEYS)
        for key in unused:
            require(getattr(self, key) is None, key, f"source {self.source!r} does not use {key}")
        for key in used:
            require(getattr(self, key) is not None, key, f"source {self.source!r} needs {key}")
        if self.source == "matrix":
            for key in MATRIX_KEYS:
                require(getattr(self, key) >= 0, key, f"must be a non-negative integer, got {getattr(self, key)}")
        else:
            for key in ("y_true", "y_pred"):
                labels = getattr(self, key)
                require(len(labels) > 0, key, "must be a non-empty list of 0/1 labels")
                bad = next((i for i, v in enumerate(labels) if v not in (0, 1)), None)
                require(bad is None, f"{key}[{bad}]", f"must be 0 or 1, got {labels[bad or 0]!r}")
            require(len(self.y_true or ()) == len(self.y_pred or ()), "y_pred", "y_true and y_pred must have the same length")
            require(self.positive in (0, 1), "positive", f"must be 0 or 1, got {self.positive!r}")
        require(not zero_denominator(self.metric, counts_of(self)), "",
                f"{self.metric} is undefined here: its denominator is 0")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    metrics: tuple[Metric, ...] = METRICS  # which metric may be asked
    sources: tuple[Source, ...] = ("matrix",)  # matrix (counts given) or labels (count them)
    counts: tuple[int, int] = (1, 20)  # [low, high] of each confusion-matrix cell
    n: tuple[int, int] = (8, 12)  # [low, high] number of labels
    positive: tuple[int, ...] = (1,)  # which label (0 or 1) may be the positive class
    betas: tuple[int | float, ...] = (0.5, 2)  # beta values for F-beta

    def __post_init__(self) -> None:
        require(bool(self.metrics), "metrics", "must list at least one metric")
        require(bool(self.sources), "sources", "must list at least one source")
        require(1 <= self.counts[0] <= self.counts[1], "counts", "must be [low, high] with 1 <= low <= high")
        require(2 <= self.n[0] <= self.n[1], "n", "must be [low, high] with 2 <= low <= high")
        require(bool(self.positive) and set(self.positive) <= {0, 1}, "positive", "must be a non-empty list of 0 and/or 1")
        require(bool(self.betas) and min(self.betas) > 0, "betas", "must be a non-empty list of positive numbers")


def beta_of(params: Params) -> Fraction | None:
    """beta as an exact fraction (0.5 -> 1/2) so F-beta's fraction display is exact."""
    return None if params.metric != "fbeta" or params.beta is None else Fraction(params.beta).limit_denominator(1000)


def _label_counts(y_true: tuple[int, ...] | list[int], y_pred: tuple[int, ...] | list[int], positive: int) -> dict[str, int]:
    pairs = list(zip(y_true, y_pred))
    return {
        "tp": sum(t == positive and p == positive for t, p in pairs),
        "fp": sum(t != positive and p == positive for t, p in pairs),
        "fn": sum(t == positive and p != positive for t, p in pairs),
        "tn": sum(t != positive and p != positive for t, p in pairs),
    }


def counts_of(params: Params, positive: int | None = None) -> dict[str, int]:
    """TP, FP, FN, TN from either source (``positive`` overrides the params' positive label)."""
    if params.source == "matrix":
        return {"tp": params.tp or 0, "fp": params.fp or 0, "fn": params.fn or 0, "tn": params.tn or 0}
    return _label_counts(params.y_true or (), params.y_pred or (), (params.positive or 0) if positive is None else positive)


def _parts(params: Params) -> tuple[Metric, Fraction | None, dict[str, int]]:
    return params.metric, beta_of(params), counts_of(params)


def zero_denominator(metric: str, c: dict[str, int]) -> bool:
    tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
    if metric == "accuracy":
        return tp + fp + fn + tn == 0
    if metric == "precision":
        return tp + fp == 0
    if metric == "recall":
        return tp + fn == 0
    if metric == "specificity":
        return tn + fp == 0
    # F1 and F-beta need precision and recall defined and not both zero
    return tp + fp == 0 or tp + fn == 0 or tp == 0


# --------------------------------------------------------------------------- metric values (exact)


def value(metric: str, c: dict[str, int], beta: Fraction | None, square_beta: bool = True) -> Fraction:
    """The metric, exactly. ``square_beta=False`` weights F-beta by beta instead of beta² (a slip)."""
    tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
    if metric == "accuracy":
        return Fraction(tp + tn, tp + fp + fn + tn)
    if metric == "precision":
        return Fraction(tp, tp + fp)
    if metric == "recall":
        return Fraction(tp, tp + fn)
    if metric == "specificity":
        return Fraction(tn, tn + fp)
    if metric == "f1":
        return Fraction(2 * tp, 2 * tp + fp + fn)
    assert beta is not None
    p, r = Fraction(tp, tp + fp), Fraction(tp, tp + fn)
    b2 = beta * beta if square_beta else beta
    return (1 + b2) * p * r / (b2 * p + r)


# --------------------------------------------------------------------------- mistakes


def _fp_fn_swapped(c: dict[str, int]) -> dict[str, int]:
    """The confusion matrix read transposed: FP and FN exchanged."""
    return {**c, "fp": c["fn"], "fn": c["fp"]}


def _real(x: Fraction) -> float:
    return round(float(x), 12)


def _precision_recall_swapped(params: Params) -> float | None:
    metric, beta, c = _parts(params)
    if metric not in ("precision", "recall", "fbeta") or zero_denominator(metric, _fp_fn_swapped(c)):
        return None
    return _real(value(metric, _fp_fn_swapped(c), beta))


def _npv_for_specificity(params: Params) -> float | None:
    metric, beta, c = _parts(params)
    if metric != "specificity" or c["tn"] + c["fn"] == 0:
        return None
    return _real(value(metric, _fp_fn_swapped(c), beta))


def _arithmetic_mean_f1(params: Params) -> float | None:
    metric, beta, c = _parts(params)
    if metric != "f1":
        return None
    return _real((value("precision", c, beta) + value("recall", c, beta)) / 2)


def _beta_not_squared(params: Params) -> float | None:
    metric, beta, c = _parts(params)
    if metric != "fbeta" or beta == 1:
        return None
    return _real(value(metric, c, beta, square_beta=False))


def _positive_class_swapped(params: Params) -> float | None:
    metric, beta, _ = _parts(params)
    if params.source != "labels" or params.positive != 0:
        return None
    other = counts_of(params, positive=1)
    return None if zero_denominator(metric, other) else _real(value(metric, other, beta))


def _precision_recall_message(params: Params) -> str:
    metric, _, c = _parts(params)
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    precision = f"precision = TP / (TP + FP) = {tp} / ({tp} + {fp})"
    recall = f"recall = TP / (TP + FN) = {tp} / ({tp} + {fn})"
    if metric == "fbeta":
        return (f"you swapped precision and recall in F-beta: P = {tp}/{tp + fp} (over the predicted positives) "
                f"and R = {tp}/{tp + fn} (over the actual positives); beta weights recall")
    right, wrong = (precision, recall) if metric == "precision" else (recall, precision)
    return (f"you computed {wrong.split(' =')[0]} instead: {right}, not {wrong} "
            f"(FP are wrongly predicted positive, FN are missed actual positives)")


def _npv_message(params: Params) -> str:
    _, _, c = _parts(params)
    tn, fp, fn = c["tn"], c["fp"], c["fn"]
    return (f"you divided by the predicted negatives (TN + FN, the negative predictive value): specificity is over "
            f"the actual negatives, TN / (TN + FP) = {tn} / ({tn} + {fp}), not {tn} / ({tn} + {fn})")


def _arithmetic_mean_message(params: Params) -> str:
    _, _, c = _parts(params)
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    return (f"you averaged precision {tp}/{tp + fp} and recall {tp}/{tp + fn} arithmetically: F1 is their "
            f"harmonic mean, 2TP / (2TP + FP + FN) = {2 * tp} / ({2 * tp} + {fp} + {fn})")


def _beta_not_squared_message(params: Params) -> str:
    _, beta, _ = _parts(params)
    assert beta is not None
    b, b2 = fmt(float(beta)), fmt(float(beta * beta))
    return f"you used beta = {b} where the formula has beta² = {b2}: F_beta = (1 + {b2}) P R / ({b2} P + R)"


def _positive_class_message(params: Params) -> str:
    right, wrong = counts_of(params), counts_of(params, positive=1)
    return (f"you took label 1 as the positive class: here it is label 0, so TP counts samples that are 0 and "
            f"predicted 0 (TP = {right['tp']}, FP = {right['fp']}, FN = {right['fn']}), not 1 and 1 "
            f"(TP = {wrong['tp']})")


MISTAKES = (
    Mistake("precision-recall-swapped", _precision_recall_swapped, _precision_recall_message),
    Mistake("npv-for-specificity", _npv_for_specificity, _npv_message),
    Mistake("arithmetic-mean-f1", _arithmetic_mean_f1, _arithmetic_mean_message),
    Mistake("beta-not-squared", _beta_not_squared, _beta_not_squared_message),
    Mistake("positive-class-swapped", _positive_class_swapped, _positive_class_message),
)


# --------------------------------------------------------------------------- sampling


def sample(rng: random.Random, level: Level) -> Params:
    metric = rng.choice(list(level.metrics))
    source = rng.choice(list(level.sources))
    betas = list(level.betas)
    beta = rng.choice(betas) if metric == "fbeta" else None
    return prefer_informative(lambda: _draw(rng, level, metric, beta, source), _informative)


def _draw(rng: random.Random, level: Level, metric: Metric, beta: int | float | None, source: Source) -> Params:
    """Counts, or label vectors with every cell present (every metric defined and non-trivial)."""
    if source == "matrix":
        low, high = level.counts
        tp, fp, fn, tn = (rng.randint(low, high) for _ in MATRIX_KEYS)
        return Params(metric=metric, beta=beta, source=source, tp=tp, fp=fp, fn=fn, tn=tn)
    n_low, n_high = level.n
    positives = list(level.positive)
    rejections = Rejections()
    while True:
        n = rng.randint(n_low, n_high)
        y_true = [rng.randint(0, 1) for _ in range(n)]
        y_pred = [rng.randint(0, 1) for _ in range(n)]
        positive = rng.choice(positives)
        if min(_label_counts(y_true, y_pred, positive).values()) >= 1:
            return Params(metric=metric, beta=beta, source=source, y_true=tuple(y_true), y_pred=tuple(y_pred),
                          positive=positive)
        rejections.again()


# Twice the answer tolerance of problems/classification-metrics.yaml: values closer than this
# could both be "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.001}


def _informative(params: Params) -> bool:
    """Each slip's value is told apart from the answer and the others (so, e.g., F1 is not asked where
    precision and recall are so close that their arithmetic mean passes for F1)."""
    metric, beta, counts = _parts(params)
    return informative(_real(value(metric, counts, beta)), [m.answer(params) for m in MISTAKES], **SEPARATION)


# --------------------------------------------------------------------------- wording


def table(rows: list[list[object]]) -> str:
    """Rows as text with one width per column (format_grid uses one width for all, too wide here)."""
    cells = [[fmt(v) if isinstance(v, (int, float)) else str(v) for v in row] for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(cells[0]))]
    return "\n".join(
        " ".join(c.ljust(widths[0]) if k == 0 else c.rjust(widths[k]) for k, c in enumerate(row)).rstrip()
        for row in cells
    )


def matrix_grid(c: dict[str, int]) -> str:
    return table([
        ["", "predicted positive", "predicted negative"],
        ["actual positive", f"TP = {c['tp']}", f"FN = {c['fn']}"],
        ["actual negative", f"FP = {c['fp']}", f"TN = {c['tn']}"],
    ])


def data_text(params: Params) -> str:
    if params.source == "matrix":
        c = counts_of(params)
        return "A binary classifier's confusion matrix on a test set:\n\n" + table([
            ["", "predicted positive", "predicted negative"],
            ["actual positive", c["tp"], c["fn"]],
            ["actual negative", c["fp"], c["tn"]],
        ])
    y_true, y_pred = list(params.y_true or ()), list(params.y_pred or ())
    rows: list[list[object]] = [["sample", *[str(i + 1) for i in range(len(y_true))]], ["true", *y_true],
                                ["predicted", *y_pred]]
    return (f"A binary classifier's predictions on {len(y_true)} test samples; the positive class is "
            f"label {params.positive}:\n\n" + table(rows))


def formula(metric: str, beta: Fraction | None) -> str:
    if metric == "accuracy":
        return "accuracy = (TP + TN) / (TP + FP + FN + TN)"
    if metric == "precision":
        return "precision = TP / (TP + FP)"
    if metric == "recall":
        return "recall = TP / (TP + FN)"
    if metric == "specificity":
        return "specificity = TN / (TN + FP)"
    if metric == "f1":
        return "F1 = 2TP / (2TP + FP + FN)"
    assert beta is not None  # beta_of() gives a beta exactly when the metric is fbeta
    return f"F_beta = (1 + beta²) P R / (beta² P + R) with beta = {fmt(float(beta))}, P = precision, R = recall"


def question_fields(params: Params) -> dict[str, str]:
    metric, beta, _ = _parts(params)
    if metric == "fbeta":
        assert beta is not None  # beta_of() gives a beta exactly when the metric is fbeta
        name = f"F-beta score with beta = {fmt(float(beta))}"
    else:
        name = NAMES[metric]
    return {"data": data_text(params), "metric": name, "formula": formula(metric, beta)}


# --------------------------------------------------------------------------- worked solution


def show(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    return f"{x.numerator}/{x.denominator} ≈ {fmt(float(x))}"


def solve(params: Params) -> Solution:
    metric, beta, c = _parts(params)
    tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
    steps = []
    if params.source == "labels":
        pos = params.positive or 0  # 0 or 1: Params checks it is given with labels
        pairs = list(zip(params.y_true or (), params.y_pred or ()))
        cells = {
            "TP": [i for i, (t, p) in enumerate(pairs, 1) if t == pos and p == pos],
            "FN": [i for i, (t, p) in enumerate(pairs, 1) if t == pos and p != pos],
            "FP": [i for i, (t, p) in enumerate(pairs, 1) if t != pos and p == pos],
            "TN": [i for i, (t, p) in enumerate(pairs, 1) if t != pos and p != pos],
        }
        listing = "\n".join(f"{name}: samples {', '.join(map(str, idx)) or '-'}" for name, idx in cells.items())
        steps.append(
            f"With label {pos} positive: TP = true {pos} & predicted {pos}; FN = true {pos} & predicted {1 - pos}; "
            f"FP = true {1 - pos} & predicted {pos}; TN = true {1 - pos} & predicted {1 - pos}.\n"
            + listing + "\n" + matrix_grid(c)
        )
    else:
        steps.append("Read the cells:\n" + matrix_grid(c))
    result = value(metric, c, beta)
    if metric == "accuracy":
        steps.append(f"accuracy = (TP + TN) / all = ({tp} + {tn}) / {tp + fp + fn + tn} = {show(result)}")
    elif metric == "precision":
        steps.append(f"precision = TP / (TP + FP) = {tp} / ({tp} + {fp}) = {show(result)}")
    elif metric == "recall":
        steps.append(f"recall = TP / (TP + FN) = {tp} / ({tp} + {fn}) = {show(result)}")
    elif metric == "specificity":
        steps.append(f"specificity = TN / (TN + FP) = {tn} / ({tn} + {fp}) = {show(result)}")
    elif metric == "f1":
        steps.append(f"F1 = 2TP / (2TP + FP + FN) = {2 * tp} / ({2 * tp} + {fp} + {fn}) = {show(result)} "
                     f"(the harmonic mean of precision {show(Fraction(tp, tp + fp))} and recall "
                     f"{show(Fraction(tp, tp + fn))})")
    else:
        assert beta is not None  # the remaining metric is fbeta, which always has a beta
        p, r = Fraction(tp, tp + fp), Fraction(tp, tp + fn)
        b2 = beta * beta
        steps.append(f"P = TP / (TP + FP) = {tp}/{tp + fp} ≈ {fmt(float(p))}; "
                     f"R = TP / (TP + FN) = {tp}/{tp + fn} ≈ {fmt(float(r))}")
        steps.append(f"beta² = {fmt(float(b2))}: F_beta = (1 + {fmt(float(b2))}) · P · R / ({fmt(float(b2))} · P + R) "
                     f"= {fmt(float((1 + b2) * p * r))} / {fmt(float(b2 * p + r))} = {show(result)}")
    return Solution(answer=round(float(result), 12), steps=steps, kind="real", display=show(result))
