"""``mli-drill backup [PATH]``: a consistent copy of the progress database."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)


def backup(
    path: Optional[Path] = typer.Argument(None, help="Where to write the copy (default: backups/ in the data directory)."),
    restore: Optional[Path] = typer.Option(None, "--restore", help="Replace the database with this backup (the current file is kept beside it)."),
) -> None:
    """Back up the database with SQLite's backup API (safe while another session runs).

    An automatic backup is also taken on the first run of each day; the last 7 are kept.
    """
    from mli_drill import paths
    from mli_drill.render.console import echo
    from mli_drill.services.backup import restore_from
    from mli_drill.cli.common import db_path, open_db
    from mli_drill.clock import now

    if restore is not None:
        kept = restore_from(restore, db_path())
        echo(f"restored {db_path()} from {restore}" + (f"; the previous file is kept as {kept}" if kept else ""))
        return
    store = open_db()
    target = path or paths.backups_dir() / f"{db_path().stem}-manual-{now().strftime('%Y%m%dT%H%M%S')}.db"
    if target.is_dir():
        target = target / f"{db_path().stem}-{now().strftime('%Y%m%dT%H%M%S')}.db"
    store.backup_to(target)
    echo(f"backed up {store.review_count()} reviews to {target}")
