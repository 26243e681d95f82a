"""The deck loader: the minimal form, every card type, and file:line errors for bad decks."""

from __future__ import annotations

from pathlib import Path

import pytest

from mli_drill.decks.deckfile import DeckError, load_decks, parse_deck
from tests.conftest import write_deck

MINIMAL = """\
deck: cnn-basics
title: CNN basics
cards:
  - id: conv-output-formula
    front: Output size of a convolution?
    back: $o = \\lfloor (i + 2p - k)/s \\rfloor + 1$
"""

ALL_TYPES = """\
deck: mixed
title: Mixed
topic: cnn
week: 3
cards:
  - id: b1
    front: Front
    back: Back
    tags: [a, b]
    hint: a hint
  - id: c1
    type: cloze
    text: Dice equals {{F1}} and {{2TP/(2TP+FP+FN)}}.
  - id: m1
    type: mcq
    front: Pick
    choices: [one, two, three]
    answer: b
  - id: p1
    type: points
    front: List
    points: [x, y]
    family: receptive-field
"""


def test_minimal_form_loads(tmp_path: Path) -> None:
    deck, problems = parse_deck(MINIMAL, tmp_path / "cnn.yaml")
    assert problems == []
    assert deck is not None and deck.id == "cnn-basics" and deck.title == "CNN basics"
    (card,) = deck.cards
    assert card.id == "conv-output-formula" and card.type == "basic"
    assert card.back.startswith("$o = \\lfloor")
    assert card.source.endswith("cnn.yaml:4")


def test_every_card_type(tmp_path: Path) -> None:
    deck, problems = parse_deck(ALL_TYPES, tmp_path / "mixed.yaml")
    assert problems == []
    assert deck is not None and deck.week == 3 and deck.topic == "cnn"
    basic, cloze, mcq, points = deck.cards
    assert basic.tags == ("a", "b") and basic.hint == "a hint"
    assert cloze.prompt == "Dice equals […] and […]."
    assert cloze.cloze_answers == ["F1", "2TP/(2TP+FP+FN)"]
    assert mcq.answer == "B" and mcq.answer_index == 1
    assert points.points == ("x", "y") and points.family == "receptive-field"


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("deck: x\ntitle: X\ncards:\n  - id: a\n    front: [unclosed\n", 6, "invalid YAML"),
        ("deck: x\ntitle: X\ncards:\n  - id: a\n    front: F\n", 4, "needs 'back'"),
        ("deck: x\ntitle: X\ncards:\n  - front: F\n    back: B\n", 4, "needs an 'id'"),
        ("deck: x\ntitle: X\ncards:\n  - id: a\n    type: essay\n    front: F\n", 5, "unknown type 'essay'"),
        ("deck: x\ntitle: X\ncards:\n  - id: a\n    front: F\n    back: B\n    fornt: typo\n", 7, "unknown card field 'fornt'"),
        ("deck: x\ntitle: X\ncards:\n  - id: a\n    type: mcq\n    front: F\n    choices: [p, q]\n    answer: C\n", 8, "answer' must be a letter A-B"),
        ("deck: x\ntitle: X\ncards:\n  - id: a\n    type: cloze\n    text: no deletion here\n", 6, "needs at least one"),
        ("deck: x\ntitle: X\ncards: []\n", 3, "non-empty list"),
        ("deck: x\ntitle: X\ncards:\n  - id: a\n    type: cloze\n    text: 'a {{$\\frac{a}{b^{2}}$}}'\n", 6, "ends inside math"),
        ("- just\n- a list\n", 1, "must be a mapping"),
        ("deck: x\ntitle: X\ncards:\n  - id: a\n    front: F\n    back: B\n  - id: a\n    front: G\n    back: H\n", 7, "duplicate card id 'a'"),
    ],
)
def test_bad_decks_give_file_line_messages(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write_deck(tmp_path, "bad", text)
    with pytest.raises(DeckError) as caught:
        load_decks([], [path])
    messages = caught.value.problems
    assert any(m.startswith(f"{path}:{line}: ") and fragment in m for m in messages), messages


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    one = write_deck(tmp_path, "one", "deck: one\ntitle: One\ncards:\n  - id: a\n    front: F\n")
    two = write_deck(tmp_path, "two", "deck: two\ntitle: Two\ncards:\n  - id: b\n    type: nope\n    front: F\n    back: B\n")
    with pytest.raises(DeckError) as caught:
        load_decks([], [tmp_path])
    assert len(caught.value.problems) == 2
    assert {m.split(":")[0] for m in caught.value.problems} == {str(one), str(two)}


def test_ids_unique_across_decks(tmp_path: Path) -> None:
    write_deck(tmp_path, "one", "deck: one\ntitle: One\ncards:\n  - id: same\n    front: F\n    back: B\n")
    write_deck(tmp_path, "two", "deck: two\ntitle: Two\ncards:\n  - id: same\n    front: G\n    back: H\n")
    with pytest.raises(DeckError, match="duplicate card id 'same'"):
        load_decks([], [tmp_path])


def test_yaml_tags_are_never_constructed(tmp_path: Path) -> None:
    """safe loading: a Python object tag is an error, not code."""
    path = write_deck(tmp_path, "evil", "deck: evil\ntitle: !!python/object/apply:os.system ['touch PWNED']\ncards: []\n")
    with pytest.raises(DeckError, match="invalid YAML"):
        load_decks([], [path])
    assert not Path("PWNED").exists()


def test_bundled_decks_validate() -> None:
    from mli_drill import paths

    decks = load_decks([paths.bundled_decks_dir()])
    assert decks, "no bundled decks found"
    ids = [card.id for deck in decks for card in deck.cards]
    assert len(ids) == len(set(ids))
