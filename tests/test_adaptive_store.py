"""The stored side of adaptive practice (schema v9): the ability cache follows the log, undo included; fits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mli_drill.review.ability import Abilities, Answer
from mli_drill.services.adaptive import current_abilities
from mli_drill.model import ReviewRecord
from mli_drill.store import StoreError, open_store

NOW = "2026-05-01T09:00:00+00:00"


def answer(store, family: str, level: str | None, correct: bool, source: str = "practice") -> int:  # type: ignore[no-untyped-def]
    detail = json.dumps({"family": family, "level": level, "seed": 1}) if level else None
    record = ReviewRecord(key=f"family:{family}", reviewed_at=NOW, rating=3 if correct else 1, correct=correct, source=source, detail=detail)
    _, _, log_id = store.apply_review(record, lambda item: item)
    return log_id


@pytest.fixture
def store(tmp_path: Path, home: Path):  # type: ignore[no-untyped-def]
    opened = open_store(tmp_path / "p.db")
    opened.sync_items([("family:a", "family", "t"), ("family:b", "family", "t"), ("card:c", "card", "d")], NOW)
    yield opened
    opened.close()


def test_the_cache_is_the_fold_of_the_live_answers_and_survives_undo(store) -> None:  # type: ignore[no-untyped-def]
    answer(store, "a", "exam", True)
    answer(store, "b", "exam", False)
    first = current_abilities(store)
    assert first == Abilities().fold([Answer("a", "exam", True), Answer("b", "exam", False)])
    assert store.adaptive.ability_cache().through is not None
    _, _, card_answer = store.apply_review(ReviewRecord(key="card:c", reviewed_at=NOW, rating=3), lambda item: item)
    current_abilities(store)
    mark = store.adaptive.ability_cache().through
    store.undo_review(card_answer, store.item("card:c"))
    assert store.adaptive.ability_cache().through == mark, "taking back a card's answer leaves the abilities alone"
    undone = answer(store, "a", "hard", False)
    assert current_abilities(store).answers("a") == 2
    store.undo_review(undone, store.item("family:a"))
    assert store.adaptive.ability_cache().through is None, "taking back a folded answer drops the cache"
    assert current_abilities(store) == first, "folded afresh without the answer taken back"
    answer(store, "a", None, True)  # no level recorded (an old answer): nothing to learn from
    store.apply_review(ReviewRecord(key="card:c", reviewed_at=NOW, rating=3), lambda item: item)  # cards never count
    assert current_abilities(store) == first


def test_a_fold_saved_meanwhile_by_another_terminal_is_not_overwritten(store) -> None:  # type: ignore[no-untyped-def]
    answer(store, "a", "exam", True)
    current_abilities(store)
    mark = store.adaptive.ability_cache().through
    assert not store.adaptive.save_abilities(999, [("a", 5.0, 1)], [], expected=None), "stale: started from no cache"
    assert store.adaptive.ability_cache().through == mark
    assert store.adaptive.save_abilities(999, [("a", 5.0, 1)], [], expected=mark)


def test_fits_keep_at_most_one_in_use(store) -> None:  # type: ignore[no-untyped-def]
    params = [0.5] * 21
    assert store.adaptive.parameters_in_use() is None
    store.adaptive.record_fit(NOW, 400, params, {"x": 1}, adopt=True)
    second = store.adaptive.record_fit(NOW, 800, [0.6] * 21, {"x": 2}, adopt=True)
    store.adaptive.record_fit(NOW, 900, [0.7] * 21, {"x": 3}, adopt=False)
    in_use = store.adaptive.fit_in_use()
    assert in_use is not None and in_use.id == second and in_use.parameters == tuple([0.6] * 21) and in_use.figures == {"x": 2}
    assert store.adaptive.latest_fit().reviews == 900 and not store.adaptive.latest_fit().adopted
    assert store.adaptive.use_default_parameters() and store.adaptive.parameters_in_use() is None
    assert not store.adaptive.use_default_parameters()


def test_damaged_stored_parameters_stop_with_a_message(store) -> None:  # type: ignore[no-untyped-def]
    store.adaptive.record_fit(NOW, 400, [0.5] * 21, {}, adopt=True)
    store.conn.execute("UPDATE fsrs_fits SET parameters = '[1, 2]'")
    with pytest.raises(StoreError, match="config set fsrs-parameters default"):
        store.adaptive.parameters_in_use()
