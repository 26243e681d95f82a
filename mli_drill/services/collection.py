"""Everything a student can review: the decks' cards and the problem families.

This joins the deck files, the family specs and the store's items, so the
commands (review, status, stats, exam) share one definition of "the
collection" and of course order (week, then deck, then position).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mli_drill.clock import iso
from mli_drill.model import Card, CardSummary, Deck
from mli_drill import paths
from mli_drill.decks.cache import DeckCache
from mli_drill.decks.deckfile import load_decks_skipping
from mli_drill.problems.registry import family_names
from mli_drill.problems.spec import load_spec
from mli_drill.vocabulary import ItemKey

if TYPE_CHECKING:
    from mli_drill.exam.paper import Candidate
    from mli_drill.decks.deckfile import SkippedDeck
    from mli_drill.problems.spec import FamilySpec
    from mli_drill.store import Store


class CardLookup(Mapping[str, Card]):
    """Every deck's cards by item key (each review item of a numbered cloze finds its card).
    Looking a card up decodes it (see ``deckcache.CachedCards``); its summary is at hand without that."""

    def __init__(self, decks: list[Deck]):
        self._where = {
            key: (deck, index) for deck in decks for index, summary in enumerate(deck.summaries) for key in summary.item_keys
        }

    def __getitem__(self, key: str) -> Card:
        deck, index = self._where[key]
        return deck.cards[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: object) -> bool:
        return key in self._where

    def summary(self, key: str) -> CardSummary | None:
        found = self._where.get(key)
        return found[0].summaries[found[1]] if found else None


@dataclass
class Collection:
    decks: list[Deck]
    families: dict[str, "FamilySpec"] = field(default_factory=dict)  # by family name
    skipped: list["SkippedDeck"] = field(default_factory=list)  # user decks left out: invalid or clashing
    cards: CardLookup = field(init=False)  # by item key

    def __post_init__(self) -> None:
        self.cards = CardLookup(self.decks)

    def deck(self, deck_id: str) -> Deck | None:
        return next((d for d in self.decks if d.id == deck_id), None)

    def summaries(self) -> Iterator[CardSummary]:
        """Every card's summary, in deck order."""
        for deck in self.decks:
            yield from deck.summaries

    def course_order(self) -> dict[str, tuple]:
        """Sort key per item: introduce material in the order the course teaches it (a card's deletions in number order)."""
        order: dict[str, tuple] = {}
        for deck in self.decks:
            week = deck.week if deck.week is not None else 99
            for position, card in enumerate(deck.summaries):
                for sub, key in enumerate(card.item_keys):
                    order[key] = (week, deck.id, position, sub)
        for name, spec in self.families.items():
            order[str(ItemKey.family(name))] = (spec.week if spec.week is not None else 99, "~" + name, 0, 0)
        return order

    def topics(self) -> dict[str, str]:
        """Topic of each item key: the deck's topic for a card, the spec's topic for a family."""
        topics = {}
        for deck in self.decks:
            for card in deck.summaries:
                for key in card.item_keys:
                    topics[key] = deck.topic or deck.id
        for name, spec in self.families.items():
            topics[str(ItemKey.family(name))] = spec.topic or name
        return topics

    def exam_candidates(self) -> list["Candidate"]:
        """What a mock paper may ask: every problem family, and every points card."""
        from mli_drill.exam.paper import PROBLEM_MARKS, Candidate  # inside: only `exam` needs it, and `status` starts fast

        topics = self.topics()
        candidates = [Candidate(str(ItemKey.family(name)), "problem", topics[str(ItemKey.family(name))], PROBLEM_MARKS) for name in self.families]
        candidates += [Candidate(card.item_key, "points", topics[card.item_key], card.points) for card in self.summaries() if card.type == "points"]
        return candidates

    def entries(self) -> list[tuple[str, str, str]]:
        """(key, kind, deck-or-topic) for Store.sync_items."""
        rows = [(key, "card", card.deck) for card in self.summaries() for key in card.item_keys]
        rows += [(str(ItemKey.family(name)), "family", spec.topic) for name, spec in self.families.items()]
        return rows

    def select(self, deck: str | None = None, tags: list[str] | None = None, families: bool = True) -> dict[str, tuple]:
        """The course order restricted to one deck and/or tags (families only when unfiltered)."""
        order = self.course_order()
        keep: dict[str, tuple] = {}
        for key, position in order.items():
            card = self.cards.summary(key)
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


def load_collection(extra_paths: list[Path] | None = None, with_families: bool = True, stored_only: bool = False) -> Collection:
    """Bundled decks, the user's decks and any extra deck paths; plus family specs.

    A user deck (or extra path) that is invalid or clashes with another deck
    is left out and listed in ``skipped``: one bad file blocks nothing else.
    ``stored_only``: only decks shipped compiled or already in the parse cache,
    none parsed (shell completion; see ``DeckCache.read_stored``).
    """
    cache = DeckCache(paths.data_dir() / "cache" / "decks")
    read = cache.read_stored if stored_only else cache.read
    decks, skipped = load_decks_skipping([paths.bundled_decks_dir()], [paths.user_decks_dir(), *(extra_paths or [])], read=read)
    families: dict[str, FamilySpec] = {}
    if with_families:
        families = {name: load_spec(name) for name in family_names()}
    return Collection(decks=decks, families=families, skipped=skipped)


def sync(store: "Store", collection: Collection, now: datetime) -> None:
    store.sync_items(collection.entries(), iso(now))
