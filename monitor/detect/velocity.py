"""Reply velocity of a thread over a sliding window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def replies_in_window(
    now: datetime,
    window: timedelta,
    current_replies: int,
    replies_at_window_start: int | None,
    reply_times: Sequence[datetime],
) -> int:
    """Replies gained during ``window`` before ``now``.

    The snapshot taken at or before the window's start gives the exact count; without
    one (the thread is newer than the monitor's first look at it), the stored replies'
    own timestamps are counted instead.
    """
    start = now - window
    if replies_at_window_start is not None:
        return max(0, current_replies - replies_at_window_start)
    return sum(1 for t in reply_times if start < t <= now)


def per_hour(count: int, window: timedelta) -> float:
    return count * 3600.0 / window.total_seconds()


def counted(number: int, one: str, many: str) -> str:
    """``1 reply``, ``3 replies``: a count with its noun, for the reasons people read."""
    return f"{number:,} {one if number == 1 else many}"


def times(ratio: float) -> str:
    """``7.8×``, ``30×``: how many times the usual, for the reasons people read."""
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"
