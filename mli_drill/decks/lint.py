"""Deck quality checks behind ``mli-drill decks lint``: cards that teach one fact twice, and guessable multiple choice.

Pure: cards in, findings out (the CLI loads the decks and prints).

Near-duplicate cards
    A card's *words* are the distinct tokens ``[a-z0-9]+`` of its lowercased
    text, minus the small English stop-word list ``STOP_WORDS``. Its text is
    the front, back, choices, points and cloze text (each deletion read as its
    answer, so ``{{c1::Dice}}`` gives ``dice``); tags, hints and ``covers`` are
    not what a student learns and do not count. Two cards A and B are
    near-duplicates when

        |A ∩ B| / max(|A|, |B|) >= 0.5

    that is, when they share at least half the words of the wordier card. The
    measure is symmetric and deliberately crude: it finds the same question
    asked twice, the same worked example on two cards, and one fact spread
    over several cards; two cards that only share vocabulary rarely reach half.

Guessable multiple choice
    An mcq card is *longest-correct* when its correct choice has at least as
    many characters (as written in the deck) as every other choice: a tie
    counts, since "pick the longest" still beats chance then. When more than
    a third of the mcq cards are longest-correct, the layout teaches the
    answer. (Choices are shuffled at display, so the letter gives nothing away.)

Letter references
    Choices are shown in a new order at every review, so an explanation, hint
    or choice that points at a choice by its letter or position ("B is
    right", "option C", "both A and B", "all of the above") is wrong most of
    the time. Such phrases are reported; refer to a choice by its content.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from mli_drill.model import Card, cloze_plain

DUPLICATE_SHARE = Fraction(1, 2)  # near-duplicates share at least this share of the wordier card's words
LONGEST_CORRECT_LIMIT = Fraction(1, 3)  # at most this share of mcq cards may have the longest choice correct

TOKEN = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    """a an and are as at be been but by can do does for from has have how if in into is it its
    may more most no not of on or so such than that the their them then there these they this those
    to was were what when where which while who why will with would you your""".split()
)
LETTER_REFERENCE = re.compile(
    r"\b(?:options?|choices?|answers?|letters?)\s+\(?[A-Z]\b\)?"  # option B, answer (C)
    r"|\b(?:both|either|neither)\s+[A-Z]\s+(?:and|or|nor)\s+[A-Z]\b"  # both A and B
    r"|\b[A-Z]\s+is\s+(?:the\s+)?(?:right|correct|wrong|incorrect|true|false|best|answer)\b"  # B is right
    r"|\b(?:all|none|both|neither)\s+of\s+the\s+(?:above|others|options|choices)\b"  # all of the above
    r"|\b(?:the\s+)?(?:first|second|third|fourth|last|previous|next)\s+(?:option|choice|answer)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DuplicatePair:
    first: Card
    second: Card
    share: Fraction  # |A ∩ B| / max(|A|, |B|)
    shared: tuple[str, ...]  # the common words, sorted

    def to_dict(self) -> dict:
        return {
            "cards": [self.first.id, self.second.id],
            "decks": [self.first.deck, self.second.deck],
            "sources": [self.first.source, self.second.source],
            "share": round(float(self.share), 3),
            "shared_words": list(self.shared),
        }


@dataclass(frozen=True)
class LetterReference:
    card: Card
    field: str  # back, hint, front or choice N
    phrase: str

    def to_dict(self) -> dict:
        return {"card": self.card.id, "deck": self.card.deck, "source": self.card.source, "field": self.field, "phrase": self.phrase}


@dataclass
class LintReport:
    cards: int
    duplicates: list[DuplicatePair]
    mcq_cards: int
    longest_correct: list[Card]  # mcq cards whose correct choice is the longest
    letter_references: list[LetterReference] = field(default_factory=list)

    @property
    def longest_share(self) -> Fraction:
        return Fraction(len(self.longest_correct), self.mcq_cards) if self.mcq_cards else Fraction(0)

    @property
    def longest_ok(self) -> bool:
        return self.longest_share <= LONGEST_CORRECT_LIMIT

    @property
    def ok(self) -> bool:
        return not self.duplicates and self.longest_ok and not self.letter_references

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "cards": self.cards,
            "near_duplicates": [pair.to_dict() for pair in self.duplicates],
            "mcq": {
                "cards": self.mcq_cards,
                "longest_correct": len(self.longest_correct),
                "share": round(float(self.longest_share), 3),
                "limit": round(float(LONGEST_CORRECT_LIMIT), 3),
                "ok": self.longest_ok,
                "longest_correct_cards": [card.id for card in self.longest_correct],
            },
            "letter_references": [ref.to_dict() for ref in self.letter_references],
        }


# -- near-duplicates -------------------------------------------------------------------
def learned_text(card: Card) -> str:
    """What a student learns from a card: front, back, choices, points and the cloze text with its answers."""
    parts = [card.front, card.back, *card.choices, *card.points, cloze_plain(card.text) if card.text else ""]
    return "\n".join(part for part in parts if part)


def card_words(card: Card) -> frozenset[str]:
    """The set of lowercased ``[a-z0-9]+`` tokens of the card's text, stop words removed."""
    return frozenset(TOKEN.findall(learned_text(card).lower())) - STOP_WORDS


def overlap(a: frozenset[str], b: frozenset[str]) -> Fraction:
    """|A ∩ B| / max(|A|, |B|); 0 when either set is empty."""
    if not a or not b:
        return Fraction(0)
    return Fraction(len(a & b), max(len(a), len(b)))


def near_duplicates(cards: Iterable[Card], threshold: Fraction = DUPLICATE_SHARE) -> list[DuplicatePair]:
    """Every pair of cards whose overlap reaches ``threshold``, in the order the cards were given.

    An inverted index counts the shared words of only those pairs that share
    any, so a large collection is not compared pair by pair.
    """
    cards = list(cards)
    words = [card_words(card) for card in cards]
    postings: dict[str, list[int]] = {}
    pairs = []
    for index, mine in enumerate(words):
        shared_with: Counter[int] = Counter()
        for word in mine:
            for other in postings.get(word, ()):
                shared_with[other] += 1
            postings.setdefault(word, []).append(index)
        for other, count in shared_with.items():
            share = Fraction(count, max(len(mine), len(words[other])))
            if share >= threshold:
                pairs.append((other, index, share))
    pairs.sort()
    return [DuplicatePair(cards[i], cards[j], share, tuple(sorted(words[i] & words[j]))) for i, j, share in pairs]


# -- multiple choice ---------------------------------------------------------------------
def longest_is_correct(card: Card) -> bool:
    """The correct choice has at least as many characters as every other choice."""
    correct = len(card.choices[card.answer_index])
    return all(correct >= len(choice) for choice in card.choices)


def letter_references(card: Card) -> list[LetterReference]:
    """Phrases of an mcq card that point at a choice by letter or position (wrong once choices are shuffled)."""
    if card.type != "mcq":
        return []
    fields = [("front", card.front), ("back", card.back), ("hint", card.hint)]
    fields += [(f"choice {index + 1}", choice) for index, choice in enumerate(card.choices)]
    found = []
    for name, text in fields:
        for match in LETTER_REFERENCE.finditer(text):
            found.append(LetterReference(card, name, match.group(0)))
    return found


def lint(cards: Iterable[Card]) -> LintReport:
    cards = list(cards)
    mcq = [card for card in cards if card.type == "mcq"]
    return LintReport(
        cards=len(cards),
        duplicates=near_duplicates(cards),
        mcq_cards=len(mcq),
        longest_correct=[card for card in mcq if longest_is_correct(card)],
        letter_references=[ref for card in mcq for ref in letter_references(card)],
    )
