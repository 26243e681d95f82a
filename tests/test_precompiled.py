"""The bundled decks and specs ship compiled, so a fresh install parses no YAML; stale files are never used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mli_drill import precompiled

from mli_drill.decks import cache as deckcache
from mli_drill.decks.cache import DeckCache, compiled_path
from mli_drill.decks.deckfile import read_deck_file
from tests.conftest import ROOT, basic_deck, write_deck


def test_every_compiled_file_is_up_to_date() -> None:
    stale = precompiled.stale_files(ROOT / "decks", ROOT / "problems")
    assert stale == [], "run `python -m mli_drill.precompiled` after editing a bundled deck or spec: " + ", ".join(stale)


@pytest.mark.parametrize("source", sorted((ROOT / "decks").glob("*.yaml")), ids=lambda p: p.stem)
def test_a_compiled_deck_equals_the_parsed_deck(source: Path, tmp_path: Path) -> None:
    parsed, problems = read_deck_file(source, bundled=True)
    compiled, none = DeckCache(tmp_path / "cache").read(source, bundled=True)
    assert problems == none == [] and isinstance(compiled.cards, deckcache.CachedCards)
    assert compiled == parsed and compiled.summaries == parsed.summaries
    assert all(card.source.startswith(f"{source}:") for card in compiled.cards)
    assert not (tmp_path / "cache").exists(), "a compiled deck needs no per-user cache entry"


def test_a_compiled_deck_follows_its_deck_wherever_installed(tmp_path: Path) -> None:
    source = write_deck(tmp_path / "one", "d", basic_deck("d", 3))
    compiled_path(source).parent.mkdir()
    compiled_path(source).write_text(precompiled.compile_deck(source), encoding="utf-8")
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    moved = tmp_path / "two" / "d.yaml"
    deck, _ = DeckCache(tmp_path / "cache").read(moved, bundled=True)
    assert isinstance(deck.cards, deckcache.CachedCards) and deck.cards[2].source == f"{moved}:{deck.cards[2].source.rsplit(':', 1)[1]}"
    assert deck == read_deck_file(moved, bundled=True)[0]


def test_a_stale_compiled_deck_is_ignored(tmp_path: Path) -> None:
    source = write_deck(tmp_path / "decks", "d", basic_deck("d", 3))
    compiled_path(source).parent.mkdir()
    compiled_path(source).write_text(precompiled.compile_deck(source), encoding="utf-8")
    source.write_text(basic_deck("d", 5), encoding="utf-8")
    deck, problems = DeckCache(tmp_path / "cache").read(source, bundled=True)
    assert problems == [] and len(deck.cards) == 5
    assert precompiled.stale_files(tmp_path / "decks", tmp_path / "none") == [str(compiled_path(source))]


def test_compiled_files_are_only_for_bundled_decks(tmp_path: Path) -> None:
    """A user's deck beside a (planted) compiled file is still read from the user's own cache or parsed."""
    source = write_deck(tmp_path / "decks", "d", basic_deck("d", 2))
    compiled_path(source).parent.mkdir()
    planted = precompiled.compile_deck(source).replace("Question 1?", "Planted?")
    compiled_path(source).write_text(planted, encoding="utf-8")
    deck, _ = DeckCache(tmp_path / "cache").read(source, bundled=False)
    assert deck.cards[1].front == "Question 1?"


def test_write_all_compiles_and_removes_leftovers(tmp_path: Path) -> None:
    decks, problems = tmp_path / "decks", tmp_path / "problems"
    write_deck(decks, "a", basic_deck("a", 2))
    problems.mkdir()
    shutil.copy(ROOT / "problems" / "conv-output.yaml", problems)
    (decks / "compiled").mkdir()
    (decks / "compiled" / "gone.json").write_text("{}", encoding="utf-8")
    assert precompiled.write_all(decks, problems) == 3
    assert precompiled.stale_files(decks, problems) == [] and not (decks / "compiled" / "gone.json").exists()
    assert precompiled.write_all(decks, problems) == 0


def test_bundled_specs_load_from_their_compiled_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from mli_drill.problems import spec as problemspec
    from mli_drill.problems.registry import family_names

    monkeypatch.setenv("MLI_DRILL_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(problemspec, "parse_spec", lambda *a: pytest.fail("a bundled spec was parsed"))
    problemspec.load_spec.cache_clear()
    try:
        specs = [problemspec.load_spec(name) for name in family_names()]
    finally:
        problemspec.load_spec.cache_clear()
    assert len(specs) == len(family_names()) and not (tmp_path / "home" / "cache").exists()
