"""At 80x24 a wrong answer's worked solution is paged with the question kept in view (issue 13), in a real terminal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, ROOT, wait_until_reading_keys

pexpect = pytest.importorskip("pexpect")


def test_long_solution_pages_under_the_question(tmp_path: Path) -> None:
    env = {**os.environ, "MLI_DRILL_HOME": str(tmp_path), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC", "TERM": "xterm"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    child = pexpect.spawn(sys.executable, ["-m", "mli_drill", "practice", "receptive-field", "--seed", "42", "--count", "1"],
                          env=env, cwd=str(ROOT), encoding="utf-8", timeout=60, dimensions=(24, 80))
    child.expect("Answer")
    child.sendline("5")
    child.expect("k=7, s=2, d=1")  # the question's layers, shown again above the verdict
    child.expect("expected 29, got 5")
    child.expect(r"worked solution \(1 of 2\)")
    child.expect("more of the worked solution")
    child.expect("> ")
    wait_until_reading_keys(child)  # one key turns the page (keys = single, the default)
    child.sendline("")
    child.expect("k=5, s=1, d=2")  # the question is still in view on the second page
    child.expect(r"worked solution \(2 of 2\)")
    child.expect("29 input pixels")
    child.expect("Rate")
    child.expect("> ")
    wait_until_reading_keys(child)
    child.sendline("")
    child.expect("Practice")
    child.expect(pexpect.EOF)


def test_piped_sessions_never_page(tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "MLI_DRILL_HOME": str(tmp_path), "MLI_DRILL_NOW": FIXED_NOW, "COLUMNS": "80", "LINES": "24"}
    result = subprocess.run([sys.executable, "-m", "mli_drill", "practice", "receptive-field", "--seed", "42", "--count", "1"],
                            input="5\n\n", capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert "more of the worked solution" not in result.stdout and "(1 of 2)" not in result.stdout
    assert "29 input pixels" in result.stdout


@pytest.mark.parametrize("key, then", [("u", "Undid the answer to receptive-field"), ("q", "Practice")])
def test_u_and_q_work_at_the_pager_prompt(tmp_path: Path, key: str, then: str) -> None:
    """u and q work at every prompt, the pager's too (QA: they were taken as Enter and paged on)."""
    env = {**os.environ, "MLI_DRILL_HOME": str(tmp_path), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC", "TERM": "xterm"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    child = pexpect.spawn(sys.executable, ["-m", "mli_drill", "practice", "receptive-field", "--seed", "42", "--count", "1"],
                          env=env, cwd=str(ROOT), encoding="utf-8", timeout=60, dimensions=(24, 80))
    child.expect("Answer")
    child.sendline("5")
    child.expect(r"more of the worked solution \(1 of 2\) · u undo · q quit")
    child.sendline(key)
    child.expect(then)
    if key == "u":
        child.expect("seed 42")  # the same problem again
        child.expect("Answer")
        child.sendline("q")
    child.expect(pexpect.EOF)
    assert "(2 of 2)" not in child.before
