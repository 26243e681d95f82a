"""The only package that talks to SQLite. Everything else asks :class:`Store`."""

from mli_drill.store.db import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
