"""Dataclasses shared by every layer: decks and their cards.

A card's ``id`` is its identity for progress: editing its text keeps its
history; ids are unique across all decks. Cards are plain data; how a card is
reviewed lives in ``session``, how it looks in ``render``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from mli_drill.vocabulary import KEY_SEPARATOR, STATUSES, CardType, ItemKey, ItemKind, Rating, Status

CARD_TYPES = ("basic", "cloze", "mcq", "points")
CLOZE_PATTERN = re.compile(r"\{\{(.+?)\}\}", re.DOTALL)
NUMBERED_DELETION = re.compile(r"c(\d+)::(.*)\Z", re.DOTALL)  # the inside of {{c2::answer}} or {{c2::answer::hint}}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
CARD_PREFIX = "card" + KEY_SEPARATOR  # str(ItemKey.card(ID)), see card_item_key
FAMILY_PREFIX = "family" + KEY_SEPARATOR  # family:NAME is the review item of a problem family
CLOZE_KEY_MARK = "#c"  # card:ID#c2 is the review item of deletion c2 (card ids cannot contain '#')
HIDDEN = "[…]"


@dataclass(frozen=True)
class Deletion:
    """One ``{{...}}`` of a cloze text: where it is, what it hides and, for ``{{cN::...}}``, its number.

    An unnumbered deletion hides its whole inside, as written (``{{a::b}}``
    hides ``a::b``). A numbered one follows Anki: ``{{c2::answer::hint}}``
    hides ``answer`` and shows ``[hint]`` in its place.
    """

    start: int
    end: int
    answer: str
    number: int | None = None
    hint: str = ""


def cloze_deletions(text: str) -> list[Deletion]:
    found = []
    for match in CLOZE_PATTERN.finditer(text):
        inside = match.group(1)
        numbered = NUMBERED_DELETION.match(inside)
        if numbered:
            answer, _, hint = numbered.group(2).partition("::")
            found.append(Deletion(match.start(), match.end(), answer.strip(), int(numbered.group(1)), hint.strip()))
        else:
            found.append(Deletion(match.start(), match.end(), inside))
    return found


def cloze_numbers(text: str) -> tuple[int, ...]:
    """The distinct deletion numbers of a numbered cloze text, ascending; () for an unnumbered one."""
    return tuple(sorted({d.number for d in cloze_deletions(text) if d.number is not None}))
# C0 and C1 control characters and DEL, all but tab and newline. A terminal obeys
# them (ESC starts sequences that clear the screen or set the clipboard), so the
# deck loader refuses them, the importers drop them, and render.console.inert shows them.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def cloze_text_problem(text: str) -> str | None:
    """Why a cloze card's text cannot be reviewed, or None (shared by the deck loader and the importers)."""
    deletions = cloze_deletions(text)
    if not deletions:
        return "'text' needs at least one {{deletion}}"
    insides = [text[d.start + 2 : d.end - 2] for d in deletions]
    if any(inside.count("$") % 2 or inside.count("{") != inside.count("}") for inside in insides):
        return "a deletion ends inside math or braces; write '} }' with a space inside LaTeX"
    numbered = [d for d in deletions if d.number is not None]
    if numbered and len(numbered) != len(deletions):
        return "mixes numbered {{c1::...}} and unnumbered {{...}} deletions; number every deletion"
    if any(d.number == 0 for d in numbered):
        return "deletion numbers start at c1"
    if any(not d.answer for d in numbered):
        return "a numbered deletion hides nothing; write {{c1::answer}}"
    return None


def _cloze_render(text: str, number: int | None, hidden: Callable[[Deletion], str]) -> str:
    """The text with each deletion replaced: ``hidden(d)`` for those this review item asks, the answer for the others."""
    parts: list[str] = []
    position = 0
    for deletion in cloze_deletions(text):
        parts.append(text[position : deletion.start])
        asked = number is None or deletion.number is None or deletion.number == number
        parts.append(hidden(deletion) if asked else deletion.answer)
        position = deletion.end
    parts.append(text[position:])
    return "".join(parts)


def cloze_prompt(text: str, number: int | None = None) -> str:
    """The question: deletion ``number`` hidden (every deletion when None or unnumbered), the others shown."""
    return _cloze_render(text, number, lambda d: f"[{d.hint}]" if d.hint else HIDDEN)


def cloze_reveal(text: str, number: int | None = None) -> str:
    """The answer: the asked deletions as «answer», the others as plain text."""
    return _cloze_render(text, number, lambda d: f"«{d.answer}»")


def cloze_plain(text: str) -> str:
    """The text as a sentence: every deletion replaced by its answer."""
    return _cloze_render(text, None, lambda d: d.answer)


def card_item_key(card_id: str, cloze: int | None = None) -> str:
    """The store key of a card's review item: ``card:ID`` for the card (and for its deletion c1), ``card:ID#cN`` for cN.

    Deletion c1 keeping the plain key means that numbering the deletions of
    an existing card keeps its review history on c1. The text is
    ``str(ItemKey.card(...))``, formatted directly: every card of every deck
    gets its keys built, so no tuple is made on the way.
    """
    return f"{CARD_PREFIX}{card_id}" if cloze is None or cloze == 1 else f"{CARD_PREFIX}{card_id}{CLOZE_KEY_MARK}{cloze}"


def card_item_keys(card_id: str, clozes: Sequence[int]) -> tuple[str, ...]:
    """One key per deletion number of a numbered cloze card, else the card's one key."""
    return tuple(card_item_key(card_id, number) for number in clozes) or (card_item_key(card_id),)


def choice_letter(index: int) -> str:
    return chr(ord("A") + index)


def choice_order(card_id: str, count: int, reviews: int) -> tuple[int, ...]:
    """The order an mcq card's choices are shown in, as deck positions (the first is shown as A).

    Seeded by the card id and the number of reviews the card has had, so a
    review shows the same order however often it is drawn (a redraw, an undo
    and the retry after it), and the next review a new one. Consecutive reviews
    never show the same order: the permutation's parity alternates with the
    review count, starting from a parity drawn per card, and two permutations
    of different parity always differ. Within a parity every order is equally
    likely, so for three or more choices the correct one lands on each letter
    equally often; two choices simply alternate. A hash (not ``random``) keeps
    the order the same on every Python version.
    """
    import hashlib

    def rank(index: int) -> bytes:
        return hashlib.sha256(f"{card_id}\x1f{reviews}\x1f{index}".encode()).digest()

    order = sorted(range(count), key=rank)
    if count >= 2 and _parity(order) != (reviews + hashlib.sha256(card_id.encode()).digest()[0]) % 2:
        order[0], order[1] = order[1], order[0]  # a bijection between the two parities: uniform within each
    return tuple(order)


def _parity(order: Sequence[int]) -> int:
    """0 for an even permutation, 1 for an odd one (length minus the number of cycles, mod 2)."""
    seen = [False] * len(order)
    cycles = 0
    for start in range(len(order)):
        if not seen[start]:
            cycles += 1
            index = start
            while not seen[index]:
                seen[index] = True
                index = order[index]
    return (len(order) - cycles) % 2


def sibling_group(key: str) -> str:
    """Items of one card share this (``card:ID``); a family's key is its own group."""
    return key.partition(CLOZE_KEY_MARK)[0]


@dataclass(frozen=True)
class Card:
    id: str
    deck: str
    type: CardType = "basic"
    front: str = ""
    back: str = ""
    text: str = ""  # cloze: the sentence with {{deletions}}
    choices: tuple[str, ...] = ()  # mcq
    answer: str = ""  # mcq: the correct letter, "A".."Z"
    points: tuple[str, ...] = ()  # points: the marking scheme
    tags: tuple[str, ...] = ()
    hint: str = ""
    family: str = ""  # a problem family that drills this computation
    covers: tuple[str, ...] = ()  # notes headings this card covers, for `decks coverage` only (never shown)
    source: str = ""  # "file:line" where the card is defined
    order: int = 0  # position in its deck, for introducing new cards in order

    @property
    def item_key(self) -> str:
        """The key of the card's first review item (the card itself, or its deletion c1)."""
        return self.item_keys[0]

    @property
    def item_keys(self) -> tuple[str, ...]:
        """One review item per deletion number of a numbered cloze card; one for any other card."""
        return card_item_keys(self.id, self.cloze_numbers)

    @property
    def cloze_numbers(self) -> tuple[int, ...]:
        return cloze_numbers(self.text) if self.type == "cloze" else ()

    def cloze_for(self, key: str) -> int | None:
        """The deletion number the review item ``key`` asks (None: every deletion of an unnumbered card)."""
        if not self.cloze_numbers:
            return None
        number = key.partition(CLOZE_KEY_MARK)[2]
        return int(number) if number.isdigit() else 1

    @property
    def prompt(self) -> str:
        """What the student sees before revealing the answer (a cloze with every deletion hidden)."""
        return self.prompt_for(None)

    def prompt_for(self, cloze: int | None) -> str:
        """The question of one review item: a cloze shows the deletions other than ``cloze``."""
        if self.type == "cloze":
            return cloze_prompt(self.text, cloze)
        return self.front

    @property
    def cloze_answers(self) -> list[str]:
        return [deletion.answer for deletion in cloze_deletions(self.text)]

    @property
    def answer_index(self) -> int:
        return ord(self.answer.upper()) - ord("A")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items() if v not in ("", (), None)}


class CardSummary(NamedTuple):
    """What queues, filters and counts need to know of a card, without its text.

    A deck served from the parse cache carries these for every card, and
    decodes a full :class:`Card` only when something shows it: a review of a
    ten-thousand-card collection then builds one card, not ten thousand.
    (A named tuple: several times cheaper to build than a frozen dataclass.)
    """

    id: str
    deck: str
    type: CardType = "basic"
    tags: tuple[str, ...] = ()
    points: int = 0  # how many marking points (points cards)
    clozes: tuple[int, ...] = ()  # the deletion numbers of a numbered cloze card

    @classmethod
    def of(cls, card: Card) -> "CardSummary":
        return cls(card.id, card.deck, card.type, card.tags, len(card.points), card.cloze_numbers)

    @property
    def item_key(self) -> str:
        """The key of the card's first review item."""
        return self.item_keys[0]

    @property
    def item_keys(self) -> tuple[str, ...]:
        return card_item_keys(self.id, self.clozes)


@dataclass(frozen=True)
class Deck:
    """A deck file's cards. ``cards`` is any sequence: a tuple when parsed, a lazy one from the cache."""

    id: str
    title: str
    path: Path
    topic: str = ""
    week: int | None = None
    bundled: bool = True
    cards: Sequence[Card] = field(default=())

    @cached_property
    def summaries(self) -> tuple[CardSummary, ...]:
        """One summary per card, in deck order (from the cache without decoding any card)."""
        known = getattr(self.cards, "summaries", None)
        return known if known is not None else tuple(CardSummary.of(card) for card in self.cards)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "topic": self.topic,
            "week": self.week,
            "path": str(self.path),
            "bundled": self.bundled,
            "cards": len(self.cards),
        }


@dataclass
class ItemState:
    """Scheduling state of one reviewable item (a card or a problem family), as stored.

    ``state`` is ``Status.New`` (0) for a new item, else the value of ``fsrs.State``.
    """

    key: str
    kind: ItemKind
    deck: str = ""
    state: Status = Status.New
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: str | None = None
    last_review: str | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    leech: bool = False
    orphaned: bool = False
    introduced_at: str | None = None

    @property
    def is_new(self) -> bool:
        return self.state == Status.New

    @property
    def name(self) -> str:
        """The card id or family name without the kind prefix."""
        return ItemKey.parse(self.key).id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "ItemState":
        fields = {k: row[k] for k in cls.__dataclass_fields__ if k in row}
        for flag in ("suspended", "leech", "orphaned"):
            if flag in fields:
                fields[flag] = bool(fields[flag])
        if "state" in fields:
            fields["state"] = STATUSES[fields["state"]]
        return cls(**fields)


@dataclass(frozen=True)
class ReviewRecord:
    """One answer, as appended to the review log."""

    key: str
    reviewed_at: str
    rating: Rating
    duration_ms: int | None = None
    answer: str | None = None
    correct: bool | None = None
    source: str = "review"
    detail: str | None = None
    # slips diagnosed in a wrong answer (mli_drill.problems.mistakes): {"id", "message"} each
    mistakes: tuple[dict[str, str], ...] = ()
