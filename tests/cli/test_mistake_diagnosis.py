"""Mistake diagnosis wherever a verdict is shown, end to end: practice, review, problems check and
sample, the exam report, the review log, and recurring mistakes in stats.

Written against every family: a family whose catalogue is still empty is skipped by the
per-family tests (tests/test_mistakes.py requires every family to have one); receptive-field's
catalogue makes sure each test runs somewhere.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mli_drill.problems.answers import check, matches
from mli_drill.services.collection import load_collection
from mli_drill.exam.paper import compose_paper
from mli_drill.problems.registry import family_names
from mli_drill.problems.instance import Instance, make_instance
from mli_drill.problems.mistakes import catalogue, diagnose, mistake_answers
from tests.test_mistakes import typed

FAMILY = "receptive-field"  # has a catalogue: the tests below always run for it


def with_slips(family: str, level: str = "exam", start: int = 0, count: int = 1) -> list[Instance]:
    """The first ``count`` instances from seed ``start`` on for which at least one slip can be told apart."""
    found = []
    for seed in range(start, start + 500):
        instance = make_instance(family, level, seed)
        if mistake_answers(instance):
            found.append(instance)
            if len(found) == count:
                return found
    raise AssertionError(f"{family}: fewer than {count} instances with a distinguishable slip")


def slip_of(instance: Instance, slip: str | None = None) -> tuple[str, Any]:
    """(id, value) of a slip of this instance (the first, or the one named)."""
    slips = mistake_answers(instance)
    return next((s for s in slips if slip is None or s[0] == slip), slips[0])


def undiagnosed_wrong_answer(instance: Instance) -> str:
    """A wrong answer that no slip gives."""
    for guess in ("-12345", "-123456", "-1234567"):
        verdict = check(guess, instance.answer, instance.answer_spec)
        if not verdict.correct and not diagnose(instance, verdict.given):
            return guess
    raise AssertionError(f"{instance.family} seed {instance.seed}: every guess is diagnosed")


def flat(text: str) -> str:
    """Text with its wrapping undone, to find a message however the terminal wrapped it."""
    return " ".join(text.split())


def family_or_skip(family: str) -> None:
    if not catalogue(family):
        pytest.skip(f"{family} has no mistake catalogue yet")


def log_rows(home: Path) -> list[tuple]:
    conn = sqlite3.connect(str(home / "progress.db"))
    return conn.execute("SELECT r.answer, r.correct, r.undone, r.mistakes FROM review_log r ORDER BY r.id").fetchall()


# -- practice and review -----------------------------------------------------------
def test_practice_names_the_slip_before_the_worked_solution_and_logs_it(home: Path, cli) -> None:
    instance = with_slips(FAMILY)[0]
    slip, value = slip_of(instance)
    result = cli("practice", FAMILY, "--seed", str(instance.seed), "--count", "1", input=f"{typed(value)}\n\n")
    verdict = result.output.index("✗ ")
    named = result.output.index(f"↳ {slip}:")
    assert verdict < named < result.output.index("worked solution"), result.output
    (message,) = [d.message for d in diagnose(instance, value) if d.id == slip]
    assert flat(f"↳ {slip}: {message}") in flat(result.output)
    (row,) = log_rows(home)
    assert row[1] == 0
    stored = json.loads(row[3])
    assert slip in [m["id"] for m in stored]
    assert {"id": slip, "message": message} in stored, "the message is kept as shown, with this instance's numbers"


def test_a_correct_or_unrecognised_answer_names_no_slip_and_logs_none(home: Path, cli) -> None:
    instance = with_slips(FAMILY)[0]
    wrong = undiagnosed_wrong_answer(instance)
    result = cli("practice", FAMILY, "--seed", str(instance.seed), "--count", "2",
                 input=f"{typed(instance.answer)}\n\n{wrong}\n\n")
    assert "✓ correct" in result.output and "✗ " in result.output
    assert "↳" not in result.output
    assert [row[3] for row in log_rows(home)] == [None, None]


def test_correct_answers_never_compute_a_diagnosis(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Diagnosis costs something: only a wrong answer pays for it."""
    import mli_drill.review.session

    def refuse(*args: object) -> None:
        raise AssertionError("diagnosed a correct answer")

    monkeypatch.setattr(mli_drill.review.session, "diagnose", refuse)  # where the session looks it up
    instance = make_instance(FAMILY, "exam", 5)
    result = cli("practice", FAMILY, "--seed", "5", "--count", "1", input=f"{typed(instance.answer)}\n\n")
    assert "✓ correct" in result.output


def test_review_names_the_slip_of_a_problem_family(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = with_slips(FAMILY, count=2)
    cli("practice", FAMILY, "--seed", str(first.seed), "--count", "1", input=f"{typed(first.answer)}\n\n")
    import mli_drill.review.session

    monkeypatch.setattr(mli_drill.review.session, "new_seed", lambda: second.seed)  # review draws a fresh instance: this one
    slip, value = slip_of(second)
    result = cli("review", "--limit", "1", input=f"{typed(value)}\n\n")
    assert f"↳ {slip}:" in result.output
    assert result.output.index(f"↳ {slip}:") < result.output.index("worked solution")
    assert slip in [m["id"] for m in json.loads(log_rows(home)[-1][3])]


def test_a_changed_rating_keeps_the_diagnosis_on_the_answer_that_stands(home: Path, cli) -> None:
    instance = with_slips(FAMILY)[0]
    slip, value = slip_of(instance)
    cli("practice", FAMILY, "--seed", str(instance.seed), "--count", "1", input=f"{typed(value)}\n2\n")
    rows = log_rows(home)
    assert [(r[2], slip in (r[3] or "")) for r in rows] == [(1, True), (0, True)]


# -- problems check and sample, for every family --------------------------------------
@pytest.mark.parametrize("family", family_names())
def test_problems_check_json_names_each_slip(family: str, home: Path, cli) -> None:
    family_or_skip(family)
    for instance in with_slips(family, count=2):
        base = ["problems", "check", family, "--seed", str(instance.seed), "--level", "exam", "--json", "--"]
        for slip, value in mistake_answers(instance):
            result = cli(*base, typed(value))
            assert result.exit_code == 1, f"{family} seed {instance.seed}: slip {slip} was not marked wrong"
            data = json.loads(result.stdout)
            assert data["correct"] is False
            assert slip in [m["id"] for m in data["mistakes"]], f"{family} seed {instance.seed}: {slip} not named"
            assert all(set(m) == {"id", "message"} and m["message"].strip() for m in data["mistakes"])
            human = cli(*[a for a in base if a != "--json"], typed(value))
            assert human.exit_code == 1 and f"↳ {slip}:" in human.stdout
        right = cli(*base, typed(instance.answer))
        assert right.exit_code == 0 and json.loads(right.stdout)["mistakes"] == []


def test_problems_check_json_lists_no_slip_for_an_unrecognised_answer(home: Path, cli) -> None:
    instance = with_slips(FAMILY)[0]
    result = cli("problems", "check", FAMILY, "--seed", str(instance.seed), "--json", "--", undiagnosed_wrong_answer(instance))
    assert result.exit_code == 1 and json.loads(result.stdout)["mistakes"] == []
    unreadable = cli("problems", "check", FAMILY, "--seed", str(instance.seed), "--json", "lambda: 1")
    assert unreadable.exit_code == 2


@pytest.mark.parametrize("family", family_names())
def test_problems_sample_json_lists_each_slips_answer(family: str, home: Path, cli) -> None:
    family_or_skip(family)
    known = [mistake.id for mistake in catalogue(family)]
    lines = cli("problems", "sample", family, "--seed", "0", "--count", "20", "--json").stdout.splitlines()
    listed = 0
    for line in lines:
        data = json.loads(line)
        instance = make_instance(family, data["level"], data["seed"])
        assert data["mistakes"] == [{"id": slip, "answer": value} for slip, value in mistake_answers(instance)]
        ids = [m["id"] for m in data["mistakes"]]
        # a slip with alternative values (either direction of a directed distance) lists each, side by side
        assert [i for i, _ in itertools.groupby(ids)] == [i for i in known if i in ids], "in catalogue order"
        for mistake in data["mistakes"]:
            assert not matches(mistake["answer"], instance.answer, instance.answer_spec), "equal to the answer: left out"
            verdict = check(typed(mistake["answer"]), instance.answer, instance.answer_spec)
            assert mistake["id"] in [d.id for d in diagnose(instance, verdict.given)]
        listed += len(ids)
    assert listed, f"{family}: no slip listed in 20 instances"


# -- the exam report -------------------------------------------------------------------
def paper_with_slip(count: int = 3) -> tuple[int, list]:
    """A paper seed (topic cnn) with a question of FAMILY for which a slip can be told apart."""
    candidates = load_collection().exam_candidates()
    for seed in range(500):
        questions = compose_paper(candidates, count, seed, ["cnn"])
        if any(q.name == FAMILY and mistake_answers(make_instance(FAMILY, "exam", q.seed)) for q in questions):
            return seed, questions
    raise AssertionError("no paper with a diagnosable question")


def instance_with(slip: str, start: int) -> Instance:
    """The first instance from seed ``start`` on whose answer for ``slip`` no other slip shares."""
    for seed in range(start, start + 1000):
        instance = make_instance(FAMILY, "exam", seed)
        slips = dict(mistake_answers(instance))
        if slip in slips and [d.id for d in diagnose(instance, slips[slip])] == [slip]:
            return instance
    raise AssertionError(f"no instance where {slip} alone gives its value")


def test_exam_report_lists_each_diagnosed_slip(home: Path, cli) -> None:
    seed, questions = paper_with_slip()
    lines, slips = [], {}
    for question in questions:
        if question.kind == "points":
            lines += ["", "none"]
            continue
        instance = make_instance(question.name, "exam", question.seed)
        if question.name == FAMILY:
            slips[question.position], value = slip_of(instance)
            lines.append(typed(value))
        else:
            lines.append(undiagnosed_wrong_answer(instance))
    result = cli("exam", "--questions", str(len(questions)), "--seed", str(seed), "--topic", "cnn", "--json", "--reschedule",
                 input="\n".join(lines) + "\nq\n")
    assert result.exit_code == 0, result.output
    ((position, slip),) = slips.items()
    text = result.output
    missed_line = text.index(f"Q{position} {FAMILY}: you gave")
    assert text.index(f"↳ {slip}:", missed_line) < text.index("Practise next")
    report = json.loads(text.strip().splitlines()[-1])
    by_position = {q["position"]: q for q in report["per_question"]}
    assert slip in [m["id"] for m in by_position[position]["mistakes"]]
    assert all(not q["mistakes"] for p, q in by_position.items() if p != position)
    stored = sqlite3.connect(str(home / "progress.db")).execute("SELECT position, mistakes FROM exam_answers WHERE mistakes IS NOT NULL").fetchall()
    assert [(p, slip in m) for p, m in stored] == [(position, True)], "kept with the paper's answers"
    reviews = [json.loads(m) for m in [row[3] for row in log_rows(home)] if m]
    assert [[m["id"] for m in found] for found in reviews] == [[d["id"] for d in by_position[position]["mistakes"]]], "--reschedule logs it too"
    assert json.loads(cli("stats", "--json").stdout)["mistakes"]["recurring"] == [], "counted once, with the paper"


def test_exam_report_mentions_recurring_mistakes(home: Path, cli) -> None:
    seed, questions = paper_with_slip()
    (question,) = [q for q in questions if q.name == FAMILY]
    slip, value = slip_of(make_instance(FAMILY, "exam", question.seed))
    earlier = instance_with(slip, question.seed + 1)
    cli("practice", FAMILY, "--seed", str(earlier.seed), "--count", "1", input=f"{typed(slip_of(earlier, slip)[1])}\n\n")
    lines = [typed(value) if q.name == FAMILY else "n" for q in questions] + ["q"]  # the rest skipped, then handed in
    # --level exam: the wrong practice answer would otherwise have the paper draw this family at easy
    result = cli("exam", "--questions", str(len(questions)), "--seed", str(seed), "--topic", "cnn", "--level", "exam", "--json",
                 input="\n".join(lines) + "\n")
    report = json.loads(result.output.strip().splitlines()[-1])
    recurring = [{k: m[k] for k in ("family", "id", "count")} for m in report["recurring_mistakes"]]
    assert {"family": FAMILY, "id": slip, "count": 2} in recurring, "the practice answer and this paper's"
    assert FAMILY in report["practise_next"]
    assert f"Recurring mistakes (2+ times in 30 days; see mli-drill stats): {FAMILY} {slip} ×2" in result.output


# -- stats -------------------------------------------------------------------------------
def practise_slip(cli, instance: Instance, slip: str, now: str, monkeypatch: pytest.MonkeyPatch, then: str = "\n") -> None:
    """Answer ``instance`` in practice at ``now`` with the value ``slip`` gives; ``then`` follows the answer."""
    monkeypatch.setenv("MLI_DRILL_NOW", now)
    cli("practice", FAMILY, "--seed", str(instance.seed), "--count", "1", "--level", "exam", input=f"{typed(slip_of(instance, slip)[1])}\n{then}")


def test_stats_shows_slips_named_twice_in_the_last_30_days(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    slip, other_slip = "ignores-stride", "stride-applied-early"
    first = instance_with(slip, 0)
    second = instance_with(slip, first.seed + 1)
    third = instance_with(slip, second.seed + 1)
    fourth = instance_with(slip, third.seed + 1)
    other = instance_with(other_slip, 0)
    practise_slip(cli, first, slip, "2026-03-01T09:00:00Z", monkeypatch)  # before the window
    practise_slip(cli, second, slip, "2026-04-20T09:00:00Z", monkeypatch)
    practise_slip(cli, third, slip, "2026-04-30T09:00:00Z", monkeypatch)
    practise_slip(cli, other, other_slip, "2026-04-30T10:00:00Z", monkeypatch)  # once only: not recurring
    practise_slip(cli, fourth, slip, "2026-04-30T11:00:00Z", monkeypatch, then="u\nq\n")  # undone: never counts
    assert sum(row[2] for row in log_rows(home)) == 1
    monkeypatch.setenv("MLI_DRILL_NOW", "2026-05-01T09:00:00Z")
    monkeypatch.setenv("COLUMNS", "80")

    data = json.loads(cli("stats", "--json").stdout)["mistakes"]
    assert data["days"] == 30 and data["at_least"] == 2 and data["since"] == "2026-04-02T00:00:00+00:00"
    (latest,) = [d.message for d in diagnose(third, slip_of(third, slip)[1]) if d.id == slip]
    assert data["recurring"] == [
        {"family": FAMILY, "id": slip, "count": 2, "message": latest, "last_seen": "2026-04-30T09:00:00+00:00"}
    ]
    human = cli("stats").stdout
    assert max(len(line) for line in human.splitlines()) <= 80
    assert f"{FAMILY}  {slip}  ×2" in human
    assert flat(f"↳ last time: {latest}") in flat(human)
    assert other_slip not in human


def test_stats_without_recurring_mistakes(home: Path, cli) -> None:
    assert "No recurring mistakes" in cli("stats").stdout
    assert json.loads(cli("stats", "--json").stdout)["mistakes"]["recurring"] == []
