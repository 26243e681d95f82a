"""The review loop explains itself: why nothing is due, an honest counter and "next due", typed answers, points."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.test_review_piped import reviews
from tests.conftest import basic_deck, write_deck


def next_due_shown(output: str) -> str:
    match = re.search(r"next due +(\S+(?: \d\d:\d\d)?)", output, re.IGNORECASE)
    assert match, output
    return match.group(1)


def test_new_card_limit_is_named_with_the_waiting_count_and_the_way_on(home: Path, cli) -> None:
    write_deck(home / "decks", "many", basic_deck("many", 30))
    first = cli("review", "--deck", "many", input="\n4\n" * 20)
    assert "reviewed  20" in first.output
    again = cli("review", "--deck", "many", input="")
    assert again.exit_code == 0
    assert "new-card limit is reached (new-per-day 20)" in again.output
    assert "10 new items wait" in again.output
    assert "mli-drill review --deck many --new 10" in again.output
    more = cli("review", "--deck", "many", "--new", "3", input="\n4\n" * 5)
    assert "reviewed  3" in more.output


def test_unknown_tag_exits_2_listing_the_known_tags(home: Path, cli) -> None:
    text = "deck: tg\ntitle: T\ncards:\n  - id: tg-a\n    front: A\n    back: A\n    tags: [dice, overlap]\n"
    write_deck(home / "decks", "tg", text)
    result = cli("review", "--deck", "tg", "--tag", "dicee")
    assert result.exit_code == 2
    assert "dicee" in result.output and "did you mean dice" in result.output
    assert "known tags in deck tg: dice, overlap" in result.output
    everywhere = cli("review", "--tag", "nonexistenttag")
    assert everywhere.exit_code == 2 and "known tags:" in everywhere.output and "receptive-field" in everywhere.output


def test_truly_nothing_due_says_so_with_the_next_time_and_ahead(home: Path, cli) -> None:
    write_deck(home / "decks", "two", basic_deck("two", 2))
    cli("review", "--deck", "two", input="\n4\n\n4\n")
    result = cli("review", "--deck", "two", input="")
    assert "Nothing is due, and no new items wait." in result.output
    assert re.search(r"Next due: \d{4}-\d\d-\d\d \d\d:\d\d\.", result.output), result.output
    days = re.search(r"To review early: mli-drill review --deck two --ahead (\d+)", result.output)
    assert days, result.output
    early = cli("review", "--deck", "two", "--ahead", days.group(1), input="\n3\n\n3\n")
    assert "Session over" in early.output and "reviewed  0" not in early.output  # the next due item, at least


def test_next_due_is_never_in_the_past_and_belongs_to_the_deck(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    write_deck(home / "decks", "a", basic_deck("a", 2))
    write_deck(home / "decks", "b", basic_deck("b", 1))
    cli("review", "--deck", "a", input="\n3\n\n3\n")  # two learning steps of deck a, due at 09:10; the session ends first
    monkeypatch.setenv("MLI_DRILL_NOW", "2026-05-01T12:00:00+00:00")
    result = cli("review", "--deck", "b", input="\n4\n")
    shown = next_due_shown(result.output)
    assert shown != "2026-05-01 09:10"  # deck a's, and already past
    assert shown > "2026-05-01 12:00"
    # with --limit the rest of what is due waits: that is "now", not a time already past
    limited = cli("review", "--deck", "a", "--limit", "1", input="\n3\n")
    assert next_due_shown(limited.output) == "now"


def test_the_counter_names_the_learning_steps_it_includes(home: Path, cli) -> None:
    write_deck(home / "decks", "three", basic_deck("three", 3))
    result = cli("review", "--deck", "three", input="\n3\n\nq\n")
    titles = re.findall(r"three · basic( · .*?) ─", result.output)
    assert titles[0] == " · 2 more"
    assert titles[1] == " · 2 more (1 learning · 1 new)"  # the first card comes back: still 2 more, and why


def test_text_typed_before_reveal_is_shown_beside_the_answer(home: Path, cli) -> None:
    write_deck(home / "decks", "one", basic_deck("one", 1))
    result = cli("review", "--deck", "one", input="my own answer\n3\n")
    assert "you typed: my own answer" in result.output
    assert "Answer 0." in result.output.split("you typed: my own answer", 1)[1]  # then the real answer
    assert reviews(home) == [("card:one-c0", 3, "my own answer", 1, 0)]


POINTS5 = """\
deck: five
title: Five points
cards:
  - id: five-p
    type: points
    front: List five things.
    points: [one, two, three, four, five]
"""


@pytest.mark.parametrize(("recalled", "rating"), [("1 2 3 4", 3), ("all", 3), ("1 2 3", 2), ("1 2", 1), ("none", 1)])
def test_points_suggestion(home: Path, cli, tmp_path: Path, recalled: str, rating: int) -> None:
    deck = write_deck(tmp_path, "five", POINTS5)
    result = cli("review", "--deck", str(deck), input=f"\n{recalled}\n\n")
    assert reviews(home)[0][:2] == ("card:five-p", rating)
    assert "suggests" in result.output
