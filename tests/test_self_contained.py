"""Everything the tests, benchmarks and docs need lives in the repository: no tracked file names a path outside it.

A path outside the repository works on one machine and nowhere else (a test
that reads one skips, or fails, on a clean clone). Three kinds are caught:

* absolute paths into a home or workspace directory (home, Users, work, root,
  mnt, media, srv or scratch at the root of the file system, or a Windows
  Users folder) and paths relative to the home directory (a tilde), except the
  tool's own documented data directory;
* relative paths that climb above the repository root, resolved from the
  directory of the file that names them (an image link one level up from
  ``docs/course-notes/`` stays inside; one level up from the README does not);
* Python that climbs out from a file's location (the parent of the
  repository's ``ROOT``, or more ``.parent`` steps after ``Path(__file__)``
  than the file is deep).

Scratch paths under ``/tmp`` that an example creates itself are allowed. This
file builds its own examples from pieces, so it passes its own check.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

ABSOLUTE = re.compile(r"(?<![\w.~$%-])(?:/(?:home|Users|work|root|mnt|media|srv|scratch)/|[A-Za-z]:\\+Users\\)[^\s'\"`)<>\]]*")
HOME_RELATIVE = re.compile(r"(?<![\w/.])~[/][^\s'\"`)<>\]]*")
ALLOWED_HOME = ("~/.local/share/mli-drill",)  # where the tool keeps its data on Linux (README, "Where your data lives")
CLIMB = re.compile(r"((?:\.\./)+)([^\s'\"`)<>\]]*)")
PYTHON_CLIMB = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent\b)+)|\bROOT\.parents?\b")
SKIPPED_DIRS = {".git", "__pycache__", ".hypothesis", ".pytest_cache", "build", "dist"}


def tracked_files() -> list[Path]:
    """``git ls-files`` in a clone; every file but caches in an unpacked source archive."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    return [ROOT / name for name in listed.decode().split("\0") if name]


def outside_paths(relative: Path, text: str) -> list[str]:
    """The paths outside the repository that ``text`` (the content of file ``relative``) names."""
    found = [m.group(0) for m in ABSOLUTE.finditer(text)]
    found += [m.group(0) for m in HOME_RELATIVE.finditer(text) if not m.group(0).startswith(ALLOWED_HOME)]
    depth = len(relative.parent.parts)
    found += [m.group(0) for m in CLIMB.finditer(text) if m.group(1).count("../") > depth]
    if relative.suffix == ".py":
        for match in PYTHON_CLIMB.finditer(text):
            steps = match.group(1)
            if steps is None or steps.count(".parent") > depth + 1:
                found.append(match.group(0))
    return found


def test_the_detector_catches_each_kind_and_allows_the_rest() -> None:
    workspace = "/" + "work/shared/seeds/notes.txt"
    assert outside_paths(Path("README.md"), f"run `mli-drill decks coverage {workspace}`") == [workspace]
    sibling = "../" + "shared/data/x.csv"
    assert outside_paths(Path("README.md"), f"see {sibling}") == [sibling]
    assert outside_paths(Path("docs/course-notes/page.md"), "![x](../assets/x.png)") == [], "docs/assets is inside"
    two_up = "../" * 2 + "secret"
    assert outside_paths(Path("docs/a.md"), two_up) == [two_up]
    root_parent = "ROOT" + ".parent"
    assert outside_paths(Path("tests/t.py"), f"NOTES = {root_parent} / 'shared'") == [root_parent]
    assert outside_paths(Path("tests/t.py"), "Path(__file__).resolve()" + ".parent" * 2) == [], "the repository root itself"
    three_up = "Path(__file__)" + ".parent" * 3
    assert outside_paths(Path("tests/t.py"), three_up) == [three_up]
    home = "/" + "home/someone/notes.md"
    assert outside_paths(Path("x.py"), f"open('{home}')") == [home]
    documents = "~" + "/Documents/notes.md"
    assert outside_paths(Path("README.md"), documents) == [documents]
    windows = "C:" + "\\Users\\me\\notes.md"
    assert outside_paths(Path("README.md"), windows) == [windows]
    assert outside_paths(Path("README.md"), "`~/.local/share/mli-drill` on Linux; MLI_DRILL_HOME=/tmp/demo; https://example.org/home/x") == []


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    files = tracked_files()
    assert len(files) > 50, "the repository's files were not found"
    offenders = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files name no paths
        relative = path.relative_to(ROOT)
        offenders += [f"{relative}: {found}" for found in outside_paths(relative, text)]
    assert offenders == []


def test_the_shipped_review_log_keeps_its_mit_notice() -> None:
    """The review-log sample comes from py-fsrs under the MIT licence, which asks that its copyright and
    permission notice go with every copy: the notice lives beside the data, and the data's README names it."""
    notice = (ROOT / "benchmarks" / "data" / "LICENSE-py-fsrs.txt").read_text(encoding="utf-8")
    assert "Copyright (c) 2022 Open Spaced Repetition" in notice and "Permission is hereby granted" in notice
    assert "LICENSE-py-fsrs.txt" in (ROOT / "benchmarks" / "data" / "README.md").read_text(encoding="utf-8")
