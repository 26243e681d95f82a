"""One k-means (Lloyd) iteration on a handful of integer points.

Convention (CONVENTIONS.md, "Registration and the rest"): assign each point to
its nearest current centre (Euclidean; the generator avoids ties, and a tie
would go to the lower index), then move each centre to the mean of the points
assigned to it. Centres are numbered from 1 in questions and answers.

``ask`` selects the answer: ``assignments`` (the vector of centre numbers,
one per point) or ``centres`` (the updated centres: a vector for 1-D data, a
k x 2 matrix for 2-D data). Squared distances are compared, so all the
arithmetic before the means is in integers.

The catalogued slips (``MISTAKES``) reuse the same steps with one done wrong:
the assignment by Manhattan distance, a second iteration run on, or the centre
numbers counted from 0.

Params (JSON), typed as :class:`Params`::

    {"points": [[x] | [x, y] | x, ...], "centres": [[x] | [x, y] | x, ...], "ask": "assignments" | "centres"}

(integer coordinates; 1-D points may be given as plain integers; ``ask`` defaults to ``centres``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator, Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import fmt, format_grid, informative, prefer_informative

Ask = Literal["assignments", "centres"]
ASKS: tuple[Ask, ...] = ("assignments", "centres")

Point = list[int]
Coordinates = tuple[int, ...] | int  # a point as JSON gives it: [x] or [x, y], or a plain x for 1-D data


@dataclass(frozen=True)
class Params:
    points: tuple[Coordinates, ...]
    centres: tuple[Coordinates, ...]
    ask: Ask = "centres"

    def __post_init__(self) -> None:
        require(len(self.points) > 0, "points", "must list at least one point")
        require(len(self.centres) >= 2, "centres", "k-means needs at least 2 centres")
        points, centres = _lists(self.points), _lists(self.centres)
        dims = {len(p) for p in points + centres}
        require(len(dims) == 1 and dims.pop() in (1, 2), "centres", "points and centres must all be 1-D or all 2-D")
        if self.ask == "centres":
            assignment = _assign_with_ties(points, centres)
            empty = [j + 1 for j in range(len(centres)) if j not in assignment]
            require(not empty, "centres", f"centre(s) {empty} get no points: the update of an empty cluster is undefined")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    dims: tuple[int, ...] = (1,)  # data dimension choices (1 or 2)
    k: tuple[int, int] = (2, 2)  # [min, max] number of clusters
    points: tuple[int, int] = (5, 6)  # [min, max] number of points
    max_coordinate: int = 10  # coordinates are integers 0..max_coordinate
    asks: tuple[Ask, ...] = ASKS  # what may be asked

    def __post_init__(self) -> None:
        require(bool(self.dims) and set(self.dims) <= {1, 2}, "dims", "must be a non-empty list of 1 and/or 2")
        require(2 <= self.k[0] <= self.k[1], "k", "must be [min, max] with 2 <= min <= max")
        require(1 <= self.points[0] <= self.points[1], "points", "must be [min, max] with 1 <= min <= max")
        require(self.max_coordinate >= 1, "max_coordinate", "must be at least 1")
        require(bool(self.asks), "asks", "must list at least one question")


def _lists(coordinates: Sequence[Coordinates]) -> list[Point]:
    """Points as lists of coordinates (a plain integer is a 1-D point)."""
    return [[p] if type(p) is int else list(p) for p in coordinates]  # type: ignore[arg-type]


def _unpacked(params: Params) -> tuple[list[Point], list[Point], Ask]:
    return _lists(params.points), _lists(params.centres), params.ask


def sample(rng: random.Random, level: Level) -> Params:
    """Distinct integer points and k distinct centres with a unique nearest centre for every point.

    Resampled until no point is equidistant from two centres (in the first assignment, and in a second
    one to the moved centres), every cluster gets at least one point, and at least one centre moves.
    Draws that are not yet converged (a second iteration would change the answer) and whose slips are
    told apart from the answer and each other are preferred.
    """
    dim = rng.choice(level.dims)
    ask = rng.choice(level.asks)
    pool = _grid(dim, level.max_coordinate)
    points, centres, ask = prefer_informative(lambda: _draw(rng, level, pool, dim, ask), _informative_draw)
    return Params(tuple(tuple(p) for p in points), tuple(tuple(c) for c in centres), ask)


def _draw(rng: random.Random, level: Level, pool: list[tuple[int, ...]], dim: int, ask: Ask) -> tuple[list[Point], list[Point], Ask]:
    k_lo, k_hi = level.k
    n_lo, n_hi = level.points
    rejections = Rejections()
    while True:
        k = rng.randint(k_lo, k_hi)
        n = rng.randint(n_lo, n_hi)
        if max(n, k) > len(pool):
            raise ValueError("level asks for more points than the coordinate range holds")
        points = [list(p) for p in rng.sample(pool, n)]
        centres = [list(c) for c in rng.sample(pool, k)]
        assignment = _assign(points, centres)
        if assignment is None or len(set(assignment)) < k:
            rejections.again()
            continue
        sums, counts = _cluster_sums(points, assignment, k)
        if all(sums[j] == [v * counts[j] for v in centres[j]] for j in range(k)) or \
                _reassign(points, sums, counts, ties_allowed=False) is None:
            rejections.again()  # nothing moves (each mean is its centre), or a second assignment would have a tie
            continue
        if dim == 1:
            points.sort()
        return points, centres, ask


# Twice the answer tolerance of problems/kmeans-step.yaml: values closer than this could both be
# "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.01}


def _informative_draw(draw: tuple[list[Point], list[Point], Ask]) -> bool:
    """A draw (points, centres, ask) where a second iteration would change the answer (so stopping after
    one matters), and every slip that applies is told apart from the answer and the others."""
    return _informative_points(*draw)


def _informative_points(points: list[Point], centres: list[Point], ask: str) -> bool:
    """The answer and the slips (in MISTAKES order) from one first assignment, not one per slip;
    each slip computed only if the ones before it are told apart."""
    k = len(centres)
    first = _assign_with_ties(points, centres)

    def slips() -> Iterator[list | None]:
        manhattan = _assign_with_ties(points, centres, _manhattan_rows)
        yield None if manhattan == first else _result(points, manhattan, k, ask)  # manhattan-assignment
        second = _reassign(points, *_cluster_sums(points, first, k)) if len(set(first)) == k else None
        yield None if second is None else _result(points, second, k, ask)  # one-iteration-too-many
        yield first if ask == "assignments" else None  # labels-from-zero

    return informative(_result(points, first, k, ask), slips(), **SEPARATION)


def _grid(dim: int, top: int) -> list[tuple[int, ...]]:
    if dim == 1:
        return [(x,) for x in range(top + 1)]
    return [(x, y) for x in range(top + 1) for y in range(top + 1)]


def _squared(p: Point, q: Point) -> int:
    # written out for the 1-D and 2-D cases: the sampler computes thousands of these per instance
    if len(p) == 1:
        d = p[0] - q[0]
        return d * d
    dx, dy = p[0] - q[0], p[1] - q[1]
    return dx * dx + dy * dy


def _squared_rows(points: list[Point], centres: list[Point]) -> list[list[int]]:
    """``_squared`` from each point to each centre, written out: the sampler needs thousands per instance."""
    if len(centres[0]) == 1:
        xs = [c[0] for c in centres]
        return [[(p[0] - cx) ** 2 for cx in xs] for p in points]
    return [[(x - cx) ** 2 + (y - cy) ** 2 for cx, cy in centres] for x, y in points]


def _manhattan_rows(points: list[Point], centres: list[Point]) -> list[list[int]]:
    """``_manhattan`` from each point to each centre."""
    if len(centres[0]) == 1:
        xs = [c[0] for c in centres]
        return [[abs(p[0] - cx) for cx in xs] for p in points]
    return [[abs(x - cx) + abs(y - cy) for cx, cy in centres] for x, y in points]


def _assign(points: list[Point], centres: list[Point]) -> list[int] | None:
    """0-based nearest centre per point, or None if some point has a tie."""
    result = []
    for distances in _squared_rows(points, centres):
        best = min(distances)
        if distances.count(best) > 1:
            return None
        result.append(distances.index(best))
    return result


def _manhattan(p: Point, q: Point) -> int:
    return sum(abs(a - b) for a, b in zip(p, q))


def _assign_with_ties(points: list[Point], centres: list, distances=_squared_rows) -> list[int]:  # type: ignore[no-untyped-def]
    """Ties go to the lower index (CONVENTIONS.md), for hand-given params.

    ``distances(points, centres)`` is a slip's knob (``_manhattan_rows``).
    """
    # the first of equal distances: the lower index
    return [row.index(min(row)) for row in distances(points, centres)]


def _result(points: list[Point], assignment: list[int], k: int, ask: str) -> list | None:
    """The answer an assignment leads to: centre numbers from 1, or the updated centres (a vector in
    1-D, a k x 2 matrix in 2-D); None when a centre gets no points (its update is undefined)."""
    if ask == "assignments":
        return [a + 1 for a in assignment]
    if len(set(assignment)) < k:
        return None
    sums, counts = _cluster_sums(points, assignment, k)
    # an integer division is rounded correctly, as float(Fraction(total, count)) is: the same float
    if len(points[0]) == 1:
        return [total / count for (total,), count in zip(sums, counts)]
    return [[total / count for total in centre] for centre, count in zip(sums, counts)]


def _cluster_sums(points: list[Point], assignment: list[int], k: int) -> tuple[list[list[int]], list[int]]:
    """Per centre, the coordinate sums and the number of its points: the means in integers."""
    sums = [[0] * len(points[0]) for _ in range(k)]
    counts = [0] * k
    for p, a in zip(points, assignment):
        counts[a] += 1
        total = sums[a]
        for axis, v in enumerate(p):
            total[axis] += v
    return sums, counts


def _new_centres(points: list[Point], assignment: list[int], k: int) -> list[list[Fraction]]:
    centres = []
    for j in range(k):
        members = [p for p, a in zip(points, assignment) if a == j]
        centres.append([Fraction(sum(coord), len(members)) for coord in zip(*members)])
    return centres


def solve(params: Params) -> Solution:
    points, centres, ask = _unpacked(params)
    k, dim = len(centres), len(points[0])
    assignment = _assign_with_ties(points, centres)  # no cluster is empty when the centres are asked (Params checks)
    # 1-D: plain distances |x - c|; 2-D: squared distances (same order, no square roots).
    distance = (lambda p, c: abs(p[0] - c[0])) if dim == 1 else _squared
    what = "distance |x - c|" if dim == 1 else "squared distance"
    table = [["point", *[f"c{j + 1}" for j in range(k)], "nearest"]]
    for p, a in zip(points, assignment):
        row = [_point_text(p)] + [str(distance(p, c)) + ("*" if j == a else "") for j, c in enumerate(centres)]
        table.append(row + [f"c{a + 1}"])
    steps = [
        "Current centres: " + ", ".join(f"c{j + 1} = {_point_text(c)}" for j, c in enumerate(centres)),
        f"Assignment step: {what} from each point to each centre (* = nearest):\n" + format_grid(table),
    ]
    labels = [a + 1 for a in assignment]
    steps.append(f"Assignments (centre numbers, from 1): {labels}")
    if ask == "assignments":
        return Solution(answer=_result(points, assignment, k, ask), steps=steps, kind="vector", display=str(labels))
    new = _new_centres(points, assignment, k)
    lines = []
    for j in range(k):
        members = [p for p, a in zip(points, assignment) if a == j]
        if dim == 1:
            total = sum(p[0] for p in members)
            lines.append(
                f"c{j + 1} = mean of {{{', '.join(str(p[0]) for p in members)}}} = {_mean_text(total, len(members))}"
            )
        else:
            sums = [sum(coord) for coord in zip(*members)]
            lines.append(
                f"c{j + 1} = mean of {', '.join(_point_text(p) for p in members)} = "
                f"({_mean_text(sums[0], len(members))}, {_mean_text(sums[1], len(members))})"
            )
    steps.append("Update step: each centre moves to the mean of its points:\n" + "\n".join(lines))
    answer = _result(points, assignment, k, ask)
    if dim == 1:
        display = "[" + ", ".join(_number_text(c[0]) for c in new) + "]"
        return Solution(answer=answer, steps=steps, kind="vector", display=display)
    display = "; ".join(f"c{j + 1} = ({_number_text(c[0])}, {_number_text(c[1])})" for j, c in enumerate(new))
    return Solution(answer=answer, steps=steps, kind="matrix", display=display)


# --------------------------------------------------------------------------- mistakes


def _manhattan_assignment(params: Params) -> list | None:
    points, centres, ask = _unpacked(params)
    wrong = _assign_with_ties(points, centres, _manhattan_rows)
    if wrong == _assign_with_ties(points, centres):
        return None  # the same nearest centres (always in 1-D): the slip changes nothing here
    return _result(points, wrong, len(centres), ask)


def _second_assignment(points: list[Point], centres: list[Point]) -> list[int] | None:
    """The assignment to the updated centres, exactly: everything is scaled by the common denominator
    of the means, so the distances compared are integers (same order, same ties)."""
    first = _assign_with_ties(points, centres)
    if len(set(first)) < len(centres):
        return None
    return _reassign(points, *_cluster_sums(points, first, len(centres)))


def _reassign(points: list[Point], sums: list[list[int]], counts: list[int], ties_allowed: bool = True) -> list[int] | None:
    """The assignment to the means sums/counts (no count 0); with ``ties_allowed=False``, None if a point has a tie.

    Every coordinate is scaled by a common multiple of the counts, so the means are integers:
    scaling all distances alike keeps their order and their ties.
    """
    scale = math.lcm(*counts)
    scaled_means = [[total * (scale // count) for total in centre] for centre, count in zip(sums, counts)]
    scaled_points = [[v * scale for v in p] for p in points]
    if ties_allowed:
        return _assign_with_ties(scaled_points, scaled_means)
    return _assign(scaled_points, scaled_means)


def _one_iteration_too_many(params: Params) -> list | None:
    points, centres, ask = _unpacked(params)
    second = _second_assignment(points, centres)
    return None if second is None else _result(points, second, len(centres), ask)


def _labels_from_zero(params: Params) -> list | None:
    points, centres, ask = _unpacked(params)
    return _assign_with_ties(points, centres) if ask == "assignments" else None


def _manhattan_message(params: Params) -> str:
    points, centres, _ = _unpacked(params)
    right = _assign_with_ties(points, centres)
    wrong = _assign_with_ties(points, centres, _manhattan_rows)
    i = next((i for i, (a, b) in enumerate(zip(right, wrong)) if a != b), 0)
    p, a, b = points[i], right[i], wrong[i]
    return (f"you compared Manhattan distances |dx| + |dy|: k-means uses Euclidean distance, and point "
            f"{_point_text(p)} is nearer c{a + 1} (squared distance {_squared(p, centres[a])}) than c{b + 1} "
            f"({_squared(p, centres[b])}), although |dx| + |dy| is {_manhattan(p, centres[a])} against "
            f"{_manhattan(p, centres[b])}")


def _moved_text(points: list[Point], centres: list[Point]) -> str:
    """The centres after one update, exactly and briefly: 1.5, 8 or (14/3, 10/3), (6, 1)."""
    first = _assign_with_ties(points, centres)
    if len(set(first)) < len(centres):
        return "the means of their points"

    def exact(value: Fraction) -> str:
        return _number_text(value).split(" ≈")[0]

    means = _new_centres(points, first, len(centres))
    return ", ".join(exact(c[0]) if len(c) == 1 else f"({exact(c[0])}, {exact(c[1])})" for c in means)


def _too_many_message(params: Params) -> str:
    points, centres, ask = _unpacked(params)
    start = ", ".join(f"c{j + 1} = {_point_text(c)}" for j, c in enumerate(centres))
    moved = _moved_text(points, centres)
    if ask == "assignments":
        return (f"you assigned the points to the moved centres ({moved}): the first assignment step uses the "
                f"starting centres {start}")
    return (f"you ran a second iteration: one Lloyd iteration assigns to the starting centres {start} and moves "
            f"each centre once, to {moved}; reassigning to those is the next iteration")


def _labels_message(params: Params) -> str:
    points, centres, _ = _unpacked(params)
    return (f"you numbered the centres from 0: the answer uses 1 for c1, …, {len(centres)} for c{len(centres)}, "
            f"so the assignments are {_result(points, _assign_with_ties(points, centres), len(centres), 'assignments')}")


MISTAKES = (
    Mistake("manhattan-assignment", _manhattan_assignment, _manhattan_message),
    Mistake("one-iteration-too-many", _one_iteration_too_many, _too_many_message),
    Mistake("labels-from-zero", _labels_from_zero, _labels_message),
)


def _mean_text(total: int, count: int) -> str:
    """``28/4 = 7``, ``6/4 = 1.5``, ``32/3 ≈ 10.667`` (no fraction written twice)."""
    value = Fraction(total, count)
    text = _number_text(value)
    if count == 1:
        return text
    if value.denominator == count and "/" in text:
        return text
    return f"{total}/{count} = {text}"


def _number_text(value: Fraction) -> str:
    """Exact: 3, 2.5, or 17/3 ≈ 5.667 when the decimal does not terminate."""
    if value.denominator == 1:
        return str(value.numerator)
    rest = value.denominator
    for factor in (2, 5):
        while rest % factor == 0:
            rest //= factor
    if rest == 1:
        return fmt(float(value), 6)
    return f"{value.numerator}/{value.denominator} ≈ {fmt(float(value), 3)}"


def _point_text(p: Point) -> str:
    return str(p[0]) if len(p) == 1 else f"({p[0]}, {p[1]})"


def question_fields(params: Params) -> dict[str, str]:
    points, centres, ask = _unpacked(params)
    dim = len(points[0])
    return {
        "variant": f"{ask}_{dim}d",
        "n": str(len(points)),
        "k": str(len(centres)),
        "points": ", ".join(_point_text(p) for p in points),
        "centres": ", ".join(f"c{j + 1} = {_point_text(c)}" for j, c in enumerate(centres)),
        "centre_list": ", ".join(f"c{j + 1}" for j in range(len(centres))),
    }
