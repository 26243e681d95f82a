"""No output byte 0x1B (nor any other control character) comes from text the program did not write.

Decks, Logseq pages, settings, stored answers, file names and typed input are
fed through the commands, with ``NO_COLOR=1`` so that rich's own styling adds
no escape sequences either: any control character in the output came from the text.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from mli_drill.model import CONTROL_CHARACTER
from tests.conftest import run_process, write_deck

ISSUE_DECK = (
    "deck: inj\n"
    "title: Inj\n"
    "cards:\n"
    "  - id: a\n"
    '    front: "Markup [bold red]RED[/] is shown literally, which is right"\n'
    '    back: "esc \\e]52;c;ZXZpbA==\\a and \\e[2J clear"\n'
)
# ESC, BEL, CSI (as ESC [ and as the C1 character) and OSC 52 (set the clipboard) in a Logseq page.
PAGE = (
    "title:: Injected \x1b]0;pwned\x07 page\n"
    "- What clears \x1b[2J the screen? #card\n"
    "  - It is Y \x1b[2J, OSC \x1b]52;c;ZXZpbA==\x07 and CSI \x9b2J\n"
    "- A bell \x07 rings #card\n"
    "  - twice \x07\x07\n"
)


def inert_output(result: subprocess.CompletedProcess | object) -> str:
    """Standard output and error together, checked to hold no control character but newline and tab."""
    output = getattr(result, "stdout", "") + getattr(result, "stderr", "")
    assert "\x1b" not in output, output
    assert not CONTROL_CHARACTER.search(output), repr(output)
    return output


def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return run_process(*args, input=input, env={"NO_COLOR": "1", "COLUMNS": "80"})


# -- the deck of the issue is refused, by every command that meets it ------------------
def test_the_deck_of_the_issue_is_refused_everywhere(home: Path, tmp_path: Path) -> None:
    path = write_deck(tmp_path, "inj", ISSUE_DECK)
    message = f"error: {path}:6: control character U+001B in 'back'\n"
    for args in (["decks", "validate", str(path)], ["review", "--deck", str(path)]):
        result = run(*args, input="\n3\n")
        assert (result.returncode, result.stderr) == (2, message), args
        inert_output(result)
    write_deck(home / "decks", "inj", ISSUE_DECK)
    user_message = f"error: {home / 'decks' / 'inj.yaml'}:6: control character U+001B in 'back'\n"
    for args in (["decks", "validate"], ["decks", "show", "inj"]):
        result = run(*args, input="q\n")
        assert (result.returncode, result.stderr) == (2, user_message), args
        inert_output(result)
    # every other command leaves the deck out with a one-line warning and goes on
    warning = f"warning: {home / 'decks' / 'inj.yaml'}:6: control character U+001B in 'back'; deck skipped\n"
    for args in (["review"], ["exam", "--questions", "1"]):
        result = run(*args, input="q\n")
        assert (result.returncode, result.stderr) == (0, warning), args
        inert_output(result)


# -- a Logseq page with ESC, BEL, CSI and OSC -------------------------------------------
def test_logseq_page_with_escape_sequences_imports_inert(home: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    imported = run("import", "logseq", str(page))
    assert imported.returncode == 0, imported.stderr
    assert inert_output(imported).count("warning:") == 1
    assert imported.stderr == f"warning: {page}: dropped 10 control characters (U+0007, U+001B, U+009B) on lines 1, 2, 3, 4, 5; a deck may not hold them\n"
    deck_file = home / "decks" / "injected-0-pwned-page.yaml"
    assert not CONTROL_CHARACTER.search(deck_file.read_text(encoding="utf-8"))
    validated = run("decks", "validate")
    assert validated.returncode == 0 and validated.stdout.startswith("ok: ")
    inert_output(validated)
    shown = run("decks", "show", "injected-0-pwned-page")
    assert shown.returncode == 0 and "What clears [2J the screen?" in inert_output(shown)
    reviewed = run("review", "--deck", "injected-0-pwned-page", input="\n3\n\n3\n")
    assert reviewed.returncode == 0 and "It is Y [2J, OSC ]52;c;ZXZpbA== and CSI 2J" in inert_output(reviewed)
    exam = run("exam", "--questions", "2", "--seed", "3", input="q\n")
    assert exam.returncode == 0
    inert_output(exam)


# -- typed input and file names -----------------------------------------------------------
def test_practice_echoes_a_typed_escape_inert(home: Path) -> None:
    result = run("practice", "receptive-field", "--seed", "42", "--count", "1", input="12\x1b[2J\nq\n")
    assert result.returncode == 0
    assert "> 12\\x1b[2J" in inert_output(result)


def test_file_names_in_messages_are_inert(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "gone\x1b[2J.yaml"
    inert_output(run("decks", "validate", str(missing)))
    inert_output(run("review", "--deck", str(missing)))
    broken = write_deck(tmp_path, "bad\x1b]0;title\x07", "deck: bad\ntitle: Bad\ncards:\n  - id: a\n    front: Q\n")
    result = run("decks", "validate", str(broken))
    assert result.returncode == 2 and "bad\\x1b]0;title\\x07.yaml:4: basic card 'a' needs 'back'" in inert_output(result)
    page = tmp_path / "notes\x1b[2J.md"
    page.write_text("- Q #card\n  - A\n", encoding="utf-8")
    result = run("import", "logseq", str(page), "--deck", "notes")
    assert result.returncode == 0 and "notes\\x1b[2J.md" in inert_output(result)


def test_a_bad_setting_is_reported_inert(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.json").write_text(json.dumps({"level": "exam\x1b[2J"}), encoding="utf-8")
    for args in (["config", "list"], ["config", "get", "level"], ["status"]):
        inert_output(run(*args))


# -- text that got past the loader: stored before it refused control characters -------------
@pytest.fixture
def old_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deck loader as it was before it refused control characters (decks read then, or cached)."""
    from mli_drill.decks import deckfile

    monkeypatch.setattr(deckfile, "_control_problems", lambda *args: [])
    monkeypatch.setenv("NO_COLOR", "1")


OLD_DECK = (
    "deck: old\n"
    "title: \"Old \\e]0;title\\a deck\"\n"
    "topic: \"top\\e[2Jic\"\n"
    "cards:\n"
    "  - id: old-basic\n"
    '    front: "Markup [bold red]RED[/] and \\e[31mred"\n'
    '    back: "esc \\e]52;c;ZXZpbA==\\a and \\e[2J clear \\x9b2J"\n'
    "    tags: [\"t\\e[1m\"]\n"
    "  - id: old-points\n"
    "    type: points\n"
    '    front: "List \\e[2J two"\n'
    '    points: ["one \\e]52;c;eA==\\a", "two"]\n'
)


def test_text_past_the_loader_is_shown_inert(home: Path, old_loader: None, cli) -> None:
    write_deck(home / "decks", "old", OLD_DECK)
    shown = cli("decks", "show", "old")
    assert "Markup [bold red]RED[/] and \\x1b[31mred" in inert_output(shown)
    exact = cli("decks", "show", "old", "--json")
    assert json.loads(exact.output)["cards"][0]["back"] == "esc \x1b]52;c;ZXZpbA==\x07 and \x1b[2J clear \x9b2J"
    inert_output(exact)
    reviewed = cli("review", "--deck", "old", input="\n3\n\nall\n3\n")
    assert reviewed.exit_code == 0
    assert "esc \\x1b]52;c;ZXZpbA==\\x07 and \\x1b[2J clear \\x9b2J" in inert_output(reviewed)
    exam = cli("exam", "--questions", "1", "--topic", "top\x1b[2Jic", input="\nall\n")
    assert exam.exit_code == 0 and "one \\x1b]52;c;eA==\\x07" in inert_output(exam)
    assert "top\\x1b[2Jic" in inert_output(cli("stats"))
    inert_output(cli("status"))
    inert_output(cli("decks", "list"))


def test_a_stored_answer_is_shown_back_inert_in_the_exam_report(home: Path, cli) -> None:
    from mli_drill.services.collection import load_collection
    from mli_drill.exam.paper import compose_paper

    candidates = load_collection().exam_candidates()
    seed = next(s for s in range(100) if compose_paper(candidates, 2, s, None)[0].kind == "problem")
    cli("exam", "--questions", "2", "--seed", str(seed), input="-12345\nq\n")
    conn = sqlite3.connect(str(home / "progress.db"))
    conn.execute("UPDATE exam_answers SET answer = ?", ("12\x1b[2J\x1b]52;c;eA==\x07",))  # as an older version might have kept it
    conn.execute("UPDATE exam_papers SET finished_at = NULL")
    conn.commit()
    conn.close()
    result = cli("exam", input="q\n")
    assert "you gave 12\\x1b[2J\\x1b]52;c;eA==\\x07, the answer is" in inert_output(result)
