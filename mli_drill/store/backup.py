"""Copies of a database through SQLite's online backup API, and where they are kept.

The SQLite side of backups (``mli_drill.services.backup`` decides when to take one,
which to keep and how to restore): a copy is consistent even while another
terminal writes, is written to a temporary name and renamed once complete,
and a copy meant to replace the database is checked before it is used.
This module imports nothing else of the store (``errors`` names the newest
backup in its message for a damaged file).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from mli_drill import paths



def backups_dir(db_path: Path) -> Path:
    """Where the backups of the database at ``db_path`` go (named ``<stem>-….db`` there)."""
    return paths.backups_dir()


def latest_backup(db_path: Path) -> Path | None:
    """The newest backup of this database, if there is one (named in the message for a damaged file)."""
    candidates = sorted(backups_dir(db_path).glob(f"{db_path.stem}-*.db"), key=lambda p: p.stat().st_mtime)
    return candidates[-1] if candidates else None


def copy_database(source: sqlite3.Connection, target: Path) -> Path:
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


def copy_file(db_path: Path, target: Path) -> Path:
    """Copy the database file at ``db_path`` (not open here) to ``target``."""
    source = sqlite3.connect(str(db_path))
    try:
        return copy_database(source, target)
    finally:
        source.close()


def copy_checked(backup: Path, target: Path) -> str | None:
    """Copy ``backup`` to ``target`` and run SQLite's integrity check on the copy.

    Returns what is wrong (the file cannot be read as a database, or the check
    failed), or None when the copy is sound; ``target`` may be left behind.
    """
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            copy_database(source, target)
        finally:
            source.close()
        copy = sqlite3.connect(str(target))
        try:
            result = [row[0] for row in copy.execute("PRAGMA integrity_check(5)")]
        finally:
            copy.close()
    except sqlite3.Error as exc:
        return str(exc)
    if result != ["ok"]:
        return "integrity check failed: " + " ".join(" ".join(result).split())[:160]
    return None
