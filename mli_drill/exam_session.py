"""Sitting a mock paper: countdown, skip and come back, marks committed as they are given.

Like :mod:`mli_drill.session` this reads lines from a Terminal and emits
events. Problems take one line (the answer; ``n`` skips to come back later,
``q`` hands the paper in). Points questions take Enter (reveal the marking
scheme) and then the numbers of the points earned. With ``reschedule`` each
answer is also a review that moves the item's schedule; by default a mock
exam leaves the schedule alone.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from mli_drill.clock import iso
from mli_drill.exam import PROBLEM_MARKS, Mark, Question, points_marks, rating_for_share
from mli_drill.model import Card, ReviewRecord
from mli_drill.session import Notice, Terminal, parse_points


# question, share of its marks, the answer, the slips diagnosed in it (a review with source 'exam')
Reschedule = Callable[[Question, float, "str | None", "list[dict[str, str]]"], None]


@dataclass(frozen=True)
class ShowExamQuestion:
    question: Question
    total: int
    seconds_left: float
    text: str  # the problem's question, or the card's front
    title: str


@dataclass(frozen=True)
class ShowMarkingScheme:
    card: Card


@dataclass(frozen=True)
class TimeUp:
    pass


class _HandIn(Exception):
    pass


class ExamSession:
    def __init__(
        self,
        store: Any,
        terminal: Terminal,
        paper_id: int,
        questions: list[Question],
        cards: Mapping[str, Card],
        level: str,
        seconds_allowed: float,
        clock: Callable[[], datetime],
        reschedule: "Reschedule | None" = None,
        titles: dict[str, str] | None = None,
    ):
        self.store = store
        self.io = terminal
        self.paper_id = paper_id
        self.questions = questions
        self.cards = cards
        self.level = level
        self.deadline = time.monotonic() + seconds_allowed
        self.clock = clock
        self.reschedule = reschedule
        self.titles = titles or {}

    def seconds_left(self) -> float:
        return self.deadline - time.monotonic()

    def run(self, already: set[int]) -> None:
        """Ask every question not yet answered; skipped ones come back at the end."""
        pending = [q for q in self.questions if q.position not in already]
        try:
            while pending:
                question = pending.pop(0)
                if self.seconds_left() <= 0:
                    self.io.emit(TimeUp())
                    return
                if not self._ask_question(question):
                    pending.append(question)  # skipped: come back later
        except (_HandIn, KeyboardInterrupt, EOFError):
            return

    def _line(self, prompt: str) -> str:
        left = max(0, int(self.seconds_left()))
        line = self.io.ask(f"{prompt} · ⏱ {left // 60}:{left % 60:02d} left")
        if line is None:
            raise _HandIn
        line = line.strip()
        if line.lower() == "q":
            raise _HandIn
        return line

    def _ask_question(self, question: Question) -> bool:
        started = time.monotonic()
        if question.kind == "problem":
            result = self._problem(question)
        else:
            result = self._points(question)
        if result is None:
            return False
        marks, answer, mistakes = result
        seconds = time.monotonic() - started
        self.store.exams.record_answer(
            self.paper_id, question.position, answer, marks, question.max_marks, seconds, iso(self.clock()), mistakes
        )
        self.io.emit(Notice("Answer recorded."))  # only once it is committed
        if self.reschedule is not None:
            self.reschedule(question, marks / question.max_marks, answer, mistakes)
        return True

    def _problem(self, question: Question) -> tuple[float, str, list[dict[str, str]]] | None:
        """(marks, answer, slips diagnosed in a wrong answer), or None when skipped."""
        from mli_drill.answers import AnswerSyntaxError, check
        from mli_drill.instance import make_instance

        instance = make_instance(question.name, self.level, question.seed)
        self.io.emit(ShowExamQuestion(question, len(self.questions), self.seconds_left(), instance.question, self.titles.get(question.name, question.name)))
        while True:
            line = self._line("Answer · n skip for now · q hand in")
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
            from mli_drill.mistakes import diagnose

            return 0.0, line[:500], [diagnosis.to_dict() for diagnosis in diagnose(instance, verdict.given)]

    def _points(self, question: Question) -> tuple[float, str, list[dict[str, str]]] | None:
        card = self.cards[question.key]
        self.io.emit(ShowExamQuestion(question, len(self.questions), self.seconds_left(), card.front, card.deck))
        line = self._line("Answer on paper, then Enter for the marking scheme · n skip for now · q hand in")
        if line.lower() == "n":
            return None
        self.io.emit(ShowMarkingScheme(card))
        while True:
            line = self._line(f"Points you earned (e.g. 1 3, all, none) of {len(card.points)}")
            recalled = parse_points(line, len(card.points))
            if recalled is not None:
                return points_marks(len(recalled), question.max_marks), " ".join(map(str, sorted(recalled))), []
            self.io.emit(Notice(f"List point numbers between 1 and {len(card.points)}, or 'all' or 'none'.", error=True))


def reschedule_with(store: Any, policy: Any, clock: Callable[[], datetime]) -> "Reschedule":
    """With --reschedule: each answer is a review of its item (source 'exam'), with the slips diagnosed in it."""
    from mli_drill import scheduling

    def apply(question: Question, share: float, answer: str | None, mistakes: list[dict[str, str]]) -> None:
        now = clock()
        rating = rating_for_share(share)
        record = ReviewRecord(
            key=question.key, reviewed_at=iso(now), rating=rating, answer=answer, correct=share >= 0.5, source="exam",
            detail=json.dumps({"exam_question": question.position, "seed": question.seed}), mistakes=tuple(mistakes),
        )
        store.apply_review(record, lambda current: scheduling.review(current, rating, now, policy))

    return apply


def marks_from_rows(rows: list[dict[str, Any]]) -> list[Mark]:
    return [
        Mark(r["position"], r["marks"], r["max_marks"], r["seconds"], r["answer"], tuple(json.loads(r.get("mistakes") or "[]")))
        for r in rows
    ]
