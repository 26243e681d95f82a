"""Dataclasses shared by every layer: decks and their cards.

A card's ``id`` is its identity for progress: editing its text keeps its
history; ids are unique across all decks. Cards are plain data; how a card is
reviewed lives in ``session``, how it looks in ``render``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

CARD_TYPES = ("basic", "cloze", "mcq", "points")
CLOZE_PATTERN = re.compile(r"\{\{(.+?)\}\}", re.DOTALL)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# C0 and C1 control characters and DEL, all but tab and newline. A terminal obeys
# them (ESC starts sequences that clear the screen or set the clipboard), so the
# deck loader refuses them, the importers drop them, and render.inert shows them.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def cloze_text_problem(text: str) -> str | None:
    """Why a cloze card's text cannot be reviewed, or None (shared by the deck loader and the importers)."""
    deletions = CLOZE_PATTERN.findall(text)
    if not deletions:
        return "'text' needs at least one {{deletion}}"
    if any(d.count("$") % 2 or d.count("{") != d.count("}") for d in deletions):
        return "a deletion ends inside math or braces; write '} }' with a space inside LaTeX"
    return None


@dataclass(frozen=True)
class Card:
    id: str
    deck: str
    type: str = "basic"
    front: str = ""
    back: str = ""
    text: str = ""  # cloze: the sentence with {{deletions}}
    choices: tuple[str, ...] = ()  # mcq
    answer: str = ""  # mcq: the correct letter, "A".."Z"
    points: tuple[str, ...] = ()  # points: the marking scheme
    tags: tuple[str, ...] = ()
    hint: str = ""
    family: str = ""  # a problem family that drills this computation
    source: str = ""  # "file:line" where the card is defined
    order: int = 0  # position in its deck, for introducing new cards in order

    @property
    def item_key(self) -> str:
        return f"card:{self.id}"

    @property
    def prompt(self) -> str:
        """What the student sees before revealing the answer."""
        if self.type == "cloze":
            return CLOZE_PATTERN.sub("[…]", self.text)
        return self.front

    @property
    def cloze_answers(self) -> list[str]:
        return CLOZE_PATTERN.findall(self.text)

    @property
    def answer_index(self) -> int:
        return ord(self.answer.upper()) - ord("A")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items() if v not in ("", (), None)}


class CardSummary(NamedTuple):
    """What queues, filters and counts need to know of a card, without its text.

    A deck served from the parse cache carries these for every card, and
    decodes a full :class:`Card` only when something shows it: a review of a
    ten-thousand-card collection then builds one card, not ten thousand.
    (A named tuple: several times cheaper to build than a frozen dataclass.)
    """

    id: str
    deck: str
    type: str = "basic"
    tags: tuple[str, ...] = ()
    points: int = 0  # how many marking points (points cards)

    @classmethod
    def of(cls, card: Card) -> "CardSummary":
        return cls(card.id, card.deck, card.type, card.tags, len(card.points))

    @property
    def item_key(self) -> str:
        return f"card:{self.id}"


@dataclass(frozen=True)
class Deck:
    """A deck file's cards. ``cards`` is any sequence: a tuple when parsed, a lazy one from the cache."""

    id: str
    title: str
    path: Path
    topic: str = ""
    week: int | None = None
    bundled: bool = True
    cards: Sequence[Card] = field(default=())

    @cached_property
    def summaries(self) -> tuple[CardSummary, ...]:
        """One summary per card, in deck order (from the cache without decoding any card)."""
        known = getattr(self.cards, "summaries", None)
        return known if known is not None else tuple(CardSummary.of(card) for card in self.cards)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "topic": self.topic,
            "week": self.week,
            "path": str(self.path),
            "bundled": self.bundled,
            "cards": len(self.cards),
        }


@dataclass
class ItemState:
    """Scheduling state of one reviewable item (a card or a problem family), as stored.

    ``state`` is 0 for a new item, else the value of ``fsrs.State``.
    """

    key: str
    kind: str
    deck: str = ""
    state: int = 0
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: str | None = None
    last_review: str | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    leech: bool = False
    orphaned: bool = False
    introduced_at: str | None = None

    @property
    def is_new(self) -> bool:
        return self.state == 0

    @property
    def name(self) -> str:
        """The card id or family name without the kind prefix."""
        return self.key.split(":", 1)[1]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "ItemState":
        fields = {k: row[k] for k in cls.__dataclass_fields__ if k in row}
        for flag in ("suspended", "leech", "orphaned"):
            if flag in fields:
                fields[flag] = bool(fields[flag])
        return cls(**fields)


@dataclass(frozen=True)
class ReviewRecord:
    """One answer, as appended to the review log."""

    key: str
    reviewed_at: str
    rating: int
    duration_ms: int | None = None
    answer: str | None = None
    correct: bool | None = None
    source: str = "review"
    detail: str | None = None
    # slips diagnosed in a wrong answer (mli_drill.mistakes): {"id", "message"} each
    mistakes: tuple[dict[str, str], ...] = ()
