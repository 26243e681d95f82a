"""Hostile input: decks, Logseq pages, typed answers and every CLI argument.

The outcome is always either correct behaviour or a clear error with exit
code 2 — never a traceback, an "unexpected" error, a hang, or code being run.
YAML is only loaded safely; answers are read by a small parser, never
evaluated. A sentinel file (``PWNED``) would appear if anything a deck, a page
or a student typed were ever executed.

The answer parser itself is fuzzed in ``test_answers_fuzz.py``; here answers
arrive through the CLI (``problems check``) and the practice prompt.
"""

from __future__ import annotations

import gc
import io
import re
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mli_drill.decks.deckfile import parse_deck, read_deck_file
from mli_drill.problems.instance import make_instance
from tests.conftest import write_deck

FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CLI_FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PROBLEM_LINE = re.compile(r"^.+:\d+: \S")
SENTINEL = "PWNED"
FAMILY = "conv-output"

# Things that would run code if anything were ever evaluated, exec'd, unpickled or shelled out.
INJECTIONS = [
    f"__import__('os').system('touch {SENTINEL}')",
    f"exec(\"open('{SENTINEL}','w')\")",
    f"eval(\"open('{SENTINEL}','w')\")",
    f"(lambda: open('{SENTINEL}', 'w'))()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__globals__",
    "sqrt.__code__",
    "pi.real",
    "1 if True else 0",
    "[x for x in range(10**9)]",
    "9**9**9",
    "10**10**10",
    "2^2^2^2^2^2",
    "(" * 500 + "1" + ")" * 500,
    f"$(touch {SENTINEL})",
    f"`touch {SENTINEL}`",
    f"; touch {SENTINEL}",
    "{{7*7}}",
    "%s%s%s%n",
    "${HOME}",
]


def sentinel_absent(*directories: Path) -> None:
    for directory in (Path.cwd(), *directories):
        assert not (directory / SENTINEL).exists(), f"something was executed (found {directory / SENTINEL})"


# -- running the real entry point in-process ---------------------------------------
@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], args: list[str], stdin: str = "") -> Outcome:
    """``mli-drill ARGS`` through the real entry point, in-process.

    Standard output and error behave as in a UTF-8 terminal: output is
    strict UTF-8, errors use ``backslashreplace`` (as Python sets them up), so
    a string that cannot be shown fails here exactly as it would for a student.
    """
    from mli_drill.cli import common
    from mli_drill.cli.app import main

    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", write_through=True)
    saved = sys.argv, sys.stdin, sys.stdout, sys.stderr
    sys.argv, sys.stdin, sys.stdout, sys.stderr = ["mli-drill", *args], io.StringIO(stdin), out, err
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved
        common.OPTIONS.db = None
        gc.collect()
    return Outcome(code, out_bytes.getvalue().decode("utf-8", "replace"), err_bytes.getvalue().decode("utf-8", "replace"))


def assert_clean_outcome(result: Outcome, allowed: tuple[int, ...] = (0, 2)) -> None:
    """Correct behaviour (0, or 1 where documented) or a clear error with exit code 2."""
    everything = result.out + result.err
    assert result.code in allowed, (result.code, result.err[-1500:])
    assert "Traceback" not in everything, everything[-2000:]
    assert "error: unexpected" not in result.err, result.err[-1500:]
    if result.code == 2:
        lines = [line for line in result.err.splitlines() if line.strip()]
        reasons = [line for line in lines if line.lower().startswith("error")]
        assert reasons or result.err.startswith("Usage:"), result.err  # a bare group shows its help
        assert all(len(line) < 5000 for line in lines), "an error line should be readable"


# == 1. deck files =================================================================
def assert_problems_well_formed(problems: list[str], where: str) -> None:
    for problem in problems:
        assert isinstance(problem, str) and "\n" not in problem, repr(problem)[:300]
        assert problem.startswith(f"{where}:") and PROBLEM_LINE.match(problem), problem[:300]
        assert len(problem) < 2000, problem[:300]


def assert_deck_valid(deck, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    """A deck returned without problems satisfies the rules the rest of the tool relies on."""
    from mli_drill.model import CARD_TYPES, ID_PATTERN

    if deck is None or problems:
        return
    assert ID_PATTERN.fullmatch(deck.id) and deck.title.strip()
    for card in deck.cards:
        assert ID_PATTERN.fullmatch(card.id) and card.type in CARD_TYPES
        for text in (card.front, card.back, card.text, card.hint, *card.choices, *card.points, *card.tags):
            assert isinstance(text, str)
        if card.type == "mcq":
            assert 0 <= card.answer_index < len(card.choices)


def check_deck_text(text: str, where: str = "fuzz.yaml") -> None:
    started = time.monotonic()
    deck, problems = parse_deck(text, Path(where))
    assert time.monotonic() - started < 5, "parsing must stay fast"
    assert_problems_well_formed(problems, where)
    assert_deck_valid(deck, problems)


YAML_PIECES = [
    "deck: ", "title: ", "cards:\n", "  - ", "    ", "id: ", "type: ", "front: ", "back: ", "text: ", "choices: ", "answer: ",
    "points: ", "tags: ", "hint: ", "week: ", "topic: ", "basic", "cloze", "mcq", "points", "a", "b-1", "x.y", "{{d}}", "$x$",
    "&a ", "*a", "&b [*a, *a, *a]", "<<: *a", "!!python/object/apply:os.system ['touch PWNED']", "!!python/name:os.system",
    "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!timestamp 2001-12-14", "!!float nan", "!!int 0x1F", "? [a, b]\n: c",
    "[", "]", "{", "}", ",", ":", "- ", "|\n  ", ">\n  ", "'", '"', "\\", "#", "%YAML 1.1\n", "---\n", "...\n", "\t", "\n",
    "9**9**9", "1e999", "-.inf", ".nan", "99999999999999999999999999", "0o777", "~", "null", "yes", "no", "on", "2001-12-14",
    "\ufeff", "\u202e", "\u200d", "é", "é", "🙂", "\u2028", "\x85", "\x00", "\x07", "\ud800", "A" * 300,
]


@FAST
@given(text=st.text(max_size=400))
def test_any_text_is_a_deck_or_a_list_of_problems(text: str) -> None:
    check_deck_text(text)


@FAST
@given(text=st.lists(st.sampled_from(YAML_PIECES), max_size=50).map("".join))
def test_yaml_shaped_garbage_is_a_deck_or_a_list_of_problems(text: str) -> None:
    check_deck_text(text)
    sentinel_absent()


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.sampled_from(["basic", "cloze", "mcq", "points", "A", "b", "c1", "{{x}}", "", " "]),
    st.dates(), st.binary(max_size=8),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=12)
card_like = st.dictionaries(st.sampled_from(["id", "type", "front", "back", "text", "choices", "answer", "points", "tags", "hint", "family", "zzz"]), values, max_size=7)
deck_like = st.fixed_dictionaries(
    {},
    optional={"deck": values, "title": values, "topic": values, "week": values, "description": values, "cards": st.one_of(values, st.lists(card_like, max_size=5)), "extra": values},
)


@FAST
@given(data=deck_like)
def test_wrong_types_in_every_field(data: dict) -> None:
    check_deck_text(yaml.safe_dump(data, allow_unicode=True))


def billion_laughs(levels: int = 9) -> tuple[str, str]:
    """Anchors that expand to 9**levels strings; returns (definitions, name of the biggest)."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n", f"l{levels - 1}"


@pytest.mark.parametrize("field", ["type", "front", "back", "choices", "answer", "points", "tags", "hint", "id", "zzz"])
def test_yaml_bomb_in_a_card_field_is_quick_and_short(field: str) -> None:
    definitions, bomb = billion_laughs()
    card = {"id": "c1", "type": "mcq", "front": "f", "choices": ["a", "b"], "answer": "A"}
    body = "".join(f"    {key}: {value if not isinstance(value, list) else '[' + ', '.join(value) + ']'}\n" for key, value in card.items() if key != field)
    text = "bombs:\n" + "".join("  " + line + "\n" for line in definitions.splitlines()) + f"deck: d\ntitle: t\ncards:\n  - {field}: *{bomb}\n{body}"
    text = text.replace("\n  - " + field, "\n  - " + field, 1)
    check_deck_text(text)
    deck, problems = parse_deck(text, Path("bomb.yaml"))
    assert problems, "a bomb is never a valid field"


@pytest.mark.parametrize("field", ["deck", "title", "topic", "week", "cards"])
def test_yaml_bomb_in_a_deck_field(field: str) -> None:
    definitions, bomb = billion_laughs()
    fields = {"deck": "d", "title": "t", "topic": "x", "week": "1", "cards": "\n  - id: c\n    front: f\n    back: b"}
    fields[field] = f"*{bomb}"
    text = definitions + "".join(f"{key}: {value}\n" for key, value in fields.items())
    check_deck_text(text)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("deck: d\ntitle: t\ncards: " + "[" * 50_000 + "]" * 50_000 + "\n", "invalid YAML"),
        ("deck: d\ntitle: t\ncards: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n", "invalid YAML"),
        ("deck: d\ntitle: t\nweek: " + "9" * 6000 + "\ncards:\n  - id: c\n    front: f\n    back: b\n", "invalid YAML"),
        ("deck: d\ntitle: t\nweek: 9**9**9\ncards:\n  - id: c\n    front: f\n    back: b\n", "'week' must be a whole number"),
        ("deck: d\ntitle: t\nweek: 1e999\ncards:\n  - id: c\n    front: f\n    back: b\n", "'week' must be a whole number"),
        ("deck: !!python/object/apply:os.system ['touch PWNED']\ntitle: t\ncards: []\n", "invalid YAML"),
        ("deck: d\ntitle: !!python/name:os.system\ncards: []\n", "invalid YAML"),
        ("deck: d\ntitle: t\ncards:\n  - !!python/object/new:subprocess.Popen [[touch, PWNED]]\n", "invalid YAML"),
        ("deck: d\ntitle: t\ncards:\n  - id: c\n    front: f\u0000\n    back: b\n", "invalid YAML"),
        ('deck: "d\\n"\ntitle: t\ncards:\n  - id: c\n    front: f\n    back: b\n', "'deck' must be an id"),
        ("deck: d\ntitle: t\ncards:\n  - id: c\n    front: f\n    back: b\n    back: other\n", "appears twice"),
        ("deck: d\ntitle: t\ncards:\n  - id: c\n    type: [basic]\n    front: f\n    back: b\n", "unknown type a list"),
    ],
    ids=["deep-list", "deep-map", "huge-int", "power-tower", "inf-week", "os-system", "python-name", "popen", "nul", "id-newline", "duplicate-field", "list-type"],
)
def test_named_hostile_decks(text: str, fragment: str, tmp_path: Path) -> None:
    check_deck_text(text)
    _, problems = parse_deck(text, Path("named.yaml"))
    assert any(fragment in p for p in problems), problems[:3]
    sentinel_absent(tmp_path)


def test_unicode_edge_cases_load_as_text() -> None:
    front = "\ufeffRTL \u202eabc\u202c, ZWJ 👩\u200d💻, combining e\u0301, CJK 卷积, math 𝔼[x]"
    text = f"deck: uni\ntitle: Ünïcode\ncards:\n  - id: u1\n    front: \"{front}\"\n    back: \"\u2028 line separator\"\n"
    deck, problems = parse_deck(text, Path("uni.yaml"))
    assert problems == [] and deck is not None
    assert deck.cards[0].front == front.strip()


@pytest.mark.parametrize(
    "content,fragment",
    [
        (bytes(range(256)) * 8, "not UTF-8"),
        (b"\xff\xfe" + "deck: d\n".encode("utf-16-le"), "not UTF-8"),
        (b"deck: d\ntitle: t\ncards:\n  - id: c\n    front: \xed\xa0\x80\n    back: b\n", "not UTF-8"),  # an encoded surrogate
    ],
    ids=["binary", "utf-16", "surrogate-bytes"],
)
def test_binary_deck_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(content)
    deck, problems = read_deck_file(path)
    assert deck is None and len(problems) == 1 and fragment in problems[0]


def test_oversized_deck_file_is_refused_without_parsing(tmp_path: Path) -> None:
    from mli_drill.decks.deckfile import MAX_DECK_BYTES

    path = tmp_path / "big.yaml"
    path.write_text("deck: big\ntitle: t\ncards:\n" + "#" * MAX_DECK_BYTES, encoding="utf-8")
    deck, problems = read_deck_file(path)
    assert deck is None and "larger than" in problems[0]


def test_escaped_lone_surrogate_in_a_deck_is_refused_or_shown(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """YAML's "\\ud800" escape makes a string Python cannot print as UTF-8: it must not crash a review."""
    path = write_deck(tmp_path, "sur", 'deck: sur\ntitle: t\ncards:\n  - id: s1\n    front: "bad \\ud800 text"\n    back: b\n')
    result = run_cli(capsys, ["review", "--deck", str(path)], stdin="\n3\n")
    assert_clean_outcome(result)


@pytest.mark.parametrize("text", [
    "deck: d\ntitle: t\ncards:\n  - id: c\n    type: mcq\n    front: f\n    choices: [a, b]\n    answer: Z\n",
    "deck: d\ntitle: t\ncards:\n  - id: c\n    type: cloze\n    text: no deletion\n",
    "just a string",
    "[1, 2, 3]",
    "",
])
def test_invalid_deck_through_the_cli_exits_2_with_file_line_messages(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> None:
    path = write_deck(tmp_path, "bad", text)
    result = run_cli(capsys, ["review", "--deck", str(path)], stdin="\n3\n")
    assert_clean_outcome(result)
    assert result.code == 2
    for line in result.err.splitlines():
        if line.strip():
            assert line.startswith(f"error: {path}:"), line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=deck_like)
def test_hostile_deck_files_through_the_cli(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, data: dict) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert_clean_outcome(run_cli(capsys, ["review", "--deck", str(path)], stdin="\n3\n" * 3))
    sentinel_absent(tmp_path)


# == 2. Logseq pages ===============================================================
LOGSEQ_PIECES = [
    "- ", "\t- ", "  - ", "    - ", "\t\t- ", "-", "#card", "#[[card]]", "[[card]]", "#Card", "#cards", "#tag", "#[[a tag]]", "[[Page]]",
    "{{cloze ", "}}", "{{cloze x}}", "{{embed [[p]]}}", "{{", "id:: 6411aa7f-80ee-4a0d-bdaf-e0e6b35cec02", "id:: ", "collapsed:: true",
    "card-due:: 2026", "title:: T", "# Heading", "```", "```python", "$$x^2$$", "$x$", "![img](../assets/a.png)", "![](", "\n", "\r\n",
    "\r", " ", "\t", "question?", "answer", "卷积", "🙂", "\u202e", "\ufeff", "\x00", "\x0b", "\u2028", "::", "a:: b:: c", "A" * 200,
    "yes", "no", "null", "~", "&a", "*a", "!!python/object/apply:os.system ['touch PWNED']", "'", '"', "\\", ": ", "- - - ",
]
logseq_pages = st.lists(st.sampled_from(LOGSEQ_PIECES), max_size=60).map("".join)


def check_page(text: str) -> None:
    from mli_drill.decks.logseq import LogseqError, deck_yaml, import_page

    try:
        result = import_page(text, "page.md")
    except LogseqError as exc:
        assert "\n" not in str(exc)
        return
    for warning in result.warnings:
        assert "\n" not in warning and warning.startswith("page.md:"), warning
    if result.cards:
        deck, problems = parse_deck(deck_yaml(result), Path("imported.yaml"))
        assert problems == [] and deck is not None, problems[:3]
        assert len(deck.cards) == len(result.cards)


@FAST
@given(text=logseq_pages)
def test_logseq_shaped_pages_import_to_loadable_decks(text: str) -> None:
    check_page(text)
    sentinel_absent()


@FAST
@given(text=st.text(max_size=300))
def test_any_text_as_a_logseq_page(text: str) -> None:
    check_page(text)


@FAST
@given(data=st.binary(max_size=300))
def test_any_bytes_decode_or_are_refused(data: bytes) -> None:
    from mli_drill.decks.logseq import LogseqError, decode_page

    try:
        text = decode_page(data, "page.md")
    except LogseqError as exc:
        assert "\n" not in str(exc) and "page.md" in str(exc)
        return
    check_page(text)


def test_wide_and_long_pages() -> None:
    wide = "- Q? #card\n" + "\t- x\n" * 50_000
    long_line = "- " + "word " * 200_000 + "#card\n\t- answer\n"
    for text in (wide, long_line):
        started = time.monotonic()
        check_page(text)
        assert time.monotonic() - started < 10


DEEP_PAGE = "".join("\t" * depth + f"- level {depth} #card\n" for depth in range(3000))


def test_deeply_nested_page_is_imported_or_refused() -> None:
    check_page(DEEP_PAGE)


def test_deeply_nested_page_through_the_cli(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mli_drill import paths

    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: tmp_path / "no-bundled-decks")
    page = tmp_path / "deep.md"
    page.write_text(DEEP_PAGE, encoding="utf-8")
    assert_clean_outcome(run_cli(capsys, ["import", "logseq", str(page), "--out", str(tmp_path / "deep.yaml")]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200), logseq_pages.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_import_logseq_cli_with_hostile_pages(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    from mli_drill import paths

    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: tmp_path / "no-bundled-decks")
    page = tmp_path / "hostile.md"
    page.write_bytes(data)
    out = tmp_path / "out.yaml"
    out.unlink(missing_ok=True)
    result = run_cli(capsys, ["import", "logseq", str(page), "--out", str(out)])
    assert_clean_outcome(result)
    if result.code == 0:
        deck, problems = read_deck_file(out)
        assert problems == [] and deck is not None
    else:
        assert not out.exists(), "a failed import writes nothing"
    sentinel_absent(tmp_path)


# == 3. answers typed by the student ================================================
@pytest.mark.parametrize("answer", INJECTIONS)
def test_problems_check_never_runs_an_answer(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str) -> None:
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    result = run_cli(capsys, ["problems", "check", FAMILY, answer, "--seed", "5"])
    assert time.monotonic() - started < 5
    assert_clean_outcome(result, allowed=(1, 2))
    sentinel_absent(tmp_path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(answer=st.one_of(st.text(max_size=60), st.sampled_from(INJECTIONS)))
def test_problems_check_with_any_answer(home: Path, capsys: pytest.CaptureFixture[str], answer: str) -> None:
    assume("\x00" not in answer)  # a real argv cannot hold NUL
    assume(not answer.startswith("-"))  # would be read as an option: covered by the argument fuzz below
    result = run_cli(capsys, ["problems", "check", FAMILY, answer, "--seed", "5"])
    assert_clean_outcome(result, allowed=(0, 1, 2))
    if result.code == 0:
        expected = make_instance(FAMILY, "exam", 5)
        assert "correct" in result.out.lower() or str(expected.answer) in result.out


def test_practice_prompt_shrugs_off_hostile_answers(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    correct = make_instance(FAMILY, "exam", 11).answer_text()
    lines = INJECTIONS + ["\x00", "\x1b[2J\x1b]0;title\x07", "A" * 5000, correct, ""]
    result = run_cli(capsys, ["practice", FAMILY, "--count", "1", "--seed", "11", "--json"], stdin="\n".join(lines) + "\n")
    assert_clean_outcome(result, allowed=(0,))
    sentinel_absent(tmp_path)
    conn = sqlite3.connect(str(home / "progress.db"))
    rows = conn.execute("SELECT answer, correct, source FROM review_log").fetchall()
    conn.close()
    assert rows == [(correct, 1, "practice")], "only the real answer is recorded; the hostile lines were re-prompted"


def test_practice_input_that_is_not_utf8_is_asked_again(tmp_path: Path) -> None:
    """A student's terminal in a strict UTF-8 locale, pasting Latin-1 text at the answer prompt."""
    import os
    import subprocess

    from tests.conftest import FIXED_NOW, ROOT

    env = {**os.environ, "MLI_DRILL_HOME": str(tmp_path / "home"), "MLI_DRILL_NOW": FIXED_NOW, "PYTHONIOENCODING": "utf-8:strict"}
    correct = make_instance(FAMILY, "exam", 11).answer_text()
    done = subprocess.run(
        [sys.executable, "-m", "mli_drill", "practice", FAMILY, "--count", "1", "--seed", "11", "--json"],
        input="caf\u00e9\n".encode("latin-1") + f"{correct}\n\n".encode(), capture_output=True, env=env, cwd=str(ROOT), timeout=120,
    )
    stdout, stderr = done.stdout.decode(), done.stderr.decode(errors="replace")
    assert done.returncode == 0 and "Traceback" not in stderr, stderr[-500:]
    assert "That line is not UTF-8 text; type it again." in stdout
    conn = sqlite3.connect(str(tmp_path / "home" / "progress.db"))
    rows = conn.execute("SELECT answer, correct FROM review_log").fetchall()
    conn.close()
    assert rows == [(correct, 1)]


# == 4. every CLI argument ==========================================================
NASTY = [
    "", " ", "-", "--", "-1", "0", "1", "3", "2147483647", "2147483648", "-2147483649", "99999999999999999999999999",
    "9**9**9", "1e999", "nan", "inf", "-inf", "0x10", "1_000", "١٢", "½", "exam", "easy", "hard", "EXAM", "conv-output",
    "segmentation", "exam-date", "desired-retention", "new-per-day", "level", "2027-05-20", "2027-02-30", "0.9", "1.5", "-0.1",
    "true", "null", "cnn-basics", "a.yaml", "x.md", "dir/", ".", "..x", "~", "*", "?", "[", "{", "\n", "a\nb", "\t", "\r",
    "\u202e", "\ufeff", "\udcff", "\udc80abc", "🙂", "卷积", "é", "A" * 3000, *INJECTIONS[:6],
]
nasty_values = st.one_of(st.sampled_from(NASTY), st.text(max_size=12)).filter(lambda v: "\x00" not in v and ".." not in v and not v.startswith("/"))


def command_tree() -> list[tuple[list[str], Any]]:
    """Every leaf command of the app, with the words that reach it (found by introspection, so new commands are fuzzed too)."""
    import typer.main

    from mli_drill.cli.app import app

    root = typer.main.get_command(app)
    found: list[tuple[list[str], Any]] = []

    def walk(path: list[str], command: Any) -> None:  # typer ships its own click: duck-type, don't isinstance
        if getattr(command, "commands", None) is not None:
            if command.invoke_without_command or not command.commands:
                found.append((path, command))
            for name, sub in command.commands.items():
                walk(path + [name], sub)
        else:
            found.append((path, command))

    walk([], root)
    return found


COMMANDS = command_tree()


@st.composite
def invocations(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A command, then hostile values for a random subset of its parameters (required ones always)."""
    path, command = draw(st.sampled_from(COMMANDS))
    args = list(path)
    if draw(st.booleans()):
        args = ["--db", draw(nasty_values.filter(bool))] + args
    for param in command.params:
        if param.name in ("help",):
            continue
        required = getattr(param, "required", False)
        if not required and not draw(st.booleans()):
            continue
        if param.param_type_name == "option":
            flag = param.opts[0]
            if getattr(param, "is_flag", False):
                args.append(flag)
            else:
                args += [flag, draw(nasty_values)]
        else:
            value = draw(nasty_values)
            if value.startswith("-"):
                args.append("--")  # an argument that looks like an option, passed as a student would
            args.append(value)
    return path, args


@CLI_FUZZ
@given(invocation=invocations())
def test_every_cli_argument_with_hostile_values(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, invocation: tuple[list[str], list[str]]) -> None:
    path, args = invocation
    monkeypatch.chdir(tmp_path)  # relative paths (backup, export, --db, --out) land in the test's directory
    started = time.monotonic()
    result = run_cli(capsys, args, stdin="")
    # problems check: 1 means "wrong answer"; search: 1 means "no card matches" (as grep)
    allowed = (0, 1, 2) if path in (["problems", "check"], ["search"]) else (0, 2)
    assert_clean_outcome(result, allowed=allowed)
    assert time.monotonic() - started < 30, args
    sentinel_absent(tmp_path)


def test_the_fuzzer_reaches_every_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"review", "practice", "status", "backup", "problems check", "import logseq", "exam", "config set"} <= names, names
