"""The only package that talks to SQLite. Everything else asks :class:`Store`.

Every ``sqlite3.Error`` is turned into a :class:`StoreError` here, with a
message that names the file and what to do. The store imports only the
leaf modules (``model``, ``paths``, ``exceptions``), never the layers above it.
"""

from mli_drill.store.db import Store, open_store
from mli_drill.store.errors import StoreError

__all__ = ["Store", "StoreError", "open_store"]
