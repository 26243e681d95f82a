"""Pictures of the grids in questions and solutions: masks, images, kernels (pure, no rich).

A family declares what its grids depict with ``pictures(params) -> list[Grid]``
(see :class:`mli_drill.problems.families.base.Grid`). This module finds each grid where
its rows appear in a question or a solution step (by their cells, so the
text itself is never reinterpreted) and says how to colour every cell. The
terminal (:mod:`mli_drill.render.pictures`) and the HTML worksheets draw
from the same cells, so a printed sheet shows the picture a terminal shows.
Where colour is off (``NO_COLOR``, a pipe, ``--json``, Markdown) the text is
shown as it is: plain digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mli_drill.problems.families.base import Grid
from mli_drill.problems.registry import load_module
from mli_drill.problems.families.common import fmt

MASK_ON, MASK_OFF = "#ececec", "#3a3a3a"
OVERLAY = {"TP": "#2e9e5b", "FP": "#d9534f", "FN": "#3b82d6"}  # both / prediction only / reference only
NEITHER = "#3a3a3a"
WINDOW = "#d7af00"
HAAR = {"white": "#f2f2f2", "black": "#141414"}
WARM, COOL, ZERO = (217, 95, 2), (49, 130, 189), (64, 64, 64)


@dataclass(frozen=True)
class Cell:
    """One drawn cell: its text (already padded to the cell's width) and its colours (``#rrggbb``)."""

    text: str
    background: str
    foreground: str
    bold: bool = False


@dataclass(frozen=True)
class Picture:
    """A grid found in a text: its cells row by row, the text's indent before it, and its legend."""

    grid: Grid
    indent: str
    rows: tuple[tuple[Cell, ...], ...]
    legend: tuple[tuple[Cell, str], ...]


Block = str | Picture


def family_pictures(family: str, params: Any) -> list[Grid]:
    """The grids a family declares for an instance (``params``: its typed ``Params``); none for a family without ``pictures``."""
    declare = getattr(load_module(family), "pictures", None)
    return list(declare(params)) if declare is not None else []


def cell_texts(grid: Grid) -> list[list[str]]:
    """The grid's cells as the text shows them (numbers as ``format_grid`` writes them)."""
    return [[fmt(v) if isinstance(v, (int, float)) else str(v) for v in row] for row in grid.rows]


def split(text: str, grids: list[Grid]) -> list[Block]:
    """The text cut into plain blocks and pictures, each grid replacing the lines that show it."""
    lines = text.split("\n")
    wanted = [(grid, cell_texts(grid)) for grid in grids]
    blocks: list[Block] = []
    plain: list[str] = []
    index = 0
    while index < len(lines):
        found = next(((grid, cells) for grid, cells in wanted if _shown_at(lines, index, cells)), None)
        if found is None:
            plain.append(lines[index])
            index += 1
            continue
        if plain:
            blocks.append("\n".join(plain))
            plain = []
        grid, cells = found
        blocks.append(picture(grid, _common_indent(lines[index : index + len(cells)])))
        index += len(cells)
    if plain:
        blocks.append("\n".join(plain))
    return blocks


def _shown_at(lines: list[str], index: int, cells: list[list[str]]) -> bool:
    if not cells or index + len(cells) > len(lines):
        return False
    return all(lines[index + r].split() == row for r, row in enumerate(cells))


def _common_indent(lines: list[str]) -> str:
    """The indent every line of the block has (a right-justified grid's own padding is only on some)."""
    return " " * min(len(line) - len(line.lstrip(" ")) for line in lines)


def picture(grid: Grid, indent: str = "") -> Picture:
    texts = cell_texts(grid)
    width = max((len(t) for row in texts for t in row), default=1)
    rows = tuple(tuple(_cell(grid, r, c, texts[r][c], width) for c in range(len(texts[r]))) for r in range(len(texts)))
    return Picture(grid, indent, rows, _legend(grid))


def _cell(grid: Grid, row: int, col: int, text: str, width: int) -> Cell:
    value = grid.rows[row][col]
    if grid.kind == "mask":
        on = _shade_value(value) != 0
        return Cell("  ", MASK_ON if on else MASK_OFF, "#000000" if on else "#ffffff")
    if grid.kind == "overlay":
        background = OVERLAY.get(text, NEITHER)
        return Cell(f" {text if text in OVERLAY else '':>2} ", background, "#ffffff", bold=True)
    padded = f" {text.rjust(width)} "
    role = next((region.role for region in grid.regions if region.contains(row, col)), None)
    if role in HAAR:
        return Cell(padded, HAAR[role], "#000000" if role == "white" else "#ffffff", bold=True)
    if role == "window":
        return Cell(padded, WINDOW, "#000000", bold=True)
    if any(region.role in HAAR for region in grid.regions):
        return Cell(padded, "#5f5f5f", "#bcbcbc")  # outside the feature's window: a neutral grey
    if grid.kind == "kernel":
        return _kernel_cell(grid, _shade_value(value), padded)
    return _ramp_cell(grid, _shade_value(value), padded)


def _shade_value(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _values(grid: Grid) -> list[float]:
    return [_shade_value(v) for row in grid.rows for v in row]


def _ramp_cell(grid: Grid, value: float, text: str) -> Cell:
    values = _values(grid)
    low = grid.low if grid.low is not None else min(values)
    high = grid.high if grid.high is not None else max(values)
    level = 0.5 if high <= low else min(1.0, max(0.0, (value - low) / (high - low)))
    grey = round(24 + level * (236 - 24))
    return Cell(text, f"#{grey:02x}{grey:02x}{grey:02x}", "#000000" if level > 0.5 else "#ffffff")


def _kernel_cell(grid: Grid, value: float, text: str) -> Cell:
    largest = max((abs(v) for v in _values(grid)), default=0.0) or 1.0
    strength = abs(value) / largest
    toward = WARM if value > 0 else COOL
    rgb = tuple(round(z + (t - z) * strength) for z, t in zip(ZERO, toward))
    light = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140
    return Cell(text, "#{:02x}{:02x}{:02x}".format(*rgb), "#000000" if light else "#ffffff", bold=True)


def _legend(grid: Grid) -> tuple[tuple[Cell, str], ...]:
    def swatch(colour: str) -> Cell:
        return Cell("  ", colour, "#000000")

    if grid.kind == "overlay":
        return ((swatch(OVERLAY["TP"]), "TP in both"), (swatch(OVERLAY["FP"]), "FP prediction only"),
                (swatch(OVERLAY["FN"]), "FN reference only"), (swatch(NEITHER), "in neither"))
    if grid.kind == "mask":
        return ((swatch(MASK_ON), "1 foreground"), (swatch(MASK_OFF), "0 background"))
    roles = {region.role for region in grid.regions}
    if roles & set(HAAR):
        return ((swatch(HAAR["white"]), "white rectangles"), (swatch(HAAR["black"]), "black rectangles"))
    if "window" in roles:
        return ((swatch(WINDOW), "the window"),)
    return ()
