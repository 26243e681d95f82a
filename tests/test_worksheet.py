"""`mli-drill export sheet`: the key must agree with `problems check`; the HTML must be sound."""

from __future__ import annotations

import dataclasses
import re
import shlex
from html.parser import HTMLParser
from pathlib import Path

FAMILIES = ["receptive-field", "conv-output", "segmentation-metrics", "adaboost"]
CHECK_LINE = re.compile(r"^Check: `(mli-drill problems check .+)`$", re.M)
QUESTION_HEADING = re.compile(r"^### Question (\d+) · ([a-z0-9-]+) · level (\w+) · seed (\d+)$", re.M)
VOID_ELEMENTS = {"meta", "br", "hr", "img", "link", "input"}


class TagBalance(HTMLParser):
    """Fails on any closing tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_answer_key_agrees_with_problems_check(home: Path, cli) -> None:
    result = cli("export", "sheet", *FAMILIES, "--count", "2", "--seed", "4242", "--level", "exam")
    assert result.exit_code == 0, result.output
    sheet = result.stdout

    headings = QUESTION_HEADING.findall(sheet)
    expected = [(family, "exam", str(4242 + i)) for family in FAMILIES for i in range(2)]
    assert [(family, level, seed) for _, family, level, seed in headings] == expected
    assert [int(number) for number, *_ in headings] == list(range(1, 9))

    questions, key = sheet.split("# Answer key", 1)
    assert '<div style="page-break-before: always">' in questions
    commands = CHECK_LINE.findall(key)
    assert len(commands) == len(expected)
    for command, (family, level, seed) in zip(commands, expected):
        args = shlex.split(command)[1:]
        assert args[:6] == ["problems", "check", family, "--seed", seed, "--level"] and args[6] == level
        verdict = cli(*args)
        assert verdict.exit_code == 0, f"{command}: {verdict.output}"


def test_a_wrong_answer_is_not_accepted_by_the_same_command(home: Path, cli) -> None:
    """Guards the test above: the check commands do discriminate."""
    sheet = cli("export", "sheet", "receptive-field", "--count", "1", "--seed", "7").stdout
    args = shlex.split(CHECK_LINE.findall(sheet)[0])[1:]
    args[-1] = str(int(args[-1]) + 1)
    assert cli(*args).exit_code == 1


def test_same_seed_same_sheet(home: Path, cli) -> None:
    first = cli("export", "sheet", "conv-output", "adaboost", "--count", "2", "--seed", "11", "--level", "easy").stdout
    second = cli("export", "sheet", "conv-output", "adaboost", "--count", "2", "--seed", "11", "--level", "easy").stdout
    assert first == second
    assert "Regenerate: `mli-drill export sheet conv-output adaboost --count 2 --seed 11 --level easy`" in first


def test_html_sheet_is_well_formed_and_escaped(home: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "sheet.html"
    result = cli("export", "sheet", *FAMILIES, "--count", "1", "--seed", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 4 questions" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<div style="page-break-before: always">' in page
    assert "http://" not in page and "https://" not in page and "<script" not in page

    parser = TagBalance()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    text = "".join(parser.text)
    assert "Answer key" in text and text.count("Check: mli-drill problems check") == 4
    # adaboost's wording has "feature < t": it must arrive as text, escaped in the source.
    assert "feature &lt; t" in page and "feature < t" not in page
    assert "feature < t" in text


def test_html_escapes_everything_from_the_instance() -> None:
    from mli_drill.export import worksheet
    from mli_drill.problems.instance import make_instance

    instance = make_instance("receptive-field", "exam", 1)
    hostile = dataclasses.replace(instance, question="Is a < b & c > d? <script>alert(1)</script>")
    page = worksheet.render_html(worksheet.build_sheet([hostile], {"receptive-field": "R & <F>"}, 1, "exam", 1))
    assert "<script>" not in page
    assert "Is a &lt; b &amp; c &gt; d? &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "R &amp; &lt;F&gt;" in page


def test_format_follows_the_out_suffix_and_the_option(home: Path, cli, tmp_path: Path) -> None:
    md = tmp_path / "sheet.md"
    assert cli("export", "sheet", "conv-output", "--count", "1", "--seed", "2", "--out", str(md)).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# ")
    html_stdout = cli("export", "sheet", "conv-output", "--count", "1", "--seed", "2", "--format", "html").stdout
    assert html_stdout.startswith("<!DOCTYPE html>")


def test_markdown_prose_does_not_turn_into_emphasis() -> None:
    from mli_drill.export.worksheet import md_escape

    assert md_escape("0*1 + 0*0 and w_i_j") == r"0\*1 + 0\*0 and w\_i\_j"
    assert md_escape("# not a heading") == r"\# not a heading"


def test_unknown_family_is_one_line_and_exit_2(home: Path, cli) -> None:
    result = cli("export", "sheet", "conv-output", "no-such-family")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "no-such-family" in result.stderr


def test_unknown_level_is_exit_2(home: Path, cli) -> None:
    result = cli("export", "sheet", "conv-output", "--level", "impossible")
    assert result.exit_code == 2
    assert "impossible" in result.stderr


def test_one_question_is_not_questions() -> None:
    """"1 question", in both formats (QA of issue 12's "1 minutes")."""
    from mli_drill.export import worksheet
    from mli_drill.problems.instance import make_instance

    sheet = worksheet.build_sheet([make_instance("receptive-field", "exam", 1)], {}, 1, "exam", 1)
    assert "· 1 question ·" in worksheet.render_markdown(sheet) and "· 1 question ·" in worksheet.render_html(sheet)
