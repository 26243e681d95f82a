"""The store's one error. Every ``sqlite3.Error`` leaves the store as a :class:`StoreError` (see ``db.explained``)."""

from __future__ import annotations

from mli_drill.exceptions import MliDrillError


class StoreError(MliDrillError):
    """The database cannot be used; the message says why and what to do."""
