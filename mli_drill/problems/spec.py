"""Problem family specs: ``problems/<family>.yaml`` loaded and checked.

The spec holds everything about a family that is wording or range rather than
mathematics, so rewording a question or adding a level is a YAML edit::

    family: receptive-field
    title: Receptive field
    topic: cnn
    week: 4
    answer: {kind: integer}            # rel_tol / abs_tol optional for reals
    levels:
      easy: {layers: [2, 3]}           # free-form; read by the sampler
      exam: {layers: [3, 5]}
      hard: {layers: [5, 8]}
    question: "..."                    # str.format template, or {variant: template}
    hint: "..."                        # str, or {variant: hint}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from mli_drill.exceptions import MliDrillError
from mli_drill.problems.registry import UnknownFamily
from mli_drill.problems.families.base import ANSWER_KINDS
from mli_drill.paths import problems_dir
from mli_drill.decks.cache import ParseCache, compiled_data
from mli_drill.paths import data_dir
from mli_drill.vocabulary import AnswerKind

LEVELS = ("easy", "exam", "hard")
DEFAULT_LEVEL = "exam"


class SpecError(MliDrillError, ValueError):
    """A family spec that cannot be used; the message names the file."""


@dataclass(frozen=True)
class AnswerSpec:
    kind: AnswerKind = "real"
    rel_tol: float = 0.01
    abs_tol: float = 0.005

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "rel_tol": self.rel_tol, "abs_tol": self.abs_tol}


@dataclass(frozen=True)
class FamilySpec:
    family: str
    title: str
    topic: str
    week: int | None
    answer: AnswerSpec
    levels: dict[str, dict[str, Any]]
    question: str | dict[str, str]
    hint: str | dict[str, str] = ""
    summary: str = ""
    path: Path | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family, "title": self.title, "topic": self.topic, "week": self.week,
            "answer": self.answer.to_dict(), "levels": self.levels, "question": self.question,
            "hint": self.hint, "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: Path | None = None) -> "FamilySpec":
        return cls(**{**data, "answer": AnswerSpec(**data["answer"]), "path": path})

    def template(self, variant: str | None) -> str:
        return _pick(self.question, variant, self.family, "question")

    def hint_for(self, variant: str | None) -> str:
        return _pick(self.hint, variant, self.family, "hint") if self.hint else ""


def _pick(value: str | dict[str, str], variant: str | None, family: str, what: str) -> str:
    if isinstance(value, str):
        return reflow(value)
    if variant in value:
        return reflow(value[variant])
    if "default" in value:
        return reflow(value["default"])
    raise SpecError(f"{family}: no {what} wording for variant {variant!r}")


@lru_cache(maxsize=1024)
def reflow(template: str) -> str:
    """Join the lines of each prose paragraph of a wording so the terminal can wrap it.

    Specs are written with YAML block scalars, whose line breaks are only
    there for the editor. A line stays on its own when it is blank, ends with
    a colon, or the next one is indented, a list item or a ``{field}`` (grids
    and tables are inserted through fields and keep their layout). An
    indented line is kept as written and nothing is joined onto it, so prose
    that follows an indented list or formula starts its own line.

    Cached: every instance made rewords one of a few templates.
    """
    lines = template.split("\n")
    out: list[str] = []
    for line in lines:
        joinable = (
            out
            and out[-1].strip()
            and line.strip()
            and not out[-1].rstrip().endswith(":")
            and not line[:1].isspace()
            and not out[-1][:1].isspace()
            and not line.lstrip().startswith(("-", "*", "{", "•"))
            and not re.match(r"\s*\d+[.)]\s", line)
            and not re.match(r"\s*\{", out[-1])
        )
        if joinable:
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=None)
def load_spec(family: str) -> FamilySpec:
    """The spec of a family: shipped compiled, else parsed once per content (see :mod:`mli_drill.decks.cache`)."""
    path = problems_dir() / f"{family}.yaml"
    if not path.is_file():
        raise UnknownFamily(family)
    content = path.read_bytes()
    spec = _from_dict(compiled_data(path, content), path)
    if spec is not None:
        return spec
    cache = ParseCache(data_dir() / "cache" / "specs")
    entry = cache.entry(path, "spec", content)
    spec = _from_dict(cache.get(entry), path)
    if spec is not None:
        return spec
    spec = parse_spec(content.decode("utf-8"), path)
    cache.put(entry, spec.to_dict())
    return spec


def _from_dict(data: Any, path: Path) -> FamilySpec | None:
    """A spec from cached or compiled data; None when there is none or it does not fit this version."""
    if not isinstance(data, dict):
        return None
    try:
        return FamilySpec.from_dict(data, path)
    except (KeyError, TypeError):
        return None


def parse_spec(text: str, path: Path) -> FamilySpec:
    import yaml

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # the safe loader, in C when available
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"{mark.line + 1}:" if mark else ""
        raise SpecError(f"{path}:{line} invalid YAML") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a family spec must be a mapping")
    missing = [k for k in ("family", "title", "topic", "levels", "question") if k not in data]
    if missing:
        raise SpecError(f"{path}: missing {', '.join(missing)}")
    if data["family"] != path.stem:
        raise SpecError(f"{path}: family {data['family']!r} does not match the file name")
    levels = data["levels"]
    if not isinstance(levels, dict) or not set(LEVELS) <= set(levels):
        raise SpecError(f"{path}: levels must define {', '.join(LEVELS)}")
    answer = AnswerSpec(**(data.get("answer") or {}))
    if answer.kind not in ANSWER_KINDS:
        raise SpecError(f"{path}: answer kind must be one of {', '.join(ANSWER_KINDS)}")
    return FamilySpec(
        family=data["family"],
        title=str(data["title"]),
        topic=str(data["topic"]),
        week=data.get("week"),
        answer=answer,
        levels={k: dict(v or {}) for k, v in levels.items()},
        question=data["question"],
        hint=data.get("hint", ""),
        summary=str(data.get("summary", "")),
        path=path,
    )
