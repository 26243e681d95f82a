"""Text at any width: prose that wraps, laid-out lines that keep their shape, panel titles that fit, pictures.

Math in decks is written as LaTeX between dollars; it is shown as Unicode
(:mod:`mli_drill.render.latex`), so ``$RF_{n-1} = (RF_n - 1) \\times s_n + k_n$``
reads as ``RFₙ₋₁ = (RFₙ - 1) × sₙ + kₙ`` in a terminal. When output is not a terminal rich drops colour, so piped sessions
produce plain text.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from mli_drill.render.console import inert

# problems.pictures and render.pictures are imported inside the functions that draw a problem's
# grids: `status` and `stats` draw with this module and never show one (their start-up is measured).

# -- problems at any width ---------------------------------------------------
PANEL_CHROME = 4  # a panel's two borders and two cells of padding


def panel_width(out: Console) -> int:
    """The cells a full-width panel leaves for its text."""
    return max(20, out.width - PANEL_CHROME)


def fit_title(head: list[str], title: str, tail: list[str], width: int) -> str:
    """A panel title that fits: ``head · title · tail``, the title shortened first.

    Level, seed, marks and timer are what a student needs to read or repeat a
    problem, so they stay; the family's title gives way (rich would cut the end).
    """
    room = width - PANEL_CHROME - 2  # the corner and the rule before the title, a space after it
    fixed = " · ".join([*head, *tail])
    spare = room - cell_len(fixed) - (3 if fixed else 0)
    if cell_len(title) > spare:
        title = _shorten(title, spare) if spare >= 8 else ""
    return " · ".join(part for part in [*head, title, *tail] if part)


def _shorten(text: str, cells: int) -> str:
    """Cut at a word boundary to at most ``cells`` cells, with an ellipsis."""
    words = text.split()
    kept = ""
    for word in words:
        candidate = f"{kept} {word}".strip()
        if cell_len(candidate) + 1 > cells:
            break
        kept = candidate
    return (kept or text[: max(1, cells - 1)]) + "…"


def flow(text: str, width: int) -> Text:
    """Lay out a question or a solution step: prose wraps, laid-out lines keep their shape.

    Families write their text with deliberate line breaks: prose paragraphs
    on one line each, and indented lines for lists, formulas and tables.
    Prose wraps at the width; an indented line that is too long wraps with
    a hanging indent under its own first word (a list item under its text),
    so a wrapped line never runs into the margin where a new line would
    start. Tables are kept within 80 columns by the families themselves (see
    ``families.common.format_table``).
    """
    return Text("\n").join(flow_lines(text, width))


def flow_lines(text: str, width: int, grids: Any = ()) -> list[Text]:
    """``flow`` as lines; the ``grids`` a family declares are drawn as pictures where the text shows them."""
    text = inert(text)  # widths are measured on what is shown (see inert)
    if not grids:
        return [Text(line) for line in _wrapped(text, width)]
    from mli_drill.problems.pictures import split
    from mli_drill.render.pictures import picture_lines

    lines: list[Text] = []
    for block in split(text, list(grids)):
        lines.extend([Text(line) for line in _wrapped(block, width)] if isinstance(block, str) else picture_lines(block))
    return lines


def _wrapped(text: str, width: int) -> list[str]:
    import textwrap

    out: list[str] = []
    for line in text.split("\n"):
        if cell_len(line) <= width:
            out.append(line)
            continue
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        marker = re.match(r"(\d+[.)]|[A-Z]\)|[-*•]) +", body)  # a list item, a choice "A)": hang under its text
        hang = indent + (len(marker.group(0)) if marker else (2 if indent else 0))
        out.extend(textwrap.wrap(body, width=width, initial_indent=" " * indent, subsequent_indent=" " * hang,
                                 break_on_hyphens=False, replace_whitespace=False) or [line])
    return out


def pictures_for(out: Console, inst: Any) -> list[Any]:
    """The grids to draw as pictures: only on a colour terminal (never under NO_COLOR or into a pipe)."""
    from mli_drill.problems.pictures import family_pictures

    if out.color_system is None or out.no_color:
        return []
    return family_pictures(inst.family, inst.typed)


def labelled_lines(out: Console, entries: list[tuple[str, str]], indent: int = 2) -> None:
    """``↳ label: text`` per entry, wrapped lines hanging under the label so each reads as one block."""
    lead = " " * indent + "↳ "
    for label, message in entries:
        text = Text(f"{label}: ", style="bold yellow")
        text.append(message)
        for index, line in enumerate(text.wrap(out, max(20, out.width - len(lead)))):
            line.rstrip()
            out.print(Text(lead if index == 0 else " " * len(lead)) + line, soft_wrap=True)
