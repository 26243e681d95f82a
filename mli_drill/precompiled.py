"""The bundled decks and family specs, parsed ahead of time and shipped beside them.

Without these, the first command of a fresh install imports PyYAML and parses
every bundled file (about 100 ms) before the user's parse cache exists. Each
``decks/<name>.yaml`` has ``decks/compiled/<name>.json`` (the deck cache's
format, see :mod:`mli_drill.decks.cache`) and each ``problems/<name>.yaml`` has
``problems/compiled/<name>.json``. Each records a hash of the YAML it was made
from and is used only while that still matches: an edited deck is simply
parsed (and cached per user) until the files are compiled again with::

    python -m mli_drill.precompiled

``tests/test_precompiled.py`` fails while any compiled file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mli_drill.decks.cache import COMPILED, compiled_path, deck_lines, source_hash
from mli_drill.decks.deckfile import DeckError, read_deck_file
from mli_drill.problems.spec import parse_spec
from mli_drill.paths import bundled_decks_dir, problems_dir


def compile_deck(path: Path) -> str:
    """The compiled text for a bundled deck file (raises DeckError if the deck is invalid)."""
    deck, problems = read_deck_file(path, bundled=True)
    if deck is None or problems:
        raise DeckError(problems)
    return deck_lines(deck, made_from=source_hash(path.read_bytes())) + "\n"


def compile_spec(path: Path) -> str:
    """The compiled text for a family spec file (raises SpecError if the spec is invalid)."""
    content = path.read_bytes()
    spec = parse_spec(content.decode("utf-8"), path)
    return json.dumps({"source_hash": source_hash(content), "data": spec.to_dict()}, ensure_ascii=False, indent=1) + "\n"


def expected_files(decks_dir: Path, problems_dir: Path) -> dict[Path, str]:
    """Every compiled file there should be, with its content."""
    files = {compiled_path(p): compile_deck(p) for p in sorted(decks_dir.glob("*.yaml"))}
    files.update({compiled_path(p): compile_spec(p) for p in sorted(problems_dir.glob("*.yaml"))})
    return files


def stale_files(decks_dir: Path, problems_dir: Path) -> list[str]:
    """Compiled files that are missing, out of date or left over (paths as text)."""
    expected = expected_files(decks_dir, problems_dir)
    stale = [str(path) for path, text in expected.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    present = set((decks_dir / COMPILED).glob("*.json")) | set((problems_dir / COMPILED).glob("*.json"))
    return stale + sorted(str(path) for path in present - set(expected))


def write_all(decks_dir: Path, problems_dir: Path) -> int:
    """Compile every bundled file, remove compiled files without a source; return how many files changed."""
    expected = expected_files(decks_dir, problems_dir)
    changed = 0
    for directory in (decks_dir / COMPILED, problems_dir / COMPILED):
        directory.mkdir(exist_ok=True)
        for leftover in set(directory.glob("*.json")) - set(expected):
            leftover.unlink()
            changed += 1
    for path, text in expected.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed += 1
    return changed


def main() -> None:
    changed = write_all(bundled_decks_dir(), problems_dir())
    sys.stdout.write(f"compiled {changed} file(s) under {bundled_decks_dir() / COMPILED} and {problems_dir() / COMPILED}\n")


if __name__ == "__main__":
    main()
