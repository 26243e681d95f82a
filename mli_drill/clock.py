"""The one place that reads the clock.

Tests and simulations set ``MLI_DRILL_NOW`` to an ISO-8601 time so that a
whole review session happens "at" that moment. Everything stored is UTC; only
the day boundary (what "today" means for the new-card limit and streaks) uses
the local time zone, as a student experiences it.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone

NOW_VARIABLE = "MLI_DRILL_NOW"
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000


class ClockError(ValueError):
    """``MLI_DRILL_NOW`` holds something that is not an ISO-8601 time."""


def now() -> datetime:
    """Current time as an aware UTC datetime (``MLI_DRILL_NOW`` overrides)."""
    override = os.environ.get(NOW_VARIABLE)
    if not override:
        return datetime.now(timezone.utc)
    value = parse_time(override, source=NOW_VARIABLE)
    # The scheduler adds up to a century to "now" and datetime ends at the year 9999.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ClockError(f"{NOW_VARIABLE}: {override!r} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR} the schedule can work with")
    return value


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
