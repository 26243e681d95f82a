"""``mli-drill exam``: sit a mock paper; ``exam history`` lists past papers with scores."""

from __future__ import annotations

import json
from typing import Any, List, Optional

import typer

from mli_drill.cli import completion

app = typer.Typer(invoke_without_command=True)  # the help is the callback's docstring


@app.callback()
def exam(
    ctx: typer.Context,
    minutes: int = typer.Option(60, "--minutes", "-m", min=1, max=600, help="Time allowed."),
    questions: int = typer.Option(10, "--questions", "-n", min=1, max=100, help="Number of questions."),
    topic: Optional[List[str]] = typer.Option(None, "--topic", "-t", help="Only these topics (repeatable), e.g. segmentation."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=2**31 - 1, help="Seed: the same seed gives the same paper."),
    level: Optional[str] = typer.Option(None, "--level", "-l", help="easy, exam or hard (default: the level setting, auto: each computation at your level).",
                                        autocompletion=completion.levels),
    reschedule: bool = typer.Option(False, "--reschedule", help="Let the answers move the review schedule (off by default)."),
    new: bool = typer.Option(False, "--new", help="Hand in the unfinished paper as it stands and start a new one."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON at the end."),
) -> None:
    """Sit a mock paper: computations marked automatically, "list/describe" questions marked
    by you against the marking scheme. The time left is shown at every prompt, with a warning
    at 5 minutes and at 1 minute left; n skips a question to come back to it later.

    The paper is handed in only when you type q or when time is up. On a terminal, q and
    Ctrl-C first show a summary of the answered, skipped and unanswered questions and ask
    "Hand in now? [y/N]": y hands in, N goes back to the question, and a question number
    goes to that question, to answer it or to revise the recorded answer. The same summary
    comes when every question has been answered or skipped. With piped input q hands in at once.

    Time is up even while a prompt waits: the paper is handed in then, and an answer that
    arrives later is kept as late and not scored. Marking a list question whose scheme you
    opened in time is not cut off.

    End of input, closing the terminal (SIGHUP), SIGTERM and a second Ctrl-C (at the hand-in
    question) leave the paper unfinished with every recorded answer kept: the next
    `mli-drill exam` resumes it, with the time it had left.
    """
    if ctx.invoked_subcommand is not None:
        return
    from mli_drill import clock, render
    from mli_drill.cli.common import check_family_and_level, level_chooser, load_collection, open_db, policy
    from mli_drill.cli.exam_terminal import ExamTerminal
    from mli_drill.services.collection import sync
    from mli_drill.exam.paper import Question, build_report, compose_paper
    from mli_drill.exam.session import ExamSession, marks_from_rows, reschedule_with
    from mli_drill.problems.instance import new_seed

    check_family_and_level(None, level, auto=True)
    collection = load_collection()
    candidates = collection.exam_candidates()
    known_topics = sorted({c.topic for c in candidates})
    unknown = [t for t in topic or [] if t not in known_topics]
    if unknown:
        raise typer.BadParameter(f"unknown topic {unknown[0]!r}; topics: {', '.join(known_topics)}", param_hint="--topic")
    store = open_db()
    now = clock.now()
    terminal = ExamTerminal()
    paper = None if new else store.exams.unfinished()
    if paper is not None:
        questions_list = [Question.from_dict(q) for q in json.loads(paper["questions"])]
        done = marks_from_rows(store.exams.answers(paper["id"]))
        used = paper["seconds_used"] if paper["seconds_used"] is not None else sum(m.seconds for m in done)
        seconds_allowed = max(0.0, paper["minutes"] * 60 - used)
        level = paper["level"]
        terminal.out.print(f"Resuming paper #{paper['id']} ({len(done)} of {len(questions_list)} answered) with {_clock(seconds_allowed)} left."
                           " Start a new one with --new.")
        paper_id = paper["id"]
    else:
        if new:
            _abandon_unfinished(store, now)
        paper_seed = new_seed() if seed is None else seed
        questions_list = compose_paper(candidates, questions, paper_seed, topic or None)
        if not questions_list:
            raise typer.BadParameter("no questions match these topics", param_hint="--topic")
        chooser = level_chooser(store, level)
        level = chooser.level
        questions_list = _with_levels(questions_list, chooser)
        paper_id = store.exams.create(clock.iso(now), paper_seed, level, minutes, json.dumps([q.to_dict() for q in questions_list]))
        used, seconds_allowed = 0.0, float(minutes * 60)
        done = []
        total = sum(q.max_marks for q in questions_list)
        terminal.out.print(f"Paper #{paper_id} (seed {paper_seed}): {render.plural(len(questions_list), 'question')}, "
                           f"{render.plural(total, 'mark')}, {render.plural(minutes, 'minute')}.")
    sync(store, collection, now)
    titles = {name: spec.title for name, spec in collection.families.items()}
    fallback = "exam" if level == "auto" else level  # the level of a problem question that names none
    session = ExamSession(
        store, terminal, paper_id, questions_list, collection.cards, fallback, seconds_allowed, clock.now,
        reschedule=reschedule_with(store, policy(store), clock.now) if reschedule else None, titles=titles,
        ticks=clock.seconds_clock(), seconds_used=used,
    )
    with terminal.signals_held():  # from here on a signal can only leave the paper unfinished, at a prompt
        outcome = session.run(done)
        if not outcome.handed_in:
            _left_unfinished(terminal, store, paper_id, len(questions_list), outcome, json_output)
        marks = marks_from_rows(store.exams.answers(paper_id))
        family_topics = {name: spec.topic for name, spec in collection.families.items()}
        report = build_report(questions_list, marks, family_topics, _recurring(store), late=store.exams.late_answers(paper_id),
                              seconds_used=min(outcome.seconds_used, used + seconds_allowed))  # the clock's time, not only the answered questions'
        store.exams.finish(paper_id, clock.iso(clock.now()), report.score, report.max_score, json.dumps(report.to_dict()))
        render.exam_report(terminal.out, report, paper_id, _missed_problems(report.per_question, fallback))
        if json_output:
            render.print_json({"paper": paper_id, "handed_in": True, "ended": outcome.reason, **report.to_dict()})


EXIT_CODES = {"interrupted": 130, "SIGHUP": 129, "SIGTERM": 143}  # as a shell reports a process stopped by the signal


def _left_unfinished(terminal, store, paper_id: int, questions: int, outcome, json_output: bool) -> None:  # type: ignore[no-untyped-def]
    """Say that the paper is kept and how to go on (the terminal may be gone after a hang-up), then exit."""
    from mli_drill import render

    answered = len(store.exams.answers(paper_id))
    paper = next(p for p in store.exams.papers() if p["id"] == paper_id)
    left = max(0.0, paper["minutes"] * 60 - outcome.seconds_used)
    try:
        terminal.out.print(
            f"Paper #{paper_id} is not handed in ({outcome.reason}): {answered} of {questions} answers are kept."
            f" `mli-drill exam` resumes it with {_clock(left)} left.",
            soft_wrap=True,
        )
        if json_output:
            render.print_json({"paper": paper_id, "handed_in": False, "ended": outcome.reason, "answered": answered,
                               "questions": questions, "seconds_left": round(left, 1)})
    except OSError:  # the terminal has been closed: the paper is safe, there is nobody to tell
        pass
    raise typer.Exit(EXIT_CODES.get(outcome.reason, 0))


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _with_levels(questions: list[Any], chooser: Any) -> list[Any]:
    """Each computation at the level the chooser gives its family (with auto: nearest 75% predicted success)."""
    from dataclasses import replace

    return [replace(q, level=chooser(q.name).level) if q.kind == "problem" else q for q in questions]


def _missed_problems(per_question: list[dict], level: str) -> list[dict]:
    """The computations not fully marked, with the reference answer, how to see the working,
    and, for a list or matrix answer, each entry that is off."""
    from mli_drill.problems.instance import make_instance

    missed = []
    for row in per_question:
        if row["kind"] == "problem" and row["marks"] < row["max_marks"]:
            drawn = row.get("level") or level
            instance = make_instance(row["item"], drawn, row["seed"])
            missed.append({**row, "expected": instance.answer_text(),
                           "working": f"mli-drill problems sample {row['item']} --seed {row['seed']} --level {drawn}",
                           "wrong_entries": _wrong_entries(row["answer"] if row["answered"] else None, instance)})
    return missed


def _recurring(store: Any) -> list[dict[str, Any]]:
    """Slips named at least twice in the last 30 days, this paper's answers included (as ``stats`` shows them)."""
    from mli_drill import clock
    from mli_drill.cli.stats import recurring_mistakes

    _, found = recurring_mistakes(store, clock.now())
    return [{"family": m.family, "id": m.id, "count": m.count, "message": m.message} for m in found]


def _wrong_entries(answer: str | None, instance) -> list[str]:  # type: ignore[no-untyped-def]
    """Where a list or matrix answer differs, entry by entry (a wrong shape: what the shape should be)."""
    from mli_drill.problems.answers import AnswerSyntaxError, check

    if not answer or instance.answer_spec.kind not in ("vector", "matrix"):
        return []
    try:
        verdict = check(answer, instance.answer, instance.answer_spec)
    except AnswerSyntaxError:
        return []
    if verdict.correct:
        return []
    return list(verdict.wrong_entries) or [verdict.message]


def _abandon_unfinished(store, now) -> None:  # type: ignore[no-untyped-def]
    """--new: hand in the unfinished paper as it stands, so history keeps it."""
    from mli_drill import clock
    from mli_drill.exam.paper import Question, build_report
    from mli_drill.exam.session import marks_from_rows

    paper = store.exams.unfinished()
    if paper is None:
        return
    questions_list = [Question.from_dict(q) for q in json.loads(paper["questions"])]
    report = build_report(questions_list, marks_from_rows(store.exams.answers(paper["id"])), {}, late=store.exams.late_answers(paper["id"]))
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
