"""Where things live: the data directory, the database, bundled and user decks.

``MLI_DRILL_HOME=DIR`` puts everything under DIR; otherwise the platform's user
data directory (platformdirs) is used. The bundled decks and problem specs are
found inside the installed package (a wheel copies them to ``_bundled/``) or,
for a source checkout or editable install, at the top of the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "mli-drill"
HOME_VARIABLE = "MLI_DRILL_HOME"
DB_FILENAME = "progress.db"
COURSE_NOTES = "machine-learning-for-imaging.md"

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The directory holding the database, user decks, settings and backups."""
    override = os.environ.get(HOME_VARIABLE)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def user_decks_dir() -> Path:
    """Decks the student adds (or imports from Logseq) live here."""
    return data_dir() / "decks"


def backups_dir() -> Path:
    return data_dir() / "backups"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def _bundled(name: str) -> Path:
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def bundled_decks_dir() -> Path:
    return _bundled("decks")


def problems_dir() -> Path:
    return _bundled("problems")


def course_notes_path() -> Path:
    """The course's notes page (a Logseq page), the default of ``decks coverage``.

    It lives in ``docs/course-notes/`` of the repository; a wheel copies it to
    ``_bundled/course-notes/``.
    """
    installed = _PACKAGE_DIR / "_bundled" / "course-notes" / COURSE_NOTES
    if installed.is_file():
        return installed
    return _PACKAGE_DIR.parent / "docs" / "course-notes" / COURSE_NOTES
