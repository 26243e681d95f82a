"""``u`` at every prompt takes back the latest saved answer and shows that item again (a problem with the same numbers)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from mli_drill.problems.instance import make_instance
from tests.cli.test_review_piped import MIXED, reviews
from tests.conftest import basic_deck, write_deck


def seeds_shown(output: str) -> list[int]:
    return [int(seed) for seed in re.findall(r"· seed (\d+)", output)]


def logged_seeds(home: Path) -> list[tuple[int, int]]:
    """(seed, undone) of every logged problem answer, oldest first."""
    conn = sqlite3.connect(str(home / "progress.db"))
    rows = conn.execute("SELECT detail, undone FROM review_log WHERE detail LIKE '{\"family\"%' ORDER BY id").fetchall()
    return [(json.loads(detail)["seed"], undone) for detail, undone in rows]


def test_practice_undo_asks_the_same_instance_again(home: Path, cli) -> None:
    # the issue's own example: a wrong answer, u, then the right answer to the same numbers
    result = cli("practice", "receptive-field", "--seed", "42", "--count", "1", input="19\nu\n29\n\n")
    assert result.exit_code == 0, result.output
    assert "Undid the answer to receptive-field" in result.output
    assert seeds_shown(result.output) == [42, 42]
    assert "✓ correct" in result.output
    assert logged_seeds(home) == [(42, 1), (42, 0)]


def test_practice_count_survives_undo_and_a_changed_rating(home: Path, cli) -> None:
    answers = [make_instance("receptive-field", "exam", seed).answer for seed in (7, 8, 9)]
    # first: right, Enter · second: right, u (back to the second) · again right, rate 4 · third: right, Enter
    script = f"{answers[0]}\n\n{answers[1]}\nu\n{answers[1]}\n4\n{answers[2]}\n\n"
    result = cli("practice", "receptive-field", "--seed", "7", "--count", "3", input=script)
    assert seeds_shown(result.output) == [7, 8, 8, 9]
    assert "reviewed  3" in result.output
    assert [seed for seed, undone in logged_seeds(home) if not undone] == [7, 8, 9]


def test_undo_at_a_problem_answer_prompt_takes_back_the_previous_problem(home: Path, cli) -> None:
    first = make_instance("receptive-field", "exam", 42).answer
    second = make_instance("receptive-field", "exam", 43).answer
    script = f"{first}\n\nu\n{first}\n\n{second}\n\n"
    result = cli("practice", "receptive-field", "--seed", "42", "--count", "2", input=script)
    assert "Undid the answer to receptive-field" in result.output
    assert seeds_shown(result.output) == [42, 43, 42, 43]  # both problems come back with their numbers
    assert logged_seeds(home) == [(42, 1), (42, 0), (43, 0)]


def test_undo_at_the_rating_prompt_of_a_problem_in_review_keeps_its_numbers(home: Path, cli) -> None:
    cli("practice", "receptive-field", "--seed", "100", "--count", "1", input=f"{make_instance('receptive-field', 'exam', 100).answer}\n\n")
    # the family is now a learning step, served first by review with a fresh seed; answer wrong, then u
    result = cli("review", "--limit", "1", input="0\nu\ns\n\n")
    shown = seeds_shown(result.output)  # then the next learning step, with new numbers, until input ends
    assert shown[0] == shown[1] != 100
    assert logged_seeds(home)[1:] == [(shown[0], 1), (shown[0], 0)]


def test_undo_at_the_reveal_prompt(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    # basic: good · at the cloze's reveal prompt u takes back the basic card, shown again: easy · cloze: good
    result = cli("review", "--deck", str(deck), input="\n3\nu\n\n4\n\n3\nq\n")
    assert "Undid the answer to mix-basic" in result.output
    assert reviews(home) == [
        ("card:mix-basic", 3, None, 1, 1),
        ("card:mix-basic", 4, None, 1, 0),
        ("card:mix-cloze", 3, None, 1, 0),
    ]


def test_undo_at_the_choice_prompt_of_an_mcq(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    # basic, cloze, then u at the mcq's choice prompt: the cloze comes back (easy), then the mcq (B)
    result = cli("review", "--deck", str(deck), input="\n3\n\n3\nu\n\n4\nB\n\nq\n")
    assert "Type one letter" not in result.output
    assert "Undid the answer to mix-cloze" in result.output
    assert reviews(home)[1:] == [
        ("card:mix-cloze", 3, None, 1, 1),
        ("card:mix-cloze", 4, None, 1, 0),
        ("card:mix-mcq", 3, "B", 1, 0),
    ]


def test_undo_at_the_points_prompt(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    # ... mcq B, Enter · points: reveal, then u at "Points you recalled": the mcq comes back (A) · points: all
    result = cli("review", "--deck", str(deck), input="\n3\n\n3\nB\n\n\nu\nA\n\n\nall\n\n")
    assert "List point numbers" not in result.output
    assert "Undid the answer to mix-mcq" in result.output
    assert reviews(home)[2:] == [
        ("card:mix-mcq", 3, "B", 1, 1),
        ("card:mix-mcq", 1, "A", 0, 0),
        ("card:mix-points", 3, "1 2", 1, 0),
    ]


def test_undo_at_the_rating_prompt_of_an_mcq_takes_back_that_answer(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "mix", MIXED)
    result = cli("review", "--deck", str(deck), input="\n3\n\n3\nA\nu\nB\n\nq\n")
    assert "Undid the answer to mix-mcq" in result.output
    assert reviews(home)[-2:] == [("card:mix-mcq", 1, "A", 0, 1), ("card:mix-mcq", 3, "B", 1, 0)]


def test_undo_before_any_answer_says_so_and_asks_again(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "one", basic_deck("one", 1))
    result = cli("review", "--deck", str(deck), input="u\n\n3\n")
    assert "Nothing to undo yet." in result.output
    assert reviews(home) == [("card:one-c0", 3, None, 1, 0)]


def test_undo_drops_the_learning_step_the_answer_queued(home: Path, cli, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, "two", basic_deck("two", 2))
    # c0: again (queued to come back) · at c1's reveal u: c0 again, now easy (graduates) · c1 easy · nothing else
    result = cli("review", "--deck", str(deck), input="\n1\nu\n\n4\n\n4\n")
    assert [row[:2] for row in reviews(home) if not row[4]] == [("card:two-c0", 4), ("card:two-c1", 4)]
    assert "reviewed  2" in result.output
