"""Skip typer's value coercion where it cannot change the value.

Typer (0.2x) converts every parameter value through a pydantic ``TypeAdapter``,
building it the first time the parameter is processed, even when the value is
``None`` (returned untouched) or already the ``str`` a plain text parameter
asks for. Importing pydantic for that costs about 60 ms, as much as typer
itself, before a command body runs: a third of the start-up of ``review``,
``status``, ``stats`` and ``practice FAMILY``.

:func:`install` wraps typer's ``process_value`` so that a missing value (None)
a ``str`` for a plain ``str`` parameter and words for a ``list[str]`` one (no
custom parser) take exactly the path typer's own code takes for them (``()`` for a missing repeatable option;
the value itself for text; then the required check and the callback) without
building the adapter. Every other value still goes through typer unchanged.
If a future typer has no such method, nothing is patched and only speed is
lost; ``tests/test_startup_imports.py`` compares patched and unpatched typer.
"""

from __future__ import annotations

from typing import Any


def install() -> bool:
    """Patch typer once; True when the patch is in place."""
    try:
        from typer.core import _TyperParameter
        from typer._click.exceptions import MissingParameter
    except ImportError:
        return False
    original = getattr(_TyperParameter, "process_value", None)
    if original is None or getattr(original, "_lazy_coercion", False):
        return original is not None

    def process_value(self: Any, ctx: Any, value: Any) -> Any:
        if value is None:
            value = () if (self.multiple or self.nargs == -1) else None
        elif isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value) and _text_list(self):
            value = list(value)  # what typer's adapter makes of given words for a list of text
        elif not (isinstance(value, str) and _plain_text(self)):
            return original(self, ctx, value)
        if self.required and self.value_is_missing(value):
            raise MissingParameter(ctx=ctx, param=self)
        if self.callback is not None:
            value = self.callback(ctx, self, value)
        return value

    process_value._lazy_coercion = True  # type: ignore[attr-defined]
    process_value.__wrapped__ = original  # type: ignore[attr-defined]
    _TyperParameter.process_value = process_value  # type: ignore[method-assign]
    return True


def _plain_text(param: Any) -> bool:
    """A ``str`` parameter without a parser: typer's adapter returns a given str unchanged."""
    return _unparsed(param) and getattr(param.type_descriptor, "annotation", None) is str


def _text_list(param: Any) -> bool:
    """A ``list[str]`` parameter (repeatable option, or variadic argument) without a parser: given words become a list."""
    import typing

    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    return _unparsed(param) and typing.get_origin(annotation) is list and typing.get_args(annotation) == (str,)


def _unparsed(param: Any) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    info = getattr(descriptor, "parameter_info", None)
    return getattr(descriptor, "file_annotation", None) is None and info is not None and getattr(info, "parser", None) is None
