"""A non-editable install carries the decks, problem specs and course notes (checked on a built wheel)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_contains_decks_problems_and_schema(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0 and "hatchling" in result.stderr:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600
        )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("mli_drill-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    decks = {p.name for p in (ROOT / "decks").glob("*.yaml")}
    problems = {p.name for p in (ROOT / "problems").glob("*.yaml")}
    assert {f"mli_drill/_bundled/decks/{d}" for d in decks} <= names
    assert {f"mli_drill/_bundled/problems/{p}" for p in problems} <= names
    compiled = {f"mli_drill/_bundled/decks/compiled/{d.replace('.yaml', '.json')}" for d in decks}
    compiled |= {f"mli_drill/_bundled/problems/compiled/{p.replace('.yaml', '.json')}" for p in problems}
    assert compiled <= names, "the compiled decks and specs (mli_drill.precompiled) ship in the wheel"
    assert "mli_drill/store/schema.sql" in names
    assert "mli_drill/_bundled/course-notes/machine-learning-for-imaging.md" in names, "decks coverage defaults to the course notes"
    assert not any(name.startswith("tests/") for name in names)
