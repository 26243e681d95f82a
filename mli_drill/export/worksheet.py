"""Printable worksheets: problem instances in, Markdown or HTML text out.

A worksheet is numbered questions grouped by family, then an answer key with
each answer and its worked solution. Every question shows its family, level
and seed, and the key shows the exact ``mli-drill problems check`` command
that accepts its answer, so a student (or a teacher) can regenerate any
question and check a written answer with the same checker the drills use.

Pure: no file or terminal I/O. The question and solution texts are plain
Unicode with aligned grids, so Markdown puts them in fenced blocks and HTML
in ``<pre>``; everything else is escaped.
"""

from __future__ import annotations

import html
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mli_drill.problems.pictures import family_pictures
from mli_drill.problems.answers import AnswerSyntaxError, check
from mli_drill.problems.families.common import fmt
from mli_drill.problems.instance import format_answer
from mli_drill.problems.mistakes import mistake_answers
from mli_drill.problems.pictures import split

if TYPE_CHECKING:
    from mli_drill.problems.instance import Instance

PAGE_BREAK = '<div style="page-break-before: always">'
SHEET_TITLE = "Machine Learning for Imaging — worksheet"


@dataclass(frozen=True)
class SheetItem:
    """One numbered question: its family's title and the instance (which knows family, level, seed)."""

    number: int
    title: str
    instance: "Instance"


@dataclass(frozen=True)
class Sheet:
    """What was asked for, so the sheet can print the command that regenerates it."""

    items: tuple[SheetItem, ...]
    families: tuple[str, ...]
    count: int
    level: str
    first_seed: int


def build_sheet(instances: list["Instance"], titles: dict[str, str], count: int, level: str, first_seed: int) -> Sheet:
    """Number the instances in the order given (the CLI gives them grouped by family)."""
    families = tuple(dict.fromkeys(instance.family for instance in instances))
    items = tuple(SheetItem(number, titles.get(inst.family, inst.family), inst) for number, inst in enumerate(instances, 1))
    return Sheet(items=items, families=families, count=count, level=level, first_seed=first_seed)


# -- answers and commands --------------------------------------------------------
def typed_answer(instance: "Instance") -> str:
    """The reference answer in a form ``problems check`` accepts.

    The display form can carry an approximation ("8/9 ≈ 0.8889") that is not
    one answer; so the candidates are tried with the real checker, shortest
    exact form first, and the first accepted one is printed.
    """
    display = instance.answer_text()
    exact = display.split("≈")[0].strip()
    number_only = display.split()[0] if display.split() else ""  # "0.2842 bits" -> "0.2842"
    candidates = [exact, display, number_only, _precise(instance.answer, 6), _precise(instance.answer, 12)]
    for candidate in candidates:
        try:
            if candidate and check(candidate, instance.answer, instance.answer_spec).correct:
                return candidate
        except AnswerSyntaxError:
            continue
    return _precise(instance.answer, 12)


def _precise(value: Any, digits: int) -> str:
    """The raw answer with ``digits`` decimals, for when the displayed form is not an answer."""
    if isinstance(value, list):
        return "[" + ", ".join(_precise(v, digits) for v in value) + "]"
    if isinstance(value, (int, float)):
        return fmt(value, digits)
    return str(value)


def check_command(instance: "Instance") -> str:
    """The shell command that checks the key's answer to this instance (exit code 0)."""
    answer = typed_answer(instance)
    separator = "-- " if answer.startswith("-") else ""  # a leading minus would read as an option
    return (
        f"mli-drill problems check {instance.family} --seed {instance.seed} --level {instance.level} "
        f"{separator}{shlex.quote(answer)}"
    )


def common_wrong_answers(instance: "Instance") -> list[tuple[str, str]]:
    """(written value, slip id) for each catalogued slip, so a marker can tell which mistake a wrong answer comes from."""
    return [(format_answer(value), slip) for slip, value in mistake_answers(instance)]


def regenerate_command(sheet: Sheet) -> str:
    families = " ".join(sheet.families)
    return f"mli-drill export sheet {families} --count {sheet.count} --seed {sheet.first_seed} --level {sheet.level}"


def groups(sheet: Sheet) -> list[tuple[str, str, list[SheetItem]]]:
    """(family, title, items) in sheet order, so questions and key share their headings."""
    result: list[tuple[str, str, list[SheetItem]]] = []
    for item in sheet.items:
        if not result or result[-1][0] != item.instance.family:
            result.append((item.instance.family, item.title, []))
        result[-1][2].append(item)
    return result


def _seed_note(sheet: Sheet) -> str:
    return f"question i of a family (i = 0, 1, …) uses seed {sheet.first_seed} + i"


# -- Markdown ---------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\->=]|\d+[.)])")


def md_escape(text: str) -> str:
    """Prose as Markdown that renders as written (``0*1 + 0*0`` must not turn italic)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def md_code(text: str) -> str:
    """Inline code, with a backtick fence longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_block(text: str, indent: str = "") -> str:
    """A fenced text block that keeps grids aligned."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    lines = [f"{fence}text", *text.splitlines(), fence]
    return "\n".join(indent + line if line else line for line in lines)


def _questions(sheet: Sheet) -> str:
    """"1 question", "4 questions" (no rich here, so not render.console.plural)."""
    count = len(sheet.items)
    return f"{count} question{'' if count == 1 else 's'}"


def render_markdown(sheet: Sheet) -> str:
    lines = [f"# {md_escape(SHEET_TITLE)}", ""]
    lines += [
        f"Level: **{sheet.level}** · {_questions(sheet)} · {md_escape(_seed_note(sheet))}.  ",
        f"Regenerate: {md_code(regenerate_command(sheet))}",
        "",
    ]
    for family, title, items in groups(sheet):
        lines += [f"## {md_escape(title)} ({md_code(family)})", ""]
        for item in items:
            inst = item.instance
            lines += [f"### Question {item.number} · {family} · level {inst.level} · seed {inst.seed}", ""]
            lines += [md_block(inst.question), "", "Answer: ______________________________", ""]
    lines += [PAGE_BREAK + "</div>", "", "# Answer key", ""]
    for family, title, items in groups(sheet):
        lines += [f"## {md_escape(title)} ({md_code(family)})", ""]
        for item in items:
            lines += _markdown_key_entry(item)
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_key_entry(item: SheetItem) -> list[str]:
    inst = item.instance
    lines = [f"### Question {item.number} · seed {inst.seed}", ""]
    lines += [f"**Answer:** {md_code(inst.answer_text())}  ", f"Check: {md_code(check_command(inst))}", ""]
    slips = common_wrong_answers(inst)
    if slips:
        lines += ["Common wrong answers: " + " · ".join(f"{md_code(value)} ({md_escape(slip)})" for value, slip in slips), ""]
    lines += ["Worked solution:", ""]
    for number, step in enumerate(inst.solution.steps, 1):
        if "\n" in step:
            lines += [f"{number}.", md_block(step, indent="   ")]
        else:
            lines.append(f"{number}. {md_escape(step)}")
    return lines + [""]


# -- HTML -----------------------------------------------------------------------------
CSS = """\
body { font-family: Georgia, "Times New Roman", serif; max-width: 48em; margin: 2em auto; padding: 0 1em;
       color: #111; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #999; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
.meta { color: #555; font-size: 0.9em; }
pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; white-space: pre-wrap;
      background: #f6f6f6; border: 1px solid #ddd; padding: 0.5em 0.7em; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
.answer-line { margin: 0.8em 0 1.6em; padding-top: 2.2em; border-bottom: 1px solid #333; }
ol.steps li { margin-bottom: 0.4em; }
.question, .key-entry { page-break-inside: avoid; break-inside: avoid; }
table.picture { border-collapse: collapse; margin: 0.3em 0 0.3em 0.7em; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
                font-size: 0.85em; }
table.picture td { min-width: 1.6em; height: 1.5em; padding: 0 0.25em; text-align: right; border: 1px solid #bbb; }
table.picture td, .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.legend { font-size: 0.8em; color: #444; margin: 0 0 0.5em 0.9em; }
.swatch { display: inline-block; width: 1.1em; height: 0.9em; border: 1px solid #999; vertical-align: middle; margin-right: 0.3em; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  pre { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(sheet: Sheet) -> str:
    """A self-contained page (inline CSS, no scripts, no network) that prints well."""
    body: list[str] = [
        f"<h1>{_e(SHEET_TITLE)}</h1>",
        f'<p class="meta">Level: <strong>{_e(sheet.level)}</strong> · {_questions(sheet)} · '
        f"{_e(_seed_note(sheet))}.<br>Regenerate: <code>{_e(regenerate_command(sheet))}</code></p>",
    ]
    for family, title, items in groups(sheet):
        body.append(f'<section class="family"><h2>{_e(title)} <span class="meta">({_e(family)})</span></h2>')
        for item in items:
            inst = item.instance
            body += [
                '<div class="question">',
                f'<h3>Question {item.number} <span class="meta">· {_e(family)} · level {_e(inst.level)} · seed {inst.seed}</span></h3>',
                html_text(inst.question, family_pictures(inst.family, inst.typed)),
                '<p class="answer-line">Answer:</p>',
                "</div>",
            ]
        body.append("</section>")
    body += [PAGE_BREAK, "<h1>Answer key</h1>"]
    for family, title, items in groups(sheet):
        body.append(f'<section class="family"><h2>{_e(title)} <span class="meta">({_e(family)})</span></h2>')
        for item in items:
            body += _html_key_entry(item)
        body.append("</section>")
    body.append("</div>")
    head = f'<meta charset="utf-8">\n<title>{_e(SHEET_TITLE)}</title>\n<style>\n{CSS}</style>'
    return f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{head}\n</head>\n<body>\n' + "\n".join(body) + "\n</body>\n</html>\n"


def _html_key_entry(item: SheetItem) -> list[str]:
    inst = item.instance
    grids = family_pictures(inst.family, inst.typed)
    steps = "".join(f"<li>{html_text(step, grids)}</li>" if "\n" in step else f"<li>{_e(step)}</li>" for step in inst.solution.steps)
    slips = common_wrong_answers(inst)
    common = (
        ['<p class="meta">Common wrong answers: ' + " · ".join(f"<code>{_e(value)}</code> ({_e(slip)})" for value, slip in slips) + "</p>"]
        if slips else []
    )
    return [
        '<div class="key-entry">',
        f'<h3>Question {item.number} <span class="meta">· seed {inst.seed}</span></h3>',
        f"<p><strong>Answer:</strong> <code>{_e(inst.answer_text())}</code><br>",
        f'<span class="meta">Check: <code>{_e(check_command(inst))}</code></span></p>',
        *common,
        f'<ol class="steps">{steps}</ol>',
        "</div>",
    ]


def html_text(text: str, grids: list[Any]) -> str:
    """A question or a step as preformatted text, with each declared grid drawn as a coloured table.

    The cells carry the colours a colour terminal shows (see :mod:`mli_drill.problems.pictures`)
    and ask the printer to keep them, so a printed sheet shows the pictures too.
    """
    parts = []
    for block in split(text, grids):
        if isinstance(block, str):
            if block.strip():
                parts.append(f"<pre>{_e(block.strip(chr(10)))}</pre>")
            continue
        rows = "".join(
            "<tr>" + "".join(f'<td style="{_cell_style(cell)}">{_e(cell.text.strip())}</td>' for cell in row) + "</tr>"
            for row in block.rows
        )
        parts.append(f'<table class="picture">{rows}</table>')
        if block.legend:
            keys = " &nbsp; ".join(f'<span class="swatch" style="background:{cell.background}"></span>{_e(label)}' for cell, label in block.legend)
            parts.append(f'<p class="legend">{keys}</p>')
    return "".join(parts)


def _cell_style(cell: Any) -> str:
    return f"background:{cell.background};color:{cell.foreground}" + (";font-weight:bold" if cell.bold else "")


def render(sheet: Sheet, fmt: str) -> str:
    """``fmt`` is "md" or "html"."""
    if fmt == "html":
        return render_html(sheet)
    if fmt == "md":
        return render_markdown(sheet)
    raise ValueError(f"unknown worksheet format {fmt!r}; choose md or html")
