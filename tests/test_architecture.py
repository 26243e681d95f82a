"""The import contract: layers import only downwards, no import circles, no private names across modules,
rich only in render/, sqlite3 only in store/.

Read from the source with ``ast`` (nothing is imported), so it costs well under
a second and needs no extra tool. Which imports count:

* layers, private names, rich and sqlite3: every import, at module level, inside
  a function, or under ``if TYPE_CHECKING`` (a type is a dependency too);
* circles: the imports that run, at module level and inside functions. An
  import is put inside a function to keep start-up cheap (see
  ``tests/test_startup_imports.py``), never to hide a circle; imports under
  ``if TYPE_CHECKING`` never run, so they cannot close one.

A new module must be given a layer in ``LAYERS`` below; the README's "How it
is built" table describes the same layers.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib
import inspect
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = "mli_drill"

# Each module's layer, by dotted name inside the package ("" is mli_drill/__init__.py): the
# folders are the layers. Top to bottom: the command line; drawing; services that join the
# core to files and the database; the store; the core (domain logic, pure or reading its own
# files); the problem families; the foundation every layer may use. First match wins.
LAYERS: dict[str, tuple[str, ...]] = {
    "cli": ("__main__", "cli", "cli.*"),
    "render": ("render", "render.*"),
    "services": ("services", "services.*", "precompiled"),
    "store": ("store", "store.*"),
    "families": ("problems.families", "problems.families.*"),
    "core": ("decks", "decks.*", "problems", "problems.*", "review", "review.*", "exam", "exam.*", "export", "export.*"),
    "foundation": ("", "clock", "exceptions", "model", "names", "paths", "settings", "vocabulary"),
}
# Inside the core, a package imports only those before it: decks are read by problem specs
# (the shared parse cache), problems by the review loop, and both by the exam and exports.
CORE_ORDER = {"decks": 0, "problems": 1, "review": 2, "exam": 3, "export": 3}
# The packages, each of whose ``__init__`` docstring says what its layer may import.
PACKAGES = ("cli", "render", "services", "store", "decks", "problems", "problems.answers", "problems.families", "review", "exam", "export")

BELOW_CORE = {"core", "families", "foundation"}
MAY_IMPORT: dict[str, set[str]] = {
    "cli": {"cli", "render", "services", "store"} | BELOW_CORE,
    "render": {"render"} | BELOW_CORE,  # draws what the core computes; never opens files or the database
    "services": {"services", "store"} | BELOW_CORE,
    "store": {"store", "foundation"},  # the only SQL: it knows nothing of decks, families or the screen
    "core": BELOW_CORE,
    "families": {"families", "foundation"},
    "foundation": {"foundation"},
}
# A family's solver module sees only the shared helpers of its own package.
FAMILY_HELPERS = {"problems.families.base", "problems.families.common"}

# Modules allowed to break a rule, each with its reason. Keep these short.
RICH_ELSEWHERE: dict[str, str] = {}
SQLITE3_ELSEWHERE: dict[str, str] = {}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, inside the package
    target: str  # a module (inside the package: relative to it) or an outside top-level name
    names: tuple[str, ...]  # the names taken with ``from ... import``
    line: int
    runs: bool  # False under ``if TYPE_CHECKING``
    inside: bool  # True for the package's own modules

    def where(self) -> str:
        return f"{module_path(self.source)}:{self.line}"


def module_path(name: str) -> str:
    return str(MODULES[name].relative_to(ROOT))


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT / PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(source: str, node: ast.ImportFrom | ast.Import) -> list[tuple[str, tuple[str, ...]]]:
    """(absolute dotted module, names) for each module an import statement loads."""
    if isinstance(node, ast.Import):
        return [(alias.name, ()) for alias in node.names]
    assert not node.level, f"{module_path(source)}:{node.lineno}: write imports in full (from mli_drill.x import y), so this contract reads them"
    base = node.module or ""
    names = tuple(alias.name for alias in node.names)
    inside = base == PACKAGE or base.startswith(PACKAGE + ".")
    # ``from mli_drill.problems.registry import common`` loads a submodule, not a name of the package
    submodules = [name for name in names if inside and _inner(f"{base}.{name}") in MODULES]
    taken = tuple(name for name in names if name not in submodules)
    return [(f"{base}.{name}", ()) for name in submodules] + ([(base, taken)] if taken or not submodules else [])


def _inner(dotted: str) -> str:
    return "" if dotted == PACKAGE else dotted[len(PACKAGE) + 1:]


@lru_cache(maxsize=None)
def imports() -> tuple[Import, ...]:
    found: list[Import] = []
    for source, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))

        def visit(node: ast.AST, runs: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _is_type_checking(child):
                    for part in child.body:
                        visit_one(part, False)
                    for part in child.orelse:
                        visit_one(part, runs)
                    continue
                visit_one(child, runs)

        def visit_one(node: ast.AST, runs: bool) -> None:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                    return
                for target, names in _resolve(source, node):
                    inside = target == PACKAGE or target.startswith(PACKAGE + ".")
                    found.append(Import(source, _inner(target) if inside else target, names, node.lineno, runs, inside))
            visit(node, runs)

        visit(tree, True)
    return tuple(found)


def layer_of(module: str) -> str | None:
    for layer, patterns in LAYERS.items():
        if any(fnmatch.fnmatchcase(module, pattern) for pattern in patterns):
            return layer
    return None


def _target_module(target: str) -> str:
    """The package module an inside import loads (``store.db``), even for a name that is not a module."""
    while target not in MODULES and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def test_every_module_has_a_layer() -> None:
    missing = sorted(module_path(m) for m in MODULES if layer_of(m) is None)
    assert not missing, f"give these modules a layer in LAYERS (tests/test_architecture.py) and the README table: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_its_layer_may_import(package: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8"))) or ""
    assert "Layer:" in doc and "May import" in doc, f"{module_path(package)}: say the layer and what it may import in the docstring"


def test_the_top_level_holds_only_leaf_modules() -> None:
    """The tree shows the layers: a module directly in mli_drill/ is a foundation leaf (or the entry points)."""
    loose = sorted(m for m in MODULES if m and "." not in m and m not in PACKAGES and m not in ("__main__", "precompiled"))
    assert all(layer_of(m) == "foundation" for m in loose), [m for m in loose if layer_of(m) != "foundation"]


def test_layers_only_import_downwards() -> None:
    wrong = []
    for item in imports():
        if not item.inside or layer_of(item.source) is None:
            continue
        source_layer, target_layer = layer_of(item.source), layer_of(_target_module(item.target))
        if target_layer is not None and target_layer not in MAY_IMPORT[source_layer]:  # type: ignore[index]
            wrong.append(f"{item.where()}: {source_layer} module {item.source} imports {target_layer} module {item.target}")
    assert not wrong, "\n".join(wrong)


def test_core_packages_import_only_those_before_them() -> None:
    wrong = []
    for item in imports():
        if not item.inside:
            continue
        source, target = item.source.split(".")[0], _target_module(item.target).split(".")[0]
        if source in CORE_ORDER and target in CORE_ORDER and source != target and CORE_ORDER[target] >= CORE_ORDER[source]:
            wrong.append(f"{item.where()}: {item.source} imports {item.target}")
    assert not wrong, "core packages import only those before them (decks, problems, review, then exam and export):\n" + "\n".join(wrong)


def test_family_solvers_import_only_the_family_helpers() -> None:
    solvers = {m for m in MODULES if m.startswith("problems.families.") and m not in FAMILY_HELPERS}
    wrong = [
        f"{item.where()}: {item.target}"
        for item in imports()
        if item.inside and item.source in solvers and _target_module(item.target) not in FAMILY_HELPERS
    ]
    assert not wrong, "a family's solver may import only families.base and families.common:\n" + "\n".join(wrong)


def test_no_import_circles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for item in imports():
        if item.inside and item.runs and _target_module(item.target) != item.source:
            graph[item.source].add(_target_module(item.target))
    circles = _circles(graph)
    assert not circles, "import circles (module-level and function-level imports):\n" + "\n".join(
        " -> ".join(circle + [circle[0]]) for circle in circles
    )


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in sorted(graph[node]):
            if after not in index:
                connect(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def test_the_circle_finder_finds_a_circle() -> None:
    """The check above can fail: a planted circle is found, a chain is not."""
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_private_names_imported_across_modules() -> None:
    wrong = [
        f"{item.where()}: {', '.join(n for n in item.names if n.startswith('_'))} from {item.target}"
        for item in imports()
        if item.inside and any(n.startswith("_") and not n.startswith("__") for n in item.names)
    ] + [
        f"{item.where()}: {item.target}"
        for item in imports()
        if item.inside and any(part.startswith("_") and not part.startswith("__") for part in item.target.split("."))
    ]
    assert not wrong, "private names imported from another module (make them public or move the code):\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("library", "home", "allowed"),
    [("rich", "render", RICH_ELSEWHERE), ("sqlite3", "store", SQLITE3_ELSEWHERE)],
)
def test_libraries_stay_in_their_package(library: str, home: str, allowed: dict[str, str]) -> None:
    wrong = [
        f"{item.where()}: imports {item.target}"
        for item in imports()
        if not item.inside
        and item.target.split(".")[0] == library
        and not (item.source == home or item.source.startswith(home + "."))
        and item.source not in allowed
    ]
    assert not wrong, f"{library} is imported only in mli_drill/{home}/:\n" + "\n".join(wrong)


def test_every_store_class_explains_sqlite_errors() -> None:
    """Every class of the store with public methods turns sqlite3 errors into StoreError (``store.errors.explained``)."""
    bare = []
    for name in MODULES:
        if layer_of(name) != "store":
            continue
        module = importlib.import_module(".".join(filter(None, (PACKAGE, name))))
        for cls_name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__ or issubclass(cls, BaseException):
                continue
            public = [m for m, member in vars(cls).items() if not m.startswith("_") and inspect.isfunction(member)]
            if public and not getattr(cls, "explains_sqlite_errors", False):
                bare.append(f"{module.__name__}.{cls_name}")
    assert not bare, f"decorate with mli_drill.store.errors.explained: {bare}"


def test_the_import_reader_sees_every_kind_of_import() -> None:
    """The rules above rest on this reader: module-level, function-level and TYPE_CHECKING imports are all seen."""
    seen = {(item.target, item.runs) for item in imports() if item.source == "cli.common"}
    assert ("render.console", True) in seen  # inside a function
    assert ("store", False) in seen  # under TYPE_CHECKING
    assert ("paths", True) in seen  # ``from mli_drill import paths``: the submodule, not the package
