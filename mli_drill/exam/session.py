"""Sitting a mock paper: a state machine over a terminal and a clock.

Like :mod:`mli_drill.review.session` this reads lines from a Terminal and emits
events; it never reads the time itself but calls the ``ticks`` clock it is
given, so tests drive the countdown. Problems take one line (the answer; ``n``
skips to come back later). Points questions take Enter (the answer is written
on paper; Enter shows the marking scheme) and then the numbers of the points
earned. Each answer is committed before "Answer recorded." is shown.

The promises a student relies on:

* The paper is handed in only by the student (``q``; on a terminal, and for
  Ctrl-C, after a summary and a y/N question) or by the clock.
* End of input, a hang-up or a request to stop (``Hangup``), and Ctrl-C at the
  hand-in question leave the paper unfinished, every answer kept, the time
  used saved: the next ``mli-drill exam`` resumes it.
* Time runs out even while a prompt waits: a terminal offering ``ask_until``
  stops waiting when told to, and the paper is handed in. A line that arrives
  after the deadline is kept as a late answer and never scored. The marking
  prompt of a points question whose answer was shown in time is not cut off:
  marking your own paper is not answering it.
* Warnings at 5 and 1 minute left; the time left is part of every prompt.
* Before handing in, a summary lists what is answered, skipped and
  unanswered; a question number goes to that question, to answer it or to revise
  the recorded answer.

With ``reschedule`` each first answer is also a review that moves the item's
schedule; by default a mock exam leaves the schedule alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Protocol

from mli_drill.clock import iso
from mli_drill.exam.paper import PROBLEM_MARKS, Mark, Question, points_marks, rating_for_share
from mli_drill.model import Card, ItemState, ReviewRecord
from mli_drill.review.events import LateAnswerKept, Notice, PaperSummary, ShowExamQuestion, ShowMarkingScheme, TimeUp, TimeWarning
from mli_drill.review.session import Terminal, parse_points
from mli_drill.review import scheduling
from mli_drill.problems.answers import AnswerSyntaxError, check
from mli_drill.problems.instance import make_instance
from mli_drill.problems.mistakes import diagnose

WARNINGS = (300, 60)  # seconds left at which a warning appears (only on papers longer than that)
HAND_IN_WORDS = ("y", "yes", "q")
BACK_WORDS = ("", "n", "no")

# question, share of its marks, the answer, the slips diagnosed in it (a review with source 'exam')
Reschedule = Callable[[Question, float, "str | None", "list[dict[str, str]]"], None]



# -- what the session needs of the store --------------------------------------
class ExamRecords(Protocol):
    """The exam papers' part of the store (``Store.exams``): each answer and the time used, committed at once."""

    def record_answer(
        self, paper_id: int, position: int, answer: str | None, marks: float, max_marks: float, seconds: float, at: str,
        mistakes: Iterable[dict[str, str]] = (),
    ) -> None: ...

    def record_late_answer(self, paper_id: int, position: int, answer: str | None, at: str) -> None: ...

    def record_time(self, paper_id: int, seconds_used: float) -> None: ...


class ExamStore(Protocol):
    """What a sitting asks of the store (:class:`mli_drill.store.Store` has it)."""

    @property
    def exams(self) -> ExamRecords: ...


class ReviewLog(Protocol):
    """What ``--reschedule`` asks of the store: an answer committed as a review."""

    def apply_review(
        self, record: ReviewRecord, schedule: Callable[[ItemState], ItemState], replaces: tuple[int, ItemState] | None = None
    ) -> tuple[ItemState, ItemState, int]: ...


# -- what the terminal may raise ----------------------------------------------
class Waited(Exception):
    """Raised by ``ask_until`` when its ``stop`` condition came true before a line arrived."""


class Hangup(Exception):
    """The terminal went away or the process was asked to stop (SIGHUP, SIGTERM): leave the paper unfinished."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# -- the outcome -------------------------------------------------------------
HANDED_IN = "handed in"
TIME_UP = "time is up"
END_OF_INPUT = "end of input"
INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Outcome:
    """How the sitting ended: handed in (by the student or the clock), or left to resume."""

    handed_in: bool
    reason: str  # HANDED_IN, TIME_UP, END_OF_INPUT, INTERRUPTED, or a signal's name (SIGHUP, SIGTERM)
    seconds_used: float


# -- control flow inside the session -----------------------------------------
class _HandIn(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class _Leave(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class _TimeUp(Exception):
    pass


class _Late(Exception):
    """A line that arrived after time was up (None: the input ended then)."""

    def __init__(self, line: str | None):
        self.line = line


class _GoTo(Exception):
    def __init__(self, position: int):
        self.position = position


@dataclass
class _Sitting:
    """What this sitting knows about the paper: recorded answers, skips, the order still to come."""

    recorded: dict[int, Mark] = field(default_factory=dict)
    queue: list[int] = field(default_factory=list)
    skipped: set[int] = field(default_factory=set)
    passed: set[int] = field(default_factory=set)  # skipped since the last answer: all of the queue -> summary


class ExamSession:
    def __init__(
        self,
        store: ExamStore,
        terminal: Terminal,
        paper_id: int,
        questions: list[Question],
        cards: Mapping[str, Card],
        level: str,
        seconds_allowed: float,
        clock: Callable[[], datetime],
        reschedule: "Reschedule | None" = None,
        titles: dict[str, str] | None = None,
        ticks: Callable[[], float] | None = None,
        seconds_used: float = 0.0,
    ):
        """``seconds_allowed`` is the time left now; ``seconds_used`` what earlier sittings used.

        ``ticks`` measures durations in seconds (``clock``'s seconds when not
        given); ``clock`` stamps stored answers.
        """
        self.store = store
        self.io = terminal
        self.paper_id = paper_id
        self.questions = questions
        self.by_position = {q.position: q for q in questions}
        self.cards = cards
        self.level = level
        self.clock = clock
        self.ticks = ticks or (lambda: clock().timestamp())
        self.started = self.ticks()
        self.deadline = self.started + seconds_allowed
        self.used_before = seconds_used
        self.reschedule = reschedule
        self.titles = titles or {}
        paper_seconds = seconds_used + seconds_allowed
        self._warnings = sorted((t for t in WARNINGS if t < paper_seconds), reverse=True)
        self.sitting = _Sitting()

    # -- time ---------------------------------------------------------------
    def seconds_left(self) -> float:
        return self.deadline - self.ticks()

    def seconds_used(self) -> float:
        """Time used by the paper so far, never more than it was allowed."""
        return self.used_before + min(self.ticks(), self.deadline) - self.started

    def _warn_if_due(self) -> None:
        left = self.seconds_left()
        due = [t for t in self._warnings if left <= t]
        if due and left > 0:
            self.io.emit(TimeWarning(min(due), left))
        self._warnings = [t for t in self._warnings if t not in due]

    def _stop_waiting(self) -> bool:
        """True once a warning is due or time is up: the terminal then stops waiting for a line."""
        return self.seconds_left() <= max(self._warnings, default=0)

    def _time_label(self, timed: bool) -> str:
        left = self.seconds_left()
        if left <= 0 and not timed:
            return "time is up"
        seconds = max(0, int(left))
        return f"⏱ {seconds // 60}:{seconds % 60:02d} left"

    # -- the sitting --------------------------------------------------------
    def run(self, already: Iterable[int] | Iterable[Mark] = ()) -> Outcome:
        """Ask every question not yet answered (skipped ones come back) until the paper is handed in or left.

        ``already``: the answers recorded in earlier sittings (or their positions).
        """
        sitting = self.sitting
        for item in already:
            mark = item if isinstance(item, Mark) else Mark(int(item), 0.0, 0.0, 0.0)
            sitting.recorded[mark.position] = mark
        sitting.queue = [q.position for q in self.questions if q.position not in sitting.recorded]
        try:
            while True:
                if self.seconds_left() <= 0:
                    raise _TimeUp
                position: int | None = None
                try:
                    if not sitting.queue or sitting.queue[0] in sitting.passed:
                        # Every question has been answered, or skipped since the last answer.
                        self._review(current=None, asked=False)  # returns only to go on with the paper
                        sitting.passed.clear()
                        continue
                    position = sitting.queue.pop(0)
                    self._visit(self.by_position[position])
                except _GoTo as goto:
                    if position is not None and position not in sitting.recorded:
                        sitting.queue.insert(0, position)  # left, not skipped: it keeps its place
                    self._go_to(goto.position)
        except (_TimeUp, _Late):
            self.io.emit(TimeUp())
            return self._end(True, TIME_UP)
        except _HandIn as hand_in:
            return self._end(True, hand_in.reason)
        except _Leave as leave:
            return self._end(False, leave.reason)
        except Hangup as hangup:
            return self._end(False, hangup.reason)

    def _end(self, handed_in: bool, reason: str) -> Outcome:
        used = self.seconds_used()
        self.store.exams.record_time(self.paper_id, used)
        return Outcome(handed_in, reason, used)

    def _go_to(self, position: int) -> None:
        sitting = self.sitting
        if position in sitting.queue:
            sitting.queue.remove(position)
        sitting.queue.insert(0, position)
        sitting.passed.discard(position)

    def _visit(self, question: Question) -> None:
        """Ask one question (or revise its recorded answer); commit the answer before saying so."""
        sitting = self.sitting
        recorded = sitting.recorded.get(question.position)
        started = self.ticks()
        try:
            result = self._problem(question, recorded) if question.kind == "problem" else self._points(question, recorded)
        except _Late as late:
            if late.line is not None:
                self.store.exams.record_late_answer(self.paper_id, question.position, late.line or None, iso(self.clock()))
                self.io.emit(LateAnswerKept(question.position))
            raise _TimeUp from None
        if result is None:
            if recorded is None:  # skipped: it comes back later
                sitting.skipped.add(question.position)
                sitting.passed.add(question.position)
                sitting.queue.append(question.position)
            return
        marks, answer, mistakes = result
        seconds = self.ticks() - started + (recorded.seconds if recorded else 0.0)
        self.store.exams.record_answer(
            self.paper_id, question.position, answer, marks, question.max_marks, seconds, iso(self.clock()), mistakes
        )
        self.store.exams.record_time(self.paper_id, self.seconds_used())
        self.io.emit(Notice("Answer recorded."))  # only once it is committed
        sitting.recorded[question.position] = Mark(question.position, marks, question.max_marks, seconds, answer, tuple(mistakes))
        sitting.skipped.discard(question.position)
        sitting.passed.clear()
        if self.reschedule is not None and recorded is None:  # a revision is not a second review
            self.reschedule(question, marks / question.max_marks, answer, mistakes)

    def _problem(self, question: Question, recorded: Mark | None) -> tuple[float, str, list[dict[str, str]]] | None:
        """(marks, answer, slips diagnosed in a wrong answer), or None when skipped."""
        instance = make_instance(question.name, question.level or self.level, question.seed)
        title = self.titles.get(question.name, question.name)
        self._show(question, instance.question, title, recorded, instance)
        prompt = "New answer · n keep the recorded one" if recorded else "Answer · n skip for now"
        while True:
            try:
                line = self._ask(prompt + " · q hand in", question.position)
            except _Late as late:
                given = (late.line or "").strip()
                raise _Late(given[:500] if given and given.lower() not in ("n", "q") else None) from None
            if line.lower() == "n":
                return None
            if not line:
                continue
            try:
                verdict = check(line, instance.answer, instance.answer_spec)
            except AnswerSyntaxError as exc:
                self.io.emit(Notice(str(exc), error=True))
                continue
            if verdict.correct:
                return PROBLEM_MARKS, line[:500], []
            return 0.0, line[:500], [diagnosis.to_dict() for diagnosis in diagnose(instance, verdict.given)]

    def _points(self, question: Question, recorded: Mark | None) -> tuple[float, str, list[dict[str, str]]] | None:
        card = self.cards[question.key]
        self._show(question, card.front, card.deck, recorded)
        skip = "n keep the recorded marks" if recorded else "n skip for now"
        try:
            line = self._ask(f"Answer on paper, then Enter for the marking scheme · {skip} · q hand in", question.position)
        except _Late as late:
            given = (late.line or "").strip().lower()
            raise _Late("" if late.line is not None and given not in ("n", "q") else None) from None
        if line.lower() == "n":
            return None
        self.io.emit(ShowMarkingScheme(card))
        while True:
            # Not cut off by the clock: the answer was complete when the scheme was shown.
            line = self._ask(f"Points you earned (e.g. 1 3, all, none) of {len(card.points)}", question.position, timed=False)
            recalled = parse_points(line, len(card.points))
            if recalled is not None:
                return points_marks(len(recalled), question.max_marks), " ".join(map(str, sorted(recalled))), []
            self.io.emit(Notice(f"List point numbers between 1 and {len(card.points)}, or 'all' or 'none'.", error=True))

    def _show(self, question: Question, text: str, title: str, recorded: Mark | None, instance: Any = None) -> None:
        self.io.emit(ShowExamQuestion(
            question, len(self.questions), self.seconds_left(), text, title,
            recorded=recorded.answer if recorded else None, revising=recorded is not None, instance=instance,
        ))

    # -- prompts ------------------------------------------------------------
    def _read(self, prompt: str, timed: bool = True) -> str | None:
        """One line (None at end of input), the countdown in the prompt.

        Timed prompts give a warning when one is due and raise _TimeUp when
        time runs out while waiting, or _Late with a line that came after.
        Ctrl-C arrives as KeyboardInterrupt, a hang-up as Hangup.
        """
        while True:
            if timed:
                self._warn_if_due()
                if self.seconds_left() <= 0:
                    raise _TimeUp
            text = f"{prompt} · {self._time_label(timed)}"
            ask_until = getattr(self.io, "ask_until", None)
            try:
                line = ask_until(text, self._stop_waiting) if timed and ask_until else self.io.ask(text)
            except Waited:
                continue  # a warning is due, or time is up: the top of the loop deals with it
            except KeyboardInterrupt:
                if timed and self.seconds_left() <= 0:
                    raise _TimeUp from None
                raise
            if timed and self.seconds_left() <= 0:
                raise _Late(line)
            return line

    def _ask(self, prompt: str, position: int, timed: bool = True) -> str:
        """A line at a question's prompt: ``q`` and Ctrl-C lead to the hand-in summary, end of input leaves."""
        while True:
            try:
                line = self._read(prompt, timed)
            except KeyboardInterrupt:
                if not getattr(self.io, "interactive", False):
                    raise _Leave(INTERRUPTED) from None  # nobody to ask: keep the paper
                self._review(current=position, asked=True)
                continue
            if line is None:
                raise _Leave(END_OF_INPUT)
            line = line.strip()
            if line.lower() == "q":
                if not getattr(self.io, "interactive", False):
                    self._summarise()
                    raise _HandIn(HANDED_IN)  # piped input: q is the student's decision
                self._review(current=position, asked=True)
                continue
            return line

    def _summarise(self) -> None:
        sitting = self.sitting
        positions = [q.position for q in self.questions]
        answered = [p for p in positions if p in sitting.recorded]
        skipped = [p for p in positions if p in sitting.skipped and p not in sitting.recorded]
        unanswered = [p for p in positions if p not in sitting.recorded and p not in sitting.skipped]
        self.io.emit(PaperSummary(len(positions), answered, skipped, unanswered, self.seconds_left()))

    def _review(self, current: int | None, asked: bool) -> None:
        """The summary and the hand-in question. Returns to go back to the paper; raises to leave it.

        ``current`` is the question on screen (None at the end of the paper);
        ``asked`` is True when the student asked for it (q or Ctrl-C).
        """
        self._summarise()
        total = len(self.questions)
        back = "N back to the question" if current is not None else "N back to the paper"
        while True:
            try:
                line = self._read(f"Hand in now? [y/N] · 1-{total} go to that question · {back}")
            except KeyboardInterrupt:
                raise _Leave(INTERRUPTED) from None  # Ctrl-C at this question: keep the paper for later
            except _Late:
                raise _TimeUp from None
            if line is None:
                raise _Leave(END_OF_INPUT)
            word = line.strip().lower()
            if word in HAND_IN_WORDS:
                raise _HandIn(HANDED_IN)
            if word in BACK_WORDS:
                if current is None and not asked and not self.sitting.queue:
                    self._summarise()  # nothing left to ask: the only ways on are a question number or y
                    continue
                return
            if word.isdigit() and 1 <= int(word) <= total:
                if current is not None and int(word) == current:
                    return
                raise _GoTo(int(word))
            self.io.emit(Notice(f"Type y to hand in, a question number from 1 to {total}, or n to go back.", error=True))


def reschedule_with(store: ReviewLog, policy: Any, clock: Callable[[], datetime]) -> "Reschedule":
    """With --reschedule: each answer is a review of its item (source 'exam'), with the slips diagnosed in it."""
    def apply(question: Question, share: float, answer: str | None, mistakes: list[dict[str, str]]) -> None:
        now = clock()
        rating = rating_for_share(share)
        record = ReviewRecord(
            key=question.key, reviewed_at=iso(now), rating=rating, answer=answer, correct=share >= 0.5, source="exam",
            detail=json.dumps({"exam_question": question.position, "seed": question.seed, "level": question.level}), mistakes=tuple(mistakes),
        )
        store.apply_review(record, lambda current: scheduling.review(current, rating, now, policy))

    return apply


def marks_from_rows(rows: list[dict[str, Any]]) -> list[Mark]:
    return [
        Mark(r["position"], r["marks"], r["max_marks"], r["seconds"], r["answer"], tuple(json.loads(r.get("mistakes") or "[]")))
        for r in rows
    ]
