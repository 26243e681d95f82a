"""Naming the slip behind a wrong answer: the tutor's half of marking.

Each family lists its common slips as ``MISTAKES`` beside its solver (see
:class:`mli_drill.problems.families.base.Mistake`). A wrong answer is compared with
every slip's value for the same instance, by the checker's own parsing and
tolerance (integers exactly), and every slip it matches is named. This is what
examiners' marking schemes and STACK's potential-response trees do: recognise
the usual wrong answers and say which mistake produced them.

Pure: no I/O. A slip is never named for a correct answer, and a slip whose
value equals the right answer for this instance is skipped, because the two
cannot be told apart there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mli_drill.problems.answers import matches
from mli_drill.problems.families.base import Alternatives
from mli_drill.problems.registry import load_module

if TYPE_CHECKING:
    from mli_drill.problems.families.base import Mistake
    from mli_drill.problems.instance import Instance
    from mli_drill.problems.spec import AnswerSpec

# A slip function that fails on an instance it does not fit (a division by a
# zero it never meant to make) does not apply there; any other exception is a
# bug and propagates, so tests catch it.
_NOT_APPLICABLE = (ArithmeticError, ValueError, IndexError, KeyError)


@dataclass(frozen=True)
class Diagnosis:
    """One named slip: its stable id and the line shown to the student."""

    id: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Diagnosis":
        return cls(id=str(data["id"]), message=str(data["message"]))


def catalogue(family: str) -> tuple["Mistake", ...]:
    """The family's catalogued slips, in the order its module lists them."""
    return tuple(getattr(load_module(family), "MISTAKES", ()))


def _values(mistake: "Mistake", params: Any) -> list[Any]:
    """The slip's value(s) for these params: none when it does not apply,
    several when it is :class:`~mli_drill.problems.families.base.Alternatives`."""
    try:
        value = mistake.answer(params)
    except _NOT_APPLICABLE:
        return []
    if isinstance(value, Alternatives):
        return [item for item in value.values if item is not None]
    return [] if value is None else [value]


def mistake_answers(instance: "Instance") -> list[tuple[str, Any]]:
    """Each slip's answer for this instance, leaving out those that do not
    apply and those equal to the right answer (they cannot be told apart).

    A slip with alternative values (either direction of a directed distance)
    contributes one pair per distinct value, so an id may appear more than once.
    """
    spec = instance.answer_spec
    found: list[tuple[str, Any]] = []
    for mistake in catalogue(instance.family):
        kept: list[Any] = []
        for value in _values(mistake, instance.typed):
            if matches(value, instance.answer, spec) or any(matches(value, other, spec) for other in kept):
                continue
            kept.append(value)
            found.append((mistake.id, value))
    return found


def _matches_slip(given: Any, value: Any, spec: "AnswerSpec") -> bool:
    """Whether ``given`` is the slip's value: by the checker's rules, integers exactly.

    A slip can leave the whole numbers where the question stays in them (an
    average taken where a maximum was asked gives 2.75 on an integer
    question): such a value is compared as a real number, with the spec's
    tolerance, or it could never be recognised.
    """
    if spec.kind == "integer" and not _whole(value):
        spec = replace(spec, kind="real")
    return matches(given, value, spec)


def _whole(value: Any) -> bool:
    if isinstance(value, Fraction):
        return value.denominator == 1
    return isinstance(value, int) or isinstance(value, float) and value.is_integer()


def diagnose(instance: "Instance", given: Any) -> list[Diagnosis]:
    """The slips whose value ``given`` (an already-parsed answer) matches.

    Empty for a correct answer, and for a wrong one that matches no slip.
    """
    if matches(given, instance.answer, instance.answer_spec):
        return []
    by_id = {mistake.id: mistake for mistake in catalogue(instance.family)}
    named = dict.fromkeys(
        mistake_id
        for mistake_id, value in mistake_answers(instance)
        if _matches_slip(given, value, instance.answer_spec)
    )
    return [Diagnosis(mistake_id, by_id[mistake_id].message(instance.typed)) for mistake_id in named]
