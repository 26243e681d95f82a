"""`decks lint`: near-duplicate cards by word overlap, guessable multiple choice, letter references."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mli_drill import paths
from mli_drill.decks.deckfile import parse_deck
from mli_drill.decks.lint import (
    card_words,
    letter_references,
    lint,
    longest_is_correct,
    near_duplicates,
    overlap,
)
from mli_drill.model import Card
from tests.conftest import write_deck


def cards_of(cards_yaml: str, deck_id: str = "d") -> list[Card]:
    deck, problems = parse_deck(f"deck: {deck_id}\ntitle: D\ncards:\n{cards_yaml}", Path(f"{deck_id}.yaml"))
    assert problems == [] and deck is not None, problems
    return list(deck.cards)


def basic(card_id: str, front: str, back: str) -> str:
    return f"  - id: {card_id}\n    front: '{front}'\n    back: '{back}'\n"


def mcq(card_id: str, choices: list[str], answer: str, back: str = "") -> str:
    listed = ", ".join(f"'{c}'" for c in choices)
    return f"  - id: {card_id}\n    type: mcq\n    front: Which?\n    choices: [{listed}]\n    answer: {answer}\n" + (f"    back: '{back}'\n" if back else "")


# -- the measure --------------------------------------------------------------------------
def test_words_are_lowercased_tokens_of_what_is_learned_without_stop_words() -> None:
    (card,) = cards_of(
        "  - id: c\n    type: cloze\n    text: 'The {{c1::Dice}} score of A and B is {{c2::2|A∩B|/(|A|+|B|)}}'\n"
        "    back: Same as F1.\n    hint: overlap\n    tags: [segmentation]\n"
    )
    assert card_words(card) == {"dice", "score", "b", "2", "same", "f1"}, "no c1/c2 markup, no hint or tags; 'a', 'is', 'of' are stop words"
    (choice,) = cards_of(mcq("m", ["Mutual information", "SSD"], "A", "Intensities differ."))
    assert card_words(choice) == {"mutual", "information", "ssd", "intensities", "differ"}


def test_overlap_is_shared_words_over_the_wordier_card() -> None:
    a, b, c = frozenset("w x y z".split()), frozenset("w x".split()), frozenset("w".split())
    assert overlap(a, b) == overlap(b, a) == Fraction(1, 2)
    assert overlap(a, c) == Fraction(1, 4) and overlap(a, frozenset()) == 0


def test_near_duplicates_across_decks() -> None:
    first = cards_of(basic("hb", "How do you fix high bias?", "Use a more complex model, add features, train longer."), "w3")
    second = cards_of(
        basic("exam-hb", "Fix high bias in a model?", "More complex model, more features, train for longer.")
        + basic("other", "What does dropout do?", "Randomly zeroes activations during training."),
        "exam",
    )
    (pair,) = near_duplicates(first + second)
    assert (pair.first.id, pair.second.id) == ("hb", "exam-hb") and pair.share >= Fraction(1, 2)
    assert {"bias", "complex", "features", "high"} <= set(pair.shared)
    assert pair.to_dict()["decks"] == ["w3", "exam"]


@given(st.lists(st.sets(st.sampled_from("abcdefgh"), max_size=6), max_size=12))
def test_the_index_finds_exactly_the_pairs_a_brute_force_finds(word_sets: list[set[str]]) -> None:
    cards = [Card(id=f"c{i}", deck="d", front=" ".join(sorted(words)), back="") for i, words in enumerate(word_sets)]
    brute = [
        (a.id, b.id) for a, b in itertools.combinations(cards, 2) if overlap(card_words(a), card_words(b)) >= Fraction(1, 2)
    ]
    assert [(p.first.id, p.second.id) for p in near_duplicates(cards)] == brute


def test_longest_correct_counts_ties() -> None:
    longest, tie, shorter = cards_of(
        mcq("l", ["a much longer answer", "short"], "A") + mcq("t", ["same", "size"], "B") + mcq("s", ["tiny", "a longer distractor"], "A")
    )
    assert longest_is_correct(longest) and longest_is_correct(tie) and not longest_is_correct(shorter)
    report = lint([longest, tie, shorter])
    assert report.mcq_cards == 3 and [c.id for c in report.longest_correct] == ["l", "t"]
    assert report.longest_share == Fraction(2, 3) and not report.longest_ok and not report.ok
    assert lint([shorter, *cards_of(mcq("s2", ["x", "yy"], "A"), "e"), tie]).longest_ok, "a third is allowed"


@pytest.mark.parametrize(
    ("back", "found"),
    [
        ("B is right: the intensities differ.", ["B is right"]),
        ("Option C ignores the modality.", ["Option C"]),
        ("Both A and B are monomodal.", ["Both A and B"]),
        ("None of the above would work.", ["None of the above"]),
        ("VS compares only the volumes |A| and |B|.", []),
        ("B-spline grids give free-form deformations; I2 = a·I1 + b.", []),
        ("A large gap means the model does not generalise.", []),
    ],
)
def test_letter_references_are_found_without_false_alarms(back: str, found: list[str]) -> None:
    (card,) = cards_of(mcq("m", ["one", "two", "three"], "A", back.replace("'", "''")))
    assert [ref.phrase for ref in letter_references(card)] == found


# -- the command ----------------------------------------------------------------------------
@pytest.fixture
def no_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide the bundled decks: they are checked by tests/test_bundled_decks.py."""
    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: tmp_path / "no-bundled-decks")


def test_cli_exits_1_on_near_duplicates_and_0_when_clean(home: Path, cli, no_bundled) -> None:
    write_deck(home / "decks", "w3", "deck: w3\ntitle: W3\ncards:\n" + basic("hb", "How do you fix high bias?", "A more complex model."))
    clean = cli("decks", "lint")
    assert clean.exit_code == 0, clean.output
    assert "0 near-duplicate card pair(s) among 1 card" in clean.output
    write_deck(home / "decks", "exam", "deck: exam\ntitle: E\ncards:\n" + basic("exam-hb", "Fix high bias?", "Use a more complex model.") + mcq("m", ["long correct answer", "no"], "A"))
    found = cli("decks", "lint")
    assert found.exit_code == 1
    assert "1 near-duplicate card pair(s) among 3 cards" in found.output and "exam-hb (exam)" in found.output
    assert "the correct choice is the longest in 1 of 1 cards (100%; at most 33%)" in found.output
    data = json.loads(cli("decks", "lint", "--json").output)
    assert data["ok"] is False and data["cards"] == 3
    assert [pair["cards"] for pair in data["near_duplicates"]] == [["exam-hb", "hb"]]
    assert data["mcq"] == {"cards": 1, "longest_correct": 1, "share": 1.0, "limit": 0.333, "ok": False, "longest_correct_cards": ["m"]}
    assert cli("decks", "lint", "--json").exit_code == 1


def test_cli_reports_letter_references_with_their_source(home: Path, cli, no_bundled) -> None:
    path = write_deck(home / "decks", "w", "deck: w\ntitle: W\ncards:\n" + mcq("m", ["SSD", "Mutual information"], "B", "B is right."))
    result = cli("decks", "lint")
    assert result.exit_code == 1
    assert f"{path}:4: mcq card 'm': its back names a choice by letter or position ('B is right')" in result.output


def test_cli_lints_only_the_files_given(home: Path, cli, tmp_path: Path) -> None:
    one = write_deck(tmp_path, "one", "deck: one\ntitle: One\ncards:\n" + basic("a", "What is a stump?", "A one-split tree."))
    result = cli("decks", "lint", str(one))
    assert result.exit_code == 0 and "0 near-duplicate card pair(s) among 1 card" in result.output
    assert "the correct choice is the longest in 0 of 0 cards" in result.output
    assert cli("decks", "lint", str(tmp_path / "missing.yaml")).exit_code == 2
