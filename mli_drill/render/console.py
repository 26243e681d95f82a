"""The console every command draws on, and the plain ways out: lines, errors, warnings, JSON.

Text from outside the program (decks, settings, stored answers, file names,
typed input) never drives the terminal: every console made here is a
:class:`SafeConsole`, which passes all text through :func:`inert`, and plain
lines go out through :func:`echo`, which does the same.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.segment import Segment
from rich.text import Span, Text

from mli_drill.model import CONTROL_CHARACTER


# -- text from outside the program -----------------------------------------------
def inert(text: str) -> str:
    """``text`` with every control character made visible, so that it cannot drive the terminal.

    Decks, Logseq pages, settings, stored answers, file names and typed input
    may hold C0 or C1 control characters (ESC sequences clear the screen,
    rewrite the title or replace the clipboard). Each one, except tab and
    newline, becomes a visible escape: ESC reads ``\\x1b``, BEL ``\\x07``, CSI
    ``\\x9b``. Text without control characters comes back unchanged, and the
    result holds none, so applying it twice changes nothing.

    Every console from :func:`console` applies it to all the text it prints,
    strings and ``Text`` alike, so a new command is safe by default. Call it
    yourself for text that leaves by another way (``typer.echo``,
    ``sys.stdout.write``: use :func:`echo`), or before working out offsets in
    the text, e.g. to highlight search matches: highlight in ``inert(text)``,
    or highlight the original ``Text`` and let :func:`inert_text` move the spans.
    JSON output is exact instead: see :func:`print_json`.
    """
    if not CONTROL_CHARACTER.search(text):
        return text
    return CONTROL_CHARACTER.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def inert_text(text: Text) -> Text:
    """A rich ``Text`` with :func:`inert` applied to its characters; styles stay on the characters they covered."""
    plain = text.plain
    if not CONTROL_CHARACTER.search(plain):
        return text
    pieces: list[str] = []
    moved = [0] * (len(plain) + 1)  # moved[i]: where character i of the original starts in the result
    position = 0
    for index, char in enumerate(plain):
        moved[index] = position
        piece = inert(char)
        pieces.append(piece)
        position += len(piece)
    moved[len(plain)] = position
    result = text.copy()
    result.plain = "".join(pieces)
    result.spans = [Span(moved[min(s.start, len(plain))], moved[min(s.end, len(plain))], s.style) for s in text.spans]
    return result


class SafeConsole(Console):
    """A rich console that shows control characters from any text it prints as :func:`inert` escapes.

    Strings (with or without markup) are made inert before they are laid out,
    and so is every ``Text``, wherever it sits (a panel body, a table cell, a
    title). Last, any segment of text that some other renderable emits is
    checked too. Rich's own styling (colours, and no more under ``NO_COLOR``)
    travels in segments of its own and is left alone.
    """

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(inert(text), **options)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        if isinstance(renderable, Text):
            renderable = inert_text(renderable)
        for segment in super().render(renderable, options):
            if segment.control is None and CONTROL_CHARACTER.search(segment.text):
                segment = Segment(inert(segment.text), segment.style)
            yield segment


def console(stderr: bool = False) -> Console:
    """The console every command draws on: one that shows text from files inert (see :class:`SafeConsole`)."""
    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=False)


def echo(message: str, err: bool = False) -> None:
    """One plain line (no markup, no wrapping) on standard output or error, with :func:`inert` applied."""
    import typer

    typer.echo(inert(message), err=err)


def error(message: str) -> None:
    """One line on standard error, the way every command reports bad input."""
    err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)
    for line in message.splitlines() or [""]:
        err.print(f"[bold red]error:[/] {escape(line)}")


def warning(message: str) -> None:
    """One line on standard error for something skipped while the command goes on."""
    err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)
    err.print(f"[bold yellow]warning:[/] {escape(message)}")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 minute``, ``2 minutes``; ``nouns`` for an irregular plural (``1 family``, ``2 families``)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def print_json(data: Any) -> None:
    """Machine-readable output: plain JSON on standard output, no colour.

    The data stays exact: JSON writes C0 control characters as ``\\u001b``
    escapes, and DEL and the C1 characters, which JSON may leave raw, are
    escaped here the same way, so no control character reaches the terminal.
    """
    import json

    text = json.dumps(data, ensure_ascii=False)
    sys.stdout.write(_C1_OR_DEL.sub(lambda found: f"\\u{ord(found.group()):04x}", text) + "\n")


_C1_OR_DEL = re.compile(r"[\x7f-\x9f]")  # only ever inside JSON strings, where \\u escapes keep the value
