"""Segmentation metrics on two small binary masks: Dice, Jaccard, VS, HD, ASD.

Conventions (CONVENTIONS.md, "Segmentation metrics"): ``a`` is the prediction
and ``b`` the reference, so FP counts pixels in ``a`` only and FN pixels in
``b`` only. Surface pixels are ``mask XOR erosion(mask, 4-connected cross)``
with the outside of the image counted as background (MedPy's border). HD is the
symmetric maximum of the directed Hausdorff distances between surface pixels;
ASD is the mean of the two directed mean surface distances (not MedPy's pooled
mean).

Everything is pure Python: masks are at most a dozen pixels wide, and integer
squared distances keep the Hausdorff distance exact (``sqrt(k)``).

Params (JSON), typed as :class:`Params`::

    {"metric": "dice" | "jaccard" | "volume_similarity" | "hausdorff" | "average_surface_distance",
     "a": [[0 | 1, ...], ...], "b": [[0 | 1, ...], ...]}   (a: prediction, b: reference, the same shape)
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from operator import mul
from typing import Literal, Sequence

from mli_drill.problems.families.base import Alternatives, Grid, Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import fmt, format_grid, fraction_text, informative, prefer_informative, ratio_text

Metric = Literal["dice", "jaccard", "volume_similarity", "hausdorff", "average_surface_distance"]
METRICS: tuple[Metric, ...] = ("dice", "jaccard", "volume_similarity", "hausdorff", "average_surface_distance")
METRIC_NAMES = {
    "dice": "Dice coefficient",
    "jaccard": "Jaccard index (IoU)",
    "volume_similarity": "volume similarity",
    "hausdorff": "Hausdorff distance",
    "average_surface_distance": "average symmetric surface distance",
}

Mask = Sequence[Sequence[int]]  # rows of 0/1 pixels
Rows = tuple[tuple[int, ...], ...]
Pixel = tuple[int, int]


def _check_mask(mask: Rows, name: str) -> None:
    require(bool(mask) and all(mask), name, "must be a non-empty list of non-empty rows of 0/1")
    require(all(len(row) == len(mask[0]) for row in mask), name, "is not rectangular: all rows must have the same length")
    pixels = set().union(*mask)
    require(pixels <= {0, 1}, name, "must contain only the integers 0 and 1")
    require(1 in pixels, name, "is empty (no foreground pixel): the metrics are undefined")


@dataclass(frozen=True)
class Params:
    metric: Metric
    a: Rows  # the prediction
    b: Rows  # the reference, the same shape

    def __post_init__(self) -> None:
        a, b = self.a, self.b
        _check_mask(a, "a")
        _check_mask(b, "b")
        require((len(a), len(a[0])) == (len(b), len(b[0])), "b",
                f"is {len(b)}x{len(b[0])} but a is {len(a)}x{len(a[0])}; the masks must have the same shape")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    size: tuple[int, int] = (5, 6)  # [min, max] side of the image (height and width drawn separately)
    pieces: tuple[int, int] = (1, 1)  # [min, max] rectangles whose (4-connected) union makes each mask
    margin: int = 0  # rows/columns along the border kept background
    metrics: tuple[Metric, ...] = METRICS  # the metrics asked

    def __post_init__(self) -> None:
        require(self.margin >= 0, "margin", "must be at least 0")
        require(3 + 2 * self.margin <= self.size[0] <= self.size[1], "size",
                "must be [min, max] with min <= max, leaving at least 3 pixels inside the margins")
        require(1 <= self.pieces[0] <= self.pieces[1], "pieces", "must be [min, max] with 1 <= min <= max")
        require(bool(self.metrics), "metrics", "must not be empty")


# ----------------------------------------------------------------------------
# sampling


def sample(rng: random.Random, level: Level) -> Params:
    """Two overlapping, different masks made of 1..``pieces`` rectangles each.

    Rectangles (unions of up to a few, kept 4-connected) give the L-shapes and
    blocks a student can reason about by hand; requiring overlap and different
    masks keeps every metric away from its trivial values (0 or 1, HD 0).
    """
    metric = rng.choice(level.metrics)
    return prefer_informative(lambda: _draw(rng, level, metric), _informative)


# Twice the answer tolerance of problems/segmentation-metrics.yaml: values closer
# than this could both be "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.01}


def _informative(params: Params) -> bool:
    """The slips of the asked metric give values apart from the answer and from each other."""
    return _informative_masks(params.metric, params.a, params.b)


def _informative_masks(metric: str, a: Mask, b: Mask) -> bool:
    """The answer and the asked metric's slips from one computation of the counts or of the
    surface distances (the catalogue's own functions would redo it per slip, and ``solve``
    would write the whole working); only the slips of the asked metric apply."""
    if metric in ("dice", "jaccard", "volume_similarity"):
        counts = _counts(a, b)
        answer = overlap_number(metric, *counts)
        if metric == "volume_similarity":
            slips = [overlap_number(metric, *counts, one_minus=False)]
        else:
            slips = [overlap_number("jaccard" if metric == "dice" else "dice", *counts)]
        return informative(answer, slips, **SEPARATION)
    ab, ba = _squared_distances(a, b)
    if metric == "hausdorff":
        h_ab, h_ba = math.sqrt(max(ab)), math.sqrt(max(ba))
        return informative(math.sqrt(max(max(ab), max(ba))), [Alternatives((h_ab, h_ba))], **SEPARATION)
    sum_ab, sum_ba = _distance_sum(ab), _distance_sum(ba)
    mean_ab, mean_ba = sum_ab / len(ab), sum_ba / len(ba)
    pooled = (sum_ab + sum_ba) / (len(ab) + len(ba))
    return informative((mean_ab + mean_ba) / 2, [pooled, Alternatives((mean_ab, mean_ba))], **SEPARATION)


def _draw(rng: random.Random, level: Level, metric: Metric) -> Params:
    lo, hi = level.size
    piece_lo, piece_hi = level.pieces
    margin = level.margin
    rejections = Rejections()
    while True:
        height, width = rng.randint(lo, hi), rng.randint(lo, hi)
        a = _random_shape(rng, height, width, rng.randint(piece_lo, piece_hi), margin)
        b = _random_shape(rng, height, width, rng.randint(piece_lo, piece_hi), margin)
        if a is None or b is None or not _interesting_pair(a, b):
            rejections.again()
            continue
        return Params(metric, a, b)


def _random_shape(rng: random.Random, height: int, width: int, pieces: int, margin: int) -> Rows | None:
    """A union of ``pieces`` rectangles, or None if it is not one 4-connected blob.

    ``margin`` rows/columns along the image border stay background, so at easy
    level the question of what lies outside the image never arises.
    """
    inner_h, inner_w = height - 2 * margin, width - 2 * margin
    rectangles = []
    for _ in range(pieces):
        rect_h = rng.randint(2, max(2, inner_h - 1))
        rect_w = rng.randint(2, max(2, inner_w - 1))
        top = margin + rng.randint(0, inner_h - rect_h)
        left = margin + rng.randint(0, inner_w - rect_w)
        rectangles.append((top, left, rect_h, rect_w))
    if not _rectangles_connected(rectangles):
        return None
    mask = [[0] * width for _ in range(height)]
    for top, left, rect_h, rect_w in rectangles:
        for r in range(top, top + rect_h):
            mask[r][left : left + rect_w] = [1] * rect_w
    return tuple(map(tuple, mask))


def _rectangles_connected(rectangles: list[tuple[int, int, int, int]]) -> bool:
    """Whether a union of (top, left, height, width) rectangles is one 4-connected blob.

    Each rectangle is connected, so the union is exactly when the rectangles are
    linked by overlapping or sharing a stretch of edge (two cells side by side);
    touching at a corner only does not link them. Cheaper than flooding the mask.
    """

    def linked(p: tuple[int, int, int, int], q: tuple[int, int, int, int]) -> bool:
        top_p, left_p, height_p, width_p = p
        top_q, left_q, height_q, width_q = q
        rows_overlap = top_p < top_q + height_q and top_q < top_p + height_p
        columns_overlap = left_p < left_q + width_q and left_q < left_p + width_p
        rows_touch = top_p + height_p == top_q or top_q + height_q == top_p
        columns_touch = left_p + width_p == left_q or left_q + width_q == left_p
        return (rows_overlap and (columns_overlap or columns_touch)) or (columns_overlap and rows_touch)

    reached, frontier = {0}, [0]
    while frontier:
        i = frontier.pop()
        for j, other in enumerate(rectangles):
            if j not in reached and linked(rectangles[i], other):
                reached.add(j)
                frontier.append(j)
    return len(reached) == len(rectangles)


def _interesting_pair(a: Mask, b: Mask) -> bool:
    """Overlapping, not identical, and neither mask fills the whole image."""
    tp, fp, fn = _counts(a, b)
    total = len(a) * len(a[0])
    size_a, size_b = tp + fp, tp + fn
    return tp > 0 and fp + fn > 0 and size_a < total and size_b < total


# ----------------------------------------------------------------------------
# solving


def solve(params: Params) -> Solution:
    metric, a, b = params.metric, params.a, params.b
    steps = [
        "Prediction A and reference B (1 = foreground):\n"
        + _side_by_side(_mask_text(a), _mask_text(b), "A (prediction)", "B (reference)"),
        _overlay_step(a, b),
    ]
    if metric in ("dice", "jaccard", "volume_similarity"):
        return _overlap_metric(metric, a, b, steps)
    surface_a, surface_b = _surface(a), _surface(b)
    steps.append(
        "Surface pixels (* = foreground pixel with a background 4-neighbour; outside the image is background):\n"
        + _side_by_side(
            format_grid(a, marks=set(surface_a)),
            format_grid(b, marks=set(surface_b)),
            f"S_A: {len(surface_a)} pixels",
            f"S_B: {len(surface_b)} pixels",
        )
    )
    if metric == "hausdorff":
        return _hausdorff(a, b, surface_a, surface_b, steps)
    return _average_surface_distance(a, b, surface_a, surface_b, steps)


def _overlap_metric(metric: str, a: Mask, b: Mask, steps: list[str]) -> Solution:
    counts = _counts(a, b)
    value, working = overlap_value(metric, *counts)
    steps.append(working)
    return Solution(answer=overlap_number(metric, *counts), steps=steps, display=fraction_text(value))


def overlap_number(metric: str, tp: int, fp: int, fn: int, one_minus: bool = True) -> float:
    """``float(overlap_value(...)[0])`` without the working: an integer division is rounded
    correctly, as Fraction's float is, so the two are the same float."""
    denominator = 2 * tp + fp + fn
    if metric == "dice":
        return 2 * tp / denominator
    if metric == "jaccard":
        return tp / (tp + fp + fn)
    difference = abs(fn - fp)
    return (denominator - difference) / denominator if one_minus else difference / denominator


def overlap_value(metric: str, tp: int, fp: int, fn: int, one_minus: bool = True) -> tuple[Fraction, str]:
    """Dice, Jaccard or VS from the counts, and the working with the numbers substituted.

    ``one_minus=False`` leaves VS's "1 −" out: the volume difference a student
    gives when that step is forgotten (the mistake catalogue's slip).
    """
    denominator = 2 * tp + fp + fn
    if metric == "dice":
        value = Fraction(2 * tp, denominator)
        return value, f"Dice = 2TP / (2TP + FP + FN) = 2·{tp} / (2·{tp} + {fp} + {fn}) = {ratio_text(2 * tp, denominator)}"
    if metric == "jaccard":
        value = Fraction(tp, tp + fp + fn)
        return value, f"Jaccard = TP / (TP + FP + FN) = {tp} / ({tp} + {fp} + {fn}) = {ratio_text(tp, tp + fp + fn)}"
    difference = Fraction(abs(fn - fp), denominator)
    if not one_minus:
        return difference, f"|FN - FP| / (2TP + FP + FN) = |{fn} - {fp}| / (2·{tp} + {fp} + {fn}) = {fraction_text(difference)}"
    value = 1 - difference
    return value, (
        f"VS = 1 - |FN - FP| / (2TP + FP + FN) = 1 - |{fn} - {fp}| / (2·{tp} + {fp} + {fn}) "
        f"= 1 - {abs(fn - fp)}/{denominator} = {fraction_text(value)}"
    )


def _hausdorff(a: Mask, b: Mask, surface_a: list[Pixel], surface_b: list[Pixel], steps: list[str]) -> Solution:
    nearest_ab, nearest_ba = _nearest(surface_a, surface_b), _nearest(surface_b, surface_a)
    steps.append(_distance_grid_step("A", "B", a, nearest_ab))
    steps.append(_distance_grid_step("B", "A", b, nearest_ba))
    h_ab = _directed_max(nearest_ab)
    h_ba = _directed_max(nearest_ba)
    steps.append(f"h(S_A, S_B) = {_max_text(h_ab, 'A', 'B')}")
    steps.append(f"h(S_B, S_A) = {_max_text(h_ba, 'B', 'A')}")
    squared = max(h_ab[0], h_ba[0])
    steps.append(
        f"HD = max(h(S_A, S_B), h(S_B, S_A)) = max({_sqrt_text(h_ab[0])}, {_sqrt_text(h_ba[0])}) = {_sqrt_display(squared)}"
    )
    return Solution(answer=math.sqrt(squared), steps=steps, display=_sqrt_display(squared))


def _average_surface_distance(
    a: Mask, b: Mask, surface_a: list[Pixel], surface_b: list[Pixel], steps: list[str]
) -> Solution:
    nearest_ab, nearest_ba = _nearest(surface_a, surface_b), _nearest(surface_b, surface_a)
    steps.append(_distance_grid_step("A", "B", a, nearest_ab))
    steps.append(_distance_grid_step("B", "A", b, nearest_ba))
    mean_ab, text_ab = _directed_mean(nearest_ab)
    mean_ba, text_ba = _directed_mean(nearest_ba)
    steps.append(f"Mean distance from S_A to S_B = {text_ab}")
    steps.append(f"Mean distance from S_B to S_A = {text_ba}")
    value = (mean_ab + mean_ba) / 2
    steps.append(
        f"ASD = (mean_A→B + mean_B→A) / 2 = ({fmt(mean_ab)} + {fmt(mean_ba)}) / 2 = {fmt(value)}"
        " (the mean of the two directed means, not one mean over all surface pixels)"
    )
    return Solution(answer=value, steps=steps, display=fmt(value))


# ----------------------------------------------------------------------------
# the mathematics


def _foreground(mask: Mask) -> list[Pixel]:
    return [(r, c) for r, row in enumerate(mask) for c, v in enumerate(row) if v]


def _counts(a: Mask, b: Mask) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for row_a, row_b in zip(a, b):  # pixels are the integers 0 and 1
        both = sum(map(mul, row_a, row_b))
        tp += both
        fp += sum(row_a) - both
        fn += sum(row_b) - both
    return tp, fp, fn


def _surface(mask: Mask) -> list[Pixel]:
    """Foreground pixels that the 4-connected erosion removes (outside = background)."""
    blank = [0] * (len(mask[0]) + 2)
    padded = [blank, *([0, *row, 0] for row in mask), blank]  # padded[r + 1][c + 1] is mask[r][c]
    return [
        (r, c)
        for r, row in enumerate(mask)
        for c, v in enumerate(row)
        if v and not (padded[r][c + 1] and padded[r + 2][c + 1] and padded[r + 1][c] and padded[r + 1][c + 2])
    ]


def _nearest(sources: list[Pixel], targets: list[Pixel]) -> dict[Pixel, tuple[int, Pixel]]:
    """For each source pixel: (squared distance, nearest target pixel), first target on ties
    (targets come in row order, so the first is also the least as a (row, column) pair)."""
    result = {}
    for r, c in sources:
        squared = [(r - tr) ** 2 + (c - tc) ** 2 for tr, tc in targets]
        least = min(squared)
        result[(r, c)] = (least, targets[squared.index(least)])
    return result


def _nearest_squared(sources: list[Pixel], targets: list[Pixel]) -> list[int]:
    """The squared distances of ``_nearest``, in the order of the sources, without the pixels.

    The sampler's informative check needs these for every draw, so rather than
    measuring every pair this looks at the targets row by row outwards from the
    source's row (in each row only the two columns around the source's can be
    nearest, found by bisection), and stops once the rows left are no nearer
    than the best distance found.
    """
    if not targets:
        raise ValueError("no target pixels")
    columns: dict[int, list[int]] = {}
    for tr, tc in targets:
        columns.setdefault(tr, []).append(tc)
    for row in columns.values():
        row.sort()
    height = max(max((r for r, _ in sources), default=0), max(columns)) + 1
    by_row = [columns.get(row) for row in range(height)]
    result = []
    for r, c in sources:
        best = -1  # none yet
        for dr in range(height):
            dr2 = dr * dr
            if 0 <= best <= dr2:
                break
            for tr in (r - dr, r + dr) if dr else (r,):
                if 0 <= tr < height and (in_row := by_row[tr]) is not None:
                    i = bisect_left(in_row, c)
                    if i < len(in_row) and (best < 0 or dr2 + (in_row[i] - c) ** 2 < best):
                        best = dr2 + (in_row[i] - c) ** 2
                    if i and (best < 0 or dr2 + (c - in_row[i - 1]) ** 2 < best):
                        best = dr2 + (c - in_row[i - 1]) ** 2
        result.append(best)
    return result


def _squared_distances(a: Mask, b: Mask) -> tuple[list[int], list[int]]:
    """Each surface pixel's squared distance to the other mask's surface, A → B and B → A."""
    surface_a, surface_b = _surface(a), _surface(b)
    return _nearest_squared(surface_a, surface_b), _nearest_squared(surface_b, surface_a)


def _directed_max(nearest: dict[Pixel, tuple[int, Pixel]]) -> tuple[int, Pixel, Pixel]:
    """(squared distance, source, target) of the farthest source pixel (first in row order on ties)."""
    source = max(nearest, key=lambda p: (nearest[p][0], -p[0], -p[1]))
    squared, target = nearest[source]
    return squared, source, target


def _distance_sum(nearest: dict[Pixel, tuple[int, Pixel]] | list[int]) -> float:
    """The sum of the distances, added in groups of equal distance (as the working writes it).

    ``nearest`` is ``_nearest``'s mapping or its squared distances in the same order.
    """
    squares = nearest if isinstance(nearest, list) else [squared for squared, _ in nearest.values()]
    groups = Counter(squares)
    return sum(count * math.sqrt(squared) for squared, count in groups.items())


def _directed_mean(nearest: dict[Pixel, tuple[int, Pixel]]) -> tuple[float, str]:
    """The mean of sqrt(squared distances), with the sum written grouped by distance."""
    groups = Counter(squared for squared, _ in nearest.values())
    total = _distance_sum(nearest)
    n = len(nearest)
    terms = " + ".join(f"{count}×{_sqrt_text(squared)}" for squared, count in sorted(groups.items()))
    mean = total / n
    return mean, f"({terms}) / {n} = {fmt(total)} / {n} = {fmt(mean)}"


# ----------------------------------------------------------------------------
# text


def _overlay_step(a: Mask, b: Mask) -> str:
    tp, fp, fn = _counts(a, b)
    labels = [
        ["TP" if va and vb else "FP" if va else "FN" if vb else "." for va, vb in zip(row_a, row_b)]
        for row_a, row_b in zip(a, b)
    ]
    return (
        "Overlay (TP = in A and B, FP = in A only, FN = in B only, . = in neither):\n"
        + format_grid(labels)
        + f"\nTP = {tp}, FP = {fp}, FN = {fn}"
    )


def _distance_grid_step(source: str, target: str, mask: Mask, nearest: dict[Pixel, tuple[int, Pixel]]) -> str:
    """Each surface pixel of ``source`` labelled with its distance to the nearest surface pixel of ``target``."""
    grid = [[_sqrt_text(nearest[(r, c)][0]) if (r, c) in nearest else "." for c in range(len(mask[0]))] for r in range(len(mask))]
    return f"Distance from each surface pixel of {source} to the nearest surface pixel of {target}:\n" + format_grid(grid)


def _max_text(directed: tuple[int, Pixel, Pixel], source: str, target: str) -> str:
    squared, (sr, sc), (tr, tc) = directed
    return (
        f"{_sqrt_text(squared)}, realised by {source}'s pixel ({sr}, {sc}) whose nearest surface pixel of {target} is "
        f"({tr}, {tc}): sqrt({abs(sr - tr)}² + {abs(sc - tc)}²) = {_sqrt_display(squared)}"
    )


def _mask_text(mask: Mask) -> str:
    """The same text as ``format_grid`` gives for a 0/1 grid, without its per-cell formatting cost."""
    return "\n".join(" ".join("1" if v else "0" for v in row) for row in mask)


def _sqrt_text(squared: int) -> str:
    """sqrt of an integer as a person writes it: 3, √5."""
    root = math.isqrt(squared)
    return str(root) if root * root == squared else f"√{squared}"


def _sqrt_display(squared: int) -> str:
    root = math.isqrt(squared)
    if root * root == squared:
        return str(root)
    return f"sqrt({squared}) ≈ {fmt(math.sqrt(squared), 3)}"




def _side_by_side(left: str, right: str, left_title: str, right_title: str) -> str:
    left_lines = [left_title, *left.split("\n")]
    right_lines = [right_title, *right.split("\n")]
    width = max(len(line) for line in left_lines) + 4
    rows = max(len(left_lines), len(right_lines))
    left_lines += [""] * (rows - len(left_lines))
    right_lines += [""] * (rows - len(right_lines))
    return "\n".join((lft.ljust(width) + rgt).rstrip() for lft, rgt in zip(left_lines, right_lines))


# ----------------------------------------------------------------------------
# mistake catalogue: the solver's own computations with one step done wrong


def _directed_distances(params: Params) -> tuple[dict[Pixel, tuple[int, Pixel]], dict[Pixel, tuple[int, Pixel]]]:
    """Each surface pixel's nearest surface pixel of the other mask, A → B and B → A."""
    a, b = params.a, params.b
    surface_a, surface_b = _surface(a), _surface(b)
    return _nearest(surface_a, surface_b), _nearest(surface_b, surface_a)


def _other_overlap(asked: str, given: str) -> Mistake:
    """The ``given`` overlap metric computed where ``asked`` was asked (Dice and Jaccard confused)."""

    def answer(params: Params) -> float | None:
        return float(overlap_value(given, *_counts(params.a, params.b))[0]) if params.metric == asked else None

    def message(params: Params) -> str:
        counts = _counts(params.a, params.b)
        return (
            f"you gave the {METRIC_NAMES[given]} where the {METRIC_NAMES[asked]} was asked: "
            f"{overlap_value(given, *counts)[1]}, but {overlap_value(asked, *counts)[1]}"
        )

    return Mistake(f"{given}-for-{asked}", answer, message)


def _vs_missing_one_minus(params: Params) -> float | None:
    if params.metric != "volume_similarity":
        return None
    return float(overlap_value(params.metric, *_counts(params.a, params.b), one_minus=False)[0])


def _vs_missing_one_minus_message(params: Params) -> str:
    counts = _counts(params.a, params.b)
    difference = overlap_value("volume_similarity", *counts, one_minus=False)[1]
    return (
        f"you left out the 1 -: {difference} is the relative volume difference, "
        f"and {overlap_value('volume_similarity', *counts)[1]}"
    )


def _directed_hausdorff(params: Params) -> Alternatives | None:
    if params.metric != "hausdorff":
        return None
    return Alternatives(tuple(math.sqrt(_directed_max(nearest)[0]) for nearest in _directed_distances(params)))


def _directed_hausdorff_message(params: Params) -> str:
    h_ab, h_ba = (_directed_max(nearest)[0] for nearest in _directed_distances(params))
    return (
        f"you took the Hausdorff distance in one direction only: h(S_A, S_B) = {_sqrt_text(h_ab)} and "
        f"h(S_B, S_A) = {_sqrt_text(h_ba)}, and HD is the larger of the two, {_sqrt_display(max(h_ab, h_ba))}"
    )


def _pooled_surface_distance(params: Params) -> float | None:
    if params.metric != "average_surface_distance":
        return None
    nearest_ab, nearest_ba = _directed_distances(params)
    return (_distance_sum(nearest_ab) + _distance_sum(nearest_ba)) / (len(nearest_ab) + len(nearest_ba))


def _directed_means_text(params: Params) -> str:
    nearest_ab, nearest_ba = _directed_distances(params)
    mean_ab, mean_ba = _directed_mean(nearest_ab)[0], _directed_mean(nearest_ba)[0]
    return f"ASD = (mean_A→B + mean_B→A) / 2 = ({fmt(mean_ab)} + {fmt(mean_ba)}) / 2 = {fmt((mean_ab + mean_ba) / 2)}"


def _pooled_surface_distance_message(params: Params) -> str:
    nearest_ab, nearest_ba = _directed_distances(params)
    sum_ab, sum_ba = _distance_sum(nearest_ab), _distance_sum(nearest_ba)
    n_ab, n_ba = len(nearest_ab), len(nearest_ba)
    return (
        f"you pooled both surfaces' distances into one mean (as MedPy's assd does): ({fmt(sum_ab)} + {fmt(sum_ba)}) / "
        f"({n_ab} + {n_ba}) = {fmt((sum_ab + sum_ba) / (n_ab + n_ba))}, but the course's "
        f"{_directed_means_text(params)}, the mean of the two directed means"
    )


def _directed_surface_distance(params: Params) -> Alternatives | None:
    if params.metric != "average_surface_distance":
        return None
    return Alternatives(tuple(_directed_mean(nearest)[0] for nearest in _directed_distances(params)))


def _directed_surface_distance_message(params: Params) -> str:
    return f"you gave one direction's mean surface distance only, but {_directed_means_text(params)} averages both"


MISTAKES = (
    _other_overlap("dice", "jaccard"),
    _other_overlap("jaccard", "dice"),
    Mistake("vs-missing-one-minus", _vs_missing_one_minus, _vs_missing_one_minus_message),
    Mistake("directed-hausdorff", _directed_hausdorff, _directed_hausdorff_message),
    Mistake("pooled-surface-distance", _pooled_surface_distance, _pooled_surface_distance_message),
    Mistake("directed-surface-distance", _directed_surface_distance, _directed_surface_distance_message),
)


# ----------------------------------------------------------------------------
# question


def question_fields(params: Params) -> dict[str, str]:
    metric, a, b = params.metric, params.a, params.b
    return {
        "variant": metric,
        "metric_name": METRIC_NAMES[metric],
        "height": str(len(a)),
        "width": str(len(a[0])),
        "a": _mask_text(a),
        "b": _mask_text(b),
    }


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list[Grid]:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    a, b = params.a, params.b
    overlay = [["TP" if va and vb else "FP" if va else "FN" if vb else "." for va, vb in zip(ra, rb)] for ra, rb in zip(a, b)]
    return [Grid.of("mask", a), Grid.of("mask", b), Grid.of("overlay", overlay)]
