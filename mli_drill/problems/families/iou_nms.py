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

Params (JSON)::

    {"ask": "iou", "a": [x1, y1, x2, y2], "b": [x1, y1, x2, y2]}
    {"ask": "nms", "boxes": [[x1, y1, x2, y2], ...], "scores": [s, ...], "threshold": t}
"""

from __future__ import annotations

import random
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import fmt, format_grid, format_vector, informative, prefer_informative

ASKS = ("iou", "nms")
Box = list[int]
Overlap = Callable[[Box, Box], Fraction]


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


def score_order(scores: list[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def nms(
    boxes: list[Box],
    scores: list[float],
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


def _box(value: Any, what: str) -> Box:
    if (
        not isinstance(value, list)
        or len(value) != 4
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise InvalidParams(f"{what} must be [x1, y1, x2, y2] with integer corners")
    if not (value[0] < value[2] and value[1] < value[3]):
        raise InvalidParams(f"{what} needs x1 < x2 and y1 < y2, got {value}")
    return value


def _threshold(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise InvalidParams(f"threshold must be a number in [0, 1), got {value!r}")
    return _exact_threshold(value)


@lru_cache(maxsize=64)
def _exact_threshold(value: int | float) -> Fraction:
    """The threshold as the decimal it is written as (cached: the sampler compares against it for every draw)."""
    return Fraction(str(value))


def parse(params: Any) -> str:
    """Validate params (so hand-written input fails with a clear message) and return the ask."""
    if not isinstance(params, dict) or params.get("ask") not in ASKS:
        raise InvalidParams(f"params must be a mapping with ask one of {', '.join(ASKS)}")
    if params["ask"] == "iou":
        _box(params.get("a"), "a")
        _box(params.get("b"), "b")
        return "iou"
    boxes, scores = params.get("boxes"), params.get("scores")
    if not isinstance(boxes, list) or len(boxes) < 2:
        raise InvalidParams("boxes must list at least two boxes")
    for n, box in enumerate(boxes):
        _box(box, f"boxes[{n}]")
    if (
        not isinstance(scores, list)
        or len(scores) != len(boxes)
        or not all(isinstance(s, (int, float)) and not isinstance(s, bool) for s in scores)
    ):
        raise InvalidParams("scores must give one number per box")
    if len(set(scores)) != len(scores):
        raise InvalidParams("scores must be distinct, or the order of NMS is not defined")
    _threshold(params.get("threshold"))
    return "nms"


# --------------------------------------------------------------------------- solving


def _fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator} ≈ {fmt(float(value))}"


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
        result = _fraction_text(value)
    else:
        result = f"{inter}/{union} = {_fraction_text(value)}"
    return [
        f"|{name_a}| = ({a[2]} − {a[0]})·({a[3]} − {a[1]}) = {area(a)}, "
        f"|{name_b}| = ({b[2]} − {b[0]})·({b[3]} − {b[1]}) = {area(b)}",
        overlap,
        f"|{name_a} ∪ {name_b}| = {area(a)} + {area(b)} − {inter} = {union}; IoU = {result}",
    ]


def _solve_iou(params: dict) -> Solution:
    a, b = params["a"], params["b"]
    value = iou(a, b)
    return Solution(answer=float(value), steps=iou_steps(a, b), kind="real", display=_fraction_text(value))


def _solve_nms(params: dict) -> Solution:
    boxes, scores = params["boxes"], params["scores"]
    threshold = _threshold(params["threshold"])
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
                         f"{_fraction_text(overlap[index, k])} > {fmt(float(threshold))}: suppressed")
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


def solve(params: dict) -> Solution:
    return _solve_iou(params) if parse(params) == "iou" else _solve_nms(params)


def _box_text(box: Box) -> str:
    return f"[{box[0]}, {box[1]}, {box[2]}, {box[3]}]"


def question_fields(params: dict) -> dict[str, str]:
    ask = parse(params)
    if ask == "iou":
        return {"variant": "iou", "a": _box_text(params["a"]), "b": _box_text(params["b"])}
    rows: list[list[object]] = [["box", "x1", "y1", "x2", "y2", "score"]]
    rows += [[str(i), *box, fmt(s)] for i, (box, s) in enumerate(zip(params["boxes"], params["scores"]))]
    return {"variant": "nms", "table": format_grid(rows), "threshold": fmt(params["threshold"]),
            "count": str(len(params["boxes"]))}


# --------------------------------------------------------------------------- sampling


def _random_box(rng: random.Random, level: dict) -> Box:
    extent = int(level.get("extent", 10))
    low, high = level.get("side", [2, 6])
    width, height = rng.randint(low, high), rng.randint(low, high)
    x1, y1 = rng.randint(0, extent - width), rng.randint(0, extent - height)
    return [x1, y1, x1 + width, y1 + height]


def _extent(level: dict) -> int:
    return int(level.get("extent", 10))


def _fits(box: Box, level: dict) -> bool:
    """Whether the box lies in the level's image, corners in [0, extent], as the spec documents."""
    return 0 <= box[0] and 0 <= box[1] and box[2] <= _extent(level) and box[3] <= _extent(level)


def _near(rng: random.Random, box: Box, level: dict) -> Box:
    """A box shifted a little from ``box``: NMS needs overlapping candidates to decide anything.
    It is kept inside the image (a detector's boxes have image coordinates, never negative)."""
    shift = int(level.get("shift", 2))
    low, high = level.get("side", [2, 6])
    width = min(max(box[2] - box[0] + rng.randint(-1, 1), low), high)
    height = min(max(box[3] - box[1] + rng.randint(-1, 1), low), high)
    x1 = min(max(box[0] + rng.randint(-shift, shift), 0), _extent(level) - width)
    y1 = min(max(box[1] + rng.randint(-shift, shift), 0), _extent(level) - height)
    return [x1, y1, x1 + width, y1 + height]


def _nested(rng: random.Random, box: Box) -> Box | None:
    if box[2] - box[0] < 3 or box[3] - box[1] < 3:
        return None
    x1, y1 = rng.randint(box[0] + 1, box[2] - 2), rng.randint(box[1] + 1, box[3] - 2)
    return [x1, y1, rng.randint(x1 + 1, box[2] - 1), rng.randint(y1 + 1, box[3] - 1)]


def _touching(rng: random.Random, box: Box, level: dict) -> Box | None:
    """A box that shares part of an edge with ``box`` and no area (IoU 0), inside the image, or None."""
    width, height = rng.randint(2, 4), rng.randint(2, 4)
    sides = [
        [box[2], box[1], box[2] + width, box[1] + height],  # right
        [box[0], box[3], box[0] + width, box[3] + height],  # below
        [box[0] - width, box[1], box[0], box[1] + height],  # left
        [box[0], box[1] - height, box[0] + width, box[1]],  # above
    ]
    inside = [candidate for candidate in sides if _fits(candidate, level)]
    return rng.choice(inside) if inside else None


def _sample_iou(rng: random.Random, level: dict) -> dict | None:
    a = _random_box(rng, level)
    special = rng.random() < float(level.get("special_probability", 0.0))
    b = (_nested(rng, a) or _near(rng, a, level)) if special else _near(rng, a, level)
    if intersection(a, b) == 0 and not special:
        return None  # a zero IoU is worth drilling only as the deliberate touching/apart case
    return {"ask": "iou", "a": a, "b": b}


def _chain(rng: random.Random, level: dict, threshold: Fraction) -> list[Box] | None:
    """Boxes P, Q, R in score order where Q overlaps P and R overlaps Q above the threshold, but R
    does not overlap P: greedy NMS keeps R, because Q, the only box over it, was itself suppressed."""
    first = _random_box(rng, level)
    second = _near(rng, first, level)
    if iou(first, second) <= threshold:
        return None
    dx, dy = second[0] - first[0], second[1] - first[1]
    third = [second[0] + dx + rng.randint(-1, 1), second[1] + dy + rng.randint(-1, 1),
             second[2] + dx + rng.randint(-1, 1), second[3] + dy + rng.randint(-1, 1)]
    if (third[0] >= third[2] or third[1] >= third[3] or not _fits(third, level)
            or iou(second, third) <= threshold or iou(first, third) > threshold):
        return None
    return [first, second, third]


def _sample_nms(rng: random.Random, level: dict) -> dict | None:
    low, high = level.get("boxes", [3, 5])
    count = rng.randint(low, high)
    threshold = rng.choice(level.get("thresholds", [0.5]))
    boxes: list[Box] = []
    if level.get("need_chain", False):
        boxes = _chain(rng, level, _threshold(threshold)) or []
        if not boxes:
            return None
    else:
        boxes = [_random_box(rng, level)]
    while len(boxes) < count:
        anchor = rng.choice(boxes)
        roll = rng.random()
        if roll < float(level.get("special_probability", 0.0)) / 2:
            candidate = _nested(rng, anchor) or _touching(rng, anchor, level) or _near(rng, anchor, level)
        elif roll < float(level.get("special_probability", 0.0)):
            candidate = _touching(rng, anchor, level) or _near(rng, anchor, level)
        elif roll < 0.8:
            candidate = _near(rng, anchor, level)
        else:
            candidate = _random_box(rng, level)
        boxes.append(candidate)
    scores = sorted(rng.sample([x / 100 for x in range(50, 100)], count), reverse=True)
    if not level.get("need_chain", False):
        rng.shuffle(scores)
    else:  # the chain keeps its score order; the other boxes' scores and every index are shuffled
        head, tail = scores[:3], scores[3:]
        rng.shuffle(tail)
        scores = head + tail
        order = list(range(count))
        rng.shuffle(order)
        boxes, scores = [boxes[i] for i in order], [scores[i] for i in order]
    params = {"ask": "nms", "boxes": boxes, "scores": scores, "threshold": threshold}
    kept = nms(boxes, scores, _threshold(threshold))
    if len(kept) in (1, count):
        return None  # nothing or everything suppressed teaches little
    if level.get("need_chain", False) and nms(boxes, scores, _threshold(threshold), against_all=True) == kept:
        return None  # hard: some box survives only because the box over it was itself suppressed
    return params


def sample(rng: random.Random, level: dict) -> dict:
    """An IoU question prefers boxes whose slips give values apart from the answer and from each other
    (a small box nested in a large one gives IoU ≈ |A ∩ B|/(|A| + |B|), which would pass as correct)."""
    ask = rng.choice(level.get("asks", list(ASKS)))  # drawn once, so rejections do not skew the mix
    if ask == "iou":
        return prefer_informative(lambda: _draw(rng, level, ask), _informative)
    return _draw(rng, level, ask)


def _draw(rng: random.Random, level: dict, ask: str) -> dict:
    rejections = Rejections()
    while True:
        params = _sample_iou(rng, level) if ask == "iou" else _sample_nms(rng, level)
        if params is not None:
            return params
        rejections.again()


# Twice the spec's answer tolerance (rel_tol 0.01, abs_tol 0.005): no typed answer is accepted for two of them.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.01}


def _informative(params: dict) -> bool:
    return informative(float(iou(params["a"], params["b"])), [m.answer(params) for m in MISTAKES], **SEPARATION)


# --------------------------------------------------------------------------- mistakes


def _iou_slip(overlap: Overlap, plus_one: bool = False):
    def answer(params: dict) -> Any:
        if parse(params) == "iou":
            return float(overlap(params["a"], params["b"]))
        if plus_one:
            boxes, scores = params["boxes"], params["scores"]
            return nms(boxes, scores, _threshold(params["threshold"]), overlap=overlap)
        return None

    return answer


def _plus_one_message(params: dict) -> str:
    box = params["a"] if parse(params) == "iou" else params["boxes"][0]
    return (f"you counted pixels with +1: these boxes have continuous corners, so {_box_text(box)} has area "
            f"({box[2]} − {box[0]})·({box[3]} − {box[1]}) = {area(box)}, not {area(box, plus_one=True)}")


def _over_sum_message(params: dict) -> str:
    a, b = params["a"], params["b"]
    inter = intersection(a, b)
    return (f"you divided by |A| + |B| = {area(a) + area(b)}: the union counts the overlap once, "
            f"|A ∪ B| = {area(a)} + {area(b)} − {inter} = {area(a) + area(b) - inter}")


def _dice_message(params: dict) -> str:
    a, b = params["a"], params["b"]
    inter, total = intersection(a, b), area(a) + area(b)
    return (f"you computed Dice, 2|A ∩ B|/(|A| + |B|) = 2·{inter}/{total} = "
            f"{_fraction_text(Fraction(2 * inter, total))}: IoU (Jaccard) is |A ∩ B|/|A ∪ B| = "
            f"{inter}/{total - inter}")


def _nms_slip(**wrong: Any):
    def answer(params: dict) -> list[int] | None:
        if parse(params) != "nms":
            return None
        return nms(params["boxes"], params["scores"], _threshold(params["threshold"]), **wrong)

    return answer


def _inclusive_message(params: dict) -> str:
    t = fmt(params["threshold"])
    return f"you suppressed a box whose IoU equals the threshold: NMS drops only IoU greater than {t}, so IoU = {t} is kept"


def _against_all_message(params: dict) -> str:
    general = ("you let a suppressed box suppress others: only boxes already kept suppress, so a box covered only "
               "by a suppressed box survives")
    boxes, scores, threshold = params["boxes"], params["scores"], _threshold(params["threshold"])
    kept = nms(boxes, scores, threshold)
    wrongly = [i for i in kept if i not in nms(boxes, scores, threshold, against_all=True)]
    if not wrongly:
        return general
    survivor = wrongly[0]
    higher = [i for i in score_order(scores) if scores[i] > scores[survivor] and i not in kept]
    blocker = next((i for i in higher if iou(boxes[survivor], boxes[i]) > threshold), None)
    if blocker is None:
        return general
    return (f"{general}: box {survivor} overlaps box {blocker} with IoU {_fraction_text(iou(boxes[survivor], boxes[blocker]))}, "
            f"but box {blocker} was itself suppressed, so box {survivor} is kept")


def _index_order(params: dict) -> list[int] | None:
    if parse(params) != "nms":
        return None
    return sorted(solve(params).answer)


def _index_order_message(params: dict) -> str:
    return "you listed the kept boxes by index: NMS returns them in descending score order"


MISTAKES = (
    Mistake("plus-one-pixel", _iou_slip(lambda a, b: iou(a, b, plus_one=True), plus_one=True), _plus_one_message),
    Mistake("intersection-over-sum", lambda p: float(_over_sum(p["a"], p["b"])) if parse(p) == "iou" else None,
            _over_sum_message),
    Mistake("dice-for-iou", lambda p: float(_dice(p["a"], p["b"])) if parse(p) == "iou" else None, _dice_message),
    Mistake("threshold-inclusive", _nms_slip(inclusive=True), _inclusive_message),
    Mistake("suppress-against-all", _nms_slip(against_all=True), _against_all_message),
    Mistake("index-order", _index_order, _index_order_message),
)
