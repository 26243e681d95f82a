"""A cache of parsed decks keyed on file content, so unchanged decks are not re-parsed.

Parsing YAML (and importing PyYAML) dominates start-up for a large collection.
For each deck file we hash its bytes; a hit returns the cards stored as JSON
under ``<data dir>/cache/decks/``. Only valid decks are cached, so every
problem in a deck is still reported on every run. The cache is disposable:
anything unreadable in it is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from mli_drill import __version__
from mli_drill.deckfile import read_deck_file
from mli_drill.model import Card, Deck

CACHE_FORMAT = 1


class DeckCache:
    def __init__(self, directory: Path):
        self.directory = directory

    def read(self, path: Path, bundled: bool) -> tuple[Deck | None, list[str]]:
        """Like :func:`deckfile.read_deck_file`, from the cache when the file is unchanged."""
        try:
            content = path.read_bytes()
        except OSError:
            return read_deck_file(path, bundled)
        key = hashlib.sha256(b"%d|%s|%s|" % (CACHE_FORMAT, __version__.encode(), str(path.resolve()).encode()) + content).hexdigest()
        entry = self.directory / f"{key}.json"
        deck = self._load(entry, path, bundled)
        if deck is not None:
            return deck, []
        deck, problems = read_deck_file(path, bundled)
        if deck is not None and not problems:
            self._store(entry, deck)
        return deck, problems

    def _load(self, entry: Path, path: Path, bundled: bool) -> Deck | None:
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            cards = tuple(_card(c) for c in data["cards"])
            return Deck(id=data["id"], title=data["title"], path=path, topic=data["topic"], week=data["week"], bundled=bundled, cards=cards)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _store(self, entry: Path, deck: Deck) -> None:
        data = {"id": deck.id, "title": deck.title, "topic": deck.topic, "week": deck.week, "cards": [c.to_dict() for c in deck.cards]}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = entry.with_suffix(".partial")
            partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            partial.replace(entry)
        except OSError:
            pass  # a read-only data directory only costs speed


def _card(data: dict[str, Any]) -> Card:
    return Card(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
