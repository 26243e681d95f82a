"""Storage: the only package that talks to SQLite. Everything else asks :class:`Store`.

The schema is ``schema.sql``, migrated by ``PRAGMA user_version``. Every
``sqlite3.Error`` is turned into a :class:`StoreError` here, with a message
that names the file and what to do.

Layer: store. May import only the foundation (``model``, ``clock``,
``paths``, ``exceptions``) and the standard library (sqlite-utils inside the
functions that read rows as dicts). Never the core, services, ``render`` or
``cli``: it knows nothing of decks, families or the screen. ``sqlite3`` is
imported nowhere else (``tests/test_architecture.py``).
"""

from mli_drill.store.db import Store, open_store
from mli_drill.store.errors import StoreError

__all__ = ["Store", "StoreError", "open_store"]
