"""Levels that follow ability, and interleaved practice, driven end to end with piped input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from mli_drill.review.ability import Abilities, Answer, choose
from mli_drill.problems.instance import make_instance
from mli_drill.review.interleave import MAX_RUN

FAMILY = "receptive-field"


def served(home: Path, source: str = "practice") -> list[tuple[str, str, int]]:
    """(family, level, correct) of each live answer, in order."""
    conn = sqlite3.connect(str(home / "progress.db"))
    try:
        rows = conn.execute(
            "SELECT substr(i.key, 8), json_extract(r.detail, '$.level'), r.correct FROM review_log r JOIN items i ON i.id = r.item_id"
            " WHERE i.kind = 'family' AND r.undone = 0 AND r.source = ? ORDER BY r.id",
            (source,),
        ).fetchall()
    finally:
        conn.close()
    return [(family, level, int(correct)) for family, level, correct in rows]


def right_answers(seed: int, count: int) -> str:
    """Input answering ``count`` problems right, problem i drawn at the level auto picks then (seed + i)."""
    state, lines = Abilities(), []
    for i in range(count):
        level = choose(state, FAMILY).level
        lines += [str(make_instance(FAMILY, level, seed + i).answer), ""]
        state.update(Answer(FAMILY, level, True))
    return "\n".join(lines) + "\n"


def test_practice_levels_climb_with_right_answers_and_fall_with_wrong_ones(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    climb = cli("practice", FAMILY, "--seed", "100", "--count", "5", input=right_answers(100, 5))
    assert climb.exit_code == 0, climb.output
    assert "· exam: new to you, predicted 75% · seed 100" in climb.output, "the header names the level and why"
    assert "· hard: you are at " in climb.output
    levels = [level for _, level, _ in served(home)]
    assert [correct for *_, correct in served(home)] == [1] * 5
    assert levels[0] == "exam" and levels[-1] == "hard", levels
    assert "exam → hard" in climb.output, "the summary shows the level change"

    fall = cli("practice", FAMILY, "--seed", "200", "--count", "5", input="s\n\n" * 5)  # s: shown, counted as wrong
    levels = [level for _, level, _ in served(home)][5:]
    assert levels[0] == "hard" and levels[-1] == "easy", levels
    assert "hard → easy" in fall.output

    forced = cli("practice", FAMILY, "--seed", "300", "--count", "1", "--level", "hard", input="s\n\n")
    assert served(home)[-1][1] == "hard", "--level still forces a level"
    assert "· hard · seed 300" in forced.output, "a forced level gives no reason"


def test_the_level_setting_is_auto_by_default_and_can_fix_a_level(home: Path, cli) -> None:
    assert cli("config", "get", "level").output.strip() == "auto"
    assert cli("config", "set", "level", "easy").output.strip() == "level = easy"
    cli("practice", FAMILY, "--seed", "1", "--count", "1", input="s\n\n")
    assert served(home)[-1][1] == "easy"
    refused = cli("config", "set", "level", "medium")  # a known error: one line and exit 2, inside the app
    assert refused.exit_code == 2 and "must be auto, easy, exam or hard" in refused.output
    assert cli("config", "get", "level").output.strip() == "easy"


def test_undoing_an_answer_takes_it_out_of_the_ability_too(home: Path, cli) -> None:
    cli("practice", FAMILY, "--seed", "1", "--count", "1", input="s\n1\n")  # wrong, rated again
    before = json.loads(cli("status", "--json").output)["levels"]["families"][FAMILY]
    assert before["answers"] == 1 and before["level"] == "easy"
    cli("practice", FAMILY, "--seed", "2", "--count", "1", input="s\nu\nq\n")  # wrong, then undone at the rating prompt
    after = json.loads(cli("status", "--json").output)["levels"]["families"][FAMILY]
    assert after == before


def test_status_json_and_stats_show_ability_level_and_predicted_success(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("practice", FAMILY, "--seed", "7", "--count", "2", input="s\n\ns\n\n")
    levels = json.loads(cli("status", "--json").output)["levels"]
    row = levels["families"][FAMILY]
    assert levels["mode"] == "auto" and levels["target"] == 0.75
    assert row["answers"] == 2 and row["ability"] < 0 and row["level"] == "easy"
    assert row["success"]["easy"] > row["success"]["exam"] > row["success"]["hard"]
    assert levels["families"]["conv-output"] == {"ability": 0.0, "answers": 0, "level": "exam",
                                                 "success": levels["families"]["conv-output"]["success"]}
    assert set(levels["difficulties"]) == {"easy", "exam", "hard"}
    assert json.loads(cli("stats", "--json").output)["levels"] == levels
    monkeypatch.setenv("COLUMNS", "100")
    text = cli("stats").output
    assert "Problem levels" in text and FAMILY in text.split("Problem levels")[1]
    line = next(line for line in text.split("Problem levels")[1].splitlines() if line.startswith(FAMILY))
    assert line.split()[1:4] == [f"{row['ability']:+.2f}", "2", "easy"]


def test_review_draws_a_family_at_its_auto_level(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("practice", FAMILY, "--seed", "7", "--count", "2", input="s\n\ns\n\n")  # down to easy; due again in minutes
    monkeypatch.setenv("MLI_DRILL_NOW", "2026-05-01T09:15:00+00:00")
    result = cli("review", "--limit", "1", input="s\n\n")
    assert "Receptive field" in result.output and "· easy: you are at" in result.output
    assert served(home, "review") == [(FAMILY, "easy", 0)]


def test_exam_draws_each_computation_at_its_family_level(home: Path, cli) -> None:
    cli("practice", FAMILY, "--seed", "7", "--count", "2", input="s\n\ns\n\n")
    result = cli("exam", "--questions", "8", "--topic", "cnn", "--seed", "3", "--json", input="q\n")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(str(home / "progress.db"))
    (paper_level, questions), = conn.execute("SELECT level, questions FROM exam_papers").fetchall()
    conn.close()
    problems = {q["key"][len("family:"):]: q["level"] for q in json.loads(questions) if q["kind"] == "problem"}
    assert paper_level == "auto" and problems, problems
    assert all(level == ("easy" if name == FAMILY else "exam") for name, level in problems.items()), problems


def longest_run(families: list[str]) -> int:
    longest = current = 0
    for index, family in enumerate(families):
        current = current + 1 if index and family == families[index - 1] else 1
        longest = max(longest, current)
    return longest


def test_practice_without_a_family_interleaves_the_families_that_need_work(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    result = cli("practice", "--count", "14", "--seed", "1", "--json", input="s\n\n" * 14)
    assert result.exit_code == 0, result.output
    families = [family for family, _, _ in served(home)]
    assert len(families) == 14 and len(set(families)) == 6, families
    assert longest_run(families) <= MAX_RUN
    assert "Mixing 6 families, interleaved:" in result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert {row["family"] for row in summary["families"]} == set(families)
    assert all(row["level_before"] == "exam" and row["level_after"] == "easy" for row in summary["families"] if row["answered"])
    assert "By family" in result.output and "exam → easy" in result.output


def test_names_and_topics_narrow_the_mix(home: Path, cli) -> None:
    from mli_drill.problems.spec import load_spec

    cli("practice", "conv-output", "receptive-field", "--count", "6", input="s\n\n" * 6)
    assert [f for f, _, _ in served(home)] == ["conv-output", "receptive-field"] * 3 or \
        [f for f, _, _ in served(home)] == ["receptive-field", "conv-output"] * 3
    cli("practice", "--topic", "segmentation", "--count", "5", input="s\n\n" * 5)
    topics = {load_spec(f).topic for f, _, _ in served(home)[6:]}
    assert topics == {"segmentation"}
    cli("practice", FAMILY, "--mix", "--count", "3", input="s\n\n" * 3)
    assert [f for f, _, _ in served(home)[11:]] == [FAMILY] * 3, "one family alone may run"
    bad = cli("practice", "--topic", "astrology")
    assert bad.exit_code == 2 and "topics:" in bad.output
    assert cli("practice", "not-a-family").exit_code == 2


def test_due_families_and_recurring_slips_lead_the_mix(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from mli_drill.problems.mistakes import diagnose, mistake_answers

    monkeypatch.setenv("COLUMNS", "200")
    slip, slipped = "ignores-stride", []
    for seed in range(1000):  # two instances whose ignores-stride answer no other slip gives
        instance = make_instance(FAMILY, "exam", seed)
        value = dict(mistake_answers(instance)).get(slip)
        if value is not None and [d.id for d in diagnose(instance, value)] == [slip]:
            slipped.append((seed, value))
        if len(slipped) == 2:
            break
    for seed, value in slipped:
        cli("practice", FAMILY, "--seed", str(seed), "--count", "1", "--level", "exam", input=f"{value}\n\n")
    cli("practice", "conv-output", "--count", "1", "--seed", "5", input="s\n\n")  # in learning: due again in minutes
    monkeypatch.setenv("MLI_DRILL_NOW", "2026-05-02T09:00:00+00:00")
    result = cli("practice", "--count", "2", input="q\n")
    announced = [line.strip() for line in result.output.split("Mixing 6 families, interleaved:")[1].splitlines()[1:7]]
    assert announced[0].startswith(f"{FAMILY} (due, 1 recurring slip, "), announced
    assert announced[1].startswith("conv-output (due, "), announced
    assert not any("due" in line or "recurring" in line for line in announced[2:]), announced


def test_undo_asks_the_same_problem_at_the_same_level(home: Path, cli) -> None:
    """The undone answer leaves the ability as it was when the problem was drawn, so the level (and instance) repeat."""
    cli("practice", FAMILY, "--seed", "3", "--count", "1", input="s\n\n")  # wrong: receptive-field now at easy
    cli("practice", FAMILY, "--seed", "50", "--count", "1", input="s\nu\ns\n\n")  # wrong, undone, asked again, wrong
    conn = sqlite3.connect(str(home / "progress.db"))
    rows = conn.execute("SELECT undone, detail FROM review_log ORDER BY id").fetchall()[1:]
    conn.close()
    assert [undone for undone, _ in rows] == [1, 0]
    assert json.loads(rows[0][1]) == json.loads(rows[1][1]) == {"family": FAMILY, "level": "easy", "seed": 50}
