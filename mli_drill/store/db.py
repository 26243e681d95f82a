"""Opening, migrating and querying the progress database (sqlite-utils over SQLite).

Guarantees the rest of the tool relies on:

* every answer is committed (``apply_review``) before the caller shows the next card;
* WAL mode and a busy timeout, so two terminals can review at once; each
  review re-reads the item inside ``BEGIN IMMEDIATE`` so no update is lost;
* the schema version lives in ``PRAGMA user_version`` and only moves forward;
* a damaged, foreign or newer database is never written to: we stop with a
  message instead.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from mli_drill.model import ItemState, ReviewRecord

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
ITEM_COLUMNS = tuple(ItemState.__dataclass_fields__)


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Migration:
    version: int
    sql: str


def migrations() -> list[Migration]:
    """The schema file split at its ``-- version: N`` markers."""
    text = resources.files("mli_drill.store").joinpath("schema.sql").read_text(encoding="utf-8")
    parts = re.split(r"^-- version: (\d+)\s*$", text, flags=re.MULTILINE)
    return [Migration(int(parts[i]), parts[i + 1]) for i in range(1, len(parts), 2)]


def latest_version() -> int:
    return migrations()[-1].version


def _check_file(path: Path) -> None:
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    if header and header != SQLITE_HEADER:
        raise StoreError(f"{path} is not an SQLite database; it was left untouched (use --db to pick another file)")


def open_store(path: Path, before_migrate: Callable[[Path, int], None] | None = None) -> "Store":
    """Open (creating if needed) and migrate the database at ``path``.

    ``before_migrate(path, old_version)`` runs before an existing database is
    migrated, so the caller can take a backup first.
    """
    _check_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data directory {path.parent}: {exc.strerror}") from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        store = Store(conn, path)
        store.prepare(before_migrate)
    except sqlite3.DatabaseError as exc:
        raise StoreError(_explain(path, exc)) from None
    return store


def _explain(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc)
    if "malformed" in text or "not a database" in text or "file is encrypted" in text:
        return f"{path} is damaged ({text}); it was left untouched. Restore a backup with `mli-drill backup --restore`, or use --db"
    if "readonly" in text or "unable to open" in text:
        return f"cannot write {path} ({text}); check the permissions of the file and its directory"
    if "disk is full" in text or "disk I/O" in text:
        return f"cannot write {path} ({text}); free some disk space and try again — nothing was lost"
    return f"database error on {path}: {text}"


class Store:
    """A migrated database. Use :func:`open_store` to get one."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        import sqlite_utils

        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)

    # -- lifecycle -------------------------------------------------------
    def prepare(self, before_migrate: Callable[[Path, int], None] | None) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        version = self.schema_version()
        if version > latest_version():
            raise StoreError(
                f"{self.path} was written by a newer mli-drill (schema {version}, this one knows {latest_version()}); "
                "upgrade mli-drill — the file was left untouched"
            )
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        if version < latest_version():
            if version > 0 and before_migrate is not None:
                before_migrate(self.path, version)
            self.migrate(version)

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, current: int) -> None:
        for migration in migrations():
            if migration.version <= current:
                continue
            with self.transaction():
                # executescript would COMMIT our transaction; run statements one by one instead
                for statement in _statements(migration.sql):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {migration.version}")

    def close(self) -> None:
        self.conn.close()

    @property
    def exams(self) -> "ExamStore":
        return ExamStore(self)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front so concurrent writers queue."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- items -----------------------------------------------------------
    def sync_items(self, entries: Iterable[tuple[str, str, str]], now_iso: str) -> None:
        """Make the items table match the decks and families: (key, kind, deck) for each.

        New keys are inserted as new items; keys no longer present are marked
        orphaned (never deleted, so their history survives); returning keys
        are un-orphaned. Only changed rows are written.
        """
        wanted = {key: (kind, deck) for key, kind, deck in entries}
        existing = {row[0]: (row[1], row[2]) for row in self.conn.execute("SELECT key, orphaned, deck FROM items")}
        inserts = [
            {"key": key, "kind": kind, "deck": deck, "created_at": now_iso}
            for key, (kind, deck) in wanted.items()
            if key not in existing
        ]
        orphan = [key for key, (orphaned, _) in existing.items() if key not in wanted and not orphaned]
        revive = [key for key, (orphaned, _) in existing.items() if key in wanted and orphaned]
        moved = [(wanted[key][1], key) for key, (_, deck) in existing.items() if key in wanted and wanted[key][1] != deck]
        if not (inserts or orphan or revive or moved):
            return
        with self.transaction():
            if inserts:
                self.db["items"].insert_all(inserts, batch_size=500)
            self.conn.executemany("UPDATE items SET orphaned = 1 WHERE key = ?", [(k,) for k in orphan])
            self.conn.executemany("UPDATE items SET orphaned = 0 WHERE key = ?", [(k,) for k in revive])
            self.conn.executemany("UPDATE items SET deck = ? WHERE key = ?", moved)

    def items(self, include_orphaned: bool = False) -> list[ItemState]:
        where = "" if include_orphaned else "WHERE orphaned = 0"
        cursor = self.conn.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM items {where}")
        return [ItemState(*_item_row(row)) for row in cursor]

    def item(self, key: str) -> ItemState | None:
        row = self.conn.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE key = ?", (key,)).fetchone()
        return ItemState(*_item_row(row)) if row else None

    def _write_item(self, item: ItemState) -> None:
        data = item.to_dict()
        data = {k: (int(v) if isinstance(v, bool) else v) for k, v in data.items()}
        sets = ", ".join(f"{c} = :{c}" for c in ITEM_COLUMNS if c not in ("key", "kind"))
        self.conn.execute(f"UPDATE items SET {sets} WHERE key = :key", data)

    def set_suspended(self, key: str, suspended: bool) -> bool:
        """Suspend or unsuspend; unsuspending also lifts the leech tag. False if there is no such item."""
        with self.transaction():
            sql = "UPDATE items SET suspended = ?" + ("" if suspended else ", leech = 0") + " WHERE key = ?"
            return self.conn.execute(sql, (int(suspended), key)).rowcount > 0

    # -- reviews ---------------------------------------------------------
    def apply_review(self, record: ReviewRecord, schedule: Callable[[ItemState], ItemState]) -> tuple[ItemState, ItemState, int]:
        """Append one answer and the item's new state, atomically, and commit.

        ``schedule`` maps the item's *current stored* state to its new state; it
        runs inside the write transaction, so a review made meanwhile in
        another terminal is never overwritten with stale state.
        Returns (state before, state after, review_log id).
        """
        with self.transaction():
            before = self.item(record.key)
            if before is None:
                raise StoreError(f"unknown item {record.key!r}")
            after = schedule(before)
            self._write_item(after)
            cursor = self.conn.execute(
                "INSERT INTO review_log (item_id, reviewed_at, rating, duration_ms, answer, correct, source, detail)"
                " VALUES ((SELECT id FROM items WHERE key = ?), ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.key,
                    record.reviewed_at,
                    record.rating,
                    record.duration_ms,
                    record.answer,
                    None if record.correct is None else int(record.correct),
                    record.source,
                    record.detail,
                ),
            )
            return before, after, int(cursor.lastrowid or 0)

    def undo_review(self, log_id: int, before: ItemState) -> None:
        """Take back one answer: restore the item's earlier state, flag the log row (never delete it)."""
        with self.transaction():
            self._write_item(before)
            self.conn.execute("UPDATE review_log SET undone = 1 WHERE id = ?", (log_id,))

    def introduced_since(self, since_iso: str) -> int:
        """How many items had their first review at or after ``since_iso`` (for the new-card limit)."""
        row = self.conn.execute("SELECT count(*) FROM items WHERE introduced_at >= ?", (since_iso,)).fetchone()
        return int(row[0])

    def review_count(self, include_undone: bool = False) -> int:
        where = "" if include_undone else "WHERE undone = 0"
        return int(self.conn.execute(f"SELECT count(*) FROM review_log {where}").fetchone()[0])

    def reviews(self, since_iso: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        """Review-log rows (not undone), oldest first, with the item key and kind."""
        sql = (
            "SELECT r.id, i.key, i.kind, i.deck, r.reviewed_at, r.rating, r.duration_ms, r.answer, r.correct,"
            " r.source, r.detail FROM review_log r JOIN items i ON i.id = r.item_id WHERE r.undone = 0"
        )
        params: list[Any] = []
        if since_iso:
            sql += " AND r.reviewed_at >= ?"
            params.append(since_iso)
        if key:
            sql += " AND i.key = ?"
            params.append(key)
        return [dict(row) for row in self.db.query(sql + " ORDER BY r.reviewed_at, r.id", params)]


def _item_row(row: tuple) -> tuple:
    values = list(row)
    for name in ("suspended", "leech", "orphaned"):
        index = ITEM_COLUMNS.index(name)
        values[index] = bool(values[index])
    return tuple(values)


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (the schema has no semicolons inside strings or triggers)."""
    without_comments = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return [s.strip() for s in without_comments.split(";") if s.strip()]


class ExamStore:
    """Exam papers and their answers (schema version 2). Reached through ``Store.exams``."""

    def __init__(self, store: Store):
        self.store = store
        self.conn = store.conn

    def create(self, started_at: str, seed: int, level: str, minutes: int, questions_json: str) -> int:
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO exam_papers (started_at, seed, level, minutes, questions) VALUES (?, ?, ?, ?, ?)",
                (started_at, seed, level, minutes, questions_json),
            )
            return int(cursor.lastrowid or 0)

    def record_answer(self, paper_id: int, position: int, answer: str | None, marks: float, max_marks: float, seconds: float, at: str) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO exam_answers (paper_id, position, answer, marks, max_marks, seconds, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (paper_id, position, answer, marks, max_marks, seconds, at),
            )

    def finish(self, paper_id: int, finished_at: str, score: float, max_score: float, report_json: str) -> None:
        with self.store.transaction():
            self.conn.execute(
                "UPDATE exam_papers SET finished_at = ?, score = ?, max_score = ?, report = ? WHERE id = ?",
                (finished_at, score, max_score, report_json, paper_id),
            )

    def unfinished(self) -> dict[str, Any] | None:
        rows = list(self.store.db.query("SELECT * FROM exam_papers WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"))
        return rows[0] if rows else None

    def answers(self, paper_id: int) -> list[dict[str, Any]]:
        return list(self.store.db.query("SELECT * FROM exam_answers WHERE paper_id = ? ORDER BY position", [paper_id]))

    def papers(self) -> list[dict[str, Any]]:
        return list(self.store.db.query("SELECT * FROM exam_papers ORDER BY id"))
