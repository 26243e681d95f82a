"""The documentation keeps up with the code: every family is documented and indexed."""

from __future__ import annotations

import pytest

from mli_drill.families import family_names
from tests.conftest import ROOT

INDEX = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("family", family_names())
def test_family_documented(family: str) -> None:
    page = ROOT / "docs" / "problems" / f"{family}.md"
    assert page.is_file(), f"docs/problems/{family}.md is missing"
    assert f"(problems/{family}.md)" in INDEX, f"docs/problems.md does not list {family}"
    assert "param" in page.read_text(encoding="utf-8").lower()


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    commands = [line for line in first_block.splitlines()[1:] if line.strip()]
    assert len(commands) == 2
    assert "pip install" in commands[0] and "mli-drill review" in commands[0]
    assert "pip install" in commands[1] and "[test]" in commands[1] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].split("&&")[-1].strip() in ci, ".ci/run must run the README's test command"
