"""Elo-style ability per problem family and difficulty per level (pure: answers in, numbers out).

The model is the one Pelánek reviews in "Applications of the Elo rating
system in adaptive educational systems" (Computers & Education, 2016): a
student has an ability θ in each family, each level has a difficulty b, and
the chance of a correct answer is the logistic σ(θ − b). After every marked
answer both move towards what happened::

    p = σ(θ_family − b_level)
    θ_family += K_ability(n_family) · (result − p)      result: 1 right, 0 wrong
    b_level  −= K_difficulty(n_level) · (result − p)

with Pelánek's uncertainty function K(n) = α / (1 + β·n): big steps while
little is known, smaller ones as answers accumulate. n counts the answers
already folded in (in that family for θ, at that level, all families
together, for b).

The numbers, and why:

* A family never practised starts at θ = 0, and the levels at
  b_exam = −ln 3, b_easy = b_exam − 1, b_hard = b_exam + 1. A newcomer is
  then predicted to get an exam-level question right 3 times in 4 (σ(ln 3)
  = 0.75), so a new family is served at the exam level, as it always was;
  easy is then 89% and hard 50%.
* K_ability(n) = max(0.3, 1.5 / (1 + 0.05·n)): large enough that a student
  answering everything right climbs from exam to hard after two answers, and
  from easy to hard within about ten; one answering everything wrong drops
  to easy after two. The floor of 0.3 keeps the level following a student
  who keeps learning, instead of freezing after a few hundred answers. (In a
  simulation of a student who is right 90%, 75% and 50% of the time at the
  three levels, about four problems in five are then served at the exam
  level, the one nearest 75%.)
* K_difficulty(n) = 0.1 / (1 + 0.05·n): one difficulty per level, shared by
  every family, calibrated from all the student's answers and settling as
  they accumulate (θ absorbs what is special about a family).

The level served is the one whose predicted success is nearest
:data:`TARGET` (0.75, "right about three times in four"); a tie goes to the
easier level. Nothing here reads the clock, the database or the terminal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

LEVELS = ("easy", "exam", "hard")  # easiest first (as mli_drill.problems.spec.LEVELS)
TARGET = 0.75
START_ABILITY = 0.0
START_DIFFICULTY = {"easy": -math.log(3) - 1.0, "exam": -math.log(3), "hard": -math.log(3) + 1.0}
ABILITY_K, ABILITY_K_DECAY, ABILITY_K_FLOOR = 1.5, 0.05, 0.3
DIFFICULTY_K, DIFFICULTY_K_DECAY = 0.1, 0.05


def sigmoid(x: float) -> float:
    """The logistic function, without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def ability_k(answers: int) -> float:
    return max(ABILITY_K_FLOOR, ABILITY_K / (1 + ABILITY_K_DECAY * answers))


def difficulty_k(answers: int) -> float:
    return DIFFICULTY_K / (1 + DIFFICULTY_K_DECAY * answers)


@dataclass(frozen=True)
class Answer:
    """One marked problem answer, as the model reads it."""

    family: str
    level: str
    correct: bool


@dataclass
class Abilities:
    """Every family's θ and every level's b, with the answer counts their step sizes depend on."""

    ability: dict[str, float] = field(default_factory=dict)  # family -> θ (absent: START_ABILITY)
    family_answers: dict[str, int] = field(default_factory=dict)
    difficulty: dict[str, float] = field(default_factory=lambda: dict(START_DIFFICULTY))
    level_answers: dict[str, int] = field(default_factory=lambda: {level: 0 for level in LEVELS})

    def theta(self, family: str) -> float:
        return self.ability.get(family, START_ABILITY)

    def answers(self, family: str) -> int:
        return self.family_answers.get(family, 0)

    def success(self, family: str, level: str) -> float:
        """Predicted chance of answering a ``level`` question of ``family`` right."""
        return sigmoid(self.theta(family) - self.difficulty[level])

    def successes(self, family: str) -> dict[str, float]:
        return {level: self.success(family, level) for level in LEVELS}

    def level_for(self, family: str) -> str:
        """The level whose predicted success is nearest TARGET (the easier one on a tie)."""
        return min(LEVELS, key=lambda level: (abs(self.success(family, level) - TARGET), LEVELS.index(level)))

    def update(self, answer: Answer) -> None:
        """Fold in one answer (an unknown level is ignored: it says nothing about these levels)."""
        if answer.level not in self.difficulty:
            return
        result = 1.0 if answer.correct else 0.0
        surprise = result - self.success(answer.family, answer.level)
        n_family = self.answers(answer.family)
        n_level = self.level_answers.get(answer.level, 0)
        self.ability[answer.family] = self.theta(answer.family) + ability_k(n_family) * surprise
        self.difficulty[answer.level] -= difficulty_k(n_level) * surprise
        self.family_answers[answer.family] = n_family + 1
        self.level_answers[answer.level] = n_level + 1

    def fold(self, answers: Iterable[Answer]) -> "Abilities":
        for answer in answers:
            self.update(answer)
        return self

    def copy(self) -> "Abilities":
        return Abilities(dict(self.ability), dict(self.family_answers), dict(self.difficulty), dict(self.level_answers))


@dataclass(frozen=True)
class LevelChoice:
    """The level a problem is drawn at, and the line that says why (shown in the header)."""

    level: str
    success: float | None = None  # predicted success there; None when the level was forced
    answers: int = 0

    @property
    def reason(self) -> str:
        """e.g. "you are at 78% here"; empty for a forced level."""
        if self.success is None:
            return ""
        if self.answers == 0:
            return f"new to you, predicted {self.success:.0%}"
        return f"you are at {self.success:.0%} here"


def choose(abilities: Abilities, family: str) -> LevelChoice:
    level = abilities.level_for(family)
    return LevelChoice(level, abilities.success(family, level), abilities.answers(family))


def family_report(abilities: Abilities, families: Iterable[str]) -> dict[str, dict[str, object]]:
    """Per family: θ, answers, the level auto would serve and the predicted success per level (for status and stats)."""
    return {
        family: {
            "ability": round(abilities.theta(family), 3),
            "answers": abilities.answers(family),
            "level": abilities.level_for(family),
            "success": {level: round(p, 3) for level, p in abilities.successes(family).items()},
        }
        for family in families
    }


def level_report(abilities: Abilities) -> dict[str, dict[str, float | int]]:
    return {level: {"difficulty": round(abilities.difficulty[level], 3), "answers": abilities.level_answers.get(level, 0)} for level in LEVELS}


def from_rows(ability_rows: Iterable[tuple[str, float, int]], level_rows: Iterable[tuple[str, float, int]]) -> Abilities:
    """Rebuild from stored (family, θ, answers) and (level, b, answers) rows; missing levels keep their start."""
    state = Abilities()
    for family, theta, count in ability_rows:
        state.ability[family] = float(theta)
        state.family_answers[family] = int(count)
    for level, difficulty, count in level_rows:
        if level in state.difficulty:
            state.difficulty[level] = float(difficulty)
            state.level_answers[level] = int(count)
    return state


def answers_from_log(rows: Iterable[tuple[str, str | None, object]]) -> list[Answer]:
    """(family, level, correct) rows of the review log as answers; rows without a level or a mark are skipped."""
    return [Answer(family, level, bool(correct)) for family, level, correct in rows if level in LEVELS and correct is not None]


def level_changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, str]:
    """``{"family": "easy → exam"}`` for the summary (``"exam"`` when unchanged)."""
    return {family: level if after.get(family, level) == level else f"{level} → {after[family]}" for family, level in before.items()}
