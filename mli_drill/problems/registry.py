"""The registry of problem families.

A family exists when both ``problems/<name>.yaml`` and the module
``mli_drill.problems.families.<name with - replaced by _>`` exist. Nothing here lists
families by hand: adding one is adding its two files (and its tests).

A solver module imports only :mod:`~mli_drill.problems.families.base` and
:mod:`~mli_drill.problems.families.common` (and numpy or the standard library); the
package imports nothing above the foundation (``tests/test_architecture.py``).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

from mli_drill.exceptions import MliDrillError
from mli_drill.names import resolve, unknown
from mli_drill.paths import problems_dir


class UnknownFamily(MliDrillError, LookupError):
    """No family of that name: the one way every layer says so (``family`` holds the name asked for)."""

    def __init__(self, family: str):
        super().__init__(family)
        self.family = family

    def __str__(self) -> str:
        return unknown("unknown family", self.family, family_names(), "mli-drill problems list")


def resolve_family(name: str) -> str:
    """The family as the registry spells it (``Receptive_Field`` is ``receptive-field``); :class:`UnknownFamily`, naming the nearest, if none."""
    found = resolve(name, family_names())
    if found is None:
        raise UnknownFamily(name)
    return found


def require_family(family: str) -> None:
    """Raise :class:`UnknownFamily` unless a family of this name exists."""
    if family not in family_names():
        raise UnknownFamily(family)


def module_name(family: str) -> str:
    return "mli_drill.problems.families." + family.replace("-", "_")


@lru_cache(maxsize=None)
def load_module(family: str) -> ModuleType:
    """Import a family's solver module (cached)."""
    require_family(family)
    return importlib.import_module(module_name(family))


def family_names() -> list[str]:
    """Names of all families that have a spec file, sorted."""
    directory = problems_dir()
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.yaml"))
