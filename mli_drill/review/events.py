"""What a review, practice or exam session reports as it goes: one frozen dataclass per event, and their union.

The sessions (:mod:`mli_drill.review.session`, :mod:`mli_drill.exam.session`)
emit these to their terminal; :class:`mli_drill.render.session.SessionView`
draws each kind, and matches :data:`Event` exhaustively, so a new event that
is not drawn fails the type check (and ``tests/test_events.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mli_drill.model import Card
from mli_drill.vocabulary import Rating

if TYPE_CHECKING:
    from mli_drill.problems.mistakes import Diagnosis


class NumberedQuestion(Protocol):
    """What drawing an exam question needs of it; :class:`mli_drill.exam.paper.Question` has it.

    A protocol rather than the exam's class, so this module (below the exam in
    the core's order) names no exam type.
    """

    @property
    def position(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def max_marks(self) -> int: ...


# -- review and practice -----------------------------------------------------
@dataclass(frozen=True)
class ShowCard:
    """A card's question. ``cloze``: the deletion this review item asks (None: all of them);
    ``order``: an mcq card's choices as deck positions, in the order shown (A first)."""

    card: Card
    position: int
    remaining: int  # items the session still holds after this one, learning steps included
    cloze: int | None = None
    order: tuple[int, ...] = ()
    remaining_by_kind: dict[str, int] = field(default_factory=dict)  # e.g. {"new": 18, "learning": 1}


@dataclass(frozen=True)
class RevealCard:
    card: Card
    cloze: int | None = None
    typed: str | None = None  # what the student typed before revealing, shown beside the answer


@dataclass(frozen=True)
class ShowHint:
    text: str


@dataclass(frozen=True)
class ShowProblem:
    instance: Any  # mli_drill.problems.instance.Instance
    position: int
    remaining: int
    title: str
    remaining_by_kind: dict[str, int] = field(default_factory=dict)
    level_reason: str = ""  # why this level, e.g. "you are at 78% here" (empty when the level was forced)


@dataclass(frozen=True)
class ShowVerdict:
    correct: bool
    message: str
    expected: str
    given: str
    mistakes: tuple["Diagnosis", ...] = ()  # the slips a wrong answer matches, named before the worked solution


@dataclass(frozen=True)
class ShowSolution:
    instance: Any


@dataclass(frozen=True)
class ShowRatingHints:
    hints: dict[Rating, str]
    suggested: Rating | None


@dataclass(frozen=True)
class Saved:
    key: str
    rating: Rating
    due: str | None
    leech: bool


@dataclass(frozen=True)
class Notice:
    text: str
    error: bool = False


# -- mock exams ----------------------------------------------------------------
@dataclass(frozen=True)
class ShowExamQuestion:
    question: NumberedQuestion
    total: int
    seconds_left: float
    text: str  # the problem's question, or the card's front
    title: str
    recorded: str | None = None  # revising: the answer on record ("" for a points question marked none)
    revising: bool = False
    instance: Any = None  # a problem's instance, whose declared grids a colour terminal draws as pictures


@dataclass(frozen=True)
class ShowMarkingScheme:
    card: Card


@dataclass(frozen=True)
class TimeWarning:
    threshold: int  # seconds: 300 or 60
    seconds_left: float


@dataclass(frozen=True)
class TimeUp:
    pass


@dataclass(frozen=True)
class LateAnswerKept:
    position: int


@dataclass(frozen=True)
class PaperSummary:
    """Where the paper stands, shown before it is handed in."""

    total: int
    answered: list[int]
    skipped: list[int]  # seen this sitting and passed over with n
    unanswered: list[int]  # neither answered nor skipped (the question on screen, those not yet shown)
    seconds_left: float


Event = (
    ShowCard | RevealCard | ShowHint | ShowProblem | ShowVerdict | ShowSolution | ShowRatingHints | Saved | Notice
    | ShowExamQuestion | ShowMarkingScheme | TimeWarning | TimeUp | LateAnswerKept | PaperSummary
)
