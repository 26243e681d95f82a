"""``mli-drill stats``: review heatmap, due forecast, true retention, mastery, leeches and streak."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)


def stats(json_output: bool = typer.Option(False, "--json", help="Print the numbers as JSON.")) -> None:
    """Show your reviews over the last 26 weeks, what falls due in the next 30 days,
    true retention, mastery per topic and problem family, leeches, your streak,
    recurring mistakes (slips named in two or more wrong answers in the last 30 days)
    and each practised family's ability, level and predicted success per level.

    Heatmap: answers per local day, shaded against the busiest day shown.
    Streak: consecutive days with an answer, ending today (or yesterday).

    Forecast: learned items falling due on each of the next 30 days (overdue
    ones count today).

    True retention: of the last 30 days' recall tests (answers a day or more
    after the item's previous answer), the share rated hard or better,
    against your desired retention.

    Mastery, per topic and per problem family: "predicted recall" is FSRS's
    chance that you would recall each learned item now, a prediction, not a
    record; "answers" and "answered correctly" count your answers of the last
    30 days (problems and multiple choice as marked, other cards rated hard
    or better, point lists half the points or more); "median time" is the
    time you took to answer.

    Leeches: items forgotten 8 times, suspended until you rewrite them.
    --json prints every number.
    """
    from mli_drill.cli.common import load_collection, settings, workspace
    from mli_drill.services.adaptive import levels_summary
    from mli_drill.services.progress import gather

    opened = workspace(load_collection())
    report = gather(opened.store, opened.collection, opened.now, opened.policy)
    levels = levels_summary(opened.store, list(opened.collection.families), settings()["level"])
    if json_output:
        from mli_drill.render.console import print_json

        print_json({**report.to_dict(), "levels": levels})
        return
    from mli_drill.render.console import console
    from mli_drill.render.adaptive import problem_levels
    from mli_drill.render.stats import stats as draw

    draw(report)
    problem_levels(console(), levels)
