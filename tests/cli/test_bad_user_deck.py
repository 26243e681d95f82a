"""One bad file never blocks everything: a broken or clashing user deck is skipped with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, basic_deck, run_process, write_deck

CLASH = "deck: week3-cnn\ntitle: My CNN notes\ncards:\n  - id: my-cnn-a\n    front: A?\n    back: B.\n"
BROKEN = "deck: broken\ntitle: Broken\ncards:\n  - id: broken-a\n    front: [unclosed\n"


@pytest.fixture
def bad_home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "home"
    write_deck(home / "decks", "clash", CLASH)
    write_deck(home / "decks", "broken", BROKEN)
    write_deck(home / "decks", "mine", basic_deck("mine", 2))
    return home, {"MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC"}


def warnings_in(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def test_practice_and_every_other_command_work_beside_bad_decks(bad_home: tuple[Path, dict[str, str]]) -> None:
    home, env = bad_home
    practice = run_process("practice", "receptive-field", "--seed", "42", "--count", "1", input="29\n\n", env=env)
    assert practice.returncode == 0, practice.stderr
    assert "✓ correct" in practice.stdout
    lines = warnings_in(practice.stderr)
    assert len(lines) == 2, practice.stderr  # one line per skipped deck
    assert any(f"{home / 'decks' / 'clash.yaml'}:1: duplicate deck id 'week3-cnn'" in line for line in lines)
    assert any(f"{home / 'decks' / 'broken.yaml'}:" in line and "invalid YAML" in line for line in lines)
    for command in (["status"], ["decks", "list"], ["stats"], ["review", "--deck", "mine"], ["review", "--deck", "week3-cnn"]):
        result = run_process(*command, input="q\n", env=env)
        assert result.returncode == 0, (command, result.stderr)
        assert len(warnings_in(result.stderr)) == 2, command
    listing = run_process("decks", "list", env=env).stdout
    assert "mine" in listing and "My CNN notes" not in listing


@pytest.mark.parametrize("name", ["clash", "broken"])
def test_reviewing_the_bad_deck_itself_exits_2(bad_home: tuple[Path, dict[str, str]], name: str) -> None:
    home, env = bad_home
    for deck in (name, str(home / "decks" / f"{name}.yaml")):
        result = run_process("review", "--deck", deck, input="", env=env)
        assert result.returncode == 2, (deck, result.stdout, result.stderr)
        assert f"error: {home / 'decks' / name}.yaml:" in result.stderr
        assert "Traceback" not in result.stderr


def test_validate_reports_clashes_with_bundled_and_other_user_decks(bad_home: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    home, env = bad_home
    clash = run_process("decks", "validate", str(home / "decks" / "clash.yaml"), env=env)
    assert clash.returncode == 2
    assert "duplicate deck id 'week3-cnn'" in clash.stderr
    copy = write_deck(tmp_path / "elsewhere", "mine-copy", basic_deck("mine", 1))
    other = run_process("decks", "validate", str(copy), env=env)
    assert other.returncode == 2
    assert "duplicate deck id 'mine'" in other.stderr and "duplicate card id 'mine-c0'" in other.stderr
    fine = run_process("decks", "validate", str(home / "decks" / "mine.yaml"), env=env)
    assert fine.returncode == 0 and fine.stdout.strip() == "ok: 1 deck, 2 cards"
