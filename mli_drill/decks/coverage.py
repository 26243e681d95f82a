"""How well the decks cover the course: cards per deck and per week, and notes headings no card covers.

Pure: decks and page text in, plain data out (``decks coverage`` prints it).

What counts as a *heading* of a Logseq page
    The page is read into blocks by ``mli_drill.decks.logseq``. A block is a heading
    when it is *shaped* like one, its title is *short and not a sentence*, and
    it *says* something:

    * shape: a markdown heading (``## Title``) or a bold-only first line
      (``**Title**``); or a block with children that have text; or a block
      with more text lines under its first line. Leaves (blocks with one line
      and no children) are the content of the heading above them;
    * title: the first line without heading marks, bold, bullet characters
      (``• ▪ – —``), ``#tags``, images, math, inline code, links and macros;
      ``Term: explanation`` and ``Term - explanation`` keep only ``Term``;
    * short: at most 80 characters, 12 CJK characters and 10 Latin words (5 for
      a block whose only body is more text lines: there a long first line is
      a sentence that wraps);
    * not a sentence: not a numbered step (``1. Take ...``), not a question
      (starts with how/what/why/...), not a line cut mid-sentence (ends with a
      stop word such as "of the");
    * says something: at least one key term (below) is left once structural
      words are removed (Lecture, Tutorial(s), Notes, Intro, Week N / WN,
      Advantages/Disadvantages, Tips and tricks, months and weekdays, numbers
      such as years 2021 or papers 1819) and the Chinese section names in
      ``STRUCTURAL_CJK`` (考卷, 难点, 疑点, 计算, ...). Images-only, links-only,
      code and property lines have no title left and are skipped, as is
      everything under an administrative section (Info, Links, Coursework).

Key terms
    NFKD-folded to ASCII letters (Sørensen -> sorensen; mathematical letters
    -> plain ones), lowercased, split on anything that is not a letter or
    digit; stop words, exam-task verbs (implement, describe, ...), pure numbers
    and single letters removed; then a crude stemmer: British ``-is-`` spelt
    ``-iz-``, plurals, ``-ing`` and a final ``e`` removed. Cards are normalised the
    same way, so only consistency matters (``measures``/``measuring`` ->
    ``measur``). Messages show the words as written in the notes.

Chinese headings
    Headings match through the English terms they contain (the notes mix
    both languages). A heading without any Latin-letter term is translated
    with the small course-vocabulary table ``CJK_TERMS``; if that finds no
    term either, the heading is reported as uncovered with the reason "no
    English terms", since nothing can show that a card covers it.

Covered
    A heading is covered when one card contains all of its key terms
    anywhere in the card: front, back, cloze text (deletions read as their
    answers), choices, points, tags, hint, or its ``covers`` field, which
    names headings a card teaches in other words (shown to no student; the
    card's own wording never has to echo a heading). This is deliberately
    strict (a gap finder should rather list a heading too many than hide a
    gap); headings with the same key terms are checked once, at their first line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from mli_drill.decks.logseq import CARD_TAG, HEADING_MARK, OTHER_TAG, PAGE_LINK, Block, parse_page
from mli_drill.model import Card, Deck, cloze_plain

MAX_TITLE_CHARS = 80
MAX_TITLE_WORDS = {"marked": 10, "parent": 10, "titled": 5}
MAX_TITLE_CJK = 12

STOP_WORDS = frozenset(
    """a an the and or but of in on at to for from by with without into onto over under as via vs versus
    is are was were be been being it its this that these those there their them they we you your our i
    how what why when where which who whose whom can could should would will may might must do does did
    not no yes e g eg ie etc also only just very more most less least than then so such some any each
    all both either neither other another same about above below between after before using use used
    one two three first second third during within per like
    make makes get gets let given based assume assuming need needs have has had
    implement describe explain sketch compute calculate define list give state discuss compare
    show write draw find""".split()
)
QUESTION_WORDS = frozenset("how what why when where which who can could does do is are should would".split())
ADMIN_SECTIONS = frozenset({"info", "links", "coursework"})
STRUCTURAL_WORDS = frozenset(
    """lecture lectures tutorial tutorials note notes intro introduction week weeks info
    link links coursework syllabus overview summary recap misc miscellaneous todo question questions
    answer answers example examples advantage advantages disadvantage disadvantages pro pros con cons
    tip tips trick tricks part chapter section exam exams paper papers slide slides reading readings
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun""".split()
)
STRUCTURAL_CJK = ("考卷", "难点", "疑点", "计算", "笔记", "讲座", "总结", "例子", "作业", "复习", "课程", "其他", "问题")
CJK_TERMS = {
    "归一化": "normalization",
    "标准化": "standardization",
    "感受野": "receptive field",
    "转置卷积": "transposed convolution",
    "卷积": "convolution",
    "池化": "pooling",
    "损失函数": "loss",
    "交叉熵": "cross entropy",
    "梯度下降": "gradient descent",
    "反向传播": "backpropagation",
    "正则化": "regularization",
    "过拟合": "overfitting",
    "欠拟合": "underfitting",
    "激活函数": "activation",
    "集成学习": "ensemble",
    "决策树": "decision tree",
    "随机森林": "random forest",
    "图像配准": "registration",
    "配准": "registration",
    "图像分割": "segmentation",
    "分割": "segmentation",
    "互信息": "mutual information",
    "插值": "interpolation",
    "图谱": "atlas",
    "生成模型": "generative",
    "目标检测": "object detection",
    "联邦学习": "federated learning",
    "对抗": "adversarial",
    "可解释性": "interpretability",
    "降维": "dimensionality reduction",
    "聚类": "clustering",
}
ENUMERATED = re.compile(r"^\(?\d+[.)]\s")
WEEK_TOKEN = re.compile(r"^(?:w|week|wk)\d*$")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*")
TOKEN = re.compile(r"[a-z0-9]+")
FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d"})
BULLET_CHARS = "•▪▫◦·–—-*> \t"
MARKDOWN_LINK = re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)(?:\{[^}\n]*\})?")
URL = re.compile(r"(?:https?|file)://\S+")
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_MATH = re.compile(r"\$[^$\n]*\$")
MACRO = re.compile(r"\{\{[^{}\n]*\}\}")


@dataclass
class DeckCount:
    deck: str
    title: str
    week: int | None
    cards: int
    by_type: dict[str, int]


@dataclass
class WeekCount:
    week: int | None
    decks: list[str]
    cards: int


@dataclass
class Heading:
    line: int
    text: str  # the heading's title as shown to the student
    terms: tuple[str, ...]  # key terms (stems) that a covering card must contain
    words: tuple[str, ...] = ()  # the same terms as written in the heading, for messages
    reason: str = ""  # why it cannot be matched at all ("no English terms"), else ""


@dataclass
class HeadingResult:
    heading: Heading
    covered_by: str | None  # id of one card that covers it
    missing: tuple[str, ...] = field(default=())  # words (as written) whose term no card contains


# -- counts --------------------------------------------------------------------
def deck_counts(decks: Iterable[Deck]) -> list[DeckCount]:
    """Cards per deck and per card type, in course order (week, then deck id)."""
    rows = []
    for deck in decks:
        by_type: dict[str, int] = {}
        for card in deck.cards:
            by_type[card.type] = by_type.get(card.type, 0) + 1
        rows.append(DeckCount(deck.id, deck.title, deck.week, len(deck.cards), dict(sorted(by_type.items()))))
    return sorted(rows, key=lambda row: (row.week if row.week is not None else 99, row.deck))


def week_counts(decks: Iterable[Deck]) -> list[WeekCount]:
    """Cards per course week; decks without a week are grouped under ``None`` (listed last)."""
    weeks: dict[int | None, WeekCount] = {}
    for row in deck_counts(decks):
        entry = weeks.setdefault(row.week, WeekCount(row.week, [], 0))
        entry.decks.append(row.deck)
        entry.cards += row.cards
    return sorted(weeks.values(), key=lambda w: w.week if w.week is not None else 99)


# -- terms -----------------------------------------------------------------------
def _stem(word: str) -> str:
    """Crude but symmetric: applied to notes and cards alike, so it only needs to be consistent.

    British ``-is-`` becomes ``-iz-``; plurals, ``-ing`` and a final ``e`` go, so
    ``measures``, ``measuring`` and ``measure`` all read ``measur``.
    """
    if len(word) > 5:
        word = re.sub(r"is(ation|ations|e|es|ed|ing|er|ers)$", r"iz\1", word)
    if len(word) > 3 and word.endswith("s"):
        if word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"
        elif word.endswith(("sses", "xes", "ches", "shes")):
            word = word[:-2]
        elif not word.endswith(("ss", "us", "is", "as", "os")):
            word = word[:-1]
    if word.endswith("ing") and len(word) > 5 and re.search(r"[aeiouy]", word[:-3]):
        word = word[:-3]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouylsz":
            word = word[:-1]
    if word.endswith("e") and len(word) > 3 and not word.endswith(("ee", "ie")):
        word = word[:-1]
    return word


def _words(text: str) -> list[tuple[str, str]]:
    """(stem, word as written) for each content word of ``text``, first occurrence of each stem."""
    normal = unicodedata.normalize("NFKD", text.translate(FOLD)).lower().replace("’", "'")
    normal = "".join(char for char in normal if not unicodedata.combining(char))
    normal = re.sub(r"'s\b", "", normal)
    found: dict[str, str] = {}
    for token in TOKEN.findall(normal):
        if token.isdigit() or len(token) == 1 or _ignored(token):
            continue
        stem = _stem(token)
        if not _ignored(stem):
            found.setdefault(stem, token)
    return list(found.items())


def _ignored(token: str) -> bool:
    return token in STOP_WORDS or token in STRUCTURAL_WORDS or bool(WEEK_TOKEN.match(token))


def key_terms(text: str) -> list[str]:
    """Normalised content words of ``text``, in order, without duplicates."""
    return [stem for stem, _ in _words(text)]


def card_text(card: Card) -> str:
    """Everything on a card a heading can be matched in: what a student reads, its tags, and ``covers``."""
    parts = [card.front, card.back, cloze_plain(card.text), card.hint, *card.choices, *card.points, *card.tags, *card.covers]
    return "\n".join(part for part in parts if part)


def card_terms(card: Card) -> set[str]:
    """A card's key terms, plus short adjacent words glued together ("CT-MR" also gives "ctmr",
    the notes' own shorthand)."""
    text = card_text(card)
    terms = set(key_terms(text))
    tokens = TOKEN.findall(text.lower())
    terms.update(a + b for a, b in zip(tokens, tokens[1:]) if len(a) <= 4 and len(b) <= 4)
    return terms


def _spelling_fixes(terms: Iterable[str], vocabulary: set[str]) -> dict[str, str]:
    """Map misspelt heading terms ("propogation", "classificatin") to the cards' spelling.

    Only long words (7+ letters) with one close match (similarity >= 0.85) are
    mapped, so short terms and genuinely different words still count as missing.
    """
    import difflib

    fixes = {}
    for term in set(terms) - vocabulary:
        if len(term) >= 7:
            close = difflib.get_close_matches(term, vocabulary, n=1, cutoff=0.85)
            if close:
                fixes[term] = close[0]
    return fixes


# -- headings --------------------------------------------------------------------
def heading_title(first_line: str) -> str:
    """The title part of a block's first line (see the module docstring)."""
    text = HEADING_MARK.sub("", first_line.strip())
    text = CARD_TAG.sub(" ", text)
    text = OTHER_TAG.sub(" ", text)
    for pattern in (MARKDOWN_LINK, URL, INLINE_CODE, INLINE_MATH, MACRO):
        text = pattern.sub(" ", text)
    text = PAGE_LINK.sub(lambda m: m.group(1), text)
    text = text.replace("**", "").replace("__", "")
    text = " ".join(text.split()).strip(BULLET_CHARS)
    for separator in (": ", "：", " - ", " – ", " — "):
        head, found, _ = text.partition(separator)
        if found and head.strip(BULLET_CHARS):
            text = head
    return text.strip(BULLET_CHARS + ":,;.。，；")


def _translated_words(title: str) -> list[tuple[str, str]] | None:
    """Key terms of a heading without Latin letters, through ``CJK_TERMS``.

    None when it holds only structural words (not an idea); [] when it holds
    Chinese that the table does not know.
    """
    remaining = title
    for word in STRUCTURAL_CJK:
        remaining = remaining.replace(word, " ")
    english: list[str] = []
    for chinese in sorted(CJK_TERMS, key=len, reverse=True):
        if chinese in remaining:
            remaining = remaining.replace(chinese, " ")
            english.append(CJK_TERMS[chinese])
    if not english and not CJK.search(remaining):
        return None
    return _words(" ".join(english))


def _shape(block: Block) -> str | None:
    """How a block is shaped: a marked heading, a parent, a titled text, or not a heading (None)."""
    first = block.first_line.strip()
    if not first or first.startswith("```"):
        return None
    if HEADING_MARK.match(first) or re.fullmatch(r"\*\*[^*]+\*\*:?", first):
        return "marked"
    if any(child.has_content() for child in block.children):
        return "parent"
    if sum(1 for line in block.lines if line.strip()) > 1:
        return "titled"
    return None


def _is_title(title: str, shape: str) -> bool:
    """Short, and not a sentence: no numbered step, no question, no line cut mid-sentence."""
    words = [word.lower() for word in LATIN_WORD.findall(title)]
    if len(title) > MAX_TITLE_CHARS or len(words) > MAX_TITLE_WORDS[shape] or len(CJK.findall(title)) > MAX_TITLE_CJK:
        return False
    if ENUMERATED.match(title):
        return False
    if len(words) > 1 and words[0] in QUESTION_WORDS:
        return False
    return not (len(words) > 1 and words[-1] in STOP_WORDS and title[-1].isalpha())


def notes_headings(text: str) -> list[Heading]:
    """The page's headings (the rule is in the module docstring), each heading once."""
    headings: list[Heading] = []
    seen: set[tuple[str, ...]] = set()
    for block in _idea_blocks(parse_page(text).blocks):
        shape = _shape(block)
        title = heading_title(block.first_line) if shape else ""
        if not shape or not title or not _is_title(title, shape):
            continue
        heading = _heading(block.line, title)
        if heading is None:
            continue
        key = heading.terms or (heading.text,)
        if key not in seen:
            seen.add(key)
            headings.append(heading)
    return headings


def _idea_blocks(blocks: list[Block]) -> list[Block]:
    """Every block in page order, except administrative sections (Info, Links, Coursework) and their contents."""
    found: list[Block] = []
    for block in blocks:
        if heading_title(block.first_line).lower() in ADMIN_SECTIONS:
            continue
        found.append(block)
        found.extend(_idea_blocks(block.children))
    return found


def _heading(line: int, title: str) -> Heading | None:
    words = _words(title)
    if words:
        return Heading(line, title, tuple(stem for stem, _ in words), tuple(word for _, word in words))
    if not CJK.search(title):
        return None  # dates, numbers, structural words, symbols
    translated = _translated_words(title)
    if translated is None:
        return None
    if not translated:
        return Heading(line, title, (), (), reason="no English terms")
    return Heading(line, title, tuple(stem for stem, _ in translated), tuple(word for _, word in translated))


def check_headings(headings: list[Heading], cards: Iterable[Card]) -> list[HeadingResult]:
    """For each heading, one card that covers it (or None) and the terms no card has."""
    indexed = [(card.id, card_terms(card)) for card in cards]
    vocabulary: set[str] = set().union(*(terms for _, terms in indexed)) if indexed else set()
    fixes = _spelling_fixes((t for h in headings for t in h.terms), vocabulary)
    results = []
    for heading in headings:
        needed = {fixes.get(term, term) for term in heading.terms}
        covering = None if heading.reason else next((cid for cid, terms in indexed if needed <= terms), None)
        missing = tuple(word for term, word in zip(heading.terms, heading.words) if fixes.get(term, term) not in vocabulary)
        results.append(HeadingResult(heading, covering, missing))
    return results


def uncovered(results: list[HeadingResult]) -> list[HeadingResult]:
    return [result for result in results if result.covered_by is None]


def report_dict(decks: list[Deck], results: list[HeadingResult] | None, notes: str | None) -> dict:
    """The whole report as plain data (``--json``)."""
    data: dict = {
        "decks": [vars(row) for row in deck_counts(decks)],
        "weeks": [vars(row) for row in week_counts(decks)],
        "total_cards": sum(len(deck.cards) for deck in decks),
    }
    if results is not None:
        missing = uncovered(results)
        data["notes"] = {
            "file": notes,
            "headings": len(results),
            "covered": len(results) - len(missing),
            "uncovered": [
                {
                    "line": r.heading.line,
                    "heading": r.heading.text,
                    "terms": list(r.heading.words),
                    "missing_terms": list(r.missing),
                    "reason": why_uncovered(r),
                }
                for r in missing
            ],
        }
    return data


def why_uncovered(result: HeadingResult) -> str:
    """One phrase for the report: what a card would need to cover this heading."""
    if result.heading.reason:
        return result.heading.reason
    if result.missing:
        return "no card mentions " + ", ".join(result.missing)
    return "no single card has all of " + ", ".join(result.heading.words)
