"""``mli-drill status``: what is due today, new, learned, suspended, leeches — per deck; days to the exam."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("status")(status)


def status(json_output: bool = typer.Option(False, "--json", help="Print the numbers as JSON.")) -> None:
    """Show what is due today, new, learned, suspended and the leeches, per deck.

    Suggests `mli-drill optimize` once enough reviews have come in since the last fit.
    --json also gives each problem family's ability, level and predicted success per level.
    With an exam date set (`mli-drill config set exam-date YYYY-MM-DD`) it also
    shows the days left and the predicted recall on exam day per topic.
    """
    from mli_drill import clock
    from mli_drill.render.console import print_json
    from mli_drill.render.reports import status as draw
    from mli_drill.services.adaptive import fsrs_summary, levels_summary
    from mli_drill.cli.common import load_collection, settings, workspace
    from mli_drill.review.progress import status_report
    from mli_drill.review.scheduling import new_left_today

    opened = workspace(load_collection())
    store, now, rules, collection = opened.store, opened.now, opened.policy, opened.collection
    items = store.items(include_orphaned=True)
    introduced = store.introduced_since(clock.iso(clock.start_of_local_day(now)))
    report = status_report(items, now, new_left_today(introduced, items, now, rules), rules, collection.topics())
    fitting = fsrs_summary(store)
    if json_output:
        levels = levels_summary(store, list(collection.families), settings()["level"])
        print_json({**report.to_dict(), "levels": levels, "fsrs": fitting})
        return
    draw(report)
    if fitting["suggest_optimize"]:
        from mli_drill.render.adaptive import optimize_nudge

        optimize_nudge(fitting)
