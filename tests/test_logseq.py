"""Importing Logseq pages: the outline parser, the card rules, and the CLI end to end."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill import paths
from mli_drill.decks.deckfile import load_decks, parse_deck
from mli_drill.decks.logseq import LogseqError, decode_page, deck_yaml, import_page, parse_page, question_id
from tests.conftest import write_deck

SEED = paths.course_notes_path()  # the course notes page, shipped in docs/course-notes/


@pytest.fixture
def no_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide the bundled decks: other people edit them while these tests run."""
    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: tmp_path / "no-bundled-decks")


def only_card(text: str, name: str = "page.md") -> dict:
    result = import_page(text, name)
    assert len(result.cards) == 1, (result.cards, result.warnings)
    return result.cards[0]


def loads(result) -> list:
    """The generated YAML passes the real deck parser; return its cards."""
    deck, problems = parse_deck(deck_yaml(result), Path("imported.yaml"))
    assert problems == [] and deck is not None
    return list(deck.cards)


# -- the course notes ------------------------------------------------------------
def test_course_notes_give_their_two_cards() -> None:
    result = import_page(SEED.read_text(encoding="utf-8"), str(SEED))
    assert result.warnings == []
    assert result.deck_id == "machine-learning-for-imaging"
    assert result.lines == [836, 851]
    receptive, conv = result.cards
    assert receptive["id"] == "logseq-6411aa7f-80ee-4a0d-bdaf-e0e6b35cec02"  # the block's id:: property
    assert receptive["front"] == "Receptive Field 计算"
    assert receptive["back"].splitlines()[0] == "- 从外到内, 从上到下写."
    assert receptive["back"].splitlines()[-1] == r"- $RF_N=1,\  RF_{N-1}= (RF_N - 1)\times stride_n + k_n$"
    assert len(receptive["back"].splitlines()) == 8
    assert conv["id"] == question_id("Convolution和Transposed Convolution的计算")
    assert conv["front"] == "Convolution和Transposed Convolution的计算"
    back = conv["back"].splitlines()
    assert back[0] == "- $o=[(i-k+2p)/s]+1$ - conv, 除法向下取整"
    assert back[2] == "- ```python" and back[-1] == "  ```"
    assert "      return height_out, width_out" in back, "code keeps its indentation under the bullet"
    for card in result.cards:
        assert "::" not in card["back"], "id:: and collapsed:: properties are metadata, not answer text"
    assert [c.id for c in loads(result)] == [receptive["id"], conv["id"]]


# -- outline and card rules ----------------------------------------------------------
def test_nested_children_become_an_indented_bulleted_answer() -> None:
    page = (
        "- What are the steps of AdaBoost? #card\n"
        "\t- weights start equal\n"
        "\t- each round:\n"
        "\t\t- fit a stump\n"
        "\t\t- compute alpha\n"
        "\t\t  from the weighted error\n"
        "\t- final vote\n"
        "- unrelated block\n"
        "\t- not part of the card\n"
    )
    card = only_card(page)
    assert card["front"] == "What are the steps of AdaBoost?"
    assert card["back"] == (
        "- weights start equal\n"
        "- each round:\n"
        "  - fit a stump\n"
        "  - compute alpha\n"
        "    from the weighted error\n"
        "- final vote"
    )


def test_space_indentation_reads_like_tabs() -> None:
    tabs = "- Q #card\n\t- a\n\t\t- b\n\t- c\n"
    spaces = "- Q #card\n  - a\n    - b\n  - c\n"
    assert only_card(tabs) == only_card(spaces)
    assert only_card(spaces)["back"] == "- a\n  - b\n- c"


def test_single_leaf_child_is_a_plain_answer() -> None:
    assert only_card("- Dice in terms of F1? #card\n  - Dice equals $F_1$.\n")["back"] == "Dice equals $F_1$."


def test_cloze_blocks_become_cloze_cards() -> None:
    result = import_page(
        "- Dice equals {{cloze F1}} and {{cloze 2TP/(2TP+FP+FN)}} #card\n"
        "- The {{cloze Jaccard}} index #card\n"
        "  - also called IoU\n"
        "- not a card: {{cloze hidden}}\n"
        "  - child\n",
        "p.md",
    )
    first, second = result.cards
    assert first == {"id": first["id"], "type": "cloze", "text": "Dice equals {{F1}} and {{2TP/(2TP+FP+FN)}}"}
    assert second["text"] == "The {{Jaccard}} index" and second["back"] == "also called IoU"
    cards = loads(result)
    assert cards[0].cloze_answers == ["F1", "2TP/(2TP+FP+FN)"]


def test_numbered_clozes_become_numbered_deletions() -> None:
    result = import_page(
        "- {{c1 Dice}} equals {{c2 F1}} #card\n"
        "- {{cloze2 Jaccard}} is {{cloze1 IoU}} and {{c3::SSD::a sum}} too #card\n"
        "  - see {{c1 Dice}} above\n"
        "- {{cloze a}} mixed with {{c1 b}} #card\n",
        "p.md",
    )
    first, second = result.cards
    assert first["text"] == "{{c1::Dice}} equals {{c2::F1}}"
    assert second["text"] == "{{c2::Jaccard}} is {{c1::IoU}} and {{c3::SSD::a sum}} too"
    assert second["back"] == "see Dice above", "a deletion in the answer is just its words"
    assert result.warnings == [
        "p.md:4: #card block '{{a}} mixed with {{c1::b}}': mixes numbered {{c1::...}} and unnumbered {{...}} deletions; number every deletion; skipped"
    ]
    cards = loads(result)
    assert cards[0].item_keys == (f"card:{first['id']}", f"card:{first['id']}#c2")
    assert cards[1].cloze_numbers == (1, 2, 3)
    assert question_id("{{c1::Dice}} equals {{c2::F1}}") == question_id("{{Dice}} equals {{F1}}"), "numbering keeps the id"


def test_cli_imports_and_reviews_a_numbered_cloze(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    page = write_page(tmp_path, "Metrics.md", "- {{c1 Dice}} equals {{c2 F1}} #card\n")
    assert cli("import", "logseq", str(page)).exit_code == 0
    first = cli("review", "--deck", "metrics", input="\n4\n")
    assert "[…] equals F1" in first.output
    second = cli("review", "--deck", "metrics", input="\n3\n")
    assert "Dice equals […]" in second.output
    card_id = question_id("Dice equals F1")
    assert review_keys(home) == [f"card:{card_id}", f"card:{card_id}#c2"]


def test_other_macros_do_not_become_deletions() -> None:
    card = only_card("- {{cloze SSD}} suits mono-modal registration {{video https://x.org/v}} #card\n")
    assert card["text"] == "{{SSD}} suits mono-modal registration [video https://x.org/v]"


def test_properties_are_skipped_and_id_gives_the_card_id() -> None:
    page = (
        "- What does NMI stand for? #card\n"
        "  id:: 64A1B2C3-0000-4abc-8def-0123456789AB\n"
        "  collapsed:: true\n"
        "  card-last-interval:: 4\n"
        "  card-repeats:: 2\n"
        "  card-ease-factor:: 2.5\n"
        "  card-next-schedule:: 2023-03-20T00:00:00.000Z\n"
        "  card-last-reviewed:: 2023-03-16T00:00:00.000Z\n"
        "  card-last-score:: 5\n"
        "\t- Normalised mutual information\n"
        "\t  id:: 64a1b2c3-1111-4abc-8def-0123456789ab\n"
    )
    card = only_card(page)
    assert card == {
        "id": "logseq-64a1b2c3-0000-4abc-8def-0123456789ab",
        "front": "What does NMI stand for?",
        "back": "Normalised mutual information",
    }


def test_images_become_their_file_name() -> None:
    page = (
        "- Sketch a U-Net ![unet](../assets/unet_1675535884207_0.png) #card\n"
        "  - ![image.png](../assets/image_1675535864049_0.png){:height 86, :width 287}\n"
        "  - skip connections ![a b](../assets/my%20figure.jpeg)\n"
    )
    card = only_card(page)
    assert card["front"] == "Sketch a U-Net [image: unet_1675535884207_0.png]"
    assert card["back"] == "- [image: image_1675535864049_0.png]\n- skip connections [image: my figure.jpeg]"


@pytest.mark.parametrize("tag", ["#card", "#Card", "#[[card]]", "[[card]]"])
def test_every_spelling_of_the_card_tag(tag: str) -> None:
    card = only_card(f"- What is a decision stump {tag} ?\n  - a one-level tree\n")
    assert card["front"] == "What is a decision stump ?"


def test_similar_tags_are_not_the_card_tag() -> None:
    result = import_page("- #cards here\n  - x\n- a#card\n  - y\n- `#card` ok\n  - z\n- ```\n  #card\n  ```\n  - w\n", "p.md")
    assert result.tagged_blocks == 0 and result.cards == []


def test_other_tags_become_card_tags_and_links_read_as_text() -> None:
    card = only_card("- [[Perceptual loss]] uses which norm? #card #dj #[[week 7]]\n  - L2 on [[feature maps]]\n")
    assert card["front"] == "Perceptual loss uses which norm?"
    assert card["back"] == "L2 on feature maps"
    assert card["tags"] == ["dj", "week-7"]


def test_code_fences_are_kept_and_their_dashes_are_not_blocks() -> None:
    page = "- YAML list syntax? #card\n  - ```yaml\n    - a\n    - b: c:: d\n    ```\n"
    assert only_card(page)["back"] == "```yaml\n- a\n- b: c:: d\n```"


def test_crlf_and_cr_line_endings_read_like_lf() -> None:
    page = "- Q one #card\n  id:: 1234abcd\n\t- answer\n\t\t- detail\n- {{cloze two}} #card\n"
    lf = import_page(page, "p.md")
    assert import_page(page.replace("\n", "\r\n"), "p.md").cards == lf.cards
    assert import_page(page.replace("\n", "\r"), "p.md").cards == lf.cards
    assert lf.cards[0]["back"] == "- answer\n  - detail"


def test_hash_ids_ignore_case_spacing_and_answers() -> None:
    a = only_card("- What is  Dice? #card\n  - 2TP/(2TP+FP+FN)\n")
    b = only_card("- what is dice?   #card\n  - F1, edited answer\n")
    assert a["id"] == b["id"] == question_id("What is Dice?")
    assert a["id"].startswith("logseq-") and len(a["id"]) == len("logseq-") + 10
    assert only_card("- What is Jaccard? #card\n  - IoU\n")["id"] != a["id"]


def test_repeated_question_gets_a_numbered_id_and_a_warning() -> None:
    result = import_page("- Same? #card\n  - one\n- Same? #card\n  - two\n", "p.md")
    assert [c["id"] for c in result.cards] == [question_id("Same?"), question_id("Same?") + "-2"]
    assert result.warnings and result.warnings[0].startswith("p.md:3: ")
    loads(result)


def test_card_without_answer_is_reported_with_its_line_and_skipped() -> None:
    result = import_page("- intro\n- Lonely question? #card\n- Good? #card\n  - yes\n- #card\n  - no question\n", "notes/p.md")
    assert [c["front"] for c in result.cards] == ["Good?"]
    assert result.warnings[0].startswith("notes/p.md:2: ") and "no answer" in result.warnings[0]
    assert result.warnings[1].startswith("notes/p.md:5: ") and "no question" in result.warnings[1]
    assert result.tagged_blocks == 3


def test_page_header_title_and_deck_ids() -> None:
    assert import_page("title:: CNN Basics\n- Q #card\n  - A\n", "whatever.md").deck_id == "cnn-basics"
    assert import_page("# Machine Learning for Imaging\n- Q #card\n  - A\n", "x.md").title == "Machine Learning for Imaging"
    assert import_page("- Q #card\n  - A\n", "pages/MLI___Week 3.md").deck_id == "mli-week-3"
    assert import_page("- Q #card\n  - A\n", "pages/MLI%2FWeek 4.md").deck_id == "mli-week-4"
    chinese = import_page("- Q #card\n  - A\n", "pages/机器学习.md")
    assert chinese.deck_id.startswith("logseq-") and chinese.title == "机器学习"
    assert import_page("- Q #card\n  - A\n", "p.md", deck_id="mine").deck_id == "mine"


def test_decode_rejects_binary_and_non_utf8() -> None:
    assert decode_page("\ufeff- Q #card".encode("utf-8"), "p.md") == "- Q #card"
    with pytest.raises(LogseqError, match=r"^p\.md: not UTF-8"):
        decode_page("- Größe #card".encode("latin-1"), "p.md")
    with pytest.raises(LogseqError, match="binary"):
        decode_page(b"\x89PNG\r\n\x1a\n\x00\x00", "p.md")


def test_parse_page_tree_shape() -> None:
    page = parse_page("title:: T\n- a\n  collapsed:: true\n\t- b\n\t  more b\n\t\t- c\n\t- d\n- e\n")
    assert page.title == "T"
    a, e = page.blocks
    assert [b.text for b in a.walk()] == ["a", "b\nmore b", "c", "d"]
    assert a.properties == {"collapsed": "true"} and e.children == []


@settings(max_examples=60, deadline=None)
@given(
    question=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
    answer=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
)
def test_any_text_imports_to_a_loadable_deck(question: str, answer: str) -> None:
    page = f"- {question} #card\n\t- {answer}\n"
    result = import_page(page, "p.md")
    if result.cards:
        loads(result)
    else:
        assert result.warnings, "a #card block that is not imported is always reported"


# -- CLI ---------------------------------------------------------------------------
def write_page(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def review_keys(home: Path) -> list[str]:
    conn = sqlite3.connect(str(home / "progress.db"))
    try:
        return [row[0] for row in conn.execute("SELECT i.key FROM review_log r JOIN items i ON i.id = r.item_id ORDER BY r.id")]
    finally:
        conn.close()


def test_cli_imports_course_notes_into_the_user_decks(home: Path, cli, no_bundled) -> None:
    result = cli("import", "logseq", str(SEED))
    assert result.exit_code == 0, result.output
    target = home / "decks" / "machine-learning-for-imaging.yaml"
    assert f"Imported 2 cards from {SEED} into deck machine-learning-for-imaging: {target}" in result.output
    (deck,) = load_decks([], [home / "decks"])
    assert [c.front for c in deck.cards] == ["Receptive Field 计算", "Convolution和Transposed Convolution的计算"]
    review = cli("review", "--deck", "machine-learning-for-imaging", input="\n3\n\n3\n")
    assert review.exit_code == 0, review.output
    assert "从外到内, 从上到下写." in review.output
    assert review_keys(home) == ["card:logseq-6411aa7f-80ee-4a0d-bdaf-e0e6b35cec02", f"card:{question_id(deck.cards[1].front)}"]


def test_round_trip_keeps_progress_when_the_answer_is_edited(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    notes = tmp_path / "graph" / "pages"
    page = write_page(notes, "Registration.md", "- Which measure for CT-MR? #card\n\t- mutual information\n- Rigid 2D parameters? #card\n  id:: 6411aa7f-0000-4a0d-bdaf-e0e6b35cec02\n\t- 3\n")
    assert cli("import", "logseq", str(page)).exit_code == 0
    first = load_decks([], [home / "decks"])[0]
    ids = [c.id for c in first.cards]
    review = cli("review", "--deck", "registration", input="\n4\n\n4\n")
    assert review.exit_code == 0, review.output
    assert review_keys(home) == [f"card:{i}" for i in ids]

    page.write_text("- which measure for CT-MR?  #card\n\t- normalised mutual information (NMI)\n\t- also MI\n- Rigid 2D parameters, edited? #card\n  id:: 6411aa7f-0000-4a0d-bdaf-e0e6b35cec02\n\t- 3: two translations, one rotation\n", encoding="utf-8")
    again = cli("import", "logseq", str(page))
    assert again.exit_code == 0, again.output
    assert "0 new, 0 removed" in again.output
    edited = load_decks([], [home / "decks"])[0]
    assert [c.id for c in edited.cards] == ids
    assert edited.cards[0].back == "- normalised mutual information (NMI)\n- also MI"
    status = json.loads(cli("status", "--json").output)
    assert status["groups"]["registration"]["learned"] == 2 and status["orphaned"] == 0
    assert review_keys(home) == [f"card:{i}" for i in ids], "the review log keeps both items"
    assert "Nothing is due" in cli("review", "--deck", "registration", input="").output


def test_out_option_and_review_by_path(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    page = write_page(tmp_path, "p.md", "- Q? #card\n  - A\n")
    out = tmp_path / "elsewhere" / "mine.yaml"
    result = cli("import", "logseq", str(page), "--out", str(out), "--deck", "my-deck")
    assert result.exit_code == 0, result.output
    assert f"mli-drill review --deck {out}" in result.output
    assert out.read_text(encoding="utf-8").startswith("# Generated by `mli-drill import logseq`")
    (deck,) = load_decks([], [out])
    assert deck.id == "my-deck" and deck.cards[0].back == "A"
    assert not (home / "decks").exists()


def test_warnings_are_printed_and_good_cards_still_imported(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    page = write_page(tmp_path, "p.md", "- No answer? #card\n- Q? #card\n  - A\n")
    result = cli("import", "logseq", str(page))
    assert result.exit_code == 0
    assert f"warning: {page}:1: #card block 'No answer?' has no answer" in result.output
    assert "Imported 1 card " in result.output and "(1 #card block skipped)" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"- just notes\n  - no cards\n", "no #card blocks found"),
        (b"", "no #card blocks found"),
        (b"- Q? #card\n", "none of the 1 #card blocks could be imported"),
        ("- Größe? #card\n  - x\n".encode("latin-1"), "not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    ],
)
def test_unusable_pages_exit_2_with_one_line(home: Path, cli, no_bundled, tmp_path: Path, content: bytes, message: str) -> None:
    page = tmp_path / "bad.md"
    page.write_bytes(content)
    result = cli("import", "logseq", str(page))
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0] and str(page) in errors[0]
    assert not (home / "decks").exists()


def test_missing_page_is_a_usage_error(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    assert cli("import", "logseq", str(tmp_path / "nope.md")).exit_code == 2


def test_refuses_to_overwrite_a_hand_written_deck(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    mine = write_deck(home / "decks", "p", "deck: p\ntitle: Mine\ncards:\n  - id: mine-1\n    front: F\n    back: B\n")
    page = write_page(tmp_path, "p.md", "- Q? #card\n  - A\n")
    result = cli("import", "logseq", str(page))
    assert result.exit_code == 2 and "was not written by `mli-drill import logseq`" in result.output
    assert "mine-1" in mine.read_text(encoding="utf-8")


def test_refuses_ids_that_another_deck_already_uses(home: Path, cli, no_bundled, tmp_path: Path) -> None:
    page = write_page(tmp_path, "p.md", "- Q? #card\n  - A\n")
    assert cli("import", "logseq", str(page), "--out", str(home / "decks" / "first.yaml")).exit_code == 0
    twice = cli("import", "logseq", str(page))
    assert twice.exit_code == 2 and f"card id {question_id('Q?')!r} is already in" in twice.output
    write_deck(home / "decks", "other", "deck: taken\ntitle: Other\ncards:\n  - id: other-1\n    front: F\n    back: B\n")
    clash = cli("import", "logseq", str(write_page(tmp_path, "p2.md", "- New? #card\n  - A\n")), "--deck", "taken")
    assert clash.exit_code == 2 and "deck id 'taken' is already used" in clash.output
    assert cli("decks", "validate").exit_code == 0, "a refused import leaves the collection loadable"


def test_a_cloze_the_deck_format_cannot_review_is_skipped_with_a_warning() -> None:
    """Found by hypothesis: a cloze macro inside a cloze macro left a deletion with unbalanced braces."""
    result = import_page("- good {{cloze a}} #card\n- #card{{cloze {{cloze x}}\n", "p.md")
    assert [card["text"] for card in result.cards] == ["good {{a}}"]
    assert result.warnings == ["p.md:2: #card block '{{{{cloze x}}': a deletion ends inside math or braces; write '} }' with a space inside LaTeX; skipped"]
    deck, problems = parse_deck(deck_yaml(result), Path("imported.yaml"))
    assert problems == [] and deck is not None and len(deck.cards) == 1
