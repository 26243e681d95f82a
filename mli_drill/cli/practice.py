"""``mli-drill practice FAMILY``: drill one computation with fresh numbers."""

from __future__ import annotations

import itertools
from typing import Iterator, Optional

import typer

from mli_drill.cli import completion


def register(app: typer.Typer) -> None:
    app.command("practice")(practice)


def practice(
    family: Optional[str] = typer.Argument(None, help="Problem family, e.g. receptive-field (see --list).", autocompletion=completion.families),
    level: str = typer.Option("exam", "--level", "-l", help="easy, exam or hard.", autocompletion=completion.levels),
    # None rather than 0 by default: typer then has no value to convert (see cli/lazy_coercion.py)
    count: Optional[int] = typer.Option(None, "--count", "-n", min=0, help="How many problems (default, or 0: until you quit)."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=2**31 - 1, help="First seed; problem i uses seed+i."),
    list_families: bool = typer.Option(False, "--list", help="List the problem families and exit."),
    json_summary: bool = typer.Option(False, "--json", help="Print the session summary as JSON at the end."),
) -> None:
    """Drill one computation: answer, get the verdict and the worked solution, repeat.

    At the answer prompt: h for a hint, s to see the solution (counted as wrong), q to quit.
    Then Enter keeps the automatic rating (correct = good, wrong = again) or 1-4 overrides.
    At any prompt u takes back the latest answer and asks that problem, same numbers, again.
    Every attempt is stored and moves the family's review schedule.
    """
    from mli_drill import clock, render
    from mli_drill.cli.common import ConsoleTerminal, check_family_and_level, open_db, policy
    from mli_drill.cli.problems import print_family_list
    from mli_drill.cli.common import load_collection
    from mli_drill.collection import FAMILY_PREFIX, sync
    from mli_drill.problemspec import load_spec
    from mli_drill.session import Entry, Session

    if list_families or family is None:
        print_family_list()
        return
    family = check_family_and_level(family, level)
    store = open_db()
    sync(store, load_collection(), clock.now())
    key = FAMILY_PREFIX + family
    entry = Entry(key=key, family=family)
    seeds: Iterator[int] | None = itertools.count(seed) if seed is not None else None
    terminal = ConsoleTerminal()
    session = Session(
        store, terminal, [entry] * (count or 0), policy(), clock.now, source="practice", level=level, seeds=seeds,
        family_titles={family: load_spec(family).title}, requeue_learning=False,
        repeat=entry if not count else None,
    )
    result = session.run()
    render.summary(terminal.out, result, title=f"Practice · {family}")
    if json_summary:
        render.print_json(result.to_dict())

