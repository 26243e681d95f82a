"""Figure 3: answer latency, from the rating keystroke to the next card, in process.

A :class:`mli_drill.review.session.Session` runs on the large collection with a
fake terminal that answers every prompt at once and timestamps events. The
latency of one answer is the time from ``ask()`` returning the rating line to
the next ``ShowCard``/``ShowProblem`` event: committing the answer (write
transaction, FSRS, fsync), picking the next item and, for a problem, drawing
its instance. Rendering is not in the primary figure (the fake terminal draws
nothing); a second run draws every event with the real rich view into memory.

Baseline: one trivial ``INSERT`` + ``COMMIT`` on the same database file with
the same connection settings (WAL, default synchronous), so the fsync the
disk costs is on both sides; measured before and after the sessions, pooled.
"""

from __future__ import annotations

import io
import itertools
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from benchmarks.common import BENCH_NOW, Figure, percentile, ratio


class TimedTerminal:
    """Answers instantly: Enter to reveal, A for a choice, all points, the right answer to a problem, then 3 (good)."""

    def __init__(self, answers: int, view: Any = None):
        self.wanted = answers
        self.view = view
        self.latencies: list[float] = []
        self.rated_at: float | None = None
        self.problem_answer: str | None = None
        self.problem_tries = 0

    def ask(self, prompt: str) -> str | None:
        if prompt.startswith("Rate"):
            if len(self.latencies) >= self.wanted:
                return None  # enough answers: quit like end of input
            self.rated_at = time.perf_counter()
            return "3"
        if prompt.startswith("Enter to reveal"):
            return ""
        if prompt.startswith("Your choice"):
            return "A"
        if prompt.startswith("Points"):
            return "all"
        if prompt.startswith("Answer"):
            self.problem_tries += 1
            return self.problem_answer if self.problem_tries == 1 and self.problem_answer else "s"
        return None

    def emit(self, event: Any) -> None:
        from mli_drill.review.events import ShowCard, ShowProblem

        if self.view is not None:
            self.view.show(event)
        if isinstance(event, (ShowCard, ShowProblem)):
            if self.rated_at is not None:
                self.latencies.append(time.perf_counter() - self.rated_at)
                self.rated_at = None
            if isinstance(event, ShowProblem):
                self.problem_answer = event.instance.answer_text()
                self.problem_tries = 0


@contextmanager
def data_home(home: Path) -> Iterator[None]:
    """Point the tool's paths at ``home`` and fix its clock, for in-process use."""
    saved = {k: os.environ.get(k) for k in ("MLI_DRILL_HOME", "MLI_DRILL_NOW", "MLI_DRILL_DB")}
    os.environ["MLI_DRILL_HOME"] = str(home)
    os.environ["MLI_DRILL_NOW"] = BENCH_NOW
    os.environ.pop("MLI_DRILL_DB", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def session_latencies(home: Path, answers: int, render: bool = False) -> list[float]:
    """Run one review session of ``answers`` answers on the collection under ``home``."""
    from mli_drill import paths
    from mli_drill.clock import parse_time
    from mli_drill.services.collection import load_collection, sync
    from mli_drill.services.queue import review_entries
    from mli_drill.review.scheduling import Policy
    from mli_drill.review.session import Session
    from mli_drill.store import open_store

    with data_home(home):
        collection = load_collection()
        store = open_store(paths.default_db_path())
        try:
            now = parse_time(BENCH_NOW)
            sync(store, collection, now)
            policy = Policy()
            entries = review_entries(store, collection, now, policy, None, [], answers * 2 + 10)
            view = None
            if render:
                from rich.console import Console

                from mli_drill.render.session import SessionView

                view = SessionView(Console(file=io.StringIO(), width=100, highlight=False, soft_wrap=False))
            terminal = TimedTerminal(answers, view)
            titles = {name: spec.title for name, spec in collection.families.items()}  # type: ignore[attr-defined]
            Session(store, terminal, entries, policy, lambda: now, seeds=itertools.count(1), family_titles=titles).run()
        finally:
            store.close()
    return terminal.latencies


def commit_latencies(db_path: Path, count: int) -> list[float]:
    """The baseline: a trivial insert + commit per answer on the same file, connection set up like the store's."""
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_scratch (id INTEGER PRIMARY KEY, at TEXT)")
        times = []
        for index in range(count):
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO bench_scratch (at) VALUES (?)", (str(index),))
            conn.execute("COMMIT")
            times.append(time.perf_counter() - start)
        conn.execute("DROP TABLE bench_scratch")
        return times
    finally:
        conn.close()


def measure(home: Path, answers: int) -> list[Figure]:
    # The baseline runs before and after the sessions and is pooled, so drift in disk speed hits both sides.
    base = commit_latencies(home / "progress.db", answers)
    latencies = session_latencies(home, answers)
    rendered = session_latencies(home, answers, render=True)
    base += commit_latencies(home / "progress.db", answers)
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    b50, b95 = percentile(base, 50), percentile(base, 95)
    r50, r95 = percentile(rendered, 50), percentile(rendered, 95)
    commit = "sqlite insert+commit p95"
    return [
        Figure("latency: rating -> next card, p95 (tool only)", p95, "s", commit, b95, ratio(p95, b95), "< 10 ms", p95 < 0.010,
               f"{len(latencies)} answers; p50 {p50 * 1000:.2f} ms (baseline p50 {b50 * 1000:.2f} ms, ratio {p50 / b50:.1f}x)"),
        Figure("latency: rating -> next card, p95 (with rich rendering)", r95, "s", commit, b95, ratio(r95, b95), "", None,
               f"{len(rendered)} answers drawn into memory; p50 {r50 * 1000:.2f} ms; information only"),
    ]
