"""What ``stats`` and the exam report read from the database: the store's aggregates handed to the pure computations of :mod:`mli_drill.review.stats`."""

from __future__ import annotations

from datetime import datetime

from mli_drill.clock import iso
from mli_drill.review import stats as s
from mli_drill.review.scheduling import Policy, forgetting_curve
from mli_drill.services.collection import Collection
from mli_drill.store import Store


def gather(store: Store, collection: Collection, now: datetime, rules: Policy) -> s.StatsReport:
    """Ask the store for its aggregates and hand them to the pure computations in ``mli_drill.review.stats``."""
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


def recurring_mistakes(store: Store, now: datetime) -> tuple[str, list[s.RecurringMistake]]:
    """(window start, slips named at least twice since then): for ``stats`` and the exam report."""
    since = iso(s.window_start(now, s.MISTAKE_DAYS))
    return since, s.recurring_mistakes(store.diagnosed_answers(since, iso(now)))
