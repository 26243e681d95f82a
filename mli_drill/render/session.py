"""The review, practice and exam loops on screen: questions, reveals, verdicts, hints, the worked solution.

:class:`SessionView` draws the events of a session (:mod:`mli_drill.review.events`); the CLI's
Terminal adapter forwards ``emit`` to it. ``problems sample`` and ``problems check`` show a problem
and a verdict the same way.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from mli_drill.model import choice_letter, cloze_reveal
from mli_drill.render.console import console
from mli_drill.render.latex import latex_to_unicode
from mli_drill.render.layout import fit_title, flow, flow_lines, labelled_lines, panel_width, pictures_for
from mli_drill.review.events import (
    Event, LateAnswerKept, Notice, PaperSummary, RevealCard, Saved, ShowCard, ShowExamQuestion, ShowHint, ShowMarkingScheme,
    ShowProblem, ShowRatingHints, ShowSolution, ShowVerdict, TimeUp, TimeWarning,
)
from mli_drill.vocabulary import ItemKey, Rating
from mli_drill.problems.instance import format_answer

if sys.version_info >= (3, 11):
    from typing import assert_never
else:  # Python 3.10: typer depends on typing_extensions
    from typing_extensions import assert_never


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
        self.verdict: ShowVerdict | None = None
        self.shown: tuple[Any, str, list[str], str] | None = None

    def prompt(self, text: str) -> None:
        """The line above the student's input: what may be typed there (shown as text, never as markup)."""
        self.out.print(f"[dim]› {escape(text)}[/]")

    def show(self, event: Event) -> None:
        """Draw one event; every kind of :data:`~mli_drill.review.events.Event` has its case (mypy checks this)."""
        match event:
            case ShowCard():
                self._show_card(event)
            case RevealCard():
                self._reveal_card(event)
            case ShowHint():
                self._show_hint(event)
            case ShowProblem():
                self._show_problem(event)
            case ShowVerdict():
                self._show_verdict(event)
            case ShowSolution():
                self._show_solution(event)
            case ShowRatingHints():
                self._show_rating_hints(event)
            case Saved():
                self._saved(event)
            case ShowExamQuestion():
                self._show_exam_question(event)
            case TimeWarning():
                self._time_warning(event)
            case LateAnswerKept():
                self._late_answer_kept(event)
            case PaperSummary():
                self._paper_summary(event)
            case ShowMarkingScheme():
                self._show_marking_scheme(event)
            case TimeUp():
                self._time_up(event)
            case Notice():
                self._notice(event)
            case _:
                assert_never(event)

    def _show_card(self, event: ShowCard) -> None:
        card = event.card
        title = f"{card.deck} · {card.type}" + _more(event)
        lines = [latex_to_unicode(card.prompt_for(event.cloze))]
        if card.type == "mcq":
            for shown, index in enumerate(event.order or range(len(card.choices))):
                lines.append(f"  {choice_letter(shown)}) {latex_to_unicode(card.choices[index])}")
        self.out.print(Panel(flow("\n".join(lines), panel_width(self.out)), title=title, title_align="left", border_style="cyan"))

    def _reveal_card(self, event: RevealCard) -> None:
        typed = getattr(event, "typed", None)
        parts = ([f"you typed: {typed}"] if typed else []) + answer_parts(event.card, event.cloze)
        if parts:
            self.out.print(Panel(flow("\n".join(parts), panel_width(self.out)), border_style="green", title="answer", title_align="left"))

    def _show_hint(self, event: ShowHint) -> None:
        self.out.print(f"[yellow]hint:[/] {escape(latex_to_unicode(event.text))}")

    def _show_problem(self, event: ShowProblem) -> None:
        inst = event.instance
        level = f"{inst.level}: {event.level_reason}" if getattr(event, "level_reason", "") else inst.level
        more = [_more(event).removeprefix(" · ")] if event.remaining else []
        self.problem = problem_panel(self.out, inst, event.title, more, level)  # the level and why it was chosen
        self.shown = (inst, event.title, more, level)
        self.out.print(self.problem)

    def _show_verdict(self, event: ShowVerdict) -> None:
        self.verdict = event
        if event.correct:
            self.out.print(f"[bold green]✓ correct[/]  answer: {escape(event.expected)}")
        else:
            self.out.print(f"[bold red]✗ {escape(event.message)}[/]  answer: {escape(event.expected)}")
        mistakes(self.out, event.mistakes)

    def _show_solution(self, event: ShowSolution) -> None:
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
        verdict = self._verdict_height(self.verdict)
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
            self._show_verdict(self.verdict)
            self.out.print(page)
            if index + 1 < len(pages):
                typed = more(f"Enter: more of the worked solution ({index + 1} of {len(pages)}) · u undo · q quit")
                if typed is None:
                    return None
                if typed.strip():
                    return typed
        return None

    def _verdict_height(self, verdict: ShowVerdict) -> int:
        with self.out.capture() as captured:
            self._show_verdict(verdict)
        return len(captured.get().splitlines())

    def _show_rating_hints(self, event: ShowRatingHints) -> None:
        parts = []
        for rating in Rating:
            label = f"{rating.value} {rating.label} ({event.hints.get(rating, '?')})"
            parts.append(f"[bold]{label}[/]" if rating == event.suggested else label)
        self.out.print("   ".join(parts))

    def _saved(self, event: Saved) -> None:
        if event.leech:
            self.out.print(f"[bold yellow]leech:[/] {escape(ItemKey.parse(event.key).id)} was forgotten too often and is suspended; rewrite it, then `mli-drill unsuspend`.")

    def _show_exam_question(self, event: ShowExamQuestion) -> None:
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

    def _time_warning(self, event: TimeWarning) -> None:
        minutes = event.threshold // 60
        self.out.print(f"[bold yellow]⏱ {minutes} minute{'s' if minutes != 1 else ''} left[/] ({_clock(event.seconds_left)}).")

    def _late_answer_kept(self, event: LateAnswerKept) -> None:
        self.out.print(f"[yellow]Your answer to question {event.position} came after time was up: it is kept as late and not scored.[/]")

    def _paper_summary(self, event: PaperSummary) -> None:
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

    def _show_marking_scheme(self, event: ShowMarkingScheme) -> None:
        lines = [f"{i}. {latex_to_unicode(p)}" for i, p in enumerate(event.card.points, 1)]
        self.out.print(Panel(flow("\n".join(lines), panel_width(self.out)), title="marking scheme (1 mark each)", title_align="left", border_style="green"))

    def _time_up(self, event: TimeUp) -> None:
        self.out.print("\n[bold red]Time is up.[/] The paper is handed in.")

    def _notice(self, event: Notice) -> None:
        style = "red" if event.error else "dim"
        self.out.print(f"[{style}]{escape(event.text)}[/]")


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


def _clock(seconds: float) -> str:
    """Time left as m:ss (never negative)."""
    left = max(0, int(seconds))
    return f"{left // 60}:{left % 60:02d}"


def _more(event: Any) -> str:
    """" · 19 more (18 new · 1 learning)": what the session still holds, learning steps that come back included."""
    if not event.remaining:
        return ""
    kinds = [(kind, count) for kind, count in sorted(event.remaining_by_kind.items(), key=lambda kv: _KIND_ORDER.get(kv[0], 9)) if count]
    spelled = len(kinds) > 1 or any(kind == "learning" for kind, _ in kinds)  # "19 more (19 new)" says nothing more
    return f" · {event.remaining} more" + (f" ({' · '.join(f'{count} {kind}' for kind, count in kinds)})" if spelled else "")


_KIND_ORDER = {"due": 0, "learning": 1, "new": 2}


def instance(out: Console, inst: Any, slips: list[tuple[str, Any]] | None = None) -> None:
    """A problem with its answer, the answers its common slips give, and the worked solution (``problems sample``)."""
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
