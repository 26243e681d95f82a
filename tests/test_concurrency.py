"""Two terminals on one database: no lost update, no "database is locked", every answer stored.

The store takes the write lock up front (``BEGIN IMMEDIATE``), re-reads the
item inside the transaction and waits (busy timeout) instead of failing. These
tests run real processes at the same time: writers hammering one item, two
``review`` sessions interleaving answers, and several first runs creating the
same new database at once.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mli_drill.model import ReviewRecord
from mli_drill.store import open_store
from mli_drill.store.db import Store, latest_version
from tests.conftest import FIXED_NOW, ROOT, basic_deck, write_deck

KEYS = ("card:shared-a", "card:shared-b")


def _hammer(path: str, worker: int, count: int, start: "multiprocessing.synchronize.Barrier", errors: "multiprocessing.Queue") -> None:
    """One process: open the (maybe not yet existing) database at the same moment as the others, then review."""
    try:
        start.wait(timeout=30)
        store = open_store(Path(path))
        store.sync_items([(key, "card", "shared") for key in KEYS], FIXED_NOW)
        for index in range(count):
            key = KEYS[index % len(KEYS)]
            record = ReviewRecord(key=key, reviewed_at=FIXED_NOW, rating=3, answer=f"w{worker}-{index}")
            store.apply_review(record, lambda item: replace(item, reps=item.reps + 1))
        store.close()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        errors.put(f"worker {worker}: {type(exc).__name__}: {exc}")


@pytest.mark.slow
def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    workers, per_worker = 4, 120
    context = multiprocessing.get_context("spawn")  # no connection or lock state inherited from the test process
    start = context.Barrier(workers)
    errors = context.Queue()
    processes = [context.Process(target=_hammer, args=(str(path), w, per_worker, start, errors)) for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert not problems, problems
    assert all(p.exitcode == 0 for p in processes)
    conn = sqlite3.connect(str(path))
    total = workers * per_worker
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == total
    assert conn.execute("SELECT sum(reps) FROM items").fetchone()[0] == total, "an update was lost"
    assert conn.execute("SELECT count(DISTINCT answer) FROM review_log").fetchone()[0] == total
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    conn.close()


def _sync_rounds(path: str, rounds: int, keys_per_round: int, start: "multiprocessing.synchronize.Barrier", errors: "multiprocessing.Queue") -> None:
    """Every round, all processes add the same new deck at the same moment (two terminals after a deck was added)."""
    try:
        store = open_store(Path(path))
        for round_number in range(rounds):
            start.wait(timeout=30)
            keys = [(f"card:r{round_number}-{i}", "card", f"deck{round_number}") for i in range(keys_per_round)]
            store.sync_items(_earlier(round_number, keys_per_round) + keys, FIXED_NOW)
        store.close()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        errors.put(f"{type(exc).__name__}: {exc}")


def _earlier(round_number: int, keys_per_round: int) -> list[tuple[str, str, str]]:
    return [(f"card:r{r}-{i}", "card", f"deck{r}") for r in range(round_number) for i in range(keys_per_round)]


@pytest.mark.slow
def test_simultaneous_syncs_of_a_new_deck(tmp_path: Path) -> None:
    path = tmp_path / "sync.db"
    open_store(path).close()
    workers, rounds, per_round = 3, 15, 40
    context = multiprocessing.get_context("spawn")  # no connection or lock state inherited from the test process
    start = context.Barrier(workers)
    errors = context.Queue()
    processes = [context.Process(target=_sync_rounds, args=(str(path), rounds, per_round, start, errors)) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert not problems, problems[:3]
    conn = sqlite3.connect(str(path))
    assert conn.execute("SELECT count(*), count(DISTINCT key) FROM items").fetchone() == (rounds * per_round, rounds * per_round)
    conn.close()


def test_migration_started_by_two_processes_runs_once(tmp_path: Path) -> None:
    """The second opener read the version before the first migrated: it must not re-run the migration."""
    path = tmp_path / "race.db"
    late = Store(sqlite3.connect(str(path), isolation_level=None), path)
    seen = late.schema_version()  # 0: nothing migrated yet
    first = open_store(path)  # another terminal migrates meanwhile
    late.migrate(seen)  # would fail with "table items already exists"
    assert late.schema_version() == first.schema_version() == latest_version()
    first.close()
    late.close()


def env_for(home: Path) -> dict[str, str]:
    return {**os.environ, "MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC", "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}


class Reader(threading.Thread):
    """Collects a process's output while the test writes to it."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.stream, self.text, self.lock = stream, "", threading.Lock()

    def run(self) -> None:
        for chunk in iter(lambda: self.stream.read(1), ""):
            with self.lock:
                self.text += chunk

    def count(self, needle: str) -> int:
        with self.lock:
            return self.text.count(needle)


def start_review(home: Path, deck: str) -> tuple[subprocess.Popen, Reader, Reader]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mli_drill", "review", "--deck", deck],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_for(home), cwd=str(ROOT),
    )
    out, err = Reader(process.stdout), Reader(process.stderr)
    out.start()
    err.start()
    return process, out, err


def wait_for(condition, processes=(), timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Poll until ``condition()``; fail at once if one of ``processes`` died meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        for process, _, err in processes:
            assert process.poll() is None or condition(), f"a session ended early: {err.text[-500:]}"
        time.sleep(0.01)


def item_rows(home: Path) -> list[tuple[str, int, int]]:
    conn = sqlite3.connect(str(home / "progress.db"))
    rows = conn.execute(
        "SELECT i.key, i.reps, (SELECT count(*) FROM review_log r WHERE r.item_id = i.id AND r.undone = 0) FROM items i WHERE i.deck = 'both'"
    ).fetchall()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("fresh", [True, False], ids=["new-database", "existing-database"])
def test_two_review_sessions_at_once(tmp_path: Path, fresh: bool) -> None:
    """Both terminals review the same new cards, answers interleaved: every answer stored, each item's reps = its answers."""
    home = tmp_path / "home"
    write_deck(home / "decks", "both", basic_deck("both", 6))
    if not fresh:
        subprocess.run([sys.executable, "-m", "mli_drill", "status"], env=env_for(home), cwd=str(ROOT), check=True, capture_output=True)
    sessions = [start_review(home, "both") for _ in range(2)]
    for _, out, _ in sessions:
        wait_for(lambda out=out: out.count("Enter to reveal") >= 1, sessions)
    answered = [0, 0]
    for turn in range(12):  # alternate: one answer (reveal + rating 4 = easy, no re-queue) per turn
        index = turn % 2
        process, out, _ = sessions[index]
        if out.count("Enter to reveal") <= answered[index]:
            continue  # this session has run out of cards
        process.stdin.write("\n4\n")
        process.stdin.flush()
        answered[index] += 1
        wait_for(lambda out=out, n=answered[index]: out.count("Enter to reveal") > n or "reviewed" in out.text, [sessions[index]])
    for process, _, _ in sessions:
        process.stdin.close()
    for process, out, err in sessions:
        assert process.wait(timeout=60) == 0, err.text
        out.join(timeout=10)
        err.join(timeout=10)
        assert "locked" not in err.text + out.text and "error" not in err.text, err.text
    assert answered == [6, 6], answered
    rows = item_rows(home)
    assert len(rows) == 6
    assert all(reps == answers == 2 for _, reps, answers in rows), rows
    for _, out, _ in sessions:
        assert "reviewed  6" in out.text
