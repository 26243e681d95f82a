"""Opening, migrating and querying the progress database (sqlite3; sqlite-utils for the exam papers' reads).

Guarantees the rest of the tool relies on:

* every answer is committed (``apply_review``) before the caller shows the next card;
* WAL mode and a busy timeout, so two terminals can review at once; each
  review re-reads the item inside ``BEGIN IMMEDIATE`` so no update is lost;
* the schema version lives in ``PRAGMA user_version`` and only moves forward;
* a damaged, foreign or newer database is never written to: we stop with a
  message instead.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import os
import re
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from mli_drill.model import CLOZE_KEY_MARK, FAMILY_PREFIX, ItemState, ReviewRecord
from mli_drill.store.backup import copy_database
from mli_drill.store.errors import BUSY_TIMEOUT_MS, StoreError, damaged_message, explain, explained, is_damage
from mli_drill import paths
from mli_drill.store.adaptive import AdaptiveStore
from mli_drill.vocabulary import STATUSES, ItemKey

if TYPE_CHECKING:
    import sqlite_utils

    from mli_drill.store.adaptive import AdaptiveStore

SQLITE_HEADER = b"SQLite format 3\x00"
ITEM_COLUMNS = tuple(ItemState.__dataclass_fields__)

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
    if not path.is_file():
        # a device or pipe: SQLite would "open" it and fail later with a misleading I/O error
        raise StoreError(f"{path} is not a regular file; use --db to pick a database file")
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
        raise StoreError(
            f"cannot create the data directory {path.parent}: {exc.strerror}; "
            "point MLI_DRILL_HOME at a writable directory, or use --db"
        ) from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        store = Store(conn, path)
        store.prepare(before_migrate)
    except sqlite3.DatabaseError as exc:
        raise StoreError(explain(path, exc)) from None
    return store


@explained
class Store:
    """A migrated database. Use :func:`open_store` to get one."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @cached_property
    def db(self) -> "sqlite_utils.Database":
        """sqlite-utils over the same connection, for the rows-as-dicts reads of exam papers.

        Created on first use: importing sqlite-utils costs 150-400 ms (it
        loads numpy and its plugins), so no hot path uses it. The queue, a
        review, ``status``, ``stats`` and syncing the items with the decks
        (a bulk insert on the first run, which ``status`` makes without
        numpy) use the connection directly. ``exam`` (which draws problems
        with numpy anyway) and ``exam history`` read their papers through it.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # -- lifecycle -------------------------------------------------------
    def prepare(self, before_migrate: Callable[[Path, int], None] | None) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        if not self.unchanged_since_verified():
            self.check_integrity()
        version = self.schema_version()
        if version > latest_version():
            raise StoreError(
                f"{self.path} was written by a newer mli-drill (schema {version}, this one knows {latest_version()}); "
                "upgrade mli-drill — the file was left untouched"
            )
        self._use_wal()
        if version < latest_version():
            if version > 0 and before_migrate is not None:
                before_migrate(self.path, version)
            self.migrate(version)

    def _use_wal(self) -> None:
        """Switch to WAL mode (once per file). The switch needs the file to itself and SQLite
        reports "locked" at once instead of waiting, so two first runs at the same moment retry."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def check_integrity(self) -> None:
        """Refuse a damaged file before anything writes to it (not even the journal mode).

        ``quick_check`` reads every page (milliseconds for a student's
        database); without it damage surfaces later, after the daily backup
        has copied the damaged file over the oldest good backup.
        """
        try:
            rows = [row[0] for row in self.conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise  # e.g. a read-only directory: open_store explains it
            raise StoreError(damaged_message(self.path, str(exc))) from None
        if rows != ["ok"]:
            found = " ".join(" ".join(rows).split()).replace("*** in database main *** ", "")
            raise StoreError(damaged_message(self.path, "integrity check failed: " + found[:160]))

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, current: int) -> None:
        for migration in migrations():
            if migration.version <= current:
                continue
            with self.transaction():
                # another process may have migrated since we read the version: re-read it under the write lock
                if self.schema_version() >= migration.version:
                    continue
                # executescript would COMMIT our transaction; run statements one by one instead
                for statement in _statements(migration.sql):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {migration.version}")

    def close(self) -> None:
        self.conn.close()

    def backup_to(self, target: Path) -> Path:
        """A consistent copy of the database at ``target``, even while another terminal writes (see ``store.backup``)."""
        return copy_database(self.conn, target)

    # The integrity check reads every page, which grows with the review log.
    # After a clean close we note the file's size and modification time; an
    # open that finds them unchanged skips the check. A crash (no clean close),
    # another program or damage on disk changes them, and the check runs.
    def _stamp_path(self) -> Path:
        digest = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:24]
        return paths.data_dir() / "cache" / f"verified-{digest}.json"

    def _file_state(self) -> list[list[int]]:
        state = []
        for suffix in ("", "-wal"):
            try:
                info = os.stat(str(self.path) + suffix)
                state.append([info.st_size, info.st_mtime_ns])
            except OSError:
                state.append([])
        return state

    def unchanged_since_verified(self) -> bool:
        try:
            return json.loads(self._stamp_path().read_text(encoding="utf-8")) == self._file_state()
        except (OSError, ValueError):
            return False

    def close_verified(self) -> None:
        """Close, then record the file's state so the next open can skip the integrity check."""
        self.conn.close()
        stamp = self._stamp_path()
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            partial = stamp.with_suffix(".partial")
            partial.write_text(json.dumps(self._file_state()), encoding="utf-8")
            partial.replace(stamp)
        except OSError:
            pass  # without a stamp the next open simply checks again

    @property
    def exams(self) -> "ExamStore":
        return ExamStore(self)

    @property
    def adaptive(self) -> "AdaptiveStore":
        """Abilities and FSRS fits (schema version 9; see store/adaptive.py)."""
        return AdaptiveStore(self)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front so concurrent writers queue."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")  # may fail too (a full disk shows up here in WAL mode)
        except BaseException:
            self._rollback_quietly()
            raise

    def _rollback_quietly(self) -> None:
        """Roll back if a transaction is still open; never hide the error that got us here.

        SQLite may already have rolled back by itself (e.g. on a full disk), and a
        bare ROLLBACK would then raise "no transaction is active" instead.
        """
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    # -- items -----------------------------------------------------------
    def sync_items(self, entries: Iterable[tuple[str, str, str]], now_iso: str) -> None:
        """Make the items table match the decks and families: (key, kind, deck) for each.

        New keys are inserted as new items; keys no longer present are marked
        orphaned (never deleted, so their history survives); returning keys
        are un-orphaned. Only changed rows are written, and the write lock is
        taken only when something changed. The changes are worked out again
        under the lock: a second terminal starting at the same moment may
        have inserted the same new items meanwhile.
        """
        entries = list(entries)
        # The collection lists items in a stable order, so no sort is needed (a new order only costs one full sync)
        fingerprint = hashlib.sha1("\n".join(map("\t".join, entries)).encode()).hexdigest()
        if self._meta("synced") == fingerprint:
            return
        wanted = {key: (kind, deck) for key, kind, deck in entries}
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('synced', ?)", (fingerprint,))
            inserts, orphan, revive, moved = self._sync_changes(wanted, now_iso)
            self.conn.executemany(
                "INSERT INTO items (key, kind, deck, created_at) VALUES (:key, :kind, :deck, :created_at)", inserts
            )
            self.conn.executemany("UPDATE items SET orphaned = 1 WHERE key = ?", [(k,) for k in orphan])
            self.conn.executemany("UPDATE items SET orphaned = 0 WHERE key = ?", [(k,) for k in revive])
            self.conn.executemany("UPDATE items SET deck = ? WHERE key = ?", moved)

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _sync_changes(self, wanted: dict[str, tuple[str, str]], now_iso: str) -> tuple[list, list, list, list]:
        """(rows to insert, keys to orphan, keys to revive, (deck, key) to move) against the stored items."""
        existing = {row[0]: (row[1], row[2]) for row in self.conn.execute("SELECT key, orphaned, deck FROM items")}
        inserts = [
            {"key": key, "kind": kind, "deck": deck, "created_at": now_iso}
            for key, (kind, deck) in wanted.items()
            if key not in existing
        ]
        orphan = [key for key, (orphaned, _) in existing.items() if key not in wanted and not orphaned]
        revive = [key for key, (orphaned, _) in existing.items() if key in wanted and orphaned]
        moved = [(wanted[key][1], key) for key, (_, deck) in existing.items() if key in wanted and wanted[key][1] != deck]
        return inserts, orphan, revive, moved

    def items(self, include_orphaned: bool = False) -> list[ItemState]:
        where = "" if include_orphaned else "WHERE orphaned = 0"
        cursor = self.conn.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM items {where}")
        return [ItemState(*_item_row(row)) for row in cursor]

    def queue_candidates(self, due_by: str) -> list[ItemState]:
        """What a session may show: new items and items due by ``due_by``, none suspended or orphaned.

        Only the fields a queue is built from are read (key, kind, deck,
        state, due; the rest keep their defaults): a third of the cost of
        whole rows on a large collection. The session reads an item's full
        state when it answers it. Filtering is done in SQL (due times are ISO
        UTC text, so they compare as text).
        """
        cursor = self.conn.execute(
            "SELECT key, kind, deck, state, due FROM items"
            " WHERE orphaned = 0 AND suspended = 0 AND (state = 0 OR due <= ?)",
            (due_by,),
        )
        return [ItemState(key, kind, deck, STATUSES[state], due=due) for key, kind, deck, state, due in cursor]

    def item(self, key: str) -> ItemState | None:
        row = self.conn.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE key = ?", (key,)).fetchone()
        return ItemState(*_item_row(row)) if row else None

    def _write_item(self, item: ItemState) -> None:
        data = item.to_dict()
        data = {k: (int(v) if isinstance(v, bool) else v) for k, v in data.items()}
        sets = ", ".join(f"{c} = :{c}" for c in ITEM_COLUMNS if c not in ("key", "kind"))
        self.conn.execute(f"UPDATE items SET {sets} WHERE key = :key", data)

    def keys_of_card(self, key: str) -> list[str]:
        """The stored items a card key names: ``card:ID`` names the card's every deletion (``card:ID#cN``) too,
        ``card:ID#c2`` only itself."""
        if CLOZE_KEY_MARK in key:
            return [row[0] for row in self.conn.execute("SELECT key FROM items WHERE key = ?", (key,))]
        prefix = key + CLOZE_KEY_MARK
        rows = self.conn.execute("SELECT key FROM items WHERE key = ? OR substr(key, 1, ?) = ? ORDER BY id", (key, len(prefix), prefix))
        return [row[0] for row in rows]

    def set_suspended(self, key: str, suspended: bool) -> bool:
        """Suspend or unsuspend; unsuspending also lifts the leech tag. False if there is no such item."""
        with self.transaction():
            sql = "UPDATE items SET suspended = ?" + ("" if suspended else ", leech = 0") + " WHERE key = ?"
            return self.conn.execute(sql, (int(suspended), key)).rowcount > 0

    # -- reviews ---------------------------------------------------------
    def apply_review(
        self, record: ReviewRecord, schedule: Callable[[ItemState], ItemState], replaces: tuple[int, ItemState] | None = None
    ) -> tuple[ItemState, ItemState, int]:
        """Append one answer and the item's new state, atomically, and commit.

        ``schedule`` maps the item's *current stored* state to its new state; it
        runs inside the write transaction, so a review made meanwhile in
        another terminal is never overwritten with stale state.
        ``replaces=(log_id, state_before_it)`` takes back that earlier answer in
        the same transaction (a rating changed at the prompt), so a crash can
        never leave the answer taken back but not replaced.
        Returns (state before, state after, review_log id).
        """
        with self.transaction():
            if replaces is not None:
                self._take_back(*replaces)
            before = self.item(record.key)
            if before is None:
                raise StoreError(f"unknown item {record.key!r}")
            after = schedule(before)
            self._write_item(after)
            # elapsed_s: seconds since the item's previous live review, so retention needs no window query
            cursor = self.conn.execute(
                """
                INSERT INTO review_log (item_id, reviewed_at, rating, duration_ms, answer, correct, source, detail, elapsed_s, mistakes)
                SELECT i.id, :at, :rating, :duration, :answer, :correct, :source, :detail,
                       max(0, CAST(strftime('%s', :at) AS INTEGER) - CAST(strftime('%s', (
                           SELECT max(p.reviewed_at) FROM review_log p WHERE p.item_id = i.id AND p.undone = 0
                       )) AS INTEGER)),
                       :mistakes
                FROM items i WHERE i.key = :key
                """,
                {
                    "key": record.key,
                    "at": record.reviewed_at,
                    "rating": record.rating,
                    "duration": record.duration_ms,
                    "answer": record.answer,
                    "correct": None if record.correct is None else int(record.correct),
                    "source": record.source,
                    "detail": record.detail,
                    "mistakes": _mistakes_json(record.mistakes),
                },
            )
            return before, after, int(cursor.lastrowid or 0)

    def undo_review(self, log_id: int, before: ItemState) -> None:
        """Take back one answer: restore the item's earlier state, flag the log row (never delete it)."""
        with self.transaction():
            self._take_back(log_id, before)

    def _take_back(self, log_id: int, before: ItemState) -> None:
        self._write_item(before)
        self.conn.execute("UPDATE review_log SET undone = 1 WHERE id = ?", (log_id,))

    def next_due(self, keys: Iterable[str] | None = None) -> str | None:
        """The earliest due time of any reviewable item, or of those with these keys (for the session summary)."""
        sql = "SELECT min(due) FROM items WHERE state > 0 AND suspended = 0 AND orphaned = 0"
        if keys is None:
            return self.conn.execute(sql).fetchone()[0]
        # one JSON parameter, not one per key: a deck may hold more keys than SQLite allows parameters
        sql += " AND key IN (SELECT value FROM json_each(?))"
        return self.conn.execute(sql, (json.dumps(list(keys)),)).fetchone()[0]

    def introduced_since(self, since_iso: str) -> int:
        """How many items had their first review at or after ``since_iso`` (for the new-card limit)."""
        row = self.conn.execute("SELECT count(*) FROM items WHERE introduced_at >= ?", (since_iso,)).fetchone()
        return int(row[0])

    def review_count(self, include_undone: bool = False) -> int:
        where = "" if include_undone else "WHERE undone = 0"
        return int(self.conn.execute(f"SELECT count(*) FROM review_log {where}").fetchone()[0])

    # -- statistics ------------------------------------------------------
    # Aggregated in SQL so ``stats`` stays fast with a million-row review log:
    # only counts and small histograms come back to Python. Undone reviews never count.
    def review_counts_between(self, bounds: list[tuple[str, str]]) -> list[int]:
        """Reviews in each half-open interval [start, end) of UTC ISO times, in the order given.

        The caller passes local-day boundaries, so a "day" is the student's
        calendar day even across daylight-saving changes. Counts come from the
        per-quarter-hour totals kept by triggers (every zone's midnight is on a
        quarter-hour), so a year of days costs one small range scan.
        """
        if not bounds:
            return []
        rows = self.conn.execute(
            "SELECT quarter, reviews FROM review_quarters WHERE quarter >= ? AND quarter < ? AND reviews != 0 ORDER BY quarter",
            (min(start for start, _ in bounds)[:16], max(end for _, end in bounds)[:16]),
        ).fetchall()
        quarters = [quarter for quarter, _ in rows]
        totals = list(itertools.accumulate((reviews for _, reviews in rows), initial=0))
        return [totals[bisect.bisect_left(quarters, end[:16])] - totals[bisect.bisect_left(quarters, start[:16])] for start, end in bounds]

    def retention_counts(self, since_iso: str, until_iso: str, min_gap_seconds: int = 86_400) -> tuple[int, int]:
        """(recall tests, passed) among reviews made in [since, until].

        A review is a recall test when the same item's previous review was at
        least ``min_gap_seconds`` earlier (a first review, or a learning step
        minutes after the last answer, is not); it passed when rated 2 (hard)
        or better. Undone reviews are neither tests nor previous reviews. The
        gap is stored with each review (``elapsed_s``, measured from the item's
        latest live review when it was written), so this is one range scan.
        """
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(rating >= 2), 0) FROM review_log"
            " WHERE undone = 0 AND reviewed_at >= ? AND reviewed_at <= ? AND elapsed_s >= ?",
            (since_iso, until_iso, min_gap_seconds),
        ).fetchone()
        return int(row[0]), int(row[1])

    def mastery_groups(self, now_iso: str, decay: float, factor: float) -> list[tuple[str, str, int, int, float, int]]:
        """(kind, group, items, learned, recall total, recall count) per deck (cards) or family key.

        Predicted recall is FSRS's forgetting curve ``(1 + factor * t / S) ** decay``
        with t the whole days since the last review, summed over learned,
        unsuspended items; the same numbers as ``stats.item_groups`` gives in
        Python, without building an object per item.
        """
        self._ensure_pow()
        sql = """
            SELECT kind, CASE WHEN kind = 'family' THEN key ELSE deck END AS grp,
                   count(*), sum(state > 0),
                   coalesce(sum(CASE WHEN state > 0 AND suspended = 0 THEN
                       CASE WHEN stability IS NULL OR last_review IS NULL THEN 0.0 ELSE
                       pow(1 + :factor * max(0, CAST(julianday(:now) - julianday(last_review) AS INTEGER)) / stability, :decay)
                       END END), 0.0),
                   sum(state > 0 AND suspended = 0)
            FROM items WHERE orphaned = 0 GROUP BY kind, grp
        """
        rows = self.conn.execute(sql, {"now": now_iso, "decay": decay, "factor": factor})
        return [(kind, group, int(n), int(learned), float(total), int(count)) for kind, group, n, learned, total, count in rows]

    def diagnosed_answers(self, since_iso: str, until_iso: str) -> list[tuple[str, str, list[dict[str, str]]]]:
        """(family, time, slips) for each answer in [since, until] in which slips were diagnosed, oldest first.

        Practice and review answers come from the review log (undone ones
        left out), mock-exam answers from their papers; a mock-exam answer
        that also moved the schedule (``exam --reschedule``) is counted once,
        with its paper. Both are read through small indexes: only answers
        with a diagnosis are visited.
        """
        rows: list[tuple[str, str, list[dict[str, str]]]] = []
        cursor = self.conn.execute(
            "SELECT i.key, r.reviewed_at, r.mistakes FROM review_log r"
            " JOIN items i ON i.id = r.item_id"
            " WHERE r.mistakes IS NOT NULL AND r.undone = 0 AND r.source != 'exam' AND r.reviewed_at >= ? AND r.reviewed_at <= ?",
            (since_iso, until_iso),
        )
        rows += [(ItemKey.parse(key).id, at, json.loads(text)) for key, at, text in cursor]
        rows += self.exams.diagnosed_answers(since_iso, until_iso)
        return sorted(rows, key=lambda row: row[1])

    def _ensure_pow(self) -> None:
        """SQLite builds without the math functions get ``pow`` from Python."""
        try:
            self.conn.execute("SELECT pow(2, 0.5)")
        except sqlite3.OperationalError:
            import math

            self.conn.create_function("pow", 2, math.pow, deterministic=True)

    def due_times(self) -> list[str]:
        """Due times of learned, unsuspended items still in the collection (for the forecast)."""
        rows = self.conn.execute("SELECT due FROM items WHERE state > 0 AND suspended = 0 AND orphaned = 0 AND due IS NOT NULL")
        return [row[0] for row in rows]

    def leech_items(self) -> list[ItemState]:
        cursor = self.conn.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE leech = 1 AND orphaned = 0")
        return [ItemState(*_item_row(row)) for row in cursor]

    def answer_histogram(self, since_iso: str, until_iso: str, bucket_ms: int = 100) -> list[tuple[str, str, int | None, int, int]]:
        """Answers in [since, until] of items still in the collection, as (kind, group, bucket, reviews, correct).

        ``group`` is the deck id for a card and the item key for a family, so
        the caller can fold rows into topics and families; ``bucket`` is the
        answer time rounded to ``bucket_ms`` (None when not timed), enough for
        an exact median at that resolution without sending every row back.
        ``correct`` counts answers marked correct; a self-graded answer with no
        mark counts as correct when rated 2 (hard) or better.
        """
        sql = """
            SELECT i.kind, CASE WHEN i.kind = 'family' THEN i.key ELSE i.deck END AS answer_group,
                   CAST((r.duration_ms + :half) / :bucket AS INTEGER) AS bucket,
                   count(*), sum(coalesce(r.correct, r.rating >= 2))
            FROM review_log r JOIN items i ON i.id = r.item_id
            WHERE r.undone = 0 AND i.orphaned = 0 AND r.reviewed_at >= :since AND r.reviewed_at <= :until
            GROUP BY i.kind, answer_group, bucket
        """
        params = {"since": since_iso, "until": until_iso, "bucket": bucket_ms, "half": bucket_ms // 2}
        return [(kind, group, bucket, int(count), int(correct)) for kind, group, bucket, count, correct in self.conn.execute(sql, params)]


_FLAG_COLUMNS = tuple(ITEM_COLUMNS.index(name) for name in ("suspended", "leech", "orphaned"))
_STATE_COLUMN = ITEM_COLUMNS.index("state")


def _item_row(row: tuple) -> list:
    values = list(row)
    for index in _FLAG_COLUMNS:
        values[index] = bool(values[index])
    values[_STATE_COLUMN] = STATUSES[values[_STATE_COLUMN]]
    return values


def _mistakes_json(mistakes: Iterable[dict[str, str]]) -> str | None:
    """Diagnosed slips as stored: a JSON list, or NULL when there are none (the partial index skips those)."""
    found = [{"id": m["id"], "message": m["message"]} for m in mistakes]
    return json.dumps(found, ensure_ascii=False) if found else None


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, letting SQLite say where one ends (triggers hold semicolons)."""
    statements, buffer = [], ""
    for line in sql.splitlines():
        code = line.split("--", 1)[0]
        if not code.strip():
            continue
        buffer += code + "\n"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


@explained
class ExamStore:
    """Exam papers and their answers (schema versions 2 and 8). Reached through ``Store.exams``."""

    def __init__(self, store: Store):
        self.store = store
        self.conn = store.conn
        self.path = store.path

    def create(self, started_at: str, seed: int, level: str, minutes: int, questions_json: str) -> int:
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO exam_papers (started_at, seed, level, minutes, questions) VALUES (?, ?, ?, ?, ?)",
                (started_at, seed, level, minutes, questions_json),
            )
            return int(cursor.lastrowid or 0)

    def record_answer(
        self, paper_id: int, position: int, answer: str | None, marks: float, max_marks: float, seconds: float, at: str,
        mistakes: Iterable[dict[str, str]] = (),
    ) -> None:
        """Commit one answer; ``mistakes`` are the slips diagnosed in it ({"id", "message"} each)."""
        with self.store.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO exam_answers (paper_id, position, answer, marks, max_marks, seconds, answered_at, mistakes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (paper_id, position, answer, marks, max_marks, seconds, at, _mistakes_json(mistakes)),
            )

    def record_late_answer(self, paper_id: int, position: int, answer: str | None, at: str) -> None:
        """An answer that came after time was up: kept for the report, never scored."""
        with self.store.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO exam_late_answers (paper_id, position, answer, answered_at) VALUES (?, ?, ?, ?)",
                (paper_id, position, answer, at),
            )

    def record_time(self, paper_id: int, seconds_used: float) -> None:
        """How much of its time the paper has used, so a resumed paper's countdown goes on from there."""
        with self.store.transaction():
            self.conn.execute("UPDATE exam_papers SET seconds_used = ? WHERE id = ?", (seconds_used, paper_id))

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

    def diagnosed_answers(self, since_iso: str, until_iso: str) -> list[tuple[str, str, list[dict[str, str]]]]:
        """(family, time, slips) for each paper answer in [since, until] in which slips were diagnosed.

        The family is the paper's question at that position (``exam.Question``
        stored as JSON with ``position`` and ``key`` = ``family:<name>``).
        """
        rows = self.conn.execute(
            "SELECT a.position, a.answered_at, a.mistakes, p.questions FROM exam_answers a JOIN exam_papers p ON p.id = a.paper_id"
            " WHERE a.mistakes IS NOT NULL AND a.answered_at >= ? AND a.answered_at <= ?",
            (since_iso, until_iso),
        ).fetchall()
        found = []
        for position, at, mistakes, questions in rows:
            keys = {q.get("position"): q.get("key", "") for q in json.loads(questions)}
            key = keys.get(position, "")
            if key.startswith(FAMILY_PREFIX):
                found.append((ItemKey.parse(key).id, at, json.loads(mistakes)))
        return found

    def late_answers(self, paper_id: int) -> dict[int, str | None]:
        """Position -> the answer given after time was up."""
        rows = self.conn.execute("SELECT position, answer FROM exam_late_answers WHERE paper_id = ?", (paper_id,)).fetchall()
        return {int(position): answer for position, answer in rows}

    def papers(self) -> list[dict[str, Any]]:
        return list(self.store.db.query("SELECT * FROM exam_papers ORDER BY id"))
