"""Student settings, kept as JSON in the data directory (``mli-drill config``).

Settings are few and typed; each has a parser that rejects bad values with a
one-line message, so ``config set`` never stores something that breaks a
later session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable


class SettingsError(ValueError):
    pass


def _number(text: str, kind: type, what: str):
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{text!r} is not {what}") from None


def _retention(text: str) -> float:
    value = _number(text, float, "a number")
    if not 0.7 <= value <= 0.99:
        raise ValueError("desired retention must be between 0.7 and 0.99")
    return value


def _count(text: str) -> int:
    value = _number(text, int, "a whole number")
    if not 0 <= value <= 10_000:
        raise ValueError("must be a whole number between 0 and 10000")
    return value


def _level(text: str) -> str:
    if text not in ("easy", "exam", "hard"):
        raise ValueError("must be easy, exam or hard")
    return text


def _exam_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2027-05-20") from None


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS = {
    s.name: s
    for s in (
        Setting("desired-retention", 0.9, _retention, "probability of recall FSRS aims for (0.7-0.99)"),
        Setting("new-per-day", 20, _count, "new cards and problem families introduced per day"),
        Setting("level", "exam", _level, "difficulty of problems served by review (easy, exam, hard)"),
        Setting("exam-date", None, _exam_date, "the exam day, YYYY-MM-DD: scheduling aims at it"),
    )
}


def load(path: Path) -> dict[str, Any]:
    """Current settings with defaults filled in; a damaged file is reported, not overwritten."""
    values = {name: s.default for name, s in SETTINGS.items()}
    if path.exists():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"{path}: cannot read settings ({exc}); fix or delete the file") from None
        if not isinstance(stored, dict):
            raise SettingsError(f"{path}: settings must be a JSON object; fix or delete the file")
        for name, value in stored.items():
            if name in SETTINGS and value is not None:
                try:
                    values[name] = SETTINGS[name].parse(str(value))
                except ValueError as exc:
                    raise SettingsError(f"{path}: {name}: {exc}") from None
    return values


def set_value(path: Path, name: str, text: str | None) -> Any:
    """Validate and store one setting (``None`` resets it to the default)."""
    if name not in SETTINGS:
        raise SettingsError(f"unknown setting {name!r}; known: {', '.join(SETTINGS)}")
    value = None
    if text is not None:
        try:
            value = SETTINGS[name].parse(text)
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from None
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if value is None:
        current.pop(name, None)
    else:
        current[name] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)  # atomic: a crash never leaves half a settings file
    return value if value is not None else SETTINGS[name].default
