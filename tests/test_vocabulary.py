"""The shared vocabulary (mli_drill.vocabulary, mli_drill.review.events): statuses and ratings are fsrs' values,
item keys round-trip, and the session view draws every kind of event."""

from __future__ import annotations

import io
import typing

import fsrs
import pytest
from rich.console import Console

from mli_drill.exam.paper import Question
from mli_drill.exceptions import MliDrillError
from mli_drill.model import Card, card_item_key
from mli_drill.render.session import SessionView
from mli_drill.review import events
from mli_drill.review.scheduling import parse_rating
from mli_drill.vocabulary import STATUSES, ItemKey, Rating, Status


def test_statuses_are_fsrs_states_and_new_is_zero() -> None:
    assert Status.New == 0
    assert {s.name: s.value for s in Status if s is not Status.New} == {s.name: s.value for s in fsrs.State}
    assert STATUSES == tuple(Status(n) for n in range(len(Status)))


def test_ratings_are_fsrs_ratings() -> None:
    assert {r.name: r.value for r in Rating} == {r.name: r.value for r in fsrs.Rating}
    assert [r.label for r in Rating] == ["again", "hard", "good", "easy"]
    assert parse_rating("g") is Rating.Good and parse_rating("4") is Rating.Easy


@pytest.mark.parametrize("text", ["card:cnn-pooling", "card:cnn-pooling#c2", "family:receptive-field", "card:a:b"])
def test_item_keys_round_trip(text: str) -> None:
    key = ItemKey.parse(text)
    assert str(key) == text
    assert ItemKey.parse(str(key)) == key


def test_item_keys_are_built_one_way() -> None:
    assert str(ItemKey.card("cnn-pooling")) == card_item_key("cnn-pooling") == "card:cnn-pooling"
    assert card_item_key("cnn-pooling", 2) == str(ItemKey.card("cnn-pooling#c2"))
    assert ItemKey.parse("family:receptive-field") == ItemKey.family("receptive-field") == ("family", "receptive-field")


@pytest.mark.parametrize("text", ["", "card", "card:", ":x", "deck:x", "Card:x", "receptive-field"])
def test_malformed_item_keys_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        ItemKey.parse(text)
    assert isinstance(raised.value, MliDrillError)
    message = str(raised.value)
    assert "\n" not in message and repr(text) in message


def _example(kind: type) -> events.Event:
    card = Card(id="c1", deck="d", type="points", front="Name two", points=("one", "two"))
    question = Question(position=1, key="card:c1", kind="points", topic="t", max_marks=2)
    examples: dict[type, events.Event] = {
        events.ShowCard: events.ShowCard(card, 1, 0),
        events.RevealCard: events.RevealCard(card, typed="one"),
        events.ShowHint: events.ShowHint("think"),
        events.ShowVerdict: events.ShowVerdict(False, "wrong", "4", "5"),
        events.ShowRatingHints: events.ShowRatingHints({r: "1d" for r in Rating}, Rating.Good),
        events.Saved: events.Saved("card:c1", Rating.Again, None, True),
        events.Notice: events.Notice("hello"),
        events.ShowExamQuestion: events.ShowExamQuestion(question, 3, 90.0, "Name two", "d"),
        events.ShowMarkingScheme: events.ShowMarkingScheme(card),
        events.TimeWarning: events.TimeWarning(60, 59.0),
        events.TimeUp: events.TimeUp(),
        events.LateAnswerKept: events.LateAnswerKept(2),
        events.PaperSummary: events.PaperSummary(3, [1], [2], [3], 30.0),
    }
    if kind in (events.ShowProblem, events.ShowSolution):
        from mli_drill.problems.instance import make_instance

        inst = make_instance("receptive-field", "exam", 1)
        return events.ShowProblem(inst, 1, 0, "Receptive field") if kind is events.ShowProblem else events.ShowSolution(inst)
    return examples[kind]


@pytest.mark.parametrize("kind", typing.get_args(events.Event), ids=lambda kind: kind.__name__)
def test_the_session_view_draws_every_event(kind: type) -> None:
    out = Console(file=io.StringIO(), width=80, color_system=None)
    view = SessionView(out)
    event = _example(kind)
    assert type(event) is kind
    view.show(event)
    assert out.file.getvalue().strip(), f"{kind.__name__} drew nothing"  # type: ignore[attr-defined]


def test_an_unknown_event_is_a_bug_not_silence() -> None:
    view = SessionView(Console(file=io.StringIO(), width=80))
    with pytest.raises(AssertionError):
        view.show(object())  # type: ignore[arg-type]
