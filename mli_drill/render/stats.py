"""Drawing ``mli-drill stats``: a review heatmap, a due-forecast bar chart and mastery tables.

Everything fits an 80-column terminal; narrower terminals get fewer heatmap
weeks rather than wrapped rows. Shading uses block characters, not only
colour, so the charts still read when output is piped (rich drops colour then).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mli_drill.render.console import console, plural
from mli_drill.render.layout import labelled_lines
from mli_drill.review.stats import MISTAKE_DAYS, RECURRING_AT_LEAST

SHADES = "░▒▓█"
SHADE_STYLES = ("green4", "green3", "green1", "bold bright_green")
EMPTY_DAY = "·"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BAR_EIGHTHS = " ▁▂▃▄▅▆▇█"
BAR_ROWS = 6
LABEL_WIDTH = 5  # "Mon  " in front of heatmap rows
MAX_LEECHES_SHOWN = 10
MAX_MISTAKES_SHOWN = 10


def stats(report: Any, out: Console | None = None) -> None:
    out = out or console()
    heatmap(out, report.heatmap)
    out.print(streak_line(report.streak))
    out.print()
    forecast(out, report.forecast)
    out.print()
    out.print(retention_line(report.retention))
    out.print()
    mastery(out, report.mastery)
    leeches(out, report.leeches)
    recurring_mistakes(out, report.recurring_mistakes)


# -- heatmap -----------------------------------------------------------------------
def shade(count: int, busiest: int) -> tuple[str, str]:
    """Block and style for a day: four levels, scaled to the busiest day shown."""
    if count <= 0 or busiest <= 0:
        return EMPTY_DAY, "dim"
    level = min(len(SHADES), math.ceil(len(SHADES) * count / busiest)) - 1
    return SHADES[level], SHADE_STYLES[level]


def heatmap(out: Console, data: Any) -> None:
    shown = max(1, min(len(data.weeks), (out.width - LABEL_WIDTH) // 2))
    first = len(data.weeks) - shown
    weeks = data.weeks[first:]
    busiest = max((count or 0 for week in weeks for count in week), default=0)
    start = data.day(first, 0)
    out.print(Text(f"Reviews, last {shown} weeks ({start.isoformat()} to {data.today.isoformat()})", style="bold"))
    out.print(Text(" " * LABEL_WIDTH + _month_labels([data.day(first + w, 0) for w in range(shown)])))
    for weekday, name in enumerate(WEEKDAYS):
        line = Text(f"{name:<{LABEL_WIDTH}}")
        for week in weeks:
            count = week[weekday]
            if count is None:
                line.append("  ")
                continue
            block, style = shade(count, busiest)
            line.append(block, style=style)
            line.append(" ")
        out.print(line)
    legend = Text(" " * LABEL_WIDTH + "less ")
    legend.append(EMPTY_DAY, style="dim")
    for block, style in zip(SHADES, SHADE_STYLES):
        legend.append(" ")
        legend.append(block, style=style)
    total = sum(count or 0 for week in weeks for count in week)
    active = sum(1 for week in weeks for count in week if count)
    reviews = f"{total:,} review{'' if total == 1 else 's'}"
    legend.append(f" more   {reviews} on {plural(active, 'day')}, busiest {busiest}")
    out.print(legend)


def _month_labels(mondays: list[Any]) -> str:
    """Month names above the first week (column) whose Monday falls in a new month; skipped if they would touch."""
    cells = [" "] * (2 * len(mondays))
    free_from = 0
    for column, monday in enumerate(mondays):
        if column > 0 and monday.month == mondays[column - 1].month:
            continue
        label = monday.strftime("%b")
        position = 2 * column
        if position < free_from or position + len(label) > len(cells):
            continue
        cells[position : position + len(label)] = list(label)
        free_from = position + len(label) + 1
    return "".join(cells).rstrip()


def streak_line(data: Any) -> str:
    if data.days == 0:
        return "Streak: none — review today to start one."
    plural = "day" if data.days == 1 else "days"
    if data.reviewed_today:
        return f"Streak: {data.days} {plural}, today included."
    return f"Streak: {data.days} {plural} — review today to keep it."


# -- forecast -----------------------------------------------------------------------
def forecast(out: Console, data: Any) -> None:
    counts = data.counts
    busiest = max(counts, default=0)
    overdue = f" (today includes {data.overdue} overdue)" if data.overdue else ""
    out.print(Text(f"Due in the next {len(counts)} days{overdue}", style="bold"))
    if busiest == 0:
        out.print("Nothing you have learned falls due in this time.")
    else:
        axis = len(str(busiest)) + 1
        column = 2 if axis + 2 * len(counts) <= out.width else 1
        heights = [_eighths(count, busiest) for count in counts]
        for row in range(BAR_ROWS):
            floor = (BAR_ROWS - 1 - row) * 8  # eighths below this row
            line = Text(f"{busiest if row == 0 else '':>{axis - 1}} ")
            for height in heights:
                line.append(BAR_EIGHTHS[max(0, min(8, height - floor))], style="cyan")
                line.append(" " * (column - 1))
            out.print(line)
        out.print(Text(" " * axis + _date_labels(data.start, len(counts), column)))
    out.print(f"Due today {counts[0] if counts else 0} · next 7 days {sum(counts[:7])} · next {len(counts)} days {sum(counts)} · later {data.later}")


def _eighths(count: int, busiest: int) -> int:
    """Bar height in eighths of a character row; a non-zero day always shows."""
    if count <= 0 or busiest <= 0:
        return 0
    return max(1, round(count / busiest * BAR_ROWS * 8))


def _date_labels(start: Any, days: int, column: int) -> str:
    """A date under every seventh day ("today" under the first); skipped where labels would touch."""
    cells = [" "] * (days * column)
    free_from = 0
    for offset in range(0, days, 7):
        day = start + timedelta(days=offset)
        label = "today" if offset == 0 else f"{day:%b} {day.day}"
        position = offset * column
        if position < free_from or position + len(label) > len(cells) + column:
            continue
        cells[position : position + len(label)] = list(label)
        free_from = position + len(label) + 1
    return "".join(cells).rstrip()


# -- retention, mastery, leeches ---------------------------------------------------
def retention_line(data: Any) -> str:
    if not data.reviews:
        return (
            f"True retention, last {data.days} days: no recall tests yet "
            "(a review counts once an item comes back a day or more after its last review)."
        )
    return f"True retention, last {data.days} days: {data.rate:.1%} of {data.reviews:,} recall tests (target {data.target:.0%})."


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}s"


def _table(title: str, columns: list[str], rows: list[list[Any]], numeric: set[str]) -> Table:
    """A light table (rules under the header only) so six columns of names and numbers fit in 80.

    The first column (a topic, family or card id) never wraps: the student
    looks things up by it. Other text columns wrap if the terminal is narrow.
    """
    result = Table(title=title, title_justify="left", title_style="bold", header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for index, column in enumerate(columns):
        result.add_column(column, justify="right" if column in numeric else "left", no_wrap=index == 0)
    for row in rows:
        result.add_row(*[escape(str(value)) for value in row])
    return result


# Two-line headers that say what each figure is: a prediction about memory now, or a count of past answers.
RECALL = "predicted\nrecall"
REVIEWS = "answers"
CORRECT = "answered\ncorrectly"
MEDIAN = "median\ntime"


def mastery(out: Console, data: Any) -> None:
    numeric = {"items", "learned", RECALL, REVIEWS, CORRECT, MEDIAN}
    rows = [
        [r.name, r.items, r.learned, _percent(r.recall), r.reviews, _percent(r.accuracy), _seconds(r.median_seconds)]
        for r in data.topics
    ]
    title = f"Mastery by topic: predicted recall now; your answers in the last {data.days} days"
    out.print(_table(title, ["topic", "items", "learned", RECALL, REVIEWS, CORRECT, MEDIAN], rows, numeric))
    if data.families:
        out.print()
        rows = [
            [r.name, r.topic, _percent(r.recall), r.reviews, _percent(r.accuracy), _seconds(r.median_seconds)]
            for r in data.families
        ]
        title = f"Problem families: predicted recall now; your answers in the last {data.days} days"
        out.print(_table(title, ["family", "topic", RECALL, REVIEWS, CORRECT, MEDIAN], rows, numeric))


def leeches(out: Console, found: list[Any]) -> None:
    out.print()
    if not found:
        out.print("No leeches.")
        return
    rows = [[leech.name, leech.topic, leech.lapses, "yes" if leech.suspended else "no"] for leech in found[:MAX_LEECHES_SHOWN]]
    out.print(_table(f"Leeches ({len(found)}): rewrite these cards", ["item", "topic", "lapses", "suspended"], rows, {"lapses"}))
    if len(found) > MAX_LEECHES_SHOWN:
        out.print(escape(f"… and {len(found) - MAX_LEECHES_SHOWN} more (mli-drill stats --json lists them all)"))


def recurring_mistakes(out: Console, found: list[Any]) -> None:
    """Each slip made at least twice lately: family, id and count, then the latest message (wrapped, indented)."""
    out.print()
    if not found:
        out.print(f"No recurring mistakes (none named {RECURRING_AT_LEAST}+ times in the last {MISTAKE_DAYS} days).")
        return
    out.print(Text(f"Recurring mistakes, last {MISTAKE_DAYS} days ({len(found)}): practise these families", style="bold"))
    for mistake in found[:MAX_MISTAKES_SHOWN]:
        out.print(Text(f"{mistake.family}  {mistake.id}  ×{mistake.count}"))
        labelled_lines(out, [("last time", mistake.message)])
    if len(found) > MAX_MISTAKES_SHOWN:
        out.print(escape(f"… and {len(found) - MAX_MISTAKES_SHOWN} more (mli-drill stats --json lists them all)"))

