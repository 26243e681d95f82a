"""The one place that reads the clock.

Tests and simulations set ``MLI_DRILL_NOW`` to an ISO-8601 time so that a
whole review session happens "at" that moment. Everything stored is UTC; only
the day boundary (what "today" means for the new-card limit and streaks) uses
the local time zone, as a student experiences it.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

NOW_VARIABLE = "MLI_DRILL_NOW"


class ClockError(ValueError):
    """``MLI_DRILL_NOW`` holds something that is not an ISO-8601 time."""


def now() -> datetime:
    """Current time as an aware UTC datetime (``MLI_DRILL_NOW`` overrides)."""
    override = os.environ.get(NOW_VARIABLE)
    if not override:
        return datetime.now(timezone.utc)
    return parse_time(override, source=NOW_VARIABLE)


def parse_time(text: str, source: str = "time") -> datetime:
    """Parse ISO-8601; a naive time is taken as local time. Returns UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClockError(f"{source}: {text!r} is not an ISO-8601 time (e.g. 2026-05-01T09:00:00+00:00)") from None
    if value.tzinfo is None:
        value = value.astimezone()  # interpret as local wall-clock time
    return value.astimezone(timezone.utc)


def start_of_local_day(moment: datetime) -> datetime:
    """UTC instant at which the local calendar day containing ``moment`` began."""
    local = moment.astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc)


def end_of_local_day(moment: datetime) -> datetime:
    """UTC instant at which the local day containing ``moment`` ends."""
    local_next = (moment.astimezone() + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return local_next.astimezone(timezone.utc)


def iso(moment: datetime) -> str:
    """The one storage format for times: ISO-8601 in UTC with offset."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
