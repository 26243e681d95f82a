"""The store's side of adaptive practice (schema version 9): the ability cache and the FSRS fits.

Reached through ``Store.adaptive``. Like the rest of ``store/`` this is only
SQL: the Elo model is :mod:`mli_drill.review.ability`, the fitting
:mod:`mli_drill.review.optimizer`, and :mod:`mli_drill.services.adaptive` joins them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from mli_drill.store.errors import StoreError, explained

if TYPE_CHECKING:
    from mli_drill.store.db import Store

THROUGH_KEY = "abilities_through"
PARAMETER_COUNT = 21  # FSRS-6


@dataclass(frozen=True)
class AbilityCache:
    """The cached fold: None ``through`` when there is none (never built, or an answer it held was taken back)."""

    through: int | None
    abilities: list[tuple[str, float, int]]  # (family, θ, answers)
    levels: list[tuple[str, float, int]]  # (level, b, answers)


@dataclass(frozen=True)
class StoredFit:
    id: int
    fitted_at: str
    reviews: int
    parameters: tuple[float, ...]
    figures: dict[str, Any]
    adopted: bool
    in_use: bool


@explained
class AdaptiveStore:
    def __init__(self, store: "Store"):
        self.store = store
        self.conn = store.conn
        self.path = store.path

    # -- abilities -------------------------------------------------------
    def ability_cache(self) -> AbilityCache:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (THROUGH_KEY,)).fetchone()
        if row is None:
            return AbilityCache(None, [], [])
        abilities = [(f, float(a), int(n)) for f, a, n in self.conn.execute("SELECT family, ability, answers FROM abilities")]
        levels = [(lv, float(b), int(n)) for lv, b, n in self.conn.execute("SELECT level, difficulty, answers FROM level_difficulties")]
        return AbilityCache(int(row[0]), abilities, levels)

    def problem_answers(self, after_id: int = 0) -> list[tuple[int, str, str | None, int | None]]:
        """Live answers to problem families with a review-log id above ``after_id``, in id order.

        (id, family, level, correct): the level is the one the problem was
        drawn at (the answer's detail JSON; None when not recorded). The
        family items are found first and their answers read through the
        per-item index (CROSS JOIN fixes that order, ``+r.id`` keeps SQLite
        from walking the whole log in id order instead): a log of a million
        card reviews costs nothing here.
        """
        rows = self.conn.execute(
            "SELECT r.id, substr(i.key, 8), json_extract(r.detail, '$.level'), r.correct"
            " FROM items i CROSS JOIN review_log r ON r.item_id = i.id"
            " WHERE i.kind = 'family' AND r.undone = 0 AND +r.id > ? ORDER BY +r.id",
            (after_id,),
        )
        return [(int(i), family, level if isinstance(level, str) else None, correct) for i, family, level, correct in rows]

    def save_abilities(
        self, through: int, abilities: Iterable[tuple[str, float, int]], levels: Iterable[tuple[str, float, int]], expected: int | None
    ) -> bool:
        """Replace the cache with a fold up to log id ``through``, unless another terminal moved it meanwhile.

        ``expected`` is the mark the fold started from; when the stored mark
        differs now (another session saved a newer fold, or an undo dropped
        it), nothing is written: the next read folds again. True when written.
        """
        abilities, levels = list(abilities), list(levels)
        with self.store.transaction():
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (THROUGH_KEY,)).fetchone()
            current = None if row is None else int(row[0])
            if current != expected:
                return False
            self.conn.execute("DELETE FROM abilities")
            self.conn.execute("DELETE FROM level_difficulties")
            self.conn.executemany("INSERT INTO abilities (family, ability, answers) VALUES (?, ?, ?)", abilities)
            self.conn.executemany("INSERT INTO level_difficulties (level, difficulty, answers) VALUES (?, ?, ?)", levels)
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (THROUGH_KEY, str(through)))
            return True

    # -- review history for fitting ---------------------------------------
    def review_history(self) -> list[tuple[str, str, int]]:
        """Every live review as (item key, time, rating), item by item and in time order within each."""
        rows = self.conn.execute(
            "SELECT i.key, r.reviewed_at, r.rating FROM review_log r JOIN items i ON i.id = r.item_id"
            " WHERE r.undone = 0 ORDER BY r.item_id, r.reviewed_at, r.id"
        )
        return [(key, at, int(rating)) for key, at, rating in rows]

    def live_review_count(self) -> int:
        """Live reviews in the log, from the per-quarter-hour totals the triggers keep (no scan of the log)."""
        return int(self.conn.execute("SELECT coalesce(sum(reviews), 0) FROM review_quarters").fetchone()[0])

    # -- FSRS fits ----------------------------------------------------------
    def record_fit(self, fitted_at: str, reviews: int, parameters: Iterable[float], figures: dict[str, Any], adopt: bool) -> int:
        """Keep a fit with its figures; when ``adopt``, it becomes the parameters in use (in the same transaction)."""
        values = [float(p) for p in parameters]
        with self.store.transaction():
            if adopt:
                self.conn.execute("UPDATE fsrs_fits SET in_use = 0 WHERE in_use = 1")
            cursor = self.conn.execute(
                "INSERT INTO fsrs_fits (fitted_at, reviews, parameters, figures, adopted, in_use) VALUES (?, ?, ?, ?, ?, ?)",
                (fitted_at, reviews, json.dumps(values), json.dumps(figures), int(adopt), int(adopt)),
            )
            return int(cursor.lastrowid or 0)

    def use_default_parameters(self) -> bool:
        """Back to the FSRS-6 defaults; True when fitted parameters were in use."""
        with self.store.transaction():
            return self.conn.execute("UPDATE fsrs_fits SET in_use = 0 WHERE in_use = 1").rowcount > 0

    def fit_in_use(self) -> StoredFit | None:
        return self._fit("WHERE in_use = 1")

    def latest_fit(self) -> StoredFit | None:
        return self._fit("ORDER BY id DESC LIMIT 1")

    def parameters_in_use(self) -> tuple[float, ...] | None:
        """The fitted parameters the scheduler uses, or None for the defaults (one indexed row)."""
        row = self.conn.execute("SELECT parameters FROM fsrs_fits WHERE in_use = 1").fetchone()
        return None if row is None else _parameters(row[0])

    def _fit(self, clause: str) -> StoredFit | None:
        row = self.conn.execute(f"SELECT id, fitted_at, reviews, parameters, figures, adopted, in_use FROM fsrs_fits {clause}").fetchone()
        if row is None:
            return None
        fit_id, at, reviews, parameters, figures, adopted, in_use = row
        return StoredFit(int(fit_id), at, int(reviews), _parameters(parameters), json.loads(figures), bool(adopted), bool(in_use))


def _parameters(text: str) -> tuple[float, ...]:
    """Stored parameters, checked: a damaged row must stop with a message, not schedule nonsense."""
    try:
        values = tuple(float(v) for v in json.loads(text))
    except (TypeError, ValueError):
        values = ()
    if len(values) != PARAMETER_COUNT or not all(math.isfinite(v) for v in values):
        raise StoreError("the fitted FSRS parameters in the database are damaged; run `mli-drill config set fsrs-parameters default`")
    return values
