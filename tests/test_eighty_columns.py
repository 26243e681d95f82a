"""Every family's question and worked solution fit an 80-column terminal (issue 13).

Rendered with the real panels at 80 columns for every family, level and a few
seeds: no line is wider than 80 cells, no table row is wrapped, panel titles
keep the level and seed, and no hard line break sits inside a sentence.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len
from rich.console import Console

from mli_drill.render import layout, session
from mli_drill.problems.registry import family_names
from mli_drill.problems.instance import make_instance
from mli_drill.problems.spec import LEVELS, load_spec
from mli_drill.review.events import ShowProblem

SEEDS = range(6)
WIDTH = 80
ALIGNED = re.compile(r"\S {2,}\S")  # columns: two or more spaces between cells


def _console(width: int = WIDTH) -> Console:
    return Console(file=io.StringIO(), width=width, height=24, color_system=None, highlight=False, soft_wrap=False)


def _rendered(console: Console) -> list[str]:
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def _table_rows(text: str) -> list[str]:
    """Lines laid out in aligned columns: they must never be wrapped."""
    return [line.strip() for line in text.split("\n") if ALIGNED.search(line.strip())]


@pytest.mark.parametrize("family", family_names())
def test_question_and_solution_fit_80_columns(family: str) -> None:
    title = load_spec(family).title
    for level in LEVELS:
        for seed in SEEDS:
            inst = make_instance(family, level, seed)
            console = _console()
            session.SessionView(console).show(ShowProblem(inst, 1, 12, title))
            session.instance(console, inst)
            lines = _rendered(console)
            where = f"{family} --level {level} --seed {seed}"
            too_wide = [line for line in lines if cell_len(line) > WIDTH]
            assert not too_wide, f"{where}: line wider than {WIDTH} cells: {too_wide[0]!r}"
            for row in _table_rows(inst.question) + [r for step in inst.solution.steps for r in _table_rows(step)]:
                assert any(row in line for line in lines), f"{where}: table row wrapped: {row!r}"
            titles = [line for line in lines if line.startswith("╭─ ")]
            assert f"{level} · seed {seed} · 12 more" in titles[0], f"{where}: title lost level or seed: {titles[0]}"
            assert f"{level} · seed {seed}" in titles[1]


@pytest.mark.parametrize("family", family_names())
def test_no_line_break_inside_a_sentence(family: str) -> None:
    """A question's prose is one line per paragraph; a break inside parentheses was typed into a template."""
    for level in LEVELS:
        for seed in SEEDS[:3]:
            question = make_instance(family, level, seed).question
            for line in question.split("\n"):
                if line and not line[0].isspace():
                    assert line.count("(") == line.count(")"), f"{family} seed {seed}: the line break splits a parenthesis: {line!r}"


def test_a_line_after_an_indented_list_starts_its_own_line() -> None:
    """haar-feature corners: the question follows the last corner on a line of its own."""
    corners = [inst for seed in range(40) for inst in [make_instance("haar-feature", "easy", seed)] if inst.params["variant"] == "corners"]
    assert corners
    for inst in corners:
        last_corner = next(line for line in inst.question.split("\n") if line.lstrip().startswith("D = "))
        assert last_corner.rstrip().endswith("corner)"), last_corner


def test_long_titles_are_shortened_before_the_seed() -> None:
    title = layout.fit_title([], "Output size of conv, pooling and transposed-conv layers", ["exam", "seed 20698", "3 more"], 60)
    assert title.endswith("exam · seed 20698 · 3 more")
    assert "…" in title and cell_len(title) <= 60 - 6


def test_indented_lines_wrap_under_themselves() -> None:
    text = layout.flow("  1. ConvTranspose2d(kernel_size=4, stride=2, padding=1, output_padding=1, dilation=1)", 40).plain
    first, *rest = text.split("\n")
    assert first.startswith("  1. ") and rest and all(line.startswith("     ") for line in rest)


def test_choices_and_points_wrap_under_their_own_text() -> None:
    """At 80 columns a long choice or point continues under its text, not at the panel's edge (QA)."""
    from mli_drill.review.events import ShowMarkingScheme
    from mli_drill.model import Card
    from mli_drill.review.events import RevealCard, ShowCard

    long = "cross-correlation with the kernel transposed, its rows and columns swapped before it slides"
    mcq = Card(id="c", deck="d", type="mcq", front="Which one?", choices=(long, "b"), answer="A")
    points = Card(id="p", deck="d", type="points", front="List.", points=(long, "short"))
    console = _console()
    view = session.SessionView(console)
    view.show(ShowCard(mcq, 1, 0, order=(0, 1)))
    view.show(RevealCard(points))
    view.show(ShowMarkingScheme(points))
    lines = [line.strip("│╭╮╰╯─ ") and line[2:-1] for line in _rendered(console) if line.startswith("│")]
    choice = lines.index(next(line for line in lines if line.startswith("  A) cross-correlation")))
    assert lines[choice + 1].startswith("     ") and lines[choice + 1].strip()  # under "cross-correlation"
    point_lines = [index for index, line in enumerate(lines) if line.startswith("1. cross-correlation")]
    assert len(point_lines) == 2 and all(lines[i + 1].startswith("   ") and lines[i + 1].strip() for i in point_lines)
