"""k-nearest-neighbour classification of one query point (week 3).

The k training points nearest the query vote; the majority label wins. Distances
are Euclidean, or Manhattan (|dx| + |dy|) where the question says so. The
sampler rejects every tie that would need a rule the question does not state: a
tie at the k-th distance (which k points?), a tie in the order of the k nearest
(the ``neighbours`` answer is sorted by distance) and a tie in the vote.

Params (JSON), typed as :class:`Params`::

    {"points": [[x, y], ...], "labels": [int, ...], "query": [x, y], "k": int,
     "metric": "euclidean" | "manhattan", "ask": "class" | "neighbours"}

``class`` is answered with the winning label; ``neighbours`` with the indices
(0-based) of the k nearest points, nearest first.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import fmt, format_table, format_vector

Metric = Literal["euclidean", "manhattan"]
Ask = Literal["class", "neighbours"]
METRICS: tuple[Metric, ...] = ("euclidean", "manhattan")
ASKS: tuple[Ask, ...] = ("class", "neighbours")
Point = Sequence[int]  # [x, y]


@dataclass(frozen=True)
class Params:
    points: tuple[tuple[int, int], ...]  # the training points [x, y]
    labels: tuple[int, ...]  # one class label per point
    query: tuple[int, int]
    k: int
    metric: Metric
    ask: Ask

    def __post_init__(self) -> None:
        count = len(self.points)
        require(count >= 2, "points", "must list at least two [x, y] points")
        require(len(self.labels) == count, "labels", f"must give one class label per point: {len(self.labels)} for {count} points")
        require(all(label >= 0 for label in self.labels), "labels", "must be integers >= 0")
        require(1 <= self.k <= count, "k", f"must be from 1 to {count} (the number of points), got {self.k}")
        problem = ambiguity(self.points, self.labels, self.query, self.k, self.metric, self.ask)
        require(problem is None, "", problem or "")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    points: tuple[int, int] = (6, 8)  # [min, max] number of training points
    extent: int = 8  # coordinates (integers) lie in [0, extent]
    classes: tuple[int, ...] = (2,)  # choices for the number of labels
    k: tuple[int, ...] = (3,)  # choices of k
    metrics: tuple[Metric, ...] = ("euclidean",)  # distance choices
    asks: tuple[Ask, ...] = ASKS  # class (the winning label) or neighbours (the k nearest, nearest first)

    def __post_init__(self) -> None:
        low, high = self.points
        require(2 <= low <= high, "points", "must be [min, max] with 2 <= min <= max")
        require(self.extent >= 1 and (self.extent + 1) ** 2 > high, "extent", "must leave room for the points and the query")
        require(bool(self.classes) and min(self.classes) >= 1, "classes", "must be a non-empty list of integers >= 1")
        require(bool(self.k) and 1 <= min(self.k) and max(self.k) <= low, "k", "must be a non-empty list of integers from 1 to the fewest points")
        require(bool(self.metrics), "metrics", "must be a non-empty list")
        require(bool(self.asks), "asks", "must be a non-empty list")


def squared_or_manhattan(a: Point, b: Point, metric: str) -> int:
    """An exact integer that orders points as the metric does: dx² + dy² (Euclidean) or |dx| + |dy|."""
    dx, dy = a[0] - b[0], a[1] - b[1]
    return dx * dx + dy * dy if metric == "euclidean" else abs(dx) + abs(dy)


def distance_text(a: Point, b: Point, metric: str) -> str:
    key = squared_or_manhattan(a, b, metric)
    if metric == "manhattan":
        return str(key)
    root = math.isqrt(key)
    return str(root) if root * root == key else f"√{key} ≈ {fmt(math.sqrt(key), 3)}"


def ranked(points: Sequence[Point], query: Point, metric: str) -> list[int]:
    """Indices of the points, nearest first (ties broken by index; the sampler excludes the ones that matter)."""
    return sorted(range(len(points)), key=lambda i: (squared_or_manhattan(points[i], query, metric), i))


def vote(labels: Sequence[int], indices: list[int]) -> int | None:
    """The majority label among ``indices``, or None on a tie."""
    counts = Counter(labels[i] for i in indices).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        return None
    return counts[0][0]


def ambiguity(points: Sequence[Point], labels: Sequence[int], query: Point, k: int, metric: str, ask: str) -> str | None:
    """Why the answer would need a tie rule the question does not state, or None."""
    keys = sorted(squared_or_manhattan(p, query, metric) for p in points)[: k + 1]
    if len(set(keys)) < len(keys):
        return "two of the k + 1 nearest points are equally far: the neighbours are not unique"
    if ask == "class" and vote(labels, ranked(points, query, metric)[:k]) is None:
        return "the k nearest points' vote is tied"
    return None


# --------------------------------------------------------------------------- solving


def solve(params: Params) -> Solution:
    points, labels, query, k, metric, ask = params.points, params.labels, params.query, params.k, params.metric, params.ask
    order = ranked(points, query, metric)
    formula = "√(dx² + dy²)" if metric == "euclidean" else "|dx| + |dy|"
    rows: list[list[object]] = [["point", "x", "y", "label", "distance", "rank"]]
    for i, p in enumerate(points):
        rows.append([str(i), p[0], p[1], labels[i], distance_text(p, query, metric), str(order.index(i) + 1)])
    nearest = order[:k]
    steps = [
        f"{metric.capitalize()} distance from the query ({query[0]}, {query[1]}): {formula}.\n" + format_table(rows),
        f"The {k} nearest, nearest first: points {', '.join(map(str, nearest))} "
        f"(labels {', '.join(str(labels[i]) for i in nearest)}).",
    ]
    if ask == "neighbours":
        return Solution(answer=nearest, steps=steps, kind="vector", display=format_vector(nearest))
    counts = Counter(labels[i] for i in nearest)
    winner = vote(labels, nearest)
    tally = ", ".join(f"label {label}: {count}" for label, count in sorted(counts.items()))
    steps.append(f"Votes: {tally}. The majority label is {winner}.")
    return Solution(answer=winner, steps=steps, kind="integer")


def question_fields(params: Params) -> dict[str, str]:
    points, labels, query = params.points, params.labels, params.query
    rows: list[list[object]] = [["point", "x", "y", "label"]]
    rows += [[str(i), p[0], p[1], labels[i]] for i, (p, label) in enumerate(zip(points, labels))]
    words = {"euclidean": "Euclidean distance √(dx² + dy²)", "manhattan": "Manhattan distance |dx| + |dy|"}
    return {"variant": params.ask, "table": format_table(rows), "qx": str(query[0]), "qy": str(query[1]),
            "k": str(params.k), "metric": words[params.metric], "count": str(len(points))}


# --------------------------------------------------------------------------- sampling


def sample(rng: random.Random, level: Level) -> Params:
    """Draw until the neighbours and the vote are clear and the question is worth asking (see
    ``_acceptable``). Most draws are rejected, so a draw becomes :class:`Params` only when kept."""
    rejections = Rejections()
    low, high = level.points
    grid = _grid(level.extent)
    ask = rng.choice(level.asks)
    class_counts, ks, metrics = level.classes, level.k, level.metrics
    while True:
        count = rng.randint(low, high)
        classes = rng.choice(class_counts)
        cells = rng.sample(grid, count + 1)
        labels = [rng.randrange(classes) for _ in range(count)]
        k, metric = rng.choice(ks), rng.choice(metrics)
        if len(set(labels)) == classes and _acceptable(cells[:count], labels, cells[count], k, metric, ask):
            return Params(points=tuple(cells[:count]), labels=tuple(labels), query=cells[count], k=k, metric=metric, ask=ask)
        rejections.again()


@lru_cache(maxsize=8)
def _grid(extent: int) -> tuple[tuple[int, int], ...]:
    """Every integer point of the square, in the order the sampler draws from (built once per extent)."""
    return tuple((x, y) for x in range(extent + 1) for y in range(extent + 1))


def _clear_order(keys: list[int], size: int) -> list[int] | None:
    """The indices of the ``size`` smallest keys in order, or None when a tie leaves that open."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    head = [keys[i] for i in order[: size + 1]]
    return order[:size] if len(set(head)) == len(head) else None


def _acceptable(points: Sequence[Sequence[int]], labels: list[int], query: Sequence[int], k: int, metric: str, ask: str) -> bool:
    """Unique neighbours and vote, and a question worth asking: a class is not just the majority of all
    points, and a neighbour list depends on the metric (so that slip can be told apart)."""
    nearest = _clear_order(_keys(points, query, metric), k)
    if nearest is None:
        return False
    if ask == "class":
        winner = vote(labels, nearest)
        return winner is not None and winner != vote(labels, list(range(len(points))))  # not the overall majority
    other = "manhattan" if metric == "euclidean" else "euclidean"
    swapped = _clear_order(_keys(points, query, other), k)
    return swapped is not None and swapped != nearest  # the metric changes the answer, in one clear order


def _keys(points: Sequence[Sequence[int]], query: Sequence[int], metric: str) -> list[int]:
    """``squared_or_manhattan`` from each point to the query, written out (the sampler needs many)."""
    qx, qy = query
    if metric == "euclidean":
        return [(x - qx) ** 2 + (y - qy) ** 2 for x, y in points]
    return [abs(x - qx) + abs(y - qy) for x, y in points]


# --------------------------------------------------------------------------- mistakes


def _neighbours_slip(metric_swapped: bool = False, extra: int = 0, farthest: bool = False) -> Callable[[Params], list[int] | None]:
    """The neighbour list with one step done wrong. A class answer is one of two or three labels, so a
    wrong class cannot be traced to one slip: slips are diagnosed on neighbour lists only."""

    def answer(params: Params) -> list[int] | None:
        if params.ask != "neighbours":
            return None
        points, query, metric = params.points, params.query, params.metric
        if metric_swapped:
            metric = "manhattan" if metric == "euclidean" else "euclidean"
        order = ranked(points, query, metric)[:: -1 if farthest else 1]
        size = params.k + extra
        if size > len(points):
            return None
        keys = [squared_or_manhattan(points[i], query, metric) for i in order[: size + 1]]
        if len(set(keys)) < len(keys):
            return None  # a tie: the slipped list has no one order to compare an answer with
        return order[:size]

    return answer


def _metric_message(params: Params) -> str:
    used, meant = ("Manhattan", "Euclidean") if params.metric == "euclidean" else ("Euclidean", "Manhattan")
    general = f"you ranked by {used} distance: this question uses {meant} distance"
    points, query, k, metric = params.points, params.query, params.k, params.metric
    other = "manhattan" if metric == "euclidean" else "euclidean"
    right, slipped = ranked(points, query, metric)[:k], ranked(points, query, other)[:k]
    place = next((n for n, (r, w) in enumerate(zip(right, slipped)) if r != w), None)
    if place is None:
        return general
    first, second = right[place], slipped[place]
    return (f"{general}: by {meant} distance point {first} ({distance_text(points[first], query, metric)}) comes "
            f"before point {second} ({distance_text(points[second], query, metric)}); by {used} distance they swap "
            f"({distance_text(points[first], query, other)} and {distance_text(points[second], query, other)})")


def _k_plus_one_message(params: Params) -> str:
    k = params.k
    return (f"you took the {k + 1} nearest: the query is not one of its own neighbours "
            f"(it is not in the training set), so k = {k} means {k} training points")


def _farthest_message(params: Params) -> str:
    return "you took the farthest points: k-NN votes among the k points with the smallest distance"


MISTAKES = (
    Mistake("other-metric", _neighbours_slip(metric_swapped=True), _metric_message),
    Mistake("k-plus-one", _neighbours_slip(extra=1), _k_plus_one_message),
    Mistake("farthest-points", _neighbours_slip(farthest=True), _farthest_message),
)
