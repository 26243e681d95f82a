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

from mli_drill.exceptions import MliDrillError
from mli_drill.names import resolve, unknown


class SettingsError(MliDrillError, ValueError):
    pass


def _parse_number(text: str, kind: type, what: str):
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{text!r} is not {what}") from None


def _retention(text: str) -> float:
    """0.9, or as a person writes it, 90%."""
    stripped = text.strip()
    percent = stripped.endswith("%")
    value = _parse_number(stripped[:-1].strip() if percent else stripped, float, "a number or a percentage")
    if percent:
        value = round(value / 100, 6)
    if not 0.7 <= value <= 0.99:
        hint = f"; for {value:g}% write {value / 100:g} or {value:g}%" if not percent and 70 <= value <= 99 else ""
        raise ValueError(f"{text.strip()} is out of range: must be between 0.7 and 0.99 (70% to 99%){hint}")
    return value


def _count(text: str) -> int:
    value = _parse_number(text.strip(), int, "a whole number")
    if not 0 <= value <= 10_000:
        raise ValueError(f"{value} is out of range: must be a whole number from 0 to 10000")
    return value


LEVELS = ("easy", "exam", "hard")
LEVEL_SETTINGS = ("auto", *LEVELS)  # auto: each problem at the level the student gets right about 3 times in 4
KEYS = ("single", "line")


def _level(text: str) -> str:
    if text not in LEVEL_SETTINGS:
        raise ValueError("must be auto, easy, exam or hard")
    return text


def _keys(text: str) -> str:
    if text not in KEYS:
        raise ValueError("must be single or line")
    return text


def _exam_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2027-05-20") from None


def _exam_not_past(value: str, today: date) -> None:
    if date.fromisoformat(value) < today:
        raise ValueError(f"{value} is in the past (today is {today.isoformat()}); give the coming exam's date")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    # a check only for a value being set now (a stored exam date that has since passed still loads)
    check_new: Callable[[Any, date], None] | None = None
    choices: tuple[str, ...] = ()  # the values, when there are a fixed few (offered by shell completion)


SETTINGS = {
    s.name: s
    for s in (
        Setting("desired-retention", 0.9, _retention, "probability of recall FSRS aims for (0.7-0.99, or 70%-99%)"),
        Setting("new-per-day", 20, _count, "new cards and problem families introduced per day"),
        Setting("level", "auto", _level, "difficulty of problems in practice, review and exam: auto (follows your ability), easy, exam or hard",
                choices=LEVEL_SETTINGS),
        Setting("exam-date", None, _exam_date, "the exam day, YYYY-MM-DD, today or later: scheduling aims at it", _exam_not_past),
        Setting("keys", "single", _keys, "single: on a terminal one keypress reveals and rates; line: every answer ends with Enter",
                choices=KEYS),
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


def setting_name(name: str) -> str:
    """A setting's name as spelled in SETTINGS (``exam_date`` is ``exam-date``); SettingsError naming the nearest."""
    found = resolve(name, SETTINGS)
    if found is None:
        raise SettingsError(f"{unknown('unknown setting', name, SETTINGS)}; known: {', '.join(SETTINGS)}")
    return found


def set_value(path: Path, name: str, text: str | None, today: date | None = None) -> Any:
    """Validate and store one setting (``None`` resets it to the default).

    ``today`` (the local date) lets a value be refused for being past, as an exam date is.
    """
    name = setting_name(name)
    setting = SETTINGS[name]
    value = None
    if text is not None:
        try:
            value = setting.parse(text)
            if setting.check_new is not None and today is not None:
                setting.check_new(value, today)
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
