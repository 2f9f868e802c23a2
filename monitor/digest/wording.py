"""The phrases both digest bodies share: shares, durations, tiers, dates, first-contact verdicts.

Everything here returns plain, cleaned text (scraped strings through :func:`clean_text`); the
HTML body escapes it. Times are UTC in the figures and shown in the digest's time zone.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.alerting.render import clean_text, severity_label
from monitor.detect.severity import Severity
from monitor.digest.headings import PEOPLE
from monitor.digest.model import AlertTiming, Digest, GroupVolume, WeekFigures
from monitor.digest.people import mentioned
from monitor.digest.said import Said

logger = logging.getLogger(__name__)

TITLE_CHARS = 60
NAME_CHARS = 30  # watch groups, boards, sources, spokespeople
TERMS_SHOWN = 3  # a watch group's most frequent matched terms in the volume section
NOTHING = "—"
_ALERT_TIMING = {
    "open": "",
    "opened_after": "opened after this week",
    "resolved_before": "resolved before this week",
}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def shortened(text: str, limit: int) -> str:
    """Scraped text cleaned of control characters and cut to ``limit`` characters with ``…``."""
    cleaned = clean_text(text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def title_of(text: str) -> str:
    return shortened(text, TITLE_CHARS) or "(untitled)"


def name_of(text: str) -> str:
    return shortened(text, NAME_CHARS) or NOTHING


def share(value: float | None) -> str:
    """``62 %``; ``—`` when no post had a sentiment score."""
    return NOTHING if value is None else f"{value * 100:.0f} %"


def counted(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def duration(minutes: float | None) -> str:
    """``25 min``, ``3 h 05 min``, ``2 d 4 h``; ``—`` for None."""
    return spelled_duration(minutes, ("<1 min", "{m} min", "{h} h {m:02d} min", "{d} d {h} h"))


def spelled_duration(minutes: float | None, forms: tuple[str, str, str, str]) -> str:
    """``minutes`` in the first of ``forms`` that fits: under a minute, minutes, hours and minutes,
    days and hours (``{d}``, ``{h}``, ``{m}`` in the forms); ``—`` for None."""
    if minutes is None:
        return NOTHING
    whole = max(0, round(minutes))
    hours, rest = divmod(whole, 60)
    days, day_hours = divmod(hours, 24)
    if whole < 1:
        return forms[0]
    if whole < 60:
        return forms[1].format(m=whole)
    if hours < 24:
        return forms[2].format(h=hours, m=rest)
    return forms[3].format(d=days, h=day_hours)


def tier(severity: str | None) -> str:
    """``紧迫 urgent``; an unknown tier is shown as it was stored."""
    if severity is None:
        return NOTHING
    try:
        return severity_label(Severity(severity))
    except ValueError:
        return clean_text(severity) or NOTHING


def local(moment: datetime, timezone: str) -> datetime:
    """``moment`` in the team's time zone (a naive time is taken to be UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(timezone)[0])


def zone_name(timezone: str) -> str:
    return zone(timezone)[1]


@lru_cache(maxsize=32)
def zone(name: str) -> tuple[tzinfo, str]:
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r, showing digest times in UTC", name)
        return UTC, "UTC"


def short_time(moment: datetime, timezone: str) -> str:
    """``12-01 09:30`` in the team's time zone."""
    return f"{local(moment, timezone):%m-%d %H:%M}"


def day_label(day: date) -> str:
    """``周一 Mon 11-30`` (the weekday in Chinese, then English, whatever the machine's locale)."""
    return f"{_WEEKDAYS_ZH[day.weekday()]} {_WEEKDAYS[day.weekday()]} {day:%m-%d}"


def period_days(figures: WeekFigures) -> tuple[date, date]:
    """The first and last local day of the period (its end is exclusive)."""
    period = figures.period
    first = local(period.start, period.timezone).date()
    last = local(period.end - timedelta(microseconds=1), period.timezone).date()
    return first, last


def until(figures: WeekFigures) -> str:
    """``until 03:33`` when the period's last day stops before its end (``--until now``); else empty."""
    end = local(figures.period.end, figures.period.timezone)
    return "" if end.time() == time(0) else f"until {end:%H:%M}"


def period_label(figures: WeekFigures, day_format: str) -> str:
    """``12-01 – 12-07``, with ``(截至 until 03:33)`` when the last day is partial."""
    first, last = period_days(figures)
    stop = until(figures)
    return f"{first:{day_format}} – {last:{day_format}}" + (f" (截至 {stop})" if stop else "")


def period_heading(figures: WeekFigures) -> str:
    """``2026-11-30 – 2026-12-06 (Asia/Shanghai)``; ``… – 2026-12-07 (截至 until 03:33, Asia/Shanghai)``."""
    first, last = period_days(figures)
    stop = until(figures)
    notes = [f"截至 {stop}" if stop else "", zone_name(figures.period.timezone)]
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d} ({', '.join(note for note in notes if note)})"


def day_labels(figures: WeekFigures) -> list[str]:
    """``周一 Mon 11-30`` for each day of the period; the partial last day says ``(截至 until 03:33)``."""
    labels = [day_label(day.day) for day in figures.days]
    stop = until(figures)
    if stop and labels and figures.days[-1].day == period_days(figures)[1]:
        labels[-1] += f" (截至 {stop})"
    return labels


def changes(digest: Digest) -> list[Said]:
    """What changed since last week, each line cleaned of control and format characters."""
    cleaned = [Said(clean_text(change.zh), clean_text(change.en)) for change in digest.changes]
    return [line for line in cleaned if line]


def alert_timing_note(timing: AlertTiming | None) -> str:
    """``opened after this week`` or ``resolved before this week``; empty for an alert open in it."""
    return _ALERT_TIMING[timing] if timing else ""


def group_rows(digest: Digest) -> list[tuple[GroupVolume, GroupVolume | None]]:
    """Each watch group this week beside its last week (None if it had none); then groups quiet this week."""
    before = {group.watch_group: group for group in digest.previous.groups}
    now = {group.watch_group for group in digest.week.groups}
    rows = [(group, before.get(group.watch_group)) for group in digest.week.groups]
    for group in digest.previous.groups:
        if group.watch_group not in now:
            rows.append((GroupVolume(group.watch_group, 0, 0, 0, 0, 0), group))
    return rows


def category_rows(digest: Digest) -> list[tuple[str, int, int]]:
    """``(category, threads this week, last week)``: this week's order, then those seen only last week."""
    before = {count.category: count.threads for count in digest.previous.categories}
    rows = [(c.category, c.threads, before.pop(c.category, 0)) for c in digest.week.categories]
    rows += [(category, 0, threads) for category, threads in before.items()]
    return rows


def people_line(digest: Digest) -> str:
    """``人员 People: 李娜 公关部发言人 · 王强 客服总监``: the job titles of the people the digest names
    (:mod:`monitor.digest.people`), once; empty when none has one."""
    named = mentioned(digest)
    if not named:
        return ""
    return f"{PEOPLE}: " + " · ".join(f"{name_of(name)} {name_of(title)}" for name, title in named)
