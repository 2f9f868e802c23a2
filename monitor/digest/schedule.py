"""When the weekly digest is due, and which week it covers.

The digest goes out once a week at ``[digest] weekday`` and ``hour`` in the team's time zone
(the *slot*), and covers the 7 whole local days before the slot's day: sent on Monday 09:00, it
covers Monday 00:00 to Sunday 24:00 of the week before. Everything here is a pure function of
the time passed in.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.config.settings import WEEKDAYS
from monitor.digest.model import DigestPeriod

LATE_GRACE = timedelta(days=1)
"""A slot missed by more than this (the monitor was down) is skipped: the next one is awaited."""


def latest_slot(now: datetime, weekday: str, hour: int, timezone: str) -> datetime:
    """The most recent send time at or before ``now`` (aware, in the team's time zone)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    days_back = (local.weekday() - WEEKDAYS.index(weekday)) % 7
    day = local.date() - timedelta(days=days_back)
    slot = datetime.combine(day, time(hour), tzinfo=zone)
    if slot > local:
        slot = datetime.combine(day - timedelta(days=7), time(hour), tzinfo=zone)
    return slot


def week_before(moment: datetime, timezone: str) -> DigestPeriod:
    """The 7 whole local days before ``moment``'s local day."""
    zone = ZoneInfo(timezone)
    midnight = datetime.combine(moment.astimezone(zone).date(), time(0), tzinfo=zone)
    start = datetime.combine(midnight.date() - timedelta(days=7), time(0), tzinfo=zone)
    return DigestPeriod(start=start, end=midnight, timezone=timezone)
