"""Image reconstruction losses: L1, L2 (per pixel) and the perceptual loss (per filter).

The course notes (week 7): "L1 L2 都要除以像素数量; Perceptual loss 用了几个filter,
就要除以几, 用的是L2". So:

* ``l1``: the mean absolute difference over the pixels, Σ|p − t| / N;
* ``l2``: the mean squared difference over the pixels, Σ(p − t)² / N;
* ``perceptual``: every filter maps prediction and target to feature maps by valid
  cross-correlation (no flip, no padding, stride 1, as torch's conv2d); the L2
  loss of each pair is averaged over the map's pixels, and those losses are
  averaged over the filters.

All arithmetic is exact (fractions of integers).

Params (JSON), typed as :class:`Params`::

    {"ask": "l1" | "l2" | "perceptual", "prediction": [[int, ...], ...], "target": [[int, ...], ...],
     "filters": [[[int, int], [int, int]], ...]}        # filters only for perceptual (the key is absent otherwise)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from operator import mul
from typing import Any, Callable, Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import fmt, format_grid, informative

Ask = Literal["l1", "l2", "perceptual"]
ASKS: tuple[Ask, ...] = ("l1", "l2", "perceptual")
Grid = Sequence[Sequence[int]]
Rows = tuple[tuple[int, ...], ...]  # a grid of integers as Params holds it
PixelLoss = Callable[[int], int]


def SQUARE(difference: int) -> int:
    return difference * difference


ABSOLUTE: PixelLoss = abs


def correlate(image: Grid, kernel: Grid, flip: bool = False) -> list[list[int]]:
    """Valid cross-correlation (torch's conv2d); ``flip`` makes it a true convolution (a slip)."""
    if flip:
        kernel = [row[::-1] for row in kernel[::-1]]
    kh, kw = len(kernel), len(kernel[0])
    result = []
    for r in range(len(image) - kh + 1):
        pairs = list(zip(image[r : r + kh], kernel))  # the window's rows with the kernel's (integers: any order of adding)
        result.append([sum([sum(map(mul, row[c : c + kw], weights)) for row, weights in pairs]) for c in range(len(image[0]) - kw + 1)])
    return result


def pixel_loss(prediction: Grid, target: Grid, loss: PixelLoss, mean: bool = True) -> Fraction:
    """Σ loss(p − t), divided by the pixel count unless ``mean`` is False (a slip)."""
    total = sum([loss(p - t) for prow, trow in zip(prediction, target) for p, t in zip(prow, trow)])
    return Fraction(total, len(prediction) * len(prediction[0]) if mean else 1)


def perceptual(
    params: Params, loss: PixelLoss = SQUARE, mean: bool = True, average_filters: bool = True, flip: bool = False
) -> Fraction:
    """The perceptual loss; the keyword arguments do one step wrong, for the mistake catalogue."""
    return _perceptual(params.prediction, params.target, params.kernels, loss, mean, average_filters, flip)


def _perceptual(
    prediction: Grid, target: Grid, filters: Sequence[Grid],
    loss: PixelLoss = SQUARE, mean: bool = True, average_filters: bool = True, flip: bool = False,
) -> Fraction:
    losses = [pixel_loss(correlate(prediction, f, flip), correlate(target, f, flip), loss, mean) for f in filters]
    return sum(losses, Fraction(0)) / (len(losses) if average_filters else 1)


# --------------------------------------------------------------------------- params


def _check_grid(grid: Rows, name: str) -> None:
    require(bool(grid) and len(grid[0]) > 0 and all(len(row) == len(grid[0]) for row in grid), name,
            "must be a non-empty rectangular grid of integers")


@dataclass(frozen=True)
class Params:
    ask: Ask
    prediction: Rows
    target: Rows  # the same size as prediction
    # perceptual only: the filters (small grids, no larger than the images); absent (None) for l1 and l2
    filters: tuple[Rows, ...] | None = optional()

    def __post_init__(self) -> None:
        prediction, target, filters = self.prediction, self.target, self.filters
        _check_grid(prediction, "prediction")
        _check_grid(target, "target")
        require((len(prediction), len(prediction[0])) == (len(target), len(target[0])), "target",
                f"is {len(target)}x{len(target[0])} but prediction is {len(prediction)}x{len(prediction[0])}: they must have the same size")
        if self.ask != "perceptual":
            require(filters is None, "filters", "are only used by the perceptual loss")
            return
        require(bool(filters), "filters", "the perceptual loss needs a non-empty list of filters")
        for n, f in enumerate(self.kernels):
            _check_grid(f, f"filters[{n}]")
            require(len(f) <= len(prediction) and len(f[0]) <= len(prediction[0]), f"filters[{n}]", "is larger than the image")

    @property
    def kernels(self) -> tuple[Rows, ...]:
        """The filters (none for l1 and l2)."""
        return self.filters or ()


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    asks: tuple[Ask, ...] = ASKS  # the losses drawn
    size: tuple[int, int] = (3, 3)  # [min, max] side of the L1/L2 images
    perceptual_size: tuple[int, int] = (3, 3)  # [min, max] side of the images for the perceptual loss
    rectangular: bool = False  # allow rows != columns
    values: tuple[int, int] = (0, 9)  # the pixel range
    filters: tuple[int, int] = (1, 2)  # [min, max] number of 2x2 filters
    filter_values: tuple[int, int] = (-1, 1)  # the range of filter entries

    def __post_init__(self) -> None:
        require(bool(self.asks), "asks", "must list at least one loss")
        require(1 <= self.size[0] <= self.size[1], "size", "must be [min, max] with 1 <= min <= max")
        require(2 <= self.perceptual_size[0] <= self.perceptual_size[1], "perceptual_size",
                "must be [min, max] with 2 <= min <= max (the filters are 2x2)")
        require(self.values[0] < self.values[1], "values", "must be [min, max] with min < max")
        require(1 <= self.filters[0] <= self.filters[1], "filters", "must be [min, max] with 1 <= min <= max")
        require(self.filter_values[0] < self.filter_values[1], "filter_values", "must be [min, max] with min < max")


# --------------------------------------------------------------------------- solving


def _value(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    return f"{x.numerator}/{x.denominator} ≈ {fmt(float(x))}"


def _division(total: int, count: int) -> str:
    """``34/16 = 17/8 ≈ 2.125``, without repeating a fraction that is already in lowest terms."""
    value = Fraction(total, count)
    if value.denominator == count:
        return _value(value)
    return f"{total}/{count} = {_value(value)}"


def _differences(prediction: Grid, target: Grid) -> Grid:
    return [[p - t for p, t in zip(prow, trow)] for prow, trow in zip(prediction, target)]


def _pixel_steps(prediction: Grid, target: Grid, ask: str, label: str = "") -> tuple[list[str], Fraction]:
    diff = _differences(prediction, target)
    loss, word = (ABSOLUTE, "|d|") if ask == "l1" else (SQUARE, "d²")
    terms = [loss(d) for row in diff for d in row]
    count = len(terms)
    value = Fraction(sum(terms), count)
    steps = [
        f"{label}Differences d = prediction − target:\n" + format_grid(diff),
        f"{label}Σ {word} = {' + '.join(map(str, terms))} = {sum(terms)}; "
        f"divided by the {count} pixels: {_division(sum(terms), count)}",
    ]
    return steps, value


def solve(params: Params) -> Solution:
    ask, prediction, target = params.ask, params.prediction, params.target
    if ask in ("l1", "l2"):
        steps, value = _pixel_steps(prediction, target, ask)
        return Solution(answer=float(value), steps=steps, kind="real", display=_value(value))
    steps = ["Each filter maps both images by valid cross-correlation (no flip, no padding); the L2 loss of the "
             "two maps is averaged over the map's pixels; the filters' losses are then averaged."]
    losses = []
    for n, f in enumerate(params.kernels, start=1):
        mp, mt = correlate(prediction, f), correlate(target, f)
        steps.append(f"Filter {n}:\n" + format_grid(f) + "\nmaps prediction to\n" + format_grid(mp)
                     + "\nand target to\n" + format_grid(mt))
        lines, value = _pixel_steps(mp, mt, "l2", f"Filter {n}: ")
        steps.extend(lines)
        losses.append(value)
    total = sum(losses, Fraction(0)) / len(losses)
    if len(losses) > 1:
        parts = " + ".join(_value(v).split(" ≈")[0] for v in losses)
        steps.append(f"Averaged over the {len(losses)} filters: ({parts}) / {len(losses)} = {_value(total)}")
    return Solution(answer=float(total), steps=steps, kind="real", display=_value(total))


def question_fields(params: Params) -> dict[str, str]:
    ask, prediction = params.ask, params.prediction
    fields = {"variant": ask, "prediction": format_grid(prediction), "target": format_grid(params.target),
              "shape": f"{len(prediction)}x{len(prediction[0])}"}
    if ask == "perceptual":
        fields["filters"] = "\n\n".join(f"Filter {n}:\n" + format_grid(f) for n, f in enumerate(params.kernels, 1))
        fields["count"] = str(len(params.kernels))
    return fields


# --------------------------------------------------------------------------- sampling


def _image(rng: random.Random, rows: int, cols: int, low: int, high: int) -> Rows:
    return tuple([tuple([rng.randint(low, high) for _ in range(cols)]) for _ in range(rows)])


def sample(rng: random.Random, level: Level) -> Params:
    ask = rng.choice(level.asks)
    rejections = Rejections()
    while True:
        size_range = level.perceptual_size if ask == "perceptual" else level.size
        rows = rng.randint(*size_range)
        cols = rng.randint(*size_range) if level.rectangular else rows
        low, high = level.values
        prediction = _image(rng, rows, cols, low, high)
        target = tuple([tuple([max(low, min(high, v + rng.randint(-3, 3))) for v in row]) for row in prediction])
        filters = None
        if ask == "perceptual":
            count = rng.randint(*level.filters)
            flow, fhigh = level.filter_values
            filters = tuple([_image(rng, 2, 2, flow, fhigh) for _ in range(count)])
        if _informative_at(ask, prediction, target, filters or ()):
            return Params(ask, prediction, target, filters)
        rejections.again()


# Twice the spec's answer tolerance (rel_tol 0.01, abs_tol 0.005): no typed answer is accepted both as
# the answer and as a slip, or as two slips.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.01}


def _informative(params: Params) -> bool:
    """A non-zero loss, and the slips the family names give values apart from it and each other, beyond
    the checker's tolerance (a flipped filter that changes the loss by less than 1% would pass as correct)."""
    return _informative_at(params.ask, params.prediction, params.target, params.kernels)


def _informative_at(ask: Ask, prediction: Grid, target: Grid, filters: Sequence[Grid]) -> bool:
    """``_informative`` on the sampler's draw before it becomes :class:`Params` (a rejected draw is never
    built); the answer and the slips (in MISTAKES order) come from one set of feature maps, without the working."""
    if ask != "perceptual":
        squared, absolute = pixel_loss(prediction, target, SQUARE), pixel_loss(prediction, target, ABSOLUTE)
        right, other = (absolute, squared) if ask == "l1" else (squared, absolute)
        if right == 0:
            return False
        diff = _differences(prediction, target)
        if not any(abs(d) > 1 for row in diff for d in row):  # |d| = d² everywhere would hide L1 vs L2
            return False
        pixels = len(prediction) * len(prediction[0])
        return informative(float(right), [float(right * pixels), float(other), None, None, None], **SEPARATION)
    maps = [(correlate(prediction, f), correlate(target, f)) for f in filters]
    losses = [pixel_loss(mp, mt, SQUARE) for mp, mt in maps]
    answer = sum(losses, Fraction(0)) / len(losses)
    if answer == 0:
        return False
    if any(all(v == 0 for row in f for v in row) for f in filters):
        return False
    count = len(filters)
    slips = (
        float(sum((pixel_loss(mp, mt, SQUARE, mean=False) for mp, mt in maps), Fraction(0)) / count),  # not divided
        None,  # other-pixel-loss: L1 and L2 only
        None if count == 1 else float(sum(losses, Fraction(0))),  # filters summed
        float(sum((pixel_loss(mp, mt, ABSOLUTE) for mp, mt in maps), Fraction(0)) / count),  # L1 for perceptual
        float(_perceptual(prediction, target, filters, flip=True)),  # flipped filter
    )
    return informative(float(answer), slips, **SEPARATION)


# --------------------------------------------------------------------------- mistakes


def _not_divided(params: Params) -> float:
    ask = params.ask
    if ask == "perceptual":
        return float(perceptual(params, mean=False))
    return float(pixel_loss(params.prediction, params.target, ABSOLUTE if ask == "l1" else SQUARE, mean=False))


def _not_divided_message(params: Params) -> str:
    rows, cols = len(params.prediction), len(params.prediction[0])
    if params.ask == "perceptual":
        f = params.kernels[0]
        cells = (rows - len(f) + 1) * (cols - len(f[0]) + 1)
        return f"you summed over the feature map: each filter's L2 is averaged over its {cells} map pixels"
    return f"you summed over the pixels: L1 and L2 are divided by the number of pixels, {rows}·{cols} = {rows * cols}"


def _other_pixel_loss(params: Params) -> float | None:
    ask = params.ask
    if ask == "perceptual":
        return None
    return float(pixel_loss(params.prediction, params.target, SQUARE if ask == "l1" else ABSOLUTE))


def _other_pixel_loss_message(params: Params) -> str:
    if params.ask == "l1":
        return "you squared the differences: L1 is the mean of |p − t|; squaring is L2"
    return "you took absolute differences: L2 is the mean of (p − t)²; |p − t| is L1"


def _perceptual_slip(**wrong: Any) -> Callable[[Params], float | None]:
    def answer(params: Params) -> float | None:
        if params.ask != "perceptual":
            return None
        if wrong.get("average_filters") is False and len(params.kernels) == 1:
            return None
        return float(perceptual(params, **wrong))

    return answer


def _summed_filters_message(params: Params) -> str:
    n = len(params.kernels)
    return f"you added the filters' losses: the perceptual loss divides by the number of filters, {n}"


def _l1_message(params: Params) -> str:
    return "you used L1 on the feature maps: the perceptual loss compares them with L2, the mean of squares"


def _flipped_message(params: Params) -> str:
    f = [list(row) for row in (params.kernels or (((0, 0), (0, 0)),))[0]]
    flipped = [row[::-1] for row in f[::-1]]
    return (f"you flipped the filter (true convolution): the maps are cross-correlations, so {f} is applied "
            f"as written, not as {flipped}")


MISTAKES = (
    Mistake("not-divided-by-pixels", _not_divided, _not_divided_message),
    Mistake("other-pixel-loss", _other_pixel_loss, _other_pixel_loss_message),
    Mistake("filters-summed", _perceptual_slip(average_filters=False), _summed_filters_message),
    Mistake("l1-for-perceptual", _perceptual_slip(loss=ABSOLUTE), _l1_message),
    Mistake("flipped-filter", _perceptual_slip(flip=True), _flipped_message),
)


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    from mli_drill.problems.families.base import Grid

    values = [v for row in params.prediction + params.target for v in row]
    images = [Grid.of("image", image, low=min(values), high=max(values)) for image in (params.prediction, params.target)]
    return images + [Grid.of("kernel", kernel) for kernel in params.kernels]
