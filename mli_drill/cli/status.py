"""``mli-drill status``: what is due today, new, learned, suspended, leeches — per deck; days to the exam."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("status")(status)


def status(json_output: bool = typer.Option(False, "--json", help="Print the numbers as JSON.")) -> None:
    """Show what is due today, new, learned, suspended and the leeches, per deck.

    With an exam date set (`mli-drill config set exam-date YYYY-MM-DD`) it also
    shows the days left and the predicted recall on exam day per topic.
    """
    from mli_drill import clock, render
    from mli_drill.cli.common import open_db, policy
    from mli_drill.cli.common import load_collection
    from mli_drill.collection import sync
    from mli_drill.progress import status_report
    from mli_drill.scheduling import new_left_today

    store = open_db()
    now = clock.now()
    collection = load_collection()
    sync(store, collection, now)
    rules = policy()
    items = store.items(include_orphaned=True)
    introduced = store.introduced_since(clock.iso(clock.start_of_local_day(now)))
    report = status_report(items, now, new_left_today(introduced, items, now, rules), rules, collection.topics())
    if json_output:
        render.print_json(report.to_dict())
        return
    render.status(report)
