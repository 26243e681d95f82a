"""What every problem family provides, and what it returns.

A family is two files: ``problems/<name>.yaml`` (title, topic, week, levels
with their parameter ranges, question wording, hints, answer form and
tolerance) and ``mli_drill/problems/families/<name_with_underscores>.py``, a
pure module with two frozen dataclasses and three functions::

    @dataclass(frozen=True)
    class Params: ...   # one instance's parameters; ranges checked in __post_init__
    @dataclass(frozen=True)
    class Level: ...    # how sample() draws; every field has its default here,
                        # a spec's levels.<level> mapping overrides some of them

    def sample(rng: random.Random, level: Level) -> Params
        # Must never return a degenerate instance (resample instead).

    def solve(params: Params) -> Solution
        # the reference answer and the worked solution, from params alone.

    def question_fields(params: Params) -> dict[str, str]
        # strings that fill the spec's question template with str.format_map.
        # A field named "variant" picks the template when ``question`` in the
        # spec is a mapping (e.g. one wording per metric).

The JSON form of ``Params`` (stored with reviews and exam papers, printed by
``--json``) and the spec's level mappings are converted to and from these
dataclasses in one place, :mod:`mli_drill.problems.convert`, which names the
path of any bad value (``at $.layers[0].kernel: ...``). Range checks raise
:class:`FieldError` through :func:`require`, so the converter can add the path.

No module does I/O or imports another family, so adding a family touches
nothing that exists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from mli_drill.exceptions import MliDrillError

# Answer kinds understood by mli_drill.problems.answers:
#   integer  exact integer;
#   real     a number within the spec's tolerance;
#   vector   a list of numbers, compared element-wise;
#   matrix   a grid of numbers (rows), compared element-wise;
#   text     one word or label, compared case-insensitively.
ANSWER_KINDS = ("integer", "real", "vector", "matrix", "text")


@dataclass(frozen=True)
class Solution:
    """The reference answer with the working a tutor would write.

    ``answer`` is int, float, list[float], list[list[float]] or str, matching
    the answer kind. ``kind`` overrides the spec's default answer kind when a
    family's answer form depends on the instance (AdaBoost asks for weights or
    for alpha). ``display`` is how to show the answer when the bare value is not
    the clearest form, e.g. "sqrt(5) ≈ 2.236".
    """

    answer: Any
    steps: list[str]
    kind: str | None = None
    display: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"answer": self.answer, "steps": list(self.steps), "kind": self.kind, "display": self.display}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Solution":
        return cls(answer=data["answer"], steps=list(data["steps"]), kind=data.get("kind"), display=data.get("display"))


class FamilyModule(Protocol):
    """The shape of a family module (checked by tests/test_registry.py)."""

    def sample(self, rng: random.Random, level: Any) -> Any: ...  # Level -> Params

    def solve(self, params: Any) -> Solution: ...

    def question_fields(self, params: Any) -> dict[str, str]: ...


class InvalidParams(MliDrillError, ValueError):
    """Parameters given by hand (e.g. ``problems check``) that a family cannot solve."""


class FieldError(InvalidParams):
    """A range check in a ``Params`` or ``Level`` dataclass's ``__post_init__`` that failed, naming the field.

    :func:`mli_drill.problems.convert.load` adds where the dataclass sits in
    the data, so the student reads ``at $.layers[0].kernel: must be at least 1``.
    """

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


OMIT_NONE = "omit_none"  # dataclass field metadata read by mli_drill.problems.convert.dump


def optional() -> Any:
    """A ``Params`` field the JSON may leave out: ``None`` when absent, and left out of the JSON when ``None``.

    For keys only some instances have (``wrt`` only when a gradient is asked, the
    fields of one variant), so the JSON of each instance lists just its own keys::

        wrt: str | None = optional()
    """
    return field(default=None, metadata={OMIT_NONE: True})


def require(condition: bool, field: str, message: str) -> None:
    """Raise :class:`FieldError` for ``field`` unless ``condition`` holds (for ``__post_init__`` range checks)."""
    if not condition:
        raise FieldError(field, message)


@dataclass
class Rejections:
    """Counts resampling so a sampler that can never succeed fails loudly."""

    limit: int = 10_000
    count: int = field(default=0)

    def again(self) -> None:
        self.count += 1
        if self.count > self.limit:
            raise RuntimeError("sampler rejected too many candidates; check the level's ranges")


@dataclass(frozen=True)
class Mistake:
    """A common slip in a family's computation: the solver with one step done wrong.

    A family lists its slips in a module-level ``MISTAKES: tuple[Mistake, ...]``
    beside its solver, so adding one touches only that module, its doc page
    (``docs/problems/<family>.md``) and its tests.

    ``answer(params)`` (``params`` the family's typed ``Params``) is the value a student who makes exactly this slip
    would give for the instance, in the instance's own answer kind, or
    ``None`` when the slip does not apply to it (a Dice-for-Jaccard slip on a
    question that asks for Hausdorff). ``message(params)`` is one line that
    names the slip and quotes the step it concerns with the instance's own
    numbers, so the student sees *where* it went wrong, not only that it did.
    Both are pure functions of the params, like ``solve``.

    Some slips have no single value: a directed Hausdorff distance may be
    taken from either mask. Such an ``answer`` returns :class:`Alternatives`,
    and a student's answer matching any one of them is named as the slip.
    """

    id: str
    answer: Callable[[Any], Any]  # the family's Params -> a value, None or Alternatives
    message: Callable[[Any], str]


@dataclass(frozen=True)
class Alternatives:
    """The several values one slip can give, any of which counts as that slip.

    A wrapper rather than a plain list or tuple, because vector and matrix
    answers are lists themselves. ``None`` entries (a variant that does not
    apply) are ignored.
    """

    values: tuple[Any, ...]


@dataclass(frozen=True)
class Region:
    """A rectangle of a grid's cells, both ends inclusive: a kernel's window, or a Haar rectangle.

    ``role`` is "window" (where a kernel or pooling window sits), "white" or
    "black" (the two kinds of a Haar feature's rectangles).
    """

    top: int
    left: int
    bottom: int
    right: int
    role: str = "window"

    def contains(self, row: int, col: int) -> bool:
        return self.top <= row <= self.bottom and self.left <= col <= self.right


@dataclass(frozen=True)
class Grid:
    """A grid of numbers a question or a worked solution shows, and what it depicts.

    A family may define ``pictures(params) -> list[Grid]``: terminals with
    colour and HTML worksheets then draw each grid as a picture where its rows
    appear in the text (found by their cells, as ``format_grid`` writes them),
    and show the plain digits everywhere else. ``kind`` is

    - "mask": a binary mask (0/1), drawn as two-tone cells;
    - "image": intensities, drawn on a grey ramp from ``low`` to ``high``
      (the grid's own range when not given; give two compared images one range),
      with the numbers kept in the cells;
    - "kernel": weights, drawn warm for positive and cool for negative;
    - "overlay": labels TP, FP, FN (anything else is "neither") comparing two masks.

    ``regions`` mark rectangles over the grid (a kernel window, Haar rectangles).
    """

    kind: str
    rows: tuple[tuple[Any, ...], ...]
    regions: tuple[Region, ...] = ()
    low: float | None = None
    high: float | None = None

    @classmethod
    def of(cls, kind: str, rows: Any, regions: tuple[Region, ...] = (), low: float | None = None, high: float | None = None) -> "Grid":
        return cls(kind, tuple(tuple(row) for row in rows), tuple(regions), low, high)
