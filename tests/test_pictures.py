"""Masks, images and kernels drawn as pictures on a colour terminal and in HTML worksheets (issue 13).

Families declare their grids (``pictures(params)``); the text keeps its plain
digits, which is what NO_COLOR, a pipe, --json and Markdown show.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from rich.console import Console

from mli_drill.render import layout, session
from mli_drill.problems.registry import family_names, load_module
from mli_drill.problems.families.base import Grid, Region
from mli_drill.problems.instance import make_instance
from mli_drill.problems.pictures import OVERLAY, Picture, family_pictures, split
from mli_drill.problems.spec import LEVELS
from mli_drill.export.worksheet import build_sheet, render_html, render_markdown
from tests.conftest import ROOT

DRAWN = [name for name in family_names() if hasattr(load_module(name), "pictures")]


def test_the_imaging_families_declare_pictures() -> None:
    expected = {"segmentation-metrics", "image-similarity", "conv-forward", "pooling-forward", "haar-feature", "lbp",
                "image-losses", "bilinear-interpolation", "transposed-conv-forward"}
    assert expected <= set(DRAWN)


@pytest.mark.parametrize("family", DRAWN)
def test_every_declared_grid_is_found_in_the_text(family: str) -> None:
    """A declaration that matches no text would silently draw nothing: each grid appears where the family shows it."""
    for level in LEVELS:
        for seed in range(8):
            inst = make_instance(family, level, seed)
            texts = [inst.question, *inst.solution.steps]
            for grid in family_pictures(family, inst.typed):
                assert grid.kind in ("mask", "image", "kernel", "overlay")
                found = [block for text in texts for block in split(text, [grid]) if isinstance(block, Picture)]
                assert found, f"{family} {level} seed {seed}: a {grid.kind} grid is not in the text"


def _colour_console() -> Console:
    return Console(file=io.StringIO(), width=80, color_system="truecolor", force_terminal=True, highlight=False)


def test_masks_are_two_tone_and_the_overlay_has_three_colours_and_a_legend() -> None:
    inst = next(i for seed in range(20) for i in [make_instance("segmentation-metrics", "exam", seed)] if i.params["metric"] in ("dice", "jaccard"))
    console = _colour_console()
    session.instance(console, inst)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    for colour in (OVERLAY["TP"], OVERLAY["FP"], OVERLAY["FN"]):
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert f"48;2;{red};{green};{blue}m" in out, colour
    text = _strip_ansi(out)
    assert "TP in both" in text and "FP prediction only" in text and "FN reference only" in text
    assert "1 foreground" in text


def test_images_keep_their_numbers_inside_grey_cells() -> None:
    picture = split("Input:\n0 5\n9 3", [Grid.of("image", [[0, 5], [9, 3]])])[1]
    assert isinstance(picture, Picture)
    cells = [cell for row in picture.rows for cell in row]
    assert [cell.text.strip() for cell in cells] == ["0", "5", "9", "3"]
    assert cells[0].background == "#181818" and cells[2].background == "#ececec"  # lowest darkest, highest lightest
    assert all(cell.background[1:3] == cell.background[3:5] == cell.background[5:7] for cell in cells)  # grey


def test_haar_rectangles_are_drawn_over_the_image() -> None:
    grid = Grid.of("image", [[1, 2, 3], [4, 5, 6]], (Region(0, 0, 1, 0, "white"), Region(0, 1, 1, 1, "black")))
    picture = split("1 2 3\n4 5 6", [grid])[0]
    assert isinstance(picture, Picture)
    backgrounds = [[cell.background for cell in row] for row in picture.rows]
    assert backgrounds[0][0] == backgrounds[1][0] != backgrounds[0][1] == backgrounds[1][1]
    assert [label for _, label in picture.legend] == ["white rectangles", "black rectangles"]


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize("env", [{"NO_COLOR": "1", "TERM": "xterm-256color"}, {"TERM": "xterm-256color"}])
def test_piped_and_no_color_output_keeps_plain_digits(env: dict[str, str], tmp_path) -> None:
    """Piped (and NO_COLOR even with a colour TERM): the question shows the mask's digits, no escape codes."""
    environment = {**os.environ, "MLI_DRILL_HOME": str(tmp_path), "COLUMNS": "80", **env}
    result = subprocess.run([sys.executable, "-m", "mli_drill", "problems", "sample", "segmentation-metrics", "--seed", "1"],
                            capture_output=True, text=True, cwd=ROOT, env=environment, check=True)
    assert "\x1b[" not in result.stdout
    assert "0 0 1 1 1 1" in result.stdout


def test_no_color_on_a_terminal_draws_digits() -> None:
    console = Console(file=io.StringIO(), width=80, color_system="truecolor", force_terminal=True, no_color=True)
    assert layout.pictures_for(console, make_instance("segmentation-metrics", "exam", 1)) == []


def test_html_worksheet_draws_pictures_and_markdown_keeps_digits() -> None:
    instances = [make_instance("segmentation-metrics", "exam", 1), make_instance("conv-forward", "exam", 1)]
    sheet = build_sheet(instances, {}, 1, "exam", 1)
    page = render_html(sheet)
    assert page.count('<table class="picture">') >= 4  # two masks, the overlay in the key, an image and a kernel
    assert "print-color-adjust: exact" in page and "TP in both" in page
    assert "<table" not in render_markdown(sheet) and "0 0 1 1 1 1" in render_markdown(sheet)


def test_a_mock_exam_question_draws_its_pictures(tmp_path) -> None:
    """The exam shows a problem's image as a picture too, as practice does (seen in QA: plain digits on a colour terminal)."""
    from datetime import datetime, timezone

    from mli_drill.exam.paper import Question
    from mli_drill.exam.session import ExamSession
    from mli_drill.review.events import ShowExamQuestion
    from mli_drill.store import open_store

    class Student:
        """Looks at the first question, then leaves (end of input); the view draws what it is shown."""

        interactive = False

        def __init__(self) -> None:
            self.console = _colour_console()
            self.view = session.SessionView(self.console)
            self.shown: list[ShowExamQuestion] = []

        def ask(self, prompt: str) -> None:
            return None

        def emit(self, event: object) -> None:
            if isinstance(event, ShowExamQuestion):
                self.shown.append(event)
            self.view.show(event)

    store = open_store(tmp_path / "progress.db")
    try:
        paper = [Question(1, "problem", "family:bilinear-interpolation", "registration", 2, seed=1)]
        paper_id = store.exams.create("2026-05-01T09:00:00+00:00", 1, "exam", 60, "[]")
        student = Student()
        now = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
        ExamSession(store, student, paper_id, paper, {}, "exam", 3600.0, lambda: now, ticks=lambda: 0.0).run([])
    finally:
        store.close()
    assert student.shown and student.shown[0].instance is not None
    out = student.console.file.getvalue()  # type: ignore[attr-defined]
    image = family_pictures("bilinear-interpolation", student.shown[0].instance.typed)[0]
    first = split(student.shown[0].instance.question, [image])
    picture = next(block for block in first if isinstance(block, Picture))
    red, green, blue = (int(picture.rows[0][0].background[i : i + 2], 16) for i in (1, 3, 5))
    assert f"48;2;{red};{green};{blue}m" in out, "the image's first cell is drawn in its grey"
