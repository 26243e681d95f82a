"""Mock exams end to end with piped input: marking, skipping, resuming, history, no schedule change."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from mli_drill.services.collection import load_collection
from mli_drill.exam.paper import compose_paper
from mli_drill.problems.instance import make_instance
from tests.conftest import FIXED_NOW, exam_seed, typed_answer


HAND_IN = "q"  # end of input alone leaves a paper unfinished: piped input hands it in with q


def perfect_answers(seed: int, count: int, topics: list[str] | None = None) -> tuple[list, str]:
    """The paper a seed gives, and input lines answering every question fully, then handing it in."""
    questions = compose_paper(load_collection().exam_candidates(), count, seed, topics)
    lines = []
    for q in questions:
        if q.kind == "problem":
            lines.append(typed_answer(q.name, q.seed))
        else:
            lines += ["", "all"]
    return questions, "\n".join(lines + [HAND_IN]) + "\n"


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


def test_history_shows_an_unfinished_paper_as_unfinished(home: Path, cli) -> None:
    """Not "0/0" (QA): a paper left at end of input is resumed, not scored."""
    assert cli("exam", "--questions", "2", "--seed", "11", input="").exit_code == 0
    listed = cli("exam", "history").output
    assert "unfinished" in listed and "0/0" not in listed


def test_wrong_answers_skips_and_weak_topics(home: Path, cli) -> None:
    questions, _ = perfect_answers(seed=5, count=4)
    lines = ["n"]  # skip the first question; answer the rest wrongly, then the skipped one, which comes back last
    for q in questions[1:] + questions[:1]:
        lines += ["-12345"] if q.kind == "problem" else ["", "none"]
    result = cli("exam", "--questions", "4", "--seed", "5", "--json", input="\n".join(lines + [HAND_IN]) + "\n")
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
    result = cli("exam", "--questions", "4", "--seed", "5", input="\n".join(lines + [HAND_IN]) + "\n")
    for q in questions:
        if q.kind == "problem":
            expected = make_instance(q.name, "exam", q.seed).answer_text()
            line = f"Q{q.position} {q.name}: you gave -12345, the answer is {expected} — working: mli-drill problems sample {q.name} --seed {q.seed} --level exam"
            assert line in result.output


# -- the paper keeps its promises (issue 12) -----------------------------------------------
def test_end_of_input_leaves_the_paper_unfinished_with_its_answers(home: Path, cli) -> None:
    questions, answers = perfect_answers(seed=21, count=4)
    lines = answers.splitlines()
    first = 1 if questions[0].kind == "problem" else 2
    result = cli("exam", "--questions", "4", "--seed", "21", "--json", input="\n".join(lines[:first]) + "\n")
    assert result.exit_code == 0
    assert "Paper #1 is not handed in (end of input): 1 of 4 answers are kept." in result.output
    status = json.loads(result.output.strip().splitlines()[-1])
    assert status == {"paper": 1, "handed_in": False, "ended": "end of input", "answered": 1, "questions": 4, "seconds_left": 3600.0}
    assert db(home).execute("SELECT finished_at FROM exam_papers").fetchall() == [(None,)]
    again = cli("exam", "--json", input="\n".join(lines[first:]) + "\n")
    assert "Resuming paper #1 (1 of 4 answered) with 60:00 left." in again.output
    report = json.loads(again.output.strip().splitlines()[-1])
    assert report["paper"] == 1 and report["answered"] == 4 and report["score"] == report["max_score"]


def test_the_summary_goes_to_a_question_to_revise_it(home: Path, cli) -> None:
    seed = exam_seed()
    questions, _ = perfect_answers(seed=seed, count=3)
    right = [typed_answer(q.name, q.seed) for q in questions if q.kind == "problem"]
    lines = ["1", "n", right[1], "n", "1", right[0], "n", "y"]  # wrong, skip, right, skip again -> summary; revise 1
    result = cli("exam", "--questions", "3", "--seed", str(seed), "--json", input="\n".join(lines) + "\n")
    assert "answered    1 3" in result.output and "skipped     2" in result.output
    assert "Your recorded answer: 1" in result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert [q["marks"] for q in report["per_question"]] == [2, 0, 2]


class SlowStudent(io.BytesIO):
    """Piped input whose lines arrive at given moments: reading line k moves the clock to ``moments[k]``."""

    def __init__(self, lines: list[str], moments: list[datetime], clock_file: Path):
        super().__init__("".join(line + "\n" for line in lines).encode())
        self.moments, self.clock_file = list(moments), clock_file

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        if self.moments:
            self.clock_file.write_text(self.moments.pop(0).isoformat(), encoding="utf-8")
        return super().readline(size)


def test_an_answer_after_time_is_up_is_kept_as_late_and_not_scored(home: Path, cli, tmp_path: Path, monkeypatch) -> None:
    """The issue's case: a 1-minute paper, the right answer typed after 63 s."""
    seed = exam_seed()
    questions, _ = perfect_answers(seed=seed, count=3)
    answer = typed_answer(questions[0].name, questions[0].seed)
    clock_file = tmp_path / "now.txt"
    start = datetime.fromisoformat(FIXED_NOW)
    clock_file.write_text(start.isoformat(), encoding="utf-8")
    monkeypatch.setenv("MLI_DRILL_NOW", f"@{clock_file}")
    student = SlowStudent([answer], [start + timedelta(seconds=63)], clock_file)
    import typer.testing

    copy_input = typer.testing.make_input_stream  # the runner copies its input; this student must be read as is
    monkeypatch.setattr(typer.testing, "make_input_stream", lambda given, charset: given if given is student else copy_input(given, charset))
    result = cli("exam", "--minutes", "1", "--questions", "3", "--seed", str(seed), "--json", input=student)
    lines = [line.strip() for line in result.output.splitlines()]
    text = " ".join(result.output.split())
    assert "Answer recorded." not in text
    assert "Your answer to question 1 came after time was up: it is kept as late and not scored." in text
    assert "Time is up." in text and "1 late, not scored" in text
    missed = lines.index(next(line for line in lines if line.startswith(f"Q1 {questions[0].name}: you gave no answer")))
    assert lines[missed + 1] == f"↳ late: answered after time was up ({answer}): kept, not scored.", "said under its question"
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["score"] == 0 and report["answered"] == 0 and report["late"] == 1 and report["ended"] == "time is up"
    assert report["per_question"][0]["late_answer"] == answer
    assert db(home).execute("SELECT count(*) FROM exam_answers").fetchone()[0] == 0


def paper_with_a_matrix_question(count: int) -> tuple[int, list, int]:
    """The first seed whose paper asks for a matrix: (seed, questions, index of that question)."""
    for seed in range(1, 500):
        questions = compose_paper(load_collection().exam_candidates(), count, seed)
        for index, q in enumerate(questions):
            if q.kind == "problem" and make_instance(q.name, "exam", q.seed).answer_spec.kind == "matrix":
                return seed, questions, index
    raise AssertionError("no paper asks for a matrix")


def test_the_report_shows_each_wrong_entry_of_a_matrix(home: Path, cli) -> None:
    seed, questions, index = paper_with_a_matrix_question(3)
    matrix_question = questions[index]
    instance = make_instance(matrix_question.name, "exam", matrix_question.seed)
    given = [list(row) for row in instance.answer]
    given[0][0] += 10
    given[-1][-1] += 10
    lines = ["n"] * index + [json.dumps(given), "q"]  # skip to the matrix question, answer it, hand in
    result = cli("exam", "--questions", "3", "--seed", str(seed), input="\n".join(lines) + "\n")
    rows, cols = len(given), len(given[0])
    first = rf"↳ entry \(row 1, column 1\): expected {instance.answer[0][0]:g} \(within [^)]+\), got {given[0][0]:g}"
    last = rf"↳ entry \(row {rows}, column {cols}\): expected {instance.answer[-1][-1]:g} \(within [^)]+\), got {given[-1][-1]:g}"
    report_lines = [line.strip() for line in result.output.splitlines()]
    start = next(i for i, line in enumerate(report_lines) if line.startswith(f"Q{matrix_question.position} {matrix_question.name}: you gave"))
    under = report_lines[start + 1 : start + 3]
    assert re.fullmatch(first, under[0]) and re.fullmatch(last, under[1]), ("one line per wrong entry, under its question", under)


def test_exam_help_states_the_promises(cli) -> None:
    text = " ".join(cli("exam", "--help").output.split())
    for phrase in ["handed in only when you type q or when time is up", "Hand in now? [y/N]", "N goes back to the question",
                   "End of input, closing the terminal (SIGHUP), SIGTERM and a second Ctrl-C", "kept as late and not scored",
                   "warning at 5 minutes and at 1 minute left", "resumes it"]:
        assert phrase in text, phrase
