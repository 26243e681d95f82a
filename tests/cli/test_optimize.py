"""`mli-drill optimize` on a history built by reviewing over simulated days (MLI_DRILL_NOW), and what adopting means."""

from __future__ import annotations

import json
import os
import random
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import fsrs
import pytest

from tests.conftest import basic_deck, write_deck

START = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
DAYS = 12
CARDS = 80


@dataclass
class History:
    home: Path
    early: dict  # optimize --json after the first three days
    reviews_early: int


def fit_rows(home: Path) -> list[tuple]:
    conn = sqlite3.connect(str(home / "progress.db"))
    try:
        return conn.execute("SELECT reviews, adopted, in_use FROM fsrs_fits ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """A student reviewing an 80-card deck once a day for 12 simulated days (about 600 reviews), rating good mostly."""
    from typer.testing import CliRunner

    from mli_drill.cli import common
    from mli_drill.cli.app import app

    home = tmp_path_factory.mktemp("optimize") / "home"
    saved = {name: os.environ.get(name) for name in ("MLI_DRILL_HOME", "MLI_DRILL_NOW", "TZ", "MLI_DRILL_DB")}
    os.environ.update({"MLI_DRILL_HOME": str(home), "TZ": "UTC"})
    os.environ.pop("MLI_DRILL_DB", None)
    common.OPTIONS.db = None
    write_deck(home / "decks", "sim", basic_deck("sim", CARDS))
    runner, rng = CliRunner(), random.Random(3)
    early: dict = {}
    try:
        for day in range(DAYS):
            os.environ["MLI_DRILL_NOW"] = (START + timedelta(days=day)).isoformat()
            lines = [line for _ in range(150) for line in ("", rng.choice("33312"))]  # reveal, then a rating
            result = runner.invoke(app, ["review", "--deck", "sim"], input="\n".join(lines) + "\n", catch_exceptions=False)
            assert result.exit_code == 0, result.output
            if day == 2:
                early = json.loads(runner.invoke(app, ["optimize", "--json"], catch_exceptions=False).output)
                assert fit_rows(home) == [], "too little history changes nothing"
        os.environ["MLI_DRILL_NOW"] = (START + timedelta(days=DAYS)).isoformat()
        yield History(home, early, early["reviews"])
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_too_little_history_is_refused_with_what_is_missing(history: History) -> None:
    early = history.early
    assert early["enough_history"] is False and early["adopted"] is False and early["parameters"] is None
    assert early["fitted_at"] is None and early["default"] is None and early["fitted"] is None
    assert early["reviews"] < 400
    assert f"{400 - early['reviews']} more reviews (you have {early['reviews']} of the 400 needed)" in early["needed"]


def test_optimize_reports_held_out_figures_and_adopts_only_when_better(history: History, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLI_DRILL_HOME", str(history.home))
    monkeypatch.setenv("MLI_DRILL_NOW", (START + timedelta(days=DAYS)).isoformat())
    conn = sqlite3.connect(str(history.home / "progress.db"))
    live = conn.execute("SELECT count(*) FROM review_log WHERE undone = 0").fetchone()[0]
    conn.close()
    text = cli("optimize").output
    assert f"Used {live:,} reviews" in text and "Held-out fifth" in text
    assert "default" in text and "fitted" in text and "log loss" in text and "RMSE (bins)" in text
    report = json.loads(cli("optimize", "--json").output)
    assert report["enough_history"] and report["reviews"] == live >= 400
    assert report["held_out_reviews"] >= live - int(live * 0.8), "the most recent fifth (reviews at the cut's instant too)"
    for name in ("default", "fitted"):
        figures = report[name]
        assert 0 < figures["log_loss"] < 1 and 0 <= figures["rmse_bins"] < 1
        assert figures["count"] == report["recall_tests"]["held_out"] >= 20
    assert report["recall_tests"]["fit"] >= 64
    assert len(report["parameters"]) == 21
    fsrs.Scheduler(parameters=report["parameters"])
    rows = fit_rows(history.home)
    assert len(rows) == 2 and all(reviews == live for reviews, _, _ in rows), "each run is kept with its figures"
    assert bool(rows[1][1]) == report["adopted"] == (report["fitted"]["log_loss"] < report["default"]["log_loss"]
                                                     and (report["current"] is None or report["fitted"]["log_loss"] < report["current"]["log_loss"]))
    if rows[0][1]:  # the first run adopted its fit: the second compares with it, fits the same and keeps it
        assert report["current"] is not None and report["in_use_before"] is not None and not report["adopted"]
    in_use = [row for row in rows if row[2]]
    assert len(in_use) == (1 if any(adopted for _, adopted, _ in rows) else 0)
    shown = cli("config", "get", "fsrs-parameters").output.strip()
    assert shown.startswith("fitted ") if in_use else shown == "default"


def test_status_suggests_optimize_until_a_fit_then_again_after_new_reviews(cli, home: Path) -> None:
    from mli_drill.cli.common import open_db
    from mli_drill.review.optimizer import MIN_REVIEWS, NUDGE_NEW_REVIEWS

    store = open_db()
    store.sync_items([("card:x", "card", "d")], "2026-05-01T09:00:00+00:00")
    conn = store.conn
    item = conn.execute("SELECT id FROM items WHERE key = 'card:x'").fetchone()[0]

    def add_reviews(count: int) -> None:
        conn.executemany("INSERT INTO review_log (item_id, reviewed_at, rating) VALUES (?, '2026-04-01T09:00:00+00:00', 3)", [(item,)] * count)

    add_reviews(MIN_REVIEWS - 1)
    assert json.loads(cli("status", "--json").output)["fsrs"]["suggest_optimize"] is False
    assert "optimize" not in cli("status").output
    add_reviews(1)
    fsrs_status = json.loads(cli("status", "--json").output)["fsrs"]
    assert fsrs_status["suggest_optimize"] is True and fsrs_status["reviews"] == MIN_REVIEWS
    assert "mli-drill optimize" in cli("status").output
    store.adaptive.record_fit("2026-05-01T09:00:00+00:00", MIN_REVIEWS, fsrs.scheduler.DEFAULT_PARAMETERS, {}, adopt=False)
    assert json.loads(cli("status", "--json").output)["fsrs"]["suggest_optimize"] is False
    add_reviews(NUDGE_NEW_REVIEWS)
    fsrs_status = json.loads(cli("status", "--json").output)["fsrs"]
    assert fsrs_status["suggest_optimize"] is True and fsrs_status["reviews_since_last_fit"] == NUDGE_NEW_REVIEWS
    assert f"{NUDGE_NEW_REVIEWS} reviews since FSRS was last fitted" in cli("status").output


def distinctive_parameters() -> list[float]:
    """Defaults with a first "good" stability of 7 days instead of 2.3: easy to spot in a new item's state."""
    values = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    values[2] = 7.0
    return values


def stability(home: Path, key: str) -> float:
    conn = sqlite3.connect(str(home / "progress.db"))
    try:
        return conn.execute("SELECT stability FROM items WHERE key = ?", (key,)).fetchone()[0]
    finally:
        conn.close()


def test_adopted_parameters_schedule_the_next_answer_and_default_goes_back(home: Path, cli) -> None:
    from mli_drill.cli.common import open_db
    from mli_drill.problems.instance import make_instance

    def answer_right(family: str) -> None:
        cli("practice", family, "--seed", "9", "--count", "1", "--level", "exam",
            input=f"{make_instance(family, 'exam', 9).answer}\n3\n")  # right, rated good

    cli("status")
    open_db().adaptive.record_fit("2026-05-01T08:00:00+00:00", 500, distinctive_parameters(), {"note": "test"}, adopt=True)
    assert cli("config", "get", "fsrs-parameters").output.strip() == "fitted 2026-05-01T08:00:00+00:00"
    answer_right("conv-output")
    assert stability(home, "family:conv-output") == pytest.approx(7.0), "the fitted first-good stability"
    assert "fsrs-parameters = default" in cli("config", "set", "fsrs-parameters", "default").output
    assert cli("config", "get", "fsrs-parameters").output.strip() == "default"
    answer_right("receptive-field")
    assert stability(home, "family:receptive-field") == pytest.approx(fsrs.scheduler.DEFAULT_PARAMETERS[2])
    refused = cli("config", "set", "fsrs-parameters", "0.1,0.2")  # a known error: one line and exit 2
    assert refused.exit_code == 2 and "only `default` can be set" in refused.output


def test_parameters_adopted_while_a_session_is_open_apply_from_its_next_answer(home: Path) -> None:
    """A second terminal runs optimize mid-session: the open session's next answer uses the new parameters."""
    from mli_drill import clock
    from mli_drill.cli.common import open_db, workspace
    from mli_drill.services.collection import load_collection
    from mli_drill.problems.instance import make_instance
    from mli_drill.review.session import Entry, Session

    opened = workspace(load_collection())
    store = opened.store
    families = ["conv-output", "receptive-field"]
    lines = iter([str(make_instance(families[0], "exam", 1).answer), "3", "ADOPT", str(make_instance(families[1], "exam", 2).answer), "3"])

    class Terminal:
        def ask(self, prompt: str) -> str | None:
            line = next(lines, None)
            if line == "ADOPT":
                open_db().adaptive.record_fit(clock.iso(clock.now()), 500, distinctive_parameters(), {}, adopt=True)
                line = next(lines)
            return line

        def emit(self, event: object) -> None:
            pass

    entries = [Entry(key="family:" + name, family=name) for name in families]
    session = Session(store, Terminal(), entries, opened.policy, clock.now, source="practice", seeds=iter([1, 2]), requeue_learning=False,
                      policy_source=opened.live_policy())
    assert session.run().reviewed == 2
    assert stability(home, "family:conv-output") == pytest.approx(fsrs.scheduler.DEFAULT_PARAMETERS[2]), "answered before"
    assert stability(home, "family:receptive-field") == pytest.approx(7.0), "answered after: the adopted parameters"
