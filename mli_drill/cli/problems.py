"""``mli-drill problems``: list families, sample instances as JSON, check an answer."""

from __future__ import annotations

from typing import Optional

import typer

from mli_drill.cli import completion
from mli_drill.cli.negative_numbers import NegativeNumbersCommand

app = typer.Typer(help="Problem families: list, sample and check.", no_args_is_help=True)


def print_family_list(json_output: bool = False) -> None:
    from mli_drill.render.console import console, print_json
    from mli_drill.render.reports import table
    from mli_drill.problems.registry import family_names
    from mli_drill.problems.spec import load_spec

    specs = [load_spec(name) for name in family_names()]
    if json_output:
        print_json([{"family": s.family, "title": s.title, "topic": s.topic, "week": s.week, "summary": s.summary} for s in specs])
        return
    rows = [[s.family, s.title, s.topic, s.week if s.week is not None else ""] for s in sorted(specs, key=lambda s: (s.week or 99, s.family))]
    console().print(table(f"{len(rows)} problem families", ["family", "title", "topic", "week"], rows))


@app.command("list")
def list_families(json_output: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List the problem families with their topic and week."""
    print_family_list(json_output)


@app.command("sample")
def sample(
    family: str = typer.Argument(..., help="Problem family.", autocompletion=completion.families),
    level: str = typer.Option("exam", "--level", "-l", help="easy, exam or hard.", autocompletion=completion.levels),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=2**31 - 1, help="Seed of the first instance."),
    count: int = typer.Option(1, "--count", "-n", min=1, max=10_000, help="How many instances (seeds seed, seed+1, ...)."),
    json_output: bool = typer.Option(False, "--json", help="One JSON object per line."),
    count_k: Optional[int] = typer.Option(None, "-k", min=1, max=10_000, hidden=True),  # the old short name
) -> None:
    """Print instances with question, answer and worked solution, and the answers the
    family's common slips give (with --json: "mistakes", each an id and its answer)."""
    from mli_drill.render.console import console, print_json
    from mli_drill.render.session import instance as draw_instance
    from mli_drill.cli.common import check_family_and_level
    from mli_drill.problems.instance import make_instance, new_seed
    from mli_drill.problems.mistakes import mistake_answers

    family = check_family_and_level(family, level)
    first = new_seed() if seed is None else seed
    count = count_k if count_k is not None else count
    out = None if json_output else console()
    for index in range(count):
        instance = make_instance(family, level, (first + index) % (2**31 - 1))
        slips = mistake_answers(instance)
        if out is None:
            print_json({**instance.to_dict(), "mistakes": [{"id": slip, "answer": value} for slip, value in slips]})
        else:
            draw_instance(out, instance, slips)


@app.command("check", cls=NegativeNumbersCommand)
def check(
    family: str = typer.Argument(..., help="Problem family.", autocompletion=completion.families),
    answer: str = typer.Argument(..., help="Your answer, e.g. 3/4 or sqrt(5) or '[0.25, 0.75]'."),
    seed: int = typer.Option(..., "--seed", min=0, max=2**31 - 1, help="The instance's seed."),
    level: str = typer.Option("exam", "--level", "-l", help="easy, exam or hard.", autocompletion=completion.levels),
    json_output: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Check an answer to one instance: exit 0 when correct, 1 when wrong, 2 when it cannot be parsed.

    A wrong answer that one of the family's common slips gives is named, with what went wrong
    (with --json: "mistakes", each an id and its message; empty when none is recognised).
    """
    from mli_drill.render.console import error, print_json
    from mli_drill.render.session import verdict_line
    from mli_drill.problems.answers import AnswerSyntaxError, check as check_answer
    from mli_drill.cli.common import check_family_and_level
    from mli_drill.problems.instance import make_instance
    from mli_drill.problems.mistakes import diagnose

    family = check_family_and_level(family, level)
    instance = make_instance(family, level, seed)
    try:
        verdict = check_answer(answer, instance.answer, instance.answer_spec)
    except AnswerSyntaxError as exc:
        error(str(exc))
        raise typer.Exit(2)
    mistakes = [] if verdict.correct else diagnose(instance, verdict.given)
    if json_output:
        print_json({"correct": verdict.correct, "message": verdict.message, "expected": instance.answer, "given": verdict.given,
                           "mistakes": [diagnosis.to_dict() for diagnosis in mistakes]})
    else:
        verdict_line(verdict, instance, mistakes)
    raise typer.Exit(0 if verdict.correct else 1)

