"""Figure 4: bytes per review-log row in the database file.

The file size after VACUUM with the items only, and again after the log rows
were inserted, divided by the number of rows (so it includes the two indexes
on ``review_log``). ``dbstat`` (when SQLite was built with it) splits the
bytes between the table and each index. The baseline is the smallest useful
log, (item id, epoch seconds, rating) in a rowid table without indexes, built
from the same rows.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from benchmarks.common import Figure, ratio
from benchmarks.synthetic import Synthetic

LOG_OBJECTS = ("review_log", "review_log_item", "review_log_time")
BASELINE_ROWS = 200_000


def dbstat_bytes(db_path: Path) -> dict[str, int] | None:
    """Bytes of each review-log table/index page set, or None when dbstat is unavailable."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return {name: int(size) for name, size in rows if name in LOG_OBJECTS}


def minimal_log_bytes_per_row(db_path: Path, limit: int = BASELINE_ROWS) -> float:
    """Bytes per row of (item_id, epoch, rating) in a fresh vacuumed file, from the first ``limit`` log rows."""
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    with tempfile.TemporaryDirectory(prefix="mli-bench-size-") as tmp:
        path = Path(tmp) / "minimal.db"
        target = sqlite3.connect(str(path))
        try:
            target.execute("CREATE TABLE log (item_id INTEGER NOT NULL, at INTEGER NOT NULL, rating INTEGER NOT NULL)")
            empty = _vacuumed_size(target, path)
            rows = source.execute("SELECT item_id, reviewed_at, rating FROM review_log ORDER BY id LIMIT ?", (limit,))
            data = [(item, int(datetime.fromisoformat(at).timestamp()), rating) for item, at, rating in rows]
            target.executemany("INSERT INTO log VALUES (?, ?, ?)", data)
            target.commit()
            return (_vacuumed_size(target, path) - empty) / max(1, len(data))
        finally:
            target.close()
            source.close()


def _vacuumed_size(conn: sqlite3.Connection, path: Path) -> int:
    conn.commit()
    conn.execute("VACUUM")
    return path.stat().st_size


def measure(synthetic: Synthetic) -> list[Figure]:
    rows = max(1, synthetic.reviews)
    per_row = (synthetic.size_vacuumed - synthetic.size_items_only) / rows
    as_inserted = (synthetic.size_as_inserted - synthetic.size_items_only) / rows
    minimal = minimal_log_bytes_per_row(synthetic.db_path)
    parts = dbstat_bytes(synthetic.db_path)
    split = "dbstat unavailable" if parts is None else "dbstat: " + ", ".join(f"{n} {b / rows:.0f}" for n, b in sorted(parts.items()))
    return [
        Figure("size: bytes per review-log row (after VACUUM)", per_row, "B/row", "minimal (item, epoch, rating) table", minimal,
               ratio(per_row, minimal), "< 200 B", per_row < 200, f"{synthetic.reviews:,} rows incl. both indexes; {split} B/row"),
        Figure("size: bytes per review-log row (as appended, no VACUUM)", as_inserted, "B/row", "minimal (item, epoch, rating) table",
               minimal, ratio(as_inserted, minimal), "< 200 B", as_inserted < 200, "index pages split by out-of-order item ids"),
    ]
