"""The store: migrations, item sync (orphans kept), atomic reviews, undo, and refusing foreign files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mli_drill.model import ReviewRecord
from mli_drill.store import StoreError, open_store
from mli_drill.store.db import latest_version, migrations

NOW = "2026-05-01T09:00:00+00:00"


def record(key: str, rating: int = 3) -> ReviewRecord:
    return ReviewRecord(key=key, reviewed_at=NOW, rating=rating, duration_ms=1200, answer="x", correct=True)


def test_new_database_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    store = open_store(tmp_path / "sub" / "p.db")
    assert store.schema_version() == latest_version() >= 1
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert int(store.conn.execute("PRAGMA busy_timeout").fetchone()[0]) > 0
    assert {"items", "review_log"} <= set(store.db.table_names())


def test_migrations_are_numbered_upwards() -> None:
    versions = [m.version for m in migrations()]
    assert versions == sorted(versions) and versions[0] == 1 and len(set(versions)) == len(versions)


def test_sync_inserts_orphans_and_revives(tmp_path: Path) -> None:
    store = open_store(tmp_path / "p.db")
    store.sync_items([("card:a", "card", "d"), ("card:b", "card", "d")], NOW)
    store.apply_review(record("card:b"), lambda item: item)
    store.sync_items([("card:a", "card", "d")], NOW)
    orphan = store.item("card:b")
    assert orphan is not None and orphan.orphaned
    assert [i.key for i in store.items()] == ["card:a"]
    assert store.review_count() == 1, "history of an orphaned card is kept"
    store.sync_items([("card:a", "card", "d"), ("card:b", "card", "e")], NOW)
    revived = store.item("card:b")
    assert revived is not None and not revived.orphaned and revived.deck == "e"


def test_apply_review_commits_before_returning(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    store = open_store(path)
    store.sync_items([("card:a", "card", "d")], NOW)
    before, after, log_id = store.apply_review(record("card:a"), lambda item: item.__class__(**{**item.to_dict(), "reps": 1}))
    assert before.reps == 0 and after.reps == 1 and log_id > 0
    other = sqlite3.connect(str(path))  # a second connection sees the committed answer
    assert other.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    assert other.execute("SELECT reps FROM items WHERE key = 'card:a'").fetchone()[0] == 1


def test_failed_schedule_rolls_back(tmp_path: Path) -> None:
    store = open_store(tmp_path / "p.db")
    store.sync_items([("card:a", "card", "d")], NOW)

    def explode(item):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.apply_review(record("card:a"), explode)
    assert store.review_count() == 0


def test_undo_restores_state_and_keeps_the_row(tmp_path: Path) -> None:
    store = open_store(tmp_path / "p.db")
    store.sync_items([("card:a", "card", "d")], NOW)
    before, _, log_id = store.apply_review(record("card:a"), lambda item: item.__class__(**{**item.to_dict(), "reps": 5}))
    store.undo_review(log_id, before)
    assert store.item("card:a").reps == 0
    assert store.review_count() == 0
    assert store.review_count(include_undone=True) == 1


def test_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    path.write_bytes(b"hello, this is my essay\n" * 10)
    with pytest.raises(StoreError, match="not an SQLite database"):
        open_store(path)
    assert path.read_bytes() == b"hello, this is my essay\n" * 10


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    conn = sqlite3.connect(str(path))
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer mli-drill"):
        open_store(path)


def test_integrity_check_skipped_only_when_unchanged_since_a_clean_close(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mli_drill.store.db import Store

    monkeypatch.setenv("MLI_DRILL_HOME", str(tmp_path / "home"))
    path = tmp_path / "p.db"
    open_store(path).close_verified()
    checks: list[Path] = []
    original = Store.check_integrity
    monkeypatch.setattr(Store, "check_integrity", lambda self: checks.append(self.path) or original(self))
    open_store(path).close_verified()
    assert checks == [], "unchanged since the last clean close: no need to read every page"
    store = open_store(path)
    store.sync_items([("card:a", "card", "d")], NOW)
    store.close()  # not a clean, verified close (as after a crash)
    open_store(path).close_verified()
    assert checks == [path]


def test_quarter_hour_totals_follow_reviews_and_undo(tmp_path: Path) -> None:
    import random

    store = open_store(tmp_path / "p.db")
    store.sync_items([("card:a", "card", "d")], NOW)
    rng = random.Random(3)
    for _ in range(60):
        at = f"2026-05-0{rng.randint(1, 3)}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00:00"
        before, _, log_id = store.apply_review(ReviewRecord("card:a", at, 3), lambda item: item)
        if rng.random() < 0.3:
            store.undo_review(log_id, before)
    expected = dict(store.conn.execute(
        "SELECT substr(reviewed_at, 1, 14) || printf('%02d', (CAST(substr(reviewed_at, 15, 2) AS INTEGER) / 15) * 15), count(*)"
        " FROM review_log WHERE undone = 0 GROUP BY 1"
    ).fetchall())
    stored = dict(store.conn.execute("SELECT quarter, reviews FROM review_quarters WHERE reviews != 0").fetchall())
    assert stored == expected and sum(stored.values()) == store.review_count()
    days = [("2026-05-01T00:00:00+00:00", "2026-05-02T00:00:00+00:00"), ("2026-05-02T00:00:00+00:00", "2026-05-04T00:00:00+00:00")]
    direct = [store.conn.execute("SELECT count(*) FROM review_log WHERE undone = 0 AND reviewed_at >= ? AND reviewed_at < ?", d).fetchone()[0] for d in days]
    assert store.review_counts_between(days) == direct


def test_migration_backfills_elapsed_seconds(tmp_path: Path) -> None:
    """An older database gets elapsed_s computed from its existing log (schema v6)."""
    from mli_drill.store.db import _statements

    path = tmp_path / "old.db"
    conn = sqlite3.connect(str(path))
    for migration in migrations():
        if migration.version <= 5:
            for statement in _statements(migration.sql):
                conn.execute(statement)
    conn.execute("PRAGMA user_version = 5")
    conn.execute("INSERT INTO items (key, kind, created_at) VALUES ('card:a', 'card', ?)", (NOW,))
    times = ["2026-05-01T09:00:00+00:00", "2026-05-01T09:10:00+00:00", "2026-05-03T09:10:00+00:00", "2026-05-04T09:10:00+00:00"]
    for n, at in enumerate(times):
        conn.execute("INSERT INTO review_log (item_id, reviewed_at, rating, undone) VALUES (1, ?, 3, ?)", (at, int(n == 2)))
    conn.commit()
    conn.close()
    store = open_store(path)
    assert store.schema_version() == latest_version()
    rows = store.conn.execute("SELECT elapsed_s FROM review_log ORDER BY id").fetchall()
    assert rows == [(None,), (600,), (None,), (3 * 86400,)], "undone rows get none; the next live review measures from the last live one"
    assert store.retention_counts("2026-05-01T00:00:00+00:00", "2026-05-05T00:00:00+00:00") == (1, 1)


def test_migration_from_v6_adds_diagnosed_slips_to_review_log_and_exam_answers(tmp_path: Path) -> None:
    """Schema v7: a v6 database keeps its history; old answers have no slips, new ones store theirs."""
    import json

    from mli_drill.store.db import _statements

    path = tmp_path / "v6.db"
    conn = sqlite3.connect(str(path))
    for migration in migrations():
        if migration.version <= 6:
            for statement in _statements(migration.sql):
                conn.execute(statement)
    conn.execute("PRAGMA user_version = 6")
    conn.execute("INSERT INTO items (key, kind, created_at) VALUES ('family:receptive-field', 'family', ?)", (NOW,))
    conn.execute("INSERT INTO review_log (item_id, reviewed_at, rating, answer, correct, source) VALUES (1, ?, 1, '23', 0, 'practice')", (NOW,))
    questions = json.dumps([{"position": 1, "kind": "problem", "key": "family:receptive-field", "topic": "cnn", "max_marks": 2, "seed": 42}])
    conn.execute("INSERT INTO exam_papers (started_at, seed, level, minutes, questions) VALUES (?, 1, 'exam', 60, ?)", (NOW, questions))
    conn.execute("INSERT INTO exam_answers (paper_id, position, answer, marks, max_marks, seconds, answered_at) VALUES (1, 1, '23', 0, 2, 5, ?)", (NOW,))
    conn.commit()
    conn.close()

    store = open_store(path)
    assert store.schema_version() == latest_version() >= 7
    assert store.conn.execute("SELECT answer, mistakes FROM review_log").fetchall() == [("23", None)], "history kept, not re-diagnosed"
    assert store.conn.execute("SELECT answer, mistakes FROM exam_answers").fetchall() == [("23", None)]

    slip = {"id": "ignores-stride", "message": "you never grew the jump"}
    later = "2026-05-02T09:00:00+00:00"
    wrong = ReviewRecord(key="family:receptive-field", reviewed_at=later, rating=1, answer="23", correct=False, source="practice", mistakes=(slip,))
    store.apply_review(wrong, lambda item: item)
    store.apply_review(ReviewRecord(key="family:receptive-field", reviewed_at=later, rating=3, answer="29", correct=True), lambda item: item)
    store.exams.record_answer(1, 1, "23", 0.0, 2, 5.0, later, [slip])
    stored = store.conn.execute("SELECT mistakes FROM review_log ORDER BY id").fetchall()
    assert [None if text is None else json.loads(text) for (text,) in stored] == [None, [slip], None]
    assert json.loads(store.conn.execute("SELECT mistakes FROM exam_answers").fetchone()[0]) == [slip]
    assert [row[0] for row in store.conn.execute("SELECT mistakes FROM review_log ORDER BY id")][1] == json.dumps([slip], ensure_ascii=False)
    assert store.diagnosed_answers(NOW, later) == [("receptive-field", later, [slip]), ("receptive-field", later, [slip])]


def test_diagnosed_answers_skip_undone_and_rescheduled_exam_reviews(tmp_path: Path) -> None:
    """An undone answer never counts; an exam answer that also moved the schedule counts once, with its paper."""
    store = open_store(tmp_path / "p.db")
    store.sync_items([("family:lbp", "family", "features")], NOW)
    slip = {"id": "clockwise", "message": "read clockwise"}

    def log(source: str) -> ReviewRecord:
        return ReviewRecord(key="family:lbp", reviewed_at=NOW, rating=1, correct=False, source=source, mistakes=(slip,))

    before, _, undone_id = store.apply_review(log("practice"), lambda item: item)
    store.undo_review(undone_id, before)
    store.apply_review(log("exam"), lambda item: item)
    assert store.diagnosed_answers(NOW, NOW) == []
    store.apply_review(log("review"), lambda item: item)
    assert store.diagnosed_answers(NOW, NOW) == [("lbp", NOW, [slip])]
    assert store.diagnosed_answers("2026-05-02T00:00:00+00:00", "2026-05-03T00:00:00+00:00") == []
