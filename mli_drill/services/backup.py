"""When backups are taken, which are kept, and how one is put back.

An automatic backup is taken on the first run of each day (the last 7 are
kept) and before any schema migration. ``mli-drill backup [PATH]`` takes one
on demand. The copying itself (SQLite's online backup API, consistent even
while another terminal writes) is the store's: :mod:`mli_drill.store.backup`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from mli_drill.store import StoreError
from mli_drill.store.backup import backups_dir, copy_checked, copy_file
from mli_drill.store.db import SQLITE_HEADER
from mli_drill.clock import now

KEEP_DAILY = 7


class BackedUpStore(Protocol):
    """What a daily backup asks of the store (:class:`mli_drill.store.Store` has it)."""

    @property
    def path(self) -> Path: ...

    def review_count(self, include_undone: bool = False) -> int: ...

    def backup_to(self, target: Path) -> Path: ...


def daily_backup(store: BackedUpStore, today: date | None = None) -> Path | None:
    """Back up once per local day (only a database with reviews), keeping the newest 7."""
    today = today or now().astimezone().date()
    directory = backups_dir(store.path)
    stem = store.path.stem
    target = directory / f"{stem}-{today.isoformat()}.db"
    if target.exists() or store.review_count(include_undone=True) == 0:
        return None
    try:
        store.backup_to(target)
    except (OSError, StoreError):
        return None  # a failed convenience backup must not stop a review
    daily = sorted(directory.glob(f"{stem}-????-??-??.db"))
    for old in daily[:-KEEP_DAILY]:
        old.unlink(missing_ok=True)
    return target


def backup_before_migration(db_path: Path, old_version: int) -> None:
    """Copy the file before its schema is changed, so a failed migration can be undone."""
    stamp = now().strftime("%Y%m%dT%H%M%S")
    copy_file(db_path, backups_dir(db_path) / f"{db_path.stem}-schema{old_version}-{stamp}.db")


def restore_from(backup: Path, db_path: Path) -> Path | None:
    """Put a backup in place of the database; the file it replaces is renamed, never deleted.

    The backup is copied and checked *before* the current file is moved, so a
    damaged or foreign backup leaves everything as it was.
    """
    if not backup.is_file():
        raise StoreError(f"no backup at {backup}")
    with backup.open("rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            raise StoreError(f"{backup} is not an SQLite database; nothing was restored")
    incoming = db_path.with_name(db_path.name + ".restoring")
    problem = copy_checked(backup, incoming)
    if problem is not None:
        incoming.unlink(missing_ok=True)
        raise StoreError(f"{backup} cannot be restored ({problem}); nothing was changed — try an older backup")
    kept = _move_aside(db_path)
    incoming.replace(db_path)
    return kept


def _move_aside(db_path: Path) -> Path | None:
    """Rename the current database (and its -wal/-shm) to ``NAME.replaced-STAMP``."""
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
