"""What a command reports when it is done: session summaries, nothing due, status, exam reports and history, tables."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from mli_drill.render.console import console
from mli_drill.render.layout import labelled_lines
from mli_drill.clock import now, parse_time


def nothing_due(out: Console, plan: Any, command: str) -> None:
    """Why a review has nothing to show, and the command that goes on (``plan`` is a ``queue.Plan``)."""
    if plan.new_waiting:
        waiting = plan.new_waiting
        out.print(f"Nothing is due, and today's new-card limit is reached (new-per-day {plan.new_per_day}): "
                  f"{waiting} new item{_s(waiting)} {'waits' if waiting == 1 else 'wait'}.", soft_wrap=True)
        extra = min(waiting, plan.new_per_day or 10)
        out.print(f"To start {extra} more now: {escape(command)} --new {extra}", soft_wrap=True)
    else:
        out.print("Nothing is due, and no new items wait.", soft_wrap=True)
    if plan.next_due is not None or not plan.new_waiting:
        out.print(f"Next due: {_when(plan.next_due)}.")
    if plan.next_due is not None:
        days = (parse_time(plan.next_due).astimezone().date() - now().astimezone().date()).days
        if days >= 1:
            out.print(f"To review early: {escape(command)} --ahead {days}", soft_wrap=True)
    if not plan.new_waiting:
        out.print("Meanwhile, drill a computation: mli-drill practice --list", soft_wrap=True)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def summary(out: Console, result: Any, title: str = "Session over") -> None:
    minutes, seconds = divmod(int(result.seconds), 60)
    accuracy = f" ({result.correct / result.reviewed:.0%})" if result.reviewed else ""
    lines = [
        f"reviewed  {result.reviewed}",
        f"correct   {result.correct}{accuracy}",
        f"time      {minutes}m {seconds:02d}s",
        f"next due  {_when(result.next_due)}",
    ]
    out.print(Panel("\n".join(lines), title=title, title_align="left", border_style="blue", expand=False))


def _when(iso_time: str | None) -> str:
    """A due time in local time; one not after the present moment is "now"."""
    if not iso_time:
        return "nothing scheduled"
    moment = parse_time(iso_time)
    return "now" if moment <= now() else moment.astimezone().strftime("%Y-%m-%d %H:%M")


# -- tables ------------------------------------------------------------------
def table(title: str | None, columns: list[str], rows: list[list[Any]], numeric: set[str] | None = None) -> Table:
    numeric = numeric or set()
    result = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        result.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        result.add_row(*[escape(str(v)) for v in row])
    return result


def status(report: Any) -> None:
    out = console()
    columns = ["deck", "due", "new", "learned", "suspended", "leeches"]
    rows = [[name, c.due, c.new, c.learned, c.suspended, c.leeches] for name, c in report.groups.items()]
    o = report.overall
    rows.append(["total", o.due, o.new, o.learned, o.suspended, o.leeches])
    out.print(table(None, columns, rows, numeric=set(columns[1:])))
    out.print(f"Due today: {o.due} · new cards left today: {min(report.new_today_left, o.new)}")
    if report.leeches:
        out.print("Leeches (suspended; rewrite them): " + ", ".join(report.leeches))
    if report.orphaned:
        out.print(f"{report.orphaned} item(s) no longer in any deck are kept with their history.")
    if report.exam_date:
        out.print(f"\n[bold]Exam on {report.exam_date}: {report.days_left} day(s) left.[/]")
        rows = [[topic, f"{v['recall']:.0%}", f"{v['learned']:.0%}"] for topic, v in report.exam_recall.items()]
        out.print(table("Predicted recall on exam day", ["topic", "recall (learned)", "learned"], rows, {"recall (learned)", "learned"}))


def exam_report(out: Console, report: Any, paper_id: int, missed: list[dict[str, Any]] | None = None) -> None:
    from mli_drill.review.stats import MISTAKE_DAYS, RECURRING_AT_LEAST  # inside: `status` draws with this module too

    late = f" · {report.late} late, not scored" if report.late else ""
    out.print(Panel(
        f"score {report.score:g} / {report.max_score:g} ({report.percent:.0f}%) · answered {report.answered} of {report.questions}{late}"
        f" · time {int(report.seconds) // 60}m {int(report.seconds) % 60:02d}s · median {report.median_seconds:.0f}s per question",
        title=f"Paper #{paper_id}", title_align="left", border_style="blue",
    ))
    rows = [[t, f"{s.marks:g}/{s.max_marks:g}", f"{s.share:.0%}"] for t, s in sorted(report.topics.items(), key=lambda kv: kv[1].share)]
    out.print(table("By topic", ["topic", "marks", "share"], rows, {"marks", "share"}))
    rows = [[q["position"], q["item"], q["topic"], f"{q['marks']:g}/{q['max_marks']}", f"{q['seconds']:.0f}s" if q["answered"] else "—"] for q in report.per_question]
    out.print(table("By question", ["#", "question", "topic", "marks", "time"], rows, {"#", "marks", "time"}))
    for row in missed or []:
        given = row["answer"] if row["answered"] and row["answer"] else "no answer"
        out.print(f"Q{row['position']} {escape(row['item'])}: you gave {escape(str(given))}, the answer is {escape(row['expected'])}"
                  f" — working: {escape(row['working'])}", soft_wrap=True)  # keep commands copy-pastable
        labelled_lines(out, _missed_details(row))
    listed = {row["position"] for row in missed or []}
    for row in report.per_question:
        if row.get("late") and row["position"] not in listed:
            out.print(f"Q{row['position']} {escape(row['item'])}: {escape(_late_note(row))}", soft_wrap=True)
    if report.weakest_topics:
        out.print("Weakest topics: " + ", ".join(report.weakest_topics))
    if report.practise_next:
        out.print("Practise next: " + " · ".join(f"mli-drill practice {f}" for f in report.practise_next), soft_wrap=True)
    if report.recurring_mistakes:
        shown = " · ".join(f"{escape(m['family'])} {escape(m['id'])} ×{m['count']}" for m in report.recurring_mistakes[:5])
        more = f" and {len(report.recurring_mistakes) - 5} more" if len(report.recurring_mistakes) > 5 else ""
        out.print(f"Recurring mistakes ({RECURRING_AT_LEAST}+ times in {MISTAKE_DAYS} days; see mli-drill stats): {shown}{more}", soft_wrap=True)


MAX_ENTRY_LINES = 8


def _missed_details(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The labelled lines under a missed computation, in this order: where the answer is off
    (each entry of a list or matrix answer), the slips diagnosed in it, and an answer that
    came after time was up."""
    entries = list(row.get("wrong_entries") or [])
    lines = [_labelled(entry) for entry in entries[:MAX_ENTRY_LINES]]
    if len(entries) > MAX_ENTRY_LINES:
        lines.append(("…", f"{len(entries) - MAX_ENTRY_LINES} more entries off"))
    lines += [(found["id"], found["message"]) for found in row.get("mistakes", [])]
    if row.get("late"):
        lines.append(("late", _late_note(row)))
    return lines


def _labelled(entry: str) -> tuple[str, str]:
    """``entry (row 1, column 2): expected 4, got 5`` -> its label and what differs."""
    label, sep, rest = entry.partition(": ")
    return (label, rest) if sep else ("answer", entry)


def _late_note(row: dict[str, Any]) -> str:
    given = f" ({row['late_answer']})" if row.get("late_answer") else ""
    return f"answered after time was up{given}: kept, not scored."


def _paper_score(row: dict[str, Any]) -> str:
    """"9/15", or "unfinished" for a paper not handed in yet (not "0/0": it is resumed by `mli-drill exam`)."""
    if row["finished"] is None:
        return "unfinished"
    return f"{row['score'] or 0:g}/{row['max_score'] or 0:g}"


def exam_history(rows: list[dict[str, Any]]) -> None:
    out = console()
    if not rows:
        out.print("No mock papers yet: mli-drill exam")
        return
    body = [[r["paper"], (r["started"] or "")[:16].replace("T", " "), r["level"], _paper_score(r),
             f"{r['percent']:.0f}%" if r["percent"] is not None else "", ", ".join(r["weakest_topics"]) or "—"] for r in rows]
    out.print(table("Mock papers", ["#", "started (UTC)", "level", "score", "%", "weakest topics"], body, {"#", "score", "%"}))
