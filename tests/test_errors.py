"""One exception hierarchy: every known failure is an MliDrillError, shown as one line with exit code 2."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from mli_drill.problems.answers import AnswerSyntaxError
from mli_drill.clock import ClockError
from mli_drill.decks.deckfile import DeckError
from mli_drill.cli.errors import describe
from mli_drill.exceptions import MliDrillError
from mli_drill.problems.registry import UnknownFamily, load_module
from mli_drill.problems.families.base import InvalidParams
from mli_drill.decks.logseq import LogseqError
from mli_drill.problems.spec import SpecError, load_spec
from mli_drill.settings import SettingsError
from mli_drill.store import StoreError, open_store


@pytest.mark.parametrize(
    ("error", "base"),
    [(AnswerSyntaxError, ValueError), (ClockError, ValueError), (InvalidParams, ValueError), (SettingsError, ValueError),
     (SpecError, ValueError), (UnknownFamily, LookupError), (DeckError, Exception), (LogseqError, Exception), (StoreError, Exception)],
)
def test_every_domain_error_is_an_mli_drill_error_and_keeps_its_base(error: type, base: type) -> None:
    assert issubclass(error, MliDrillError) and issubclass(error, base)


def test_a_known_error_is_its_message_and_exit_2() -> None:
    assert describe(SettingsError("new-per-day: -5 is out of range")) == ("new-per-day: -5 is out of range", 2)
    assert describe(OSError(errno.ENOSPC, "No space left on device", "x.db"))[1] == 2
    message, code = describe(RuntimeError("boom"))
    assert code == 1 and message.startswith("unexpected RuntimeError: boom")


def test_a_deck_error_shows_its_first_50_problems() -> None:
    problems = [f"deck.yaml:{line}: bad" for line in range(1, 61)]
    message, code = describe(DeckError(problems))
    assert code == 2
    assert message.splitlines() == problems[:50] + ["… and 10 more"]
    assert DeckError(problems).problems == problems


def test_an_unknown_family_is_said_one_way_everywhere() -> None:
    message = "unknown family 'no-such'; see `mli-drill problems list`"
    for ask in (load_module, load_spec):
        with pytest.raises(UnknownFamily) as raised:
            ask("no-such")
        assert describe(raised.value) == (message, 2)
        assert raised.value.family == "no-such"


def test_sqlite_errors_leave_the_store_as_store_errors(home: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "progress.db")
    store.conn.close()
    for call in (store.review_count, lambda: store.exams.papers()):
        with pytest.raises(StoreError, match=f"database error on {tmp_path / 'progress.db'}"):
            call()
