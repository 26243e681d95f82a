"""Decision-tree impurities: entropy, Gini, information gain, weighted Gini, and the best stump.

Conventions (CONVENTIONS.md, "Ensembles and trees"): entropy in log base 2
with 0 log 0 = 0; Gini = 1 - sum p^2; information gain
IG = H(S) - sum |S_i|/|S| H(S_i); a split's Gini score is the size-weighted sum
of its children's Gini.

Parameters (JSON form), by ``ask``:
    "entropy" | "gini"                     counts: class counts of one node, e.g. [7, 2]
    "information_gain" | "weighted_gini"   children: class counts per child, e.g. [[3, 1], [1, 5]]
    "best_feature"                         columns: {"x1": [...], "x2": [...], ...} (integer features),
                                           labels: list of class indices (0, 1, ...),
                                           criterion: "entropy" (largest IG) | "gini" (smallest weighted Gini)
Parameters an ask does not use must be absent (or null).

For ``best_feature`` a candidate split is ``feature <= t`` vs ``feature > t``
with t at a midpoint between consecutive distinct values of that feature; the
answer is the name of the feature of the single best split.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import fmt, format_table, informative, prefer_informative

ASKS = ("entropy", "gini", "information_gain", "weighted_gini", "best_feature")
USES = {
    "entropy": ("counts",),
    "gini": ("counts",),
    "information_gain": ("children",),
    "weighted_gini": ("children",),
    "best_feature": ("columns", "labels", "criterion"),
}
CLASS_NAMES = "ABCDEFGH"
TIE_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- impurities


def entropy(counts: list[int]) -> float:
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c > 0)


def gini(counts: list[int]) -> float:
    total = sum(counts)
    return 1 - sum((c / total) ** 2 for c in counts)


IMPURITY = {"entropy": entropy, "gini": gini}


def weighted(children: list[list[int]], impurity) -> float:
    total = sum(sum(c) for c in children)
    return sum(sum(c) / total * impurity(c) for c in children)


def parent_of(children: list[list[int]]) -> list[int]:
    return [sum(column) for column in zip(*children)]


# --------------------------------------------------------------------------- best split


@dataclass(frozen=True)
class Split:
    feature: str
    threshold: float
    left: list[int]  # class counts where feature <= threshold
    right: list[int]
    score: float  # weighted impurity of the children (lower is better)


def class_counts(labels: list[int], n_classes: int) -> list[int]:
    return [labels.count(k) for k in range(n_classes)]


def all_splits(columns: dict[str, list[int]], labels: list[int], criterion: str) -> list[Split]:
    n_classes = max(labels) + 1
    impurity = IMPURITY[criterion]
    splits = []
    for name, values in columns.items():
        distinct = sorted(set(values))
        for a, b in zip(distinct, distinct[1:]):
            t = (a + b) / 2
            left = class_counts([y for v, y in zip(values, labels) if v <= t], n_classes)
            right = class_counts([y for v, y in zip(values, labels) if v > t], n_classes)
            splits.append(Split(name, t, left, right, weighted([left, right], impurity)))
    return splits


class Degenerate(Exception):
    """No single best split (tie, or no split reduces the impurity)."""


def best_split(columns: dict[str, list[int]], labels: list[int], criterion: str) -> tuple[Split, list[Split]]:
    splits = all_splits(columns, labels, criterion)
    if not splits:
        raise Degenerate("every feature is constant, so there is no split")
    ranked = sorted(splits, key=lambda s: s.score)
    best = ranked[0]
    if len(ranked) > 1 and ranked[1].score - best.score <= TIE_TOLERANCE:
        raise Degenerate(
            f"splits on {best.feature} (t = {fmt(best.threshold)}) and {ranked[1].feature} "
            f"(t = {fmt(ranked[1].threshold)}) tie with score {fmt(best.score)}"
        )
    parent = class_counts(labels, max(labels) + 1)
    if IMPURITY[criterion](parent) - best.score <= TIE_TOLERANCE:
        raise Degenerate("no split reduces the impurity")
    return best, splits


# --------------------------------------------------------------------------- params


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParams(f"{what} must be a non-negative integer, got {value!r}")
    return value


def parse_counts(value: Any, what: str = "counts") -> list[int]:
    if not isinstance(value, list) or len(value) < 2:
        raise InvalidParams(f"{what} must be a list of at least 2 class counts")
    counts = [_count(v, f"{what}[{i}]") for i, v in enumerate(value)]
    if sum(counts) == 0:
        raise InvalidParams(f"{what} describes an empty node")
    return counts


def parse_children(value: Any) -> list[list[int]]:
    if not isinstance(value, list) or len(value) < 2:
        raise InvalidParams("children must be a list of at least 2 children's class counts")
    children = [parse_counts(c, f"children[{i}]") for i, c in enumerate(value)]
    if len({len(c) for c in children}) != 1:
        raise InvalidParams("every child must list the same number of classes")
    return children


def parse_table(params: dict) -> tuple[dict[str, list[int]], list[int], str]:
    columns, labels, criterion = params["columns"], params["labels"], params["criterion"]
    if criterion not in IMPURITY:
        raise InvalidParams(f"criterion must be 'entropy' or 'gini', got {criterion!r}")
    if not isinstance(labels, list) or len(labels) < 2:
        raise InvalidParams("labels must be a list of at least 2 class indices")
    labels = [_count(v, f"labels[{i}]") for i, v in enumerate(labels)]
    if not isinstance(columns, dict) or not columns:
        raise InvalidParams("columns must map feature names to value lists")
    parsed = {}
    for name, values in columns.items():
        if not isinstance(name, str) or not name:
            raise InvalidParams("feature names must be non-empty strings")
        if not isinstance(values, list) or len(values) != len(labels):
            raise InvalidParams(f"feature {name!r} needs one value per label ({len(labels)})")
        parsed[name] = [_int(v, f"{name}[{i}]") for i, v in enumerate(values)]
    return parsed, labels, criterion


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParams(f"{what} must be an integer, got {value!r}")
    return value


def check(params: Any) -> str:
    """Validate the shape of params and return the ask."""
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping")
    ask = params.get("ask")
    if ask not in ASKS:
        raise InvalidParams(f"ask must be one of {', '.join(ASKS)}, got {ask!r}")
    for name in USES[ask]:
        if params.get(name) is None:
            raise InvalidParams(f"ask {ask!r} needs parameter {name!r}")
    for name, value in params.items():
        if name != "ask" and name not in USES[ask] and value is not None:
            raise InvalidParams(f"parameter {name!r} is not used by ask {ask!r}; leave it out")
    return ask


# --------------------------------------------------------------------------- sampling


def _node(rng: random.Random, n_classes: int, high: int) -> list[int]:
    return [rng.randint(1, high) for _ in range(n_classes)]


def _children(rng: random.Random, n_children: int, n_classes: int, high: int) -> list[list[int]]:
    return [[rng.randint(0, high) for _ in range(n_classes)] for _ in range(n_children)]


def _split_ok(children: list[list[int]]) -> bool:
    """Every child non-empty and the split actually informative (IG and Gini drop > 0)."""
    if any(sum(c) == 0 for c in children):
        return False
    parent = parent_of(children)
    if any(c == 0 for c in parent):
        return False
    return entropy(parent) - weighted(children, entropy) > 1e-6


def sample(rng: random.Random, level: dict) -> dict:
    """Prefers a draw whose slips give values apart from the answer and each other: two children of
    nearly equal size make the unweighted mean pass for the weighted one within the tolerance."""
    ask = rng.choice(list(level.get("asks", ASKS)))  # drawn once, so redraws keep the level's mix of asks
    if ask in ("entropy", "gini", "information_gain", "weighted_gini"):
        return prefer_informative(lambda: _draw(rng, level, ask), _informative)
    return _draw(rng, level, ask)


# Twice the spec's answer tolerance (rel_tol 0.01, abs_tol 0.0005): no typed answer is accepted both as
# the answer and as a slip, or as two slips.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.001}


def _informative(params: dict) -> bool:
    return informative(solve(params).answer, [m.answer(params) for m in MISTAKES], **SEPARATION)


def _draw(rng: random.Random, level: dict, ask: str) -> dict:
    rejections = Rejections()
    if ask in ("entropy", "gini"):
        n_classes = rng.choice(level.get("node_classes", [2]))
        high = level.get("node_count_max", 9)
        while True:
            counts = _node(rng, n_classes, high)
            if len(set(counts)) > 1 or n_classes > 2:  # [k, k] is the trivial 1 bit / 1/2
                return {"ask": ask, "counts": counts}
            rejections.again()
    if ask in ("information_gain", "weighted_gini"):
        n_children = rng.choice(level.get("split_children", [2]))
        n_classes = rng.choice(level.get("split_classes", [2]))
        high = level.get("split_count_max", 6)
        while True:
            children = _children(rng, n_children, n_classes, high)
            if _split_ok(children):
                return {"ask": ask, "children": children}
            rejections.again()
    n_low, n_high = level.get("rows", [6, 8])
    value_high = level.get("feature_max", 1)
    n_features = level.get("features", 3)
    criterion = rng.choice(level.get("criteria", ["entropy", "gini"]))
    min_margin = level.get("min_margin", 0.0)
    while True:
        n = rng.randint(n_low, n_high)
        labels = [rng.randint(0, 1) for _ in range(n)]
        columns = {f"x{j + 1}": [rng.randint(0, value_high) for _ in range(n)] for j in range(n_features)}
        if len(set(labels)) < 2 or any(len(set(v)) < 2 for v in columns.values()):
            rejections.again()
            continue
        try:
            best, splits = best_split(columns, labels, criterion)
        except Degenerate:
            rejections.again()
            continue
        if sorted(s.score for s in splits)[1] - best.score < min_margin:
            rejections.again()  # a near tie would hinge on rounding when worked by hand
            continue
        return {"ask": ask, "columns": columns, "labels": labels, "criterion": criterion}


# --------------------------------------------------------------------------- wording


def node_text(counts: list[int]) -> str:
    return ", ".join(f"{c} of class {CLASS_NAMES[k]}" for k, c in enumerate(counts))


def children_text(children: list[list[int]]) -> str:
    return "\n".join(f"  child {i + 1}: {node_text(c)}" for i, c in enumerate(children))


def table_text(columns: dict[str, list[int]], labels: list[int]) -> str:
    rows: list[list[object]] = [["sample", *[str(i + 1) for i in range(len(labels))]]]
    rows += [[name, *values] for name, values in columns.items()]
    rows.append(["class", *[CLASS_NAMES[y] for y in labels]])
    return format_table(rows)


def question_fields(params: dict) -> dict[str, str]:
    ask = check(params)
    if ask in ("entropy", "gini"):
        counts = parse_counts(params["counts"])
        return {"variant": ask, "node": node_text(counts), "total": str(sum(counts))}
    if ask in ("information_gain", "weighted_gini"):
        children = parse_children(params["children"])
        parent = parent_of(children)
        return {"variant": ask, "parent": node_text(parent), "total": str(sum(parent)),
                "children": children_text(children), "n_children": str(len(children))}
    columns, labels, criterion = parse_table(params)
    names = list(columns)
    choices = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    binary = all(set(v) <= {0, 1} for v in columns.values())
    return {
        "variant": f"best_feature_{criterion}",
        "n": str(len(labels)),
        "table": table_text(columns, labels),
        "choices": choices,
        "split_rule": (
            "Each feature is 0/1, so a split sends the samples with value 0 to one child and 1 to the other."
            if binary else
            "A split is 'feature <= t' vs 'feature > t' with t at a midpoint between two consecutive distinct "
            "values of that feature."
        ),
    }


# --------------------------------------------------------------------------- worked solution


def exact(x: float) -> str:
    """'28/81 ≈ 0.3457' for Gini values (rational), plain decimals otherwise."""
    frac = Fraction(x).limit_denominator(10_000)
    if frac.denominator != 1 and abs(float(frac) - x) < 1e-12 and frac.denominator <= 2000:
        return f"{frac} ≈ {fmt(x)}"
    return fmt(x)


def entropy_steps(counts: list[int], name: str = "H") -> str:
    total = sum(counts)
    terms = " + ".join(f"{c}/{total} log2({c}/{total})" for c in counts if c > 0)
    zero = " (an absent class adds 0 log 0 = 0)" if any(c == 0 for c in counts) else ""
    value = entropy(counts)
    return f"{name} = -({terms}){zero} = {fmt(value)} bits"


def gini_steps(counts: list[int], name: str = "Gini") -> str:
    total = sum(counts)
    terms = " + ".join(f"({c}/{total})²" for c in counts)
    return f"{name} = 1 - ({terms}) = 1 - {sum(c * c for c in counts)}/{total * total} = {exact(gini(counts))}"


def node_solution(ask: str, counts: list[int]) -> Solution:
    total = sum(counts)
    steps = [f"The node holds {total} samples: p = [{', '.join(f'{c}/{total}' for c in counts)}]."]
    if ask == "entropy":
        steps.append(entropy_steps(counts))
        value = entropy(counts)
        return Solution(answer=round(value, 12), steps=steps, kind="real", display=f"{fmt(value)} bits")
    steps.append(gini_steps(counts))
    value = gini(counts)
    return Solution(answer=round(value, 12), steps=steps, kind="real", display=exact(value))


def split_solution(ask: str, children: list[list[int]]) -> Solution:
    parent = parent_of(children)
    total = sum(parent)
    impurity, unit = (entropy, " bits") if ask == "information_gain" else (gini, "")
    line = entropy_steps if ask == "information_gain" else gini_steps
    symbol = "H" if ask == "information_gain" else "Gini"
    steps = []
    if ask == "information_gain":
        steps.append("Parent node (" + node_text(parent) + "): " + line(parent, "H(S)"))
    for i, c in enumerate(children, start=1):
        size = f"{sum(c)} sample" + ("s" if sum(c) != 1 else "")
        steps.append(f"Child {i} ({size}, weight {sum(c)}/{total}): " + line(c, f"{symbol}(S_{i})"))
    score = weighted(children, impurity)
    terms = " + ".join(f"{sum(c)}/{total}·{fmt(impurity(c))}" for c in children)
    if ask == "weighted_gini":
        steps.append(f"Weighted Gini = {terms} = {exact(score)}")
        return Solution(answer=round(score, 12), steps=steps, kind="real", display=exact(score))
    steps.append(f"Weighted child entropy = {terms} = {fmt(score)} bits")
    gain = entropy(parent) - score
    steps.append(f"IG = H(S) - weighted child entropy = {fmt(entropy(parent))} - {fmt(score)} = {fmt(gain)} bits")
    return Solution(answer=round(gain, 12), steps=steps, kind="real", display=f"{fmt(gain)} bits")


def best_feature_solution(columns: dict[str, list[int]], labels: list[int], criterion: str) -> Solution:
    best, splits = best_split(columns, labels, criterion)
    parent = class_counts(labels, max(labels) + 1)
    impurity = IMPURITY[criterion]
    measure = "entropy" if criterion == "entropy" else "Gini"
    binary = all(set(v) <= {0, 1} for v in columns.values())
    unit = " bits" if criterion == "entropy" else ""
    steps = [f"Parent: {node_text(parent)}; {measure} = {fmt(impurity(parent))}{unit}."]
    sides = ["value 0", "value 1"] if binary else ["<= t", "> t"]
    header: list[object] = ["split", *sides, f"weighted {measure}"]
    if criterion == "entropy":
        header.append("IG")
    rows: list[list[object]] = [header]
    for s in splits:
        name = s.feature if binary else f"{s.feature}, t = {fmt(s.threshold)}"
        row: list[object] = [name, _counts(s.left), _counts(s.right), fmt(s.score)]
        if criterion == "entropy":
            row.append(fmt(impurity(parent) - s.score))
        rows.append(row)
    steps.append("Every candidate split (class counts per child, then the size-weighted impurity):\n" + format_table(rows))
    where = "" if binary else f" at t = {fmt(best.threshold)}"
    if criterion == "entropy":
        best_text = (f"the largest information gain, IG = {fmt(impurity(parent) - best.score)} bits "
                     f"(weighted child entropy {fmt(best.score)})")
    else:
        best_text = f"the smallest weighted Gini, {fmt(best.score)}"
    steps.append(f"The split on {best.feature}{where} has {best_text}; every other split is worse.")
    return Solution(answer=best.feature, steps=steps, kind="text", display=best.feature)


def _counts(counts: list[int]) -> str:
    """Class counts of a child as '3A 1B'."""
    return " ".join(f"{c}{CLASS_NAMES[k]}" for k, c in enumerate(counts))


def solve(params: dict) -> Solution:
    ask = check(params)
    if ask in ("entropy", "gini"):
        return node_solution(ask, parse_counts(params["counts"]))
    if ask in ("information_gain", "weighted_gini"):
        return split_solution(ask, parse_children(params["children"]))
    columns, labels, criterion = parse_table(params)
    try:
        return best_feature_solution(columns, labels, criterion)
    except Degenerate as exc:
        raise InvalidParams(f"no single best split: {exc}") from None


# --------------------------------------------------------------------------- mistakes


def _nats(counts: list[int]) -> float:
    return entropy(counts) * math.log(2)


def _sum_of_squares(counts: list[int]) -> float:
    return 1 - gini(counts)


def _mean(children: list[list[int]], impurity) -> float:
    return sum(impurity(c) for c in children) / len(children)


def _natural_log(params: dict) -> float | None:
    ask = check(params)
    if ask == "entropy":
        return round(_nats(parse_counts(params["counts"])), 12)
    if ask == "information_gain":
        children = parse_children(params["children"])
        return round(_nats(parent_of(children)) - weighted(children, _nats), 12)
    return None


def _natural_log_message(params: dict) -> str:
    return "you used the natural log: the course's entropy is in bits, log base 2 (divide nats by ln 2 ≈ 0.6931)"


def _no_one_minus(params: dict) -> float | None:
    ask = check(params)
    if ask == "gini":
        return round(_sum_of_squares(parse_counts(params["counts"])), 12)
    if ask == "weighted_gini":
        return round(weighted(parse_children(params["children"]), _sum_of_squares), 12)
    return None


def _no_one_minus_message(params: dict) -> str:
    counts = params.get("counts") or parent_of(params["children"])
    total = sum(counts)
    squares = " + ".join(f"({c}/{total})²" for c in counts)
    return f"you stopped at the sum of squares: Gini = 1 − Σ p², e.g. 1 − ({squares}), not Σ p² itself"


def _unweighted(params: dict) -> float | None:
    ask = check(params)
    if ask not in ("information_gain", "weighted_gini"):
        return None
    children = parse_children(params["children"])
    if len({sum(c) for c in children}) == 1:
        return None  # equal sizes: the plain mean is the weighted mean
    if ask == "weighted_gini":
        return round(_mean(children, gini), 12)
    return round(entropy(parent_of(children)) - _mean(children, entropy), 12)


def _unweighted_message(params: dict) -> str:
    children = parse_children(params["children"])
    total = sum(sum(c) for c in children)
    weights = ", ".join(f"{sum(c)}/{total}" for c in children)
    return f"you averaged the children equally: each child counts by its share of the samples, {weights}"


def _children_only(params: dict) -> float | None:
    if check(params) != "information_gain":
        return None
    return round(weighted(parse_children(params["children"]), entropy), 12)


def _children_only_message(params: dict) -> str:
    parent = parent_of(parse_children(params["children"]))
    return (f"you gave the weighted child entropy: the gain is H(S) minus it, "
            f"with H(S) = {fmt(entropy(parent))} bits for the parent {node_text(parent)}")


MISTAKES = (
    Mistake("natural-log", _natural_log, _natural_log_message),
    Mistake("gini-without-one-minus", _no_one_minus, _no_one_minus_message),
    Mistake("unweighted-children", _unweighted, _unweighted_message),
    Mistake("gain-without-parent", _children_only, _children_only_message),
)
