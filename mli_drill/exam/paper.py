"""Mock exam papers: composing a paper, marking it and reporting (pure, no I/O).

A paper is shaped like the past papers: mostly computations (drawn from the
problem families and marked automatically, 2 marks each) and some "list /
describe" questions (points cards, marked by the student against the marking
scheme, one mark per point). The paper is a deterministic function of its
seed, the question count, the topics and the level, and is stored as JSON so
an interrupted paper can be resumed.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from mli_drill.vocabulary import ItemKey, Rating

PROBLEM_MARKS = 2
COMPUTATION_SHARE = 0.6


@dataclass(frozen=True)
class Question:
    position: int
    kind: str  # "problem" or "points"
    key: str  # item key: family:<name> or card:<id>
    topic: str
    max_marks: int
    seed: int | None = None  # problems: the instance seed
    level: str | None = None  # problems: the level drawn at (None: the paper's level)

    @property
    def name(self) -> str:
        return ItemKey.parse(self.key).id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Question":
        return cls(**data)


@dataclass(frozen=True)
class Candidate:
    """Something a paper may ask: a problem family or a points card."""

    key: str
    kind: str
    topic: str
    max_marks: int


def compose_paper(candidates: Iterable[Candidate], count: int, seed: int, topics: list[str] | None = None) -> list[Question]:
    """Pick ``count`` questions: about 60% computations, the rest points questions, no repeats.

    Topics spread as evenly as the pool allows (round-robin over shuffled
    topics), so a ten-question paper is not five questions on one week.
    """
    rng = random.Random(f"exam/{seed}")
    pool = [c for c in candidates if not topics or c.topic in topics]
    problems = [c for c in pool if c.kind == "problem"]
    points = [c for c in pool if c.kind == "points"]
    want_problems = min(len(problems), max(1, round(count * COMPUTATION_SHARE)) if problems else 0)
    want_points = min(len(points), count - want_problems)
    want_problems = min(len(problems), count - want_points)
    chosen = _spread(problems, want_problems, rng) + _spread(points, want_points, rng)
    rng.shuffle(chosen)
    return [
        Question(
            position=i + 1,
            kind=c.kind,
            key=c.key,
            topic=c.topic,
            max_marks=c.max_marks,
            seed=rng.randrange(2**31 - 1) if c.kind == "problem" else None,
        )
        for i, c in enumerate(chosen)
    ]


def _spread(candidates: list[Candidate], count: int, rng: random.Random) -> list[Candidate]:
    by_topic: dict[str, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: c.key):
        by_topic.setdefault(c.topic, []).append(c)
    for group in by_topic.values():
        rng.shuffle(group)
    order = sorted(by_topic)
    rng.shuffle(order)
    picked: list[Candidate] = []
    while len(picked) < count:
        for topic in order:
            if by_topic[topic] and len(picked) < count:
                picked.append(by_topic[topic].pop())
    return picked


@dataclass(frozen=True)
class Mark:
    """The student's result on one question (absent = not answered)."""

    position: int
    marks: float
    max_marks: float
    seconds: float
    answer: str | None = None
    mistakes: tuple[dict[str, str], ...] = ()  # slips diagnosed in a wrong answer: {"id", "message"} each


@dataclass
class TopicScore:
    marks: float = 0.0
    max_marks: float = 0.0
    questions: int = 0

    @property
    def share(self) -> float:
        return self.marks / self.max_marks if self.max_marks else 0.0


@dataclass
class Report:
    score: float
    max_score: float
    answered: int
    questions: int
    seconds: float
    topics: dict[str, TopicScore] = field(default_factory=dict)
    per_question: list[dict[str, Any]] = field(default_factory=list)
    weakest_topics: list[str] = field(default_factory=list)
    practise_next: list[str] = field(default_factory=list)
    median_seconds: float = 0.0
    recurring_mistakes: list[dict[str, Any]] = field(default_factory=list)  # {family, id, count, message}
    late: int = 0  # answers that came after time was up: kept, not scored

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "percent": round(self.percent, 1),
            "answered": self.answered,
            "late": self.late,
            "questions": self.questions,
            "seconds": round(self.seconds, 1),
            "median_seconds": round(self.median_seconds, 1),
            "topics": {t: {"marks": s.marks, "max_marks": s.max_marks, "share": round(s.share, 3)} for t, s in self.topics.items()},
            "per_question": self.per_question,
            "weakest_topics": self.weakest_topics,
            "practise_next": self.practise_next,
            "recurring_mistakes": self.recurring_mistakes,
        }


def build_report(
    questions: list[Question], marks: list[Mark], family_topics: dict[str, str], recurring: list[dict[str, Any]] | None = None,
    late: dict[int, str | None] | None = None, seconds_used: float | None = None,
) -> Report:
    """Score overall and per topic, time per question, weakest topics, families to practise next.

    Weakest topics: the (up to three) topics with the lowest share of marks,
    below 70%. Families to practise: those answered wrongly or skipped, then
    those with a recurring mistake (``recurring``: slips made at least twice
    lately, ``{family, id, count, message}`` each, as ``stats`` shows them),
    then the families of the weakest topics. ``late`` holds the answers given
    after time was up (position -> answer; None for a points question): each
    is listed with its question and scores nothing. ``seconds_used`` is the
    time the paper took by the clock (time spent on questions left unanswered
    included); without it the report's time is the answered questions' own.
    """
    by_position = {m.position: m for m in marks}
    late = late or {}
    report = Report(score=0.0, max_score=0.0, answered=len(by_position), questions=len(questions), seconds=0.0,
                    late=sum(1 for q in questions if q.position in late))
    missed_families: list[str] = []
    for question in questions:
        mark = by_position.get(question.position)
        got = mark.marks if mark else 0.0
        seconds = mark.seconds if mark else 0.0
        report.score += got
        report.max_score += question.max_marks
        report.seconds += seconds
        topic = report.topics.setdefault(question.topic, TopicScore())
        topic.marks += got
        topic.max_marks += question.max_marks
        topic.questions += 1
        report.per_question.append(
            {"position": question.position, "item": question.name, "kind": question.kind, "topic": question.topic,
             "marks": got, "max_marks": question.max_marks, "seconds": round(seconds, 1), "answered": mark is not None,
             "answer": mark.answer if mark else None, "seed": question.seed, "level": question.level,
             "mistakes": list(mark.mistakes) if mark else [],
             "late": question.position in late, "late_answer": late.get(question.position)}
        )
        if question.kind == "problem" and got < question.max_marks and question.name not in missed_families:
            missed_families.append(question.name)
    if seconds_used is not None:
        report.seconds = seconds_used
    times = [m.seconds for m in marks]
    report.median_seconds = statistics.median(times) if times else 0.0
    ranked = sorted((s.share, t) for t, s in report.topics.items() if s.share < 0.7)
    report.weakest_topics = [t for _, t in ranked[:3]]
    report.recurring_mistakes = list(recurring or [])
    slipping = [m["family"] for m in report.recurring_mistakes if m["family"] not in missed_families]
    missed_families += list(dict.fromkeys(slipping))
    extra = sorted(f for f, topic in family_topics.items() if topic in report.weakest_topics and f not in missed_families)
    report.practise_next = (missed_families + extra)[:5]
    return report


def points_marks(recalled: int, max_marks: int) -> float:
    return float(min(max(recalled, 0), max_marks))


def rating_for_share(share: float) -> Rating:
    """The FSRS rating a mock-exam result stands for (only used with --reschedule)."""
    return Rating.Good if share >= 1 else Rating.Hard if share >= 0.5 else Rating.Again
