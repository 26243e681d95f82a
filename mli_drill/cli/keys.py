"""One keypress at the reveal and rating prompts on a terminal (the ``keys`` setting).

The session asks for lines (``session.Terminal.ask``) and never learns how a
line was typed, so single-key input lives here, in the terminal adapter's
toolbox (``common.ConsoleTerminal`` uses it). With ``keys = single`` and a
terminal on standard input, the prompts every SRS reviewer answers with one
key take one key:

* "Enter to reveal ...": Space or Enter reveals at once. The prompt also
  invites the student to type an answer, so every other key begins that
  typed line (``q``, ``u`` and ``h`` included: an answer may begin with
  them; typed alone and ended with Enter they act as before);
* "Rate 1 again · 2 hard ...": ``1``-``4`` and each key the prompt lists
  (``u undo``, ``s suspend``, ``q quit``) act at once; Enter or Space is an
  empty line, which keeps a suggested rating;
* "Enter: more of the worked solution · u undo · q quit": Space or Enter
  turns the page; ``u`` and ``q`` act at once (a rating typed there goes to
  the rating prompt).

Any other printable key starts an ordinary typed line holding that key (so
``good`` still rates), finished with Enter. Every other prompt (problem
answers, mcq letters, points, the exam) reads a whole line as before, and
piped input is always read line by line.

Keys come from click's ``getchar`` (typer re-exports it), which puts the
terminal in raw mode only while it waits: Ctrl-C then arrives as a
character and is raised as KeyboardInterrupt, Ctrl-D as EOFError, exactly as
at a line prompt.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# How the session's reveal and rating prompts and the solution pager's prompt begin
ONE_KEY_PROMPTS = ("Enter to reveal", "Rate ", "Enter: more")
TYPED_ANSWER_INVITED = "type your answer"  # such a prompt takes only Enter and Space at once
ENTER_KEYS = ("\r", "\n", " ")  # raw mode delivers Enter as \r; Space counts as Enter at these prompts
_LISTED_KEY = re.compile(r"(?:^|\s)(\S)\s+[a-z]")  # "q quit", "Rate 1 again": a lone character before a word
_IGNORED_CHUNKS = ("\x1b", "\x00")  # Escape and the sequences of arrow and function keys (\x00: Windows)


def one_key_answers(prompt: str) -> frozenset[str] | None:
    """The keys (lower case) that answer ``prompt`` at once, besides Enter and Space; None when it asks for a typed line.

    The keys are read off the prompt itself, each ``· k word`` segment naming
    one, so a key the session adds to the rating prompt acts at once without
    a change here.
    """
    if not prompt.startswith(ONE_KEY_PROMPTS):
        return None
    if TYPED_ANSWER_INVITED in prompt:
        return frozenset()
    return frozenset(key.lower() for part in prompt.split(" · ") for key in _LISTED_KEY.findall(part))


def _click_getchar() -> str:
    import typer

    return typer.getchar()


class KeyReader:
    """Keypresses from the terminal, one answer at a time.

    A key acts at the prompt that was showing when it was pressed. ``getchar``
    discards whatever was typed before it started reading (it makes the
    terminal raw with TCSAFLUSH), and what arrived together with an answering
    key is dropped too, so a habitual Enter after a rating ("3⏎") never
    reveals the next card. ``getchar`` returns what the terminal had ready:
    one key, an escape sequence (an arrow key), or a burst of keys; within
    one prompt they are taken in order, so a pasted ``good⏎`` still reads as
    a line.
    """

    def __init__(self, getchar: Callable[[], str] = _click_getchar):
        self._getchar = getchar
        self.pending = ""

    def answer(self, keys: frozenset[str]) -> tuple[str, bool]:
        """``(text, True)`` when a key answered the prompt (Enter and Space as the empty line);
        ``(start, False)`` when a printable key began a typed line the caller finishes."""
        self.pending = ""
        while True:
            key = self._key()
            if key in ENTER_KEYS:
                self.pending = ""
                return "", True
            if key.lower() in keys:
                self.pending = ""
                return key, True
            if key.isprintable() and key:
                return self.typed_ahead(key)
            # Tab, Backspace, arrows: nothing to do at a one-key prompt

    def typed_ahead(self, start: str = "") -> tuple[str, bool]:
        """``start`` and the keys that came with it, up to the first Enter: ``(line, True)`` when an Enter was
        among them, else ``(text so far, False)`` for the caller's line editor to finish. Nothing stays pending."""
        text, self.pending = start + self.pending, ""
        for index, char in enumerate(text):
            if char in "\r\n":
                return text[:index], True
            _raise_for(char)
        return text, False

    def _key(self) -> str:
        if not self.pending:
            chunk = self._getchar()
            if chunk.startswith(_IGNORED_CHUNKS):
                return ""
            self.pending = chunk
        key, self.pending = self.pending[0], self.pending[1:]
        _raise_for(key)
        return key


def _raise_for(char: str) -> None:
    """Ctrl-C and Ctrl-D typed ahead mean what they mean at a line prompt (getchar raises only for a lone one)."""
    if char == "\x03":
        raise KeyboardInterrupt
    if char == "\x04":
        raise EOFError
