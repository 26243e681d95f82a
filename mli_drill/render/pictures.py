"""Draws :mod:`mli_drill.problems.pictures` in a colour terminal: each cell a coloured block with rich's styles."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from mli_drill.problems.pictures import Cell, Picture


def picture_lines(picture: Picture) -> list[Text]:
    """One line per grid row, then the legend (what each colour means) when the picture has one."""
    lines = []
    for row in picture.rows:
        line = Text(picture.indent)
        for cell in row:
            line.append(cell.text, _style(cell))
        lines.append(line)
    if picture.legend:
        legend = Text(picture.indent)
        for index, (swatch, label) in enumerate(picture.legend):
            legend.append("  " if index else "")
            legend.append(swatch.text, _style(swatch))
            legend.append(" " + label, "dim")
        lines.append(legend)
    return lines


def _style(cell: Cell) -> Style:
    return Style(color=cell.foreground, bgcolor=cell.background, bold=cell.bold)
