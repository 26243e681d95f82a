"""`mli-drill export anki`: the .apkg Anki would import, read back with sqlite3."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.conftest import write_deck

FIELD_SEPARATOR = "\x1f"
DOLLAR_MATH = re.compile(r"\$[^$]+\$")

TEST_DECK = r"""
deck: export-test
title: Export test
week: 9
cards:
  - id: ex-basic
    front: 'Is $a < b$ when a = 1 and b = 2? <b>not bold</b> & more'
    back: 'Yes. Display form: $$\sum_i x_i$$ and `x <= 3` in code.'
    hint: 'Compare $a$ with $b$.'
    tags: [image registration, maths]
  - id: ex-cloze
    type: cloze
    text: 'Math in a gap {{$\frac{a}{b^2} < 1$}} and a plain gap {{dice::jaccard}}.'
    back: 'Both gaps are hidden together.'
  - id: ex-mcq
    type: mcq
    front: Which measure suits CT-MR registration?
    choices: [SSD, Mutual information, SAD]
    answer: B
    back: 'The intensity relationship is not the identity.'
    family: image-similarity
  - id: ex-points
    type: points
    front: List two augmentations.
    points: [Flip, 'Rotate by $\theta$']
"""


def read_apkg(path: Path, tmp_path: Path) -> sqlite3.Connection:
    """The package must be a zip holding Anki's collection.anki2 SQLite database."""
    assert zipfile.is_zipfile(path)
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki2" in archive.namelist()
        target = tmp_path / f"{path.stem}-collection.anki2"
        target.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(str(target))


def notes_by_card_id(conn: sqlite3.Connection) -> dict[str, dict]:
    """Each note keyed by its last field, the mli-drill card id."""
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    result = {}
    for guid, mid, tags, flds in conn.execute("SELECT guid, mid, tags, flds FROM notes"):
        fields = flds.split(FIELD_SEPARATOR)
        result[fields[-1]] = {"guid": guid, "model_type": models[str(mid)]["type"], "tags": tags.split(), "fields": fields}
    return result


def deck_names(conn: sqlite3.Connection) -> dict[int, str]:
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    return {int(deck_id): deck["name"] for deck_id, deck in decks.items()}


def export(cli, out: Path, *decks: str):
    args = ["export", "anki", str(out)]
    for deck in decks:
        args += ["--deck", deck]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result


def test_every_card_becomes_one_note_with_stable_guids(home: Path, cli, tmp_path: Path) -> None:
    from mli_drill.services.collection import load_collection

    cards = [card for deck in load_collection(with_families=False).decks for card in deck.cards]
    first = export(cli, tmp_path / "first.apkg")
    assert f"wrote {len(cards)} notes" in first.output
    notes = notes_by_card_id(read_apkg(tmp_path / "first.apkg", tmp_path))
    conn = read_apkg(tmp_path / "first.apkg", tmp_path)
    assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == len(cards)
    assert set(notes) == {card.id for card in cards}

    export(cli, tmp_path / "second.apkg")
    again = notes_by_card_id(read_apkg(tmp_path / "second.apkg", tmp_path))
    assert {k: n["guid"] for k, n in again.items()} == {k: n["guid"] for k, n in notes.items()}
    assert len({n["guid"] for n in notes.values()}) == len(cards), "GUIDs must be unique"


def test_math_becomes_mathjax_and_cloze_uses_the_cloze_model(home: Path, cli, tmp_path: Path) -> None:
    from mli_drill.services.collection import load_collection

    cards = [card for deck in load_collection(with_families=False).decks for card in deck.cards]
    export(cli, tmp_path / "all.apkg")
    notes = notes_by_card_id(read_apkg(tmp_path / "all.apkg", tmp_path))
    with_math = [c for c in cards if "$" in c.front + c.back + c.text + c.hint + "".join(c.choices + c.points)]
    assert with_math, "the bundled decks contain LaTeX"
    for card in with_math:
        joined = "".join(notes[card.id]["fields"])
        assert "\\(" in joined or "\\[" in joined, card.id
    for card_id, note in notes.items():
        for field in note["fields"]:
            assert not DOLLAR_MATH.search(field), (card_id, field)
    clozes = [c for c in cards if c.type == "cloze"]
    assert clozes
    for card in clozes:
        note = notes[card.id]
        assert note["model_type"] == 1, card.id  # genanki.Model.CLOZE
        numbers = [int(n) for n in re.findall(r"\{\{c(\d+)::", note["fields"][0])]
        assert len(numbers) == len(card.cloze_answers), card.id
        assert set(numbers) == set(card.cloze_numbers or (1,)), "unnumbered gaps are all c1; numbered ones keep their numbers"
    assert all(notes[c.id]["model_type"] == 0 for c in cards if c.type != "cloze")


def test_fields_of_each_card_type(home: Path, cli, tmp_path: Path) -> None:
    write_deck(home / "decks", "export-test", TEST_DECK)
    result = export(cli, tmp_path / "one.apkg", "export-test")
    assert "wrote 4 notes in 1 deck" in result.output
    conn = read_apkg(tmp_path / "one.apkg", tmp_path)
    notes = notes_by_card_id(conn)

    front, back, hint, card_id = notes["ex-basic"]["fields"]
    assert front == r"Is \(a &lt; b\) when a = 1 and b = 2? &lt;b&gt;not bold&lt;/b&gt; &amp; more"
    assert back == r"Yes. Display form: \[\sum_i x_i\] and <code>x &lt;= 3</code> in code."
    assert hint == r"Compare \(a\) with \(b\)."
    assert card_id == "ex-basic"
    assert sorted(notes["ex-basic"]["tags"]) == ["image_registration", "maths"]

    text, extra, _, _ = notes["ex-cloze"]["fields"]
    # "::" inside a deletion would start an Anki cloze hint.
    assert text == r"Math in a gap {{c1::\(\frac{a}{b^2} &lt; 1\)}} and a plain gap {{c1::dice: :jaccard}}."
    assert extra == "Both gaps are hidden together."

    front, back, _, _ = notes["ex-mcq"]["fields"]
    # The choices are in the order of the card's first review (model.choice_order), not the file's.
    assert "<li>SSD</li><li>SAD</li><li>Mutual information</li>" in front
    assert back.startswith('<div class="correct">C) Mutual information</div>')
    assert "The intensity relationship is not the identity." in back
    assert "mli-drill practice image-similarity" in back

    front, back, _, _ = notes["ex-points"]["fields"]
    assert front == "List two augmentations."
    assert back == r"<ol><li>Flip</li><li>Rotate by \(\theta\)</li></ol>"

    assert set(deck_names(conn).values()) == {"Default", "MLI::Export test"}


def test_deck_filter_exports_only_those_decks(home: Path, cli, tmp_path: Path) -> None:
    from mli_drill.services.collection import load_collection

    collection = load_collection(with_families=False)
    chosen = [collection.decks[0], collection.decks[-1]]
    export(cli, tmp_path / "some.apkg", *(deck.id for deck in chosen))
    conn = read_apkg(tmp_path / "some.apkg", tmp_path)
    notes = notes_by_card_id(conn)
    assert set(notes) == {card.id for deck in chosen for card in deck.cards}
    names = deck_names(conn)
    assert set(names.values()) == {"Default"} | {"MLI::" + deck.title for deck in chosen}
    used = {row[0] for row in conn.execute("SELECT DISTINCT did FROM cards")}
    assert {names[deck_id] for deck_id in used} == {"MLI::" + deck.title for deck in chosen}


def test_deck_ids_are_stable_and_distinct() -> None:
    from mli_drill.export.anki import deck_anki_id, stable_id

    assert deck_anki_id("week4-segmentation") == deck_anki_id("week4-segmentation")
    assert deck_anki_id("week4-segmentation") != deck_anki_id("week5-registration")
    assert 1 << 30 <= stable_id("anything") < 1 << 31


def test_unknown_deck_is_one_line_and_exit_2(home: Path, cli, tmp_path: Path) -> None:
    result = cli("export", "anki", str(tmp_path / "x.apkg"), "--deck", "no-such-deck")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no-such-deck" in result.stderr
    assert not (tmp_path / "x.apkg").exists()


@pytest.mark.parametrize("text", ["price $5 only", "no math at all", "$x$ and $y$"])
def test_unpaired_dollar_is_kept_as_text(text: str) -> None:
    from mli_drill.export.anki import to_anki_html

    converted = to_anki_html(text)
    assert converted.count("$") == text.count("$") % 2


NUMBERED_DECK = r"""
deck: numbered
title: Numbered
cards:
  - id: num-cloze
    type: cloze
    text: '{{c1::Dice}} is {{c2::$\frac{2TP}{2TP+FP+FN}$::a fraction}} and {{c1::F1}} too; {{c3::a::b}}.'
  - id: num-mcq
    type: mcq
    front: Which measure?
    choices: [SSD, SAD, Mutual information, NCC]
    answer: C
"""


def test_numbered_clozes_keep_their_numbers_and_become_one_anki_card_each(home: Path, cli, tmp_path: Path) -> None:
    write_deck(home / "decks", "numbered", NUMBERED_DECK)
    export(cli, tmp_path / "n.apkg", "numbered")
    conn = read_apkg(tmp_path / "n.apkg", tmp_path)
    note = notes_by_card_id(conn)["num-cloze"]
    assert note["fields"][0] == r"{{c1::Dice}} is {{c2::\(\frac{2TP}{2TP+FP+FN}\)::a fraction}} and {{c1::F1}} too; {{c3::a::b}}."
    ordinals = sorted(row[0] for row in conn.execute("SELECT c.ord FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ?", (note["guid"],)))
    assert ordinals == [0, 1, 2], "Anki makes one card per deletion number, as mli-drill makes one review item"


def test_mcq_export_shows_the_letter_of_the_shown_order() -> None:
    from mli_drill.export.anki import export_order, note_fields
    from mli_drill.decks.deckfile import parse_deck
    from mli_drill.model import choice_letter

    deck, problems = parse_deck(NUMBERED_DECK, Path("numbered.yaml"))
    assert not problems and deck is not None
    card = deck.cards[1]
    order = export_order(card)
    front, back, _, _ = note_fields(card)
    assert front.endswith("<ol class=\"choices\" type=\"A\">" + "".join(f"<li>{card.choices[i]}</li>" for i in order) + "</ol>")
    assert back == f'<div class="correct">{choice_letter(order.index(2))}) Mutual information</div>'
