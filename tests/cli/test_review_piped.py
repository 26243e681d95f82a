"""The review loop end to end with piped input: one keystroke-line per line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import basic_deck, write_deck

MIXED = """\
deck: mix
title: Mixed
cards:
  - id: mix-basic
    front: Basic front
    back: Basic back with $\\frac{a}{b}$
  - id: mix-cloze
    type: cloze
    text: Dice equals {{F1}}.
  - id: mix-mcq
    type: mcq
    front: Which measure for CT-MR?
    choices: [SSD, Mutual information]
    answer: B
  - id: mix-points
    type: points
    front: List two things.
    points: [first thing, second thing]
"""


def reviews(home: Path) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(str(home / "progress.db"))
    return conn.execute(
        "SELECT i.key, r.rating, r.answer, r.correct, r.undone FROM review_log r JOIN items i ON i.id = r.item_id ORDER BY r.id"
    ).fetchall()


def test_n_basic_cards_record_n_reviews_and_status_agrees(home: Path, cli, tmp_path: Path) -> None:
    write_deck(home / "decks", "five", basic_deck("five", 5))
    result = cli("review", "--deck", "five", input="\n3\n" * 5)
    assert result.exit_code == 0, result.output
    assert "reviewed  5" in result.output
    assert len(reviews(home)) == 5
    status = json.loads(cli("status", "--json").output)
    assert status["groups"]["five"] == {"due": 5, "new": 0, "learned": 5, "suspended": 0, "leeches": 0, "total": 5}


def test_every_card_type(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    # basic: reveal, rate 3 · cloze: reveal, rate 4 · mcq: wrong letter A, keep suggested · points: reveal, recall 1, keep
    result = cli("review", "--deck", str(deck), "--json", input="\n3\n\n4\nA\n\n\n1\n\n")
    assert result.exit_code == 0, result.output
    assert "a/b" in result.output, "LaTeX is rendered as Unicode"
    assert "Dice equals […]" in result.output and "«F1»" in result.output
    assert "wrong" in result.output and "B) Mutual information" in result.output
    assert reviews(home) == [
        ("card:mix-basic", 3, None, 1, 0),
        ("card:mix-cloze", 4, None, 1, 0),
        ("card:mix-mcq", 1, "A", 0, 0),
        ("card:mix-points", 2, "1", 1, 0),
    ]
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["reviewed"] == 4 and summary["correct"] == 3


def test_undo_suspend_quit(home: Path, cli, tmp_path: Path) -> None:
    write_deck(home / "decks", "three", basic_deck("three", 3))
    # card 0: rate 1; card 1: u (undo card 0) -> card 0 again: rate 4; card 1: s (suspend); card 2: q
    result = cli("review", "--deck", "three", input="\n1\n\nu\n\n4\n\ns\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "Undid the answer to three-c0" in result.output
    assert reviews(home) == [("card:three-c0", 1, None, 0, 1), ("card:three-c0", 4, None, 1, 0)]
    status = json.loads(cli("status", "--json").output)
    assert status["groups"]["three"]["suspended"] == 1
    assert "reviewed  1" in result.output


def test_invalid_rating_reprompts(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "one", basic_deck("one", 1))
    result = cli("review", "--deck", str(deck), input="\n7\nmaybe\ngood\n")
    assert result.output.count("Rate with 1-4") == 2
    assert reviews(home) == [("card:one-c0", 3, None, 1, 0)]


def test_end_of_input_ends_with_summary_and_keeps_answers(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "four", basic_deck("four", 4))
    result = cli("review", "--deck", str(deck), input="\n3\n\n")
    assert result.exit_code == 0
    assert "Session over" in result.output and "reviewed  1" in result.output
    assert len(reviews(home)) == 1


def test_daily_new_limit(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "many", basic_deck("many", 30))
    result = cli("review", "--deck", str(deck), input="\n4\n" * 30)
    assert "reviewed  20" in result.output
    again = cli("review", "--deck", str(deck), input="\n4\n")
    assert "Nothing is due" in again.output


def test_tag_filter(home: Path, cli, tmp_path: Path) -> None:
    text = "deck: tg\ntitle: T\ncards:\n  - id: tg-a\n    front: A\n    back: A\n    tags: [x]\n  - id: tg-b\n    front: B\n    back: B\n"
    write_deck(home / "decks", "tg", text)
    result = cli("review", "--tag", "x", input="\n4\n\n4\n")
    assert "reviewed  1" in result.output
    assert [r[0] for r in reviews(home)] == ["card:tg-a"]


def test_editing_a_card_keeps_its_progress(home: Path, cli) -> None:
    path = write_deck(home / "decks", "ed", "deck: ed\ntitle: E\ncards:\n  - id: ed-a\n    front: Old\n    back: Old\n")
    cli("review", "--deck", "ed", input="\n4\n")
    path.write_text("deck: ed\ntitle: E\ncards:\n  - id: ed-a\n    front: New wording\n    back: New\n", encoding="utf-8")
    status = json.loads(cli("status", "--json").output)
    assert status["groups"]["ed"]["learned"] == 1


def test_removed_card_is_orphaned_not_deleted(home: Path, cli) -> None:
    path = write_deck(home / "decks", "gone", basic_deck("gone", 2))
    cli("review", "--deck", "gone", input="\n4\n\n4\n")
    path.write_text(basic_deck("gone", 1), encoding="utf-8")
    status = json.loads(cli("status", "--json").output)
    assert status["orphaned"] == 1 and status["groups"]["gone"]["total"] == 1
    assert len(reviews(home)) == 2


def test_quit_at_every_prompt(home: Path, cli, tmp_path: Path, monkeypatch) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    scripts = [("q\n", 0), ("\n3\nq\n", 1), ("\n3\n\n3\nq\n", 2), ("\n3\n\n3\nA\nq\n", 3), ("\n3\n\n3\nA\n\n\nq\n", 3)]
    for number, (script, stored) in enumerate(scripts):
        fresh = tmp_path / f"home{number}"
        monkeypatch.setenv("MLI_DRILL_HOME", str(fresh))
        result = cli("review", "--deck", str(deck), input=script)
        assert result.exit_code == 0 and "Session over" in result.output
        assert "List point numbers" not in result.output and "Type one letter" not in result.output
        assert len(reviews(fresh)) == stored, script


def test_suspend_and_unsuspend_commands(home: Path, cli) -> None:
    write_deck(home / "decks", "sus", basic_deck("sus", 2))
    cli("review", "--deck", "sus", input="\ns\n")
    status = json.loads(cli("status", "--json").output)
    assert status["groups"]["sus"]["suspended"] == 1
    result = cli("unsuspend", "sus-c0")
    assert result.exit_code == 0 and "unsuspended sus-c0" in result.output
    assert json.loads(cli("status", "--json").output)["groups"]["sus"]["suspended"] == 0
    assert cli("suspend", "receptive-field").exit_code == 0
    assert json.loads(cli("status", "--json").output)["groups"]["problems"]["suspended"] == 1
    missing = cli("unsuspend", "no-such-card")
    assert missing.exit_code == 2 and "no-such-card" in missing.output


def test_auto_marked_answer_is_saved_before_the_rating_prompt(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    # mcq answered then input ends at the rating prompt: kept with the suggested rating
    cli("review", "--deck", str(deck), input="\n3\n\n3\nB\n")
    assert reviews(home)[-1] == ("card:mix-mcq", 3, "B", 1, 0)


def test_overriding_the_suggested_rating_keeps_both_rows(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    cli("review", "--deck", str(deck), input="\n3\n\n3\nB\n4\nq\n")
    assert reviews(home)[-2:] == [("card:mix-mcq", 3, "B", 1, 1), ("card:mix-mcq", 4, "B", 1, 0)]


def test_undo_at_an_auto_marked_prompt_takes_back_that_answer(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    result = cli("review", "--deck", str(deck), input="\n3\n\n3\nA\nu\nB\n\nq\n")
    assert "Undid the answer to mix-mcq" in result.output
    assert reviews(home)[-2:] == [("card:mix-mcq", 1, "A", 0, 1), ("card:mix-mcq", 3, "B", 1, 0)]
