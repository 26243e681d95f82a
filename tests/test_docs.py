"""The documentation keeps up with the code: every family and every command is documented."""

from __future__ import annotations

import re
import subprocess
from typing import Any, Iterator

import pytest

from mli_drill.problems.registry import family_names
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


def _command_paths() -> Iterator[tuple[str, Any]]:
    """Every command and command group of the app, as typed after ``mli-drill`` (``config get``)."""
    import typer

    from mli_drill.cli.app import app

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
        if path:
            yield " ".join(path), command
        if hasattr(command, "list_commands"):  # a group
            context = typer.Context(command)
            for name in command.list_commands(context):
                yield from walk(command.get_command(context, name), (*path, name))

    yield from walk(typer.main.get_command(app), ())


COMMANDS = dict(_command_paths())
DOCS_TEXT = "\n".join(path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))])


def test_the_command_walk_finds_the_commands() -> None:
    assert {"review", "problems", "problems sample", "config get", "exam", "exam history"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_is_documented_and_has_help(path: str) -> None:
    command = COMMANDS[path]
    assert (command.help or command.short_help or "").strip(), f"`mli-drill {path}` has no help text"
    pattern = re.escape(f"mli-drill {path}") + r"(?![\w-])"
    assert re.search(pattern, DOCS_TEXT), f"`mli-drill {path}` appears in neither README.md nor docs/"
