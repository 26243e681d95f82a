"""The command line: negative values, settings as people write them, export formats, -n, help and labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mli_drill.problems.instance import make_instance
from tests.conftest import FIXED_NOW, run_process


def test_a_negative_positional_value_is_a_value(home: Path, cli) -> None:
    wrong = cli("problems", "check", "adaboost", "--seed", "1", "-1")
    assert wrong.exit_code == 1, wrong.output  # read and marked wrong, not "No such option"
    assert "got -1" in wrong.output
    seed, answer = next((s, a) for s in range(500) if isinstance(a := make_instance("conv-forward", "exam", s).answer, int) and a < 0)
    seed_text, answer_text = str(seed), str(answer)
    for args in (["--seed", seed_text, answer_text], [answer_text, "--seed", seed_text], ["--seed", seed_text, "--", answer_text]):
        result = cli("problems", "check", "conv-forward", *args)
        assert result.exit_code == 0, (args, result.output)
    typo = cli("problems", "check", "conv-forward", "--seed", seed_text, "--sede", "4")
    assert typo.exit_code == 2 and "No such option" in typo.output  # a mistyped option is still an error


@pytest.mark.parametrize("answer", ["-ln(2)", "-ln 2", "-LN2", "-(1/2)", "-sqrt(2)", "-pi/4", "-e", "-log2(8)"])
def test_a_negative_expression_is_a_value_too(home: Path, cli, answer: str) -> None:
    """Minus a function, a constant or a bracket is an answer, not an option (QA: "No such option: -(")."""
    result = cli("problems", "check", "adaboost", "--seed", "1", answer)
    assert result.exit_code == 1, result.output  # read and marked wrong
    assert "got -" in result.output
    level = cli("problems", "check", "adaboost", "-lhard", "--seed", "1", "-1")  # a short option with its value still works
    assert level.exit_code == 1, level.output


def test_negative_setting_gets_a_range_error(home: Path) -> None:
    env = {"MLI_DRILL_HOME": str(home)}
    result = run_process("config", "set", "new-per-day", "-5", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: new-per-day: -5 is out of range: must be a whole number from 0 to 10000"


def test_exam_date_in_the_past_is_refused_naming_both_dates(home: Path) -> None:
    env = {"MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC"}
    past = run_process("config", "set", "exam-date", "2026-04-30", env=env)
    assert past.returncode == 2
    assert "2026-04-30 is in the past (today is 2026-05-01)" in past.stderr
    assert run_process("config", "set", "exam-date", "2026-05-01", env=env).returncode == 0
    # a stored date that has since passed still loads: the check is for a date being set
    later = {**env, "MLI_DRILL_NOW": "2026-06-01T09:00:00+00:00"}
    assert run_process("status", env=later).returncode == 0


@pytest.mark.parametrize(("typed", "stored"), [("90%", "0.9"), ("85 %", "0.85"), ("0.8", "0.8")])
def test_desired_retention_as_a_percentage(home: Path, cli, typed: str, stored: str) -> None:
    assert cli("config", "set", "desired-retention", typed).exit_code == 0
    assert cli("config", "get", "desired-retention").output.strip() == stored


def test_desired_retention_out_of_range_suggests_the_percentage(home: Path) -> None:
    result = run_process("config", "set", "desired-retention", "90", env={"MLI_DRILL_HOME": str(home)})
    assert result.returncode == 2 and "write 0.9 or 90%" in result.stderr


def test_sheet_format_follows_the_extension(home: Path, cli, tmp_path: Path) -> None:
    for name, start in (("s.md", "# "), ("s.html", "<!DOCTYPE html>"), ("s.HTM", "<!DOCTYPE html>"), ("s", "# ")):
        out = tmp_path / name
        result = cli("export", "sheet", "receptive-field", "-n", "1", "--seed", "1", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8").startswith(start), name
    assert "wrote 1 question (1 family, md)" in result.output


def test_sheet_refuses_an_extension_it_cannot_write(home: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    result = cli("export", "sheet", "receptive-field", "--seed", "1", "--out", str(out))
    assert result.exit_code == 2
    assert ".md" in result.stderr and ".html" in result.stderr
    assert "print it to PDF from a browser" in result.stderr
    assert result.stderr.count("\n") == 1 and not out.exists()
    mismatch = cli("export", "sheet", "receptive-field", "--seed", "1", "--format", "md", "--out", str(tmp_path / "x.html"))
    assert mismatch.exit_code == 2


def test_count_is_n_everywhere_and_k_still_works(home: Path, cli) -> None:
    for flag in ("-n", "-k", "--count"):
        lines = cli("problems", "sample", "adaboost", "--seed", "40", flag, "2", "--json").output.strip().splitlines()
        assert [json.loads(line)["seed"] for line in lines] == [40, 41], flag
        sheet = cli("export", "sheet", "receptive-field", "--seed", "5", flag, "2").output
        assert sheet.count("seed 5") >= 1 and sheet.count("seed 6") >= 1 and "seed 7" not in sheet, flag
    for command in (["problems", "sample"], ["export", "sheet"], ["practice"]):
        text = cli(*command, "--help").output
        assert "-n, --count" in text and "-k" not in text, command


def test_stats_help_stands_alone_and_labels_say_what_they_measure(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    text = cli("stats", "--help").output
    assert "docs/stats.md" not in text
    assert "predicted recall" in text and "answered correctly" in text
    monkeypatch.setenv("COLUMNS", "80")
    cli("practice", "receptive-field", "--seed", "42", "--count", "1", input="19\n\n")
    drawn = cli("stats").output
    assert "predicted recall now" in drawn
    assert "answered" in drawn and "correctly" in drawn
    assert "recall   reviews   correct" not in drawn


def test_one_minute_is_singular(home: Path) -> None:
    from mli_drill.render.console import plural

    assert [plural(1, "minute"), plural(2, "minute"), plural(1, "family", "families"), plural(0, "family", "families")] == [
        "1 minute", "2 minutes", "1 family", "0 families",
    ]
    env = {"MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC"}
    result = run_process("exam", "--minutes", "1", "--questions", "1", "--seed", "3", input="", env=env)
    assert "1 minute." in result.stdout and "1 minutes" not in result.stdout


def test_ln_2_checks_as_the_question_prints_it(home: Path, cli) -> None:
    instance = make_instance("logistic-regression-step", "easy", 0)
    assert instance.answer_text().startswith("ln 2")
    assert cli("problems", "check", "logistic-regression-step", "--level", "easy", "--seed", "0", "--", "ln 2").exit_code == 0
