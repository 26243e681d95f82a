"""What a study command opens: the store, the collection synced into it, the time, and the scheduling policy.

``review``, ``practice``, ``exam`` and the commands that touch items each
need the same four things in the same order: the decks and families loaded,
the database's items brought up to date with them (new cards appear, edited
cards keep their history), one "now" for the whole start-up, and the
scheduling rules of the settings with the FSRS parameters fitted to this
database. Doing it in one place keeps the order (sync before any query
reads the items) and the policy (fitted parameters, exam date) the same in
every command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from mli_drill.review.scheduling import Policy
from mli_drill.services.adaptive import with_fitted_parameters
from mli_drill.services.collection import Collection, sync
from mli_drill.store import Store


def policy_from_settings(values: dict[str, Any]) -> Policy:
    """The scheduling rules the settings give (``desired-retention``, ``new-per-day``, ``exam-date``), default FSRS parameters."""
    exam = values["exam-date"]
    return Policy(
        desired_retention=values["desired-retention"],
        new_per_day=values["new-per-day"],
        exam_date=date.fromisoformat(exam) if exam else None,
    )


@dataclass
class Workspace:
    """An open study session's surroundings. ``now`` is when the command started (the session's own clock moves on)."""

    store: Store
    collection: Collection
    now: datetime
    policy: Policy

    def live_policy(self) -> Callable[[], Policy]:
        """The policy with the FSRS parameters in use at each call: an answer uses parameters adopted while the session was open."""
        return lambda: with_fitted_parameters(self.policy, self.store)

    def family_titles(self) -> dict[str, str]:
        return {name: spec.title for name, spec in self.collection.families.items()}


def open_workspace(store: Store, collection: Collection, settings: dict[str, Any], now: datetime) -> Workspace:
    """Sync the collection into the store at ``now`` and settle the policy for this database."""
    sync(store, collection, now)
    return Workspace(store, collection, now, with_fitted_parameters(policy_from_settings(settings), store))
