"""Read the dates Chinese forums print: absolute ``2026-11-4 01:07`` and relative ``3 小时前``.

Discuz! renders a post's date with ``dgmdate(..., 'u')``: today's times as ``N 秒前``,
``N 分钟前``, ``半小时前`` or ``N 小时前``; the previous six calendar days as ``昨天 18:07``,
``前天 11:04`` or ``N 天前`` (N counts calendar days, so the date is exact but the time of
day is gone); anything older as ``Y-n-j H:i`` (list pages) or ``Y-n-j H:i:s`` (thread
pages). A relative text comes wrapped in ``<span title="...">`` holding the absolute time,
to the second on thread pages, to the minute or only the date on list pages.

Other forums (贴吧, NGA, many hand-made ones) leave the year out of this year's dates:
``12-05 09:12``, ``12月5日 09:12``. The year is the forum's, or the one before when that
date would be more than a day ahead of the forum's clock (a December page read in January).

Times without a time of day resolve to local midnight of that date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

_ABSOLUTE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
)
_MONTH_DAY = re.compile(
    r"(?P<mo>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?(?:\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
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
    try:
        return _parse(text, now.astimezone(tz), tz, title)
    except OverflowError as exc:  # "99999999 天前", year 1 pushed before the calendar by the offset
        raise ValueError(f"forum time out of range: {text!r}") from exc


def _parse(text: str, local_now: datetime, tz: ZoneInfo, title: str | None) -> datetime:
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
    month_day = _this_year(text, local_now, tz)
    if month_day is not None:
        return month_day
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


def _this_year(text: str, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    """``12-05 09:12`` without its year: this year's on the forum's clock, or last year's when
    this year's would be more than a day ahead (a page from December read in January)."""
    match = _MONTH_DAY.fullmatch(text)
    if not match:
        return None
    clock_parts = (int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0))
    for year in (local_now.year, local_now.year - 1):
        try:
            moment = datetime(year, int(match["mo"]), int(match["d"]), *clock_parts, tzinfo=tz)
        except ValueError:  # 13-45, 25:00, 02-29 of a common year
            continue
        if moment <= local_now + timedelta(days=1):
            return moment.astimezone(UTC)
    return None


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


_EN_AGO = re.compile(r"(?P<n>\d+|an?|one)\s*(?P<unit>sec|min|hour|hr|day|week)\w*\s+ago", re.IGNORECASE)
_EN_DAY = re.compile(
    r"(?P<word>today|yesterday)\W*(?:at\s*)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?",
    re.IGNORECASE,
)
_EN_UNIT_SECONDS = {"sec": 1, "min": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 604800}


def parse_any_time(
    text: str, now: datetime, tz: ZoneInfo, formats: tuple[str, ...] | list[str] = ()
) -> datetime:
    """The aware UTC moment of a date as any forum prints it, for adapters configured by hand.

    Tried in order: ISO 8601 (``<time datetime>``), a Unix time, RFC 2822, each ``strptime``
    format in ``formats`` (``%b %d, %Y %I:%M %p``), English relative forms (``3 hours ago``,
    ``Yesterday, 8:07 pm``), then :func:`parse_forum_time` (Chinese and ``Y-m-d H:M``).
    Times without a zone are on the forum's wall clock ``tz``. ``ValueError`` if none reads it.
    """
    value = " ".join(text.replace("\xa0", " ").split())
    if not value:
        raise ValueError("empty forum time")
    try:
        return _parse_any(value, now, tz, formats)
    except OverflowError as exc:
        raise ValueError(f"forum time out of range: {value!r}") from exc


def _parse_any(value: str, now: datetime, tz: ZoneInfo, formats: tuple[str, ...] | list[str]) -> datetime:
    local_now = now.astimezone(tz)
    for reader in (_iso, _unix, _rfc2822):
        found = reader(value)
        if found is not None:
            return _aware(found, tz)
    for fmt in formats:
        try:
            return _aware(datetime.strptime(value, fmt), tz)
        except ValueError:
            continue
    english = _english(value, local_now, tz)
    if english is not None:
        return english
    return parse_forum_time(value, now, tz)


def _aware(when: datetime, tz: ZoneInfo) -> datetime:
    return (when if when.tzinfo else when.replace(tzinfo=tz)).astimezone(UTC)


def _iso(value: str) -> datetime | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _unix(value: str) -> datetime | None:
    if not re.fullmatch(r"\d{9,11}", value):
        return None
    return datetime.fromtimestamp(int(value), UTC)


def _rfc2822(value: str) -> datetime | None:
    if not re.match(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", value):
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _english(value: str, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    if value.lower() in ("just now", "now", "moments ago"):
        return local_now.astimezone(UTC)
    ago = _EN_AGO.fullmatch(value)
    if ago:
        amount = int(ago["n"]) if ago["n"].isdigit() else 1
        return (local_now - timedelta(seconds=amount * _EN_UNIT_SECONDS[ago["unit"].lower()])).astimezone(UTC)
    day_word = _EN_DAY.fullmatch(value)
    if day_word:
        hour = int(day_word["h"])
        ampm = (day_word["ampm"] or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        if hour > 23:
            return None
        day = local_now.date() - timedelta(days=1 if day_word["word"].lower() == "yesterday" else 0)
        return _at(day, time(hour, int(day_word["mi"]), int(day_word["s"] or 0)), tz)
    return None
