"""The review and practice loop, as a state machine over an input source.

A session reads lines from an :class:`Terminal`-like object (``ask``) and
reports what happens as events (``emit``). The CLI connects it to the keyboard
and rich; tests connect it to a list of lines. Every answer is committed to
the store (``Store.apply_review``) before the next item is shown, so quitting,
Ctrl-C, end of input or a crash lose nothing already answered.

One keystroke-line per line: a basic card takes two lines (Enter to reveal,
then a rating), an mcq card takes a letter and then Enter (keep the automatic
rating) or a rating; a problem takes the answer and then Enter or a rating.
Text typed at "Enter to reveal" is shown beside the answer (and logged).
At every prompt ``u`` takes back the latest saved answer and shows that item
again (a problem with the same numbers) and ``q`` quits; at the rating prompt
``s`` suspends the item.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Protocol

from mli_drill.review import scheduling
from mli_drill.clock import iso
from mli_drill.model import Card, ItemState, ReviewRecord, choice_letter, choice_order
from mli_drill.review.events import (
    Event, Notice, RevealCard, Saved, ShowCard, ShowHint, ShowProblem, ShowRatingHints, ShowSolution, ShowVerdict,
)
from mli_drill.vocabulary import LEARNING_STEPS, ItemKey, Rating
from mli_drill.problems.mistakes import diagnose
from mli_drill.problems.answers import AnswerSyntaxError, check, example_for
from mli_drill.problems.instance import make_instance, new_seed

if TYPE_CHECKING:
    from mli_drill.review.ability import LevelChoice
    from mli_drill.problems.mistakes import Diagnosis

LEARN_AHEAD = timedelta(minutes=20)  # like Anki: learning steps due soon come back this session


class SessionStore(Protocol):
    """What a session asks of the store (:class:`mli_drill.store.Store` has it): items, answers and their undoing."""

    def item(self, key: str) -> ItemState | None: ...

    def set_suspended(self, key: str, suspended: bool) -> bool: ...

    def next_due(self, keys: Iterable[str] | None = None) -> str | None: ...

    def apply_review(
        self, record: ReviewRecord, schedule: Callable[[ItemState], ItemState], replaces: tuple[int, ItemState] | None = None
    ) -> tuple[ItemState, ItemState, int]: ...

    def undo_review(self, log_id: int, before: ItemState) -> None: ...


class Terminal(Protocol):
    def ask(self, prompt: str) -> str | None:
        """One line of input without its newline; None at end of input."""

    def emit(self, event: Event) -> None:
        """Show an event to the student."""


@dataclass(frozen=True)
class Summary:
    reviewed: int
    correct: int
    seconds: float
    next_due: str | None
    ratings: dict[Rating, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviewed": self.reviewed,
            "correct": self.correct,
            "seconds": round(self.seconds, 1),
            "next_due": self.next_due,
            "ratings": {rating.label: v for rating, v in sorted(self.ratings.items())},
        }


# -- control flow ------------------------------------------------------------
class _Quit(Exception):
    """The student typed q, pressed Ctrl-C or the input ended."""


class _Undo(Exception):
    """The student typed u at a prompt (and there is an answer to take back)."""


class _Suspend(Exception):
    """The student typed s at a rating prompt."""


LEARNING = "learning"  # Entry.kind of a learning step that comes back within the session


@dataclass
class Entry:
    """One thing to show: a card, or a problem family (drawn fresh each time).

    A card entry holds the card, or ``cards`` to find it in when it is shown:
    a queue of thousands then decodes only the cards the student reaches.
    ``seed`` pins a problem's instance (set when an undone problem is shown
    again); ``kind`` ("new", "due", "learning" or "") only labels the counter.
    """

    key: str
    card: Card | None = None
    family: str | None = None
    cards: Mapping[str, Card] | None = field(default=None, repr=False, compare=False)
    seed: int | None = None
    kind: str = ""

    def the_card(self) -> Card | None:
        if self.card is None and self.cards is not None:
            self.card = self.cards[self.key]
        return self.card


@dataclass
class _Outcome:
    """What the student answered; ``suggested`` is the automatic rating (None: they rate it themselves)."""

    suggested: Rating | None
    answer: str | None
    correct: bool | None
    detail: str | None = None
    mistakes: tuple["Diagnosis", ...] = ()  # stored with the answer in the review log


@dataclass
class _Done:
    entry: Entry  # as shown: a problem's entry pins its seed, so undo shows the same instance
    before: ItemState
    log_id: int
    correct: bool | None
    rating: Rating
    requeued: Entry | None = None  # the learning-step copy this answer put at the end of the queue


class Session:
    """Runs one review or practice session."""

    def __init__(
        self,
        store: SessionStore,
        terminal: Terminal,
        entries: list[Entry],
        policy: scheduling.Policy,
        clock: Callable[[], datetime],
        source: str = "review",
        level: str = "exam",
        seeds: Iterator[int] | None = None,
        family_titles: dict[str, str] | None = None,
        requeue_learning: bool = True,
        repeat: Entry | None = None,
        scope: Iterable[str] | None = None,
        levels: Callable[[str], "LevelChoice"] | None = None,
        supply: Callable[[], Entry] | None = None,
        policy_source: Callable[[], scheduling.Policy] | None = None,
    ):
        self.store = store
        self.io = terminal
        self.queue = list(entries)
        self.policy = policy
        self.clock = clock
        self.source = source
        self.level = level
        self.seeds = seeds
        self.family_titles = family_titles or {}
        self.requeue_learning = requeue_learning
        self.repeat = repeat  # practice: serve this entry again whenever the queue runs dry
        self.scope = list(scope) if scope is not None else None  # the keys "next due" is about (None: all)
        self.supply = supply  # interleaved practice: the next entry whenever the queue runs dry
        self.levels = levels  # family -> the level to draw it at, and why (None: always ``level``)
        self.policy_source = policy_source  # the policy as it is now (fitted FSRS parameters adopted meanwhile)
        self.history: list[_Done] = []
        self.current: Entry | None = None  # the item on screen (a problem's entry pins its seed once drawn)
        self._quit_after = False  # quit requested at a prompt after the answer was saved
        self.started = time.monotonic()
        self.position = 0

    # -- the loop ------------------------------------------------------------
    def run(self) -> Summary:
        try:
            while self.queue or self.repeat or self.supply:
                entry = self.queue.pop(0) if self.queue else self.repeat or (self.supply() if self.supply else None)
                assert entry is not None
                self.position += 1
                self.current = entry
                try:
                    self._serve(entry)
                    if self._quit_after:
                        break
                except _Undo:
                    self._undo(self.current)
                except _Suspend:
                    self.store.set_suspended(entry.key, True)
                    self.queue = [e for e in self.queue if e.key != entry.key]
                    self.io.emit(Notice(f"Suspended {ItemKey.parse(entry.key).id}."))
        except (_Quit, KeyboardInterrupt, EOFError):
            pass
        return self.summary()

    def summary(self) -> Summary:
        ratings: dict[Rating, int] = {}
        for done in self.history:
            ratings[done.rating] = ratings.get(done.rating, 0) + 1
        return Summary(
            reviewed=len(self.history),
            correct=sum(1 for d in self.history if d.correct),
            seconds=time.monotonic() - self.started,
            next_due=self._next_due(),
            ratings=ratings,
        )

    def _next_due(self) -> str | None:
        """When something in this session's scope is next due; never a time already past (that is "now")."""
        due = self.store.next_due(self.scope)
        now = iso(self.clock())
        return None if due is None else max(due, now)

    def _remaining(self) -> tuple[int, dict[str, int]]:
        """What the session still holds after the current item, in all and by kind (new, due, learning)."""
        by_kind: dict[str, int] = {}
        for entry in self.queue:
            if entry.kind:
                by_kind[entry.kind] = by_kind.get(entry.kind, 0) + 1
        return len(self.queue), by_kind

    def _serve(self, entry: Entry) -> None:
        """Show one item and record the answer.

        A self-graded card is committed once rated. An automatically marked
        answer (mcq, points, problem) is committed at the verdict, before the
        rating prompt, so quitting or a crash there loses nothing; a different
        rating typed at the prompt replaces it (undo + new review, both kept
        in the log).
        """
        shown_at = time.monotonic()
        card = entry.the_card()
        outcome = self._serve_card(entry, card) if card is not None else self._serve_problem(entry)
        shown = self.current or entry
        hints = self._hints(entry.key)
        if outcome.suggested is None:
            rating = self._rate(hints, None)
            self._commit(shown, outcome, rating, shown_at)
            return
        self._commit(shown, outcome, outcome.suggested, shown_at)
        try:
            rating = self._rate(hints, outcome.suggested, current_saved=True)
        except _Undo:
            self._undo(shown, current_saved=True)
            return
        if rating != outcome.suggested:
            done = self.history.pop()
            self._drop_requeued(done)
            self._commit(shown, outcome, rating, shown_at, replaces=(done.log_id, done.before))

    def _ask(self, prompt: str) -> str:
        line = self.io.ask(prompt)
        if line is None:
            raise _Quit
        return line.strip()

    def _ask_or_command(self, prompt: str) -> str | None:
        """Ask; ``q`` quits and ``u`` takes back the latest saved answer. None: ask again."""
        line = self._ask(prompt + (" · u undo" if self.history else "") + " · q quit")
        lowered = line.lower()
        if lowered == "q":
            raise _Quit
        if lowered == "u":
            if self.history:
                raise _Undo
            self.io.emit(Notice("Nothing to undo yet.", error=True))
            return None
        return line

    # -- cards ---------------------------------------------------------------
    def _serve_card(self, entry: Entry, card: Card) -> _Outcome:
        cloze = card.cloze_for(entry.key)
        order = self._choice_order(entry.key, card) if card.type == "mcq" else ()
        remaining, by_kind = self._remaining()
        self.io.emit(ShowCard(card, self.position, remaining, cloze, order, by_kind))
        if card.type == "mcq":
            return self._mcq(card, order)
        typed = self._wait_for_reveal(card)
        self.io.emit(RevealCard(card, cloze, typed))
        if card.type == "points":
            return self._points(card, typed)
        return _Outcome(None, typed, None)

    def _wait_for_reveal(self, card: Card) -> str | None:
        """Wait for Enter; text typed instead is the student's own answer, returned to show beside the real one."""
        while True:
            line = self._ask_or_command("Enter to reveal (or type your answer)" + (" · h hint" if card.hint else ""))
            if line is None:
                continue
            if line.lower() == "h" and card.hint:
                self.io.emit(ShowHint(card.hint))
                continue
            return line[:500] or None

    def _choice_order(self, key: str, card: Card) -> tuple[int, ...]:
        """Shuffled by card and review count (see ``model.choice_order``): an undo restores the count, so the order."""
        item = self.store.item(key)
        return choice_order(card.id, len(card.choices), item.reps if item else 0)

    def _mcq(self, card: Card, order: tuple[int, ...]) -> _Outcome:
        """The student answers with the letters as shown; the log keeps the deck letters too."""
        letters = "".join(choice_letter(i) for i in range(len(card.choices)))
        while True:
            line = self._ask_or_command(f"Your choice ({letters[0]}-{letters[-1]})" + (" · h hint" if card.hint else ""))
            if line is None:
                continue
            if line.lower() == "h" and card.hint:
                self.io.emit(ShowHint(card.hint))
                continue
            if len(line) == 1 and line.upper() in letters:
                break
            self.io.emit(Notice(f"Type one letter from {letters[0]} to {letters[-1]}, e.g. B.", error=True))
        shown = line.upper()
        chosen = order[letters.index(shown)]
        correct = chosen == card.answer_index
        expected = f"{choice_letter(order.index(card.answer_index))}) {card.choices[card.answer_index]}"
        self.io.emit(ShowVerdict(correct, "correct" if correct else "wrong", expected, shown))
        self.io.emit(RevealCard(card))
        detail = json.dumps({"order": "".join(choice_letter(i) for i in order), "choice": choice_letter(chosen)})
        return _Outcome(Rating.Good if correct else Rating.Again, shown, correct, detail)

    def _points(self, card: Card, typed: str | None = None) -> _Outcome:
        count = len(card.points)
        while True:
            line = self._ask_or_command(f"Points you recalled (e.g. 1 3, all, none) of {count}")
            if line is None:
                continue
            recalled = parse_points(line, count)
            if recalled is not None:
                break
            self.io.emit(Notice(f"List point numbers between 1 and {count} (e.g. 1 3), or 'all' or 'none'.", error=True))
        share = len(recalled) / count
        suggested = points_rating(share)
        self.io.emit(Notice(f"{len(recalled)} of {count} points ({share:.0%}): suggests {suggested.label}."))
        detail = json.dumps({"typed": typed}) if typed else None
        return _Outcome(suggested, " ".join(str(p) for p in sorted(recalled)), share >= 0.5, detail)

    # -- problems ------------------------------------------------------------
    def _serve_problem(self, entry: Entry) -> _Outcome:
        assert entry.family is not None
        if entry.seed is not None:
            seed = entry.seed  # shown again after an undo: the same numbers
        else:
            seed = next(self.seeds) if self.seeds is not None else new_seed()
        self.current = replace(entry, seed=seed)
        # After an undo the ability is back where it was when this problem was drawn: the same level.
        choice = self.levels(entry.family) if self.levels is not None else None
        level = choice.level if choice is not None else self.level
        instance = make_instance(entry.family, level, seed)
        title = self.family_titles.get(entry.family, entry.family)
        remaining, by_kind = self._remaining()
        self.io.emit(ShowProblem(instance, self.position, remaining, title, by_kind, choice.reason if choice is not None else ""))
        detail = json.dumps({"family": entry.family, "level": level, "seed": seed})
        while True:
            line = self._ask_or_command("Answer" + (" · h hint" if instance.hint else "") + " · s show solution")
            if line is None:
                continue
            lowered = line.lower()
            if lowered == "h":
                self.io.emit(ShowHint(instance.hint or "No hint for this one."))
                continue
            if lowered == "s":
                self.io.emit(ShowVerdict(False, "shown (counted as wrong)", instance.answer_text(), ""))
                self.io.emit(ShowSolution(instance))
                return _Outcome(Rating.Again, None, False, detail)
            if not line:
                self.io.emit(Notice(f"Type your answer, e.g. {example_for(instance.answer_spec.kind)}.", error=True))
                continue
            try:
                verdict = check(line, instance.answer, instance.answer_spec)
            except AnswerSyntaxError as exc:
                self.io.emit(Notice(str(exc), error=True))
                continue
            break
        mistakes = () if verdict.correct else _diagnose(instance, verdict.given)
        self.io.emit(ShowVerdict(verdict.correct, verdict.message, instance.answer_text(), line, mistakes))
        self.io.emit(ShowSolution(instance))
        return _Outcome(Rating.Good if verdict.correct else Rating.Again, line[:500], verdict.correct, detail, mistakes)

    # -- rating, commit, undo -----------------------------------------------
    def _policy(self) -> scheduling.Policy:
        """The policy for this answer: FSRS parameters adopted meanwhile (``mli-drill optimize``) apply from the next answer on."""
        return self.policy_source() if self.policy_source is not None else self.policy

    def _hints(self, key: str) -> dict[Rating, str]:
        item = self.store.item(key)
        hints = scheduling.interval_hints(item, self.clock(), self._policy()) if item else {}
        return {r: scheduling.format_interval(d) for r, d in hints.items()}

    def _rate(self, hints: dict[Rating, str], suggested: Rating | None, current_saved: bool = False) -> Rating:
        """Ask for a rating. With the answer already saved, q / end of input keep it and quit."""
        self.io.emit(ShowRatingHints(hints, suggested))
        while True:
            prompt = "Rate 1 again · 2 hard · 3 good · 4 easy"
            if suggested:
                prompt += f" · Enter = {suggested.value} {suggested.label}"
            try:
                line = self._ask_or_command(prompt + " · s suspend")
            except _Quit:
                if suggested is not None and current_saved:
                    self._quit_after = True  # q or end of input: the saved answer stands
                    return suggested
                raise
            if line is None:
                continue
            if line.lower() == "s":
                raise _Suspend
            if not line and suggested:
                return suggested
            rating = scheduling.parse_rating(line)
            if rating is not None:
                return rating
            self.io.emit(Notice("Rate with 1-4 or again/hard/good/easy (u undo, s suspend, q quit).", error=True))

    def _commit(
        self, entry: Entry, outcome: _Outcome, rating: Rating, shown_at: float, replaces: tuple[int, ItemState] | None = None
    ) -> None:
        now = self.clock()
        correct = outcome.correct if outcome.correct is not None else rating > Rating.Again
        record = ReviewRecord(
            key=entry.key,
            reviewed_at=iso(now),
            rating=rating,
            duration_ms=int((time.monotonic() - shown_at) * 1000),
            answer=outcome.answer,
            correct=correct,
            source=self.source,
            detail=outcome.detail,
            mistakes=tuple(diagnosis.to_dict() for diagnosis in outcome.mistakes),
        )
        policy = self._policy()
        before, after, log_id = self.store.apply_review(
            record, lambda current: scheduling.review(current, rating, now, policy), replaces=replaces
        )
        done = _Done(entry, before, log_id, correct, rating)
        self.history.append(done)
        self.io.emit(Saved(entry.key, rating, after.due, after.leech and not before.leech))
        if after.suspended:
            return
        if self.requeue_learning and after.state in LEARNING_STEPS and after.due and after.due <= iso(now + LEARN_AHEAD):
            done.requeued = replace(entry, seed=None, kind=LEARNING)  # a problem's next step draws new numbers
            self.queue.append(done.requeued)

    def _drop_requeued(self, done: _Done) -> None:
        """Remove the learning-step copy an answer queued, if it has not been shown yet."""
        if done.requeued is not None:
            self.queue = [e for e in self.queue if e is not done.requeued]

    def _undo(self, current: Entry | None, current_saved: bool = False) -> None:
        """Take back the latest saved answer and show its item again (a problem with the same numbers).

        When the current item's answer is already saved (auto-marked), that is
        the one taken back; otherwise the previous item's, and the current item
        (a problem with the same numbers) follows it again.
        """
        done = self.history.pop()
        self.store.undo_review(done.log_id, done.before)
        self._drop_requeued(done)
        again = [done.entry] if current_saved or current is None else [done.entry, current]
        self.queue[:0] = again
        self.position -= len(again)
        self.io.emit(Notice(f"Undid the answer to {ItemKey.parse(done.entry.key).id}."))


def _diagnose(instance: Any, given: Any) -> tuple["Diagnosis", ...]:
    """The slips a wrong answer matches; imported only when an answer is wrong."""
    return tuple(diagnose(instance, given))


def points_rating(share: float) -> Rating:
    """The rating a points card suggests for the share of points recalled.

    80% or more suggests good (4 of 5 is a good answer), 50% or more hard,
    less again; easy is left for the student to choose.
    """
    return Rating.Good if share >= 0.8 else Rating.Hard if share >= 0.5 else Rating.Again


def parse_points(text: str, count: int) -> set[int] | None:
    """``1 3``, ``1,3``, ``all``, ``none`` or ``0`` -> the set of recalled point numbers."""
    words = text.replace(",", " ").lower().split()
    if words == ["all"]:
        return set(range(1, count + 1))
    if words in (["none"], ["0"], []):
        return set() if words else None
    try:
        numbers = {int(w) for w in words}
    except ValueError:
        return None
    return numbers if all(1 <= n <= count for n in numbers) else None

