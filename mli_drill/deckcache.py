"""A cache of parsed YAML files (decks and family specs) keyed on file content.

Importing PyYAML and parsing dominate start-up. For each file we hash its
bytes together with the tool's version and the file's path; a hit returns the
parsed result stored as JSON under ``<data dir>/cache/``. Only valid files are
cached, so every problem in a deck is still reported on every run. The cache
is disposable: anything unreadable in it is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from mli_drill import __version__
from mli_drill.deckfile import read_deck_file
from mli_drill.model import Card, Deck

CACHE_FORMAT = 2  # 2: cards stored as rows of values


class ParseCache:
    """JSON results of parsing files, one entry per (kind, path, content)."""

    def __init__(self, directory: Path):
        self.directory = directory

    def entry(self, path: Path, kind: str, content: bytes) -> Path:
        header = f"{CACHE_FORMAT}|{__version__}|{kind}|{path.resolve()}|".encode()
        return self.directory / f"{hashlib.sha256(header + content).hexdigest()}.json"

    def get(self, entry: Path) -> Any:
        try:
            return json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, entry: Path, data: Any) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = entry.with_suffix(".partial")
            partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            partial.replace(entry)
        except OSError:
            pass  # a read-only data directory only costs speed


class DeckCache(ParseCache):
    def read(self, path: Path, bundled: bool) -> tuple[Deck | None, list[str]]:
        """Like :func:`deckfile.read_deck_file`, from the cache when the file is unchanged."""
        try:
            content = path.read_bytes()
        except OSError:
            return read_deck_file(path, bundled)
        entry = self.entry(path, "deck", content)
        deck = _deck(self.get(entry), path, bundled)
        if deck is not None:
            return deck, []
        deck, problems = read_deck_file(path, bundled)
        if deck is not None and not problems:
            data = {"id": deck.id, "title": deck.title, "topic": deck.topic, "week": deck.week, "cards": [_row(c) for c in deck.cards]}
            self.put(entry, data)
        return deck, problems


# Cards are cached as rows of field values in declaration order: building a
# Card from positional values is several times faster than from a mapping,
# which matters for a collection of ten thousand cards.
CARD_FIELDS = tuple(Card.__dataclass_fields__)
TUPLE_FIELDS = tuple(i for i, name in enumerate(CARD_FIELDS) if name in ("choices", "points", "tags"))


def _row(card: Card) -> list[Any]:
    return [getattr(card, name) for name in CARD_FIELDS]


def _card(row: list[Any]) -> Card:
    for index in TUPLE_FIELDS:
        row[index] = tuple(row[index])
    return Card(*row)


def _deck(data: Any, path: Path, bundled: bool) -> Deck | None:
    try:
        if len(data["cards"][0]) != len(CARD_FIELDS):
            return None  # written by a version with other card fields
        cards = tuple(_card(row) for row in data["cards"])
        return Deck(id=data["id"], title=data["title"], path=path, topic=data["topic"], week=data["week"], bundled=bundled, cards=cards)
    except (KeyError, TypeError, IndexError):
        return None
