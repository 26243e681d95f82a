"""Spatial transformations for registration: degrees of freedom, applying, composing.

Three tasks:

* ``dof``: degrees of freedom of a rigid / similarity / affine transformation in
  2-D or 3-D (CONVENTIONS.md: 3, 4, 6 and 6, 7, 12).
* ``apply``: a 2-D rigid or affine transformation given as a homogeneous 3x3
  matrix acting on the column vector (x, y, 1); the answer is the point (x', y').
* ``compose``: "apply T1 first, then T2" is the single matrix ``T2 · T1`` (the
  matrix next to the point acts first), a 3x3 matrix.

Rotations are by multiples of 90 degrees and affine entries are small integers,
so all arithmetic stays in integers.

Params (JSON), typed as :class:`Params`; each task has its own keys (a matrix is
three rows of three integers, the last row [0, 0, 1])::

    {"task": "dof", "transform": "rigid" | "similarity" | "affine", "dim": 2 | 3}
    {"task": "apply", "transform": "rigid" | "affine", "matrix": [[a, b, tx], [c, d, ty], [0, 0, 1]], "point": [x, y]}
    {"task": "compose", "t1": matrix, "t1_kind": "rigid" | "affine", "t2": matrix, "t2_kind": "rigid" | "affine"}

(a missing ``t1_kind`` or ``t2_kind`` means "affine").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal, Sequence

from mli_drill.problems.families.base import Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import format_grid

Task = Literal["dof", "apply", "compose"]
Transform = Literal["rigid", "similarity", "affine"]
Kind = Literal["rigid", "affine"]  # the transforms a 2-D matrix is drawn as
TASKS: tuple[Task, ...] = ("dof", "apply", "compose")
DOF = {
    ("rigid", 2): 3,
    ("similarity", 2): 4,
    ("affine", 2): 6,
    ("rigid", 3): 6,
    ("similarity", 3): 7,
    ("affine", 3): 12,
}
DOF_REASONS = {
    ("rigid", 2): "1 rotation angle + 2 translations (x, y)",
    ("similarity", 2): "1 rotation angle + 2 translations + 1 isotropic scale",
    ("affine", 2): "4 entries of the 2x2 linear part (rotation, 2 scales, shear) + 2 translations",
    ("rigid", 3): "3 rotation angles + 3 translations (x, y, z)",
    ("similarity", 3): "3 rotation angles + 3 translations + 1 isotropic scale",
    ("affine", 3): "9 entries of the 3x3 linear part + 3 translations",
}
MATRIX_KINDS: tuple[Kind, ...] = ("rigid", "affine")
# cos and sin of the rotations used (degrees), exact.
ROTATIONS = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}

Row3 = tuple[int, int, int]
Matrix = tuple[Row3, Row3, Row3]  # a homogeneous 2-D transformation, rows; the last is (0, 0, 1)
IDENTITY: Matrix = ((1, 0, 0), (0, 1, 0), (0, 0, 1))

# The keys each task uses besides "task" (the others must be absent).
TASK_FIELDS = {
    "dof": ("transform", "dim"),
    "apply": ("transform", "matrix", "point"),
    "compose": ("t1", "t1_kind", "t2", "t2_kind"),
}


@dataclass(frozen=True)
class Params:
    """One question; which keys it has depends on ``task`` (see TASK_FIELDS)."""

    task: Task
    transform: Transform | None = optional()  # dof; apply (rigid or affine only)
    dim: int | None = optional()  # dof: 2 or 3
    matrix: Matrix | None = optional()  # apply: T, acting on (x, y, 1)
    point: tuple[int, int] | None = optional()  # apply: (x, y)
    t1: Matrix | None = optional()  # compose: applied first
    t1_kind: Kind | None = optional()  # compose: "affine" when absent
    t2: Matrix | None = optional()  # compose: applied second
    t2_kind: Kind | None = optional()

    def __post_init__(self) -> None:
        used = TASK_FIELDS[self.task]
        for name in ("transform", "dim", "matrix", "point", "t1", "t1_kind", "t2", "t2_kind"):
            if name not in used:
                require(getattr(self, name) is None, name, f"is not used when task is {self.task!r}")
        if self.task == "dof":
            require(self.transform is not None, "transform", "dof needs transform rigid, similarity or affine")
            require(self.dim in (2, 3), "dim", f"dof needs dim 2 or 3, got {self.dim!r}")
        elif self.task == "apply":
            require(self.transform in MATRIX_KINDS, "transform", f"must be rigid or affine, not {self.transform!r}")
            require(self.point is not None, "point", "must be a list [x, y] of two integers")
            _check_matrix(self.matrix, "matrix", self.transform or "affine")
        else:
            for name in ("t1_kind", "t2_kind"):
                if getattr(self, name) is None:
                    object.__setattr__(self, name, "affine")
            _check_matrix(self.t1, "t1", self.t1_kind or "affine")
            _check_matrix(self.t2, "t2", self.t2_kind or "affine")


def _check_matrix(matrix: Matrix | None, name: str, kind: str) -> None:
    """A homogeneous 2-D matrix; a 'rigid' one must have a rotation as its linear part."""
    require(matrix is not None, name, "must be a 3x3 list of integers (a homogeneous 2-D transformation)")
    assert matrix is not None
    require(matrix[2] == (0, 0, 1), name, "must have last row [0, 0, 1] (an affine transformation)")
    (a, b, _), (c, d, _), _ = matrix
    require(kind != "rigid" or _is_rotation(a, b, c, d), name, "is called rigid but its 2x2 part is not a rotation")
    require(a * d - b * c != 0, name, "is singular (its 2x2 part has determinant 0): not a valid transformation")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    tasks: tuple[Task, ...] = TASKS  # drawn uniformly (repeat a task to weight it)
    dims: tuple[int, ...] = (2, 3)  # dimensions for dof
    kinds: tuple[Kind, ...] = MATRIX_KINDS  # matrix kinds for apply/compose
    translation: int = 5  # |t| bound of a translation
    entry: int = 2  # |a_ij| bound of an affine 2x2 part
    coordinate: int = 5  # |x|, |y| bound of the point

    def __post_init__(self) -> None:
        require(bool(self.tasks), "tasks", "must not be empty")
        require(bool(self.dims) and set(self.dims) <= {2, 3}, "dims", "must be a non-empty list of 2 and 3")
        require(bool(self.kinds), "kinds", "must not be empty")
        require(self.translation >= 0, "translation", "must be at least 0")
        require(self.entry >= 1, "entry", "must be at least 1")
        require(self.coordinate >= 0, "coordinate", "must be at least 0")


# ----------------------------------------------------------------------------
# sampling


def sample(rng: random.Random, level: Level) -> Params:
    task = rng.choice(level.tasks)
    if task == "dof":
        transform: Transform = rng.choice(["rigid", "similarity", "affine"])
        return Params("dof", transform=transform, dim=rng.choice(level.dims))
    kinds = level.kinds
    shift = level.translation
    entry = level.entry
    if task == "apply":
        kind = rng.choice(kinds)
        coord = level.coordinate
        point = (rng.randint(-coord, coord), rng.randint(-coord, coord))
        return Params("apply", transform=kind, matrix=_random_matrix(rng, kind, shift, entry), point=point)
    first_kind, second_kind = rng.choice(kinds), rng.choice(kinds)
    rejections = Rejections()
    while True:
        first = _random_matrix(rng, first_kind, shift, entry)
        second = _random_matrix(rng, second_kind, shift, entry)
        if not (first == IDENTITY or second == IDENTITY) and _multiply(second, first) != _multiply(first, second):
            # The order must matter, or the question would not test it.
            return Params("compose", t1=first, t1_kind=first_kind, t2=second, t2_kind=second_kind)
        rejections.again()


def _random_matrix(rng: random.Random, kind: str, shift: int, entry: int) -> Matrix:
    """A rigid matrix (rotation by a multiple of 90 degrees + translation) or a genuine affine one."""
    tx, ty = rng.randint(-shift, shift), rng.randint(-shift, shift)
    if kind == "rigid":
        cos, sin = ROTATIONS[rng.choice([90, 180, 270, 0])]
        if (cos, tx, ty) == (1, 0, 0):
            tx = rng.choice([-1, 1]) * rng.randint(1, max(1, shift))
        return ((cos, -sin, tx), (sin, cos, ty), (0, 0, 1))
    rejections = Rejections()
    while True:
        a, b, c, d = (rng.randint(-entry, entry) for _ in range(4))
        if a * d - b * c != 0 and not _is_rotation(a, b, c, d):
            return ((a, b, tx), (c, d, ty), (0, 0, 1))
        rejections.again()


def _is_rotation(a: int, b: int, c: int, d: int) -> bool:
    """Whether the 2x2 part [[a, b], [c, d]] is a rotation."""
    return a * a + c * c == 1 and b * b + d * d == 1 and a * b + c * d == 0 and a * d - b * c == 1


def _multiply(left: Sequence[Sequence[int]], right: Sequence[Sequence[int]]) -> list[list[int]]:
    return [[sum(left[i][k] * right[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


# ----------------------------------------------------------------------------
# solving


def solve(params: Params) -> Solution:
    task = params.task
    if task == "dof":
        transform, dim = _dof(params)
        value = DOF[(transform, dim)]
        steps = [
            f"A {dim}-D {transform} transformation has {DOF_REASONS[(transform, dim)]}.",
            f"Degrees of freedom = {value}.",
        ]
        return Solution(answer=value, steps=steps, kind="integer")
    if task == "apply":
        return _apply(params)
    return _compose(params)


def _apply(params: Params) -> Solution:
    kind, matrix, (x, y) = _applied_to(params)
    (a, b, tx), (c, d, ty), _ = matrix
    steps = [
        f"Write the point in homogeneous coordinates, p = (x, y, 1) = ({x}, {y}, 1), and multiply T·p:\n"
        + format_grid(matrix)
        + f"\n· ({x}, {y}, 1)ᵀ",
    ]
    if kind == "rigid":
        steps.append(f"(T is rigid: {_describe_rigid(matrix)}.)")
    new_x = a * x + b * y + tx
    new_y = c * x + d * y + ty
    steps.append(f"x' = {_p(a)}·{_p(x)} + {_p(b)}·{_p(y)} + {_p(tx)} = {new_x}")
    steps.append(f"y' = {_p(c)}·{_p(x)} + {_p(d)}·{_p(y)} + {_p(ty)} = {new_y}")
    steps.append(f"The transformed point is ({new_x}, {new_y}).")
    return Solution(answer=[new_x, new_y], steps=steps, kind="vector", display=f"({new_x}, {new_y})")


def _compose(params: Params) -> Solution:
    first, second = _composed_of(params)
    product = _multiply(second, first)
    steps = [
        "Applying T1 first and then T2 maps p to T2·(T1·p) = (T2·T1)·p, so the combined matrix is T2·T1 "
        "(the matrix written next to the point acts first).",
        "T2 =\n" + format_grid(second) + "\nT1 =\n" + format_grid(first),
    ]
    lines = []
    for i in range(2):
        for j in range(3):
            terms = " + ".join(f"{_p(second[i][k])}·{_p(first[k][j])}" for k in range(3))
            lines.append(f"entry ({i + 1},{j + 1}): row {i + 1} of T2 · column {j + 1} of T1 = {terms} = {product[i][j]}")
    lines.append("row 3 stays (0, 0, 1)")
    steps.append("\n".join(lines))
    steps.append("T2·T1 =\n" + format_grid(product))
    return Solution(answer=product, steps=steps, kind="matrix")


def _p(value: int) -> str:
    """A factor or term, bracketed when negative so signs never collide: 2·(-3) + (-1)."""
    return f"({value})" if value < 0 else str(value)


def _describe_rigid(matrix: Matrix) -> str:
    cos, sin = matrix[0][0], matrix[1][0]
    angle = next(deg for deg, cs in ROTATIONS.items() if cs == (cos, sin))
    rotation = "no rotation" if angle == 0 else f"rotation by {angle}° anticlockwise (x to the right, y up)"
    return f"{rotation}, then translation by ({matrix[0][2]}, {matrix[1][2]})"


# ----------------------------------------------------------------------------
# question text


def question_fields(params: Params) -> dict[str, str]:
    task = params.task
    if task == "dof":
        transform, dim = _dof(params)
        return {"variant": "dof", "transform": transform, "dim": str(dim)}
    if task == "apply":
        kind, matrix, (x, y) = _applied_to(params)
        return {"variant": "apply", "transform": kind, "matrix": format_grid(matrix), "x": str(x), "y": str(y)}
    first, second = _composed_of(params)
    return {
        "variant": "compose",
        "t1": format_grid(first),
        "t2": format_grid(second),
        "t1_kind": str(params.t1_kind),
        "t2_kind": str(params.t2_kind),
    }


# ----------------------------------------------------------------------------
# the keys of each task (present: Params checks them per task)


def _dof(params: Params) -> tuple[str, int]:
    assert params.transform is not None and params.dim is not None
    return params.transform, params.dim


def _applied_to(params: Params) -> tuple[str, Matrix, tuple[int, int]]:
    assert params.transform is not None and params.matrix is not None and params.point is not None
    return params.transform, params.matrix, params.point


def _composed_of(params: Params) -> tuple[Matrix, Matrix]:
    assert params.t1 is not None and params.t2 is not None
    return params.t1, params.t2


# ----------------------------------------------------------------------------
# mistakes

# Translations per transformation in 2-D and 3-D: what is left when they are forgotten.
_TRANSLATIONS = {2: 2, 3: 3}


def _dof_without_translation(params: Params) -> int | None:
    if params.task != "dof":
        return None
    transform, dim = _dof(params)
    return DOF[(transform, dim)] - _TRANSLATIONS[dim]


def _dof_without_translation_message(params: Params) -> str:
    transform, dim = _dof(params)
    return (f"you left out the translations: a {dim}-D {transform} transformation also shifts along "
            f"{_TRANSLATIONS[dim]} axes, {DOF_REASONS[(transform, dim)]} = {DOF[(transform, dim)]}")


def _applied(params: Params, transpose: bool = False, translate: bool = True) -> list[int] | None:
    if params.task != "apply":
        return None
    _, matrix, (x, y) = _applied_to(params)
    (a, b, tx), (c, d, ty), _ = matrix
    if transpose:
        b, c = c, b
    if not translate:
        tx = ty = 0
    return [a * x + b * y + tx, c * x + d * y + ty]


def _translation_forgotten_message(params: Params) -> str:
    _, matrix, (x, y) = _applied_to(params)
    return (f"you left out the translation: the third column ({matrix[0][2]}, {matrix[1][2]}) multiplies the "
            f"homogeneous 1 of (x, y, 1) = ({x}, {y}, 1), so it is added to x' and y'")


def _transposed_message(params: Params) -> str:
    _, matrix, (x, y) = _applied_to(params)
    (a, b, _), (c, d, _), _ = matrix
    return (f"you multiplied by the transpose (the point as a row vector): x' is row 1 of T times (x, y, 1), "
            f"{_p(a)}·{_p(x)} + {_p(b)}·{_p(y)} + ..., not column 1, {_p(a)}·{_p(x)} + {_p(c)}·{_p(y)} + ...")


def _composed(params: Params, reversed_order: bool = False, add_translations: bool = False) -> list[list[int]] | None:
    if params.task != "compose":
        return None
    first, second = _composed_of(params)
    if reversed_order:
        return _multiply(first, second)
    product = _multiply(second, first)
    if add_translations:
        for i in range(2):
            product[i][2] = first[i][2] + second[i][2]
    return product


def _wrong_order_message(params: Params) -> str:
    return ("you multiplied in the wrong order: T1 acts first, so the combined matrix is T2·T1 "
            "(the matrix next to the point acts first), not T1·T2")


def _translations_added_message(params: Params) -> str:
    first, second = _composed_of(params)
    return (f"you added the two translations: T2 also rotates/scales T1's shift ({first[0][2]}, {first[1][2]}), so "
            f"the new translation is T2's 2x2 part times it, plus ({second[0][2]}, {second[1][2]})")


MISTAKES = (
    Mistake("dof-without-translation", _dof_without_translation, _dof_without_translation_message),
    Mistake("translation-forgotten", lambda params: _applied(params, translate=False), _translation_forgotten_message),
    Mistake("matrix-transposed", lambda params: _applied(params, transpose=True), _transposed_message),
    Mistake("wrong-order", lambda params: _composed(params, reversed_order=True), _wrong_order_message),
    Mistake("translations-added", lambda params: _composed(params, add_translations=True), _translations_added_message),
)
