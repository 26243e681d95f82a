"""Turning exceptions into the one-line messages a student sees.

Known errors (bad deck, bad spec, damaged database, bad setting or time: every
:class:`~mli_drill.exceptions.MliDrillError`) exit with their ``exit_code``
(2) and their own message; so do the operating system's refusals (a full
disk, a file that cannot be read) and text that is not UTF-8. Anything
unexpected is a bug: the student gets one line and the traceback goes to
``errors.log`` in the data directory.
"""

from __future__ import annotations

import traceback

from mli_drill.exceptions import MliDrillError


def describe(exc: BaseException) -> tuple[str, int]:
    """The message to show for ``exc`` and the status to exit with."""
    if isinstance(exc, MliDrillError):
        return str(exc), exc.exit_code
    if isinstance(exc, OSError):
        return _describe_os_error(exc), 2
    if isinstance(exc, UnicodeError):
        return _describe_unicode_error(exc), 2
    return f"unexpected {type(exc).__name__}: {exc} (details in {_log(exc)})", 1


def _describe_os_error(exc: OSError) -> str:
    """``path: reason``, plus what to do for the failures a student can fix (full disk, permissions)."""
    import errno

    text = f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{text}; free some disk space and try again (answers already saved are kept)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{text}; make it writable, or point MLI_DRILL_HOME at a writable directory"
    return text


def _describe_unicode_error(exc: UnicodeError) -> str:
    """Bytes that are not UTF-8 (typed, pasted or passed as an argument) are the student's to fix, not a bug.

    Python turns undecodable argument bytes into lone surrogates (\\udc80-\\udcff),
    which fail later when written to SQLite or the screen; a strict locale
    fails at once when reading standard input.
    """
    if isinstance(exc, UnicodeDecodeError):
        return f"the input is not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r}); retype it, or save the file as UTF-8"
    if isinstance(exc, UnicodeEncodeError):
        bad = exc.object[exc.start:exc.end]
        if any("\udc80" <= ch <= "\udcff" for ch in bad):
            return "an argument or input line is not UTF-8 text; retype it (or rename the file) using UTF-8"
        return f"this terminal cannot show {bad!r} ({exc.encoding}); use a UTF-8 locale, e.g. LANG=C.UTF-8"
    return f"text encoding problem: {exc}"


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
