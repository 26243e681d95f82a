"""Everything a student can review: the decks' cards and the problem families.

This joins the deck files, the family specs and the store's items, so the
commands (review, status, stats, exam) share one definition of "the
collection" and of course order (week, then deck, then position).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mli_drill.clock import iso
from mli_drill.model import Card, Deck

if TYPE_CHECKING:
    from mli_drill.exam import Candidate
    from mli_drill.problemspec import FamilySpec
    from mli_drill.store import Store

FAMILY_PREFIX = "family:"


@dataclass
class Collection:
    decks: list[Deck]
    cards: dict[str, Card] = field(default_factory=dict)  # by item key
    families: dict[str, "FamilySpec"] = field(default_factory=dict)  # by family name

    def deck(self, deck_id: str) -> Deck | None:
        return next((d for d in self.decks if d.id == deck_id), None)

    def course_order(self) -> dict[str, tuple]:
        """Sort key per item: introduce material in the order the course teaches it."""
        order: dict[str, tuple] = {}
        for deck in self.decks:
            week = deck.week if deck.week is not None else 99
            for card in deck.cards:
                order[card.item_key] = (week, deck.id, card.order)
        for name, spec in self.families.items():
            order[FAMILY_PREFIX + name] = (spec.week if spec.week is not None else 99, "~" + name, 0)
        return order

    def topics(self) -> dict[str, str]:
        """Topic of each item key: the deck's topic for a card, the spec's topic for a family."""
        topics = {}
        for deck in self.decks:
            for card in deck.cards:
                topics[card.item_key] = deck.topic or deck.id
        for name, spec in self.families.items():
            topics[FAMILY_PREFIX + name] = spec.topic or name
        return topics

    def exam_candidates(self) -> list["Candidate"]:
        """What a mock paper may ask: every problem family, and every points card."""
        from mli_drill.exam import PROBLEM_MARKS, Candidate

        topics = self.topics()
        candidates = [Candidate(FAMILY_PREFIX + name, "problem", topics[FAMILY_PREFIX + name], PROBLEM_MARKS) for name in self.families]
        candidates += [Candidate(key, "points", topics[key], len(card.points)) for key, card in self.cards.items() if card.type == "points"]
        return candidates

    def entries(self) -> list[tuple[str, str, str]]:
        """(key, kind, deck-or-topic) for Store.sync_items."""
        rows = [(card.item_key, "card", card.deck) for card in self.cards.values()]
        rows += [(FAMILY_PREFIX + name, "family", spec.topic) for name, spec in self.families.items()]
        return rows

    def select(self, deck: str | None = None, tags: list[str] | None = None, families: bool = True) -> dict[str, tuple]:
        """The course order restricted to one deck and/or tags (families only when unfiltered)."""
        order = self.course_order()
        keep: dict[str, tuple] = {}
        for key, position in order.items():
            card = self.cards.get(key)
            if card is None:
                if families and deck is None and not tags:
                    keep[key] = position
                continue
            if deck is not None and card.deck != deck:
                continue
            if tags and not set(tags) & set(card.tags):
                continue
            keep[key] = position
        return keep


def load_collection(extra_paths: list[Path] | None = None, with_families: bool = True) -> Collection:
    """Bundled decks, the user's decks and any extra deck paths; plus family specs."""
    from mli_drill import paths
    from mli_drill.deckcache import DeckCache
    from mli_drill.deckfile import load_decks

    cache = DeckCache(paths.data_dir() / "cache" / "decks")
    decks = load_decks([paths.bundled_decks_dir()], [paths.user_decks_dir(), *(extra_paths or [])], read=cache.read)
    collection = Collection(decks=decks)
    for deck in decks:
        for card in deck.cards:
            collection.cards[card.item_key] = card
    if with_families:
        from mli_drill.families import family_names
        from mli_drill.problemspec import load_spec

        collection.families = {name: load_spec(name) for name in family_names()}
    return collection


def sync(store: "Store", collection: Collection, now: datetime) -> None:
    store.sync_items(collection.entries(), iso(now))
