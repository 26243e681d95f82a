"""Size and layout of YOLO (v1)'s output tensor: S x S x (B*5 + C).

Each of the S x S grid cells predicts B boxes of five numbers (x, y, w, h,
confidence) and one set of C class probabilities shared by its boxes
(CONVENTIONS.md: 7 x 7 x 30 = 1470 for S = 7, B = 2, C = 20).

Params (JSON)::

    {"S": int, "B": int, "C": int, "ask": "total" | "depth" | "boxes"}

``total`` is the number of output values, ``depth`` the numbers per cell and
``boxes`` the boxes predicted per image before non-maximum suppression (S*S*B).
"""

from __future__ import annotations

import random
from typing import Any

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution

ASKS = ("total", "depth", "boxes")


def _checked(params: Any) -> tuple[int, int, int, str]:
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping with S, B, C and ask")
    values = []
    for name in ("S", "B", "C"):
        value = params.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidParams(f"{name} must be an integer >= 1, got {value!r}")
        values.append(value)
    ask = params.get("ask")
    if ask not in ASKS:
        raise InvalidParams(f"ask must be one of {', '.join(ASKS)}, got {ask!r}")
    return values[0], values[1], values[2], ask


def solve(params: dict[str, Any]) -> Solution:
    s, b, c, ask = _checked(params)
    depth = b * 5 + c
    if ask == "boxes":
        boxes = s * s * b
        steps = [
            f"YOLO divides the image into an S x S = {s} x {s} grid; every cell predicts B = {b} box"
            f"{'es' if b > 1 else ''}, whatever the number of classes.",
            f"Boxes before non-maximum suppression: S·S·B = {s}·{s}·{b} = {boxes}.",
        ]
        return Solution(answer=boxes, steps=steps)
    steps = [
        f"Per grid cell: B boxes of 5 numbers each (x, y, w, h, confidence) plus C class probabilities shared "
        f"by the cell: B·5 + C = {b}·5 + {c} = {depth}.",
    ]
    if ask == "depth":
        steps.append(f"The output tensor is {s} x {s} x {depth}; its depth (numbers per cell) is {depth}.")
        return Solution(answer=depth, steps=steps)
    total = s * s * depth
    steps.append(f"The output tensor is S x S x (B·5 + C) = {s} x {s} x {depth}: {s}·{s}·{depth} = {total} numbers.")
    return Solution(answer=total, steps=steps)


def _per_cell_slip(numbers_per_box: int, classes_per_box: bool) -> Any:
    """A slip in the per-cell depth, carried through to the asked quantity (None for ``boxes``)."""

    def answer(params: dict[str, Any]) -> int | None:
        s, b, c, ask = _checked(params)
        if ask == "boxes":
            return None
        depth = b * (numbers_per_box + c) if classes_per_box else b * numbers_per_box + c
        return depth if ask == "depth" else s * s * depth

    return answer


def _grid_not_squared(params: dict[str, Any]) -> int | None:
    s, b, c, ask = _checked(params)
    if ask == "depth":
        return None
    return s * b if ask == "boxes" else s * (b * 5 + c)


def _classes_per_box_message(params: dict[str, Any]) -> str:
    s, b, c, _ = _checked(params)
    return (
        f"you gave every box its own {c} class probabilities, B·(5 + C) = {b}·(5 + {c}) = {b * (5 + c)}: "
        f"in YOLO v1 the C class probabilities belong to the cell, so it is B·5 + C = {b * 5 + c}"
    )


def _no_confidence_message(params: dict[str, Any]) -> str:
    s, b, c, _ = _checked(params)
    return (
        f"you counted 4 numbers per box (x, y, w, h) and left out its confidence score: "
        f"each box has 5, so B·5 + C = {b}·5 + {c} = {b * 5 + c}"
    )


def _grid_not_squared_message(params: dict[str, Any]) -> str:
    s, _, _, _ = _checked(params)
    return f"you counted the grid as {s} cells: an S x S grid has {s}·{s} = {s * s} cells"


MISTAKES = (
    Mistake("classes-per-box", _per_cell_slip(5, classes_per_box=True), _classes_per_box_message),
    Mistake("no-confidence", _per_cell_slip(4, classes_per_box=False), _no_confidence_message),
    Mistake("grid-not-squared", _grid_not_squared, _grid_not_squared_message),
)


def question_fields(params: dict[str, Any]) -> dict[str, str]:
    s, b, c, ask = _checked(params)
    return {"variant": ask, "S": str(s), "B": str(b), "C": str(c),
            "boxes": f"{b} bounding box{'es' if b > 1 else ''}",
            "classes": f"{c} class{'es' if c > 1 else ''}"}


def sample(rng: random.Random, level: dict[str, Any]) -> dict[str, Any]:
    rejections = Rejections()
    while True:
        params = {"S": rng.choice(level.get("S", [7])), "B": rng.choice(level.get("B", [2])),
                  "C": rng.choice(level.get("C", [20])), "ask": rng.choice(level.get("asks", list(ASKS)))}
        if solve(params).answer <= int(level.get("max_answer", 10**6)):
            return params
        rejections.again()
