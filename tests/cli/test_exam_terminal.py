"""A mock paper in a real pseudo-terminal (pexpect): Ctrl-C, hang-ups, end of input and the deadline.

The promises: the paper is handed in only by q (confirmed) or by the clock;
Ctrl-C asks first; a second Ctrl-C, SIGHUP, SIGTERM and end of input leave it
unfinished with its answers kept; time runs out even while a prompt waits.

Keys are sent only once the prompt ("> ") is on the screen. The deadline test
moves the clock through ``MLI_DRILL_NOW=@FILE``, so nothing here depends on
how fast the machine is.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mli_drill.services.collection import load_collection
from mli_drill.exam.paper import Question, compose_paper
from tests.conftest import FIXED_NOW, ROOT, exam_seed, typed_answer

pexpect = pytest.importorskip("pexpect")

COUNT = 3
SEED = exam_seed()  # a paper asking a computation, a list question, a computation
TIMEOUT = 90  # generous: a loaded 2-core machine starts Python slowly


def paper() -> list[Question]:
    questions = compose_paper(load_collection().exam_candidates(), COUNT, SEED)
    assert [q.kind for q in questions] == ["problem", "points", "problem"], "the tests below assume this paper"
    return questions


def right_answer(question: Question) -> str:
    assert question.seed is not None
    return typed_answer(question.name, question.seed)


def env_for(home: Path, now: str = FIXED_NOW) -> dict[str, str]:
    return {**os.environ, "MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": now, "TZ": "UTC", "COLUMNS": "120"}


def spawn(home: Path, *args: str, now: str = FIXED_NOW):  # type: ignore[no-untyped-def]
    return pexpect.spawn(
        sys.executable, ["-m", "mli_drill", "exam", *args], env=env_for(home, now), cwd=str(ROOT),
        encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 120),
    )


def at_prompt(child, text: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for a prompt line containing ``text`` and for the "> " after it: input is being read."""
    child.expect_exact(text)
    child.expect_exact("> ")


def answer_first_question(child) -> None:  # type: ignore[no-untyped-def]
    child.expect_exact("Question 1 of 3")
    at_prompt(child, "Answer · n skip for now")
    child.sendline(right_answer(paper()[0]))
    child.expect_exact("Answer recorded.")
    child.expect_exact("Question 2 of 3")
    at_prompt(child, "Enter for the marking scheme")


def papers(home: Path) -> list[tuple[int, str | None]]:
    conn = sqlite3.connect(str(home / "progress.db"), timeout=10)
    try:
        return conn.execute("SELECT id, finished_at FROM exam_papers ORDER BY id").fetchall()
    finally:
        conn.close()


def answers(home: Path) -> list[tuple[int, float]]:
    conn = sqlite3.connect(str(home / "progress.db"), timeout=10)
    try:
        return conn.execute("SELECT position, marks FROM exam_answers ORDER BY position").fetchall()
    finally:
        conn.close()


def assert_resumable_with_first_answer(home: Path) -> None:
    """The paper is unfinished, its answer kept, and the next run resumes it and can finish it."""
    assert papers(home) == [(1, None)]
    assert answers(home) == [(1, 2.0)]
    questions = paper()
    rest = ["", "all", right_answer(questions[2]), "q"]
    result = subprocess.run(
        [sys.executable, "-m", "mli_drill", "exam", "--json"], input="\n".join(rest) + "\n",
        capture_output=True, text=True, env=env_for(home), cwd=str(ROOT), timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    assert "Resuming paper #1 (1 of 3 answered)" in result.stdout
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["paper"] == 1 and report["answered"] == 3 and report["score"] == report["max_score"]


def test_ctrl_c_asks_and_n_goes_back_and_y_hands_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "--questions", str(COUNT), "--seed", str(SEED))
    child.expect_exact("Question 1 of 3")
    at_prompt(child, "Answer · n skip for now")
    child.sendintr()
    child.expect_exact("Your paper: 0 of 3 answered")
    at_prompt(child, "Hand in now? [y/N]")
    child.sendline("n")  # back to the question, which still takes its answer
    at_prompt(child, "Answer · n skip for now")
    child.sendline(right_answer(paper()[0]))
    child.expect_exact("Answer recorded.")
    child.expect_exact("Question 2 of 3")
    at_prompt(child, "Enter for the marking scheme")
    child.sendintr()
    child.expect_exact("Your paper: 1 of 3 answered")
    child.expect(r"unanswered\s+2 3")
    at_prompt(child, "Hand in now? [y/N]")
    child.sendline("y")
    child.expect_exact("Paper #1")
    child.expect_exact("score 2 / ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert papers(home)[0][1] is not None, "handed in"


def test_q_on_a_terminal_asks_before_handing_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "--questions", str(COUNT), "--seed", str(SEED))
    answer_first_question(child)
    child.sendline("q")
    child.expect_exact("Your paper: 1 of 3 answered")
    at_prompt(child, "Hand in now? [y/N]")
    child.sendline("")  # Enter is No
    at_prompt(child, "Enter for the marking scheme")
    child.sendline("q")
    at_prompt(child, "Hand in now? [y/N]")
    child.sendline("y")
    child.expect_exact("score 2 / ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and papers(home)[0][1] is not None


def test_a_second_ctrl_c_leaves_the_paper_to_resume(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "--questions", str(COUNT), "--seed", str(SEED))
    answer_first_question(child)
    child.sendintr()
    at_prompt(child, "Hand in now? [y/N]")
    child.sendintr()
    child.expect_exact("Paper #1 is not handed in (interrupted): 1 of 3 answers are kept.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert_resumable_with_first_answer(home)


@pytest.mark.parametrize("number", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_hangup_and_terminate_leave_the_paper_to_resume(tmp_path: Path, number: int) -> None:
    home = tmp_path / "home"
    child = spawn(home, "--questions", str(COUNT), "--seed", str(SEED))
    answer_first_question(child)
    child.kill(number)
    child.expect_exact(f"Paper #1 is not handed in ({signal.Signals(number).name})")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 128 + number
    assert_resumable_with_first_answer(home)


def test_end_of_input_leaves_the_paper_to_resume(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "--questions", str(COUNT), "--seed", str(SEED))
    answer_first_question(child)
    child.sendeof()  # Ctrl-D
    child.expect_exact("Paper #1 is not handed in (end of input)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert_resumable_with_first_answer(home)


def set_clock(path: Path, moment: datetime) -> None:
    """Move the clock of the running process (atomically: it never reads half a time)."""
    part = path.with_suffix(".part")
    part.write_text(moment.isoformat(), encoding="utf-8")
    os.replace(part, path)


def test_time_runs_out_while_a_prompt_waits(tmp_path: Path) -> None:
    home = tmp_path / "home"
    clock_file = tmp_path / "now.txt"
    start = datetime.fromisoformat(FIXED_NOW)
    set_clock(clock_file, start)
    child = spawn(home, "--questions", str(COUNT), "--seed", str(SEED), "--minutes", "10", now=f"@{clock_file}")
    answer_first_question(child)  # the clock has not moved: 10:00 left
    set_clock(clock_file, start + timedelta(minutes=5, seconds=30))
    child.expect_exact("5 minutes left")  # the waiting prompt is interrupted for the warning
    at_prompt(child, "⏱ 4:30 left")
    set_clock(clock_file, start + timedelta(minutes=9, seconds=15))
    child.expect_exact("1 minute left")
    at_prompt(child, "⏱ 0:45 left")
    set_clock(clock_file, start + timedelta(minutes=10, seconds=1))
    child.expect_exact("Time is up.")  # nobody typed anything: the clock handed it in
    child.expect_exact("answered 1 of 3")
    child.expect(r"time[\s│]*10m 00s")  # the paper's time by the clock, not only the answered question's 0 s (QA)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert papers(home)[0][1] is not None
    assert answers(home) == [(1, 2.0)]
