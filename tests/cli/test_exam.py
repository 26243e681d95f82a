"""Mock exams end to end with piped input: marking, skipping, resuming, history, no schedule change."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from mli_drill.collection import load_collection
from mli_drill.exam import compose_paper
from mli_drill.instance import make_instance


def perfect_answers(seed: int, count: int, topics: list[str] | None = None) -> tuple[list, str]:
    """The paper a seed gives, and input lines answering every question fully."""
    questions = compose_paper(load_collection().exam_candidates(), count, seed, topics)
    lines = []
    for q in questions:
        if q.kind == "problem":
            lines.append(make_instance(q.name, "exam", q.seed).answer_text().split("≈")[-1].strip())
        else:
            lines += ["", "all"]
    return questions, "\n".join(lines) + "\n"


def db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(home / "progress.db"))


def test_full_marks_report_is_stored_and_listed(home: Path, cli) -> None:
    questions, answers = perfect_answers(seed=11, count=6)
    assert {q.kind for q in questions} == {"problem", "points"}
    result = cli("exam", "--questions", "6", "--seed", "11", "--json", input=answers)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["score"] == report["max_score"] == sum(q.max_marks for q in questions)
    assert report["answered"] == 6 and report["weakest_topics"] == []
    stored = db(home).execute("SELECT score, max_score, finished_at FROM exam_papers").fetchall()
    assert stored[0][0] == stored[0][1] and stored[0][2] is not None
    history = json.loads(cli("exam", "history", "--json").output)
    assert [(p["paper"], p["percent"]) for p in history] == [(1, 100.0)]
    assert db(home).execute("SELECT count(*) FROM review_log").fetchone()[0] == 0, "no schedule change without --reschedule"


def test_wrong_answers_skips_and_weak_topics(home: Path, cli) -> None:
    questions, _ = perfect_answers(seed=5, count=4)
    lines = ["n"]  # skip the first question; answer the rest wrongly, then the skipped one, which comes back last
    for q in questions[1:] + questions[:1]:
        lines += ["-12345"] if q.kind == "problem" else ["", "none"]
    result = cli("exam", "--questions", "4", "--seed", "5", "--json", input="\n".join(lines) + "\n")
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["score"] == 0 and report["answered"] == 4
    assert report["weakest_topics"], "every topic scored 0"
    problems = [q.name for q in questions if q.kind == "problem"]
    assert set(problems) <= set(report["practise_next"])


def test_interrupted_paper_resumes(home: Path, cli) -> None:
    questions, answers = perfect_answers(seed=21, count=4)
    first_lines = answers.splitlines()
    first_count = 1 if questions[0].kind == "problem" else 2
    cli("exam", "--questions", "4", "--seed", "21", input="\n".join(first_lines[:first_count]) + "\nq\n")
    conn = db(home)
    conn.execute("UPDATE exam_papers SET finished_at = NULL")  # as if the terminal had been closed mid-paper
    conn.commit()
    result = cli("exam", "--json", input="\n".join(first_lines[first_count:]) + "\n")
    assert "Resuming paper #1 (1 of 4 answered)" in result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["score"] == report["max_score"] and report["paper"] == 1


def test_reschedule_moves_the_schedule(home: Path, cli) -> None:
    _, answers = perfect_answers(seed=3, count=3)
    cli("exam", "--questions", "3", "--seed", "3", "--reschedule", input=answers)
    rows = db(home).execute("SELECT source, correct FROM review_log").fetchall()
    assert rows == [("exam", 1)] * 3


def test_topic_filter_and_unknown_topic(home: Path, cli) -> None:
    questions, answers = perfect_answers(seed=8, count=3, topics=["segmentation"])
    assert {q.topic for q in questions} == {"segmentation"}
    result = cli("exam", "--questions", "3", "--seed", "8", "--topic", "segmentation", "--json", input=answers)
    report = json.loads(result.output.strip().splitlines()[-1])
    assert list(report["topics"]) == ["segmentation"] and report["percent"] == 100.0
    bad = cli("exam", "--topic", "astrology", input="")
    assert bad.exit_code == 2 and "unknown topic 'astrology'" in bad.output


def test_report_shows_the_answer_and_working_of_missed_problems(home: Path, cli) -> None:
    questions, _ = perfect_answers(seed=5, count=4)
    lines = []
    for q in questions:
        lines += ["-12345"] if q.kind == "problem" else ["", "all"]
    result = cli("exam", "--questions", "4", "--seed", "5", input="\n".join(lines) + "\n")
    for q in questions:
        if q.kind == "problem":
            expected = make_instance(q.name, "exam", q.seed).answer_text()
            line = f"Q{q.position} {q.name}: you gave -12345, the answer is {expected} — working: mli-drill problems sample {q.name} --seed {q.seed} --level exam"
            assert line in result.output
