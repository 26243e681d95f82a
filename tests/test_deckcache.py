"""Unchanged decks are served from the cache; a changed or broken deck is parsed again."""

from __future__ import annotations

from pathlib import Path

import pytest

from mli_drill import deckcache
from mli_drill.deckcache import DeckCache
from mli_drill.deckfile import DeckError, load_decks
from tests.conftest import basic_deck, write_deck


def test_second_load_does_not_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = write_deck(tmp_path / "decks", "c", basic_deck("c", 3))
    cache = DeckCache(tmp_path / "cache")
    first = load_decks([], [deck], read=cache.read)
    calls = []
    monkeypatch.setattr(deckcache, "read_deck_file", lambda *a: calls.append(a) or (None, ["parsed"]))
    second = load_decks([], [deck], read=cache.read)
    assert calls == [] and second == first
    deck.write_text(basic_deck("c", 4), encoding="utf-8")  # content changed: parsed again
    with pytest.raises(DeckError):
        load_decks([], [deck], read=cache.read)
    assert len(calls) == 1


def test_invalid_decks_are_never_cached(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "decks", "bad", "deck: bad\ntitle: B\ncards:\n  - id: a\n    front: F\n")
    cache = DeckCache(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(DeckError, match="needs 'back'"):
            load_decks([], [deck], read=cache.read)
    assert list((tmp_path / "cache").glob("*.json")) == []


def test_corrupt_cache_entry_is_ignored(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "decks", "c", basic_deck("c", 2))
    cache = DeckCache(tmp_path / "cache")
    expected = load_decks([], [deck], read=cache.read)
    for entry in (tmp_path / "cache").glob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    assert load_decks([], [deck], read=cache.read) == expected
