"""A cache of parsed YAML files (decks and family specs) keyed on file content.

Importing PyYAML and parsing dominate start-up. For each file we hash its
bytes together with the tool's version and the file's path; a hit returns the
parsed result stored as JSON under ``<data dir>/cache/``. Only valid files are
cached, so every problem in a deck is still reported on every run. The cache
is disposable: anything unreadable in it is ignored and rewritten.

The bundled decks and specs also ship parsed, in ``compiled/`` beside them
(written by :mod:`mli_drill.precompiled`), each with a hash of the YAML it
was made from: a fresh install reads no YAML at all.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from mli_drill import __version__
from mli_drill.decks.deckfile import DeckError, parse_deck, read_deck_file
from mli_drill.model import Card, CardSummary, Deck

CACHE_FORMAT = 5  # 2: cards as rows of values; 3: summaries first, one line per card; 4: card sources relative;
# 5: summaries carry cloze numbers, cards a covers field
# Which checks a cached file has passed: an entry written under older rules is parsed again,
# so a deck the loader now refuses is not served from the cache. 2: control characters refused.
VALIDATION_RULES = 2
COMPILED = "compiled"  # beside bundled YAML files: their parse results, shipped with the package


def source_hash(content: bytes) -> str:
    """What a compiled file records of the YAML it was made from."""
    return hashlib.sha256(f"{CACHE_FORMAT}|".encode() + content).hexdigest()


def compiled_path(source: Path) -> Path:
    """Where the parse result of a bundled YAML file is shipped (see :mod:`mli_drill.precompiled`)."""
    return source.parent / COMPILED / f"{source.stem}.json"


def compiled_data(source: Path, content: bytes) -> Any:
    """The shipped parse result of a bundled file (a spec), or None when missing or made from other content."""
    try:
        data = json.loads(compiled_path(source).read_bytes())
        return data["data"] if data["source_hash"] == source_hash(content) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


class ParseCache:
    """JSON results of parsing files, one entry per (kind, path, content).

    An entry is named ``<file>-<content>.json``: a hash of the kind and the
    file's path, then a hash of its content (with the cache format and the
    tool's version). Writing the entry for a new content removes the file's
    older entries, so the cache holds one entry per file however often a deck
    is edited.
    """

    def __init__(self, directory: Path):
        self.directory = directory

    def entry(self, path: Path, kind: str, content: bytes) -> Path:
        file_key = hashlib.sha256(f"{kind}|{path.resolve()}".encode()).hexdigest()[:16]
        content_key = hashlib.sha256(f"{CACHE_FORMAT}|{VALIDATION_RULES}|{__version__}|".encode() + content).hexdigest()
        return self.directory / f"{file_key}-{content_key}.json"

    def get(self, entry: Path) -> Any:
        try:
            return json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, entry: Path, data: Any) -> None:
        self.put_text(entry, json.dumps(data, ensure_ascii=False))

    def put_text(self, entry: Path, text: str) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = entry.with_name(f"{entry.name}.{os.getpid()}.partial")  # two terminals may write at once
            partial.write_text(text, encoding="utf-8")
            partial.replace(entry)
            self._remove_older(entry)
        except OSError:
            pass  # a read-only data directory only costs speed

    def _remove_older(self, entry: Path) -> None:
        """Entries of the same file for other contents, and entries named as before format 3."""
        file_key = entry.name.split("-", 1)[0]
        for other in self.directory.glob("*.json"):
            if other != entry and (other.name.startswith(file_key + "-") or "-" not in other.name):
                other.unlink(missing_ok=True)


class DeckCache(ParseCache):
    """Decks from the cache: one JSON line of deck fields and card summaries, then one line per card.

    Only the first line is decoded when a deck is loaded; each card's line is
    decoded the first time that card is used (see :class:`CachedCards`).
    """

    def read(self, path: Path, bundled: bool) -> tuple[Deck | None, list[str]]:
        """Like :func:`deckfile.read_deck_file`, from the cache when the file is unchanged.

        A bundled deck is first looked for among the compiled decks shipped
        beside it, so a fresh install parses no YAML.
        """
        try:
            content = path.read_bytes()
        except OSError:
            return read_deck_file(path, bundled)
        deck = self._stored(path, bundled, content)
        if deck is not None:
            return deck, []
        deck, problems = read_deck_file(path, bundled)
        if deck is not None and not problems:
            self.put_text(self.entry(path, "deck", content), deck_lines(deck))
        return deck, problems

    def read_stored(self, path: Path, bundled: bool) -> tuple[Deck | None, list[str]]:
        """Like :meth:`read`, but a deck neither compiled nor cached is left out (None), never parsed.

        For shell completion, which runs on every Tab: it must not import PyYAML.
        """
        try:
            return self._stored(path, bundled, path.read_bytes()), []
        except OSError:
            return None, []

    def _stored(self, path: Path, bundled: bool, content: bytes) -> Deck | None:
        """The deck from the compiled decks shipped with the package or from the cache; None when neither has it."""
        if bundled:
            deck = _cached_deck(compiled_path(path), path, bundled, content, source_hash(content))
            if deck is not None:
                return deck
        return _cached_deck(self.entry(path, "deck", content), path, bundled, content)


# Cards are cached as rows of field values in declaration order: building a
# Card from positional values is several times faster than from a mapping.
CARD_FIELDS = tuple(Card.__dataclass_fields__)
TUPLE_FIELDS = tuple(i for i, name in enumerate(CARD_FIELDS) if name in ("choices", "points", "tags", "covers"))


SOURCE = CARD_FIELDS.index("source")


def deck_lines(deck: Deck, made_from: str | None = None) -> str:
    """A deck in the cache's format; ``made_from`` is the source hash a compiled deck records.

    A card's ``source`` ("file:line") is stored without the file, so an entry
    stays right wherever the deck is installed.
    """
    head = {
        "id": deck.id, "title": deck.title, "topic": deck.topic, "week": deck.week, "fields": len(CARD_FIELDS),
        "summaries": [[s.id, s.type, s.tags, s.points, s.clozes] for s in deck.summaries],
    }
    if made_from is not None:
        head["source_hash"] = made_from
    prefix = f"{deck.path}:"
    rows = []
    for card in deck.cards:
        row = [getattr(card, name) for name in CARD_FIELDS]
        if card.source.startswith(prefix):
            row[SOURCE] = card.source[len(prefix) - 1:]  # ":<line>"
        rows.append(json.dumps(row, ensure_ascii=False))  # json.dumps escapes newlines: one line per card
    return "\n".join([json.dumps(head, ensure_ascii=False), *rows])


def _card(row: list[Any], path: Path) -> Card:
    for index in TUPLE_FIELDS:
        row[index] = tuple(row[index])
    if row[SOURCE].startswith(":"):
        row[SOURCE] = f"{path}{row[SOURCE]}"
    return Card(*row)


def _cached_deck(entry: Path, path: Path, bundled: bool, content: bytes, made_from: str | None = None) -> Deck | None:
    """The deck from a cache entry, or None when there is no usable entry.

    ``made_from``: the entry must record this source hash (compiled decks).
    """
    try:
        head_line, _, rows = entry.read_bytes().rstrip(b"\n").partition(b"\n")
        head = json.loads(head_line)
        if head["fields"] != len(CARD_FIELDS) or (made_from is not None and head.get("source_hash") != made_from):
            return None  # other card fields, or compiled from another version of the file
        summaries = tuple(
            CardSummary(cid, head["id"], kind, tuple(tags), points, tuple(clozes)) for cid, kind, tags, points, clozes in head["summaries"]
        )
        if summaries and rows.count(b"\n") != len(summaries) - 1:
            return None  # truncated
        cards = CachedCards(summaries, rows, path, entry, lambda: _parse_again(content, path, bundled))
        return Deck(id=head["id"], title=head["title"], path=path, topic=head["topic"], week=head["week"], bundled=bundled, cards=cards)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _parse_again(content: bytes, path: Path, bundled: bool) -> Sequence[Card]:
    deck, _ = parse_deck(content.decode("utf-8"), path, bundled=bundled)
    return deck.cards if deck is not None else ()


class CachedCards(Sequence[Card]):
    """A cached deck's cards: the summaries up front, each card decoded from its own line when first used.

    If a line turns out unreadable or belongs to another card (a damaged cache
    file), every card is taken from parsing the deck's content again instead:
    the content that was read, and hashed, when the deck was loaded.
    """

    def __init__(
        self, summaries: tuple[CardSummary, ...], rows: bytes, path: Path, entry: Path, parse_again: Callable[[], Sequence[Card]]
    ):
        self.summaries = summaries
        self._rows = rows
        self._path = path
        self._entry = entry
        self._lines: list[bytes] | None = None
        self._cards: list[Card | None] = [None] * len(summaries)
        self._parse_again = parse_again

    def __len__(self) -> int:
        return len(self.summaries)

    @overload
    def __getitem__(self, index: int) -> Card: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Card, ...]: ...

    def __getitem__(self, index: int | slice) -> Card | tuple[Card, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        card = self._cards[index]
        if card is None:
            card = self._cards[index] = self._decode(index)
        return card

    def __iter__(self) -> Iterator[Card]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def _decode(self, index: int) -> Card:
        if self._lines is None:
            self._lines = self._rows.split(b"\n")
        try:
            card = _card(json.loads(self._lines[index]), self._path)
            if card.id == self.summaries[index].id:
                return card
        except (ValueError, TypeError, IndexError, AttributeError):
            pass
        parsed = tuple(self._parse_again())
        if [c.id for c in parsed] != [s.id for s in self.summaries]:
            # the summaries already served came from a damaged entry: remove it so the next run parses the deck
            try:
                self._entry.unlink(missing_ok=True)
            except OSError:
                pass
            raise DeckError([f"{self._path}:1: its cached copy {self._entry} did not match the deck and was removed; run the command again"])
        self._cards = list(parsed)
        return parsed[index]
