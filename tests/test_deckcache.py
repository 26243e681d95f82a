"""Unchanged decks are served from the cache; a changed or broken deck is parsed again."""

from __future__ import annotations

from pathlib import Path

import pytest

from mli_drill.decks import cache as deckcache
from mli_drill.decks.cache import DeckCache
from mli_drill.decks.deckfile import DeckError, load_decks
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


def _mixed_deck() -> str:
    return """deck: m
title: Mixed
cards:
  - id: m-basic
    front: "What is $\\\\sigma$?"
    back: "Line one\\nline two"
    tags: [week2, maths]
  - id: m-cloze
    type: cloze
    text: "Dice is {{2|A∩B|/(|A|+|B|)}}."
  - id: m-mcq
    type: mcq
    front: Pick one
    choices: [a, b, c]
    answer: b
  - id: m-points
    type: points
    front: Explain
    points: [first, second, third]
    covers: [Explanations]
  - id: m-numbered
    type: cloze
    text: "{{c1::Dice}} is {{c3::F1::a score}}."
"""


def test_cached_deck_equals_the_parsed_deck_field_by_field(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "decks", "m", _mixed_deck())
    cache = DeckCache(tmp_path / "cache")
    (parsed,) = load_decks([], [deck], read=cache.read)
    (cached,) = load_decks([], [deck], read=cache.read)
    assert isinstance(cached.cards, deckcache.CachedCards) and not isinstance(parsed.cards, deckcache.CachedCards)
    assert cached == parsed and list(cached.cards) == list(parsed.cards)
    assert cached.summaries == parsed.summaries
    assert [s.points for s in cached.summaries] == [0, 0, 0, 3, 0] and cached.summaries[0].tags == ("week2", "maths")
    assert [s.clozes for s in cached.summaries] == [(), (), (), (), (1, 3)], "numbered deletions are known without decoding the card"
    assert cached.summaries[-1].item_keys == ("card:m-numbered", "card:m-numbered#c3")
    assert cached.cards[3].covers == ("Explanations",)
    assert cached.cards[1].source == f"{deck}:{parsed.cards[1].source.rsplit(':', 1)[1]}"
    assert cached.cards[-1] == parsed.cards[-1] and cached.cards[1:3] == tuple(parsed.cards[1:3])


def test_loading_a_cached_collection_decodes_no_card_until_one_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mli_drill.services.collection import Collection

    deck = write_deck(tmp_path / "decks", "c", basic_deck("c", 50))
    cache = DeckCache(tmp_path / "cache")
    load_decks([], [deck], read=cache.read)
    decoded: list[str] = []
    real = deckcache._card
    monkeypatch.setattr(deckcache, "_card", lambda row, path: decoded.append(row[0]) or real(row, path))
    collection = Collection(decks=load_decks([], [deck], read=cache.read))
    order = collection.select(tags=[])
    assert len(order) == 50 and len(collection.cards) == 50 and "card:c-c7" in collection.cards
    assert collection.cards.summary("card:c-c7") == collection.decks[0].summaries[7]
    assert decoded == []
    assert collection.cards["card:c-c7"].front == "Question 7?"
    assert collection.cards["card:c-c7"].back == "Answer 7."  # decoded once, then kept
    assert decoded == ["c-c7"]


@pytest.mark.parametrize("damage", ["bad json", "other card", "truncated"])
def test_damaged_card_lines_fall_back_to_the_deck_file(tmp_path: Path, damage: str) -> None:
    deck = write_deck(tmp_path / "decks", "c", basic_deck("c", 4))
    cache = DeckCache(tmp_path / "cache")
    (expected,) = load_decks([], [deck], read=cache.read)
    (entry,) = (tmp_path / "cache").glob("*.json")
    lines = entry.read_text(encoding="utf-8").split("\n")
    if damage == "bad json":
        lines[2] = "[not json"
    elif damage == "other card":
        lines[2] = lines[3]
    else:
        lines = lines[:-1]
    entry.write_text("\n".join(lines), encoding="utf-8")
    (again,) = load_decks([], [deck], read=cache.read)
    assert list(again.cards) == list(expected.cards)


def test_a_cache_written_for_other_card_fields_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = write_deck(tmp_path / "decks", "c", basic_deck("c", 2))
    cache = DeckCache(tmp_path / "cache")
    monkeypatch.setattr(deckcache, "CARD_FIELDS", deckcache.CARD_FIELDS[:-1])
    load_decks([], [deck], read=cache.read)  # written with one field fewer
    monkeypatch.undo()
    (again,) = load_decks([], [deck], read=cache.read)
    assert not isinstance(again.cards, deckcache.CachedCards) and again.cards[1].front == "Question 1?"


def test_the_cache_keeps_one_entry_per_file_however_often_it_changes(tmp_path: Path) -> None:
    decks = [write_deck(tmp_path / "decks", name, basic_deck(name, 2)) for name in ("a", "b")]
    cache = DeckCache(tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    legacy = tmp_path / "cache" / ("0" * 64 + ".json")  # named as before cache format 3
    legacy.write_text("{}", encoding="utf-8")
    for count in range(2, 6):
        decks[0].write_text(basic_deck("a", count), encoding="utf-8")
        assert len(load_decks([], decks, read=cache.read)[0].cards) == count
    entries = sorted((tmp_path / "cache").glob("*.json"))
    assert len(entries) == 2 and not legacy.exists()
    assert len(load_decks([], decks, read=cache.read)[0].cards) == 5


def test_an_entry_whose_summaries_disagree_with_the_deck_is_removed(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "decks", "c", basic_deck("c", 3))
    cache = DeckCache(tmp_path / "cache")
    load_decks([], [deck], read=cache.read)
    (entry,) = (tmp_path / "cache").glob("*.json")
    head, rest = entry.read_text(encoding="utf-8").split("\n", 1)
    entry.write_text(head.replace('"c-c1"', '"zz"') + "\n" + rest, encoding="utf-8")
    (damaged,) = load_decks([], [deck], read=cache.read)
    with pytest.raises(DeckError) as raised:
        damaged.cards[1]
    assert raised.value.problems == [f"{deck}:1: its cached copy {entry} did not match the deck and was removed; run the command again"]
    assert not entry.exists()
    (again,) = load_decks([], [deck], read=cache.read)
    assert [card.id for card in again.cards] == ["c-c0", "c-c1", "c-c2"]
