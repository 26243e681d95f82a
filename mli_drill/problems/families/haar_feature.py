"""Integral images, rectangle sums by D - B - C + A, and Haar-like feature values.

The integral image is inclusive, ii(r, c) = sum of I[r', c'] over r' <= r and
c' <= c (CONVENTIONS.md). A rectangle (rows top..bottom, columns left..right,
inclusive) sums to D - B - C + A with
    A = ii(top - 1, left - 1)   just outside the top-left corner
    B = ii(top - 1, right)      just above the top-right corner
    C = ii(bottom, left - 1)    just left of the bottom-left corner
    D = ii(bottom, right)       the bottom-right corner itself
and ii = 0 outside the image. A Haar feature is sum(white) - sum(black).

Params (JSON form), by ``variant``, typed as :class:`Params` (with :class:`Corners` and :class:`Feature`):
    "integral-image"  image: list[list[int]]          -> the whole integral image (matrix)
    "corners"         corners: {A, B, C, D}: ints      -> D - B - C + A (integer)
    "rect-sum"        image, given: "image"|"integral", rect: [top, left, bottom, right] (0-based, inclusive)
    "feature"         image, given, feature: {type, top, left, height, width, white}
        type   "type-2-x" (left | right), "type-2-y" (top / bottom), "type-3-x" (left | middle | right),
               "type-3-y" (top / middle / bottom), "type-4" (2x2 checkerboard); scikit-image's names
        top, left, height, width   the whole feature window (0-based); width (x types) or height (y types)
               divisible by the number of rectangles along that axis, both even for type-4
        white  list of the white rectangles' names (see RECTANGLE_NAMES); the others are black
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal, Sequence, TypeVar

from mli_drill.problems.families.base import Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import format_grid

Grid = list[list[int]]
Image = Sequence[Sequence[int]]
Rect = tuple[int, int, int, int]  # top, left, bottom, right (0-based, inclusive)
Variant = Literal["integral-image", "corners", "rect-sum", "feature"]
FeatureType = Literal["type-2-x", "type-2-y", "type-3-x", "type-3-y", "type-4"]
Given = Literal["image", "integral"]

RECTANGLE_NAMES = {
    "type-2-x": ["left", "right"],
    "type-2-y": ["top", "bottom"],
    "type-3-x": ["left", "middle", "right"],
    "type-3-y": ["top", "middle", "bottom"],
    "type-4": ["top-left", "top-right", "bottom-left", "bottom-right"],
}
# White choices the sampler uses: one of two, the middle or the outer pair, one diagonal.
WHITE_CHOICES: dict[str, list[tuple[str, ...]]] = {
    "type-2-x": [("left",), ("right",)],
    "type-2-y": [("top",), ("bottom",)],
    "type-3-x": [("middle",), ("left", "right")],
    "type-3-y": [("middle",), ("top", "bottom")],
    "type-4": [("top-left", "bottom-right"), ("top-right", "bottom-left")],
}
TYPE_WORDS = {
    "type-2-x": "two-rectangle feature split vertically into a left and a right rectangle",
    "type-2-y": "two-rectangle feature split horizontally into a top and a bottom rectangle",
    "type-3-x": "three-rectangle feature split into left, middle and right rectangles of equal width",
    "type-3-y": "three-rectangle feature split into top, middle and bottom rectangles of equal height",
    "type-4": "four-rectangle (2x2 checkerboard) feature split into top-left, top-right, bottom-left and "
    "bottom-right quarters",
}
# (row divisions, column divisions) of the feature window per type.
SPLITS = {"type-2-x": (1, 2), "type-2-y": (2, 1), "type-3-x": (1, 3), "type-3-y": (3, 1), "type-4": (2, 2)}

T = TypeVar("T")


def _given(value: T | None) -> T:
    """A key ``Params.__post_init__`` made sure the variant has."""
    assert value is not None
    return value


# ----------------------------------------------------------------------------- params


@dataclass(frozen=True)
class Corners:
    """The four integral-image values around a rectangle (see the module docstring)."""

    A: int
    B: int
    C: int
    D: int

    def __post_init__(self) -> None:
        total = self.D - self.B - self.C + self.A
        require(min(self.A, self.B, self.C, self.D) >= 0 and self.B >= self.A and self.C >= self.A and total >= 0, "",
                "these corner values cannot come from a non-negative image (need A <= B, C and D-B-C+A >= 0)")


@dataclass(frozen=True)
class Feature:
    type: FeatureType
    top: int  # the whole feature window (0-based)
    left: int
    height: int
    width: int
    white: tuple[str, ...]  # the white rectangles' names (RECTANGLE_NAMES); the others are black

    def __post_init__(self) -> None:
        n_rows, n_cols = SPLITS[self.type]
        require(self.height >= n_rows and not self.height % n_rows and self.width >= n_cols and not self.width % n_cols,
                "", f"a {self.type} window must be {n_rows} equal parts high and {n_cols} equal parts wide")
        require(self.top >= 0 and self.left >= 0, "", "the feature window must start inside the image")
        names = RECTANGLE_NAMES[self.type]
        require(bool(self.white) and set(self.white) < set(names) and len(set(self.white)) == len(self.white),
                "white", f"must name some but not all of {', '.join(names)}")


_OPTIONAL = ("image", "corners", "given", "rect", "feature")
_KEYS: dict[str, tuple[str, ...]] = {  # the keys each variant has besides "variant" ("given" may be left out)
    "integral-image": ("image",),
    "corners": ("corners",),
    "rect-sum": ("image", "given", "rect"),
    "feature": ("image", "given", "feature"),
}


@dataclass(frozen=True)
class Params:
    variant: Variant
    image: tuple[tuple[int, ...], ...] | None = optional()  # all but corners
    corners: Corners | None = optional()  # corners only
    given: Given | None = optional()  # rect-sum, feature; "image" when left out
    rect: Rect | None = optional()  # rect-sum only
    feature: Feature | None = optional()  # feature only

    def __post_init__(self) -> None:
        keys = _KEYS[self.variant]
        present = tuple([name for name in _OPTIONAL if getattr(self, name) is not None])
        if present != keys:
            for name in _OPTIONAL:
                given = name in present
                require(given or name not in keys or name == "given", name, f"is needed by the {self.variant} variant")
                require(not given or name in keys, name, f"is not used by the {self.variant} variant")
        image = self.image
        if image is None:
            return
        require(bool(image) and len(image[0]) > 0 and len(set(map(len, image))) == 1 and min(map(min, image)) >= 0,
                "image",
                "must be a non-empty rectangular grid of non-negative integers")
        rows, cols = len(image), len(image[0])
        if self.rect is not None:
            top, left, bottom, right = self.rect
            require(0 <= top <= bottom < rows and 0 <= left <= right < cols, "rect",
                    f"{list(self.rect)} is not inside the {rows}x{cols} image")
        feature = self.feature
        if feature is not None:
            require(feature.top + feature.height <= rows and feature.left + feature.width <= cols, "feature",
                    "the feature window does not fit inside the image")

    @property
    def shows_integral(self) -> bool:
        """The question shows the integral image, not the image (``given`` is "image" when left out)."""
        return self.given == "integral"


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    variants: tuple[Variant, ...] = ("integral-image", "corners", "rect-sum", "feature")  # one drawn per instance
    image_size: tuple[int, int] = (4, 5)  # [min, max] rows, and independently columns, of the image
    image_values: tuple[int, int] = (0, 9)  # [low, high] of each pixel
    corner_values: tuple[int, int] = (0, 150)  # the corners variant: A and the increments B-A, C-A, inside sum
    interior_probability: float = 0.5  # chance a rect-sum rectangle avoids row 0 and column 0 (all four corners)
    given: tuple[Given, ...] = ("image", "integral")  # what the question shows for rect-sum and feature
    feature_types: tuple[FeatureType, ...] = ("type-2-x", "type-2-y", "type-3-x", "type-3-y", "type-4")

    def __post_init__(self) -> None:
        require(bool(self.variants), "variants", "must name at least one variant")
        require(2 <= self.image_size[0] <= self.image_size[1], "image_size", "must be [min, max] with 2 <= min <= max")
        require(0 <= self.image_values[0] < self.image_values[1], "image_values", "must be [low, high], 0 <= low < high")
        require(0 <= self.corner_values[0] and self.corner_values[0] + 5 <= self.corner_values[1], "corner_values",
                "must be [low, high] with 0 <= low and low + 5 <= high")
        require(0 <= self.interior_probability <= 1, "interior_probability", "must be between 0 and 1")
        require(bool(self.given), "given", "must name at least one of image, integral")
        require(bool(self.feature_types), "feature_types", "must name at least one feature type")


# ----------------------------------------------------------------------------- maths


def integral_image(image: Image) -> Grid:
    """Inclusive integral image by the recurrence ii = I + up + left - up-left."""
    rows, cols = len(image), len(image[0])
    ii = [[0] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            up = ii[r - 1][c] if r else 0
            left = ii[r][c - 1] if c else 0
            diag = ii[r - 1][c - 1] if r and c else 0
            ii[r][c] = image[r][c] + up + left - diag
    return ii


def _at(ii: Grid, r: int, c: int) -> int:
    return ii[r][c] if r >= 0 and c >= 0 else 0


def corners(ii: Grid, rect: Sequence[int]) -> dict[str, int]:
    top, left, bottom, right = rect
    return {
        "A": _at(ii, top - 1, left - 1),
        "B": _at(ii, top - 1, right),
        "C": _at(ii, bottom, left - 1),
        "D": _at(ii, bottom, right),
    }


def rectangles(feature: Feature) -> dict[str, list[int]]:
    """Each named sub-rectangle of a feature as [top, left, bottom, right] (inclusive)."""
    n_rows, n_cols = SPLITS[feature.type]
    h, w = feature.height // n_rows, feature.width // n_cols
    names = iter(RECTANGLE_NAMES[feature.type])
    result = {}
    for i in range(n_rows):
        for j in range(n_cols):
            top, left = feature.top + i * h, feature.left + j * w
            result[next(names)] = [top, left, top + h - 1, left + w - 1]
    return result


def rect_sum(ii: Grid, rect: Sequence[int]) -> int:
    k = corners(ii, rect)
    return k["D"] - k["B"] - k["C"] + k["A"]


def feature_value(image: Image, feature: Feature) -> int:
    ii = integral_image(image)
    sums = {name: rect_sum(ii, rect) for name, rect in rectangles(feature).items()}
    return sum(v if name in feature.white else -v for name, v in sums.items())


# ----------------------------------------------------------------------------- sampling


def sample(rng: random.Random, level: Level) -> Params:
    variant = rng.choice(level.variants)
    rejections = Rejections()
    while True:
        params = _SAMPLERS[variant](rng, level)
        if params is not None:
            return params
        rejections.again()


def _random_image(rng: random.Random, level: Level) -> tuple[tuple[int, ...], ...]:
    lo, hi = level.image_size
    rows, cols = rng.randint(lo, hi), rng.randint(lo, hi)
    vlo, vhi = level.image_values
    return tuple([tuple([rng.randint(vlo, vhi) for _ in range(cols)]) for _ in range(rows)])


def _sample_integral(rng: random.Random, level: Level) -> Params | None:
    image = _random_image(rng, level)
    if len({v for row in image for v in row}) < 2:
        return None
    return Params("integral-image", image=image)


def _sample_corners(rng: random.Random, level: Level) -> Params:
    """Four consistent corner values of a non-negative image: B, C >= A and a positive rectangle sum."""
    lo, hi = level.corner_values
    a = rng.randint(lo, hi)
    b = a + rng.randint(lo + 5, hi)
    c = a + rng.randint(lo + 5, hi)
    inside = rng.randint(lo + 5, hi)
    return Params("corners", corners=Corners(a, b, c, b + c - a + inside))


def _sample_rect_sum(rng: random.Random, level: Level) -> Params | None:
    image = _random_image(rng, level)
    rows, cols = len(image), len(image[0])
    # An interior rectangle needs all four corners; one on the top/left border drills ii = 0 outside.
    first = 1 if rng.random() < level.interior_probability else 0
    top, bottom = sorted(rng.choice(range(first, rows)) for _ in range(2))
    left, right = sorted(rng.sample(range(first, cols), 2))
    rect = (top, left, bottom, right)
    if rect_sum(integral_image(image), rect) == 0 or (top == 0 and left == 0):
        return None  # a zero sum hides mistakes; a rectangle at the origin is just D
    return Params("rect-sum", image=image, given=rng.choice(level.given), rect=rect)


def _sample_feature(rng: random.Random, level: Level) -> Params | None:
    image = _random_image(rng, level)
    rows, cols = len(image), len(image[0])
    kind = rng.choice(level.feature_types)
    n_rows, n_cols = SPLITS[kind]
    heights = [h for h in range(n_rows, rows + 1, n_rows)]
    widths = [w for w in range(n_cols, cols + 1, n_cols)]
    height, width = rng.choice(heights), rng.choice(widths)
    if height * width < 4:
        return None
    top, left = rng.randint(0, rows - height), rng.randint(0, cols - width)
    feature = Feature(kind, top, left, height, width, rng.choice(WHITE_CHOICES[kind]))
    if feature_value(image, feature) == 0:
        return None  # swapping white and black would go unnoticed
    return Params("feature", image=image, given=rng.choice(level.given), feature=feature)


_SAMPLERS = {
    "integral-image": _sample_integral,
    "corners": _sample_corners,
    "rect-sum": _sample_rect_sum,
    "feature": _sample_feature,
}


# ----------------------------------------------------------------------------- solving


def _corner_steps(ii: Grid, rect: Sequence[int], label: str) -> tuple[list[str], int]:
    k = corners(ii, rect)
    top, left, bottom, right = rect
    where = {
        "A": (top - 1, left - 1),
        "B": (top - 1, right),
        "C": (bottom, left - 1),
        "D": (bottom, right),
    }
    parts = [
        f"{name} = ii({r},{c}) = {k[name]}" if r >= 0 and c >= 0 else f"{name} = 0 (outside the image)"
        for name, (r, c) in where.items()
    ]
    total = k["D"] - k["B"] - k["C"] + k["A"]
    text = (
        f"{label} ({_span(rect)}): " + ", ".join(parts)
        + f"; sum = D - B - C + A = {k['D']} - {k['B']} - {k['C']} + {k['A']} = {total}"
    )
    return [text], total


def _solve_integral(params: Params) -> Solution:
    ii = integral_image(_given(params.image))
    steps = [
        "ii(r, c) = I(r, c) + ii(r-1, c) + ii(r, c-1) - ii(r-1, c-1), with ii = 0 outside the image "
        "(inclusive: the sum of all pixels above and to the left, including (r, c) itself).",
        "Integral image:\n" + format_grid(ii),
    ]
    return Solution(answer=ii, steps=steps, kind="matrix")


def _solve_corners(params: Params) -> Solution:
    k = _given(params.corners)
    total = k.D - k.B - k.C + k.A
    steps = [
        "D covers everything above-left of the rectangle's bottom-right corner; subtract the strip above (B) "
        "and the strip to the left (C); the block above-left (A) was subtracted twice, so add it back.",
        f"sum = D - B - C + A = {k.D} - {k.B} - {k.C} + {k.A} = {total}",
    ]
    return Solution(answer=total, steps=steps, kind="integer")


def _integral_intro(params: Params, ii: Grid) -> str:
    if not params.shows_integral:
        return "Integral image of the given image (inclusive):\n" + format_grid(ii)
    return "Read the corner values from the given integral image (ii = 0 outside the image)."


def _solve_rect_sum(params: Params) -> Solution:
    ii = integral_image(_given(params.image))
    lines, total = _corner_steps(ii, _given(params.rect), "Rectangle")
    return Solution(answer=total, steps=[_integral_intro(params, ii), *lines], kind="integer")


def _solve_feature(params: Params) -> Solution:
    feature = _given(params.feature)
    ii = integral_image(_given(params.image))
    steps = [_integral_intro(params, ii)]
    sums = {}
    for name, rect in rectangles(feature).items():
        colour = "white" if name in feature.white else "black"
        lines, sums[name] = _corner_steps(ii, rect, f"{name.capitalize()} rectangle, {colour}")
        steps.extend(lines)
    white = [n for n in sums if n in feature.white]
    black = [n for n in sums if n not in feature.white]
    value = sum(sums[n] for n in white) - sum(sums[n] for n in black)
    white_text = " + ".join(str(sums[n]) for n in white)
    black_text = " + ".join(str(sums[n]) for n in black)
    steps.append(
        f"Feature = sum(white) - sum(black) = ({white_text}) - ({black_text}) = "
        f"{sum(sums[n] for n in white)} - {sum(sums[n] for n in black)} = {value}"
    )
    return Solution(answer=value, steps=steps, kind="integer")


_SOLVERS = {
    "integral-image": _solve_integral,
    "corners": _solve_corners,
    "rect-sum": _solve_rect_sum,
    "feature": _solve_feature,
}


def solve(params: Params) -> Solution:
    return _SOLVERS[params.variant](params)


# ----------------------------------------------------------------------------- wording


def _span(rect: Sequence[int]) -> str:
    top, left, bottom, right = rect
    rows = f"row {top}" if top == bottom else f"rows {top}-{bottom}"
    cols = f"column {left}" if left == right else f"columns {left}-{right}"
    return f"{rows}, {cols}"


def _shown_grid(params: Params) -> str:
    image = _given(params.image)
    if params.shows_integral:
        return "Integral image (inclusive: ii(r, c) = sum of I over rows <= r and columns <= c):\n" + format_grid(
            integral_image(image)
        )
    return "Image:\n" + format_grid(image)


def question_fields(params: Params) -> dict[str, str]:
    variant = params.variant
    fields: dict[str, str] = {"variant": variant}
    if variant == "corners":
        k = _given(params.corners)
        fields.update(A=str(k.A), B=str(k.B), C=str(k.C), D=str(k.D))
        return fields
    image = _given(params.image)
    rows, cols = len(image), len(image[0])
    fields["shape"] = f"{rows}x{cols}" + ("" if rows == cols else f" ({rows} rows, {cols} columns)")
    if variant == "integral-image":
        fields["image"] = format_grid(image)
        return fields
    fields["grid"] = _shown_grid(params)
    fields["using"] = (
        "the integral image below" if params.shows_integral else "an integral image of the image below"
    )
    if variant == "rect-sum":
        fields["rect"] = _span(_given(params.rect))
        return fields
    feature = _given(params.feature)
    rects = rectangles(feature)
    fields["window"] = _span([feature.top, feature.left, feature.top + feature.height - 1,
                              feature.left + feature.width - 1])
    fields["type_words"] = TYPE_WORDS[feature.type]
    fields["parts"] = "\n".join(
        f"  {name}: {_span(rect)} ({'white' if name in feature.white else 'black'})" for name, rect in rects.items()
    )
    return fields


# ----------------------------------------------------------------------------- mistakes


def _slipped_rect_sum(ii: Grid, rect: Sequence[int], slip: str) -> int:
    """A rectangle sum with one step done wrong: A subtracted, or corners read inside the rectangle."""
    if slip == "corners-inside":
        top, left, bottom, right = rect
        return ii[bottom][right] - ii[top][right] - ii[bottom][left] + ii[top][left]
    k = corners(ii, rect)
    return k["D"] - k["B"] - k["C"] - k["A"]


def _rect_slip(slip: str):
    """The asked sum (rect-sum or feature) with every rectangle summed by the slipped rule."""

    def answer(params: Params) -> int | None:
        variant = params.variant
        if variant == "corners":
            k = _given(params.corners)
            return k.D - k.B - k.C - k.A if slip == "corner-a-subtracted" and k.A else None
        if variant == "integral-image":
            return None
        ii = integral_image(_given(params.image))
        if variant == "rect-sum":
            return _slipped_rect_sum(ii, _given(params.rect), slip)
        feature = _given(params.feature)
        sums = {name: _slipped_rect_sum(ii, rect, slip) for name, rect in rectangles(feature).items()}
        return sum(v if name in feature.white else -v for name, v in sums.items())

    return answer


def _a_subtracted_message(params: Params) -> str:
    return ("you subtracted A instead of adding it: B and C both contain the block above-left of the rectangle, "
            "so D − B − C removes it twice and + A puts it back once")


def _corners_inside_message(params: Params) -> str:
    rect = params.rect or next(iter(rectangles(_given(params.feature)).values()))
    top, left, _, _ = rect
    return (f"you read A, B and C on the rectangle's own edge: they lie just outside it, A = ii({top - 1},{left - 1}) "
            f"above-left of the top-left pixel ({top},{left}), so the first row and column are not cut off")


def _black_minus_white(params: Params) -> int | None:
    return -feature_value(_given(params.image), _given(params.feature)) if params.variant == "feature" else None


def _black_minus_white_message(params: Params) -> str:
    white = ", ".join(_given(params.feature).white)
    return f"you took black − white: a Haar feature is sum(white) − sum(black), and white here is {white}"


def _exclusive_integral(params: Params) -> Grid | None:
    if params.variant != "integral-image":
        return None
    image = _given(params.image)
    ii = integral_image(image)
    return [[_at(ii, r - 1, c - 1) for c in range(len(image[0]))] for r in range(len(image))]


def _exclusive_message(params: Params) -> str:
    return ("you made the integral image exclusive: ii(r, c) includes pixel (r, c) itself, "
            "so ii(0, 0) = I(0, 0), not 0")


def _rows_only(params: Params) -> Grid | None:
    if params.variant != "integral-image":
        return None
    image = _given(params.image)
    return [[sum(row[: c + 1]) for c in range(len(row))] for row in image]


def _rows_only_message(params: Params) -> str:
    return ("you summed along each row only: ii(r, c) sums every pixel above and to the left, "
            "ii(r, c) = I(r, c) + ii(r−1, c) + ii(r, c−1) − ii(r−1, c−1)")


MISTAKES = (
    Mistake("corner-a-subtracted", _rect_slip("corner-a-subtracted"), _a_subtracted_message),
    Mistake("corners-inside", _rect_slip("corners-inside"), _corners_inside_message),
    Mistake("black-minus-white", _black_minus_white, _black_minus_white_message),
    Mistake("exclusive-integral", _exclusive_integral, _exclusive_message),
    Mistake("row-sums-only", _rows_only, _rows_only_message),
)


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    from mli_drill.problems.families.base import Grid, Region

    if params.variant == "corners" or params.shows_integral:
        return []  # no image to draw: corner values, or an integral image (not intensities)
    regions: list[Region] = []
    if params.variant == "rect-sum":
        top, left, bottom, right = _given(params.rect)
        regions = [Region(top, left, bottom, right)]
    elif params.variant == "feature":
        feature = _given(params.feature)
        regions = [Region(rect[0], rect[1], rect[2], rect[3], "white" if name in feature.white else "black")
                   for name, rect in rectangles(feature).items()]
    return [Grid.of("image", _given(params.image), tuple(regions))]
