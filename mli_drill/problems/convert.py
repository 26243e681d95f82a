"""The one converter between JSON/YAML data and a family's typed ``Params`` and ``Level``.

A family declares its parameters as frozen dataclasses (see
:mod:`mli_drill.problems.families.base`); this module turns the plain data a
spec, a stored instance or ``problems check --params`` holds into them, and
back. Every error names where in the data it is, as a JSON path::

    at $.layers[0].kernel: expected an integer, got '3'
    at $.levels.easy: unknown key 'pool_probabilty' (did you mean 'pool_probability'?)

so a hand-written instance or a mistyped level setting fails on the spot
instead of falling back to a default. Range checks live in each dataclass's
``__post_init__`` (they raise :class:`~mli_drill.problems.families.base.FieldError`,
which gets the path here).

Standard library only (``typing`` introspection, cached per class): the types
families use are few (int, float, str, bool, Literal, tuples, lists, dicts,
optional values and nested dataclasses), and msgspec or pydantic would add a
dependency, and start-up cost, for them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import lru_cache
from typing import Any, TypeVar, Union, get_args, get_origin

from mli_drill.names import closest
from mli_drill.problems.families.base import OMIT_NONE, FieldError, InvalidParams

T = TypeVar("T")


def load(cls: type[T], data: Any, where: str = "$") -> T:
    """``data`` (parsed JSON or YAML) as an instance of the dataclass ``cls``; :class:`InvalidParams` naming the path if it does not fit."""
    return _convert(cls, data, where)  # type: ignore[no-any-return]


def dump(value: Any) -> Any:
    """A dataclass (or a structure of them) as plain JSON data: dicts, lists, numbers and strings.

    On every drawn instance's path, so it dispatches on the exact type first.
    """
    kind: Any = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return [item if type(item) in _PLAIN else dump(item) for item in value]  # most lists hold plain numbers
    if kind is dict:
        return {key: dump(item) for key, item in value.items()}
    names = _field_names(kind)
    if names is not None:
        return {name: dump(item) for name, omit in names if not ((item := getattr(value, name)) is None and omit)}
    return value


_PLAIN = frozenset({int, float, str, bool, type(None)})


@lru_cache(maxsize=None)
def _field_names(kind: type) -> tuple[tuple[str, bool], ...] | None:
    """(name, left out of the JSON when None) for each field of a dataclass; see :func:`~mli_drill.problems.families.base.optional`."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple((field.name, bool(field.metadata.get(OMIT_NONE))) for field in dataclasses.fields(kind))


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """(name, type, required) for each init field of a dataclass, with its string annotations resolved."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (field.name, hints[field.name], field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING)
        for field in dataclasses.fields(cls)
        if field.init
    )


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fail(where: str, message: str) -> InvalidParams:
    error = InvalidParams(f"at {where}: {message}")
    error.where, error.detail = where, message  # type: ignore[attr-defined]  # for a union to combine its options' errors
    return error


def _convert(kind: Any, value: Any, where: str) -> Any:
    if kind is Any:
        return value
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind, value, where)
    origin = get_origin(kind)
    if origin is typing.Literal:
        choices = get_args(kind)
        if not any(type(value) is type(choice) and value == choice for choice in choices):  # 1.0 and True are not 1
            raise _fail(where, f"expected one of {', '.join(map(repr, choices))}, got {_describe(value)}")
        return value
    if origin in (Union, types.UnionType):
        return _union(get_args(kind), value, where)
    if origin in (tuple, list):
        return _sequence(kind, origin, value, where)
    if origin is dict:
        key_type, item_type = get_args(kind)
        if not isinstance(value, dict):
            raise _fail(where, f"expected a mapping, got {_describe(value)}")
        return {_convert(key_type, key, where): _convert(item_type, item, f"{where}.{key}") for key, item in value.items()}
    return _scalar(kind, value, where)


def _union(options: tuple[Any, ...], value: Any, where: str) -> Any:
    if value is None and type(None) in options:
        return None
    concrete = [option for option in options if option is not type(None)]
    failures = []
    for option in concrete:
        try:
            return _convert(option, value, where)
        except InvalidParams as error:
            failures.append(error)
    # the option that got furthest into the value says what is wrong (``[2, '3']`` for ``tuple[int, ...] | int``:
    # "at $.points[1]: expected an integer", not "expected an integer" at $.points); options that all
    # failed at the value itself are named together ("expected an integer or a number")
    deepest = max(failures, key=lambda error: len(getattr(error, "where", "")))
    alike = [error for error in failures if getattr(error, "where", None) == getattr(deepest, "where", None)]
    expected = [error.detail.split(", got ")[0].removeprefix("expected ") for error in alike  # type: ignore[attr-defined]
                if getattr(error, "detail", "").startswith("expected ")]
    if "a number" in expected:  # int | float: any number
        expected = [text for text in expected if text != "an integer"]
    if len(alike) > 1 and len(expected) >= 1 and len(alike) == len([e for e in alike if getattr(e, "detail", "").startswith("expected ")]):
        return _raise(_fail(deepest.where, f"expected {' or '.join(dict.fromkeys(expected))}, got {_describe(value)}"))  # type: ignore[attr-defined]
    return _raise(deepest)


def _raise(error: InvalidParams) -> Any:
    raise error


def _sequence(kind: Any, origin: type, value: Any, where: str) -> Any:
    if not isinstance(value, (list, tuple)):
        raise _fail(where, f"expected a list, got {_describe(value)}")
    args = get_args(kind)
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        if len(value) != len(args):
            raise _fail(where, f"expected a list of {len(args)}, got {len(value)} item(s)")
        return tuple(_convert(item_type, item, f"{where}[{i}]") for i, (item_type, item) in enumerate(zip(args, value)))
    item_type = args[0] if args else Any
    items = [_convert(item_type, item, f"{where}[{i}]") for i, item in enumerate(value)]
    return tuple(items) if origin is tuple else items


_SCALAR_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _scalar(kind: Any, value: Any, where: str) -> Any:
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # an int is a number too (as for the type checker), and kept as given, so JSON round-trips exactly
    if kind in _SCALAR_NAMES:
        if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            return value
        raise _fail(where, f"expected {_SCALAR_NAMES[kind]}, got {_describe(value)}")
    raise TypeError(f"{where}: the converter does not know the type {kind!r}")  # a family's annotation, not the data, is wrong


MAX_DEPTH = 100  # levels of nesting in hand-written data (a graph of graphs), well inside Python's recursion limit


def _dataclass(cls: type, value: Any, where: str) -> Any:
    if dataclasses.is_dataclass(value) and isinstance(value, cls):
        return value
    if where.count(".") + where.count("[") > MAX_DEPTH:
        raise _fail(where[:60] + "...", f"nested more than {MAX_DEPTH} levels deep")
    if not isinstance(value, dict):
        raise _fail(where, f"expected a mapping, got {_describe(value)}")
    fields = _fields(cls)
    names = [name for name, _, _ in fields]
    unknown = [key for key in value if key not in names]
    if unknown:
        near = closest(str(unknown[0]), names)
        hint = f" (did you mean {near[0]!r}?)" if near else f"; expected one of {', '.join(names)}"
        raise _fail(where, f"unknown key {unknown[0]!r}{hint}")
    missing = [name for name, _, required in fields if required and name not in value]
    if missing:
        raise _fail(where, f"missing {missing[0]!r}")
    arguments = {name: _convert(kind, value[name], f"{where}.{name}") for name, kind, _ in fields if name in value}
    try:
        return cls(**arguments)
    except FieldError as error:
        raise _fail(f"{where}.{error.field}" if error.field else where, error.message) from None
