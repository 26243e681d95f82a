"""The mock-exam state machine over a scripted terminal and a clock the test moves.

No real time passes here: the clock is a number the scripted student moves
(thinking for a while), and a terminal that can wait with a deadline gives up
the moment its ``stop`` condition comes true, as the real one does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

from mli_drill.services.collection import load_collection
from mli_drill.exam.paper import Question, build_report, compose_paper
from mli_drill.exam.session import END_OF_INPUT, HANDED_IN, INTERRUPTED, TIME_UP, ExamSession, Hangup, Outcome, Waited, marks_from_rows
from mli_drill.review.events import LateAnswerKept, Notice, PaperSummary, ShowExamQuestion, TimeUp, TimeWarning
from mli_drill.store import open_store
from tests.conftest import exam_seed, typed_answer

COUNT = 3
SEED = exam_seed()  # a paper asking a computation, a list question, a computation


@dataclass
class Think:
    """The student thinks this long before the next line."""

    seconds: float


WAIT_FOR_EVER = object()  # the student types nothing: the terminal waits until it is told to stop


class FakeClock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def ticks(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return datetime(2026, 5, 1, 9, tzinfo=timezone.utc) + timedelta(seconds=self.seconds)


class ScriptedTerminal:
    """Lines, Think(...) pauses, None (end of input), KeyboardInterrupt or Hangup(...), in order.

    With ``timed`` it offers ``ask_until`` and stops waiting as soon as
    ``stop()`` is true, even in the middle of a pause; without it, it is a
    plain Terminal and the session can only look at the clock when a line comes.
    """

    def __init__(self, clock: FakeClock, script: list[Any], interactive: bool = False, timed: bool = True):
        self.clock = clock
        self.script = list(script)
        self.interactive = interactive
        self.events: list[Any] = []
        self.prompts: list[str] = []
        if timed:
            self.ask_until = self._ask_until

    def ask(self, prompt: str) -> str | None:
        return self._next(prompt, stop=None)

    def _ask_until(self, prompt: str, stop: Callable[[], bool]) -> str | None:
        return self._next(prompt, stop)

    def _next(self, prompt: str, stop: Callable[[], bool] | None) -> str | None:
        self.prompts.append(prompt)
        while True:
            if not self.script:
                raise AssertionError(f"the script ran out at {prompt!r}")
            item = self.script[0]
            if item is WAIT_FOR_EVER:
                assert stop is not None, "a plain terminal would wait for ever"
                while not stop():
                    self.clock.seconds += 1
                raise Waited
            if isinstance(item, Think):
                while item.seconds > 0:
                    if stop is not None and stop():
                        raise Waited
                    step = min(1.0, item.seconds)
                    self.clock.seconds += step
                    item.seconds -= step
                self.script.pop(0)
                continue
            self.script.pop(0)
            if isinstance(item, BaseException) or (isinstance(item, type) and issubclass(item, BaseException)):
                raise item
            return item

    def emit(self, event: Any) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = open_store(tmp_path / "progress.db")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def collection():  # type: ignore[no-untyped-def]
    return load_collection()


def questions(collection) -> list[Question]:  # type: ignore[no-untyped-def]
    paper = compose_paper(collection.exam_candidates(), COUNT, SEED)
    assert [q.kind for q in paper] == ["problem", "points", "problem"]
    return paper


def right(question: Question) -> str:
    assert question.seed is not None
    return typed_answer(question.name, question.seed)


def sit(store, collection, script: list[Any], minutes: float = 60, interactive: bool = False, timed: bool = True,  # type: ignore[no-untyped-def]
        already: list[Any] | None = None, seconds_used: float = 0.0, reschedule: Any = None) -> tuple[Outcome, ScriptedTerminal, FakeClock]:
    clock = FakeClock()
    paper = questions(collection)
    paper_id = store.exams.create("2026-05-01T09:00:00+00:00", SEED, "exam", int(minutes) or 1, "[]")
    terminal = ScriptedTerminal(clock, script, interactive=interactive, timed=timed)
    session = ExamSession(store, terminal, paper_id, paper, collection.cards, "exam", minutes * 60 - seconds_used, clock.now,
                          ticks=clock.ticks, seconds_used=seconds_used, reschedule=reschedule)
    outcome = session.run(already or [])
    return outcome, terminal, clock


def stored(store) -> list[tuple[int, float, str | None]]:  # type: ignore[no-untyped-def]
    return [(r["position"], r["marks"], r["answer"]) for r in store.exams.answers(1)]


# -- handing in ----------------------------------------------------------------
def test_piped_q_hands_in_after_a_summary(store, collection) -> None:  # type: ignore[no-untyped-def]
    paper = questions(collection)
    outcome, terminal, _ = sit(store, collection, [right(paper[0]), "q"])
    assert outcome.handed_in and outcome.reason == HANDED_IN
    summary = terminal.of(PaperSummary)[-1]
    assert summary.answered == [1] and summary.unanswered == [2, 3]


def test_every_question_answered_still_waits_for_the_hand_in(store, collection) -> None:  # type: ignore[no-untyped-def]
    paper = questions(collection)
    outcome, terminal, _ = sit(store, collection, [right(paper[0]), "", "all", right(paper[2]), None])
    assert not outcome.handed_in and outcome.reason == END_OF_INPUT, "end of input is not a hand-in"
    assert [p for p, _, _ in stored(store)] == [1, 2, 3]
    assert terminal.of(PaperSummary)[-1].answered == [1, 2, 3]


def test_end_of_input_and_a_piped_interrupt_leave_the_paper(store, collection) -> None:  # type: ignore[no-untyped-def]
    paper = questions(collection)
    outcome, _, _ = sit(store, collection, [right(paper[0]), Think(30), KeyboardInterrupt])
    assert (outcome.handed_in, outcome.reason) == (False, INTERRUPTED)
    assert stored(store) == [(1, 2.0, right(paper[0]))]
    assert store.exams.papers()[0]["seconds_used"] == pytest.approx(30), "time on the unanswered question counts"


def test_ctrl_c_asks_n_goes_back_and_a_second_ctrl_c_leaves(store, collection) -> None:  # type: ignore[no-untyped-def]
    paper = questions(collection)
    script = [KeyboardInterrupt, "n", right(paper[0]), KeyboardInterrupt, KeyboardInterrupt]
    outcome, terminal, _ = sit(store, collection, script, interactive=True)
    assert (outcome.handed_in, outcome.reason) == (False, INTERRUPTED)
    assert stored(store) == [(1, 2.0, right(paper[0]))], "N went back to question 1, which took its answer"
    assert sum("Hand in now? [y/N]" in p for p in terminal.prompts) == 2


def test_ctrl_c_then_y_hands_in(store, collection) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = sit(store, collection, [KeyboardInterrupt, "y"], interactive=True)
    assert (outcome.handed_in, outcome.reason) == (True, HANDED_IN)


def test_a_hangup_leaves_the_paper_with_its_answers(store, collection) -> None:  # type: ignore[no-untyped-def]
    paper = questions(collection)
    outcome, _, _ = sit(store, collection, [right(paper[0]), Hangup("SIGHUP")], interactive=True)
    assert (outcome.handed_in, outcome.reason) == (False, "SIGHUP")
    assert len(stored(store)) == 1


# -- going to a question, revising -----------------------------------------------
def test_summary_goes_to_a_question_and_revises_a_recorded_answer(store, collection) -> None:  # type: ignore[no-untyped-def]
    paper = questions(collection)
    reviews: list[int] = []
    script = [
        "1",  # question 1, wrong
        "n",  # skip question 2
        right(paper[2]),  # question 3
        "n",  # question 2 comes back: skipped again, so the summary comes
        "1",  # go to question 1
        right(paper[0]),  # revise it
        "n",  # question 2 once more
        "y",
    ]
    outcome, terminal, _ = sit(store, collection, script, interactive=True, reschedule=lambda q, share, answer, mistakes: reviews.append(q.position))
    assert outcome.handed_in
    assert stored(store) == [(1, 2.0, right(paper[0])), (3, 2.0, right(paper[2]))]
    summaries = terminal.of(PaperSummary)
    assert (summaries[0].answered, summaries[0].skipped) == ([1, 3], [2])
    revising = [e for e in terminal.of(ShowExamQuestion) if e.revising]
    assert [(e.question.position, e.recorded) for e in revising] == [(1, "1")]
    assert reviews == [1, 3], "a revision does not review the item a second time"


def test_a_bad_choice_at_the_summary_is_asked_again(store, collection) -> None:  # type: ignore[no-untyped-def]
    outcome, terminal, _ = sit(store, collection, [KeyboardInterrupt, "7", "y"], interactive=True)
    assert outcome.handed_in
    assert any(isinstance(e, Notice) and e.error and "1 to 3" in e.text for e in terminal.events)


# -- the clock -------------------------------------------------------------------
def test_time_runs_out_while_the_prompt_waits(store, collection) -> None:  # type: ignore[no-untyped-def]
    outcome, terminal, clock = sit(store, collection, [WAIT_FOR_EVER, WAIT_FOR_EVER, WAIT_FOR_EVER], minutes=10)
    assert (outcome.handed_in, outcome.reason) == (True, TIME_UP)
    warnings = terminal.of(TimeWarning)
    assert [w.threshold for w in warnings] == [300, 60]
    assert [type(e).__name__ for e in terminal.events if isinstance(e, (TimeWarning, TimeUp))] == ["TimeWarning", "TimeWarning", "TimeUp"]
    assert clock.seconds == 1000 + 600, "handed in at the deadline, not a second later"
    assert store.exams.answers(1) == []
    assert store.exams.papers()[0]["seconds_used"] == pytest.approx(600)


def test_every_prompt_shows_the_time_left(store, collection) -> None:  # type: ignore[no-untyped-def]
    paper = questions(collection)
    _, terminal, _ = sit(store, collection, [Think(75), right(paper[0]), "q"], minutes=10)
    assert terminal.prompts[0].endswith("⏱ 10:00 left") and terminal.prompts[1].endswith("⏱ 8:45 left")


def test_an_answer_after_the_deadline_is_kept_as_late_and_not_scored(store, collection) -> None:  # type: ignore[no-untyped-def]
    """A terminal that cannot stop waiting: the answer arrives 63 s into a 1-minute paper (the issue's case)."""
    paper = questions(collection)
    outcome, terminal, _ = sit(store, collection, [Think(63), right(paper[0])], minutes=1, timed=False)
    assert (outcome.handed_in, outcome.reason) == (True, TIME_UP)
    assert store.exams.answers(1) == [], "not recorded as an answer"
    assert store.exams.late_answers(1) == {1: right(paper[0])}
    assert terminal.of(LateAnswerKept) == [LateAnswerKept(1)]
    assert not any(isinstance(e, Notice) and e.text == "Answer recorded." for e in terminal.events)
    report = build_report(paper, marks_from_rows(store.exams.answers(1)), {}, late=store.exams.late_answers(1))
    assert report.score == 0 and report.late == 1 and report.answered == 0
    assert report.per_question[0]["late"] and report.per_question[0]["late_answer"] == right(paper[0])


def test_marking_an_answer_shown_in_time_is_not_cut_off(store, collection) -> None:  # type: ignore[no-untyped-def]
    paper = questions(collection)
    script = [right(paper[0]), Think(50), "", Think(30), "all"]  # the scheme opens at 0:10 left; marked 20 s after the deadline
    outcome, terminal, _ = sit(store, collection, script, minutes=1)
    assert outcome.reason == TIME_UP
    assert [p for p, _, _ in stored(store)] == [1, 2]
    assert terminal.prompts[-1].startswith("Points you earned")


def test_a_resumed_paper_counts_the_time_already_used(store, collection) -> None:  # type: ignore[no-untyped-def]
    outcome, terminal, _ = sit(store, collection, [Think(10), None], minutes=10, seconds_used=290)
    assert outcome.seconds_used == pytest.approx(300)
    assert terminal.prompts[0].endswith("⏱ 5:10 left")
    assert store.exams.papers()[0]["seconds_used"] == pytest.approx(300)


def test_a_resumed_paper_with_less_than_five_minutes_warns_at_once(store, collection) -> None:  # type: ignore[no-untyped-def]
    _, terminal, _ = sit(store, collection, [None], minutes=10, seconds_used=400)
    assert [w.threshold for w in terminal.of(TimeWarning)] == [300]


def test_no_warning_longer_than_the_paper(store, collection) -> None:  # type: ignore[no-untyped-def]
    _, terminal, _ = sit(store, collection, [WAIT_FOR_EVER], minutes=1)
    assert terminal.of(TimeWarning) == [] and terminal.of(TimeUp)
