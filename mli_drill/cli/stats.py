"""``mli-drill stats``: review heatmap, due forecast, true retention, mastery, leeches and streak."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from mli_drill.services.collection import Collection
    from mli_drill.review.scheduling import Policy
    from mli_drill.review.stats import RecurringMistake, StatsReport


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
    from mli_drill import clock
    from mli_drill.services.adaptive import levels_summary
    from mli_drill.cli.common import load_collection, open_db, policy, settings
    from mli_drill.services.collection import sync

    store = open_db()
    now = clock.now()
    collection = load_collection()
    sync(store, collection, now)
    report = gather(store, collection, now, policy(store))
    levels = levels_summary(store, list(collection.families), settings()["level"])
    if json_output:
        from mli_drill.render import print_json

        print_json({**report.to_dict(), "levels": levels})
        return
    from mli_drill.render import console
    from mli_drill.render.adaptive import problem_levels
    from mli_drill.render.stats import stats as draw

    draw(report)
    problem_levels(console(), levels)


def gather(store: Any, collection: "Collection", now: datetime, rules: "Policy") -> "StatsReport":
    """Ask the store for its aggregates and hand them to the pure computations in ``mli_drill.review.stats``."""
    from mli_drill.review import stats as s
    from mli_drill.clock import iso
    from mli_drill.review.scheduling import forgetting_curve

    today = s.local_today(now)
    days = s.heatmap_days(today)
    counts = dict(zip(days, store.review_counts_between(s.day_bounds(days))))
    while s.streak_may_continue(counts, today):  # a streak longer than the heatmap: count further back
        earlier = s.days_before(min(counts), len(days))
        counts.update(zip(earlier, store.review_counts_between(s.day_bounds(earlier))))

    topics = collection.topics()
    retention_since = iso(s.window_start(now, s.RETENTION_DAYS))
    tests, passed = store.retention_counts(retention_since, iso(now), s.RETENTION_MIN_GAP_SECONDS)
    mastery_since = iso(s.window_start(now, s.MASTERY_DAYS))
    answers = s.summarise_answers(store.answer_histogram(mastery_since, iso(now), s.DURATION_BUCKET_MS))
    deck_topics = {deck.id: deck.topic or deck.id for deck in collection.decks}
    decay, factor = forgetting_curve(rules.desired_retention, rules.parameters)
    groups = [s.ItemGroup(*row) for row in store.mastery_groups(iso(now), decay, factor)]
    mistakes_since, recurring = recurring_mistakes(store, now)
    return s.StatsReport(
        now=iso(now),
        heatmap=s.build_heatmap(today, counts),
        streak=s.current_streak(counts, today),
        forecast=s.forecast_from_dues(store.due_times(), now),
        retention=s.Retention(s.RETENTION_DAYS, retention_since, tests, passed, rules.desired_retention),
        mastery=s.mastery_from_groups(groups, answers, topics, deck_topics, mastery_since),
        leeches=s.find_leeches(store.leech_items(), topics),
        recurring_mistakes=recurring,
        mistakes_since=mistakes_since,
    )


def recurring_mistakes(store: Any, now: datetime) -> tuple[str, list["RecurringMistake"]]:
    """(window start, slips named at least twice since then): for ``stats`` and the exam report."""
    from mli_drill.review import stats as s
    from mli_drill.clock import iso

    since = iso(s.window_start(now, s.MISTAKE_DAYS))
    return since, s.recurring_mistakes(store.diagnosed_answers(since, iso(now)))
