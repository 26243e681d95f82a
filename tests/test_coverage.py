"""Coverage report: cards per deck and week, and the notes headings no card covers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mli_drill import paths
from mli_drill.decks.coverage import check_headings, deck_counts, key_terms, notes_headings, uncovered, week_counts
from mli_drill.decks.deckfile import parse_deck
from tests.conftest import ROOT, write_deck

SEED = paths.course_notes_path()  # the course notes page, shipped in docs/course-notes/

NOTES = """\
# Course
tags:: ML

- ## Notes
\t- Week3 Classification
\t  collapsed:: true
\t\t- Lecture
\t\t\t- Haar features
\t\t\t\t- computed with integral images
\t\t\t- Zorblax quantisation
\t\t\t\t- ![image.png](../assets/image_1.png)
\t\t\t- a leaf that is not a heading
\t\t- Tutorial
\t\t\t- 1. Take the original dataset
\t\t\t\t- step detail
\t\t\t- How can we see more context
\t\t\t\t- answer
\t\t\t- Random forests form an ensemble of
\t\t\t\t- wrapped sentence
\t- 考卷
\t\t- 2021
\t\t\t- Receptive Field 计算
\t\t\t\t- backwards
\t\t\t- 归一化
\t\t\t\t- (X-min)/(max-min)
\t\t\t- 某种新概念
\t\t\t\t- 解释
\t- **Bold heading**
\t- Gini index: how mixed the classes are
\t\t- 0 is best
\t- Bias error
\t  – how far predictions are from the truth
\t- ![only an image](../assets/x.png)
\t\t- child
\t- [a link](https://example.org)
\t\t- child
\t- ```python
\t  x = 1
\t  ```
- ## Info
\t- Fridays, 14:00, LT308
\t\t- Q&A
"""


def make_deck(cards_yaml: str, deck_id: str = "d", week: int | None = 3):
    week_line = f"week: {week}\n" if week is not None else ""
    deck, problems = parse_deck(f"deck: {deck_id}\ntitle: D\n{week_line}cards:\n{cards_yaml}", Path(f"{deck_id}.yaml"))
    assert problems == [], problems
    return deck


def basic(card_id: str, front: str, back: str) -> str:
    return f"  - id: {card_id}\n    front: {front}\n    back: {back}\n"


def headings_by_text(text: str) -> dict:
    return {h.text: h for h in notes_headings(text)}


# -- terms -------------------------------------------------------------------------
def test_key_terms_normalise_case_plurals_spelling_and_stop_words() -> None:
    assert key_terms("The Features of an Image") == key_terms("feature image")
    assert key_terms("Regularisation") == key_terms("regularization")
    assert key_terms("losses, boxes; categories!") == key_terms("loss box category")
    assert key_terms("Overlapping measures") == key_terms("overlap measure")
    assert key_terms("Dice’s coefficient (Sørensen)") == key_terms("dice coefficient sorensen")
    assert key_terms("bias") == ["bias"] and key_terms("analysis") == ["analysis"]
    assert key_terms("Week 3 lecture notes 2021 e.g. a") == []
    assert key_terms("L1 and L2 in 3D") == ["l1", "l2", "3d"]


# -- headings ------------------------------------------------------------------------
def test_heading_rule_on_a_synthetic_page() -> None:
    found = headings_by_text(NOTES)
    assert set(found) == {
        "Week3 Classification",
        "Haar features",
        "Zorblax quantisation",
        "Receptive Field 计算",
        "归一化",
        "某种新概念",
        "Bold heading",
        "Gini index",
        "Bias error",
    }
    assert found["Week3 Classification"].words == ("classification",), "week markers are structure, not terms"
    assert found["Receptive Field 计算"].words == ("receptive", "field"), "Chinese headings match via their English terms"
    assert found["归一化"].words == ("normalization",), "a pure-Chinese heading goes through the translation table"
    assert found["某种新概念"].reason == "no English terms"
    assert found["Haar features"].line == 8


def test_same_heading_is_checked_once() -> None:
    page = "- Haar features\n\t- a\n- Tutorial\n\t- Haar Feature\n\t\t- b\n"
    assert [(h.line, h.text) for h in notes_headings(page)] == [(1, "Haar features")]


def test_uncovered_heading_is_listed_until_a_card_mentions_it() -> None:
    headings = notes_headings(NOTES)
    cards = list(
        make_deck(
            basic("c1", "Why are Haar features fast?", "Integral images.")
            + basic("c2", "How is the receptive field computed?", "Backwards from the output.")
            + basic("c3", "What does min-max normalisation do?", "Rescales to [0, 1].")
            + "  - id: c4\n    type: cloze\n    text: The {{Gini index}} of a pure node is 0.\n"
            + basic("c5", "What is bias error?", "Distance of the mean prediction from the truth.")
            + basic("c6", "What does week 3 cover?", "Image classification.")
            + "  - id: c7\n    front: Name something bold\n    back: x\n    tags: [bold-heading]\n"
        ).cards
    )
    missing = [r.heading.text for r in uncovered(check_headings(headings, cards))]
    assert missing == ["Zorblax quantisation", "某种新概念"]
    result = next(r for r in check_headings(headings, cards) if r.heading.text == "Zorblax quantisation")
    assert result.missing == ("zorblax", "quantisation")

    more = cards + list(make_deck(basic("c8", "What is Zorblax quantization?", "A made-up term."), deck_id="e").cards)
    assert [r.heading.text for r in uncovered(check_headings(headings, more))] == ["某种新概念"]


def test_all_terms_must_be_on_one_card() -> None:
    headings = notes_headings("- Gradient boosting\n\t- x\n")
    split = list(make_deck(basic("a", "gradient", "descent") + basic("b", "boosting", "reweights")).cards)
    (result,) = check_headings(headings, split)
    assert result.covered_by is None and result.missing == ()
    together = list(make_deck(basic("c", "What is gradient boosting?", "Fit residuals.")).cards)
    assert check_headings(headings, together)[0].covered_by == "c"


def test_counts_per_deck_and_week() -> None:
    a = make_deck(basic("a1", "q", "a") + "  - id: a2\n    type: cloze\n    text: x {{y}}\n", deck_id="a", week=4)
    b = make_deck(basic("b1", "q", "a"), deck_id="b", week=3)
    c = make_deck(basic("c1", "q", "a"), deck_id="c", week=None)
    rows = deck_counts([a, b, c])
    assert [(r.deck, r.week, r.cards, r.by_type) for r in rows] == [
        ("b", 3, 1, {"basic": 1}),
        ("a", 4, 2, {"basic": 1, "cloze": 1}),
        ("c", None, 1, {"basic": 1}),
    ]
    assert [(w.week, w.decks, w.cards) for w in week_counts([a, b, c])] == [(3, ["b"], 1), (4, ["a"], 2), (None, ["c"], 1)]


def test_course_notes_headings() -> None:
    found = headings_by_text(SEED.read_text(encoding="utf-8"))
    for expected in ("Hausdorff distance", "Bagging (Bootstrap Aggregation)", "Federated learning", "Receptive Field 计算", "Image Registration"):
        assert expected in found
    for structural in ("Lecture", "Tutorial", "Notes", "考卷", "2021", "Week2 intro", "Fridays, 14:00, LT308", "Age Regression from Brain MRI"):
        assert structural not in found
    assert 150 <= len(found) <= 260


# -- CLI ---------------------------------------------------------------------------
@pytest.fixture
def no_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide the bundled decks: other people edit them while these tests run."""
    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: tmp_path / "no-bundled-decks")


def test_cli_without_notes_checks_the_course_notes_shipped_in_the_repository(home: Path, cli, no_bundled) -> None:
    write_deck(home / "decks", "wk3", "deck: wk3\ntitle: Week three\nweek: 3\ncards:\n" + basic("w1", "What are Haar features?", "a") + basic("w2", "q2", "a2"))
    result = cli("decks", "coverage")
    assert result.exit_code == 0, result.output
    assert "Cards per deck (1 deck, 2 cards)" in result.output and "Cards per week" in result.output
    results = check_headings(notes_headings(SEED.read_text(encoding="utf-8")), list(make_deck(basic("w1", "What are Haar features?", "a")).cards))
    covered = len(results) - len(uncovered(results))
    assert covered >= 1 and f"{SEED}: {covered} of {len(results)} headings covered, {len(results) - covered} not" in result.output
    data = json.loads(cli("decks", "coverage", "--json").output)
    assert data["decks"] == [{"deck": "wk3", "title": "Week three", "week": 3, "cards": 2, "by_type": {"basic": 2}}]
    assert data["weeks"] == [{"week": 3, "decks": ["wk3"], "cards": 2}]
    assert data["notes"]["file"] == str(SEED) and data["notes"]["covered"] == covered
    assert SEED.is_relative_to(ROOT / "docs" / "course-notes"), "a checkout reads the copy in the repository"


def test_cli_lists_uncovered_headings_until_a_card_covers_them(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("- Haar features\n\t- integral images\n- Zorblax quantisation\n\t- ?\n", encoding="utf-8")
    write_deck(home / "decks", "f", "deck: f\ntitle: F\nweek: 3\ncards:\n" + basic("f1", "Why are Haar features fast?", "Integral images."))
    result = cli("decks", "coverage", str(notes))
    assert result.exit_code == 0, result.output
    assert f"{notes}: 1 of 2 headings covered, 1 not" in result.output
    assert "Zorblax quantisation" in result.output and "no card mentions zorblax, quantisation" in result.output
    data = json.loads(cli("decks", "coverage", str(notes), "--json").output)
    assert data["notes"]["uncovered"] == [
        {"line": 3, "heading": "Zorblax quantisation", "terms": ["zorblax", "quantisation"], "missing_terms": ["zorblax", "quantisation"], "reason": "no card mentions zorblax, quantisation"}
    ]
    write_deck(home / "decks", "g", "deck: g\ntitle: G\ncards:\n" + basic("g1", "Define Zorblax quantisation.", "Made up."))
    after = json.loads(cli("decks", "coverage", str(notes), "--json").output)
    assert after["notes"]["covered"] == 2 and after["notes"]["uncovered"] == []


def test_cli_rejects_unreadable_notes(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    write_deck(home / "decks", "f", "deck: f\ntitle: F\ncards:\n" + basic("f1", "q", "a"))
    notes = tmp_path / "notes.md"
    notes.write_bytes("- Größe\n\t- x\n".encode("latin-1"))
    result = cli("decks", "coverage", str(notes))
    assert result.exit_code == 2
    assert [line for line in result.output.splitlines() if line.startswith("error:")] == [f"error: {notes}: not UTF-8 text (invalid byte at offset 4); save the page as UTF-8"]
    assert cli("decks", "coverage", str(tmp_path / "missing.md")).exit_code == 2
