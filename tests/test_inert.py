"""Control characters from files are refused (decks), dropped (Logseq import) or shown inert (render).

The command-line paths end to end are in ``tests/cli/test_control_characters.py``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from mli_drill.decks.deckfile import parse_deck
from mli_drill.decks.logseq import deck_yaml, drop_control_characters, import_page
from mli_drill.model import CONTROL_CHARACTER
from mli_drill.render.console import SafeConsole, inert, inert_text, print_json

# Every C0 and C1 control character and DEL, tab and newline included: the display
# function must leave those two alone but may see any of them.
CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]
LETHAL = [c for c in CONTROLS if c not in "\t\n"]
ANY_TEXT = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(CONTROLS)))
PRINTABLE_TEXT = st.text(alphabet=st.characters(codec="utf-8").filter(lambda c: c not in LETHAL))

ISSUE_DECK = (
    "deck: inj\n"
    "title: Inj\n"
    "cards:\n"
    "  - id: a\n"
    '    front: "Markup [bold red]RED[/] is shown literally, which is right"\n'
    '    back: "esc \\e]52;c;ZXZpbA==\\a and \\e[2J clear"\n'
)


# -- the display function -----------------------------------------------------------
@given(ANY_TEXT)
def test_inert_leaves_no_control_character_but_tab_and_newline(text: str) -> None:
    shown = inert(text)
    assert not CONTROL_CHARACTER.search(shown)
    assert not set(shown) & set(LETHAL)
    assert shown.count("\n") == text.count("\n") and shown.count("\t") == text.count("\t")


@given(PRINTABLE_TEXT)
def test_inert_leaves_printable_text_unchanged(text: str) -> None:
    assert inert(text) == text


@given(ANY_TEXT)
def test_inert_replaces_each_control_character_by_its_escape_and_keeps_the_rest(text: str) -> None:
    shown = inert(text)
    assert shown == "".join(f"\\x{ord(c):02x}" if c in LETHAL else c for c in text)
    assert inert(shown) == shown, "applying it twice changes nothing"


def test_inert_reads_as_escapes() -> None:
    assert inert("a\x1b[2Jb\x07c\x9bd\x7f\te\n") == "a\\x1b[2Jb\\x07c\\x9bd\\x7f\te\n"


@given(ANY_TEXT, st.data())
def test_inert_text_keeps_styles_on_their_characters(plain: str, data: st.DataObject) -> None:
    text = Text(plain)
    plain = text.plain  # rich itself drops a few (BEL, CR, ...) when a Text is made
    start = data.draw(st.integers(0, len(plain)))
    end = data.draw(st.integers(start, len(plain)))
    text.stylize("bold", start, end)
    shown = inert_text(text)
    assert shown.plain == inert(plain)
    (span,) = [s for s in shown.spans if s.style == "bold"] or [None]
    if start < end:
        assert span is not None and shown.plain[span.start : span.end] == inert(plain[start:end])


def test_safe_console_prints_no_control_character_from_text() -> None:
    """Strings, markup, Text and a table cell: rich's own output (no colour here) is all that is left."""
    from rich.panel import Panel

    from mli_drill.render.reports import table

    buffer = io.StringIO()
    out = SafeConsole(file=buffer, width=60, no_color=True, highlight=False)
    nasty = "esc \x1b]52;c;ZXZpbA==\x07 and \x1b[2J clear \x9b2J"
    out.print(nasty, markup=False)
    out.print(f"[bold]{nasty}[/]")
    out.print(Panel(Text(nasty), title=nasty))
    out.print(table(nasty, ["a"], [[nasty]]))
    printed = buffer.getvalue()
    assert not CONTROL_CHARACTER.search(printed), repr(printed)
    assert "esc \\x1b]52;c;ZXZpbA==" in printed and "\\x1b[2J clear \\x9b2J" in printed


def test_json_output_is_exact_and_escapes_every_control_character(capsys: pytest.CaptureFixture[str]) -> None:
    value = {"back": "esc \x1b[2J bell \x07 csi \x9b del \x7f"}
    print_json(value)
    printed = capsys.readouterr().out
    assert not CONTROL_CHARACTER.search(printed)
    assert json.loads(printed) == value


# -- the deck loader -----------------------------------------------------------------
def test_loader_refuses_the_deck_of_the_issue() -> None:
    deck, problems = parse_deck(ISSUE_DECK, Path("inj.yaml"))
    assert deck is not None and deck.cards == ()  # the card is refused (and the deck with it: see load_decks)
    assert problems == ["inj.yaml:6: control character U+001B in 'back'"]


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("front", '"a\\x07b"', "U+0007"),
        ("back", '"tab\\tand\\nnewline are fine, DEL \\x7f is not"', "U+007F"),
        ("hint", '"a\\x9bb"', "U+009B"),
        ("tags", '["ok", "b\\x1bad"]', "U+001B"),
    ],
)
def test_loader_refuses_control_characters_in_any_card_field(field: str, value: str, code: str) -> None:
    fields = {"front": "Q", "back": "A", field: value}
    deck = "deck: d\ntitle: D\ncards:\n  - id: a\n" + "".join(f"    {key}: {text}\n" for key, text in fields.items())
    line = 5 + list(fields).index(field)
    _, problems = parse_deck(deck, Path("d.yaml"))
    assert problems == [f"d.yaml:{line}: control character {code} in {field!r}"]


def test_loader_refuses_control_characters_in_deck_fields_and_allows_tab_and_newline() -> None:
    deck = 'deck: d\ntitle: "Ti\\x1btle"\ntopic: "t\\x85"\ncards:\n  - id: a\n    front: "tab\\there"\n    back: |\n      two\n      lines\n'
    _, problems = parse_deck(deck, Path("d.yaml"))
    assert problems == ["d.yaml:2: control character U+001B in 'title'", "d.yaml:3: control character U+0085 in 'topic'"]


def test_a_deck_cached_under_the_old_rules_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deck the cache took as valid before control characters were refused is not served from it any more."""
    from mli_drill.decks import cache as deckcache
    from mli_drill.decks import deckfile
    from mli_drill.decks.deckfile import DeckError, load_decks

    path = tmp_path / "decks" / "inj.yaml"
    path.parent.mkdir()
    path.write_text(ISSUE_DECK, encoding="utf-8")
    cache = deckcache.DeckCache(tmp_path / "cache")
    with monkeypatch.context() as old_rules:  # the loader as it was, and the cache it wrote
        old_rules.setattr(deckfile, "_control_problems", lambda *args: [])
        old_rules.setattr(deckcache, "VALIDATION_RULES", 1)
        (deck,) = load_decks([], [path], read=cache.read)
        assert "\x1b" in deck.cards[0].back
    with pytest.raises(DeckError) as refused:
        load_decks([], [path], read=cache.read)
    assert refused.value.problems == [f"{path}:6: control character U+001B in 'back'"]


# -- the Logseq importer -------------------------------------------------------------
PAGE = (
    "- Bell \x07 and clear \x1b[2J #card\n"
    "  - It is Y \x1b[2J with OSC \x1b]52;c;ZXZpbA==\x07 and CSI \x9b2J\r\n"
    "- Clean #card\n"
    "\t- tabs stay\n"
)


def test_import_drops_control_characters_with_one_warning() -> None:
    result = import_page(PAGE, "pages/MLI.md")
    assert result.warnings == ["pages/MLI.md: dropped 6 control characters (U+0007, U+001B, U+009B) on lines 1, 2; a deck may not hold them"]
    assert result.cards[0]["front"] == "Bell  and clear [2J"
    assert result.cards[0]["back"] == "It is Y [2J with OSC ]52;c;ZXZpbA== and CSI 2J"
    text = deck_yaml(result)
    deck, problems = parse_deck(text, Path("mli.yaml"))
    assert deck is not None and problems == []


def test_import_of_a_clean_page_warns_of_nothing() -> None:
    assert import_page("- Q #card\n  - A\n", "p.md").warnings == []


def test_file_name_control_characters_stay_out_of_the_deck() -> None:
    result = import_page("- Q #card\n  - A\n", "pages/bad\x1b[2J\nname.md")
    deck, problems = parse_deck(deck_yaml(result), Path("x.yaml"))
    assert deck is not None and problems == []
    assert "\x1b" not in deck_yaml(result)


@given(ANY_TEXT)
def test_dropping_keeps_every_other_character_and_counts_what_it_drops(text: str) -> None:
    kept, dropped = drop_control_characters(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    assert not CONTROL_CHARACTER.search(kept)
    assert kept == CONTROL_CHARACTER.sub("", lines)
    assert sum(map(len, dropped.values())) == len(CONTROL_CHARACTER.findall(lines))
