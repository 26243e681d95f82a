"""Backups through SQLite's online backup API (consistent even while another terminal writes).

An automatic backup is taken on the first run of each day (the last 7 are
kept) and before any schema migration. ``mli-drill backup [PATH]`` takes one
on demand.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

KEEP_DAILY = 7


def backup_to(source: sqlite3.Connection, target: Path) -> Path:
    """Copy a live database to ``target`` (written to a temporary name, then renamed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    destination = sqlite3.connect(str(partial))
    try:
        # No journal and no syncs while copying: the partial file is renamed into
        # place only once complete, after a single fsync of the whole file.
        destination.execute("PRAGMA journal_mode = OFF")
        destination.execute("PRAGMA synchronous = OFF")
        source.backup(destination)
    finally:
        destination.close()
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    partial.replace(target)
    return target


def _dir_for(db_path: Path) -> Path:
    from mli_drill import paths

    return paths.backups_dir()


def daily_backup(store: Any, today: date | None = None) -> Path | None:
    """Back up once per local day (only a database with reviews), keeping the newest 7."""
    from mli_drill.clock import now

    today = today or now().astimezone().date()
    directory = _dir_for(store.path)
    stem = store.path.stem
    target = directory / f"{stem}-{today.isoformat()}.db"
    if target.exists() or store.review_count(include_undone=True) == 0:
        return None
    try:
        backup_to(store.conn, target)
    except (OSError, sqlite3.Error):
        return None  # a failed convenience backup must not stop a review
    daily = sorted(directory.glob(f"{stem}-????-??-??.db"))
    for old in daily[:-KEEP_DAILY]:
        old.unlink(missing_ok=True)
    return target


def backup_before_migration(db_path: Path, old_version: int) -> None:
    """Copy the file before its schema is changed, so a failed migration can be undone."""
    from mli_drill.clock import now

    stamp = now().strftime("%Y%m%dT%H%M%S")
    source = sqlite3.connect(str(db_path))
    try:
        backup_to(source, _dir_for(db_path) / f"{db_path.stem}-schema{old_version}-{stamp}.db")
    finally:
        source.close()


def latest_backup(db_path: Path) -> Path | None:
    candidates = sorted(_dir_for(db_path).glob(f"{db_path.stem}-*.db"), key=lambda p: p.stat().st_mtime)
    return candidates[-1] if candidates else None


def restore_from(backup: Path, db_path: Path) -> Path | None:
    """Put a backup in place of the database; the file it replaces is renamed, never deleted.

    The backup is copied and checked *before* the current file is moved, so a
    damaged or foreign backup leaves everything as it was.
    """
    from mli_drill.store import StoreError
    from mli_drill.store.db import SQLITE_HEADER

    if not backup.is_file():
        raise StoreError(f"no backup at {backup}")
    with backup.open("rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            raise StoreError(f"{backup} is not an SQLite database; nothing was restored")
    incoming = db_path.with_name(db_path.name + ".restoring")
    try:
        _copy_checked(backup, incoming)
    except (sqlite3.Error, StoreError) as exc:
        incoming.unlink(missing_ok=True)
        raise StoreError(f"{backup} cannot be restored ({exc}); nothing was changed — try an older backup") from None
    kept = _move_aside(db_path)
    incoming.replace(db_path)
    return kept


def _copy_checked(backup: Path, target: Path) -> None:
    """Copy ``backup`` to ``target`` and make sure the copy passes SQLite's integrity check."""
    from mli_drill.store import StoreError

    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        backup_to(source, target)
    finally:
        source.close()
    copy = sqlite3.connect(str(target))
    try:
        result = [row[0] for row in copy.execute("PRAGMA integrity_check(5)")]
    finally:
        copy.close()
    if result != ["ok"]:
        raise StoreError("integrity check failed: " + " ".join(" ".join(result).split())[:160])


def _move_aside(db_path: Path) -> Path | None:
    """Rename the current database (and its -wal/-shm) to ``NAME.replaced-STAMP``."""
    from mli_drill.clock import now

    if not db_path.exists():
        return None
    stamp = now().strftime("%Y%m%dT%H%M%S")
    kept = db_path.with_name(f"{db_path.name}.replaced-{stamp}")
    counter = 1
    while kept.exists():  # a second restore within the same second must not overwrite the first kept file
        counter += 1
        kept = db_path.with_name(f"{db_path.name}.replaced-{stamp}-{counter}")
    db_path.replace(kept)
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.replace(kept.with_name(kept.name + suffix))
    return kept
