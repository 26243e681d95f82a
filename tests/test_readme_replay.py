"""The README's transcripts are real: each console block marked for replay is run again and must print what it shows.

How a block opts in (in README.md's source, invisible on the rendered page)::

    <!-- replay -->
    ```console
    $ mli-drill config set new-per-day 30
    new-per-day = 30
    ```

* Each marked block runs in a fresh data directory, with the clock and the
  terminal the README's tour names: ``MLI_DRILL_HOME`` (written ``/tmp/demo`` in
  the README), ``MLI_DRILL_NOW=2026-11-26T09:00:00Z``, ``TZ=UTC``, ``COLUMNS=80``.
* ``<!-- replay: COMMAND -->`` runs COMMAND first, unseen, to set the scene
  (it must succeed); the block's own ``$`` commands then run in order.
* A command's input is what its transcript shows typed: every ``> text`` line
  (``>`` alone is Enter). Piped input is echoed that way, so the transcript
  and the input cannot disagree.
* ``…`` on a line of its own (or alone in a table row) stands for any number
  of lines; ``…`` or ``...`` inside a line stands for any text.

A block that no longer matches fails with the output it printed: check the
change is intended, then paste the output into the README (keeping its elisions).
Only what is deterministic can be replayed: a seed for every problem drawn, and
no interval FSRS fuzzes at random (those of 2.5 days or more, e.g. a new card
rated easy); multiple-choice options are shuffled, so no transcript shows them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
SHOWN_HOME = "/tmp/demo"
ENVIRONMENT = {"MLI_DRILL_NOW": "2026-11-26T09:00:00Z", "TZ": "UTC", "COLUMNS": "80", "LINES": "24"}
MARK = re.compile(r"^<!-- replay(?::\s*(?P<setup>.*?))?\s*-->$")
GAP = re.compile(r"^[\s│]*…[\s│]*$")  # a line of its own, or a table row holding only "…"
ELLIPSIS = re.compile(r"…|\.\.\.")


@dataclass(frozen=True)
class Step:
    command: str
    expected: list[str]

    def typed(self) -> str:
        """The input the transcript shows: the text after each ``> `` prompt echo."""
        lines = [line[2:] if line.startswith("> ") else "" for line in self.expected if line == ">" or line.startswith("> ")]
        return "".join(line + "\n" for line in lines)


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence in README.md
    setup: str | None
    steps: list[Step]


def replayed_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks = []
    for number, line in enumerate(lines):
        mark = MARK.match(line.strip())
        if not mark:
            continue
        assert lines[number + 1].startswith("```console"), f"README.md:{number + 1}: a replay mark must stand right above a ```console block"
        body = []
        for inner in lines[number + 2:]:
            if inner.startswith("```"):
                break
            body.append(inner)
        steps: list[Step] = []
        for inner in body:
            if inner.startswith("$ "):
                steps.append(Step(inner[2:], []))
            else:
                assert steps, f"README.md:{number + 2}: a replayed block starts with a $ command"
                steps[-1].expected.append(inner)
        blocks.append(Block(number + 2, mark.group("setup"), steps))
    return blocks


def matches(expected: list[str], actual: str) -> bool:
    """Whether the output is what the transcript shows, elisions allowed (see the module docstring)."""
    pattern = ""
    for line in expected:
        line = line.rstrip()
        if GAP.match(line):
            pattern += r"(?:[^\n]*\n)*?"
        else:
            pattern += "[^\n]*?".join(re.escape(part) for part in ELLIPSIS.split(line)) + r"\n"
    shown = "".join(line.rstrip() + "\n" for line in actual.splitlines())
    return re.fullmatch(pattern, shown) is not None


BLOCKS = replayed_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_marks_its_transcripts_for_replay() -> None:
    commands = {step.command.split()[1] if step.command.startswith("mli-drill") else step.command.split()[0] for b in BLOCKS for step in b.steps}
    assert len(BLOCKS) >= 8 and {"review", "practice", "status", "config", "exam", "sqlite-utils"} <= commands, commands


def test_elisions_match_what_they_stand_for() -> None:
    assert matches(["a", "…", "d"], "a\nb\nc\nd\n") and matches(["a", "…", "b"], "a\nb\n")
    assert matches(["│ x │", "│ …    │", "└─┘"], "│ x │\n│ y │\n└─┘\n")
    assert matches(["wrote …/x.yaml ..."], "wrote some/dir/x.yaml today\n")
    assert not matches(["a", "c"], "a\nb\nc\n") and not matches(["a"], "a\nb\n") and not matches(["b…"], "ab\n")
    assert Step("mli-drill review", ["› Enter", ">", "› Rate", "> 3", "x > y"]).typed() == "\n3\n"


@pytest.fixture
def shell(tmp_path: Path):
    """Runs a README command as a student would: ``mli-drill`` on PATH (this checkout's code), in a fresh home."""
    home, work, bin_dir = tmp_path / "home", tmp_path / "work", tmp_path / "bin"
    for directory in (home, work, bin_dir):
        directory.mkdir()
    launcher = bin_dir / "mli-drill"
    launcher.write_text(
        f"#!/bin/sh\nexec '{sys.executable}' -c 'import sys; sys.argv[0] = \"mli-drill\"; "
        "from mli_drill.cli.app import main; main()' \"$@\"\n",
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MLI_DRILL_", "FORCE_COLOR", "NO_COLOR"))}
    env.update(ENVIRONMENT, MLI_DRILL_HOME=str(home), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    env["PATH"] = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env.get("PATH", "")])

    def run(command: str, typed: str = "") -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["bash", "-c", command.replace(SHOWN_HOME, str(home))], input=typed, text=True, env=env, cwd=str(work),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, check=False,
        )
        return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.replace(str(home), SHOWN_HOME))

    return run


@pytest.mark.parametrize("block", BLOCKS, ids=[f"README.md:{b.line}" for b in BLOCKS])
def test_readme_block_replays(block: Block, shell) -> None:
    if block.setup:
        done = shell(block.setup)
        assert done.returncode == 0, f"README.md:{block.line}: setup `{block.setup}` failed:\n{done.stdout}"
    for step in block.steps:
        printed = shell(step.command, step.typed()).stdout
        if not matches(step.expected, printed):
            pytest.fail(f"README.md:{block.line}: `$ {step.command}` printed something else. It printed:\n{printed}", pytrace=False)
