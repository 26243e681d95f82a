"""``mli-drill status``: what is due today, new, learned, suspended, leeches — per deck."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("status")(status)


def status(json_output: bool = typer.Option(False, "--json", help="Print the numbers as JSON.")) -> None:
    """Show what is due today, new, learned, suspended and the leeches, per deck."""
    from mli_drill import clock, render
    from mli_drill.cli.common import open_db, policy
    from mli_drill.collection import load_collection, sync
    from mli_drill.progress import status_report

    store = open_db()
    now = clock.now()
    sync(store, load_collection(), now)
    introduced = store.introduced_since(clock.iso(clock.start_of_local_day(now)))
    report = status_report(store.items(include_orphaned=True), now, policy().new_per_day - introduced)
    if json_output:
        render.print_json(report.to_dict())
        return
    render.status(report)
