"""Smoke test of benchmarks/: every piece produces its figures on a tiny collection.

No timing is asserted (a test must not depend on how busy the machine is);
only that each benchmark runs end to end and reports sensible values.
"""

from __future__ import annotations

import csv
import math
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from benchmarks import instances, latency, quality, run, scale, size, startup
from benchmarks.common import BENCH_NOW, PROMPT_MARKER, Figure, bench_env, percentile, timed_run
from benchmarks.synthetic import DECK_ID, build

CARDS = 40
REVIEWS = 300


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("bench") / "home"
    return build(home, CARDS, REVIEWS, BENCH_NOW)


def test_synthetic_collection_is_valid_and_complete(collection) -> None:
    from mli_drill.decks.deckfile import read_deck_file
    from mli_drill.problems.registry import family_names

    deck, problems = read_deck_file(collection.deck_path)
    assert problems == []
    assert deck is not None and deck.id == DECK_ID and len(deck.cards) == CARDS
    conn = sqlite3.connect(str(collection.db_path))
    try:
        assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == REVIEWS
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == CARDS + len(family_names())
        # every reviewed item's reps match its log rows, and its last row is its last_review
        mismatched = conn.execute(
            "SELECT count(*) FROM items i WHERE i.state > 0 AND (i.reps != (SELECT count(*) FROM review_log r WHERE r.item_id = i.id)"
            " OR i.last_review != (SELECT max(reviewed_at) FROM review_log r WHERE r.item_id = i.id))"
        ).fetchone()[0]
        assert mismatched == 0
    finally:
        conn.close()
    assert collection.size_items_only < collection.size_vacuumed


def test_size_figures(collection) -> None:
    figures = size.measure(collection)
    assert [f.unit for f in figures] == ["B/row", "B/row"]
    assert all(f.value and f.value > 0 and f.baseline_value and f.ratio for f in figures)


def test_scale_figures_on_the_cli(collection) -> None:
    figures = scale.measure(collection.db_path.parent, collection.deck_path, repeats=1, label="tiny")
    by_name = {f.name: f for f in figures}
    review = by_name["scale: review, time to the first card on screen"]
    assert review.value and review.ratio and review.ok is not None
    assert by_name["scale: status"].value
    assert "scale: status with an exam date set" in by_name


def test_latency_figures(collection) -> None:
    values = latency.session_latencies(collection.db_path.parent, answers=5)
    assert len(values) == 5 and all(v > 0 for v in values)
    figures = latency.measure(collection.db_path.parent, answers=5)
    assert figures[0].value and figures[0].baseline_value and figures[0].ok is not None


def test_quality_scores_a_small_history(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["card_id", "review_rating", "review_time", "review_duration"])
        for card in range(6):
            for day, rating in enumerate([3, 3, 1 if card % 3 == 0 else 3, 3, 4]):
                writer.writerow([card, rating, f"2024-04-{1 + day * (day + 1):02d}T10:00:00+00:00", 5000])
    figures = quality.measure(path)
    assert len(figures) == 3
    assert all(f.value is not None and f.baseline_value is not None and f.ok is not None for f in figures[:2])
    assert figures[2].value is None and "too little history" in figures[2].note  # 30 reviews: nothing to fit


def test_quality_compares_default_fitted_and_sm2_on_the_last_fifth(tmp_path: Path) -> None:
    """Enough history to fit: the held-out figures stand side by side (values only; which wins is the benchmark's job)."""
    import random

    rng = random.Random(7)
    path = tmp_path / "log.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["card_id", "review_rating", "review_time", "review_duration"])
        for card in range(40):
            day = card % 5
            for step in range(12):
                day += 1 + step + rng.randrange(3)
                at = datetime(2024, 1, 1, 10, tzinfo=timezone.utc) + timedelta(days=day)
                writer.writerow([card, rng.choice([1, 3, 3, 3, 4]), at.isoformat(), 0])
    figures = {f.name: f for f in quality.held_out(quality.read_reviews(path))}
    fitted = figures["quality, last 20% by time: log loss, fitted FSRS"]
    assert fitted.value is not None and fitted.baseline_value is not None and fitted.ok is not None
    assert "SM-2" in fitted.note and "fitted" in fitted.note
    sm2 = figures["quality, last 20% by time: log loss, default FSRS"]
    assert sm2.value == fitted.baseline_value and sm2.baseline_value is not None


def test_quality_metrics_by_hand() -> None:
    scores = quality.score([(0.9, 1), (0.1, 0)])
    assert scores.log_loss == pytest.approx(-math.log(0.9))
    assert scores.rmse_bins == pytest.approx(0.1)  # both bins off by 0.1
    assert scores.count == 2


def test_same_day_reviews_are_not_scored() -> None:
    from datetime import datetime, timedelta, timezone

    start = datetime(2024, 4, 1, 10, tzinfo=timezone.utc)
    assert not quality.evaluated(start, start + timedelta(hours=23))
    assert quality.evaluated(start, start + timedelta(days=1))


def test_instance_rates() -> None:
    from mli_drill.problems.registry import family_names

    name = family_names()[0]
    figures, rates = instances.measure(count=3, seconds=0.0, families=[name])
    assert len(rates) == 3 and all(r.made == 3 and r.per_second > 0 for r in rates)
    assert figures[0].value == min(r.per_second for r in rates)


def test_import_check_reports_heavy_modules() -> None:
    modules = {name for name, _, _ in startup.imported_modules("import json")}
    assert "json" in modules
    figure = startup.import_check()
    assert figure.ok is not None and figure.value is not None


def test_timed_run_sees_the_prompt_marker() -> None:
    code = "import sys, time; sys.stdout.buffer.write('card\\n› Enter\\n'.encode()); sys.stdout.flush(); time.sleep(0.2)"
    result = timed_run([sys.executable, "-c", code], bench_env(None), marker=PROMPT_MARKER)
    assert result.marker is not None and result.marker < result.total


def test_table_marks_each_result() -> None:
    figures = [
        Figure("a", 0.2, "s", "base", 0.1, 2.0, "<= 1.2x", False),
        Figure("b", 120.0, "B/row", target="< 200 B", ok=True),
        Figure("c", None, "s", note="skipped"),
    ]
    text = run.table(figures)
    assert "| a | 200 ms | 100 ms (base) | 2.00x | <= 1.2x | FAIL |" in text
    assert "| ok |" in text and "| skipped |" in text
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
