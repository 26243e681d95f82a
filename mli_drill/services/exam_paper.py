"""A mock exam paper's life in the database: start or resume it, hand it in, or abandon it for a new one.

A paper outlives the process that started it: end of input, a closed
terminal or SIGTERM leave it unfinished, and the next ``mli-drill exam``
resumes it with the time it had left. Which paper is open, how much time it
has, and what a handed-in paper's report says are therefore decisions about
stored rows, made here, so the command only asks and draws.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, Sequence

from mli_drill.clock import iso
from mli_drill.exam.paper import Candidate, Mark, Question, Report, build_report, compose_paper
from mli_drill.exam.session import marks_from_rows
from mli_drill.problems.answers import AnswerSyntaxError, check
from mli_drill.problems.instance import make_instance
from mli_drill.services.adaptive import LevelChooser
from mli_drill.store import Store


class NoQuestions(LookupError):
    """The topics asked for match no question (the command says which option to change)."""


@dataclass
class OpenPaper:
    """A paper being sat: its questions, the answers already recorded, and its time."""

    id: int
    questions: list[Question]
    done: list[Mark]
    seconds_used: float  # before this sitting
    seconds_allowed: float  # left for this sitting
    level: str
    seed: int
    resumed: bool

    @property
    def fallback_level(self) -> str:
        """The level of a problem question that names none (a paper drawn at auto names each)."""
        return "exam" if self.level == "auto" else self.level


def resume(store: Store) -> OpenPaper | None:
    """The unfinished paper, if there is one, with the time it has left."""
    row = store.exams.unfinished()
    if row is None:
        return None
    questions = [Question.from_dict(q) for q in json.loads(row["questions"])]
    done = marks_from_rows(store.exams.answers(row["id"]))
    used = row["seconds_used"] if row["seconds_used"] is not None else sum(m.seconds for m in done)
    left = max(0.0, row["minutes"] * 60 - used)
    return OpenPaper(row["id"], questions, done, used, left, row["level"], row["seed"], resumed=True)


def start(store: Store, candidates: Sequence[Candidate], count: int, seed: int, topics: list[str] | None,
          chooser: LevelChooser, minutes: int, now: datetime) -> OpenPaper:
    """Compose a new paper (each computation at the level the chooser gives its family) and store it."""
    questions = compose_paper(candidates, count, seed, topics)
    if not questions:
        raise NoQuestions("no questions match these topics")
    questions = [replace(q, level=chooser(q.name).level) if q.kind == "problem" else q for q in questions]
    paper_id = store.exams.create(iso(now), seed, chooser.level, minutes, json.dumps([q.to_dict() for q in questions]))
    return OpenPaper(paper_id, questions, [], 0.0, float(minutes * 60), chooser.level, seed, resumed=False)


def seconds_left(store: Store, paper_id: int, seconds_used: float) -> float:
    """Time an unfinished paper keeps for its next sitting."""
    paper = next(p for p in store.exams.papers() if p["id"] == paper_id)
    return max(0.0, paper["minutes"] * 60 - seconds_used)


def hand_in(store: Store, paper: OpenPaper, seconds_used: float, family_topics: dict[str, str],
            recurring: list[dict[str, Any]], now: Callable[[], datetime]) -> Report:
    """Mark the recorded answers, store the report, and return it. The time counted is the clock's, capped at the time allowed."""
    marks = marks_from_rows(store.exams.answers(paper.id))
    report = build_report(paper.questions, marks, family_topics, recurring, late=store.exams.late_answers(paper.id),
                          seconds_used=min(seconds_used, paper.seconds_used + paper.seconds_allowed))
    store.exams.finish(paper.id, iso(now()), report.score, report.max_score, json.dumps(report.to_dict()))
    return report


def abandon_unfinished(store: Store, now: datetime) -> None:
    """``exam --new``: hand in the unfinished paper as it stands, so history keeps it."""
    row = store.exams.unfinished()
    if row is None:
        return
    questions = [Question.from_dict(q) for q in json.loads(row["questions"])]
    report = build_report(questions, marks_from_rows(store.exams.answers(row["id"])), {}, late=store.exams.late_answers(row["id"]))
    store.exams.finish(row["id"], iso(now), report.score, report.max_score, json.dumps(report.to_dict()))


def missed_problems(per_question: list[dict[str, Any]], level: str) -> list[dict[str, Any]]:
    """The computations not fully marked, with the reference answer, how to see the working,
    and, for a list or matrix answer, each entry that is off."""
    missed = []
    for row in per_question:
        if row["kind"] == "problem" and row["marks"] < row["max_marks"]:
            drawn = row.get("level") or level
            instance = make_instance(row["item"], drawn, row["seed"])
            missed.append({**row, "expected": instance.answer_text(),
                           "working": f"mli-drill problems sample {row['item']} --seed {row['seed']} --level {drawn}",
                           "wrong_entries": _wrong_entries(row["answer"] if row["answered"] else None, instance)})
    return missed


def _wrong_entries(answer: str | None, instance: Any) -> list[str]:
    """Where a list or matrix answer differs, entry by entry (a wrong shape: what the shape should be)."""
    if not answer or instance.answer_spec.kind not in ("vector", "matrix"):
        return []
    try:
        verdict = check(answer, instance.answer, instance.answer_spec)
    except AnswerSyntaxError:
        return []
    if verdict.correct:
        return []
    return list(verdict.wrong_entries) or [verdict.message]


def history(store: Store) -> list[dict[str, Any]]:
    """Past papers, newest last, with their scores and weakest topics (``exam history``)."""
    rows = []
    for p in store.exams.papers():
        report = json.loads(p["report"]) if p["report"] else {}
        rows.append({
            "paper": p["id"], "started": p["started_at"], "finished": p["finished_at"], "seed": p["seed"], "level": p["level"],
            "minutes": p["minutes"], "score": p["score"], "max_score": p["max_score"], "percent": report.get("percent"),
            "weakest_topics": report.get("weakest_topics", []),
        })
    return rows
