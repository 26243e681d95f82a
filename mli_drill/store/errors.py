"""The store's one error, and what an SQLite error means for the student.

Every ``sqlite3.Error`` leaves the store as a :class:`StoreError` whose message
(:func:`explain`) names the file, what went wrong and what to do: the classes
of the store are decorated with :func:`explained`.
"""

from __future__ import annotations

import inspect
import sqlite3
from functools import wraps
from pathlib import Path
from typing import Any, Callable, TypeVar

from mli_drill.exceptions import MliDrillError
from mli_drill.store.backup import latest_backup

# How long a connection waits for another's write lock (db.open_store sets it);
# a "locked" error comes only after that, and its message says how long it waited.
BUSY_TIMEOUT_MS = 30_000


class StoreError(MliDrillError):
    """The database cannot be used; the message says why and what to do."""


Component = TypeVar("Component", bound=type)


def explained(cls: Component) -> Component:
    """Class decorator: an ``sqlite3.Error`` escaping a public method becomes a :class:`StoreError`.

    The store is the only code that talks to SQLite, so it is also the only
    code that knows what an SQLite error means for the student: the message
    (from :func:`explain`) says what went wrong with which file and what to do.
    Callers above the store never see ``sqlite3`` errors. Every class of the
    store with public methods is decorated (``tests/test_architecture.py`` checks).
    """
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, _explaining(member))
    setattr(cls, "explains_sqlite_errors", True)
    return cls


def _explaining(method: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(explain(self.path, exc)) from exc

    return call


def explain(path: Path, exc: sqlite3.Error) -> str:
    """One line saying what went wrong with the database and what the student can do about it."""
    text = str(exc)
    if is_damage(exc):
        return damaged_message(path, text)
    if "readonly" in text or "unable to open" in text:
        return (
            f"cannot write {path} ({text}); make the file and its directory writable, "
            "or choose another place with --db or MLI_DRILL_HOME"
        )
    if "disk is full" in text or "disk I/O" in text:
        if "disk is full" in text or _disk_nearly_full(path):
            return f"cannot write {path}: the disk is full; free some disk space and try again (answers already saved are kept)"
        return f"cannot write {path} ({text}); check the disk, then try again (answers already saved are kept)"
    if "locked" in text or "busy" in text:
        # only after BUSY_TIMEOUT_MS of waiting: something holds the write lock far longer than a review takes
        return f"{path} stayed locked by another program for {BUSY_TIMEOUT_MS // 1000} s; close other mli-drill sessions or tools using it, then try again"
    return f"database error on {path}: {text}"


def is_damage(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "malformed" in text or "not a database" in text or "file is encrypted" in text


def damaged_message(path: Path, detail: str) -> str:
    """A damaged database is never repaired or replaced automatically: say how to restore it."""
    import shlex

    message = f"{path} is damaged ({detail}); it was left untouched."
    try:
        newest = latest_backup(path)
    except OSError:
        newest = None
    if newest is not None:
        return (
            f"{message} Restore the newest backup with `mli-drill backup --restore {shlex.quote(str(newest))}` "
            "(the damaged file is kept beside it), or use --db to pick another file"
        )
    return f"{message} No backup was found; move the file away to start afresh, or use --db to pick another file"


def _disk_nearly_full(path: Path) -> bool:
    """SQLite reports a full tmpfs as a 'disk I/O error' (the -shm map cannot grow): look at the free space."""
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < 1_000_000
    except OSError:
        return False
