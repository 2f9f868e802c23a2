"""Read the dates Chinese forums print: absolute ``2026-11-4 01:07`` and relative ``3 小时前``.

Discuz! renders a post's date with ``dgmdate(..., 'u')``: today's times as ``N 秒前``,
``N 分钟前``, ``半小时前`` or ``N 小时前``; the previous six calendar days as ``昨天 18:07``,
``前天 11:04`` or ``N 天前`` (N counts calendar days, so the date is exact but the time of
day is gone); anything older as ``Y-n-j H:i`` (list pages) or ``Y-n-j H:i:s`` (thread
pages). A relative text comes wrapped in ``<span title="...">`` holding the absolute time,
to the second on thread pages, to the minute or only the date on list pages.

Times without a time of day resolve to local midnight of that date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ABSOLUTE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
)
_AGO = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|小时|天)前")
_DAY_WORD = re.compile(r"(?P<word>今天|昨天|前天)\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?")
_UNIT_SECONDS = {"秒": 1, "分钟": 60, "小时": 3600}
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2}


def parse_forum_time(text: str, now: datetime, tz: ZoneInfo, title: str | None = None) -> datetime:
    """The aware UTC moment a forum's date text means, read on the forum's wall clock ``tz``.

    ``now`` (aware) resolves relative forms. ``title`` is the ``title`` attribute of the
    ``<span>`` around a relative time: used when it holds a time of day, and as the date
    when it holds only a date and ``text`` cannot be read. Raises ``ValueError`` naming
    the text when neither can be read.
    """
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    local_now = now.astimezone(tz)
    title_time = _absolute(title, tz) if title else None
    if title_time is not None and title_time[1]:
        return title_time[0]
    try:
        return _read(_normalise(text), local_now, tz)
    except ValueError:
        if title_time is not None:
            return title_time[0]
        raise


def _normalise(text: str) -> str:
    text = text.replace("&nbsp;", " ").replace("\xa0", " ")
    text = " ".join(text.split())
    return text.removeprefix("发表于").strip()


def _read(text: str, local_now: datetime, tz: ZoneInfo) -> datetime:
    absolute = _absolute(text, tz)
    if absolute is not None:
        return absolute[0]
    if text in ("刚刚", "刚才"):
        return local_now.astimezone(UTC)
    if text == "半小时前":
        return (local_now - timedelta(minutes=30)).astimezone(UTC)
    ago = _AGO.fullmatch(text)
    if ago:
        n, unit = int(ago["n"]), ago["unit"]
        if unit == "天":
            return _at(local_now.date() - timedelta(days=n), time(), tz)
        return (local_now - timedelta(seconds=n * _UNIT_SECONDS[unit])).astimezone(UTC)
    day_word = _DAY_WORD.fullmatch(text)
    if day_word:
        day = local_now.date() - timedelta(days=_DAYS_BACK[day_word["word"]])
        clock = time(int(day_word["h"]), int(day_word["mi"]), int(day_word["s"] or 0))
        return _at(day, clock, tz)
    raise ValueError(f"unreadable forum time: {text!r}")


def _absolute(text: str, tz: ZoneInfo) -> tuple[datetime, bool] | None:
    """``(moment, has_time_of_day)`` for an absolute date text, ``None`` if it is not one."""
    match = _ABSOLUTE.fullmatch(_normalise(text))
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["mo"]), int(match["d"]))
        clock = time(int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0))
    except ValueError:  # 2026-13-45, 25:00
        return None
    return _at(day, clock, tz), match["h"] is not None


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)
