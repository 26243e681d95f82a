"""The words every layer shares: an item's status, a rating, an item's key, and the names of levels, answer kinds and card types.

Statuses and ratings are ``IntEnum``s, so they are stored, compared and sent
as JSON as the same plain ints as before (0-3 and 1-4; the values of
``fsrs.State`` and ``fsrs.Rating``), and the database schema does not change.

This module imports nothing of the package but :mod:`mli_drill.exceptions`, so every layer may use it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal, NamedTuple, get_args

from mli_drill.exceptions import MliDrillError

Level = Literal["easy", "exam", "hard"]
LevelSetting = Literal["auto", "easy", "exam", "hard"]  # the ``level`` setting and --level: auto follows the student's ability
AnswerKind = Literal["integer", "real", "vector", "matrix", "text"]
CardType = Literal["basic", "cloze", "mcq", "points"]
ItemKind = Literal["card", "family"]  # what a review item is: a card (or one deletion of it), or a problem family

ITEM_KINDS: tuple[ItemKind, ...] = get_args(ItemKind)
KEY_SEPARATOR = ":"


class Status(IntEnum):
    """Where an item is in its scheduling, as the store keeps it: 0 new, else ``fsrs.State``."""

    New = 0
    Learning = 1
    Review = 2
    Relearning = 3


STATUSES = tuple(Status)  # STATUSES[n] is Status(n), without the enum's lookup (items are read by the thousand)
LEARNING_STEPS = (Status.Learning, Status.Relearning)  # short intervals: may come back within a session


class Rating(IntEnum):
    """How well an answer went, as FSRS takes it (``fsrs.Rating``) and the review log stores it."""

    Again = 1
    Hard = 2
    Good = 3
    Easy = 4

    @property
    def label(self) -> str:
        """The word a student types or reads: ``again``, ``hard``, ``good``, ``easy``."""
        return self.name.lower()


class BadItemKey(MliDrillError, ValueError):
    """A review item's key that is not ``card:ID`` or ``family:NAME``."""


class ItemKey(NamedTuple):
    """A review item's key: ``card:ID`` (``card:ID#c2`` for deletion c2 of a numbered cloze) or ``family:NAME``.

    The store and the review log hold keys as text; build them with
    :meth:`card` or :meth:`family` and ``str``, and read them with :meth:`parse`.
    """

    kind: ItemKind
    id: str  # the card id (with a ``#cN`` deletion mark) or the family name

    def __str__(self) -> str:
        return f"{self.kind}{KEY_SEPARATOR}{self.id}"

    @classmethod
    def parse(cls, text: str) -> ItemKey:
        kind, separator, name = text.partition(KEY_SEPARATOR)
        if not separator or kind not in ITEM_KINDS or not name:
            raise BadItemKey(f"not a review item key: {text!r} (expected card:ID or family:NAME)")
        return cls(kind, name)  # type: ignore[arg-type]  # checked against ITEM_KINDS just above

    @classmethod
    def card(cls, card_id: str) -> ItemKey:
        return cls("card", card_id)

    @classmethod
    def family(cls, name: str) -> ItemKey:
        return cls("family", name)
