"""Turning exceptions into the one-line messages a student sees.

Known errors (bad deck, bad spec, damaged database, bad setting or time) exit
with code 2 and their own message. Anything unexpected is a bug: the student
gets one line and the traceback goes to ``errors.log`` in the data directory.
"""

from __future__ import annotations

import traceback


def describe(exc: BaseException) -> tuple[str, int]:
    from mli_drill.clock import ClockError
    from mli_drill.deckfile import DeckError
    from mli_drill.families import UnknownFamily
    from mli_drill.families.base import InvalidParams
    from mli_drill.problemspec import SpecError
    from mli_drill.settings import SettingsError
    from mli_drill.store import StoreError

    if isinstance(exc, DeckError):
        shown = exc.problems[:50]
        more = f"\n… and {len(exc.problems) - 50} more" if len(exc.problems) > 50 else ""
        return "\n".join(shown) + more, 2
    if isinstance(exc, UnknownFamily):
        return f"unknown problem family {exc.args[0]!r}; see `mli-drill problems list`", 2
    if isinstance(exc, (StoreError, SpecError, SettingsError, ClockError, InvalidParams)):
        return str(exc), 2
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        from mli_drill.cli.common import db_path
        from mli_drill.store.db import _explain

        return _explain(db_path(), exc), 2
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), 2
    return f"unexpected {type(exc).__name__}: {exc} (details in {_log(exc)})", 1


def _log(exc: BaseException) -> str:
    try:
        from mli_drill import paths

        log = paths.data_dir() / "errors.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + "\n")
        return str(log)
    except OSError:
        return "standard error"
