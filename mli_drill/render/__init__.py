"""Everything drawn with rich (this package is the only place that draws): cards, problems, verdicts, tables.

Math in decks is written as LaTeX between dollars; it is shown as Unicode
(:mod:`mli_drill.render.math`), so ``$RF_{n-1} = (RF_n - 1) \\times s_n + k_n$``
reads as ``RFₙ₋₁ = (RFₙ - 1) × sₙ + kₙ`` in a terminal. When output is not a terminal rich drops colour, so piped sessions
produce plain text.

Text from outside the program (decks, settings, stored answers, file names,
typed input) never drives the terminal: every console made here is a
:class:`SafeConsole`, which passes all text through :func:`inert`, and plain
lines go out through :func:`echo`, which does the same.

The drawing layer imports the core, the families and the foundation, never
the command line, the services or the store (``tests/test_architecture.py``):
it draws what it is given.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Span, Text

from mli_drill.model import CONTROL_CHARACTER, choice_letter, cloze_reveal
from mli_drill.render.math import (
    latex_to_unicode as latex_to_unicode,  # re-exported: cards and the CLI use it
)


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


def answer_parts(card: Any, cloze: int | None = None) -> list[str]:
    """What a card's answer shows, one paragraph each, math as Unicode (the review and ``decks show --answers``).

    An mcq card's right choice is not among them: the verdict (or the list of choices) shows it.
    """
    parts: list[str] = []
    if card.type == "cloze":
        parts.append(latex_to_unicode(cloze_reveal(card.text, cloze)))
    if card.type == "points":
        parts.extend(f"{i}. {latex_to_unicode(p)}" for i, p in enumerate(card.points, 1))
    if card.back:
        parts.append(latex_to_unicode(card.back))
    if card.family:
        parts.append(f"Drill it: mli-drill practice {card.family}")
    return parts


# -- session events ---------------------------------------------------------
class SessionView:
    """Draws session events; the CLI's Terminal adapter forwards ``emit`` here."""

    def __init__(self, out: Console):
        self.out = out
        self.problem: Panel | None = None  # the question on screen, kept to show again beside a long solution
        self.verdict: Any = None
        self.shown: tuple[Any, str, list[str], str] | None = None

    def prompt(self, text: str) -> None:
        """The line above the student's input: what may be typed there (shown as text, never as markup)."""
        self.out.print(f"[dim]› {escape(text)}[/]")

    def show(self, event: Any) -> None:
        handler = getattr(self, "_" + type(event).__name__, None)
        if handler is not None:
            handler(event)

    def _ShowCard(self, event: Any) -> None:
        card = event.card
        title = f"{card.deck} · {card.type}" + _more(event)
        lines = [latex_to_unicode(card.prompt_for(event.cloze))]
        if card.type == "mcq":
            for shown, index in enumerate(event.order or range(len(card.choices))):
                lines.append(f"  {choice_letter(shown)}) {latex_to_unicode(card.choices[index])}")
        self.out.print(Panel(flow("\n".join(lines), panel_width(self.out)), title=title, title_align="left", border_style="cyan"))

    def _RevealCard(self, event: Any) -> None:
        typed = getattr(event, "typed", None)
        parts = ([f"you typed: {typed}"] if typed else []) + answer_parts(event.card, event.cloze)
        if parts:
            self.out.print(Panel(flow("\n".join(parts), panel_width(self.out)), border_style="green", title="answer", title_align="left"))

    def _ShowHint(self, event: Any) -> None:
        self.out.print(f"[yellow]hint:[/] {escape(latex_to_unicode(event.text))}")

    def _ShowProblem(self, event: Any) -> None:
        inst = event.instance
        level = f"{inst.level}: {event.level_reason}" if getattr(event, "level_reason", "") else inst.level
        more = [_more(event).removeprefix(" · ")] if event.remaining else []
        self.problem = problem_panel(self.out, inst, event.title, more, level)  # the level and why it was chosen
        self.shown = (inst, event.title, more, level)
        self.out.print(self.problem)

    def _ShowVerdict(self, event: Any) -> None:
        self.verdict = event
        if event.correct:
            self.out.print(f"[bold green]✓ correct[/]  answer: {escape(event.expected)}")
        else:
            self.out.print(f"[bold red]✗ {escape(event.message)}[/]  answer: {escape(event.expected)}")
        mistakes(self.out, event.mistakes)

    def _ShowSolution(self, event: Any) -> None:
        self.solution(event.instance)

    def solution(self, inst: Any) -> None:
        self.out.print(solution_panel(self.out, inst))

    def page_solution(self, inst: Any, more: Any) -> str | None:
        """The worked solution with the question kept in view, a screenful at a time.

        On a terminal too short for the question, the verdict and the whole
        solution (a wrong answer's solution can be 20 lines), the screen is
        cleared for each page and shows the question (compacted to one line
        per paragraph if the whole one leaves too little room), the verdict
        and the next steps; ``more(prompt)`` waits between pages (None: stop
        paging). Anything but a bare Enter there (``u``, ``q``, a rating)
        stops paging and is returned, for the prompt that follows: ``u`` and
        ``q`` work at every prompt. Used only on an interactive terminal:
        piped sessions print straight through.
        """
        if self.problem is None or self.verdict is None or self.shown is None:
            self.solution(inst)
            return None
        whole = solution_panel(self.out, inst)
        verdict = self._verdict_height()
        if _height(self.out, self.problem) + verdict + _height(self.out, whole) + RATING_LINES <= self.out.height:
            self.solution(inst)
            return None
        question = self.problem
        if self.out.height - _height(self.out, question) - verdict - MORE_LINES < ROOMY_PAGE:
            question = compact_problem_panel(self.out, *self.shown)
        fixed = _height(self.out, question) + verdict
        pages = solution_pages(self.out, inst, self.out.height - fixed - MORE_LINES, self.out.height - fixed - RATING_LINES)
        if self.out.height - fixed - MORE_LINES < MIN_PAGE:
            self.solution(inst)  # too small a screen to page usefully
            return None
        for index, page in enumerate(pages):
            self.out.clear()
            self.out.print(question)
            self._ShowVerdict(self.verdict)
            self.out.print(page)
            if index + 1 < len(pages):
                typed = more(f"Enter: more of the worked solution ({index + 1} of {len(pages)}) · u undo · q quit")
                if typed is None:
                    return None
                if typed.strip():
                    return typed
        return None

    def _verdict_height(self) -> int:
        with self.out.capture() as captured:
            self._ShowVerdict(self.verdict)
        return len(captured.get().splitlines())

    def _ShowRatingHints(self, event: Any) -> None:
        names = {1: "again", 2: "hard", 3: "good", 4: "easy"}
        parts = []
        for rating in (1, 2, 3, 4):
            label = f"{rating} {names[rating]} ({event.hints.get(rating, '?')})"
            parts.append(f"[bold]{label}[/]" if rating == event.suggested else label)
        self.out.print("   ".join(parts))

    def _Saved(self, event: Any) -> None:
        if event.leech:
            self.out.print(f"[bold yellow]leech:[/] {escape(event.key.split(':', 1)[1])} was forgotten too often and is suspended; rewrite it, then `mli-drill unsuspend`.")

    def _ShowExamQuestion(self, event: Any) -> None:
        q = event.question
        title = fit_title([f"Question {q.position} of {event.total}"], event.title,
                          [f"{q.max_marks} marks", f"⏱ {_clock(event.seconds_left)}"], self.out.width)
        grids = pictures_for(self.out, event.instance) if event.instance is not None else []
        body = Text("\n").join(flow_lines(latex_to_unicode(event.text), panel_width(self.out), grids))
        self.out.print(Panel(body, title=title, title_align="left", border_style="magenta"))
        if event.revising:
            if q.kind == "problem":
                self.out.print(f"Your recorded answer: {escape(event.recorded or '')}")
            else:
                self.out.print(f"Your recorded points: {escape(event.recorded or 'none')}")

    def _TimeWarning(self, event: Any) -> None:
        minutes = event.threshold // 60
        self.out.print(f"[bold yellow]⏱ {minutes} minute{'s' if minutes != 1 else ''} left[/] ({_clock(event.seconds_left)}).")

    def _LateAnswerKept(self, event: Any) -> None:
        self.out.print(f"[yellow]Your answer to question {event.position} came after time was up: it is kept as late and not scored.[/]")

    def _PaperSummary(self, event: Any) -> None:
        def listed(positions: list[int]) -> str:
            return " ".join(map(str, positions)) if positions else "—"

        lines = [
            f"answered    {listed(event.answered)}",
            f"skipped     {listed(event.skipped)}",
            f"unanswered  {listed(event.unanswered)}",
            f"time left   {_clock(event.seconds_left)}",
        ]
        self.out.print(Panel("\n".join(lines), title=f"Your paper: {len(event.answered)} of {event.total} answered",
                             title_align="left", border_style="blue", expand=False))

    def _ShowMarkingScheme(self, event: Any) -> None:
        lines = [f"{i}. {latex_to_unicode(p)}" for i, p in enumerate(event.card.points, 1)]
        self.out.print(Panel(flow("\n".join(lines), panel_width(self.out)), title="marking scheme (1 mark each)", title_align="left", border_style="green"))

    def _TimeUp(self, event: Any) -> None:
        self.out.print("\n[bold red]Time is up.[/] The paper is handed in.")

    def _Notice(self, event: Any) -> None:
        style = "red" if event.error else "dim"
        self.out.print(f"[{style}]{escape(event.text)}[/]")


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
    if out.color_system is None or out.no_color:
        return []
    from mli_drill.problems.pictures import family_pictures

    return family_pictures(inst.family, inst.typed)


def problem_panel(out: Console, inst: Any, title: str, more: list[str] | None = None, level: str | None = None) -> Panel:
    """The question of a problem instance, titled with its level and seed (always shown).

    ``level`` replaces the bare level name, e.g. "exam: you are at 78% here" (level auto).
    """
    heading = fit_title([], title, [level or inst.level, f"seed {inst.seed}", *(more or [])], out.width)
    body = Text("\n").join(flow_lines(inst.question, panel_width(out), pictures_for(out, inst)))
    return Panel(body, title=heading, title_align="left", border_style="magenta")


def solution_panel(out: Console, inst: Any, steps: range | None = None, title: str = "worked solution") -> Panel:
    """The worked solution (or the given steps of it): one ``▸`` per step, its further lines indented under it."""
    body = Text()
    grids = pictures_for(out, inst)
    for i in steps if steps is not None else range(len(inst.solution.steps)):
        if body:
            body.append("\n")
        body.append("▸ ", style="bold green")
        lines = flow_lines(inst.solution.steps[i], panel_width(out) - 2, grids)
        body.append_text(Text("\n  ").join(lines))
    return Panel(body, title=title, title_align="left", border_style="green")


RATING_LINES = 5  # below a solution: the rating hints, the prompt (two lines at 80 columns), the typed line, one spare
MORE_LINES = 2  # below a page that is not the last: the "more" prompt and the typed line
ROOMY_PAGE = 12  # the whole question leaves fewer lines than this for a page: show it compacted
MIN_PAGE = 6  # even the compacted question leaves fewer: paging would not help, print the solution whole


def solution_pages(out: Console, inst: Any, room: int, last_room: int) -> list[Panel]:
    """The worked solution as panels of at most ``room`` lines each (``last_room`` for the last), split between steps.

    A step taller than a page gets a page of its own.
    """
    count = len(inst.solution.steps)
    pages: list[range] = []
    start = 0
    while start < count:
        end = start + 1
        while end < count and _height(out, solution_panel(out, inst, range(start, end + 1))) <= room:
            end += 1
        if end == count and len(range(start, end)) > 1 and _height(out, solution_panel(out, inst, range(start, end))) > last_room:
            end -= 1  # leave room for the rating prompt under the last page
        pages.append(range(start, end))
        start = end
    return [solution_panel(out, inst, page, f"worked solution ({number} of {len(pages)})") for number, page in enumerate(pages, 1)]


def compact_problem_panel(out: Console, inst: Any, title: str, more: list[str], level: str | None = None) -> Panel:
    """The question in a few lines, shown above a paged solution: each paragraph cut to one line, no blank lines.

    Lists, formulas, tables and pictures keep every line: they hold the data.
    """
    width = panel_width(out)
    lines: list[Text] = []
    for line in flow_lines(_one_line_paragraphs(inst.question), 10**6, pictures_for(out, inst)):
        if line.plain.strip():
            line.truncate(width, overflow="ellipsis")
            lines.append(line)
    heading = fit_title([], title, [level or inst.level, f"seed {inst.seed}", *more], out.width)
    return Panel(Text("\n").join(lines), title=heading, title_align="left", border_style="magenta")


def _one_line_paragraphs(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def _height(out: Console, renderable: Any) -> int:
    return len(out.render_lines(renderable, out.options, pad=False))


def mistakes(out: Console, found: Any, indent: int = 2) -> None:
    """One entry per diagnosed slip (anything with ``id`` and ``message``), under a wrong verdict."""
    labelled_lines(out, [(diagnosis.id, diagnosis.message) for diagnosis in found], indent)


def labelled_lines(out: Console, entries: list[tuple[str, str]], indent: int = 2) -> None:
    """``↳ label: text`` per entry, wrapped lines hanging under the label so each reads as one block."""
    lead = " " * indent + "↳ "
    for label, message in entries:
        text = Text(f"{label}: ", style="bold yellow")
        text.append(message)
        for index, line in enumerate(text.wrap(out, max(20, out.width - len(lead)))):
            line.rstrip()
            out.print(Text(lead if index == 0 else " " * len(lead)) + line, soft_wrap=True)


def _clock(seconds: float) -> str:
    """Time left as m:ss (never negative)."""
    left = max(0, int(seconds))
    return f"{left // 60}:{left % 60:02d}"


def nothing_due(out: Console, plan: Any, command: str) -> None:
    """Why a review has nothing to show, and the command that goes on (``plan`` is a ``queue.Plan``)."""
    from mli_drill.clock import now, parse_time

    if plan.new_waiting:
        waiting = plan.new_waiting
        out.print(f"Nothing is due, and today's new-card limit is reached (new-per-day {plan.new_per_day}): "
                  f"{waiting} new item{_s(waiting)} {'waits' if waiting == 1 else 'wait'}.", soft_wrap=True)
        extra = min(waiting, plan.new_per_day or 10)
        out.print(f"To start {extra} more now: {escape(command)} --new {extra}", soft_wrap=True)
    else:
        out.print("Nothing is due, and no new items wait.", soft_wrap=True)
    if plan.next_due is not None or not plan.new_waiting:
        out.print(f"Next due: {_when(plan.next_due)}.")
    if plan.next_due is not None:
        days = (parse_time(plan.next_due).astimezone().date() - now().astimezone().date()).days
        if days >= 1:
            out.print(f"To review early: {escape(command)} --ahead {days}", soft_wrap=True)
    if not plan.new_waiting:
        out.print("Meanwhile, drill a computation: mli-drill practice --list", soft_wrap=True)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 minute``, ``2 minutes``; ``nouns`` for an irregular plural (``1 family``, ``2 families``)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def _more(event: Any) -> str:
    """" · 19 more (18 new · 1 learning)": what the session still holds, learning steps that come back included."""
    if not event.remaining:
        return ""
    kinds = [(kind, count) for kind, count in sorted(event.remaining_by_kind.items(), key=lambda kv: _KIND_ORDER.get(kv[0], 9)) if count]
    spelled = len(kinds) > 1 or any(kind == "learning" for kind, _ in kinds)  # "19 more (19 new)" says nothing more
    return f" · {event.remaining} more" + (f" ({' · '.join(f'{count} {kind}' for kind, count in kinds)})" if spelled else "")


_KIND_ORDER = {"due": 0, "learning": 1, "new": 2}


def summary(out: Console, result: Any, title: str = "Session over") -> None:
    minutes, seconds = divmod(int(result.seconds), 60)
    accuracy = f" ({result.correct / result.reviewed:.0%})" if result.reviewed else ""
    lines = [
        f"reviewed  {result.reviewed}",
        f"correct   {result.correct}{accuracy}",
        f"time      {minutes}m {seconds:02d}s",
        f"next due  {_when(result.next_due)}",
    ]
    out.print(Panel("\n".join(lines), title=title, title_align="left", border_style="blue", expand=False))


def _when(iso_time: str | None) -> str:
    """A due time in local time; one not after the present moment is "now"."""
    if not iso_time:
        return "nothing scheduled"
    from mli_drill.clock import now, parse_time

    moment = parse_time(iso_time)
    return "now" if moment <= now() else moment.astimezone().strftime("%Y-%m-%d %H:%M")


# -- tables ------------------------------------------------------------------
def table(title: str | None, columns: list[str], rows: list[list[Any]], numeric: set[str] | None = None) -> Table:
    numeric = numeric or set()
    result = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        result.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        result.add_row(*[escape(str(v)) for v in row])
    return result


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


def status(report: Any) -> None:
    out = console()
    columns = ["deck", "due", "new", "learned", "suspended", "leeches"]
    rows = [[name, c.due, c.new, c.learned, c.suspended, c.leeches] for name, c in report.groups.items()]
    o = report.overall
    rows.append(["total", o.due, o.new, o.learned, o.suspended, o.leeches])
    out.print(table(None, columns, rows, numeric=set(columns[1:])))
    out.print(f"Due today: {o.due} · new cards left today: {min(report.new_today_left, o.new)}")
    if report.leeches:
        out.print("Leeches (suspended; rewrite them): " + ", ".join(report.leeches))
    if report.orphaned:
        out.print(f"{report.orphaned} item(s) no longer in any deck are kept with their history.")
    if report.exam_date:
        out.print(f"\n[bold]Exam on {report.exam_date}: {report.days_left} day(s) left.[/]")
        rows = [[topic, f"{v['recall']:.0%}", f"{v['learned']:.0%}"] for topic, v in report.exam_recall.items()]
        out.print(table("Predicted recall on exam day", ["topic", "recall (learned)", "learned"], rows, {"recall (learned)", "learned"}))


def instance(out: Console, inst: Any, slips: list[tuple[str, Any]] | None = None) -> None:
    """A problem with its answer, the answers its common slips give, and the worked solution (``problems sample``)."""
    from mli_drill.problems.instance import format_answer

    view = SessionView(out)
    out.print(problem_panel(out, inst, inst.family))
    out.print(f"[bold]answer:[/] {escape(inst.answer_text())}")
    if slips:
        out.print("[bold]common wrong answers:[/] " + " · ".join(f"{escape(format_answer(value))} ({escape(slip)})" for slip, value in slips))
    view.solution(inst)


def verdict_line(verdict: Any, inst: Any, diagnosed: Any = ()) -> None:
    out = console()
    if verdict.correct:
        out.print("[bold green]correct[/]" + (f" ({escape(verdict.message)})" if verdict.message != "correct" else ""))
    else:
        out.print(f"[bold red]wrong[/]: {escape(verdict.message)}; answer {escape(inst.answer_text())}")
        mistakes(out, diagnosed)


def exam_report(out: Console, report: Any, paper_id: int, missed: list[dict[str, Any]] | None = None) -> None:
    late = f" · {report.late} late, not scored" if report.late else ""
    out.print(Panel(
        f"score {report.score:g} / {report.max_score:g} ({report.percent:.0f}%) · answered {report.answered} of {report.questions}{late}"
        f" · time {int(report.seconds) // 60}m {int(report.seconds) % 60:02d}s · median {report.median_seconds:.0f}s per question",
        title=f"Paper #{paper_id}", title_align="left", border_style="blue",
    ))
    rows = [[t, f"{s.marks:g}/{s.max_marks:g}", f"{s.share:.0%}"] for t, s in sorted(report.topics.items(), key=lambda kv: kv[1].share)]
    out.print(table("By topic", ["topic", "marks", "share"], rows, {"marks", "share"}))
    rows = [[q["position"], q["item"], q["topic"], f"{q['marks']:g}/{q['max_marks']}", f"{q['seconds']:.0f}s" if q["answered"] else "—"] for q in report.per_question]
    out.print(table("By question", ["#", "question", "topic", "marks", "time"], rows, {"#", "marks", "time"}))
    for row in missed or []:
        given = row["answer"] if row["answered"] and row["answer"] else "no answer"
        out.print(f"Q{row['position']} {escape(row['item'])}: you gave {escape(str(given))}, the answer is {escape(row['expected'])}"
                  f" — working: {escape(row['working'])}", soft_wrap=True)  # keep commands copy-pastable
        labelled_lines(out, _missed_details(row))
    listed = {row["position"] for row in missed or []}
    for row in report.per_question:
        if row.get("late") and row["position"] not in listed:
            out.print(f"Q{row['position']} {escape(row['item'])}: {escape(_late_note(row))}", soft_wrap=True)
    if report.weakest_topics:
        out.print("Weakest topics: " + ", ".join(report.weakest_topics))
    if report.practise_next:
        out.print("Practise next: " + " · ".join(f"mli-drill practice {f}" for f in report.practise_next), soft_wrap=True)
    if report.recurring_mistakes:
        from mli_drill.review.stats import MISTAKE_DAYS, RECURRING_AT_LEAST

        shown = " · ".join(f"{escape(m['family'])} {escape(m['id'])} ×{m['count']}" for m in report.recurring_mistakes[:5])
        more = f" and {len(report.recurring_mistakes) - 5} more" if len(report.recurring_mistakes) > 5 else ""
        out.print(f"Recurring mistakes ({RECURRING_AT_LEAST}+ times in {MISTAKE_DAYS} days; see mli-drill stats): {shown}{more}", soft_wrap=True)


MAX_ENTRY_LINES = 8


def _missed_details(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The labelled lines under a missed computation, in this order: where the answer is off
    (each entry of a list or matrix answer), the slips diagnosed in it, and an answer that
    came after time was up."""
    entries = list(row.get("wrong_entries") or [])
    lines = [_labelled(entry) for entry in entries[:MAX_ENTRY_LINES]]
    if len(entries) > MAX_ENTRY_LINES:
        lines.append(("…", f"{len(entries) - MAX_ENTRY_LINES} more entries off"))
    lines += [(found["id"], found["message"]) for found in row.get("mistakes", [])]
    if row.get("late"):
        lines.append(("late", _late_note(row)))
    return lines


def _labelled(entry: str) -> tuple[str, str]:
    """``entry (row 1, column 2): expected 4, got 5`` -> its label and what differs."""
    label, sep, rest = entry.partition(": ")
    return (label, rest) if sep else ("answer", entry)


def _late_note(row: dict[str, Any]) -> str:
    given = f" ({row['late_answer']})" if row.get("late_answer") else ""
    return f"answered after time was up{given}: kept, not scored."


def _paper_score(row: dict[str, Any]) -> str:
    """"9/15", or "unfinished" for a paper not handed in yet (not "0/0": it is resumed by `mli-drill exam`)."""
    if row["finished"] is None:
        return "unfinished"
    return f"{row['score'] or 0:g}/{row['max_score'] or 0:g}"


def exam_history(rows: list[dict[str, Any]]) -> None:
    out = console()
    if not rows:
        out.print("No mock papers yet: mli-drill exam")
        return
    body = [[r["paper"], (r["started"] or "")[:16].replace("T", " "), r["level"], _paper_score(r),
             f"{r['percent']:.0f}%" if r["percent"] is not None else "", ", ".join(r["weakest_topics"]) or "—"] for r in rows]
    out.print(table("Mock papers", ["#", "started (UTC)", "level", "score", "%", "weakest topics"], body, {"#", "score", "%"}))
