"""Problem families are scheduled as skills: practice moves the schedule, review serves them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from mli_drill.problems.instance import make_instance


def test_practice_then_review_serves_the_family_with_a_new_instance(home: Path, cli) -> None:
    first = make_instance("receptive-field", "exam", 100)
    result = cli("practice", "receptive-field", "--seed", "100", "--count", "1", input=f"{first.answer}\n\n")
    assert "✓ correct" in result.output
    # the family is now in learning (due in minutes): review serves it first, drawing a fresh instance
    review = cli("review", "--limit", "1", "--json", input="s\n\n")
    assert "Receptive field" in review.output and "worked solution" in review.output
    conn = sqlite3.connect(str(home / "progress.db"))
    rows = conn.execute(
        "SELECT r.source, r.correct, r.detail FROM review_log r JOIN items i ON i.id = r.item_id WHERE i.key = 'family:receptive-field'"
    ).fetchall()
    assert [(source, correct) for source, correct, _ in rows] == [("practice", 1), ("review", 0)]
    seeds = [json.loads(detail)["seed"] for _, _, detail in rows]
    assert seeds[0] == 100 and seeds[1] != 100


def test_unparseable_answer_reprompts_with_an_example(home: Path, cli) -> None:
    inst = make_instance("segmentation-metrics", "exam", 5)
    result = cli("practice", "segmentation-metrics", "--seed", "5", "--count", "1", input=f"two thirds\n\n{inst.answer}\n\n")
    assert "e.g." in result.output and "✓ correct" in result.output
    assert "Traceback" not in result.output


def test_problems_check_exit_codes(home: Path, cli) -> None:
    inst = make_instance("image-similarity", "exam", 9)
    assert cli("problems", "check", "image-similarity", "--seed", "9", str(inst.answer)).exit_code == 0
    assert cli("problems", "check", "image-similarity", "--seed", "9", "123456").exit_code == 1
    assert cli("problems", "check", "image-similarity", "--seed", "9", "lambda: 1").exit_code == 2


def test_sample_json_reproduces_from_its_seed(home: Path, cli) -> None:
    lines = cli("problems", "sample", "adaboost", "--seed", "40", "--count", "3", "--json").output.strip().splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["seed"] for o in objects] == [40, 41, 42]
    again = json.loads(cli("problems", "sample", "adaboost", "--seed", "41", "--count", "1", "--json").output)
    assert again == objects[1]
    assert set(again) >= {"family", "level", "seed", "params", "question", "answer", "solution"}
