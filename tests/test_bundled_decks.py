"""The bundled course decks: size, variety, coverage of the course notes, links to families."""

from __future__ import annotations

from collections import Counter

from mli_drill import paths
from mli_drill.decks.coverage import check_headings, notes_headings, uncovered
from mli_drill.decks.deckfile import load_decks
from mli_drill.problems.registry import family_names
from mli_drill.decks.lint import lint

DECKS = load_decks([paths.bundled_decks_dir()])
CARDS = [card for deck in DECKS for card in deck.cards]
NOTES = paths.course_notes_path()


def test_at_least_300_cards_of_every_type() -> None:
    assert len(CARDS) >= 300
    assert set(Counter(card.type for card in CARDS)) == {"basic", "cloze", "mcq", "points"}


def test_every_deck_has_topic_and_mixed_types() -> None:
    for deck in DECKS:
        assert deck.topic, deck.id
        assert len({card.type for card in deck.cards}) >= 3, deck.id


def test_family_links_point_to_real_families() -> None:
    known = set(family_names())
    assert {card.family for card in CARDS if card.family} <= known


PAPER_TAGS = ("paper-2021", "paper-1920", "paper-1819", "paper-1718", "tutorial")


def test_every_past_paper_is_found_by_its_tag() -> None:
    """A past-paper question that a week card already asks lives in the week deck, tagged with the paper."""
    tags = Counter(tag for card in CARDS for tag in card.tags)
    for paper in PAPER_TAGS:
        assert tags[paper] >= 5, paper
    exam = next(deck for deck in DECKS if deck.id == "exam-past-papers")
    assert exam.cards
    assert [card.id for card in exam.cards if not set(card.tags) & set(PAPER_TAGS)] == []


def test_course_notes_fully_covered() -> None:
    results = check_headings(notes_headings(NOTES.read_text(encoding="utf-8")), CARDS)
    assert len(results) > 100
    assert [(r.heading.line, r.heading.text) for r in uncovered(results)] == []


def test_lint_finds_no_near_duplicates_and_few_guessable_mcq_cards() -> None:
    """`mli-drill decks lint` on the bundled decks (issue 14): one card per fact, mcq not guessable by length."""
    report = lint(CARDS)
    assert [(pair.first.id, pair.second.id) for pair in report.duplicates] == []
    assert report.longest_ok, f"the correct choice is the longest in {len(report.longest_correct)} of {report.mcq_cards} mcq cards"
    assert [(ref.card.id, ref.phrase) for ref in report.letter_references] == []
