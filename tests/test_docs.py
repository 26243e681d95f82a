"""The documentation keeps up with the code: every family is documented and indexed."""

from __future__ import annotations

import subprocess

import pytest

from mli_drill.families import family_names
from tests.conftest import ROOT

INDEX = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("family", family_names())
def test_family_documented(family: str) -> None:
    page = ROOT / "docs" / "problems" / f"{family}.md"
    assert page.is_file(), f"docs/problems/{family}.md is missing"
    assert f"(problems/{family}.md)" in INDEX, f"docs/problems.md does not list {family}"
    assert "param" in page.read_text(encoding="utf-8").lower()


def _readme_commands() -> list[str]:
    """The README's first fenced block, blank lines dropped: the commands a new user pastes."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    return [line for line in first_block.splitlines()[1:] if line.strip()]


def test_readme_opens_with_the_two_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "mli-drill review" in commands[0]
    assert "pip install" in commands[1] and "[test]" in commands[1] and "pytest" in commands[1]


@pytest.mark.parametrize("index", [0, 1])
def test_readme_commands_bring_their_own_venv(index: int) -> None:
    """A system Python marked externally managed (PEP 668) refuses pip outside a venv."""
    command = _readme_commands()[index]
    assert command.startswith("python3 -m venv .venv && ")
    assert "--break-system-packages" not in command
    for step in command.split("&&")[1:]:
        assert step.strip().startswith(".venv/bin/"), f"{step.strip()!r} runs outside the venv"


def test_ci_runs_the_readme_commands_verbatim() -> None:
    """.ci/run reads the commands from the README (so they cannot drift) and runs both."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    printed = subprocess.run(["bash", str(ROOT / ".ci" / "run"), "--print"], capture_output=True, text=True, timeout=60, check=False)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines() == _readme_commands()
    assert 'bash -euo pipefail -c "${commands[0]}" </dev/null' in ci, "review must meet end of input"
    assert 'bash -euo pipefail -c "${commands[1]}"' in ci
    assert 'export PATH="/usr/bin:/bin:$PATH"' in ci, "the system Python comes first on PATH"
    # then the static checks, from the venv the test extra filled, after the tests
    assert ci.index('"${commands[1]}"') < ci.index("\n.venv/bin/mypy mli_drill\n") < ci.index("\n.venv/bin/ruff check --select F mli_drill tests")
    # No private copy of the commands that could pass while the README's fail.
    assert "pytest" not in ci.replace("tests/test_docs.py", "")
