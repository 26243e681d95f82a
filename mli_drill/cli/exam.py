"""``mli-drill exam``: sit a mock paper; ``exam history`` lists past papers with scores."""

from __future__ import annotations

import json
from typing import Any, List, Optional

import typer

app = typer.Typer(help="Mock exam papers.", invoke_without_command=True)


@app.callback()
def exam(
    ctx: typer.Context,
    minutes: int = typer.Option(60, "--minutes", "-m", min=1, max=600, help="Time allowed."),
    questions: int = typer.Option(10, "--questions", "-n", min=1, max=100, help="Number of questions."),
    topic: Optional[List[str]] = typer.Option(None, "--topic", "-t", help="Only these topics (repeatable), e.g. segmentation."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=2**31 - 1, help="Seed: the same seed gives the same paper."),
    level: str = typer.Option("exam", "--level", "-l", help="easy, exam or hard."),
    reschedule: bool = typer.Option(False, "--reschedule", help="Let the answers move the review schedule (off by default)."),
    new: bool = typer.Option(False, "--new", help="Start a new paper even if one is unfinished."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON at the end."),
) -> None:
    """Sit a mock paper: computations marked automatically, "list/describe" questions marked
    by you against the marking scheme; a countdown; n skips a question to come back to it;
    q hands the paper in. An unfinished paper is resumed next time (unless --new).
    """
    if ctx.invoked_subcommand is not None:
        return
    from mli_drill import clock, render
    from mli_drill.cli.common import ConsoleTerminal, check_family_and_level, open_db, policy
    from mli_drill.cli.common import load_collection
    from mli_drill.collection import sync
    from mli_drill.exam import Question, build_report, compose_paper
    from mli_drill.exam_session import ExamSession, marks_from_rows, reschedule_with
    from mli_drill.instance import new_seed

    check_family_and_level(None, level)
    collection = load_collection()
    candidates = collection.exam_candidates()
    known_topics = sorted({c.topic for c in candidates})
    unknown = [t for t in topic or [] if t not in known_topics]
    if unknown:
        raise typer.BadParameter(f"unknown topic {unknown[0]!r}; topics: {', '.join(known_topics)}", param_hint="--topic")
    store = open_db()
    now = clock.now()
    terminal = ConsoleTerminal()
    paper = None if new else store.exams.unfinished()
    if paper is not None:
        questions_list = [Question.from_dict(q) for q in json.loads(paper["questions"])]
        done = marks_from_rows(store.exams.answers(paper["id"]))
        used = sum(m.seconds for m in done)
        seconds_allowed = paper["minutes"] * 60 - used
        level = paper["level"]
        terminal.out.print(f"Resuming paper #{paper['id']} ({len(done)} of {len(questions_list)} answered). Start a new one with --new.")
        paper_id = paper["id"]
    else:
        if new:
            _abandon_unfinished(store, now)
        paper_seed = new_seed() if seed is None else seed
        questions_list = compose_paper(candidates, questions, paper_seed, topic or None)
        if not questions_list:
            raise typer.BadParameter("no questions match these topics", param_hint="--topic")
        paper_id = store.exams.create(clock.iso(now), paper_seed, level, minutes, json.dumps([q.to_dict() for q in questions_list]))
        seconds_allowed = minutes * 60
        done = []
        total = sum(q.max_marks for q in questions_list)
        terminal.out.print(f"Paper #{paper_id} (seed {paper_seed}): {render.plural(len(questions_list), 'question')}, "
                           f"{render.plural(total, 'mark')}, {render.plural(minutes, 'minute')}.")
    sync(store, collection, now)
    titles = {name: spec.title for name, spec in collection.families.items()}
    session = ExamSession(
        store, terminal, paper_id, questions_list, collection.cards, level, seconds_allowed, clock.now,
        reschedule=reschedule_with(store, policy(), clock.now) if reschedule else None, titles=titles,
    )
    session.run({m.position for m in done})
    marks = marks_from_rows(store.exams.answers(paper_id))
    family_topics = {name: spec.topic for name, spec in collection.families.items()}
    report = build_report(questions_list, marks, family_topics, _recurring(store))
    store.exams.finish(paper_id, clock.iso(clock.now()), report.score, report.max_score, json.dumps(report.to_dict()))
    render.exam_report(terminal.out, report, paper_id, _missed_problems(report.per_question, level))
    if json_output:
        render.print_json({"paper": paper_id, **report.to_dict()})


def _missed_problems(per_question: list[dict], level: str) -> list[dict]:
    """The computations not fully marked, with the reference answer and how to see the working."""
    from mli_drill.instance import make_instance

    missed = []
    for row in per_question:
        if row["kind"] == "problem" and row["marks"] < row["max_marks"]:
            instance = make_instance(row["item"], level, row["seed"])
            missed.append({**row, "expected": instance.answer_text(),
                           "working": f"mli-drill problems sample {row['item']} --seed {row['seed']} --level {level}"})
    return missed


def _recurring(store: Any) -> list[dict[str, Any]]:
    """Slips named at least twice in the last 30 days, this paper's answers included (as ``stats`` shows them)."""
    from mli_drill import clock
    from mli_drill.cli.stats import recurring_mistakes

    _, found = recurring_mistakes(store, clock.now())
    return [{"family": m.family, "id": m.id, "count": m.count, "message": m.message} for m in found]


def _abandon_unfinished(store, now) -> None:  # type: ignore[no-untyped-def]
    """--new: hand in the unfinished paper as it stands, so history keeps it."""
    from mli_drill import clock
    from mli_drill.exam import Question, build_report
    from mli_drill.exam_session import marks_from_rows

    paper = store.exams.unfinished()
    if paper is None:
        return
    questions_list = [Question.from_dict(q) for q in json.loads(paper["questions"])]
    report = build_report(questions_list, marks_from_rows(store.exams.answers(paper["id"])), {})
    store.exams.finish(paper["id"], clock.iso(now), report.score, report.max_score, json.dumps(report.to_dict()))


@app.command("history")
def history(json_output: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List past mock papers with their scores."""
    from mli_drill import render
    from mli_drill.cli.common import open_db

    papers = open_db().exams.papers()
    rows = []
    for p in papers:
        report = json.loads(p["report"]) if p["report"] else {}
        rows.append({
            "paper": p["id"], "started": p["started_at"], "finished": p["finished_at"], "seed": p["seed"], "level": p["level"],
            "minutes": p["minutes"], "score": p["score"], "max_score": p["max_score"], "percent": report.get("percent"),
            "weakest_topics": report.get("weakest_topics", []),
        })
    if json_output:
        render.print_json(rows)
        return
    render.exam_history(rows)
