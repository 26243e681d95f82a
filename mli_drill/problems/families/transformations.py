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
"""

from __future__ import annotations

import random
from typing import cast

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import format_grid

TASKS = ("dof", "apply", "compose")
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
MATRIX_KINDS = ("rigid", "affine")
# cos and sin of the rotations used (degrees), exact.
ROTATIONS = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}

Matrix = list[list[int]]


# ----------------------------------------------------------------------------
# sampling


def sample(rng: random.Random, level: dict) -> dict:
    task = rng.choice(level.get("tasks", list(TASKS)))
    if task == "dof":
        return {
            "task": "dof",
            "transform": rng.choice(["rigid", "similarity", "affine"]),
            "dim": rng.choice(level.get("dims", [2, 3])),
        }
    kinds = level.get("kinds", list(MATRIX_KINDS))
    shift = int(level.get("translation", 5))
    entry = int(level.get("entry", 2))
    if task == "apply":
        kind = rng.choice(kinds)
        coord = int(level.get("coordinate", 5))
        point = [rng.randint(-coord, coord), rng.randint(-coord, coord)]
        return {"task": "apply", "transform": kind, "matrix": _random_matrix(rng, kind, shift, entry), "point": point}
    first_kind, second_kind = rng.choice(kinds), rng.choice(kinds)
    rejections = Rejections()
    while True:
        first = _random_matrix(rng, first_kind, shift, entry)
        second = _random_matrix(rng, second_kind, shift, entry)
        if not (_is_identity(first) or _is_identity(second)) and _multiply(second, first) != _multiply(first, second):
            # The order must matter, or the question would not test it.
            return {"task": "compose", "t1": first, "t1_kind": first_kind, "t2": second, "t2_kind": second_kind}
        rejections.again()


def _random_matrix(rng: random.Random, kind: str, shift: int, entry: int) -> Matrix:
    """A rigid matrix (rotation by a multiple of 90 degrees + translation) or a genuine affine one."""
    tx, ty = rng.randint(-shift, shift), rng.randint(-shift, shift)
    if kind == "rigid":
        cos, sin = ROTATIONS[rng.choice([90, 180, 270, 0])]
        if (cos, tx, ty) == (1, 0, 0):
            tx = rng.choice([-1, 1]) * rng.randint(1, max(1, shift))
        return [[cos, -sin, tx], [sin, cos, ty], [0, 0, 1]]
    rejections = Rejections()
    while True:
        a, b, c, d = (rng.randint(-entry, entry) for _ in range(4))
        linear = [[a, b], [c, d]]
        if a * d - b * c != 0 and not _is_rotation(linear):
            return [[a, b, tx], [c, d, ty], [0, 0, 1]]
        rejections.again()


def _is_rotation(linear: list[list[int]]) -> bool:
    (a, b), (c, d) = linear
    return a * a + c * c == 1 and b * b + d * d == 1 and a * b + c * d == 0 and a * d - b * c == 1


def _is_identity(matrix: Matrix) -> bool:
    return matrix == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


def _multiply(left: Matrix, right: Matrix) -> Matrix:
    return [[sum(left[i][k] * right[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


# ----------------------------------------------------------------------------
# solving


def solve(params: dict) -> Solution:
    task = _task(params)
    if task == "dof":
        transform, dim = _dof_params(params)
        value = DOF[(transform, dim)]
        steps = [
            f"A {dim}-D {transform} transformation has {DOF_REASONS[(transform, dim)]}.",
            f"Degrees of freedom = {value}.",
        ]
        return Solution(answer=value, steps=steps, kind="integer")
    if task == "apply":
        return _apply(params)
    return _compose(params)


def _apply(params: dict) -> Solution:
    kind, matrix, (x, y) = _apply_params(params)
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


def _compose(params: dict) -> Solution:
    first, second = _compose_params(params)
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


def question_fields(params: dict) -> dict[str, str]:
    task = _task(params)
    if task == "dof":
        transform, dim = _dof_params(params)
        return {"variant": "dof", "transform": transform, "dim": str(dim)}
    if task == "apply":
        kind, matrix, (x, y) = _apply_params(params)
        return {"variant": "apply", "transform": kind, "matrix": format_grid(matrix), "x": str(x), "y": str(y)}
    first, second = _compose_params(params)
    return {
        "variant": "compose",
        "t1": format_grid(first),
        "t2": format_grid(second),
        "t1_kind": str(params.get("t1_kind", "affine")),
        "t2_kind": str(params.get("t2_kind", "affine")),
    }


# ----------------------------------------------------------------------------
# validation


def _task(params: dict) -> str:
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping with a task")
    task = params.get("task")
    if task not in TASKS:
        raise InvalidParams(f"task must be one of {', '.join(TASKS)}, not {task!r}")
    return task


def _dof_params(params: dict) -> tuple[str, int]:
    transform, dim = params.get("transform"), params.get("dim")
    if type(dim) is not int or (transform, dim) not in DOF:  # 2.0 == 2, but dim is a count
        raise InvalidParams("dof needs transform in rigid/similarity/affine and dim 2 or 3")
    return cast(str, transform), cast(int, dim)


def _apply_params(params: dict) -> tuple[str, Matrix, tuple[int, int]]:
    kind = params.get("transform")
    if kind not in MATRIX_KINDS:
        raise InvalidParams(f"transform must be rigid or affine, not {kind!r}")
    matrix = _matrix(params.get("matrix"), "matrix", kind)
    point = params.get("point")
    if not isinstance(point, list) or len(point) != 2 or not all(_is_int(v) for v in point):
        raise InvalidParams("point must be a list [x, y] of two integers")
    return kind, matrix, (int(point[0]), int(point[1]))


def _compose_params(params: dict) -> tuple[Matrix, Matrix]:
    kinds = []
    for name in ("t1_kind", "t2_kind"):
        kind = params.get(name, "affine")
        if kind not in MATRIX_KINDS:
            raise InvalidParams(f"{name} must be rigid or affine, not {kind!r}")
        kinds.append(kind)
    return _matrix(params.get("t1"), "t1", kinds[0]), _matrix(params.get("t2"), "t2", kinds[1])


def _is_int(value: object) -> bool:
    return not isinstance(value, bool) and (isinstance(value, int) or (isinstance(value, float) and value.is_integer()))


def _matrix(value: object, name: str, kind: str) -> Matrix:
    """A homogeneous 2-D matrix of integers; a 'rigid' one must have a rotation as its linear part."""
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(row, list) and len(row) == 3 and all(_is_int(v) for v in row) for row in value)
    ):
        raise InvalidParams(f"{name} must be a 3x3 list of integers (a homogeneous 2-D transformation)")
    matrix = [[int(v) for v in row] for row in value]
    if matrix[2] != [0, 0, 1]:
        raise InvalidParams(f"{name} must have last row [0, 0, 1] (an affine transformation)")
    linear = [matrix[0][:2], matrix[1][:2]]
    if kind == "rigid" and not _is_rotation(linear):
        raise InvalidParams(f"{name} is called rigid but its 2x2 part is not a rotation")
    if linear[0][0] * linear[1][1] - linear[0][1] * linear[1][0] == 0:
        raise InvalidParams(f"{name} is singular (its 2x2 part has determinant 0): not a valid transformation")
    return matrix


# ----------------------------------------------------------------------------
# mistakes

# Translations per transformation in 2-D and 3-D: what is left when they are forgotten.
_TRANSLATIONS = {2: 2, 3: 3}


def _dof_without_translation(params: dict) -> int | None:
    if _task(params) != "dof":
        return None
    transform, dim = _dof_params(params)
    return DOF[(transform, dim)] - _TRANSLATIONS[dim]


def _dof_without_translation_message(params: dict) -> str:
    transform, dim = _dof_params(params)
    return (f"you left out the translations: a {dim}-D {transform} transformation also shifts along "
            f"{_TRANSLATIONS[dim]} axes, {DOF_REASONS[(transform, dim)]} = {DOF[(transform, dim)]}")


def _applied(params: dict, transpose: bool = False, translate: bool = True) -> list[int] | None:
    if _task(params) != "apply":
        return None
    _, matrix, (x, y) = _apply_params(params)
    (a, b, tx), (c, d, ty), _ = matrix
    if transpose:
        b, c = c, b
    if not translate:
        tx = ty = 0
    return [a * x + b * y + tx, c * x + d * y + ty]


def _translation_forgotten_message(params: dict) -> str:
    _, matrix, (x, y) = _apply_params(params)
    return (f"you left out the translation: the third column ({matrix[0][2]}, {matrix[1][2]}) multiplies the "
            f"homogeneous 1 of (x, y, 1) = ({x}, {y}, 1), so it is added to x' and y'")


def _transposed_message(params: dict) -> str:
    _, matrix, (x, y) = _apply_params(params)
    (a, b, _), (c, d, _), _ = matrix
    return (f"you multiplied by the transpose (the point as a row vector): x' is row 1 of T times (x, y, 1), "
            f"{_p(a)}·{_p(x)} + {_p(b)}·{_p(y)} + ..., not column 1, {_p(a)}·{_p(x)} + {_p(c)}·{_p(y)} + ...")


def _composed(params: dict, reversed_order: bool = False, add_translations: bool = False) -> Matrix | None:
    if _task(params) != "compose":
        return None
    first, second = _compose_params(params)
    if reversed_order:
        return _multiply(first, second)
    product = _multiply(second, first)
    if add_translations:
        for i in range(2):
            product[i][2] = first[i][2] + second[i][2]
    return product


def _wrong_order_message(params: dict) -> str:
    return ("you multiplied in the wrong order: T1 acts first, so the combined matrix is T2·T1 "
            "(the matrix next to the point acts first), not T1·T2")


def _translations_added_message(params: dict) -> str:
    first, second = _compose_params(params)
    return (f"you added the two translations: T2 also rotates/scales T1's shift ({first[0][2]}, {first[1][2]}), so "
            f"the new translation is T2's 2x2 part times it, plus ({second[0][2]}, {second[1][2]})")


MISTAKES = (
    Mistake("dof-without-translation", _dof_without_translation, _dof_without_translation_message),
    Mistake("translation-forgotten", lambda params: _applied(params, translate=False), _translation_forgotten_message),
    Mistake("matrix-transposed", lambda params: _applied(params, transpose=True), _transposed_message),
    Mistake("wrong-order", lambda params: _composed(params, reversed_order=True), _wrong_order_message),
    Mistake("translations-added", lambda params: _composed(params, add_translations=True), _translations_added_message),
)
