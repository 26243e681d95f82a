"""Making problem instances: a deterministic function of (family, level, seed).

The random generator is seeded with the string ``"family/level/seed"`` so the
same triple gives the same numbers on every machine and Python version
(``random.Random`` hashes string seeds with SHA-512).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

from mli_drill.problems.convert import dump, load
from mli_drill.problems.registry import load_module
from mli_drill.problems.families.base import Solution
from mli_drill.problems.spec import DEFAULT_LEVEL, LEVELS, AnswerSpec, SpecError, load_spec
from mli_drill.problems.families.common import fmt, format_vector

MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Instance:
    """One drawn problem. ``params`` is the JSON form (stored, printed by ``--json``);
    ``typed`` is the same parameters as the family's ``Params`` dataclass, which its
    solver, slips and pictures take."""

    family: str
    level: str
    seed: int
    params: dict[str, Any]
    question: str
    hint: str
    solution: Solution
    answer_spec: AnswerSpec
    typed: Any

    @property
    def answer(self) -> Any:
        return self.solution.answer

    def answer_text(self) -> str:
        """The reference answer as a student would write it."""
        return self.solution.display or format_answer(self.solution.answer)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``problems sample --json``."""
        return {
            "family": self.family,
            "level": self.level,
            "seed": self.seed,
            "params": self.params,
            "question": self.question,
            "answer": self.solution.answer,
            "answer_kind": self.answer_spec.kind,
            "answer_display": self.solution.display,
            "solution": list(self.solution.steps),
        }


def format_answer(answer: Any) -> str:
    """A value of any answer kind as a student would write it (the reference answer, or a slip's value)."""
    if isinstance(answer, list) and answer and isinstance(answer[0], list):
        return "[" + ", ".join(format_vector(row) for row in answer) + "]"
    if isinstance(answer, list):
        return format_vector(answer)
    if isinstance(answer, (int, float)):
        return fmt(answer)
    return str(answer)


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED)


def make_instance(family: str, level: str = DEFAULT_LEVEL, seed: int | None = None) -> Instance:
    """Sample and solve one instance."""
    if level not in LEVELS:
        raise SpecError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    module = load_module(family)
    seed = new_seed() if seed is None else seed
    rng = random.Random(f"{family}/{level}/{seed}")
    return _solved(family, level, seed, module, module.sample(rng, level_settings(family, level)))


@lru_cache(maxsize=None)
def level_settings(family: str, level: str) -> Any:
    """The spec's ``levels.<level>`` mapping as the family's ``Level`` dataclass (a mistyped key is an error, not a default)."""
    try:
        return load(load_module(family).Level, load_spec(family).levels[level], f"$.levels.{level}")
    except ValueError as error:
        raise SpecError(f"problems/{family}.yaml: {error}") from None


def typed_params(family: str, params: Any) -> Any:
    """JSON parameters (stored, or given by hand to ``problems check``) as the family's ``Params``; errors name the path."""
    return load(load_module(family).Params, params)


def instance_from_params(family: str, level: str, seed: int, params: dict[str, Any]) -> Instance:
    """Solve given parameters and word the question (used for stored exam papers too)."""
    return _solved(family, level, seed, load_module(family), typed_params(family, params))


def _solved(family: str, level: str, seed: int, module: ModuleType, typed: Any) -> Instance:
    spec = load_spec(family)
    solution = module.solve(typed)
    fields = module.question_fields(typed)
    variant = fields.get("variant")
    question = spec.template(variant).format_map(fields).strip()
    kind = solution.kind or spec.answer.kind
    answer_spec = AnswerSpec(kind=kind, rel_tol=spec.answer.rel_tol, abs_tol=spec.answer.abs_tol)
    hint = spec.hint_for(variant).format_map(fields).strip() if spec.hint else ""
    return Instance(family, level, seed, dump(typed), question, hint, solution, answer_spec, typed)
