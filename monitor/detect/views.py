"""Views: readers arriving before they reply, measured against the board's own usual pace.

A forum's view counter climbs before the replies do — lurkers reading a complaint that is
doing the rounds. The detector does not score views (the replay data has none to tune on),
but the reasons show them next to the board's usual pace, like replies: "543 views in the
last 60 min (543/h), 9× this board's usual (60/h)". A busy board's steady traffic then reads
as usual and a quiet board's sudden readers stand out. A thread younger than the window shows its
views since its first post ("120 views in its first 17 min"): the first hour is when it matters.

The usual pace (:func:`usual_views_per_hour`) is the median, over the board's recent threads,
of each thread's views per hour during its first day, read from its snapshots: the first and
last snapshot taken within 24 h of its first post, at least ``MIN_SPAN`` apart. It is known
once ``MIN_THREADS`` threads give a pace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from monitor.detect.velocity import counted, times

FIRST_DAY = timedelta(days=1)
MIN_SPAN = timedelta(minutes=10)
MIN_THREADS = 5


def first_day_pace(first_post_at: datetime, readings: Iterable[tuple[datetime, int]]) -> float | None:
    """Views per hour over a thread's first day, from ``(taken_at, views)`` snapshot readings.

    None when fewer than two readings fall in the first day or they are under ``MIN_SPAN``
    apart. A counter that went down (a forum's reset) counts as no views gained.
    """
    first_day = sorted(r for r in readings if first_post_at <= r[0] <= first_post_at + FIRST_DAY)
    if len(first_day) < 2:
        return None
    (start, start_views), (end, end_views) = first_day[0], first_day[-1]
    if end - start < MIN_SPAN:
        return None
    return max(0, end_views - start_views) * 3600 / (end - start).total_seconds()


def usual_views_per_hour(paces: Sequence[float]) -> float | None:
    """The median first-day pace (the lower median), or None below ``MIN_THREADS`` threads."""
    if len(paces) < MIN_THREADS:
        return None
    ordered = sorted(paces)
    return ordered[(len(ordered) - 1) // 2]


def views_figure(
    views: int | None, minutes: float, usual_per_hour: float | None, whole_life: bool = False
) -> list[str]:
    """The reasons' views line; none when no views were gained or the span is unknown.
    ``whole_life``: the views are a young thread's since its first post, ``minutes`` its age."""
    if not views or minutes <= 0:
        return []
    shortest = MIN_SPAN.total_seconds() / 60
    rate = views * 60 / max(minutes, shortest)  # not "per 2 minutes"
    span = f"in its first {minutes:.0f} min" if whole_life else f"in the last {minutes:.0f} min"
    over = f", taken over {shortest:.0f} min" if minutes < shortest else ""
    line = f"{counted(views, 'view', 'views')} {span} ({rate:,.0f}/h{over})"
    if usual_per_hour is not None:
        if usual_per_hour > 0:
            line += f", {times(rate / usual_per_hour)} this board's usual ({_pace(usual_per_hour)}/h)"
        else:
            line += ", where this board's threads usually gain none"
    return [line]


def _pace(per_hour: float) -> str:
    return f"{per_hour:.1f}" if per_hour < 10 else f"{per_hour:,.0f}"


def views_in_window(
    views: int,
    before: tuple[datetime, int] | None,
    first_post_at: datetime | None,
    now: datetime,
    forum_now: datetime,
    window: timedelta,
) -> tuple[int | None, float, bool]:
    """Views gained over the window and its minutes, from ``before`` — the (taken at, views) of the
    snapshot a window ago; a thread younger than the window has none that old, and all its ``views``
    came since its first post (a new thread's counter starts at 0): then the third value is True."""
    if before is not None:
        return max(0, views - before[1]), (now - before[0]).total_seconds() / 60, False
    if first_post_at is not None and timedelta(0) < forum_now - first_post_at <= window:
        return views, (forum_now - first_post_at).total_seconds() / 60, True
    return None, 0.0, False
