"""Shared fixtures: an isolated data directory, a fixed clock, and ways to run the CLI."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# Property tests draw the same examples on every run, so CI turns red only for
# a change, never for a lucky draw; HYPOTHESIS_PROFILE=explore draws fresh ones
# (run it now and then: that is how new failures are found).
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
FIXED_NOW = "2026-05-01T09:00:00+00:00"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh MLI_DRILL_HOME and a fixed clock for each test."""
    data = tmp_path / "home"
    monkeypatch.setenv("MLI_DRILL_HOME", str(data))
    monkeypatch.setenv("MLI_DRILL_NOW", FIXED_NOW)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("MLI_DRILL_DB", raising=False)
    from mli_drill.cli import common

    common.OPTIONS.db = None
    return data


def write_deck(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def basic_deck(deck_id: str, count: int) -> str:
    cards = "".join(f"  - id: {deck_id}-c{i}\n    front: Question {i}?\n    back: Answer {i}.\n" for i in range(count))
    return f"deck: {deck_id}\ntitle: Test deck {deck_id}\ncards:\n{cards}"


@pytest.fixture
def cli():
    """Run the CLI in-process with piped input (typer's CliRunner)."""
    from typer.testing import CliRunner

    from mli_drill.cli.app import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return run


def run_process(*args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m mli_drill`` as a student would, in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mli_drill", *args],
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=str(ROOT),
    )


def assert_slips_match(instances, mistakes, reference, distinct_from_answer: bool = False) -> None:
    """Each catalogued slip's value equals an independent computation of the same slip.

    ``reference(params, mistake_id)`` computes the slipped answer independently,
    or returns None where the slip does not apply; the family must then return
    None too. Every slip must apply to some instance, so a slip that silently
    never fires fails. With ``distinct_from_answer`` the slip's value must also
    differ from the right answer wherever it applies (the sampler promises it).
    """
    import numpy as np

    def same(value, expected) -> bool:
        a, b = np.asarray(value, dtype=float), np.asarray(expected, dtype=float)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=0, atol=1e-9))

    applied = set()
    for instance in instances:
        for mistake in mistakes:
            value, expected = mistake.answer(instance.typed), reference(instance.params, mistake.id)
            where = (mistake.id, instance.params)
            if expected is None:
                assert value is None, where
                continue
            assert value is not None and same(value, expected), (*where, value, expected)
            if distinct_from_answer:
                assert not same(value, instance.answer), where
            applied.add(mistake.id)
    assert applied == {m.id for m in mistakes}, f"slips that never applied: {({m.id for m in mistakes} - applied)}"


@pytest.fixture
def check_slips():
    """The shared slip-versus-reference check, for each family's test file."""
    return assert_slips_match


def typed_answer(family: str, seed: int, level: str = "exam") -> str:
    """A line the answer reader accepts as the right answer: the displayed answer, else the value as JSON."""
    import json

    from mli_drill.problems.answers import AnswerSyntaxError, check
    from mli_drill.problems.instance import make_instance

    instance = make_instance(family, level, seed)
    for line in (instance.answer_text().split("≈")[-1].strip(), json.dumps(instance.answer)):
        try:
            if check(line, instance.answer, instance.answer_spec).correct:
                return line
        except AnswerSyntaxError:
            continue
    raise AssertionError(f"no typed form of the answer to {family} seed {seed}")


PROBLEM_POINTS_PROBLEM = ("problem", "points", "problem")


def exam_seed(kinds: tuple[str, ...] = PROBLEM_POINTS_PROBLEM) -> int:
    """The first seed whose mock paper of ``len(kinds)`` questions asks these kinds in this order.

    Papers follow the bundled decks, which keep changing: a test that needs a
    paper of a certain shape finds its seed instead of pinning one.
    """
    return _exam_seed(kinds)


@functools.lru_cache(maxsize=None)
def _exam_seed(kinds: tuple[str, ...]) -> int:
    from mli_drill.services.collection import load_collection
    from mli_drill.exam.paper import compose_paper

    candidates = load_collection().exam_candidates()
    for seed in range(1, 1000):
        if tuple(q.kind for q in compose_paper(candidates, len(kinds), seed)) == kinds:
            return seed
    raise AssertionError(f"no paper asks {kinds}")


def wait_until_reading_keys(child, timeout: float = 60) -> None:
    """In a pexpect session, wait until the program reads single keys (``keys = single``): its terminal is raw.

    click's ``getchar`` discards keys pressed before it starts reading (as a
    person's keys pressed before a prompt appears should be), so a test types
    at a one-key prompt only once the terminal has left canonical mode. The
    timeout is a safety net, not a measurement.
    """
    import termios
    import time

    deadline = time.monotonic() + timeout
    while termios.tcgetattr(child.child_fd)[3] & termios.ICANON:
        assert time.monotonic() < deadline, "the program never started reading a key"
        time.sleep(0.005)
