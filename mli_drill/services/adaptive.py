"""Joining the store with the adaptive core: current abilities, the level chooser, the parameters in use.

:mod:`mli_drill.review.ability` is the pure Elo model; the store keeps a cache of
its fold over the review log (``Store.adaptive``). This module folds in the
answers the cache has not seen yet, hands commands a chooser for
``--level`` / ``config set level``, and builds the scheduling policy with the
FSRS parameters in use (``mli-drill optimize``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mli_drill.clock import iso
from mli_drill.review.ability import TARGET, Abilities, LevelChoice, answers_from_log, choose, family_report, from_rows, level_report
from mli_drill.review.scheduling import Policy, is_due
from mli_drill.store import Store
from mli_drill.vocabulary import ItemKey

if TYPE_CHECKING:
    from datetime import datetime

    from mli_drill.review.interleave import FamilyNeed

# review.stats, review.interleave and review.optimizer are imported inside the functions that
# use them: `status` imports this module for levels_summary alone, and its start-up is measured
# (benchmarks/startup.py).

AUTO = "auto"


def current_abilities(store: Store) -> Abilities:
    """Every family's ability now: the stored fold plus the answers given since (saved back when there are any)."""
    cache = store.adaptive.ability_cache()
    state = from_rows(cache.abilities, cache.levels) if cache.through is not None else Abilities()
    rows = store.adaptive.problem_answers(cache.through or 0)
    if not rows:
        return state
    state.fold(answers_from_log((family, level, correct) for _, family, level, correct in rows))
    store.adaptive.save_abilities(
        rows[-1][0],
        [(family, theta, state.answers(family)) for family, theta in state.ability.items()],
        [(level, state.difficulty[level], state.level_answers[level]) for level in state.difficulty],
        expected=cache.through,
    )
    return state


class LevelChooser:
    """The level each problem is drawn at: ``level`` itself, or with ``auto`` the one nearest 75% predicted success.

    Called once per problem served, so a session's levels follow its own
    answers (each one is in the review log before the next problem is drawn).
    """

    def __init__(self, store: Store, level: str):
        self.store = store
        self.level = level

    @property
    def auto(self) -> bool:
        return self.level == AUTO

    def __call__(self, family: str) -> LevelChoice:
        if not self.auto:
            return LevelChoice(self.level)
        return choose(current_abilities(self.store), family)

    def levels(self, families: list[str]) -> dict[str, str]:
        """The level each family would be served at now (for the practice summary)."""
        if not self.auto:
            return {family: self.level for family in families}
        state = current_abilities(self.store)
        return {family: state.level_for(family) for family in families}


def with_fitted_parameters(policy: Policy, store: Store) -> Policy:
    """``policy`` with the FSRS parameters in use in this database (None: the defaults)."""
    return replace(policy, parameters=store.adaptive.parameters_in_use())


def family_needs(store: Store, families: list[str], now: "datetime", course_order: dict[str, tuple]) -> list["FamilyNeed"]:
    """What the interleaved mix weighs for each family: due now, predicted success at the exam level, recurring slips."""
    from mli_drill.review import stats
    from mli_drill.review.interleave import FamilyNeed

    abilities = current_abilities(store)
    since = iso(stats.window_start(now, stats.MISTAKE_DAYS))
    slips: dict[str, int] = {}
    for mistake in stats.recurring_mistakes(store.diagnosed_answers(since, iso(now))):
        slips[mistake.family] = slips.get(mistake.family, 0) + 1
    needs = []
    for family in families:
        item = store.item(str(ItemKey.family(family)))
        due = item is not None and not item.suspended and is_due(item, now)
        needs.append(FamilyNeed(family, due, abilities.success(family, "exam"), slips.get(family, 0), course_order.get(str(ItemKey.family(family)), ())))
    return needs


def levels_summary(store: Store, families: list[str], mode: str) -> dict[str, Any]:
    """For ``status --json`` and ``stats``: each family's ability, the level auto serves and predicted success per level."""
    state = current_abilities(store)
    return {"mode": mode, "target": TARGET, "families": family_report(state, families), "difficulties": level_report(state)}


def fsrs_summary(store: Store) -> dict[str, Any]:
    """For ``status``: the FSRS parameters in use, and whether enough new reviews have come in to run optimize (again)."""
    from mli_drill.review.optimizer import MIN_REVIEWS, NUDGE_NEW_REVIEWS

    reviews = store.adaptive.live_review_count()
    in_use, latest = store.adaptive.fit_in_use(), store.adaptive.latest_fit()
    since = None if latest is None else max(0, reviews - latest.reviews)
    suggest = reviews >= MIN_REVIEWS if since is None else since >= NUDGE_NEW_REVIEWS
    return {
        "parameters": "fitted" if in_use else "default",
        "fitted_at": in_use.fitted_at if in_use else None,
        "reviews": reviews,
        "last_fit": None if latest is None else {"fitted_at": latest.fitted_at, "reviews": latest.reviews, "adopted": latest.adopted},
        "reviews_since_last_fit": since,
        "suggest_optimize": suggest,
    }
