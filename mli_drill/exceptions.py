"""The base of every error the student can cause or fix: a bad deck, spec, setting, answer or database.

Each domain error subclasses :class:`MliDrillError` (keeping its ``ValueError``
or ``LookupError`` base where it has one, so code that catches those still
does), and its message is the one line the student sees. The command line
turns any of them into that line on standard error and ``exit_code``
(``mli_drill.cli.errors.describe``); anything else is a bug and is logged.

This module imports nothing, so every layer can raise these errors without
importing the layers above it.
"""

from __future__ import annotations


class MliDrillError(Exception):
    """A known failure: ``str(error)`` is the one-line message, ``exit_code`` the status the command exits with."""

    exit_code = 2
