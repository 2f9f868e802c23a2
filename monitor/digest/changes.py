"""What changed since last week: short English lines a person takes in at a glance.

    >>> what_changed(week, previous)  # doctest: +SKIP
    ('Posts on watched threads: 412, up 35 % from 305',
     'Negative share 62 %, up 14 points from 48 %',
     '3 alerts opened (1 last week); 1 非常紧迫 very urgent',
     '途乐旅行: 180 posts (none last week) — new this week',
     'Median time to acknowledge 18 min (42 min last week)',
     'Backup called for 2 of 3 alerts, leadership for 1 (none last week)',
     '2 alerts missed their first-contact SLA (none last week)',
     'Complaint categories that grew most: service 12 threads (8 last week)')

Lines come in that order (volume, sentiment, alerts, watch groups, how alerts were handled,
categories); a figure that did not change (as shown, after rounding) gets no line, and a week with
nothing to compare against says "none last week" rather than an infinite percentage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from statistics import median

from monitor.alerting.render import severity_label
from monitor.detect.severity import Severity
from monitor.digest.headings import category_label
from monitor.digest.model import AlertReview, WeekFigures
from monitor.digest.wording import duration

GROUP_LINES = 3  # at most this many watch-group lines: new groups first, then the biggest changes
CATEGORY_MENTIONS = 2  # categories named in the "grew most" line


def what_changed(week: WeekFigures, previous: WeekFigures, *, now: datetime | None = None) -> tuple[str, ...]:
    """The lines saying how ``week`` differs from ``previous``, most important first.

    ``now`` decides whether a first contact still pending is late, in both weeks (default: the
    end of ``week``).
    """
    if previous.period.end > week.period.start:
        raise ValueError(
            f"previous week must end by the time the week starts, got {previous.period.end.isoformat()} "
            f"after {week.period.start.isoformat()}"
        )
    as_of = now or week.period.end
    lines = [
        _posts_line(week.posts, previous.posts),
        _negative_line(week.negative_share, previous.negative_share),
        _alerts_line(week, previous),
        *_group_lines(week, previous),
        _acknowledge_line(week, previous),
        _called_line(week, previous),
        _missed_line(_missed_first_contact(week, as_of), _missed_first_contact(previous, as_of)),
        _categories_line(week, previous),
    ]
    return tuple(line for line in lines if line)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _last_week(n: int) -> str:
    return "none last week" if n == 0 else f"{n} last week"


def _percent_change(now: int, before: int) -> str:
    """``up 35 % from 305``, or ``21× the 4 of last week`` from 3× on; ``before`` must not be 0."""
    if now >= 3 * before:  # "up 2025 %" reads worse than "21× the 4 of last week"
        times = f"{now / before:.1f}".removesuffix(".0") if now < 10 * before else f"{now / before:.0f}"
        return f"{times}× the {before} of last week"
    change = (now - before) / before * 100
    rounded = round(abs(change))
    return f"{'up' if change > 0 else 'down'} {rounded if rounded else '<1'} % from {before}"


def _posts_line(now: int, before: int) -> str:
    if now == before:
        return ""
    if before == 0:
        return f"Posts on watched threads: {now} (no posts last week)"
    if now == 0:
        return f"No posts on watched threads ({before} last week)"
    return f"Posts on watched threads: {now}, {_percent_change(now, before)}"


def _negative_line(now: float | None, before: float | None) -> str:
    if now is None and before is None:
        return ""
    if now is None:
        assert before is not None
        return f"No scored posts this week (negative share {round(before * 100)} % last week)"
    shown = round(now * 100)
    if before is None:
        return f"Negative share {shown} % (no scored posts last week)"
    was = round(before * 100)
    if shown == was:
        return ""
    points = _plural(abs(shown - was), "point")
    return f"Negative share {shown} %, {'up' if shown > was else 'down'} {points} from {was} %"


def _tiers(alerts: Iterable[AlertReview]) -> Counter[str]:
    return Counter(alert.severity for alert in alerts if alert.opened_in_period)


def _alerts_line(week: WeekFigures, previous: WeekFigures) -> str:
    now, before = week.alerts_opened, previous.alerts_opened
    tiers, tiers_before = _tiers(week.alerts), _tiers(previous.alerts)
    serious = [tier for tier in (Severity.VERY_URGENT, Severity.URGENT) if tiers[tier.value]]
    if now == before and all(tiers[t.value] == tiers_before[t.value] for t in Severity):
        return ""
    if now == 0:
        return f"No alerts opened ({before} last week)"
    line = f"{_plural(now, 'alert')} opened ({_last_week(before)})"
    if serious:
        line += "; " + ", ".join(f"{tiers[tier.value]} {severity_label(tier)}" for tier in serious)
    return line


def _group_lines(week: WeekFigures, previous: WeekFigures) -> list[str]:
    now = {group.watch_group: group.posts for group in week.groups}
    before = {group.watch_group: group.posts for group in previous.groups}
    new = [name for name in now if name not in before]  # week.groups is busiest first
    changed = sorted(
        (
            name
            for name in now.keys() | before.keys()
            if name not in new and now.get(name) != before.get(name)
        ),
        key=lambda name: (-abs(now.get(name, 0) - before.get(name, 0)), name),
    )
    lines: list[str] = []
    for name in [*new, *changed][:GROUP_LINES]:
        posts, was = now.get(name, 0), before.get(name, 0)
        if name in new:
            lines.append(f"{name}: {_plural(posts, 'post')} (none last week) — new this week")
        elif posts == 0:
            lines.append(f"{name}: no posts ({was} last week)")
        else:
            lines.append(f"{name}: {_plural(posts, 'post')}, {_percent_change(posts, was)}")
    return lines


def _median_acknowledge(week: WeekFigures) -> float | None:
    waits = [
        minutes
        for alert in week.alerts
        if alert.round_in_period and (minutes := alert.minutes_to_acknowledge) is not None
    ]
    return median(waits) if waits else None


def _acknowledge_line(week: WeekFigures, previous: WeekFigures) -> str:
    now, before = _median_acknowledge(week), _median_acknowledge(previous)
    if now is None:
        if before is None or week.alert_rounds == 0:
            return ""
        which = "opened or reopened" if week.alerts_reopened else "opened"
        waiting = (
            f"The alert {which} has not"
            if week.alert_rounds == 1
            else f"None of the {week.alert_rounds} alerts {which} has"
        )
        return f"{waiting} been acknowledged (median {duration(before)} last week)"
    if before is None:
        return f"Median time to acknowledge {duration(now)} (no alerts acknowledged last week)"
    if duration(now) == duration(before):
        return ""
    return f"Median time to acknowledge {duration(now)} ({duration(before)} last week)"


def _called(week: WeekFigures) -> tuple[int, int]:
    """Alerts opened (or reopened) in the week that nobody acknowledged in time: the backup called,
    leadership called."""
    opened = [alert for alert in week.alerts if alert.round_in_period]
    return (
        sum(1 for alert in opened if alert.backup_called is not None),
        sum(1 for alert in opened if alert.leadership_called is not None),
    )


def _called_line(week: WeekFigures, previous: WeekFigures) -> str:
    """Said beside the median time to acknowledge, which a quick acknowledgement hides them behind."""
    (backup, leadership), before = _called(week), _called(previous)
    if (backup, leadership) == before or week.alert_rounds == 0:
        return ""
    was = "none last week" if before == (0, 0) else f"{before[0]} and {before[1]} last week"
    opened = _plural(week.alert_rounds, "alert")
    return f"Backup called for {backup} of {opened}, leadership for {leadership} ({was})"


def _missed_first_contact(week: WeekFigures, now: datetime) -> int:
    """Alerts opened (or reopened) in the week whose first contact was late, or is overdue at ``now``
    (the same verdict the digest body shows, :meth:`AlertReview.contact_on_time`)."""
    return sum(1 for alert in week.alerts if alert.round_in_period and alert.contact_on_time(now) is False)


def _missed_line(now: int, before: int) -> str:
    if now == before:
        return ""
    if now == 0:
        return f"No alert missed its first-contact SLA ({before} last week)"
    missed = "1 alert missed its" if now == 1 else f"{now} alerts missed their"
    return f"{missed} first-contact SLA ({_last_week(before)})"


def _categories_line(week: WeekFigures, previous: WeekFigures) -> str:
    before = {c.category: c.threads for c in previous.categories}
    grown = sorted(
        (c for c in week.categories if c.threads > before.get(c.category, 0)),
        key=lambda c: (-(c.threads - before.get(c.category, 0)), c.category),
    )[:CATEGORY_MENTIONS]
    if not grown:
        return ""
    named = ", ".join(
        f"{category_label(c.category)} {_plural(c.threads, 'thread')} "
        f"({_last_week(before.get(c.category, 0))})"
        for c in grown
    )
    return f"Complaint categories that grew most: {named}"
