"""A real session in a pseudo-terminal (pexpect), and SIGKILL in the middle of a session."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, ROOT, basic_deck, write_deck

pexpect = pytest.importorskip("pexpect")


def env_for(home: Path) -> dict[str, str]:
    return {**os.environ, "MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC", "COLUMNS": "100"}


def count_reviews(home: Path) -> int:
    db = home / "progress.db"
    if not db.exists():
        return 0
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return conn.execute("SELECT count(*) FROM review_log WHERE undone = 0").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_session_in_a_pseudo_terminal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_deck(home / "decks", "pty", basic_deck("pty", 3))
    (home / "settings.json").write_text('{"keys": "line"}', encoding="utf-8")  # Enter ends each answer (one key: test_single_key.py)
    child = pexpect.spawn(sys.executable, ["-m", "mli_drill", "review", "--deck", "pty"], env=env_for(home), cwd=str(ROOT), encoding="utf-8", timeout=60, dimensions=(40, 100))
    child.expect("Question 0")
    child.expect("Enter to reveal")
    child.sendline("")
    child.expect("Answer 0")
    child.expect("good")
    child.sendline("x")  # a typo: re-prompted, not a crash
    child.expect("Rate with 1-4")
    child.sendline("3")
    child.expect("Question 1")
    child.expect("Enter to reveal")
    child.expect("> ")
    # Ctrl-C once input() is blocked reading. CPython's input() checks for
    # signals only when its read is interrupted, so a SIGINT landing between
    # writing "> " and starting the read waits for the next keystroke: a
    # window of microseconds for a person, but a loaded CI machine hit it.
    time.sleep(0.5)
    child.sendintr()  # Ctrl-C: ends with a summary, nothing lost
    child.expect("Session over")
    child.expect("reviewed  1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert count_reviews(home) == 1


@pytest.mark.parametrize("answers", [0, 1, 3])
def test_sigkill_after_k_answers_keeps_exactly_k(tmp_path: Path, answers: int) -> None:
    home = tmp_path / "home"
    write_deck(home / "decks", "kill", basic_deck("kill", 6))
    process = subprocess.Popen(
        [sys.executable, "-m", "mli_drill", "review", "--deck", "kill"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env_for(home), cwd=str(ROOT), text=True,
    )
    assert process.stdin is not None
    for k in range(1, answers + 1):
        process.stdin.write("\n4\n")  # easy: graduates, so the rerun serves only the rest
        process.stdin.flush()
        deadline = time.monotonic() + 30
        while count_reviews(home) < k and time.monotonic() < deadline:
            time.sleep(0.02)
    process.stdin.write("\n")  # half-way through the next card
    process.stdin.flush()
    time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert count_reviews(home) == answers
    if (home / "progress.db").exists():
        conn = sqlite3.connect(str(home / "progress.db"))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    # the next run resumes cleanly: the remaining cards are served and stored
    result = subprocess.run(
        [sys.executable, "-m", "mli_drill", "review", "--deck", "kill"], input="\n4\n" * 6, capture_output=True, text=True, env=env_for(home), cwd=str(ROOT), timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"reviewed  {6 - answers}" in result.stdout
    assert count_reviews(home) == 6
