"""Numbered cloze deletions (one review item per number) and multiple choice shuffled at display."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mli_drill.decks.deckfile import parse_deck
from mli_drill.model import (
    ItemState,
    card_item_key,
    choice_letter,
    choice_order,
    cloze_numbers,
    cloze_plain,
    cloze_prompt,
    cloze_reveal,
    cloze_text_problem,
    sibling_group,
)
from mli_drill.review.scheduling import build_queue
from tests.conftest import write_deck

TEXT = "{{c1::Dice}} equals {{c2::F1::a score}}, i.e. {{c1::$\\frac{2TP}{2TP+FP+FN}$}}."


def one_card(card_yaml: str):
    deck, problems = parse_deck(f"deck: d\ntitle: D\ncards:\n{card_yaml}", Path("d.yaml"))
    assert problems == [] and deck is not None, problems
    return deck.cards[0]


# -- numbered deletions: the pure part -------------------------------------------------
def test_each_number_hides_its_own_deletions_and_shows_the_others() -> None:
    assert cloze_numbers(TEXT) == (1, 2)
    assert cloze_prompt(TEXT, 1) == "[…] equals F1, i.e. […]."
    assert cloze_prompt(TEXT, 2) == "Dice equals [a score], i.e. $\\frac{2TP}{2TP+FP+FN}$.", "an Anki ::hint shows in the gap"
    assert cloze_reveal(TEXT, 2) == "Dice equals «F1», i.e. $\\frac{2TP}{2TP+FP+FN}$."
    assert cloze_reveal(TEXT, 1) == "«Dice» equals F1, i.e. «$\\frac{2TP}{2TP+FP+FN}$»."
    assert cloze_plain(TEXT) == "Dice equals F1, i.e. $\\frac{2TP}{2TP+FP+FN}$."


def test_unnumbered_deletions_work_as_before() -> None:
    old = "Dice equals {{F1}} and {{dice::jaccard}}."
    assert cloze_numbers(old) == ()
    assert cloze_prompt(old) == "Dice equals […] and […]."
    assert cloze_reveal(old) == "Dice equals «F1» and «dice::jaccard».", "'::' in an unnumbered deletion is text, not a hint"
    card = one_card(f"  - id: old\n    type: cloze\n    text: '{old}'\n")
    assert card.item_keys == ("card:old",) and card.cloze_for("card:old") is None
    assert card.cloze_answers == ["F1", "dice::jaccard"]


def test_review_items_are_keyed_so_that_c1_keeps_the_cards_history() -> None:
    card = one_card(f"  - id: nc\n    type: cloze\n    text: '{TEXT}'\n")
    assert card.item_keys == ("card:nc", "card:nc#c2")
    assert [card.cloze_for(key) for key in card.item_keys] == [1, 2]
    assert card_item_key("nc", 1) == card_item_key("nc") == "card:nc"
    assert {sibling_group(key) for key in card.item_keys} == {"card:nc"} and sibling_group("family:fgsm") == "family:fgsm"
    gaps = one_card("  - id: gaps\n    type: cloze\n    text: '{{c2::a}} and {{c5::b}}'\n")
    assert gaps.item_keys == ("card:gaps#c2", "card:gaps#c5"), "numbers need not start at 1 or be consecutive"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{{c1::a}} and {{b}}", "mixes numbered {{c1::...}} and unnumbered {{...}} deletions; number every deletion"),
        ("{{c0::a}}", "deletion numbers start at c1"),
        ("{{c1::}} x", "a numbered deletion hides nothing; write {{c1::answer}}"),
        ("{{c1::$x}}$", "a deletion ends inside math or braces; write '} }' with a space inside LaTeX"),
    ],
)
def test_unreviewable_numbered_clozes_are_reported_with_their_line(text: str, problem: str) -> None:
    assert cloze_text_problem(text) == problem
    _, problems = parse_deck(f"deck: d\ntitle: D\ncards:\n  - id: c\n    type: cloze\n    text: '{text}'\n", Path("d.yaml"))
    assert problems == [f"d.yaml:6: cloze card 'c': {problem}"]


def test_siblings_never_share_a_session() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
    due = ItemState("card:a#c2", "card", state=2, due="2026-05-01T08:00:00+00:00")
    items = [ItemState("card:a", "card"), due, ItemState("card:b", "card"), ItemState("card:b#c2", "card"), ItemState("card:c", "card")]
    order = {item.key: (1, "d", n, 0) for n, item in enumerate(items)}
    queue = build_queue(items, now, 2, order)
    assert [item.key for item in queue] == ["card:a#c2", "card:b", "card:c"], "a left-out sibling does not use up the new limit"


# -- choice order: the pure part ------------------------------------------------------------
@given(st.text(min_size=1, max_size=20), st.integers(1, 26), st.integers(0, 10_000))
def test_choice_order_is_a_stable_permutation_that_changes_every_review(card_id: str, count: int, reviews: int) -> None:
    order = choice_order(card_id, count, reviews)
    assert sorted(order) == list(range(count))
    assert order == choice_order(card_id, count, reviews), "the same review shows the same order (redraw, undo)"
    if count >= 2:
        assert order != choice_order(card_id, count, reviews + 1), "the next review shows another order"


def test_the_correct_choice_lands_on_every_letter_equally_often() -> None:
    for count in (3, 4):
        positions = Counter(choice_order(f"card-{n}", count, reviews).index(0) for n in range(600) for reviews in range(3))
        assert set(positions) == set(range(count))
        expected = 1800 / count
        assert all(abs(seen - expected) < 0.15 * expected for seen in positions.values()), positions


# -- end to end ------------------------------------------------------------------------------
NUMBERED = f"""\
deck: num
title: Numbered
cards:
  - id: nc
    type: cloze
    text: '{TEXT}'
    back: Dice and F1 are the same measure.
"""

MCQ = """\
deck: pick
title: Pick
cards:
  - id: mcq-shuffle
    type: mcq
    front: Which measure suits CT-MR registration?
    choices: [SSD, SAD, Mutual information, NCC]
    answer: C
"""


def log(home: Path) -> list[tuple]:
    conn = sqlite3.connect(str(home / "progress.db"))
    try:
        return conn.execute(
            "SELECT i.key, r.rating, r.answer, r.undone, r.detail FROM review_log r JOIN items i ON i.id = r.item_id ORDER BY r.id"
        ).fetchall()
    finally:
        conn.close()


def test_numbered_cloze_is_reviewed_one_deletion_at_a_time(home: Path, cli) -> None:
    write_deck(home / "decks", "num", NUMBERED)
    first = cli("review", "--deck", "num", input="\n4\n")
    assert first.exit_code == 0, first.output
    assert "[…] equals F1, i.e. […]." in first.output
    assert "«Dice» equals F1" in first.output and "Dice and F1 are the same measure." in first.output
    assert "reviewed  1" in first.output, "the sibling waits for another session"
    second = cli("review", "--deck", "num", input="\n3\n")
    assert "Dice equals [a score], i.e. 2TP/(2TP+FP+FN)." in second.output
    assert "Dice equals «F1»" in second.output
    assert [row[0] for row in log(home)] == ["card:nc", "card:nc#c2"]
    status = json.loads(cli("status", "--json").output)
    assert status["groups"]["num"]["total"] == 2 and status["groups"]["num"]["learned"] == 2


def test_numbering_an_existing_cloze_keeps_its_history_on_c1(home: Path, cli) -> None:
    path = write_deck(home / "decks", "num", "deck: num\ntitle: N\ncards:\n  - id: nc\n    type: cloze\n    text: '{{Dice}} equals {{F1}}.'\n")
    cli("review", "--deck", "num", input="\n4\n")
    path.write_text(NUMBERED, encoding="utf-8")
    status = json.loads(cli("status", "--json").output)
    assert status["groups"]["num"] == {"due": 0, "new": 1, "learned": 1, "suspended": 0, "leeches": 0, "total": 2}
    assert status["orphaned"] == 0


def test_suspend_takes_every_deletion_of_a_card_or_one(home: Path, cli) -> None:
    write_deck(home / "decks", "num", NUMBERED)
    cli("status")
    result = cli("suspend", "nc")
    assert result.exit_code == 0 and "suspended nc (2 review items)" in result.output
    assert json.loads(cli("status", "--json").output)["groups"]["num"]["suspended"] == 2
    assert "unsuspended nc#c2" in cli("unsuspend", "nc#c2").output
    assert json.loads(cli("status", "--json").output)["groups"]["num"]["suspended"] == 1
    assert "Nothing is due" not in cli("review", "--deck", "num", input="q\n").output


def shown_choices(output: str) -> list[list[str]]:
    """The choices of each mcq panel in the output, as (letter) text lines in display order."""
    panels = []
    for panel in output.split("Which measure suits CT-MR registration?")[1:]:
        panels.append(re.findall(r"^│\s+([A-Z])\) (.+?)\s*│$", panel.split("╰")[0], re.MULTILINE))
    return [[f"{letter}) {text}" for letter, text in panel] for panel in panels]


def expected_choices(reviews: int) -> list[str]:
    choices = ["SSD", "SAD", "Mutual information", "NCC"]
    return [f"{choice_letter(shown)}) {choices[index]}" for shown, index in enumerate(choice_order("mcq-shuffle", 4, reviews))]


def correct_letter(reviews: int) -> str:
    return choice_letter(choice_order("mcq-shuffle", 4, reviews).index(2))


def test_mcq_choices_are_shuffled_and_answered_by_the_shown_letter(home: Path, cli) -> None:
    assert choice_order("mcq-shuffle", 4, 0).index(2) != 2, "the test needs a card whose answer moves"
    write_deck(home / "decks", "pick", MCQ)
    wrong = next(letter for letter in "ABCD" if letter != correct_letter(0))
    # a wrong answer, undo, the right one (the order must not change), then the learning step comes back reshuffled
    script = f"{wrong}\nu\n{correct_letter(0)}\n\n{correct_letter(1)}\n\nq\n"
    result = cli("review", "--deck", "pick", input=script)
    assert result.exit_code == 0, result.output
    panels = shown_choices(result.output)
    assert panels[:3] == [expected_choices(0), expected_choices(0), expected_choices(1)], panels
    assert f"✓ correct  answer: {correct_letter(0)}) Mutual information" in result.output
    rows = log(home)
    assert [(key, rating, answer, undone) for key, rating, answer, undone, _ in rows[:3]] == [
        ("card:mcq-shuffle", 1, wrong, 1),
        ("card:mcq-shuffle", 3, correct_letter(0), 0),
        ("card:mcq-shuffle", 3, correct_letter(1), 0),
    ]
    detail = json.loads(rows[1][4])
    assert detail == {"order": "".join(choice_letter(i) for i in choice_order("mcq-shuffle", 4, 0)), "choice": "C"}
