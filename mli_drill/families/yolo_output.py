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

from mli_drill.families.base import InvalidParams, Rejections, Solution

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
