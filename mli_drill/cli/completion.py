"""Shell completion of the names mli-drill takes: families, deck ids, card ids, settings and levels.

The shell runs ``mli-drill`` on every Tab (typer's ``--install-completion``
sets that up), so these callbacks read only what is cheap: the problem specs'
file names and their compiled copies, and the deck summaries of the compiled
bundled decks and of the parse cache. A deck of your own that no command has
read since you changed it is left out until one does, rather than parsed:
completing imports neither PyYAML nor numpy nor fsrs. Anything that goes
wrong completes nothing instead of printing into the prompt.

A name completes when it starts with what was typed (typer keeps only
those). Where the shell shows descriptions (zsh, fish) a family or deck comes
with its title, a setting with what it does.

(No ``from __future__ import annotations`` here: typer reads these
callbacks' annotations at run time to pass the context and the typed text.)
"""

from collections.abc import Callable, Iterable
from typing import Any, List, Tuple, Union

import typer

Completion = Union[str, Tuple[str, str]]


def families(incomplete: str) -> List[Completion]:
    """Problem family names, with titles."""
    return _quietly(lambda: _matching(_family_titles().items(), incomplete))


def decks(incomplete: str) -> List[Completion]:
    """Deck ids, with titles (nothing for what looks like a path: the shell completes file names then)."""
    if "/" in incomplete or incomplete.endswith((".yaml", ".yml")):
        return []
    return _quietly(lambda: _matching(((deck.id, deck.title) for deck in _collection().decks), incomplete))


def cards(incomplete: str) -> List[Completion]:
    """Card ids (``ID#c2`` for one deletion of a numbered cloze, once ``#`` is typed)."""
    return _quietly(lambda: _matching(((name, "") for name in _card_ids("#" in incomplete)), incomplete))


def cards_and_families(incomplete: str) -> List[Completion]:
    """What suspend and unsuspend take: card ids and family names."""
    return _quietly(lambda: _matching([*((name, "") for name in _card_ids("#" in incomplete)), *_family_titles().items()], incomplete))


def settings(incomplete: str) -> List[Completion]:
    """Setting names, with what each does."""
    from mli_drill.settings import SETTINGS

    return _matching(((name, setting.help) for name, setting in SETTINGS.items()), incomplete)


def setting_values(ctx: typer.Context, incomplete: str) -> List[Completion]:
    """``config set NAME VALUE``: the values of a setting that has a fixed few (level, keys)."""
    from mli_drill.names import resolve
    from mli_drill.settings import SETTINGS

    name = resolve(str(ctx.params.get("name") or ""), SETTINGS)
    choices = SETTINGS[name].choices if name else ()
    return _matching(((value, "") for value in choices), incomplete)


def levels(incomplete: str) -> List[Completion]:
    """Problem difficulty levels."""
    from mli_drill.problems.spec import LEVELS

    return _matching(((level, "") for level in LEVELS), incomplete)


# -- where the names come from ------------------------------------------------------
def _family_titles() -> dict[str, str]:
    """Each family's title from its compiled spec (only its name when there is none: no YAML is parsed)."""
    from mli_drill.decks.cache import compiled_data
    from mli_drill.problems.registry import family_names
    from mli_drill.paths import problems_dir

    titles = {}
    for name in family_names():
        path = problems_dir() / f"{name}.yaml"
        data = compiled_data(path, path.read_bytes())
        titles[name] = str(data.get("title", "")) if isinstance(data, dict) else ""
    return titles


def _collection() -> Any:
    from mli_drill.services.collection import load_collection

    return load_collection(with_families=False, stored_only=True)


def _card_ids(with_deletions: bool) -> list[str]:
    from mli_drill.model import CLOZE_KEY_MARK

    names = []
    for summary in _collection().summaries():
        names.append(summary.id)
        if with_deletions:
            names.extend(f"{summary.id}{CLOZE_KEY_MARK}{number}" for number in summary.clozes)
    return names


def _matching(named: Iterable[Tuple[str, str]], incomplete: str) -> List[Completion]:
    """The names starting with ``incomplete``, in order, each with its description if it has one."""
    return [(name, help) if help else name for name, help in named if name.startswith(incomplete)]


def _quietly(complete: Callable[[], List[Completion]]) -> List[Completion]:
    """Completion must never break the prompt: a damaged deck or cache completes nothing."""
    try:
        return complete()
    except Exception:  # noqa: BLE001 - whatever it is, the command itself will report it properly
        return []
