"""Interleaved practice: which families a mixed session drills, and in what order (pure).

Interleaving problem types beats practising one type in a block on later
tests (Rohrer and Taylor, 2007, for mathematics): the student has to pick
the method, not just run it. ``mli-drill practice`` with no family (or
``--mix``) therefore draws from several families that need work:

* those **due** for review (their FSRS schedule says so);
* those with the **lowest predicted success** at the exam level (the
  ability model in :mod:`mli_drill.review.ability`; the level actually served still
  follows the student, so each problem stays near 75%);
* those with **recurring mistakes**: a slip named in two or more wrong
  answers in the last 30 days (``mli-drill stats``).

Each family gets a weight, 1 + 1 if due + 1 if it has a recurring slip +
2 × (1 − predicted success at the exam level), and the :data:`MIX_SIZE`
heaviest (ties in course order) make the mix. The order is a smooth
weighted round robin (needier families come up more often, spread out, not
in blocks), and the same family is never served more than
:data:`MAX_RUN` times in a row unless it is the only one. Nothing here is
random, so a session is reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

MIX_SIZE = 6
MAX_RUN = 2


@dataclass(frozen=True)
class FamilyNeed:
    """Why a family needs work, as the mix weighs it."""

    family: str
    due: bool = False
    success: float = 0.75  # predicted success at the exam level
    recurring: int = 0  # recurring slips (named twice or more in the last 30 days)
    order: tuple = ()  # course order, to break ties

    @property
    def weight(self) -> float:
        return 1.0 + float(self.due) + float(self.recurring > 0) + 2.0 * (1.0 - self.success)

    def reasons(self) -> list[str]:
        found = ["due"] if self.due else []
        if self.recurring:
            found.append(f"{self.recurring} recurring slip" + ("s" if self.recurring > 1 else ""))
        found.append(f"{self.success:.0%} at exam level")
        return found

    def to_dict(self) -> dict[str, object]:
        return {"family": self.family, "due": self.due, "success": round(self.success, 3), "recurring": self.recurring, "weight": round(self.weight, 3)}


def choose_mix(needs: Iterable[FamilyNeed], size: int = MIX_SIZE) -> list[FamilyNeed]:
    """The ``size`` neediest families (heaviest first; ties in course order)."""
    ranked = sorted(needs, key=lambda need: (-need.weight, need.order, need.family))
    return ranked[: max(0, size)]


class Interleaver:
    """Families in a weighted, interleaved order that never runs one family more than MAX_RUN times.

    Smooth weighted round robin: at each step every family earns its weight
    in credit; the family with the most credit is served (the next one if
    that would make a run of MAX_RUN + 1) and pays the total weight back.
    Over any stretch each family is served in proportion to its weight.
    """

    def __init__(self, weights: Mapping[str, float], max_run: int = MAX_RUN):
        if not weights:
            raise ValueError("no family to interleave")
        self.families = list(weights)
        self.weights = {family: max(1e-9, float(weight)) for family, weight in weights.items()}
        self.credit = {family: 0.0 for family in self.families}
        self.max_run = max_run
        self.recent: list[str] = []

    def next(self) -> str:
        total = sum(self.weights.values())
        for family in self.families:
            self.credit[family] += self.weights[family]
        ranked = sorted(self.families, key=lambda family: (-self.credit[family], self.families.index(family)))
        pick = ranked[0]
        if len(ranked) > 1 and self._would_run(pick):
            pick = ranked[1]
        self.credit[pick] -= total
        self.recent = (self.recent + [pick])[-self.max_run :]
        return pick

    def take(self, count: int) -> list[str]:
        return [self.next() for _ in range(count)]

    def _would_run(self, family: str) -> bool:
        return len(self.recent) >= self.max_run and all(served == family for served in self.recent)


@dataclass
class FamilyResult:
    """One family's part of a practice session, for the summary."""

    family: str
    answered: int = 0
    correct: int = 0
    level_before: str = ""
    level_after: str = ""

    @property
    def level_change(self) -> str:
        return self.level_before if self.level_before == self.level_after else f"{self.level_before} → {self.level_after}"

    def to_dict(self) -> dict[str, object]:
        return {"family": self.family, "answered": self.answered, "correct": self.correct,
                "level_before": self.level_before, "level_after": self.level_after}


def family_results(
    families: Iterable[str], answers: Iterable[tuple[str, bool]], before: Mapping[str, str], after: Mapping[str, str]
) -> list[FamilyResult]:
    """Per family of the session (in mix order): answers, correct ones, and the level before and after."""
    results = {family: FamilyResult(family, level_before=before.get(family, ""), level_after=after.get(family, "")) for family in families}
    for family, correct in answers:
        result = results.setdefault(family, FamilyResult(family, level_before=before.get(family, ""), level_after=after.get(family, "")))
        result.answered += 1
        result.correct += int(correct)
    return list(results.values())
