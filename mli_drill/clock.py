"""The one place that reads the clock.

Tests and simulations set ``MLI_DRILL_NOW`` to an ISO-8601 time so that a
whole review session happens "at" that moment, or to ``@FILE``: the time is
then read from FILE at every look, so a test can move the clock of a running
process (a mock paper's deadline, say) without waiting. Everything stored is UTC; only
the day boundary (what "today" means for the new-card limit and streaks) uses
the local time zone, as a student experiences it.
"""

from __future__ import annotations

import os
import time as _time
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from mli_drill.exceptions import MliDrillError

NOW_VARIABLE = "MLI_DRILL_NOW"
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000


class ClockError(MliDrillError, ValueError):
    """``MLI_DRILL_NOW`` holds something that is not an ISO-8601 time."""


def now() -> datetime:
    """Current time as an aware UTC datetime (``MLI_DRILL_NOW`` overrides)."""
    override = os.environ.get(NOW_VARIABLE)
    if not override:
        return datetime.now(timezone.utc)
    if override.startswith("@"):
        override = _read_clock_file(override[1:])
    value = parse_time(override, source=NOW_VARIABLE)
    # The scheduler adds up to a century to "now" and datetime ends at the year 9999.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ClockError(f"{NOW_VARIABLE}: {override!r} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR} the schedule can work with")
    return value


def _read_clock_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ClockError(f"{NOW_VARIABLE}: cannot read the time from {path!r}: {exc}") from None


def seconds_clock() -> Callable[[], float]:
    """A clock for durations, in seconds: how long a mock paper has run.

    The monotonic clock, which no change of the wall clock can move backwards;
    with ``MLI_DRILL_NOW`` set, the seconds of :func:`now` instead, so a test
    that fixes the time stops the countdown and one that moves it (``@FILE``)
    moves the countdown with it.
    """
    if not os.environ.get(NOW_VARIABLE):
        return _time.monotonic
    return lambda: now().timestamp()


def parse_time(text: str, source: str = "time") -> datetime:
    """Parse ISO-8601; a naive time is taken as local time. Returns UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if value.tzinfo is None:
            value = value.astimezone()  # interpret as local wall-clock time
        value = value.astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise ClockError(f"{source}: {text!r} is not an ISO-8601 time (e.g. 2026-05-01T09:00:00+00:00)") from None
    return value


def start_of_local_day(moment: datetime) -> datetime:
    """UTC instant at which the local calendar day containing ``moment`` began.

    Midnight is rebuilt as a naive local time and converted with the zone's
    rules: keeping ``moment``'s UTC offset would be an hour off on the day a
    daylight-saving change happens.
    """
    return local_day_start(moment.astimezone().date())


def end_of_local_day(moment: datetime) -> datetime:
    """UTC instant at which the local day containing ``moment`` ends."""
    return local_day_start(moment.astimezone().date() + timedelta(days=1))


def local_day_start(day: date) -> datetime:
    """The UTC instant when a local calendar day begins (rebuilt with the zone's rules, so right on DST days)."""
    return datetime.combine(day, time(0)).astimezone().astimezone(timezone.utc)


def iso(moment: datetime) -> str:
    """The one storage format for times: ISO-8601 in UTC with offset."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
