"""The one converter between JSON/YAML data and typed Params/Level dataclasses: paths in every error, and round trips."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import pytest

from mli_drill.problems.convert import dump, load
from mli_drill.problems.families.base import InvalidParams, require


@dataclass(frozen=True)
class Box:
    x1: float
    y1: float
    label: Literal["cat", "dog"] = "cat"

    def __post_init__(self) -> None:
        require(self.x1 <= 100, "x1", f"must be at most 100, got {self.x1}")


@dataclass(frozen=True)
class Scene:
    boxes: tuple[Box, ...]
    size: tuple[int, int]
    threshold: Optional[float] = None
    names: dict[str, int] | None = None
    grid: list[list[int]] | None = None
    flag: bool = False


def fails(data: object) -> str:
    with pytest.raises(InvalidParams) as caught:
        load(Scene, data)
    return str(caught.value)


def test_a_good_value_loads_with_defaults_and_round_trips() -> None:
    data = {"boxes": [{"x1": 1, "y1": 2.5, "label": "dog"}], "size": [4, 5], "grid": [[1, 2], [3, 4]]}
    scene = load(Scene, data)
    assert scene == Scene((Box(1, 2.5, "dog"),), (4, 5), None, None, [[1, 2], [3, 4]], False)
    assert type(scene.boxes[0].x1) is int, "an integer is accepted where a real number is asked, and kept as given"
    assert dump(scene) == {"boxes": [{"x1": 1, "y1": 2.5, "label": "dog"}], "size": [4, 5], "threshold": None,
                           "names": None, "grid": [[1, 2], [3, 4]], "flag": False}
    assert load(Scene, dump(scene)) == scene


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "at $: expected a mapping, got []"),
        ({"size": [1, 2]}, "at $: missing 'boxes'"),
        ({"boxes": [], "size": [1, 2], "treshold": 0.5}, "at $: unknown key 'treshold' (did you mean 'threshold'?)"),
        ({"boxes": [], "size": [1, 2], "zzz": 1}, "at $: unknown key 'zzz'; expected one of boxes, size, threshold, names, grid, flag"),
        ({"boxes": {}, "size": [1, 2]}, "at $.boxes: expected a list, got {}"),
        ({"boxes": [{"x1": 1, "y1": "2"}], "size": [1, 2]}, "at $.boxes[0].y1: expected a number, got '2'"),
        ({"boxes": [{"x1": 1, "y1": 2}, {"x1": 1, "y1": 2, "label": "cow"}], "size": [1, 2]},
         "at $.boxes[1].label: expected one of 'cat', 'dog', got 'cow'"),
        ({"boxes": [{"x1": 101, "y1": 2}], "size": [1, 2]}, "at $.boxes[0].x1: must be at most 100, got 101"),
        ({"boxes": [], "size": [1, 2, 3]}, "at $.size: expected a list of 2, got 3 item(s)"),
        ({"boxes": [], "size": [1, True]}, "at $.size[1]: expected an integer, got True"),
        ({"boxes": [], "size": [1, 2.0]}, "at $.size[1]: expected an integer, got 2.0"),
        ({"boxes": [], "size": [1, 2], "threshold": "high"}, "at $.threshold: expected a number, got 'high'"),
        ({"boxes": [], "size": [1, 2], "names": {"a": "b"}}, "at $.names.a: expected an integer, got 'b'"),
        ({"boxes": [], "size": [1, 2], "grid": [[1], [2, "x"]]}, "at $.grid[1][1]: expected an integer, got 'x'"),
        ({"boxes": [], "size": [1, 2], "flag": 1}, "at $.flag: expected true or false, got 1"),
        ({"boxes": [{"x1": True, "y1": 2}], "size": [1, 2]}, "at $.boxes[0].x1: expected a number, got True"),
    ],
)
def test_every_error_names_its_path(data: object, message: str) -> None:
    assert fails(data) == message


def test_a_long_bad_value_is_shortened() -> None:
    assert fails({"boxes": "x" * 100, "size": [1, 2]}) == f"at $.boxes: expected a list, got '{'x' * 36}..."


def test_an_unknown_annotation_is_the_family_s_bug_not_the_student_s() -> None:
    @dataclass(frozen=True)
    class Odd:
        value: complex

    with pytest.raises(TypeError, match="does not know the type"):
        load(Odd, {"value": 1})


def test_where_names_the_root() -> None:
    with pytest.raises(InvalidParams, match=r"^at \$\.levels\.easy: missing 'boxes'$"):
        load(Scene, {"size": [1, 2]}, "$.levels.easy")


def test_a_union_reports_the_option_that_got_furthest() -> None:
    @dataclass(frozen=True)
    class Points:
        points: tuple[int, ...] | int

    assert load(Points, {"points": 3}).points == 3
    assert load(Points, {"points": [1, 2]}).points == (1, 2)
    with pytest.raises(InvalidParams, match=r"^at \$\.points\[1\]: expected an integer, got '3'$"):
        load(Points, {"points": [2, "3"]})
    with pytest.raises(InvalidParams, match=r"^at \$\.points: expected"):
        load(Points, {"points": "x"})


def test_a_union_of_scalars_names_every_option_and_a_literal_wants_the_same_type() -> None:
    @dataclass(frozen=True)
    class Values:
        value: int | float
        sign: Literal[-1, 1] = 1

    assert load(Values, {"value": 9}).value == 9 and load(Values, {"value": 2.5}).value == 2.5
    with pytest.raises(InvalidParams, match=r"^at \$\.value: expected a number, got '9'$"):
        load(Values, {"value": "9"})
    for sign in (1.0, True, 0):
        with pytest.raises(InvalidParams, match=r"^at \$\.sign: expected one of -1, 1, got"):
            load(Values, {"value": 1, "sign": sign})


@dataclass(frozen=True)
class Node:
    args: tuple["Node", ...] = ()


def test_deeply_nested_data_is_refused_with_a_message_not_a_recursion_error() -> None:
    data: dict = {}
    for _ in range(500):
        data = {"args": [data]}
    with pytest.raises(InvalidParams, match="nested more than 100 levels deep"):
        load(Node, data)
    shallow: dict = {"args": []}
    for _ in range(20):
        shallow = {"args": [shallow]}
    assert dump(load(Node, shallow)) == shallow
