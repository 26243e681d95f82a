"""The terminal a mock paper is sat at: input that can stop waiting, and signals that never lose a paper.

:class:`ExamTerminal` is the console terminal of every session plus two things
the exam's promises need:

* ``ask_until(prompt, stop)`` waits for a line with ``select`` in short
  slices and gives up (raising :class:`~mli_drill.exam.session.Waited`) once
  ``stop()`` is true: time is up, or a warning is due, while the student is
  still thinking. Lines are read with ``os.read`` into a buffer of our own,
  so a pipe's lines are never stuck in Python's buffer where ``select``
  cannot see them. A standard input without a file descriptor (a test
  runner's) is read the ordinary way; the deadline is then checked as each
  line arrives.
* Ctrl-C, SIGHUP and SIGTERM become exceptions only while the terminal waits
  for input (KeyboardInterrupt, or Hangup). A signal that lands while an
  answer is being committed is held until the next prompt, so a commit is
  never cut in half.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Callable, Iterator

from mli_drill.cli.common import ConsoleTerminal
from mli_drill.exam.session import Hangup, Waited
from mli_drill.review.events import TimeUp

if TYPE_CHECKING:
    from mli_drill.review.events import Event

SLICE_SECONDS = 0.2  # how often a waiting prompt looks at the clock
HANGUP_SIGNALS = ("SIGHUP", "SIGTERM")


class ExamTerminal(ConsoleTerminal):
    def __init__(self) -> None:
        super().__init__()
        self._fd = _descriptor(sys.stdin)
        self._buffer = b""
        self._ended = False
        self._stop: Callable[[], bool] | None = None
        self._waiting = False
        self._held: BaseException | None = None

    # -- input ----------------------------------------------------------------
    def ask_until(self, prompt: str, stop: Callable[[], bool]) -> str | None:
        """Like ``ask``, but raise Waited as soon as ``stop()`` is true and no line has come."""
        self._stop = stop
        try:
            return self.ask(prompt)
        except Waited:
            if self.interactive:
                self.out.print()  # leave the half-typed line before anything else is printed
            raise
        finally:
            self._stop = None

    def _read_line(self) -> str | None:
        self._raise_held()
        if self._fd is None:
            return self._read_line_plainly()
        if self.interactive:
            sys.stdout.write("> ")
            sys.stdout.flush()
        while True:
            line = self._take_line()
            if line is not None:
                return line
            if self._ended:
                return None
            self._wait_until_readable()
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:  # the terminal has gone (EIO after a hang-up)
                chunk = b""
            if not chunk:
                self._ended = True
            elif self.interactive and not chunk.endswith(b"\n"):
                chunk += b"\n"  # Ctrl-D after some text sends it without a newline: that is the line
            self._buffer += chunk

    def _take_line(self) -> str | None:
        """The next whole line from the buffer (the rest of it at end of input), decoded; None if none yet."""
        if b"\n" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\n", 1)
        elif self._ended and self._buffer:
            raw, self._buffer = self._buffer, b""
        else:
            return None
        return raw.rstrip(b"\r").decode("utf-8")  # UnicodeDecodeError: ask() asks again

    def _wait_until_readable(self) -> None:
        assert self._fd is not None
        while True:
            if self._stop is not None and self._stop():
                raise Waited
            self._waiting = True
            try:
                self._raise_held()
                readable, _, _ = select.select([self._fd], [], [], SLICE_SECONDS)
            finally:
                self._waiting = False
            if readable:
                return

    def _read_line_plainly(self) -> str | None:
        self._waiting = True
        try:
            return super()._read_line()
        finally:
            self._waiting = False

    # -- output ---------------------------------------------------------------
    def emit(self, event: Event) -> None:
        if isinstance(event, TimeUp):
            self._discard_typed()
        super().emit(event)

    def _discard_typed(self) -> None:
        """At the deadline, drop a half-typed line so it does not reach the shell after the report."""
        if self.interactive and self._fd is not None:
            try:
                import termios

                termios.tcflush(self._fd, termios.TCIFLUSH)
            except (ImportError, OSError):
                pass

    # -- signals --------------------------------------------------------------
    @contextmanager
    def signals_held(self) -> Iterator[None]:
        """Turn Ctrl-C, SIGHUP and SIGTERM into exceptions raised at a prompt, never in the middle of a commit."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        wanted = [signal.SIGINT] + [getattr(signal, name) for name in HANGUP_SIGNALS if hasattr(signal, name)]
        previous = {number: signal.signal(number, self._on_signal) for number in wanted}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        error: BaseException = KeyboardInterrupt() if number == signal.SIGINT else Hangup(signal.Signals(number).name)
        if self._waiting:
            raise error
        if self._held is None or isinstance(self._held, KeyboardInterrupt):
            self._held = error  # a hang-up outranks a Ctrl-C waiting to be answered

    def _raise_held(self) -> None:
        if self._held is not None:
            error, self._held = self._held, None
            raise error


def _descriptor(stream: object) -> int | None:
    """The stream's file descriptor, or None: a test runner's in-memory input has none, and
    on Windows ``select`` works on sockets only, so input is read the ordinary way there."""
    if os.name == "nt":
        return None
    try:
        return int(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None
