"""``mli-drill practice [FAMILY]...``: drill computations with fresh numbers, one family or an interleaved mix."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Iterator, List, Optional

import typer

from mli_drill.cli import completion

if TYPE_CHECKING:
    from mli_drill.services.adaptive import LevelChooser
    from mli_drill.services.collection import Collection
    from mli_drill.review.interleave import FamilyNeed


def register(app: typer.Typer) -> None:
    app.command("practice")(practice)


def practice(
    families: Optional[List[str]] = typer.Argument(
        None, metavar="FAMILY", help="Problem families, e.g. receptive-field (see --list). None: a mix of those that need work.",
        autocompletion=completion.families,
    ),
    mix: bool = typer.Option(False, "--mix", help="Interleave: the families given, or those that need work."),
    topic: Optional[List[str]] = typer.Option(None, "--topic", "-t", help="Mix the families of this topic (repeatable), e.g. segmentation."),
    level: Optional[str] = typer.Option(None, "--level", "-l", help="easy, exam or hard (default: the level setting, auto: follows your ability).",
                                        autocompletion=completion.levels),
    # None rather than 0 by default: typer then has no value to convert (see cli/lazy_coercion.py)
    count: Optional[int] = typer.Option(None, "--count", "-n", min=0, help="How many problems (default, or 0: until you quit)."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=2**31 - 1, help="First seed; problem i uses seed+i."),
    list_families: bool = typer.Option(False, "--list", help="List the problem families and exit."),
    json_summary: bool = typer.Option(False, "--json", help="Print the session summary as JSON at the end."),
) -> None:
    """Drill computations: answer, get the verdict and the worked solution, repeat.

    With one FAMILY, that family. With none, several, --mix or --topic, an
    interleaved mix of the families that need work (due, lowest predicted
    success, recurring mistakes), never the same one more than twice in a row.
    The level follows your ability (about 75% predicted success) unless
    --level or `config set level` fixes it.

    At the answer prompt: h for a hint, s to see the solution (counted as wrong), q to quit.
    Then Enter keeps the automatic rating (correct = good, wrong = again) or 1-4 overrides.
    At any prompt u takes back the latest answer and asks that problem, same numbers, again.
    Every attempt is stored and moves the family's review schedule.
    """
    from mli_drill import clock
    from mli_drill.render.console import print_json
    from mli_drill.render.reports import summary
    from mli_drill.cli.common import ConsoleTerminal, check_family_and_level, level_chooser, load_collection, workspace
    from mli_drill.cli.problems import print_family_list
    from mli_drill.vocabulary import ItemKey
    from mli_drill.review.interleave import family_results
    from mli_drill.render.adaptive import family_results as family_results_table
    from mli_drill.review.session import Entry, Session

    if list_families:
        print_family_list()
        return
    names = list(dict.fromkeys(check_family_and_level(name, None) for name in families or []))
    check_family_and_level(None, level, auto=True)
    collection = load_collection()
    topics = _check_topics(collection, topic or [])
    opened = workspace(collection)
    store = opened.store
    chooser = level_chooser(store, level)
    terminal = ConsoleTerminal()
    if len(names) == 1 and not mix and not topics:
        chosen = names
        entry = Entry(key=str(ItemKey.family(names[0])), family=names[0])
        entries, supply = [entry] * (count or 0), None if count else (lambda: entry)
    else:
        chosen, entries, supply = _mix(store, collection, chooser, names, topics, count, terminal)
    before = chooser.levels(chosen)
    seeds: Iterator[int] | None = itertools.count(seed) if seed is not None else None
    session = Session(
        store, terminal, entries, opened.policy, clock.now, source="practice", seeds=seeds,
        family_titles=opened.family_titles(), requeue_learning=False,
        levels=chooser, supply=supply, policy_source=opened.live_policy(),
    )
    result = session.run()
    answers = [(done.entry.family or "", bool(done.correct)) for done in session.history]
    results = family_results(chosen, answers, before, chooser.levels(chosen))
    summary(terminal.out, result, title="Practice · " + (chosen[0] if len(chosen) == 1 else "mix"))
    family_results_table(terminal.out, results)
    if json_summary:
        print_json({**result.to_dict(), "families": [r.to_dict() for r in results]})


def _check_topics(collection: "Collection", topics: List[str]) -> List[str]:
    """Unknown topics are a usage error naming the topics there are."""
    known = sorted({spec.topic for spec in collection.families.values()})
    for name in topics:
        if name not in known:
            raise typer.BadParameter(f"no family has the topic {name!r}; topics: {', '.join(known)}", param_hint="--topic")
    return list(dict.fromkeys(topics))


def _mix(store, collection, chooser: "LevelChooser", names, topics, count, terminal):  # type: ignore[no-untyped-def]
    """The mix: named families all, the rest (topics, or every family) the neediest up to MIX_SIZE; and its entries."""
    from mli_drill import clock
    from mli_drill.services.adaptive import family_needs
    from mli_drill.vocabulary import ItemKey
    from mli_drill.review.interleave import MIX_SIZE, Interleaver, choose_mix
    from mli_drill.review.session import Entry

    pool = [name for name, spec in collection.families.items() if spec.topic in topics] if topics else []
    if not names and not topics:
        pool = [name for name in collection.families if not _suspended(store, str(ItemKey.family(name)))]
    order = collection.course_order()
    needs = {need.family: need for need in family_needs(store, list(dict.fromkeys(names + pool)), clock.now(), order)}
    others = [needs[name] for name in pool if name not in names]
    mixed = [needs[name] for name in names] + choose_mix(others, MIX_SIZE - len(names))
    if not mixed:
        raise typer.BadParameter("no family to practise (all suspended?)", param_hint="FAMILY")
    _announce(terminal.out, mixed, chooser)
    order_of = Interleaver({need.family: need.weight for need in mixed})
    entries_for = {need.family: Entry(key=str(ItemKey.family(need.family)), family=need.family) for need in mixed}
    if count:
        return [n.family for n in mixed], [entries_for[f] for f in order_of.take(count)], None
    return [n.family for n in mixed], [], lambda: entries_for[order_of.next()]


def _suspended(store, key: str) -> bool:  # type: ignore[no-untyped-def]
    item = store.item(key)
    return item is not None and item.suspended


def _announce(out, mixed: "list[FamilyNeed]", chooser: "LevelChooser") -> None:  # type: ignore[no-untyped-def]
    out.print(f"Mixing {len(mixed)} famil{'y' if len(mixed) == 1 else 'ies'}, interleaved:")
    levels = chooser.levels([need.family for need in mixed])
    for need in mixed:
        out.print(f"  {need.family} ({', '.join(need.reasons())}; served at {levels[need.family]})", markup=False, soft_wrap=True)
