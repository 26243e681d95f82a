"""Finding cards by the words in them (``mli-drill search``); pure, no I/O.

A card matches when every word of the query occurs, ignoring case, in some
field of it: id, front or cloze text, back, choices, marking points, hint,
tags or family. Words match inside longer words (``conv`` finds
"convolution") and in both the LaTeX source and the Unicode reading of math
(``\\sigma`` and ``σ`` both find ``$\\sigma$``), which the caller supplies
as ``readable`` so that this module needs no renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mli_drill.model import Card, ItemState, cloze_plain


@dataclass(frozen=True)
class Field:
    """One searchable field of a card, as shown (``text``) and as written (``source``)."""

    name: str
    text: str
    source: str


def card_fields(card: Card, readable: Callable[[str], str] = str) -> list[Field]:
    """The card's fields in the order a reader meets them; empty fields left out."""
    raw: list[tuple[str, str]] = [("front", cloze_plain(card.text) if card.type == "cloze" else card.front), ("back", card.back)]
    raw += [("choice", choice) for choice in card.choices]
    raw += [("point", point) for point in card.points]
    raw += [("hint", card.hint), ("tags", ", ".join(card.tags)), ("family", card.family), ("id", card.id)]
    return [Field(name, readable(text), text) for name, text in raw if text]


def query_words(query: str) -> list[str]:
    """The words of a query, lower case (the empty query has none and matches nothing)."""
    return query.lower().split()


def matches(card: Card, words: list[str], readable: Callable[[str], str] = str) -> bool:
    """Whether every word occurs in some field of the card (shown or as written)."""
    if not words:
        return False
    haystack = "\n".join(f"{field.text}\n{field.source}" for field in card_fields(card, readable)).lower()
    return all(word in haystack for word in words)


def search(cards: Iterable[Card], query: str, readable: Callable[[str], str] = str) -> list[Card]:
    """The cards matching ``query``, in the order given (deck order)."""
    words = query_words(query)
    return [card for card in cards if matches(card, words, readable)]


@dataclass(frozen=True)
class Found:
    """A matching card with where it stands in the schedule (over all its review items)."""

    card: Card
    due: str | None  # the earliest due time of its learned review items (ISO UTC); None while all are new
    lapses: int  # times forgotten, over all its review items
    new: bool  # no review item seen yet
    suspended: bool  # every review item suspended

    def to_dict(self) -> dict[str, object]:
        return {"deck": self.card.deck, "id": self.card.id, "type": self.card.type, "due": self.due, "lapses": self.lapses,
                "new": self.new, "suspended": self.suspended, "prompt": self.card.prompt}


def standing(card: Card, states: Iterable[ItemState | None]) -> Found:
    """``card`` with the stored states of its review items (None: an item the store has not seen yet)."""
    known = [state for state in states if state is not None]
    learned = [state.due for state in known if not state.is_new and state.due]
    return Found(
        card=card,
        due=min(learned) if learned else None,
        lapses=sum(state.lapses for state in known),
        new=all(state.is_new for state in known),
        suspended=bool(known) and all(state.suspended for state in known),
    )
