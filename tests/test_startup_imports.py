"""Start-up stays cheap: which modules each everyday command imports (no timing here; see benchmarks/).

Heavy libraries load only in the commands that need them, and typer's pydantic
only when an option value is actually given (``mli_drill.cli.lazy_coercion``).
"""

from __future__ import annotations

import json
import subprocess
from enum import Enum
import sys
from pathlib import Path
from typing import List, Optional

import pytest

from tests.conftest import FIXED_NOW, ROOT

HEAVY = ("numpy", "sqlite_utils", "fsrs", "yaml", "pydantic", "fsrs_rs_python")

PROBE = """
import atexit, json, sys
def report():
    sys.__stderr__.write("MODULES " + json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})) + "\\n")
atexit.register(report)
sys.argv = ["mli-drill", *{args!r}]
from mli_drill.cli.app import main
main()
"""


def heavy_modules(home: Path, *args: str, stdin: str = "") -> set[str]:
    env = {"MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC", "PATH": "/usr/bin:/bin"}
    code = PROBE.format(heavy=set(HEAVY), args=list(args))
    result = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=120)
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES "))
    return {name.split(".")[0] for name in json.loads(line[len("MODULES "):])}


def test_importing_the_app_loads_no_heavy_module(tmp_path: Path) -> None:
    assert heavy_modules(tmp_path, "--help") == set()


@pytest.mark.parametrize(
    "args", [("status",), ("review",), ("stats",), ("practice", "receptive-field"), ("practice",), ("practice", "conv-output", "--topic", "cnn")]
)
def test_everyday_commands_without_options_never_import_pydantic(tmp_path: Path, args: tuple[str, ...]) -> None:
    heavy_modules(tmp_path, "status")  # first run: creates the database and the parse caches
    assert "pydantic" not in heavy_modules(tmp_path, *args)


def test_status_needs_no_yaml_numpy_or_fsrs_even_in_a_fresh_home(tmp_path: Path) -> None:
    """The bundled decks and specs ship compiled (mli_drill.precompiled): not even the first run parses YAML."""
    assert heavy_modules(tmp_path, "status").isdisjoint({"yaml", "numpy", "fsrs", "fsrs_rs_python"})
    assert heavy_modules(tmp_path, "status").isdisjoint({"yaml", "numpy", "fsrs", "fsrs_rs_python"})


def test_given_option_values_are_still_converted_and_checked(cli, home: Path) -> None:
    bad = cli("review", "--limit", "0")
    assert bad.exit_code == 2 and "--limit" in bad.output
    assert cli("review", "--limit", "x").exit_code == 2
    ok = cli("review", "--limit", "1", "--json", input="q\n")
    assert ok.exit_code == 0


def test_a_missing_required_argument_is_still_reported(cli, home: Path) -> None:
    result = cli("problems", "sample")
    assert result.exit_code == 2 and "Missing argument" in result.output


class Colour(str, Enum):
    red = "red"
    blue = "blue"


def _sample_app():
    import typer

    app = typer.Typer()

    def upper(value: object) -> object:
        return value.upper() if isinstance(value, str) else ("callback saw", value)

    @app.command()
    def main(
        needed: int = typer.Argument(...),
        word: str = typer.Argument("w"),
        tag: list[str] = typer.Option(None, "--tag"),
        name: str = typer.Option(None, "--name", callback=upper),
        parsed: str = typer.Option(None, "--parsed", parser=lambda v: f"<{v}>"),
        colour: Colour = typer.Option(None, "--colour", case_sensitive=False),
        count: int = typer.Option(None, "--count", min=1),
        path: Path = typer.Option(None, "--path"),
        flag: bool = typer.Option(False, "--flag"),
    ) -> None:
        typer.echo(repr((needed, word, tag, name, parsed, colour, count, path, flag)))

    return app


def _list_app():
    import typer

    app = typer.Typer()

    def seen(value: object) -> object:
        return ("callback saw", value)

    @app.command()
    def main(
        words: Optional[List[str]] = typer.Argument(None),
        tag: Optional[List[str]] = typer.Option(None, "--tag", "-t"),
        noted: Optional[List[str]] = typer.Option(None, "--noted", callback=seen),
        number: Optional[List[int]] = typer.Option(None, "--number"),
    ) -> None:
        typer.echo(repr((words, tag, noted, number)))

    return app


@pytest.mark.parametrize(
    "args",
    [[], ["a"], ["a", "b", ""], ["--tag", "x"], ["a", "-t", "x", "-t", "y"], ["--noted", "n"], ["--number", "2"], ["--number", "x"]],
)
def test_the_patch_handles_lists_of_words_exactly_as_typer_does(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``practice FAMILY...`` and ``--topic``: words for a list of text skip the adapter, with typer's result."""
    import typer.core
    from typer.testing import CliRunner

    from mli_drill.cli import lazy_coercion

    if not hasattr(typer.core, "_TyperParameter"):
        pytest.skip("this typer does not convert values through pydantic: nothing to patch")
    _TyperParameter = typer.core._TyperParameter
    assert lazy_coercion.install()
    patched = CliRunner().invoke(_list_app(), args)
    monkeypatch.setattr(_TyperParameter, "process_value", _TyperParameter.process_value.__wrapped__)
    original = CliRunner().invoke(_list_app(), args)
    assert (patched.exit_code, patched.output) == (original.exit_code, original.output)


@pytest.mark.parametrize(
    "args",
    [[], ["3"], ["x"], ["3", "text"], ["3", ""], ["3", "--tag", "a", "--tag", "b"], ["3", "--name", "n"], ["3", "--name", ""],
     ["3", "--parsed", "p"], ["3", "--colour", "RED"], ["3", "--colour", "green"], ["3", "--count", "0"],
     ["3", "--count", "2", "--path", "p", "--flag"], ["3", "--count", "x"]],
)
def test_the_patch_behaves_exactly_as_typer_does(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import typer.core
    from typer.testing import CliRunner

    from mli_drill.cli import lazy_coercion

    if not hasattr(typer.core, "_TyperParameter"):
        pytest.skip("this typer does not convert values through pydantic: nothing to patch")
    _TyperParameter = typer.core._TyperParameter
    assert lazy_coercion.install()  # idempotent, and in place for this typer
    patched = CliRunner().invoke(_sample_app(), args)
    monkeypatch.setattr(_TyperParameter, "process_value", _TyperParameter.process_value.__wrapped__)
    original = CliRunner().invoke(_sample_app(), args)
    assert (patched.exit_code, patched.output) == (original.exit_code, original.output)
