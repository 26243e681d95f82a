"""Finding your way: "did you mean", shell completion, the card browser (decks show, search, review --cards)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from mli_drill.names import closest, resolve, unknown
from tests.cli.test_control_characters import OLD_DECK, inert_output, old_loader  # noqa: F401 - old_loader is a fixture
from tests.conftest import FIXED_NOW, ROOT, basic_deck, run_process, write_deck


# -- names ------------------------------------------------------------------------------
def test_names_match_up_to_case_and_underscores_and_only_when_unambiguous() -> None:
    known = ["receptive-field", "conv-output", "a-b", "a_b"]
    assert resolve("receptive-field", known) == "receptive-field"
    assert resolve("Receptive_Field", known) == "receptive-field"
    assert resolve("RECEPTIVE-FIELD", known) == "receptive-field"
    assert resolve("a_b", known) == "a_b"  # an exact name wins
    assert resolve("A-B", known) is None  # two names read so: neither is guessed
    assert resolve("receptive-feild", known) is None


def test_the_nearest_name_is_suggested_and_nonsense_gets_no_suggestion() -> None:
    known = ["receptive-field", "conv-output", "transposed-conv-output"]
    assert closest("receptive-feild", known) == ["receptive-field"]
    assert closest("conv_outptu", known) == ["conv-output"]
    assert closest("zzzzzz", known) == []
    assert unknown("unknown family", "zzzzzz", known, "mli-drill problems list") == "unknown family 'zzzzzz'; see `mli-drill problems list`"


# -- did you mean, in the commands ---------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["practice", "receptive-feild"], "(did you mean 'receptive-field'?)"),
        (["problems", "sample", "segmentaton-metrics"], "(did you mean 'segmentation-metrics'?)"),
        (["decks", "show", "week3-cn"], "(did you mean 'week3-cnn'?)"),
        (["review", "--deck", "week4-segmentaion"], "(did you mean 'week4-segmentation'?)"),
        (["search", "dice", "--deck", "week4-segmentaion"], "(did you mean 'week4-segmentation'?)"),
        (["config", "set", "exam_dat", "2027-01-20"], "(did you mean 'exam-date'?)"),
        (["config", "get", "new-per-dya"], "(did you mean 'new-per-day'?)"),
        (["suspend", "cnn-cross-corelation"], "(did you mean 'cnn-cross-correlation'?)"),
        (["review", "--cards", "cnn-cross-corelation"], "(did you mean 'cnn-cross-correlation'?)"),
        (["export", "sheet", "receptive_feild"], "(did you mean 'receptive-field'?)"),
        (["export", "anki", "x.apkg", "--deck", "week2-intr"], "(did you mean 'week2-intro'?)"),
    ],
)
def test_a_misspelt_name_gets_the_nearest_suggested(home: Path, args: list[str], suggestion: str) -> None:
    result = run_process(*args)
    assert result.returncode == 2
    assert suggestion in result.stderr
    assert "Traceback" not in result.stderr


def test_family_names_are_read_whatever_their_case_and_underscores(home: Path, cli) -> None:
    sample = cli("problems", "sample", "Receptive_Field", "--seed", "4", "--json")
    assert sample.exit_code == 0 and json.loads(sample.output)["family"] == "receptive-field"
    practice = cli("practice", "RECEPTIVE_FIELD", "--count", "1", "--seed", "4", input="s\n\n")
    assert practice.exit_code == 0 and "Practice · receptive-field" in practice.output
    assert cli("problems", "check", "conv_output", "--seed", "1", "0").exit_code in (0, 1)
    assert cli("suspend", "Receptive_Field").output == "suspended receptive-field\n"
    assert cli("unsuspend", "receptive_field").output == "unsuspended receptive-field\n"
    assert cli("config", "set", "Exam_Date", "2027-01-20").output == "exam-date = 2027-01-20\n"
    assert cli("config", "get", "exam-date").output == "2027-01-20\n"


def test_a_card_can_be_suspended_before_any_session_met_it(home: Path, cli) -> None:
    assert cli("suspend", "cnn-cross-correlation").output == "suspended cnn-cross-correlation\n"
    result = cli("search", "cross-correlation", "--deck", "week3-cnn", "--json")
    found = {row["id"]: row for row in json.loads(result.output)}
    assert found["cnn-cross-correlation"]["suspended"] is True


NUMBERED_DECK = """deck: numbered
title: Numbered clozes
cards:
  - id: metrics
    type: cloze
    text: "Dice = {{c1::2TP/(2TP+FP+FN)}}, Jaccard = {{c2::TP/(TP+FP+FN)}}"
"""


# -- shell completion ------------------------------------------------------------------------
def complete(home: Path, words: str, style: str = "complete_bash", extra: dict[str, str] | None = None) -> list[str]:
    """What bash would offer after ``words`` (the last word being typed), from a real process."""
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {"COMP_WORDS": words, "COMP_CWORD": str(cword), "_MLI_DRILL_COMPLETE": style, "MLI_DRILL_HOME": str(home),
           "MLI_DRILL_NOW": FIXED_NOW, **(extra or {})}
    result = run_process(env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_completion_offers_families_decks_cards_settings_and_levels(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert complete(home, "mli-drill practice rec") == ["receptive-field"]
    assert complete(home, "mli-drill problems sample conv-") == ["conv-forward", "conv-output"]
    assert "week3-cnn" in complete(home, "mli-drill decks show week3")
    assert complete(home, "mli-drill review --deck week2") == ["week2-intro"]
    assert complete(home, "mli-drill suspend cnn-cross") == ["cnn-cross-correlation"]
    assert "receptive-field" in complete(home, "mli-drill unsuspend re")
    assert complete(home, "mli-drill review --cards cnn-cross") == ["cnn-cross-correlation"]
    assert complete(home, "mli-drill config set ") == ["desired-retention", "new-per-day", "level", "exam-date", "keys"]
    assert complete(home, "mli-drill config set keys ") == ["single", "line"]
    assert complete(home, "mli-drill config set level e") == ["easy", "exam"]
    assert complete(home, "mli-drill practice receptive-field --level ") == ["easy", "exam", "hard"]
    assert complete(home, "mli-drill se") == ["search"]
    # click's own spelling of the instruction works as well as typer's
    assert complete(home, "mli-drill practice rec", style="bash_complete") == ["receptive-field"]


def test_numbered_deletions_complete_once_a_hash_is_typed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_deck(home / "decks", "numbered", NUMBERED_DECK)
    assert run_process("status", env={"MLI_DRILL_HOME": str(home)}).returncode == 0  # reads (and caches) the deck
    assert complete(home, "mli-drill suspend metr") == ["metrics"]
    assert complete(home, "mli-drill suspend metrics#") == ["metrics#c1", "metrics#c2"]


def test_zsh_and_fish_get_titles_with_the_names(tmp_path: Path) -> None:
    home = tmp_path / "home"
    zsh = run_process(env={"_MLI_DRILL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "mli-drill practice rec", "MLI_DRILL_HOME": str(home)})
    assert '"receptive-field":"Receptive field of a CNN unit"' in zsh.stdout


@pytest.mark.parametrize("style", ["bash_source", "source_bash"])
def test_the_completion_script_is_printed(tmp_path: Path, style: str) -> None:
    result = run_process(env={"_MLI_DRILL_COMPLETE": style, "MLI_DRILL_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "complete -o default -F _mli_drill_completion mli-drill" in result.stdout
    assert "_MLI_DRILL_COMPLETE=complete_bash" in result.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_through_the_script_it_is_given(tmp_path: Path) -> None:
    """The README's `eval "$(_MLI_DRILL_COMPLETE=bash_source mli-drill)"`, then Tab, as bash runs it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "mli-drill"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mli_drill "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    script = (
        'eval "$(_MLI_DRILL_COMPLETE=bash_source mli-drill)"\n'
        "COMP_WORDS=(mli-drill practice rec); COMP_CWORD=2; _mli_drill_completion mli-drill; echo \"${COMPREPLY[@]}\"\n"
        "COMP_WORDS=(mli-drill decks show week3-c); COMP_CWORD=3; _mli_drill_completion mli-drill; echo \"${COMPREPLY[@]}\"\n"
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT), "MLI_DRILL_HOME": str(tmp_path / "home")}
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout.splitlines() == ["receptive-field", "week3-classification week3-cnn"], result.stderr


def test_show_and_install_completion(tmp_path: Path) -> None:
    env = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1", "HOME": str(tmp_path), "MLI_DRILL_HOME": str(tmp_path / "home")}
    shown = run_process("--show-completion", "bash", env=env)
    assert shown.returncode == 0 and "_mli_drill_completion" in shown.stdout
    installed = run_process("--install-completion", "bash", env=env)
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "mli-drill.sh"
    assert "_mli_drill_completion" in script.read_text(encoding="utf-8")
    assert str(script) in (tmp_path / ".bashrc").read_text(encoding="utf-8")


PROBE = """
import atexit, json, os, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + json.dumps(sorted(
    m for m in sys.modules if m.split('.')[0] in {"numpy", "sqlite_utils", "fsrs", "yaml", "pydantic"})) + "\\n"))
sys.argv = ["mli-drill"]
from mli_drill.cli.app import main
main()
"""


def test_completion_imports_nothing_heavy_and_parses_no_deck(tmp_path: Path) -> None:
    """Completion runs on every Tab: no PyYAML, numpy, fsrs or pydantic; a user deck not yet cached is left out."""
    home = tmp_path / "home"
    write_deck(home / "decks", "mine", basic_deck("mine", 2))

    def completing(words: str) -> tuple[list[str], str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1), "_MLI_DRILL_COMPLETE": "complete_bash",
               "MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW}
        result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=120)
        modules = next(line for line in result.stderr.splitlines() if line.startswith("MODULES "))
        return result.stdout.split(), modules

    for words in ("mli-drill suspend mine", "mli-drill decks show mi", "mli-drill practice rec", "mli-drill config set level e"):
        offered, modules = completing(words)
        assert modules == "MODULES []", (words, modules)
    assert completing("mli-drill decks show mi")[0] == []  # not cached yet: left out, not parsed
    assert run_process("status", env={"MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW}).returncode == 0  # caches it
    assert completing("mli-drill decks show mi")[0] == ["mine"]
    assert completing("mli-drill suspend mine")[0] == ["mine-c0", "mine-c1"]


def test_completion_is_quiet_about_skipped_decks_and_a_damaged_cache(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_deck(home / "decks", "dup", basic_deck("week2-intro", 1))  # clashes with a bundled deck: skipped, with a warning
    write_deck(home / "decks", "mine", basic_deck("mine", 1))
    assert run_process("status", env={"MLI_DRILL_HOME": str(home)}).returncode == 0  # caches mine
    for entry in (home / "cache" / "decks").glob("*.json"):
        entry.write_text("{damaged", encoding="utf-8")
    env = {"COMP_WORDS": "mli-drill decks show ", "COMP_CWORD": "3", "_MLI_DRILL_COMPLETE": "complete_bash", "MLI_DRILL_HOME": str(home)}
    result = run_process(env=env)
    assert result.returncode == 0 and result.stderr == ""
    offered = result.stdout.split()
    assert offered.count("week2-intro") == 1 and "mine" not in offered  # a damaged entry is left out, not parsed


# -- decks show ----------------------------------------------------------------------------
def test_decks_show_never_cuts_a_card_id(home: Path) -> None:
    from mli_drill.services.collection import load_collection

    for deck in load_collection(with_families=False).decks:
        result = run_process("decks", "show", deck.id, env={"COLUMNS": "80"})
        assert result.returncode == 0, result.stderr
        ids_shown = [line.split("│")[1].strip() for line in result.stdout.splitlines() if line.startswith("│ ") and line.split("│")[1].strip()]
        assert ids_shown == [card.id for card in deck.cards]
        assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80


def test_decks_show_answers_has_every_answer_and_folds_long_ids_at_a_narrow_width(home: Path) -> None:
    from mli_drill.services.collection import load_collection
    from mli_drill.render.latex import latex_to_unicode

    deck = load_collection(with_families=False).deck("exam-past-papers")
    assert deck is not None
    result = run_process("decks", "show", "exam-past-papers", "--answers", env={"COLUMNS": "30"})
    assert result.returncode == 0, result.stderr
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 30
    squeezed = re.sub(r"\s+", "", result.stdout)
    for card in deck.cards:
        assert card.id in squeezed  # folded onto the next line when too long, never cut
        for point in card.points:
            assert re.sub(r"\s+", "", latex_to_unicode(point)) in squeezed
        if card.type == "mcq":
            assert re.sub(r"\s+", "", f"{card.answer}) {latex_to_unicode(card.choices[card.answer_index])}") in squeezed


def test_decks_show_answers_of_each_card_type(home: Path, cli) -> None:
    result = cli("decks", "show", "week4-segmentation", "--answers")
    assert result.exit_code == 0
    text = result.output
    assert "seg-semantic-segmentation  basic · semantic-segmentation\n  Q What is semantic segmentation?\n  A Partitioning" in text
    assert "C) Morphological variability ✓" in text and "  A C) Morphological variability" in text
    assert "«imaging artifacts»" in text  # a cloze shows its deletions filled in
    assert "  A 1. Noise\n    2. Partial volume effects" in text


# -- search ------------------------------------------------------------------------------------
def test_search_finds_cards_by_words_in_any_field(home: Path, cli) -> None:
    result = cli("search", "dice", "jaccard", "--json")
    found = json.loads(result.output)
    assert result.exit_code == 0 and found
    for row in found:
        assert set(row) == {"deck", "id", "type", "due", "lapses", "new", "suspended", "prompt"}
    ids = [row["id"] for row in found]
    assert "seg-dice-jaccard-relation" in ids
    assert "seg-vs-ignores-overlap" in ids  # both words only among its choices
    only = json.loads(cli("search", "DICE", "Jaccard", "--deck", "week4-segmentation", "--json").output)
    assert {row["deck"] for row in only} == {"week4-segmentation"}
    assert [row["id"] for row in only] == [row["id"] for row in found if row["deck"] == "week4-segmentation"]


def test_search_matches_math_as_written_and_as_shown(home: Path, cli) -> None:
    written = {row["id"] for row in json.loads(cli("search", "\\sigma", "--json").output)}
    shown = {row["id"] for row in json.loads(cli("search", "σ", "--json").output)}
    assert "intro-sigmoid" in written and "intro-sigmoid" in shown


def test_search_shows_deck_id_type_due_and_lapses_and_the_command_to_review_them(home: Path, cli) -> None:
    reviewed = cli("review", "--cards", "seg-semantic-segmentation", input="\n1\n\n3\n")  # again, then good: due in 10 minutes
    assert reviewed.exit_code == 0
    conn = sqlite3.connect(str(home / "progress.db"))
    conn.execute("UPDATE items SET lapses = 1 WHERE key = 'card:seg-semantic-segmentation'")  # as if forgotten once after learning
    conn.commit()
    conn.close()
    result = cli("search", "semantic", "segmentation", "--deck", "week4-segmentation")
    lines = result.output.splitlines()
    assert lines[0] == "week4-segmentation"
    assert "  seg-semantic-segmentation  basic · due today 09:10 · 1 lapse" in lines
    assert lines[-1].startswith("mli-drill review --cards seg-semantic-segmentation")
    ids = cli("search", "semantic", "segmentation", "--deck", "week4-segmentation", "--ids").output.split()
    assert lines[-1] == "mli-drill review --cards " + " ".join(ids)


def test_search_with_no_match_exits_1_and_with_no_words_2(home: Path, cli) -> None:
    none = cli("search", "zzzqqq")
    assert none.exit_code == 1 and none.output == "No card matches 'zzzqqq'.\n"
    assert cli("search", "zzzqqq", "--json").output == "[]\n"
    assert cli("search", " ").exit_code == 2


def test_search_highlights_matches_in_the_text_shown(home: Path) -> None:
    from mli_drill.render.console import inert
    from mli_drill.render.browse import MATCH_STYLE, highlighted

    text = highlighted(inert("a \x1b[2J Dice and dice"), ["dice", "\x1b"])
    marked = [text.plain[span.start:span.end] for span in text.spans if span.style == MATCH_STYLE]
    assert marked == ["Dice", "dice", "\\x1b"]


def test_search_results_and_the_browser_show_deck_text_inert(home: Path, old_loader: None, cli) -> None:  # noqa: F811
    write_deck(home / "decks", "old", OLD_DECK)
    shown = inert_output(cli("search", "clear"))
    assert "\\x1b[2J clear" in shown
    inert_output(cli("search", "\x1b[2J"))
    inert_output(cli("search", "two", "--json"))
    inert_output(cli("decks", "show", "old", "--answers"))
    assert "one \\x1b]52;c;eA==\\x07" in cli("decks", "show", "old", "--answers").output


# -- review --cards ----------------------------------------------------------------------------
def test_review_cards_serves_the_cards_named_in_order_due_or_not(home: Path, cli) -> None:
    ids = ["seg-partial-volume", "cnn-channels", "intro-sigmoid"]
    result = cli("review", "--cards", *ids, input="\n4\n\n4\n\n4\n")
    assert result.exit_code == 0 and "reviewed  3" in result.output
    conn = sqlite3.connect(str(home / "progress.db"))
    keys = [row[0] for row in conn.execute("SELECT items.key FROM review_log JOIN items ON items.id = item_id ORDER BY review_log.id")]
    conn.close()
    assert keys == [f"card:{card_id}" for card_id in ids]
    again = cli("review", "--cards", "seg-partial-volume", input="\n3\n")  # not due for days: reviewed anyway
    assert "reviewed  1" in again.output


def test_review_cards_takes_one_deletion_and_skips_suspended_cards(home: Path, cli) -> None:
    write_deck(home / "decks", "numbered", NUMBERED_DECK)
    cli("suspend", "seg-partial-volume")
    result = cli("review", "--cards", "seg-partial-volume", "metrics#c2", input="\n3\n")
    assert "Skipped, suspended: seg-partial-volume" in result.output
    assert "Dice = 2TP/(2TP+FP+FN), Jaccard = […]" in result.output
    assert "reviewed  1" in result.output
    both = cli("review", "--cards", "metrics", input="\n4\n\n4\n")
    assert "reviewed  2" in both.output
    bad = cli("review", "--cards", "metrics#c9")
    assert bad.exit_code == 2 and "card 'metrics' has no deletion #c9 (its deletions: #c1, #c2)" in bad.output


@pytest.mark.parametrize("args", [["review", "cnn-channels"], ["review", "--cards"], ["review", "--cards", "cnn-channels", "--deck", "week3-cnn"]])
def test_review_cards_usage_errors(home: Path, cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2 and "--cards" in result.output
