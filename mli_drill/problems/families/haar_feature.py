"""Integral images, rectangle sums by D - B - C + A, and Haar-like feature values.

The integral image is inclusive, ii(r, c) = sum of I[r', c'] over r' <= r and
c' <= c (CONVENTIONS.md). A rectangle (rows top..bottom, columns left..right,
inclusive) sums to D - B - C + A with
    A = ii(top - 1, left - 1)   just outside the top-left corner
    B = ii(top - 1, right)      just above the top-right corner
    C = ii(bottom, left - 1)    just left of the bottom-left corner
    D = ii(bottom, right)       the bottom-right corner itself
and ii = 0 outside the image. A Haar feature is sum(white) - sum(black).

Params (JSON form), by ``variant``:
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

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import format_grid

Grid = list[list[int]]

RECTANGLE_NAMES = {
    "type-2-x": ["left", "right"],
    "type-2-y": ["top", "bottom"],
    "type-3-x": ["left", "middle", "right"],
    "type-3-y": ["top", "middle", "bottom"],
    "type-4": ["top-left", "top-right", "bottom-left", "bottom-right"],
}
# White choices the sampler uses: one of two, the middle or the outer pair, one diagonal.
WHITE_CHOICES = {
    "type-2-x": [["left"], ["right"]],
    "type-2-y": [["top"], ["bottom"]],
    "type-3-x": [["middle"], ["left", "right"]],
    "type-3-y": [["middle"], ["top", "bottom"]],
    "type-4": [["top-left", "bottom-right"], ["top-right", "bottom-left"]],
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


# ----------------------------------------------------------------------------- maths


def integral_image(image: Grid) -> Grid:
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


def corners(ii: Grid, rect: list[int]) -> dict[str, int]:
    top, left, bottom, right = rect
    return {
        "A": _at(ii, top - 1, left - 1),
        "B": _at(ii, top - 1, right),
        "C": _at(ii, bottom, left - 1),
        "D": _at(ii, bottom, right),
    }


def rectangles(feature: dict) -> dict[str, list[int]]:
    """Each named sub-rectangle of a feature as [top, left, bottom, right] (inclusive)."""
    n_rows, n_cols = SPLITS[feature["type"]]
    h, w = feature["height"] // n_rows, feature["width"] // n_cols
    names = iter(RECTANGLE_NAMES[feature["type"]])
    result = {}
    for i in range(n_rows):
        for j in range(n_cols):
            top, left = feature["top"] + i * h, feature["left"] + j * w
            result[next(names)] = [top, left, top + h - 1, left + w - 1]
    return result


def rect_sum(ii: Grid, rect: list[int]) -> int:
    k = corners(ii, rect)
    return k["D"] - k["B"] - k["C"] + k["A"]


def feature_value(image: Grid, feature: dict) -> int:
    ii = integral_image(image)
    sums = {name: rect_sum(ii, rect) for name, rect in rectangles(feature).items()}
    return sum(v if name in feature["white"] else -v for name, v in sums.items())


# ----------------------------------------------------------------------------- sampling


def sample(rng: random.Random, level: dict) -> dict:
    variant = rng.choice(level["variants"])
    rejections = Rejections()
    while True:
        params = _SAMPLERS[variant](rng, level)
        if params is not None:
            return params
        rejections.again()


def _random_image(rng: random.Random, level: dict) -> Grid:
    lo, hi = level["image_size"]
    rows, cols = rng.randint(lo, hi), rng.randint(lo, hi)
    vlo, vhi = level["image_values"]
    return [[rng.randint(vlo, vhi) for _ in range(cols)] for _ in range(rows)]


def _sample_integral(rng: random.Random, level: dict) -> dict | None:
    image = _random_image(rng, level)
    if len({v for row in image for v in row}) < 2:
        return None
    return {"variant": "integral-image", "image": image}


def _sample_corners(rng: random.Random, level: dict) -> dict:
    """Four consistent corner values of a non-negative image: B, C >= A and a positive rectangle sum."""
    lo, hi = level["corner_values"]
    a = rng.randint(lo, hi)
    b = a + rng.randint(lo + 5, hi)
    c = a + rng.randint(lo + 5, hi)
    inside = rng.randint(lo + 5, hi)
    return {"variant": "corners", "corners": {"A": a, "B": b, "C": c, "D": b + c - a + inside}}


def _sample_rect_sum(rng: random.Random, level: dict) -> dict | None:
    image = _random_image(rng, level)
    rows, cols = len(image), len(image[0])
    # An interior rectangle needs all four corners; one on the top/left border drills ii = 0 outside.
    first = 1 if rng.random() < level.get("interior_probability", 0.5) else 0
    top, bottom = sorted(rng.choice(range(first, rows)) for _ in range(2))
    left, right = sorted(rng.sample(range(first, cols), 2))
    rect = [top, left, bottom, right]
    if rect_sum(integral_image(image), rect) == 0 or (top == 0 and left == 0):
        return None  # a zero sum hides mistakes; a rectangle at the origin is just D
    return {"variant": "rect-sum", "image": image, "given": rng.choice(level["given"]), "rect": rect}


def _sample_feature(rng: random.Random, level: dict) -> dict | None:
    image = _random_image(rng, level)
    rows, cols = len(image), len(image[0])
    kind = rng.choice(level["feature_types"])
    n_rows, n_cols = SPLITS[kind]
    heights = [h for h in range(n_rows, rows + 1, n_rows)]
    widths = [w for w in range(n_cols, cols + 1, n_cols)]
    height, width = rng.choice(heights), rng.choice(widths)
    if height * width < 4:
        return None
    feature = {
        "type": kind,
        "top": rng.randint(0, rows - height),
        "left": rng.randint(0, cols - width),
        "height": height,
        "width": width,
        "white": rng.choice(WHITE_CHOICES[kind]),
    }
    if feature_value(image, feature) == 0:
        return None  # swapping white and black would go unnoticed
    return {"variant": "feature", "image": image, "given": rng.choice(level["given"]), "feature": feature}


_SAMPLERS = {
    "integral-image": _sample_integral,
    "corners": _sample_corners,
    "rect-sum": _sample_rect_sum,
    "feature": _sample_feature,
}


# ----------------------------------------------------------------------------- validation


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_image(params: dict) -> Grid:
    image = params.get("image")
    if not (
        isinstance(image, list)
        and image
        and all(isinstance(row, list) and len(row) == len(image[0]) > 0 for row in image)
        and all(_is_int(v) and v >= 0 for row in image for v in row)
    ):
        raise InvalidParams("image must be a non-empty rectangular grid of non-negative integers")
    return image


def _check_given(params: dict) -> None:
    if params.get("given", "image") not in ("image", "integral"):
        raise InvalidParams("given must be 'image' or 'integral'")


def _check_rect(rect: object, rows: int, cols: int) -> list[int]:
    if not (isinstance(rect, list) and len(rect) == 4 and all(_is_int(v) for v in rect)):
        raise InvalidParams("rect must be [top, left, bottom, right] (0-based, inclusive)")
    top, left, bottom, right = rect
    if not (0 <= top <= bottom < rows and 0 <= left <= right < cols):
        raise InvalidParams(f"rect {rect} is not inside the {rows}x{cols} image")
    return rect


def _check_feature(feature: object, rows: int, cols: int) -> dict:
    if not isinstance(feature, dict) or feature.get("type") not in SPLITS:
        raise InvalidParams(f"feature.type must be one of {', '.join(SPLITS)}")
    for key in ("top", "left", "height", "width"):
        if not _is_int(feature.get(key)):
            raise InvalidParams(f"feature.{key} must be an integer")
    n_rows, n_cols = SPLITS[feature["type"]]
    if feature["height"] < n_rows or feature["height"] % n_rows or feature["width"] < n_cols or feature["width"] % n_cols:
        raise InvalidParams(
            f"a {feature['type']} window must be {n_rows} equal parts high and {n_cols} equal parts wide"
        )
    if feature["top"] < 0 or feature["left"] < 0 or feature["top"] + feature["height"] > rows or (
        feature["left"] + feature["width"] > cols
    ):
        raise InvalidParams("the feature window does not fit inside the image")
    white = feature.get("white")
    names = RECTANGLE_NAMES[feature["type"]]
    if not isinstance(white, list) or not white or not set(white) < set(names) or len(set(white)) != len(white):
        raise InvalidParams(f"feature.white must name some but not all of {', '.join(names)}")
    return feature


# ----------------------------------------------------------------------------- solving


def _corner_steps(ii: Grid, rect: list[int], label: str) -> tuple[list[str], int]:
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


def _solve_integral(params: dict) -> Solution:
    image = _check_image(params)
    ii = integral_image(image)
    steps = [
        "ii(r, c) = I(r, c) + ii(r-1, c) + ii(r, c-1) - ii(r-1, c-1), with ii = 0 outside the image "
        "(inclusive: the sum of all pixels above and to the left, including (r, c) itself).",
        "Integral image:\n" + format_grid(ii),
    ]
    return Solution(answer=ii, steps=steps, kind="matrix")


def _solve_corners(params: dict) -> Solution:
    k = params.get("corners")
    if not isinstance(k, dict) or not all(_is_int(k.get(name)) for name in "ABCD"):
        raise InvalidParams("corners must give integers A, B, C, D")
    total = k["D"] - k["B"] - k["C"] + k["A"]
    if min(k.values()) < 0 or k["B"] < k["A"] or k["C"] < k["A"] or total < 0:
        raise InvalidParams("these corner values cannot come from a non-negative image (need A <= B, C and D-B-C+A >= 0)")
    steps = [
        "D covers everything above-left of the rectangle's bottom-right corner; subtract the strip above (B) "
        "and the strip to the left (C); the block above-left (A) was subtracted twice, so add it back.",
        f"sum = D - B - C + A = {k['D']} - {k['B']} - {k['C']} + {k['A']} = {total}",
    ]
    return Solution(answer=total, steps=steps, kind="integer")


def _integral_intro(params: dict, ii: Grid) -> str:
    if params.get("given", "image") == "image":
        return "Integral image of the given image (inclusive):\n" + format_grid(ii)
    return "Read the corner values from the given integral image (ii = 0 outside the image)."


def _solve_rect_sum(params: dict) -> Solution:
    image = _check_image(params)
    _check_given(params)
    rect = _check_rect(params.get("rect"), len(image), len(image[0]))
    ii = integral_image(image)
    lines, total = _corner_steps(ii, rect, "Rectangle")
    return Solution(answer=total, steps=[_integral_intro(params, ii), *lines], kind="integer")


def _solve_feature(params: dict) -> Solution:
    image = _check_image(params)
    _check_given(params)
    feature = _check_feature(params.get("feature"), len(image), len(image[0]))
    ii = integral_image(image)
    steps = [_integral_intro(params, ii)]
    sums = {}
    for name, rect in rectangles(feature).items():
        colour = "white" if name in feature["white"] else "black"
        lines, sums[name] = _corner_steps(ii, rect, f"{name.capitalize()} rectangle, {colour}")
        steps.extend(lines)
    white = [n for n in sums if n in feature["white"]]
    black = [n for n in sums if n not in feature["white"]]
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


def solve(params: dict) -> Solution:
    if not isinstance(params, dict) or params.get("variant") not in _SOLVERS:
        raise InvalidParams(f"variant must be one of {', '.join(_SOLVERS)}")
    return _SOLVERS[params["variant"]](params)


# ----------------------------------------------------------------------------- wording


def _span(rect: list[int]) -> str:
    top, left, bottom, right = rect
    rows = f"row {top}" if top == bottom else f"rows {top}-{bottom}"
    cols = f"column {left}" if left == right else f"columns {left}-{right}"
    return f"{rows}, {cols}"


def _shown_grid(params: dict) -> str:
    image = params["image"]
    if params.get("given", "image") == "integral":
        return "Integral image (inclusive: ii(r, c) = sum of I over rows <= r and columns <= c):\n" + format_grid(
            integral_image(image)
        )
    return "Image:\n" + format_grid(image)


def question_fields(params: dict) -> dict[str, str]:
    variant = params["variant"]
    fields = {"variant": variant}
    if variant == "corners":
        fields.update({name: str(value) for name, value in params["corners"].items()})
        return fields
    image = params["image"]
    rows, cols = len(image), len(image[0])
    fields["shape"] = f"{rows}x{cols}" + ("" if rows == cols else f" ({rows} rows, {cols} columns)")
    if variant == "integral-image":
        fields["image"] = format_grid(image)
        return fields
    fields["grid"] = _shown_grid(params)
    fields["using"] = (
        "the integral image below" if params.get("given") == "integral" else "an integral image of the image below"
    )
    if variant == "rect-sum":
        fields["rect"] = _span(params["rect"])
        return fields
    feature = params["feature"]
    rects = rectangles(feature)
    fields["window"] = _span([feature["top"], feature["left"], feature["top"] + feature["height"] - 1,
                              feature["left"] + feature["width"] - 1])
    fields["type_words"] = TYPE_WORDS[feature["type"]]
    fields["parts"] = "\n".join(
        f"  {name}: {_span(rect)} ({'white' if name in feature['white'] else 'black'})" for name, rect in rects.items()
    )
    return fields


# ----------------------------------------------------------------------------- mistakes


def _slipped_rect_sum(ii: Grid, rect: list[int], slip: str) -> int:
    """A rectangle sum with one step done wrong: A subtracted, or corners read inside the rectangle."""
    if slip == "corners-inside":
        top, left, bottom, right = rect
        return ii[bottom][right] - ii[top][right] - ii[bottom][left] + ii[top][left]
    k = corners(ii, rect)
    return k["D"] - k["B"] - k["C"] - k["A"]


def _rect_slip(slip: str):
    """The asked sum (rect-sum or feature) with every rectangle summed by the slipped rule."""

    def answer(params: dict) -> int | None:
        solve(params)  # validates
        variant = params["variant"]
        if variant == "corners":
            k = params["corners"]
            return k["D"] - k["B"] - k["C"] - k["A"] if slip == "corner-a-subtracted" and k["A"] else None
        if variant == "integral-image":
            return None
        ii = integral_image(params["image"])
        if variant == "rect-sum":
            return _slipped_rect_sum(ii, params["rect"], slip)
        feature = params["feature"]
        sums = {name: _slipped_rect_sum(ii, rect, slip) for name, rect in rectangles(feature).items()}
        return sum(v if name in feature["white"] else -v for name, v in sums.items())

    return answer


def _a_subtracted_message(params: dict) -> str:
    return ("you subtracted A instead of adding it: B and C both contain the block above-left of the rectangle, "
            "so D − B − C removes it twice and + A puts it back once")


def _corners_inside_message(params: dict) -> str:
    rect = params.get("rect") or next(iter(rectangles(params["feature"]).values()))
    top, left, _, _ = rect
    return (f"you read A, B and C on the rectangle's own edge: they lie just outside it, A = ii({top - 1},{left - 1}) "
            f"above-left of the top-left pixel ({top},{left}), so the first row and column are not cut off")


def _black_minus_white(params: dict) -> int | None:
    return -feature_value(params["image"], params["feature"]) if params.get("variant") == "feature" else None


def _black_minus_white_message(params: dict) -> str:
    white = ", ".join(params["feature"]["white"])
    return f"you took black − white: a Haar feature is sum(white) − sum(black), and white here is {white}"


def _exclusive_integral(params: dict) -> Grid | None:
    if params.get("variant") != "integral-image":
        return None
    image = _check_image(params)
    ii = integral_image(image)
    return [[_at(ii, r - 1, c - 1) for c in range(len(image[0]))] for r in range(len(image))]


def _exclusive_message(params: dict) -> str:
    return ("you made the integral image exclusive: ii(r, c) includes pixel (r, c) itself, "
            "so ii(0, 0) = I(0, 0), not 0")


def _rows_only(params: dict) -> Grid | None:
    if params.get("variant") != "integral-image":
        return None
    image = _check_image(params)
    return [[sum(row[: c + 1]) for c in range(len(row))] for row in image]


def _rows_only_message(params: dict) -> str:
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


def pictures(params: dict) -> list:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    from mli_drill.problems.families.base import Grid, Region

    if params["variant"] == "corners" or params.get("given", "image") == "integral":
        return []  # no image to draw: corner values, or an integral image (not intensities)
    regions: list[Region] = []
    if params["variant"] == "rect-sum":
        top, left, bottom, right = params["rect"]
        regions = [Region(top, left, bottom, right)]
    elif params["variant"] == "feature":
        feature = params["feature"]
        regions = [Region(rect[0], rect[1], rect[2], rect[3], "white" if name in feature["white"] else "black")
                   for name, rect in rectangles(feature).items()]
    return [Grid.of("image", params["image"], tuple(regions))]
