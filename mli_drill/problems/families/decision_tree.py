"""Decision-tree impurities: entropy, Gini, information gain, weighted Gini, and the best stump.

Conventions (CONVENTIONS.md, "Ensembles and trees"): entropy in log base 2
with 0 log 0 = 0; Gini = 1 - sum p^2; information gain
IG = H(S) - sum |S_i|/|S| H(S_i); a split's Gini score is the size-weighted sum
of its children's Gini.

Parameters (JSON form, typed as :class:`Params`), by ``ask``:
    "entropy" | "gini"                     counts: class counts of one node, e.g. [7, 2]
    "information_gain" | "weighted_gini"   children: class counts per child, e.g. [[3, 1], [1, 5]]
    "best_feature"                         columns: {"x1": [...], "x2": [...], ...} (integer features),
                                           labels: list of class indices (0, 1, ...),
                                           criterion: "entropy" (largest IG) | "gini" (smallest weighted Gini)
Parameters an ask does not use must be absent (or null); they are left out of the JSON.

For ``best_feature`` a candidate split is ``feature <= t`` vs ``feature > t``
with t at a midpoint between consecutive distinct values of that feature; the
answer is the name of the feature of the single best split.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, Mapping, Sequence

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import fmt, format_table, informative, prefer_informative

Ask = Literal["entropy", "gini", "information_gain", "weighted_gini", "best_feature"]
Criterion = Literal["entropy", "gini"]
ASKS: tuple[Ask, ...] = ("entropy", "gini", "information_gain", "weighted_gini", "best_feature")
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


def entropy(counts: Sequence[int]) -> float:
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c > 0)


def gini(counts: Sequence[int]) -> float:
    total = sum(counts)
    return 1 - sum((c / total) ** 2 for c in counts)


IMPURITY = {"entropy": entropy, "gini": gini}


def weighted(children: Sequence[Sequence[int]], impurity) -> float:
    total = sum(sum(c) for c in children)
    return sum(sum(c) / total * impurity(c) for c in children)


def parent_of(children: Sequence[Sequence[int]]) -> list[int]:
    return [sum(column) for column in zip(*children)]


# --------------------------------------------------------------------------- best split


@dataclass(frozen=True)
class Split:
    feature: str
    threshold: float
    left: list[int]  # class counts where feature <= threshold
    right: list[int]
    score: float  # weighted impurity of the children (lower is better)


def class_counts(labels: Sequence[int], n_classes: int) -> list[int]:
    return [labels.count(k) for k in range(n_classes)]


def all_splits(columns: Mapping[str, Sequence[int]], labels: Sequence[int], criterion: str) -> list[Split]:
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


def best_split(columns: Mapping[str, Sequence[int]], labels: Sequence[int], criterion: str) -> tuple[Split, list[Split]]:
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

Counts = tuple[int, ...]  # class counts of one node


def _check_counts(counts: Counts, what: str) -> None:
    require(2 <= len(counts) <= len(CLASS_NAMES), what, f"must be a list of 2 to {len(CLASS_NAMES)} class counts")
    for i, c in enumerate(counts):
        require(c >= 0, f"{what}[{i}]", f"must be a non-negative integer, got {c!r}")
    require(sum(counts) > 0, what, "describes an empty node")


@dataclass(frozen=True)
class Params:
    ask: Ask
    counts: Counts | None = optional()  # entropy, gini: one node
    children: tuple[Counts, ...] | None = optional()  # information_gain, weighted_gini
    columns: dict[str, tuple[int, ...]] | None = optional()  # best_feature: feature -> values
    labels: tuple[int, ...] | None = optional()  # best_feature: class index per sample
    criterion: Criterion | None = optional()  # best_feature

    def __post_init__(self) -> None:
        ask = self.ask
        for name in ("counts", "children", "columns", "labels", "criterion"):
            present = getattr(self, name) is not None
            if name in USES[ask]:
                require(present, name, f"ask {ask!r} needs parameter {name!r}")
            else:
                require(not present, name, f"is not used by ask {ask!r}; leave it out")
        if self.counts is not None:
            _check_counts(self.counts, "counts")
        if self.children is not None:
            require(len(self.children) >= 2, "children", "must be a list of at least 2 children's class counts")
            for i, child in enumerate(self.children):
                _check_counts(child, f"children[{i}]")
            require(len({len(c) for c in self.children}) == 1, "children", "every child must list the same number of classes")
        if self.labels is not None and self.columns is not None:
            labels = self.labels
            require(len(labels) >= 2, "labels", "must be a list of at least 2 class indices")
            for i, y in enumerate(labels):
                require(0 <= y < len(CLASS_NAMES), f"labels[{i}]", f"must be a class index from 0 to {len(CLASS_NAMES) - 1}, got {y!r}")
            require(bool(self.columns), "columns", "must map feature names to value lists")
            for name, values in self.columns.items():
                require(bool(name), "columns", "feature names must be non-empty strings")
                require(len(values) == len(labels), f"columns.{name}", f"needs one value per label ({len(labels)})")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    asks: tuple[Ask, ...] = ASKS  # quantities to choose from
    node_classes: tuple[int, ...] = (2,)  # classes of a single node (entropy, gini)
    node_count_max: int = 9  # largest class count of a single node (counts >= 1)
    split_children: tuple[int, ...] = (2,)  # children of a split (information_gain, weighted_gini)
    split_classes: tuple[int, ...] = (2,)  # classes of a split
    split_count_max: int = 6  # largest class count of a child (counts 0..max)
    rows: tuple[int, int] = (6, 8)  # [min, max] samples in the best_feature table
    features: int = 3  # features (columns) of the table
    feature_max: int = 1  # feature values are integers 0..feature_max; 1 means 0/1 features
    criteria: tuple[Criterion, ...] = ("entropy", "gini")  # best_feature: largest IG or smallest weighted Gini
    min_margin: float = 0.0  # how much better the best split's score must be than the runner-up's

    def __post_init__(self) -> None:
        require(bool(self.asks), "asks", "must not be empty")
        for name in ("node_classes", "split_children", "split_classes"):
            choices = getattr(self, name)
            require(bool(choices) and min(choices) >= 2, name, "must be a non-empty list of integers >= 2")
        for name in ("node_classes", "split_classes"):
            require(max(getattr(self, name)) <= len(CLASS_NAMES), name, f"at most {len(CLASS_NAMES)} classes have names")
        require(self.node_count_max >= 1, "node_count_max", "must be at least 1")
        require(self.split_count_max >= 1, "split_count_max", "must be at least 1")
        require(2 <= self.rows[0] <= self.rows[1], "rows", "must be [min, max] with 2 <= min <= max")
        require(self.features >= 1, "features", "must be at least 1")
        require(self.feature_max >= 1, "feature_max", "must be at least 1")
        require(bool(self.criteria), "criteria", "must not be empty")
        require(self.min_margin >= 0, "min_margin", "must be at least 0")


# --------------------------------------------------------------------------- sampling


def _node(rng: random.Random, n_classes: int, high: int) -> Counts:
    return tuple(rng.randint(1, high) for _ in range(n_classes))


def _children(rng: random.Random, n_children: int, n_classes: int, high: int) -> tuple[Counts, ...]:
    return tuple(tuple(rng.randint(0, high) for _ in range(n_classes)) for _ in range(n_children))


def _split_ok(children: Sequence[Counts]) -> bool:
    """Every child non-empty and the split actually informative (IG and Gini drop > 0)."""
    if any(sum(c) == 0 for c in children):
        return False
    parent = parent_of(children)
    if any(c == 0 for c in parent):
        return False
    return entropy(parent) - weighted(children, entropy) > 1e-6


def sample(rng: random.Random, level: Level) -> Params:
    """Prefers a draw whose slips give values apart from the answer and each other: two children of
    nearly equal size make the unweighted mean pass for the weighted one within the tolerance."""
    ask = rng.choice(level.asks)  # drawn once, so redraws keep the level's mix of asks
    if ask in ("entropy", "gini", "information_gain", "weighted_gini"):
        return prefer_informative(lambda: _draw(rng, level, ask), _informative)
    return _draw(rng, level, ask)


# Twice the spec's answer tolerance (rel_tol 0.01, abs_tol 0.0005): no typed answer is accepted both as
# the answer and as a slip, or as two slips.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.001}


def _informative(params: Params) -> bool:
    return informative(solve(params).answer, [m.answer(params) for m in MISTAKES], **SEPARATION)


def _draw(rng: random.Random, level: Level, ask: Ask) -> Params:
    rejections = Rejections()
    if ask in ("entropy", "gini"):
        n_classes = rng.choice(level.node_classes)
        high = level.node_count_max
        while True:
            counts = _node(rng, n_classes, high)
            if len(set(counts)) > 1 or n_classes > 2:  # [k, k] is the trivial 1 bit / 1/2
                return Params(ask, counts=counts)
            rejections.again()
    if ask in ("information_gain", "weighted_gini"):
        n_children = rng.choice(level.split_children)
        n_classes = rng.choice(level.split_classes)
        high = level.split_count_max
        while True:
            children = _children(rng, n_children, n_classes, high)
            if _split_ok(children):
                return Params(ask, children=children)
            rejections.again()
    n_low, n_high = level.rows
    value_high = level.feature_max
    n_features = level.features
    criterion = rng.choice(level.criteria)
    min_margin = level.min_margin
    while True:
        n = rng.randint(n_low, n_high)
        labels = tuple(rng.randint(0, 1) for _ in range(n))
        columns = {f"x{j + 1}": tuple(rng.randint(0, value_high) for _ in range(n)) for j in range(n_features)}
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
        return Params(ask, columns=columns, labels=labels, criterion=criterion)


# --------------------------------------------------------------------------- wording


def node_text(counts: Sequence[int]) -> str:
    return ", ".join(f"{c} of class {CLASS_NAMES[k]}" for k, c in enumerate(counts))


def children_text(children: Sequence[Sequence[int]]) -> str:
    return "\n".join(f"  child {i + 1}: {node_text(c)}" for i, c in enumerate(children))


def table_text(columns: Mapping[str, Sequence[int]], labels: Sequence[int]) -> str:
    rows: list[list[object]] = [["sample", *[str(i + 1) for i in range(len(labels))]]]
    rows += [[name, *values] for name, values in columns.items()]
    rows.append(["class", *[CLASS_NAMES[y] for y in labels]])
    return format_table(rows)


def question_fields(params: Params) -> dict[str, str]:
    ask = params.ask
    if ask in ("entropy", "gini"):
        counts = _node_of(params)
        return {"variant": ask, "node": node_text(counts), "total": str(sum(counts))}
    if ask in ("information_gain", "weighted_gini"):
        children = _children_of(params)
        parent = parent_of(children)
        return {"variant": ask, "parent": node_text(parent), "total": str(sum(parent)),
                "children": children_text(children), "n_children": str(len(children))}
    columns, labels, criterion = _table_of(params)
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


def entropy_steps(counts: Sequence[int], name: str = "H") -> str:
    total = sum(counts)
    terms = " + ".join(f"{c}/{total} log2({c}/{total})" for c in counts if c > 0)
    zero = " (an absent class adds 0 log 0 = 0)" if any(c == 0 for c in counts) else ""
    value = entropy(counts)
    return f"{name} = -({terms}){zero} = {fmt(value)} bits"


def gini_steps(counts: Sequence[int], name: str = "Gini") -> str:
    total = sum(counts)
    terms = " + ".join(f"({c}/{total})²" for c in counts)
    return f"{name} = 1 - ({terms}) = 1 - {sum(c * c for c in counts)}/{total * total} = {exact(gini(counts))}"


def node_solution(ask: str, counts: Sequence[int]) -> Solution:
    total = sum(counts)
    steps = [f"The node holds {total} samples: p = [{', '.join(f'{c}/{total}' for c in counts)}]."]
    if ask == "entropy":
        steps.append(entropy_steps(counts))
        value = entropy(counts)
        return Solution(answer=round(value, 12), steps=steps, kind="real", display=f"{fmt(value)} bits")
    steps.append(gini_steps(counts))
    value = gini(counts)
    return Solution(answer=round(value, 12), steps=steps, kind="real", display=exact(value))


def split_solution(ask: str, children: Sequence[Sequence[int]]) -> Solution:
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


def best_feature_solution(columns: Mapping[str, Sequence[int]], labels: Sequence[int], criterion: str) -> Solution:
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


def _counts(counts: Sequence[int]) -> str:
    """Class counts of a child as '3A 1B'."""
    return " ".join(f"{c}{CLASS_NAMES[k]}" for k, c in enumerate(counts))


def _node_of(params: Params) -> Counts:
    assert params.counts is not None  # Params requires it for the ask
    return params.counts


def _children_of(params: Params) -> tuple[Counts, ...]:
    assert params.children is not None
    return params.children


def _table_of(params: Params) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...], Criterion]:
    assert params.columns is not None and params.labels is not None and params.criterion is not None
    return params.columns, params.labels, params.criterion


def solve(params: Params) -> Solution:
    ask = params.ask
    if ask in ("entropy", "gini"):
        return node_solution(ask, _node_of(params))
    if ask in ("information_gain", "weighted_gini"):
        return split_solution(ask, _children_of(params))
    columns, labels, criterion = _table_of(params)
    try:
        return best_feature_solution(columns, labels, criterion)
    except Degenerate as exc:
        raise InvalidParams(f"no single best split: {exc}") from None


# --------------------------------------------------------------------------- mistakes


def _nats(counts: Sequence[int]) -> float:
    return entropy(counts) * math.log(2)


def _sum_of_squares(counts: Sequence[int]) -> float:
    return 1 - gini(counts)


def _mean(children: Sequence[Sequence[int]], impurity) -> float:
    return sum(impurity(c) for c in children) / len(children)


def _natural_log(params: Params) -> float | None:
    ask = params.ask
    if ask == "entropy":
        return round(_nats(_node_of(params)), 12)
    if ask == "information_gain":
        children = _children_of(params)
        return round(_nats(parent_of(children)) - weighted(children, _nats), 12)
    return None


def _natural_log_message(params: Params) -> str:
    return "you used the natural log: the course's entropy is in bits, log base 2 (divide nats by ln 2 ≈ 0.6931)"


def _no_one_minus(params: Params) -> float | None:
    ask = params.ask
    if ask == "gini":
        return round(_sum_of_squares(_node_of(params)), 12)
    if ask == "weighted_gini":
        return round(weighted(_children_of(params), _sum_of_squares), 12)
    return None


def _no_one_minus_message(params: Params) -> str:
    counts = params.counts or parent_of(_children_of(params))
    total = sum(counts)
    squares = " + ".join(f"({c}/{total})²" for c in counts)
    return f"you stopped at the sum of squares: Gini = 1 − Σ p², e.g. 1 − ({squares}), not Σ p² itself"


def _unweighted(params: Params) -> float | None:
    ask = params.ask
    if ask not in ("information_gain", "weighted_gini"):
        return None
    children = _children_of(params)
    if len({sum(c) for c in children}) == 1:
        return None  # equal sizes: the plain mean is the weighted mean
    if ask == "weighted_gini":
        return round(_mean(children, gini), 12)
    return round(entropy(parent_of(children)) - _mean(children, entropy), 12)


def _unweighted_message(params: Params) -> str:
    children = _children_of(params)
    total = sum(sum(c) for c in children)
    weights = ", ".join(f"{sum(c)}/{total}" for c in children)
    return f"you averaged the children equally: each child counts by its share of the samples, {weights}"


def _children_only(params: Params) -> float | None:
    if params.ask != "information_gain":
        return None
    return round(weighted(_children_of(params), entropy), 12)


def _children_only_message(params: Params) -> str:
    parent = parent_of(_children_of(params))
    return (f"you gave the weighted child entropy: the gain is H(S) minus it, "
            f"with H(S) = {fmt(entropy(parent))} bits for the parent {node_text(parent)}")


MISTAKES = (
    Mistake("natural-log", _natural_log, _natural_log_message),
    Mistake("gini-without-one-minus", _no_one_minus, _no_one_minus_message),
    Mistake("unweighted-children", _unweighted, _unweighted_message),
    Mistake("gain-without-parent", _children_only, _children_only_message),
)
