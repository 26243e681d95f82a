"""``mli-drill exam``: sit a mock paper; ``exam history`` lists past papers with scores."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional

import typer

from mli_drill.cli import completion

if TYPE_CHECKING:
    from mli_drill.store import Store

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
    from mli_drill import clock
    from mli_drill.render.console import plural, print_json
    from mli_drill.render.reports import exam_report
    from mli_drill.cli.common import check_family_and_level, level_chooser, load_collection, workspace
    from mli_drill.cli.exam_terminal import ExamTerminal
    from mli_drill.exam.session import ExamSession, reschedule_with
    from mli_drill.problems.instance import new_seed
    from mli_drill.services import exam_paper

    check_family_and_level(None, level, auto=True)
    collection = load_collection()
    candidates = collection.exam_candidates()
    known_topics = sorted({c.topic for c in candidates})
    unknown = [t for t in topic or [] if t not in known_topics]
    if unknown:
        raise typer.BadParameter(f"unknown topic {unknown[0]!r}; topics: {', '.join(known_topics)}", param_hint="--topic")
    opened = workspace(collection)
    store = opened.store
    terminal = ExamTerminal()
    paper = None if new else exam_paper.resume(store)
    if paper is not None:
        terminal.out.print(f"Resuming paper #{paper.id} ({len(paper.done)} of {len(paper.questions)} answered) with "
                           f"{_clock(paper.seconds_allowed)} left. Start a new one with --new.")
    else:
        if new:
            exam_paper.abandon_unfinished(store, opened.now)
        try:
            paper = exam_paper.start(store, candidates, questions, new_seed() if seed is None else seed, topic or None,
                                     level_chooser(store, level), minutes, opened.now)
        except exam_paper.NoQuestions as error:
            raise typer.BadParameter(str(error), param_hint="--topic") from None
        total = sum(q.max_marks for q in paper.questions)
        terminal.out.print(f"Paper #{paper.id} (seed {paper.seed}): {plural(len(paper.questions), 'question')}, "
                           f"{plural(total, 'mark')}, {plural(minutes, 'minute')}.")
    session = ExamSession(
        store, terminal, paper.id, paper.questions, collection.cards, paper.fallback_level, paper.seconds_allowed, clock.now,
        reschedule=reschedule_with(store, opened.policy, clock.now) if reschedule else None, titles=opened.family_titles(),
        ticks=clock.seconds_clock(), seconds_used=paper.seconds_used,
    )
    with terminal.signals_held():  # from here on a signal can only leave the paper unfinished, at a prompt
        outcome = session.run(paper.done)
        if not outcome.handed_in:
            _left_unfinished(terminal, store, paper.id, len(paper.questions), outcome, json_output)
        family_topics = {name: spec.topic for name, spec in collection.families.items()}
        report = exam_paper.hand_in(store, paper, outcome.seconds_used, family_topics, _recurring(store), clock.now)
        exam_report(terminal.out, report, paper.id, exam_paper.missed_problems(report.per_question, paper.fallback_level))
        if json_output:
            print_json({"paper": paper.id, "handed_in": True, "ended": outcome.reason, **report.to_dict()})


EXIT_CODES = {"interrupted": 130, "SIGHUP": 129, "SIGTERM": 143}  # as a shell reports a process stopped by the signal


def _left_unfinished(terminal, store, paper_id: int, questions: int, outcome, json_output: bool) -> None:  # type: ignore[no-untyped-def]
    """Say that the paper is kept and how to go on (the terminal may be gone after a hang-up), then exit."""
    from mli_drill.render.console import print_json
    from mli_drill.services.exam_paper import seconds_left

    answered = len(store.exams.answers(paper_id))
    left = seconds_left(store, paper_id, outcome.seconds_used)
    try:
        terminal.out.print(
            f"Paper #{paper_id} is not handed in ({outcome.reason}): {answered} of {questions} answers are kept."
            f" `mli-drill exam` resumes it with {_clock(left)} left.",
            soft_wrap=True,
        )
        if json_output:
            print_json({"paper": paper_id, "handed_in": False, "ended": outcome.reason, "answered": answered,
                               "questions": questions, "seconds_left": round(left, 1)})
    except OSError:  # the terminal has been closed: the paper is safe, there is nobody to tell
        pass
    raise typer.Exit(EXIT_CODES.get(outcome.reason, 0))


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _recurring(store: "Store") -> list[dict[str, Any]]:
    """Slips named at least twice in the last 30 days, this paper's answers included (as ``stats`` shows them)."""
    from mli_drill import clock
    from mli_drill.services.progress import recurring_mistakes

    _, found = recurring_mistakes(store, clock.now())
    return [{"family": m.family, "id": m.id, "count": m.count, "message": m.message} for m in found]


@app.command("history")
def history(json_output: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List past mock papers with their scores."""
    from mli_drill.render.console import print_json
    from mli_drill.render.reports import exam_history
    from mli_drill.cli.common import open_db
    from mli_drill.services.exam_paper import history as paper_history

    rows = paper_history(open_db())
    if json_output:
        print_json(rows)
        return
    exam_history(rows)
