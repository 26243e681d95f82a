"""Skip typer's value coercion for options the user did not give.

Typer (0.2x) converts every parameter value through a pydantic ``TypeAdapter``,
building it the first time the parameter is processed, even when the value is
``None`` and the conversion returns ``None`` without looking at it. Importing
pydantic for that costs about 60 ms, as much as typer itself, before a command
body runs: a third of the start-up of ``review``, ``status`` and ``stats``.

:func:`install` wraps typer's ``process_value`` so that a missing value (None)
takes exactly the path typer's own code takes for it (``()`` for a repeatable
option, then the required check and the callback) without building the
adapter. Any given value still goes through typer unchanged. If a future typer
has no such method, nothing is patched and only speed is lost;
``tests/test_startup_imports.py`` notices.
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
    if original is None or getattr(original, "_skips_missing", False):
        return original is not None

    def process_value(self: Any, ctx: Any, value: Any) -> Any:
        if value is not None:
            return original(self, ctx, value)
        value = () if (self.multiple or self.nargs == -1) else None
        if self.required and self.value_is_missing(value):
            raise MissingParameter(ctx=ctx, param=self)
        if self.callback is not None:
            value = self.callback(ctx, self, value)
        return value

    process_value._skips_missing = True  # type: ignore[attr-defined]
    process_value.__wrapped__ = original  # type: ignore[attr-defined]
    _TyperParameter.process_value = process_value  # type: ignore[method-assign]
    return True
