"""Intersection over union of two boxes, and greedy non-maximum suppression.

Boxes are ``[x1, y1, x2, y2]`` with integer corners in continuous coordinates
(x1 < x2, y1 < y2): a box's area is (x2 − x1)(y2 − y1), with no +1 for pixel
counts, as torchvision.ops.box_iou computes it. IoU = |A ∩ B| / |A ∪ B| is the
Jaccard index the course uses for segmentation, applied to boxes.

NMS is greedy (the detection lecture's "perform NMS and threshold"): take the
remaining box with the highest score and keep it; discard every remaining box
whose IoU with it is *greater than* the threshold; repeat until none remain.
The answer lists the kept indices (0-based) in descending score order, as
torchvision.ops.nms returns them.

Params (JSON), typed as :class:`Params`, whose keys are those of its ask (the
others are left out, see :func:`~mli_drill.problems.families.base.optional`)::

    {"ask": "iou", "a": [x1, y1, x2, y2], "b": [x1, y1, x2, y2]}
    {"ask": "nms", "boxes": [[x1, y1, x2, y2], ...], "scores": [s, ...], "threshold": t}

NMS needs at least two boxes, one distinct score per box and 0 <= t < 1.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable, Literal, Sequence

from mli_drill.problems.families.base import FieldError, Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import fmt, format_grid, format_vector, fraction_text, informative, prefer_informative

Ask = Literal["iou", "nms"]
ASKS: tuple[Ask, ...] = ("iou", "nms")
Box = tuple[int, int, int, int]  # [x1, y1, x2, y2]
Overlap = Callable[[Box, Box], Fraction]


def _check_box(box: Box, field: str) -> None:
    if not (box[0] < box[2] and box[1] < box[3]):  # (the message is written only for a bad box: every draw is checked)
        raise FieldError(field, f"needs x1 < x2 and y1 < y2, got {list(box)}")


@dataclass(frozen=True)
class Params:
    ask: Ask
    a: Box | None = optional()  # ask "iou": the two boxes
    b: Box | None = optional()
    boxes: tuple[Box, ...] | None = optional()  # ask "nms": the detections,
    scores: tuple[float, ...] | None = optional()  # their scores (distinct),
    threshold: float | None = optional()  # and the IoU threshold, in [0, 1)

    def __post_init__(self) -> None:
        used = ("a", "b") if self.ask == "iou" else ("boxes", "scores", "threshold")
        for name in ("a", "b", "boxes", "scores", "threshold"):
            if (getattr(self, name) is not None) != (name in used):
                raise FieldError(name, f"{'must be given' if name in used else 'does not apply'} when ask is {self.ask!r}")
        if self.a is not None and self.b is not None:
            _check_box(self.a, "a")
            _check_box(self.b, "b")
        if self.boxes is not None and self.scores is not None and self.threshold is not None:
            require(len(self.boxes) >= 2, "boxes", "must list at least two boxes")
            for n, box in enumerate(self.boxes):
                _check_box(box, f"boxes[{n}]")
            require(len(self.scores) == len(self.boxes), "scores",
                    f"must give one number per box: {len(self.scores)} for {len(self.boxes)} boxes")
            require(all(map(math.isfinite, self.scores)), "scores", "must be finite numbers")
            require(len(set(self.scores)) == len(self.scores), "scores", "must be distinct, or the order of NMS is not defined")
            require(0 <= self.threshold < 1, "threshold", f"must be a number in [0, 1), got {self.threshold}")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    asks: tuple[Ask, ...] = ASKS  # what is asked (repeat one to make it likelier)
    extent: int = 10  # box corners lie in [0, extent]
    side: tuple[int, int] = (2, 6)  # [min, max] box side
    shift: int = 2  # how far an overlapping candidate moves from its anchor
    boxes: tuple[int, int] = (3, 5)  # [min, max] boxes for NMS
    thresholds: tuple[float, ...] = (0.5,)  # NMS IoU thresholds
    special_probability: float = 0.0  # chance of a nested or touching box
    need_chain: bool = False  # NMS must include a box that survives only because the box over it was suppressed

    def __post_init__(self) -> None:
        require(bool(self.asks), "asks", "must list at least one ask")
        require(1 <= self.side[0] <= self.side[1] <= self.extent, "side", "must be [min, max] with 1 <= min <= max <= extent")
        require(self.shift >= 0, "shift", f"must be at least 0, got {self.shift}")
        fewest = 3 if self.need_chain else 2
        require(fewest <= self.boxes[0] <= self.boxes[1] <= 50, "boxes",
                f"must be [min, max] with {fewest} <= min <= max <= 50 (the distinct scores 0.50..0.99)")
        require(bool(self.thresholds) and all(0 <= t < 1 for t in self.thresholds), "thresholds",
                "must be a non-empty list of numbers in [0, 1)")
        require(0 <= self.special_probability <= 1, "special_probability", "must be between 0 and 1")


# --------------------------------------------------------------------------- geometry


def area(box: Box, plus_one: bool = False) -> int:
    extra = 1 if plus_one else 0
    return (box[2] - box[0] + extra) * (box[3] - box[1] + extra)


def intersection(a: Box, b: Box, plus_one: bool = False) -> int:
    """Area of the overlap (0 when the boxes are apart or only touch)."""
    extra = 1 if plus_one else 0
    width = min(a[2], b[2]) - max(a[0], b[0]) + extra
    height = min(a[3], b[3]) - max(a[1], b[1]) + extra
    return max(width, 0) * max(height, 0)


def iou(a: Box, b: Box, plus_one: bool = False) -> Fraction:
    inter = intersection(a, b, plus_one)
    return Fraction(inter, area(a, plus_one) + area(b, plus_one) - inter)


def _over_sum(a: Box, b: Box) -> Fraction:
    return Fraction(intersection(a, b), area(a) + area(b))


def _dice(a: Box, b: Box) -> Fraction:
    return Fraction(2 * intersection(a, b), area(a) + area(b))


def score_order(scores: Sequence[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def nms(
    boxes: Sequence[Box],
    scores: Sequence[float],
    threshold: Fraction,
    overlap: Overlap = iou,
    inclusive: bool = False,
    against_all: bool = False,
) -> list[int]:
    """Greedy NMS; the keyword arguments do one step wrong, for the mistake catalogue.

    ``inclusive`` drops a box whose IoU *equals* the threshold too;
    ``against_all`` drops a box that overlaps any higher-scored box, kept or
    suppressed, instead of only the kept ones.
    """
    kept: list[int] = []
    seen: list[int] = []
    for index in score_order(scores):
        judges = seen if against_all else kept
        value = [overlap(boxes[index], boxes[other]) for other in judges]
        if not any(v > threshold or (inclusive and v == threshold) for v in value):
            kept.append(index)
        seen.append(index)
    return kept


# --------------------------------------------------------------------------- params


@lru_cache(maxsize=64)
def _exact_threshold(value: float) -> Fraction:
    """The threshold as the decimal it is written as (cached: the sampler compares against it for every draw)."""
    return Fraction(str(value))


def _pair(params: Params) -> tuple[Box, Box]:
    """The two boxes of an IoU question."""
    assert params.a is not None and params.b is not None, "ask 'iou' has a and b (Params checks)"
    return params.a, params.b


def _detections(params: Params) -> tuple[tuple[Box, ...], tuple[float, ...], Fraction]:
    """The boxes, scores and exact threshold of an NMS question."""
    assert params.boxes is not None and params.scores is not None and params.threshold is not None, \
        "ask 'nms' has boxes, scores and threshold (Params checks)"
    return params.boxes, params.scores, _exact_threshold(params.threshold)


# --------------------------------------------------------------------------- solving


def iou_steps(a: Box, b: Box, name_a: str = "A", name_b: str = "B") -> list[str]:
    inter = intersection(a, b)
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if inter:
        overlap = (f"overlap x from max({a[0]}, {b[0]}) = {max(a[0], b[0])} to min({a[2]}, {b[2]}) = {min(a[2], b[2])}, "
                   f"y from {max(a[1], b[1])} to {min(a[3], b[3])}: |{name_a} ∩ {name_b}| = {width}·{height} = {inter}")
    else:
        overlap = (f"the boxes do not overlap (width {width}, height {height}; zero or negative means none): "
                   f"|{name_a} ∩ {name_b}| = 0")
    union = area(a) + area(b) - inter
    value = iou(a, b)
    if not inter:
        result = f"{inter}/{union} = 0"
    elif value.denominator == union:
        result = fraction_text(value)
    else:
        result = f"{inter}/{union} = {fraction_text(value)}"
    return [
        f"|{name_a}| = ({a[2]} − {a[0]})·({a[3]} − {a[1]}) = {area(a)}, "
        f"|{name_b}| = ({b[2]} − {b[0]})·({b[3]} − {b[1]}) = {area(b)}",
        overlap,
        f"|{name_a} ∪ {name_b}| = {area(a)} + {area(b)} − {inter} = {union}; IoU = {result}",
    ]


def _solve_iou(params: Params) -> Solution:
    a, b = _pair(params)
    value = iou(a, b)
    return Solution(answer=float(value), steps=iou_steps(a, b), kind="real", display=fraction_text(value))


def _solve_nms(params: Params) -> Solution:
    boxes, scores, threshold = _detections(params)
    order = score_order(scores)
    names = [f"box {i}" for i in range(len(boxes))]
    count = len(boxes)
    pair = {(i, j): iou(boxes[i], boxes[j]) for i in range(count) for j in range(i + 1, count)}
    overlap = {**pair, **{(j, i): value for (i, j), value in pair.items()}}
    table: list[list[object]] = [["", *[str(i) for i in range(count)]]]
    for i in range(count):
        table.append([str(i), *[("–" if i == j else fmt(float(overlap[i, j]), 3)) for j in range(count)]])
    lines = []
    kept: list[int] = []
    for index in order:
        blockers = [k for k in kept if overlap[index, k] > threshold]
        if blockers:
            k = blockers[0]
            lines.append(f"{names[index]} (score {fmt(scores[index])}): IoU with kept box {k} = "
                         f"{fraction_text(overlap[index, k])} > {fmt(float(threshold))}: suppressed")
        else:
            against = ", ".join(f"box {k}: {fmt(float(overlap[index, k]), 3)}" for k in kept)
            reason = f"IoU with every kept box ≤ {fmt(float(threshold))} ({against})" if kept else "the highest score"
            lines.append(f"{names[index]} (score {fmt(scores[index])}): {reason}: kept")
            kept.append(index)
    steps = [
        f"Order by score, highest first: {', '.join(str(i) for i in order)}.",
        "IoU of every pair (area = (x2 − x1)(y2 − y1)):\n" + format_grid(table),
        "Greedy NMS: a box is suppressed only by a box already kept whose IoU with it is greater than "
        f"the threshold {fmt(float(threshold))}.\n" + "\n".join(lines),
        f"Kept, in descending score order: {format_vector(kept)}.",
    ]
    return Solution(answer=kept, steps=steps, kind="vector", display=format_vector(kept))


def solve(params: Params) -> Solution:
    return _solve_iou(params) if params.ask == "iou" else _solve_nms(params)


def _box_text(box: Box) -> str:
    return f"[{box[0]}, {box[1]}, {box[2]}, {box[3]}]"


def question_fields(params: Params) -> dict[str, str]:
    if params.ask == "iou":
        a, b = _pair(params)
        return {"variant": "iou", "a": _box_text(a), "b": _box_text(b)}
    boxes, scores, threshold = _detections(params)
    rows: list[list[object]] = [["box", "x1", "y1", "x2", "y2", "score"]]
    rows += [[str(i), *box, fmt(s)] for i, (box, s) in enumerate(zip(boxes, scores))]
    return {"variant": "nms", "table": format_grid(rows), "threshold": fmt(float(threshold)),
            "count": str(len(boxes))}


# --------------------------------------------------------------------------- sampling


def _random_box(rng: random.Random, level: Level) -> Box:
    extent = level.extent
    low, high = level.side
    width, height = rng.randint(low, high), rng.randint(low, high)
    x1, y1 = rng.randint(0, extent - width), rng.randint(0, extent - height)
    return (x1, y1, x1 + width, y1 + height)


def _fits(box: Box, level: Level) -> bool:
    """Whether the box lies in the level's image, corners in [0, extent], as the spec documents."""
    return 0 <= box[0] and 0 <= box[1] and box[2] <= level.extent and box[3] <= level.extent


def _near(rng: random.Random, box: Box, level: Level) -> Box:
    """A box shifted a little from ``box``: NMS needs overlapping candidates to decide anything.
    It is kept inside the image (a detector's boxes have image coordinates, never negative)."""
    shift = level.shift
    low, high = level.side
    width = min(max(box[2] - box[0] + rng.randint(-1, 1), low), high)
    height = min(max(box[3] - box[1] + rng.randint(-1, 1), low), high)
    x1 = min(max(box[0] + rng.randint(-shift, shift), 0), level.extent - width)
    y1 = min(max(box[1] + rng.randint(-shift, shift), 0), level.extent - height)
    return (x1, y1, x1 + width, y1 + height)


def _nested(rng: random.Random, box: Box) -> Box | None:
    if box[2] - box[0] < 3 or box[3] - box[1] < 3:
        return None
    x1, y1 = rng.randint(box[0] + 1, box[2] - 2), rng.randint(box[1] + 1, box[3] - 2)
    return (x1, y1, rng.randint(x1 + 1, box[2] - 1), rng.randint(y1 + 1, box[3] - 1))


def _touching(rng: random.Random, box: Box, level: Level) -> Box | None:
    """A box that shares part of an edge with ``box`` and no area (IoU 0), inside the image, or None."""
    width, height = rng.randint(2, 4), rng.randint(2, 4)
    sides = [
        (box[2], box[1], box[2] + width, box[1] + height),  # right
        (box[0], box[3], box[0] + width, box[3] + height),  # below
        (box[0] - width, box[1], box[0], box[1] + height),  # left
        (box[0], box[1] - height, box[0] + width, box[1]),  # above
    ]
    inside = [candidate for candidate in sides if _fits(candidate, level)]
    return rng.choice(inside) if inside else None


def _sample_iou(rng: random.Random, level: Level) -> Params | None:
    a = _random_box(rng, level)
    special = rng.random() < level.special_probability
    b = (_nested(rng, a) or _near(rng, a, level)) if special else _near(rng, a, level)
    if intersection(a, b) == 0 and not special:
        return None  # a zero IoU is worth drilling only as the deliberate touching/apart case
    return Params("iou", a, b)


def _chain(rng: random.Random, level: Level, threshold: Fraction) -> list[Box] | None:
    """Boxes P, Q, R in score order where Q overlaps P and R overlaps Q above the threshold, but R
    does not overlap P: greedy NMS keeps R, because Q, the only box over it, was itself suppressed."""
    first = _random_box(rng, level)
    second = _near(rng, first, level)
    if iou(first, second) <= threshold:
        return None
    dx, dy = second[0] - first[0], second[1] - first[1]
    third = (second[0] + dx + rng.randint(-1, 1), second[1] + dy + rng.randint(-1, 1),
             second[2] + dx + rng.randint(-1, 1), second[3] + dy + rng.randint(-1, 1))
    if (third[0] >= third[2] or third[1] >= third[3] or not _fits(third, level)
            or iou(second, third) <= threshold or iou(first, third) > threshold):
        return None
    return [first, second, third]


def _sample_nms(rng: random.Random, level: Level) -> Params | None:
    low, high = level.boxes
    count = rng.randint(low, high)
    threshold = rng.choice(level.thresholds)
    exact = _exact_threshold(threshold)
    boxes: list[Box] = []
    if level.need_chain:
        boxes = _chain(rng, level, exact) or []
        if not boxes:
            return None
    else:
        boxes = [_random_box(rng, level)]
    while len(boxes) < count:
        anchor = rng.choice(boxes)
        roll = rng.random()
        if roll < level.special_probability / 2:
            candidate = _nested(rng, anchor) or _touching(rng, anchor, level) or _near(rng, anchor, level)
        elif roll < level.special_probability:
            candidate = _touching(rng, anchor, level) or _near(rng, anchor, level)
        elif roll < 0.8:
            candidate = _near(rng, anchor, level)
        else:
            candidate = _random_box(rng, level)
        boxes.append(candidate)
    scores = sorted(rng.sample([x / 100 for x in range(50, 100)], count), reverse=True)
    if not level.need_chain:
        rng.shuffle(scores)
    else:  # the chain keeps its score order; the other boxes' scores and every index are shuffled
        head, tail = scores[:3], scores[3:]
        rng.shuffle(tail)
        scores = head + tail
        order = list(range(count))
        rng.shuffle(order)
        boxes, scores = [boxes[i] for i in order], [scores[i] for i in order]
    kept = nms(boxes, scores, exact)
    if len(kept) in (1, count):
        return None  # nothing or everything suppressed teaches little
    if level.need_chain and nms(boxes, scores, exact, against_all=True) == kept:
        return None  # hard: some box survives only because the box over it was itself suppressed
    return Params("nms", boxes=tuple(boxes), scores=tuple(scores), threshold=threshold)


def sample(rng: random.Random, level: Level) -> Params:
    """An IoU question prefers boxes whose slips give values apart from the answer and from each other
    (a small box nested in a large one gives IoU ≈ |A ∩ B|/(|A| + |B|), which would pass as correct)."""
    ask = rng.choice(level.asks)  # drawn once, so rejections do not skew the mix
    if ask == "iou":
        return prefer_informative(lambda: _draw(rng, level, ask), _informative)
    return _draw(rng, level, ask)


def _draw(rng: random.Random, level: Level, ask: Ask) -> Params:
    rejections = Rejections()
    while True:
        params = _sample_iou(rng, level) if ask == "iou" else _sample_nms(rng, level)
        if params is not None:
            return params
        rejections.again()


# Twice the spec's answer tolerance (rel_tol 0.01, abs_tol 0.005): no typed answer is accepted for two of them.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.01}


def _informative(params: Params) -> bool:
    return informative(float(iou(*_pair(params))), [m.answer(params) for m in MISTAKES], **SEPARATION)


# --------------------------------------------------------------------------- mistakes


def _iou_slip(overlap: Overlap, plus_one: bool = False) -> Callable[[Params], Any]:
    def answer(params: Params) -> Any:
        if params.ask == "iou":
            return float(overlap(*_pair(params)))
        if plus_one:
            return nms(*_detections(params), overlap=overlap)
        return None

    return answer


def _plus_one_message(params: Params) -> str:
    box = _pair(params)[0] if params.ask == "iou" else _detections(params)[0][0]
    return (f"you counted pixels with +1: these boxes have continuous corners, so {_box_text(box)} has area "
            f"({box[2]} − {box[0]})·({box[3]} − {box[1]}) = {area(box)}, not {area(box, plus_one=True)}")


def _over_sum_message(params: Params) -> str:
    a, b = _pair(params)
    inter = intersection(a, b)
    return (f"you divided by |A| + |B| = {area(a) + area(b)}: the union counts the overlap once, "
            f"|A ∪ B| = {area(a)} + {area(b)} − {inter} = {area(a) + area(b) - inter}")


def _dice_message(params: Params) -> str:
    a, b = _pair(params)
    inter, total = intersection(a, b), area(a) + area(b)
    return (f"you computed Dice, 2|A ∩ B|/(|A| + |B|) = 2·{inter}/{total} = "
            f"{fraction_text(Fraction(2 * inter, total))}: IoU (Jaccard) is |A ∩ B|/|A ∪ B| = "
            f"{inter}/{total - inter}")


def _nms_slip(**wrong: Any) -> Callable[[Params], list[int] | None]:
    def answer(params: Params) -> list[int] | None:
        if params.ask != "nms":
            return None
        return nms(*_detections(params), **wrong)

    return answer


def _inclusive_message(params: Params) -> str:
    t = fmt(float(_detections(params)[2]))
    return f"you suppressed a box whose IoU equals the threshold: NMS drops only IoU greater than {t}, so IoU = {t} is kept"


def _against_all_message(params: Params) -> str:
    general = ("you let a suppressed box suppress others: only boxes already kept suppress, so a box covered only "
               "by a suppressed box survives")
    boxes, scores, threshold = _detections(params)
    kept = nms(boxes, scores, threshold)
    wrongly = [i for i in kept if i not in nms(boxes, scores, threshold, against_all=True)]
    if not wrongly:
        return general
    survivor = wrongly[0]
    higher = [i for i in score_order(scores) if scores[i] > scores[survivor] and i not in kept]
    blocker = next((i for i in higher if iou(boxes[survivor], boxes[i]) > threshold), None)
    if blocker is None:
        return general
    return (f"{general}: box {survivor} overlaps box {blocker} with IoU {fraction_text(iou(boxes[survivor], boxes[blocker]))}, "
            f"but box {blocker} was itself suppressed, so box {survivor} is kept")


def _index_order(params: Params) -> list[int] | None:
    if params.ask != "nms":
        return None
    return sorted(solve(params).answer)


def _index_order_message(params: Params) -> str:
    return "you listed the kept boxes by index: NMS returns them in descending score order"


MISTAKES = (
    Mistake("plus-one-pixel", _iou_slip(lambda a, b: iou(a, b, plus_one=True), plus_one=True), _plus_one_message),
    Mistake("intersection-over-sum", lambda p: float(_over_sum(*_pair(p))) if p.ask == "iou" else None, _over_sum_message),
    Mistake("dice-for-iou", lambda p: float(_dice(*_pair(p))) if p.ask == "iou" else None, _dice_message),
    Mistake("threshold-inclusive", _nms_slip(inclusive=True), _inclusive_message),
    Mistake("suppress-against-all", _nms_slip(against_all=True), _against_all_message),
    Mistake("index-order", _index_order, _index_order_message),
)
