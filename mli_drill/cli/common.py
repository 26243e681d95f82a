"""What every command shares: the global options, opening the store, the terminal adapter.

Commands stay thin: parse arguments, call the core, hand results to render.
Known failures (bad deck, damaged database, bad setting) become one line on
standard error and exit code 2; see ``app.main``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from mli_drill.services.adaptive import LevelChooser
    from mli_drill.cli.keys import KeyReader
    from mli_drill.services.collection import Collection
    from mli_drill.model import Deck
    from mli_drill.review.scheduling import Policy
    from mli_drill.services.workspace import Workspace
    from mli_drill.review.events import Event
    from mli_drill.store import Store


@dataclass
class Options:
    """Global options given before the command (``mli-drill --db X review``)."""

    db: Path | None = None


OPTIONS = Options()


def db_path() -> Path:
    from mli_drill import paths

    return OPTIONS.db or paths.default_db_path()


_OPENED: list["Store"] = []


def open_db() -> "Store":
    """Open the database (taking the day's first backup); ``finish`` closes it after the command."""
    from mli_drill.services.backup import backup_before_migration, daily_backup
    from mli_drill.store import open_store

    store = open_store(db_path(), before_migrate=backup_before_migration)
    _OPENED.append(store)
    daily_backup(store)
    return store


def finish() -> None:
    """After a command: close every database it opened, noting each file as verified."""
    while _OPENED:
        store = _OPENED.pop()
        try:
            store.close_verified()
        except Exception:  # noqa: BLE001 - closing must never hide the command's own outcome
            pass


def load_collection(extra: list[Path] | None = None, with_families: bool = True, wanted_deck: str | None = None) -> "Collection":
    """The collection, warning on standard error (one line each) about user decks that were skipped.

    A skipped deck the command was asked for by name (``wanted_deck``, its id
    or file name) or by path (``extra``) is not skipped silently: its problems
    become the error (exit 2), as ``decks validate`` would print them.
    """
    from mli_drill.services.collection import load_collection as load
    from mli_drill.decks.deckfile import DeckError
    from mli_drill.render.console import warning

    collection = load(extra, with_families=with_families)
    asked_paths = {p.resolve() for p in extra or []}
    for deck in collection.skipped:
        asked = deck.path.resolve() in asked_paths or (
            wanted_deck is not None and wanted_deck in deck.names() and collection.deck(wanted_deck) is None
        )
        if asked:
            raise DeckError(deck.problems)
        warning(deck.warning())
    return collection


def settings() -> dict[str, Any]:
    from mli_drill import paths
    from mli_drill import settings as settings_module

    return settings_module.load(paths.settings_path())


def policy(store: "Store | None" = None) -> "Policy":
    """The scheduling settings; with ``store``, also the FSRS parameters fitted to it (``mli-drill optimize``)."""
    from mli_drill.services.workspace import policy_from_settings, with_fitted_parameters

    rules = policy_from_settings(settings())
    return rules if store is None else with_fitted_parameters(rules, store)


def workspace(collection: "Collection") -> "Workspace":
    """Open the database and sync ``collection`` into it, with one "now" and the policy for this database."""
    from mli_drill import clock
    from mli_drill.services.workspace import open_workspace

    return open_workspace(open_db(), collection, settings(), clock.now())


def level_chooser(store: "Store", level: str | None) -> "LevelChooser":
    """What draws each problem's level: ``--level`` when given, else the ``level`` setting (auto by default)."""
    from mli_drill.services.adaptive import LevelChooser

    return LevelChooser(store, level if level is not None else settings()["level"])


@overload
def check_family_and_level(family: str, level: str | None, auto: bool = False) -> str: ...


@overload
def check_family_and_level(family: None, level: str | None, auto: bool = False) -> None: ...


def check_family_and_level(family: str | None, level: str | None, auto: bool = False) -> str | None:
    """The family's name as the registry spells it (``Receptive_Field`` is ``receptive-field``).

    An unknown family or level is typer's usage error (exit 2); an unknown
    family names the nearest one. A level of None is no level given; ``auto``
    also accepts ``--level auto`` (follow the student's ability).
    """
    import typer

    from mli_drill.problems.spec import LEVELS

    if family is not None:
        family = family_name(family)
    allowed = (*LEVELS, "auto") if auto else LEVELS
    if level is not None and level not in allowed:
        raise typer.BadParameter(f"choose one of {', '.join(allowed)}", param_hint="--level")
    return family


def family_name(name: str, param_hint: str = "FAMILY") -> str:
    """A family as the registry spells it; typer's usage error, with the registry's message, when there is none."""
    import typer

    from mli_drill.problems.registry import UnknownFamily, resolve_family

    try:
        return resolve_family(name)
    except UnknownFamily as error:
        raise typer.BadParameter(str(error), param_hint=param_hint) from None


def find_deck(collection: "Collection", deck_id: str, param_hint: str) -> "Deck":
    """The deck with this id (case and ``_``/``-`` aside); a usage error naming the nearest deck when there is none."""
    import typer

    from mli_drill.names import resolve, unknown

    known = [deck.id for deck in collection.decks]
    found = resolve(deck_id, known)
    deck = collection.deck(found) if found is not None else None
    if deck is None:
        raise typer.BadParameter(unknown("no deck", deck_id, known, "mli-drill decks list"), param_hint=param_hint)
    return deck


class ConsoleTerminal:
    """Connects a Session to standard input and a rich console.

    Reads one line per prompt. On a keyboard ``input`` gives line editing; on
    a pipe each line is one keystroke-line, echoed so transcripts read well.
    On a keyboard with the ``keys`` setting at ``single`` (the default), the
    reveal and rating prompts take one keypress instead (see
    :mod:`mli_drill.cli.keys`); the session cannot tell the difference.
    """

    def __init__(self) -> None:
        from mli_drill.render.console import console
        from mli_drill.render.session import SessionView

        self.out = console()
        self.view = SessionView(self.out)
        self.interactive = sys.stdin.isatty()
        self.keys: "KeyReader | None" = None
        if self.interactive and settings()["keys"] == "single":
            from mli_drill.cli.keys import KeyReader

            self.keys = KeyReader()
        self._typed_ahead: str | None = None  # typed at the solution pager (u, q, a rating): the next prompt's answer

    def ask(self, prompt: str) -> str | None:
        """One line from the student; None at end of input. A line that is not UTF-8 is asked again."""
        if self._typed_ahead is not None:
            ahead, self._typed_ahead = self._typed_ahead, None
            self.view.prompt(prompt)
            self.out.print(f"> {ahead}", markup=False, highlight=False)
            return ahead
        while True:
            self.view.prompt(prompt)
            try:
                line = self._read(prompt)
            except EOFError:
                if self.keys is not None:
                    self.out.print()  # end the "> " line before the summary
                return None
            except KeyboardInterrupt:
                self.out.print()  # end the "^C" line before the summary
                raise
            except UnicodeDecodeError:
                line = "\udcff"  # as a terminal with surrogateescape would pass it on
            if line is None:
                return None
            if not _is_utf8(line):
                self.out.print("[yellow]That line is not UTF-8 text; type it again.[/]")
                continue
            if not self.interactive:
                self.out.print(f"> {line}", markup=False, highlight=False)
            return line

    def _read(self, prompt: str) -> str | None:
        if self.keys is None:
            return self._read_line()
        from mli_drill.cli.keys import one_key_answers

        keys = one_key_answers(prompt)
        if keys is None:
            return self._read_line()
        sys.stdout.write("> ")
        sys.stdout.flush()
        text, complete = self.keys.answer(keys)
        sys.stdout.write("\r")  # "> " is written again below, with the key or the line begun
        if complete:
            sys.stdout.write(f"> {text}\n")  # the key shown as a typed line would be: transcripts read the same
            sys.stdout.flush()
            return text
        return _line_starting_with(text)

    def _read_line(self) -> str | None:
        if self.interactive:
            return input("> ")
        binary = getattr(sys.stdin, "buffer", None)  # bytes, so one bad line cannot upset the decoder
        raw = binary.readline() if binary is not None else sys.stdin.readline()
        if not raw:
            return None
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return text.rstrip("\r\n")

    def emit(self, event: "Event") -> None:
        from mli_drill.review.events import ShowSolution

        if isinstance(event, ShowSolution) and self.interactive and self.out.is_terminal:
            self._typed_ahead = self.view.page_solution(event.instance, self.ask)  # keeps the question in view on a short screen
            return
        self.view.show(event)


def _line_starting_with(start: str) -> str:
    """A line typed at the keyboard that already holds ``start`` (the keys that began it at a one-key prompt).

    With readline (Linux, macOS) ``start`` sits in the line as if typed, so it
    can be edited; without it, it is shown and the rest of the line is added.
    """
    try:
        import readline
    except ImportError:
        readline = None  # type: ignore[assignment]
    if readline is None or not hasattr(readline, "set_pre_input_hook"):
        sys.stdout.write("> " + start)
        sys.stdout.flush()
        return start + input()

    def insert_start() -> None:
        readline.insert_text(start)
        readline.redisplay()

    readline.set_pre_input_hook(insert_start)
    try:
        return input("> ")
    finally:
        readline.set_pre_input_hook()


def _is_utf8(text: str) -> bool:
    """False for text holding undecodable bytes (lone surrogates, as Python passes them on)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
