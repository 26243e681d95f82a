"""Size and layout of YOLO (v1)'s output tensor: S x S x (B*5 + C).

Each of the S x S grid cells predicts B boxes of five numbers (x, y, w, h,
confidence) and one set of C class probabilities shared by its boxes
(CONVENTIONS.md: 7 x 7 x 30 = 1470 for S = 7, B = 2, C = 20).

Params (JSON), typed as :class:`Params`::

    {"S": int, "B": int, "C": int, "ask": "total" | "depth" | "boxes"}

``total`` is the number of output values, ``depth`` the numbers per cell and
``boxes`` the boxes predicted per image before non-maximum suppression (S*S*B).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Literal

from mli_drill.problems.families.base import Mistake, Rejections, Solution, require

Ask = Literal["total", "depth", "boxes"]
ASKS: tuple[Ask, ...] = ("total", "depth", "boxes")


@dataclass(frozen=True)
class Params:
    S: int  # grid side
    B: int  # boxes per cell
    C: int  # classes
    ask: Ask

    def __post_init__(self) -> None:
        if self.S < 1 or self.B < 1 or self.C < 1:  # on every drawn instance's path: name the field only on failure
            for name in ("S", "B", "C"):
                require(getattr(self, name) >= 1, name, f"must be at least 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    S: tuple[int, ...] = (7,)  # choices of the grid side
    B: tuple[int, ...] = (2,)  # choices of the boxes per cell
    C: tuple[int, ...] = (20,)  # choices of the number of classes
    asks: tuple[Ask, ...] = ASKS  # choices of what is asked (repeat one to weight it)
    max_answer: int = 10**6  # largest answer accepted (resample above it)

    def __post_init__(self) -> None:
        for name in ("S", "B", "C", "asks"):
            choices = getattr(self, name)
            require(bool(choices), name, "must be a non-empty list")
        for name in ("S", "B", "C"):
            require(min(getattr(self, name)) >= 1, name, "must be a list of integers >= 1")
        require(self.max_answer >= 1, "max_answer", "must be at least 1")


def solve(params: Params) -> Solution:
    s, b, c, ask = params.S, params.B, params.C, params.ask
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


def _per_cell_slip(numbers_per_box: int, classes_per_box: bool) -> Callable[[Params], int | None]:
    """A slip in the per-cell depth, carried through to the asked quantity (None for ``boxes``)."""

    def answer(params: Params) -> int | None:
        s, b, c, ask = params.S, params.B, params.C, params.ask
        if ask == "boxes":
            return None
        depth = b * (numbers_per_box + c) if classes_per_box else b * numbers_per_box + c
        return depth if ask == "depth" else s * s * depth

    return answer


def _grid_not_squared(params: Params) -> int | None:
    s, b, c, ask = params.S, params.B, params.C, params.ask
    if ask == "depth":
        return None
    return s * b if ask == "boxes" else s * (b * 5 + c)


def _classes_per_box_message(params: Params) -> str:
    b, c = params.B, params.C
    return (
        f"you gave every box its own {c} class probabilities, B·(5 + C) = {b}·(5 + {c}) = {b * (5 + c)}: "
        f"in YOLO v1 the C class probabilities belong to the cell, so it is B·5 + C = {b * 5 + c}"
    )


def _no_confidence_message(params: Params) -> str:
    b, c = params.B, params.C
    return (
        f"you counted 4 numbers per box (x, y, w, h) and left out its confidence score: "
        f"each box has 5, so B·5 + C = {b}·5 + {c} = {b * 5 + c}"
    )


def _grid_not_squared_message(params: Params) -> str:
    s = params.S
    return f"you counted the grid as {s} cells: an S x S grid has {s}·{s} = {s * s} cells"


MISTAKES = (
    Mistake("classes-per-box", _per_cell_slip(5, classes_per_box=True), _classes_per_box_message),
    Mistake("no-confidence", _per_cell_slip(4, classes_per_box=False), _no_confidence_message),
    Mistake("grid-not-squared", _grid_not_squared, _grid_not_squared_message),
)


def question_fields(params: Params) -> dict[str, str]:
    s, b, c = params.S, params.B, params.C
    return {"variant": params.ask, "S": str(s), "B": str(b), "C": str(c),
            "boxes": f"{b} bounding box{'es' if b > 1 else ''}",
            "classes": f"{c} class{'es' if c > 1 else ''}"}


def sample(rng: random.Random, level: Level) -> Params:
    rejections = Rejections()
    while True:
        params = Params(S=rng.choice(level.S), B=rng.choice(level.B), C=rng.choice(level.C), ask=rng.choice(level.asks))
        if solve(params).answer <= level.max_answer:
            return params
        rejections.again()
