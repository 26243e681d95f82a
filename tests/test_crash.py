"""SIGKILL at random points of ``review``, ``practice`` and ``exam``, 20 times each.

Each round starts the command on the same database (a later day each round,
so there is always something to do), answers at a typing pace, and kills the
process at a random moment: during start-up (opening, migrating, the daily
backup) or in the middle of the session, possibly inside a commit. After each
kill:

* every answer the tool acknowledged (by showing the next item) is stored;
* nothing was stored that was not typed, in the order typed;
* ``PRAGMA integrity_check`` passes;
* and the next round, plus a final uninterrupted run, carry on from there.

Output is unbuffered (``PYTHONUNBUFFERED``) so what the test reads is what a
student would have seen on the screen at the moment of the kill.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest

from mli_drill.exam.paper import Question, compose_paper
from mli_drill.problems.instance import make_instance
from tests.conftest import ROOT, basic_deck, write_deck

ROUNDS = 20
START = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
FAMILY = "conv-output"


def env_for(home: Path, day: int) -> dict[str, str]:
    now = (START + timedelta(days=day)).isoformat()
    return {**os.environ, "MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": now, "TZ": "UTC", "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}


class Reader(threading.Thread):
    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.stream, self.chunks, self.lock = stream, [], threading.Lock()

    def run(self) -> None:
        for chunk in iter(lambda: self.stream.read(1), ""):
            with self.lock:
                self.chunks.append(chunk)

    @property
    def text(self) -> str:
        with self.lock:
            return "".join(self.chunks)


@dataclass
class Round:
    """One killed run: what was typed and what the screen showed when the process died."""

    answers_sent: list[list[str]] = field(default_factory=list)
    screen: str = ""
    stderr: str = ""
    killed: bool = False  # False: the session ended by itself before the kill came


def answer_and_kill(
    args: list[str], env: dict[str, str], answers: list[list[str]], shown: Callable[[str], int], rng: random.Random,
    waiting: Callable[[str], bool] = lambda screen: False,
) -> Round:
    """Type ``answers`` (each a group of lines) one item at a time and SIGKILL at a random moment.

    ``shown(screen)`` counts the items shown so far: the next answer is typed
    only once its item is on the screen, as a person would. ``waiting(screen)``
    says the command is waiting for input with no item shown (a paper with
    every question answered shows its summary): the session has begun, so the
    kill need not wait for an item that will not come.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "mli_drill", *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT),
    )
    out, err = Reader(process.stdout), Reader(process.stderr)
    out.start()
    err.start()
    result = Round()
    stop = threading.Event()

    def typist() -> None:
        for group in answers:
            while shown(out.text) <= len(result.answers_sent):
                if stop.is_set() or process.poll() is not None:
                    return
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.03))
            try:
                assert process.stdin is not None
                process.stdin.write("".join(line + "\n" for line in group))
                process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                return
            result.answers_sent.append(group)

    writer = threading.Thread(target=typist, daemon=True)
    writer.start()
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.9))  # during start-up: imports, opening, migrating, daily backup
    else:
        deadline = time.monotonic() + 60
        while shown(out.text) == 0 and not waiting(out.text) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.5))  # mid-session, often inside a commit
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    result.killed = process.returncode == -signal.SIGKILL
    stop.set()
    writer.join(timeout=10)
    out.join(timeout=10)
    err.join(timeout=10)
    result.screen, result.stderr = out.text, err.text
    assert process.returncode in (-signal.SIGKILL, 0), (process.returncode, result.stderr[-800:])
    return result


def integrity_ok(db: Path) -> None:
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def log_rows(db: Path, after_id: int) -> list[tuple[int, int, str | None]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        # a rating changed at the prompt leaves the first row undone (kept, never deleted): count live rows
        return conn.execute("SELECT id, rating, answer FROM review_log WHERE id > ? AND undone = 0 ORDER BY id", (after_id,)).fetchall()
    except sqlite3.OperationalError:  # killed before the schema existed
        return []
    finally:
        conn.close()


def check_round(
    db: Path,
    before_id: int,
    round_: Round,
    acknowledged: int,
    expected: Callable[[int, list[str]], tuple],
    auto_rated: Callable[[int, list[str]], tuple] | None = None,
) -> int:
    """Stored answers: at least the acknowledged ones, at most the typed ones, in typed order."""
    acknowledged = min(acknowledged, len(round_.answers_sent))  # a summary after zero answers acknowledges none
    if db.exists():
        integrity_ok(db)
    rows = log_rows(db, before_id)
    assert acknowledged <= len(rows) <= len(round_.answers_sent), (acknowledged, len(rows), len(round_.answers_sent), round_.screen[-600:])
    wanted = [expected(index, group) for index, group in enumerate(round_.answers_sent[: len(rows)])]
    if rows and rows[-1][1:] != wanted[-1] and auto_rated is not None:
        # killed after the answer was saved with its automatic rating, before the typed rating was read
        wanted[-1] = auto_rated(len(rows) - 1, round_.answers_sent[len(rows) - 1])
    assert [row[1:] for row in rows] == wanted
    return rows[-1][0] if rows else before_id


# -- review -----------------------------------------------------------------------
def cards_shown(screen: str) -> int:
    return screen.count("Enter to reveal")


def acknowledged_reviews(screen: str) -> int:
    """An answer is acknowledged when the next card (or the end-of-session summary) appears."""
    return max(0, cards_shown(screen) - 1) + (1 if "Session over" in screen else 0)


@pytest.mark.slow
def test_review_survives_sigkill(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_deck(home / "decks", "crash", basic_deck("crash", 40))
    db = home / "progress.db"
    rng = random.Random(20261)
    last_id, kills_mid_session = 0, 0
    for day in range(ROUNDS):
        answers = [["", str(rng.choice([1, 2, 3, 3, 4, 4]))] for _ in range(60)]
        round_ = answer_and_kill(["review", "--deck", "crash"], env_for(home, day), answers, cards_shown, rng)
        kills_mid_session += bool(round_.answers_sent) and round_.killed
        last_id = check_round(db, last_id, round_, acknowledged_reviews(round_.screen), lambda index, group: (int(group[1]), None))
    assert kills_mid_session >= ROUNDS // 3, "many kills should land inside a session"
    before = len(log_rows(db, 0))
    final = subprocess.run(  # a year later every card is due again: the next run resumes and serves them
        [sys.executable, "-m", "mli_drill", "review", "--deck", "crash", "--json"],
        input="\n3\n" * 200, capture_output=True, text=True, env=env_for(home, ROUNDS + 365), cwd=str(ROOT), timeout=120,
    )
    assert final.returncode == 0, final.stderr
    summary = json.loads(final.stdout.strip().splitlines()[-1])
    assert summary["reviewed"] > 0 and len(log_rows(db, 0)) - before == summary["reviewed"]
    integrity_ok(db)
    assert_items_match_log(db)


def assert_items_match_log(db: Path) -> None:
    """No half-applied answer: each item's rep count equals its stored answers."""
    conn = sqlite3.connect(str(db))
    mismatched = conn.execute(
        "SELECT i.key FROM items i WHERE i.reps != (SELECT count(*) FROM review_log r WHERE r.item_id = i.id AND r.undone = 0)"
    ).fetchall()
    conn.close()
    assert mismatched == []


# -- practice ---------------------------------------------------------------------
def problems_shown(screen: str) -> int:
    return screen.count("s show solution")


def acknowledged_problems(screen: str) -> int:
    return max(0, problems_shown(screen) - 1)


@pytest.mark.slow
def test_practice_survives_sigkill(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = home / "progress.db"
    rng = random.Random(20262)
    last_id = 0
    for day in range(ROUNDS):
        seed = 1000 * day
        answers = []
        for index in range(40):
            correct = make_instance(FAMILY, "exam", seed + index).answer_text().split("≈")[-1].strip()
            given = correct if rng.random() < 0.7 else str(int(correct) + 1)
            answers.append([given, rng.choice(["", "", "1", "2", "3", "4"])])

        def automatic(index: int, group: list[str], seed: int = seed) -> tuple:
            correct = make_instance(FAMILY, "exam", seed + index).answer_text().split("≈")[-1].strip()
            return (3 if group[0] == correct else 1, group[0])

        def expected(index: int, group: list[str]) -> tuple:
            return (int(group[1]), group[0]) if group[1] else automatic(index, group)

        # --level exam: the answers above are for exam-level instances (level auto would follow the wrong ones down)
        round_ = answer_and_kill(["practice", FAMILY, "--seed", str(seed), "--level", "exam"], env_for(home, day), answers, problems_shown, rng)
        last_id = check_round(db, last_id, round_, acknowledged_problems(round_.screen), expected, automatic)
    final = subprocess.run(
        [sys.executable, "-m", "mli_drill", "practice", FAMILY, "--count", "1", "--seed", "7", "--level", "exam"],
        input=make_instance(FAMILY, "exam", 7).answer_text() + "\n\n", capture_output=True, text=True, env=env_for(home, ROUNDS), cwd=str(ROOT), timeout=120,
    )
    assert final.returncode == 0, final.stderr
    integrity_ok(db)
    assert_items_match_log(db)


# -- exam -------------------------------------------------------------------------
QUESTION_TITLE = re.compile(r"Question \d+ of \d+")
EXAM_QUESTIONS = 12


def questions_shown(screen: str) -> int:
    return len(QUESTION_TITLE.findall(screen))


def acknowledged_exam_answers(screen: str) -> int:
    return max(0, questions_shown(screen) - 1) + (1 if "Paper #" in screen and "By question" in screen else 0)


def exam_state(db: Path) -> tuple[int | None, list[Question], list[int]]:
    """The unfinished paper (id, questions, answered positions), if any."""
    if not db.exists():
        return None, [], []
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        row = conn.execute("SELECT id, questions FROM exam_papers WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        return None, [], []
    if row is None:
        conn.close()
        return None, [], []
    answered = [r[0] for r in conn.execute("SELECT position FROM exam_answers WHERE paper_id = ? ORDER BY position", (row[0],))]
    conn.close()
    return row[0], [Question.from_dict(q) for q in json.loads(row[1])], answered


def correct_line(family: str, seed: int) -> str:
    """A line the answer reader accepts as the right answer (the display text, else the value as JSON)."""
    from mli_drill.problems.answers import AnswerSyntaxError, check

    instance = make_instance(family, "exam", seed)
    candidates = [instance.answer_text().split("≈")[-1].strip(), json.dumps(instance.answer)]
    for line in candidates:
        try:
            if check(line, instance.answer, instance.answer_spec).correct:
                return line
        except AnswerSyntaxError:
            continue
    raise AssertionError(f"no typed form of the answer to {family} seed {seed}")


def exam_lines(question: Question, rng: random.Random) -> list[str]:
    if question.kind == "problem":
        assert question.seed is not None
        return [correct_line(question.name, question.seed)]
    return ["", rng.choice(["all", "none", "1"])]


def stored_exam_answers(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return int(conn.execute("SELECT count(*) FROM exam_answers").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


@pytest.mark.slow
def test_exam_survives_sigkill_and_resumes(tmp_path: Path) -> None:
    from mli_drill.services.collection import load_collection

    candidates = load_collection().exam_candidates()
    home = tmp_path / "home"
    home.mkdir()
    db = home / "progress.db"
    rng = random.Random(20263)
    resumed = killed = 0
    for day in range(ROUNDS):
        paper_id, questions, answered = exam_state(db)
        seed = 500 + day
        if paper_id is None:
            questions = compose_paper(candidates, EXAM_QUESTIONS, seed, None)
        pending = [q for q in questions if q.position not in answered]
        answers = [exam_lines(q, rng) for q in pending]
        before = stored_exam_answers(db)
        args = ["exam", "--questions", str(EXAM_QUESTIONS), "--seed", str(seed), "--minutes", "600"]
        round_ = answer_and_kill(args, env_for(home, day), answers, questions_shown, rng, waiting=lambda screen: "Your paper:" in screen)
        killed += round_.killed
        if paper_id is not None and "Resuming paper" in round_.screen:
            resumed += 1
            assert f"Resuming paper #{paper_id} ({len(answered)} of {EXAM_QUESTIONS} answered)" in round_.screen
        if db.exists():
            integrity_ok(db)
        stored = stored_exam_answers(db) - before
        acknowledged = min(acknowledged_exam_answers(round_.screen), len(round_.answers_sent))
        assert acknowledged <= stored <= len(round_.answers_sent), (acknowledged, stored, len(round_.answers_sent), round_.screen[-3000:])
    assert resumed >= 3 and killed >= ROUNDS // 3, (resumed, killed)
    paper_id, questions, answered = exam_state(db)
    pending = [q for q in questions if q.position not in answered]
    lines = [line for q in pending for line in exam_lines(q, rng)]
    final = subprocess.run(
        [sys.executable, "-m", "mli_drill", "exam", "--json"], input="\n".join(lines + ["q"]) + "\n",  # q hands it in
        capture_output=True, text=True, env=env_for(home, ROUNDS), cwd=str(ROOT), timeout=120,
    )
    assert final.returncode == 0, final.stderr
    report = json.loads(final.stdout.strip().splitlines()[-1])
    if paper_id is not None:
        assert report["paper"] == paper_id and report["answered"] == EXAM_QUESTIONS
    integrity_ok(db)


# -- the acknowledgement must follow the commit ------------------------------------
class _Killed(Exception):
    """Stands for the process dying inside a commit."""


def test_exam_says_recorded_only_after_the_answer_is_committed() -> None:
    from mli_drill import clock
    from mli_drill.exam.session import ExamSession
    from mli_drill.review.events import Notice

    events: list[object] = []

    class Terminal:
        def ask(self, prompt: str) -> str:
            return make_instance(FAMILY, "exam", 3).answer_text()

        def emit(self, event: object) -> None:
            events.append(event)

    class DiesWhileCommitting:
        exams = None

        def __init__(self) -> None:
            self.exams = self

        def record_answer(self, *args: object) -> None:
            raise _Killed

    question = Question(position=1, kind="problem", key=f"family:{FAMILY}", topic="cnn", max_marks=4, seed=3)
    session = ExamSession(DiesWhileCommitting(), Terminal(), 1, [question], {}, "exam", 600, clock.now)
    with pytest.raises(_Killed):
        session.run(set())
    claims = [e for e in events if isinstance(e, Notice) and "recorded" in e.text.lower()]
    assert claims == [], "the student was told the answer was recorded, but it was never committed"
