"""One keypress at the reveal and rating prompts on a terminal (``keys = single``), in a real pseudo-terminal.

Every test waits for the prompt (and the ``> `` under it) before it types, as
a student would; no test depends on timing. Piped input is covered by the
other CLI tests, which are line-based and must stay so.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from mli_drill.cli.keys import KeyReader, one_key_answers
from mli_drill.review.session import Session
from tests.conftest import FIXED_NOW, ROOT, basic_deck, wait_until_reading_keys, write_deck

pexpect = pytest.importorskip("pexpect")

REVEAL = "Enter to reveal"
RATE = r"Rate 1 again"

MCQ_DECK = """deck: keys-mcq
title: One-key mcq
cards:
  - id: pick-dice
    type: mcq
    front: Which overlap measure is 2|A∩B| / (|A|+|B|)?
    choices: [Dice, Jaccard, Hausdorff]
    answer: A
  - id: pick-iou
    type: mcq
    front: Which overlap measure is |A∩B| / |A∪B|?
    choices: [Dice, Jaccard, Hausdorff]
    answer: B
"""


# -- the prompts and the key reader, without a terminal ---------------------------
def test_the_keys_are_read_off_the_prompt() -> None:
    rate = "Rate 1 again · 2 hard · 3 good · 4 easy · Enter = 3 good · s suspend · u undo · q quit"
    assert one_key_answers(rate) == {"1", "2", "3", "4", "u", "s", "q"}
    # a key the session adds to a prompt acts at once without a change to the adapter
    assert one_key_answers("Rate 1 again · 2 hard · 3 good · 4 easy · s suspend · q quit · x extra") == {"1", "2", "3", "4", "s", "q", "x"}
    # the reveal prompt invites a typed answer, which may begin with any letter: only Enter and Space act at once
    assert one_key_answers("Enter to reveal (or type your answer) · h hint · u undo · q quit") == frozenset()
    assert one_key_answers("Enter to reveal · q quit") == {"q"}
    assert one_key_answers("Enter: more of the worked solution (1 of 2)") == frozenset()
    # typed answers keep line input
    for prompt in ("Your choice (A-C) · h hint · q quit", "Answer · h hint · s show solution · q quit",
                   "Points you recalled (e.g. 1 3, all, none) of 4 · q quit"):
        assert one_key_answers(prompt) is None


def test_the_session_prompts_are_the_ones_answered_with_one_key() -> None:
    """The reveal and rating prompts the session really writes are recognised (a guard against a reworded prompt)."""
    asked: list[str] = []

    class Recorder:
        def ask(self, prompt: str) -> str | None:
            asked.append(prompt)
            return {0: "", 1: "3"}.get(len(asked) - 1)

        def emit(self, event: object) -> None:
            pass

    import tempfile

    from mli_drill.clock import parse_time
    from mli_drill.model import Card
    from mli_drill.review.scheduling import Policy
    from mli_drill.review.session import Entry
    from mli_drill.store import open_store

    with tempfile.TemporaryDirectory() as directory:
        store = open_store(Path(directory) / "p.db")
        now = parse_time(FIXED_NOW)
        card = Card(id="c", deck="d", front="Q?", back="A.")
        store.sync_items([("card:c", "card", "d")], FIXED_NOW)
        Session(store, Recorder(), [Entry("card:c", card=card)], Policy(), lambda: now).run()
        store.close()
    assert one_key_answers(asked[0]) == frozenset()  # Enter or Space reveals; letters begin a typed answer
    assert one_key_answers(asked[1]) == {"1", "2", "3", "4", "s", "q"}  # (u once there is an answer to take back)


def reader(*chunks: str) -> KeyReader:
    pending = list(chunks)
    return KeyReader(lambda: pending.pop(0))


def test_a_listed_key_or_enter_answers_at_once_and_other_keys_begin_a_line() -> None:
    keys = frozenset({"1", "2", "3", "4", "q"})
    assert reader("3").answer(keys) == ("3", True)
    assert reader("Q").answer(keys) == ("Q", True)
    assert reader("\r").answer(keys) == ("", True)
    assert reader(" ").answer(keys) == ("", True)
    assert reader("\x1b[A", "\t", "4").answer(keys) == ("4", True)  # an arrow key and Tab mean nothing
    assert reader("g").answer(keys) == ("g", False)  # "good" is being typed


def test_keys_that_came_with_an_answering_key_are_dropped_but_a_line_keeps_its_keys() -> None:
    keys = reader("3\r", "\r")
    assert keys.answer(frozenset({"3"})) == ("3", True)
    assert keys.pending == ""  # a habitual Enter after the rating does not reveal the next card
    assert keys.answer(frozenset()) == ("", True)  # the next prompt waits for a key of its own
    assert reader("good\rx").answer(frozenset({"3"})) == ("good", True)  # a pasted line reads as the line
    assert reader("go").answer(frozenset({"3"})) == ("go", False)


@pytest.mark.parametrize(("chunk", "error"), [("\x03", KeyboardInterrupt), ("\x04", EOFError), ("3\x03", KeyboardInterrupt)])
def test_ctrl_c_and_ctrl_d_mean_what_they_mean_at_a_line_prompt(chunk: str, error: type) -> None:
    keys = reader(chunk)
    with pytest.raises(error):
        keys.answer(frozenset())
        keys.answer(frozenset())


# -- in a pseudo-terminal ---------------------------------------------------------
def env_for(home: Path) -> dict[str, str]:
    return {**os.environ, "MLI_DRILL_HOME": str(home), "MLI_DRILL_NOW": FIXED_NOW, "TZ": "UTC", "COLUMNS": "100"}


def spawn(home: Path, *args: str):
    return pexpect.spawn(sys.executable, ["-m", "mli_drill", *args], env=env_for(home), cwd=str(ROOT), encoding="utf-8",
                         timeout=60, dimensions=(40, 100))


def wait_for(child, prompt: str) -> None:
    """The prompt, the "> " under it, and (at a one-key prompt) the terminal raw: the program is reading keys.

    ``getchar`` discards keys pressed before it starts reading (as a person's
    keys pressed before the prompt appears should be), so a test types only
    once the terminal is raw: no timing involved.
    """
    child.expect(prompt)
    child.expect("> ")
    if prompt.startswith(("Enter to reveal", "Rate ")) and not line_mode(child):
        wait_until_reading_keys(child)


def line_mode(child) -> bool:
    return getattr(child, "line_mode", False)


def reviews(home: Path) -> list[tuple[str, int, int]]:
    conn = sqlite3.connect(str(home / "progress.db"), timeout=10)
    try:
        return conn.execute("SELECT items.key, rating, correct FROM review_log JOIN items ON items.id = item_id"
                            " WHERE undone = 0 ORDER BY review_log.id").fetchall()
    finally:
        conn.close()


def finish(child) -> None:
    child.expect("Session over")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.fixture
def deck_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    write_deck(home / "decks", "keys", basic_deck("keys", 4))
    return home


def test_space_reveals_and_a_digit_rates_without_enter(deck_home: Path) -> None:
    child = spawn(deck_home, "review", "--deck", "keys")
    wait_for(child, REVEAL)
    child.send(" ")
    child.expect("Answer 0")
    wait_for(child, RATE)
    child.send("3")
    child.expect("Question 1")
    wait_for(child, REVEAL)
    child.send("\r")  # Enter reveals too
    child.expect("Answer 1")
    wait_for(child, RATE)
    child.send("4")
    child.expect("Question 2")
    wait_for(child, REVEAL)
    child.send("q")  # at the reveal prompt a letter begins a typed answer: q and Enter quit
    child.send("\r")
    finish(child)
    assert [(key, rating) for key, rating, _ in reviews(deck_home)] == [("card:keys-c0", 3), ("card:keys-c1", 4)]


def test_undo_and_suspend_act_at_once(deck_home: Path) -> None:
    child = spawn(deck_home, "review", "--deck", "keys")
    wait_for(child, REVEAL)
    child.send(" ")
    wait_for(child, RATE)
    child.send("4")
    child.expect("Question 1")
    wait_for(child, REVEAL)
    child.send(" ")
    wait_for(child, RATE)
    child.send("u")
    child.expect("Undid the answer to keys-c0")
    child.expect("Question 0")
    wait_for(child, REVEAL)
    child.send(" ")
    wait_for(child, RATE)
    child.send("s")
    child.expect("Suspended keys-c0")
    child.expect("Question 1")
    wait_for(child, REVEAL)
    child.send("q\r")
    finish(child)
    assert reviews(deck_home) == []
    conn = sqlite3.connect(str(deck_home / "progress.db"))
    assert conn.execute("SELECT suspended FROM items WHERE key = 'card:keys-c0'").fetchone() == (1,)
    conn.close()


def test_a_word_still_rates_and_typed_answers_keep_line_input(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_deck(home / "decks", "keys-mcq", MCQ_DECK)
    child = spawn(home, "review", "--deck", "keys-mcq")
    wait_for(child, r"Your choice \(A-C\)")
    child.send("A")  # a letter waits for Enter: a slip of the finger can still be corrected
    child.send("\x7f")  # Backspace
    child.send("C")
    child.send("\r")
    wait_for(child, RATE)
    child.send("\r")  # Enter keeps the suggested rating at once
    wait_for(child, r"Your choice \(A-C\)")
    child.send("B\r")
    wait_for(child, RATE)
    child.send("e")  # a key that is not listed begins a typed line...
    child.expect("> e")
    child.send("asy\r")  # ...finished with Enter: "easy"
    if child.expect(["Session over", r"Your choice \(A-C\)"]) == 1:  # the first card, if it was wrong, comes back
        child.expect("> ")
        child.send("q\r")
        child.expect("Session over")
    child.expect(pexpect.EOF)
    child.close()
    first, second = reviews(home)
    assert first[1] == (3 if first[2] else 1)  # the suggested rating: good when right, again when wrong
    assert second[1] == 4


def test_ctrl_c_at_a_one_key_prompt_ends_with_a_summary_and_loses_nothing(deck_home: Path) -> None:
    child = spawn(deck_home, "review", "--deck", "keys")
    wait_for(child, REVEAL)
    child.send(" ")
    wait_for(child, RATE)
    child.send("3")
    child.expect("Question 1")
    wait_for(child, REVEAL)
    child.sendintr()
    child.expect("Session over")
    child.expect("reviewed  1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(reviews(deck_home)) == 1


def test_ctrl_c_at_a_rating_prompt_keeps_what_was_saved(deck_home: Path) -> None:
    child = spawn(deck_home, "review", "--deck", "keys")
    wait_for(child, REVEAL)
    child.send(" ")
    wait_for(child, RATE)
    child.send("4")
    wait_for(child, REVEAL)
    child.send(" ")
    wait_for(child, RATE)
    child.sendintr()
    child.expect("reviewed  1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(reviews(deck_home)) == 1


def test_ctrl_d_at_a_one_key_prompt_ends_the_session(deck_home: Path) -> None:
    child = spawn(deck_home, "review", "--deck", "keys")
    wait_for(child, REVEAL)
    child.sendeof()
    finish(child)


def test_an_enter_typed_after_a_rating_out_of_habit_does_not_reveal_the_next_card(deck_home: Path) -> None:
    child = spawn(deck_home, "review", "--deck", "keys")
    wait_for(child, REVEAL)
    child.send(" ")
    wait_for(child, RATE)
    child.send("3\r")  # as line mode taught: the rating acts at once, the Enter is dropped
    child.expect("Question 1")
    wait_for(child, REVEAL)
    child.send("q\r")
    finish(child)
    assert [rating for _, rating, _ in reviews(deck_home)] == [3]


def test_an_answer_typed_at_the_reveal_prompt_may_begin_with_a_command_letter(deck_home: Path) -> None:
    child = spawn(deck_home, "review", "--deck", "keys")
    wait_for(child, REVEAL)
    child.send("q")  # not quit: the start of the student's own answer
    child.expect("> q")
    child.send("uestion zero\r")
    child.expect("you typed: question zero")
    child.expect("Answer 0")
    wait_for(child, RATE)
    child.send("3")
    child.expect("Question 1")
    wait_for(child, REVEAL)
    child.send("q\r")
    finish(child)
    conn = sqlite3.connect(str(deck_home / "progress.db"))
    assert conn.execute("SELECT answer, rating FROM review_log").fetchall() == [("question zero", 3)]
    conn.close()


def test_practice_enter_keeps_the_suggestion_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "practice", "conv-output", "--seed", "3", "--count", "2")
    wait_for(child, "Answer · h hint")
    child.send("s")  # answers are typed lines: "s" (show the solution) waits for Enter
    child.send("\r")
    child.expect("worked solution")
    while child.expect([RATE, "Enter: more of the worked solution"]) == 1:  # a screen too short pages it
        child.expect("> ")
        child.send("\r")
    child.expect("> ")
    wait_until_reading_keys(child)
    child.send("\r")
    wait_for(child, "Answer · h hint")
    child.send("q")  # a typed line: nothing happens until Enter
    child.send("\r")
    child.expect("Practice")
    child.expect(pexpect.EOF)
    child.close()
    assert [rating for _, rating, _ in reviews(home)] == [1]  # the solution shown counts as wrong: again


def test_the_line_setting_turns_single_keys_off(deck_home: Path) -> None:
    deck_home.mkdir(parents=True, exist_ok=True)
    (deck_home / "settings.json").write_text(json.dumps({"keys": "line"}), encoding="utf-8")
    child = spawn(deck_home, "review", "--deck", "keys")
    child.line_mode = True
    wait_for(child, REVEAL)
    child.sendline("")
    wait_for(child, RATE)
    child.send("3")  # waits for Enter
    child.send("\x7f4")  # corrected to 4 before Enter
    child.send("\r")
    wait_for(child, REVEAL)
    child.sendline("q")
    finish(child)
    assert [rating for _, rating, _ in reviews(deck_home)] == [4]
