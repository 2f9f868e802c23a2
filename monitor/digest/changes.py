"""What changed since last week: short lines a person takes in at a glance, each in Chinese and
English (:class:`~monitor.digest.said.Said`; shown here in English):

    >>> [line.en for line in what_changed(week, previous)]  # doctest: +SKIP
    ['Posts on watched threads: 412, up 35 % from 305',
     'Negative share 62 %, up 14 points from 48 %',
     '3 alerts opened (1 last week); 1 very urgent',
     '途乐旅行: 180 posts (none last week) — new this week',
     'Median time to acknowledge 18 min (42 min last week)',
     'Backup called for 2 of 3 alerts, leadership for 1 (none last week)',
     '2 alerts missed their first-contact SLA (none last week)',
     'Complaint categories that grew most: service 12 threads (8 last week)']

The first in Chinese is ``监测帖共 412 条帖子，比上周 305 条增加 35 %``. Lines come in that order
(volume, sentiment, alerts, watch groups, how alerts were handled, categories); a figure that did not
change (as shown, after rounding) gets no line, and a week with nothing to compare against says
"none last week" rather than an infinite percentage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from statistics import median

from monitor.detect.severity import Severity
from monitor.digest.headings import CATEGORY_NAMES
from monitor.digest.model import AlertReview, WeekFigures
from monitor.digest.said import Said
from monitor.digest.sentences import minutes_zh
from monitor.digest.wording import duration

GROUP_LINES = 3  # at most this many watch-group lines: new groups first, then the biggest changes
CATEGORY_MENTIONS = 2  # categories named in the "grew most" line


def what_changed(
    week: WeekFigures, previous: WeekFigures, *, now: datetime | None = None
) -> tuple[Said, ...]:
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
    return tuple(line for line in lines if line is not None)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _last_week(n: int) -> str:
    return "none last week" if n == 0 else f"{n} last week"


def _last_week_zh(n: int, unit: str) -> str:
    return "上周没有" if n == 0 else f"上周 {n} {unit}"


def _percent_change(now: int, before: int, unit: str) -> Said:
    """``比上周 305 条增加 35 %`` / ``up 35 % from 305``, or ``是上周 4 条的 21 倍`` / ``21× the 4 of
    last week`` from 3× on; ``before`` must not be 0. ``unit``: the Chinese measure word."""
    if now >= 3 * before:  # "up 2025 %" reads worse than "21× the 4 of last week"
        times = f"{now / before:.1f}".removesuffix(".0") if now < 10 * before else f"{now / before:.0f}"
        return Said(f"是上周 {before} {unit}的 {times} 倍", f"{times}× the {before} of last week")
    change = (now - before) / before * 100
    rounded = round(abs(change))
    shown = rounded if rounded else "<1"
    return Said(
        f"比上周 {before} {unit}{'增加' if change > 0 else '减少'} {shown} %",
        f"{'up' if change > 0 else 'down'} {shown} % from {before}",
    )


def _posts_line(now: int, before: int) -> Said | None:
    if now == before:
        return None
    if before == 0:
        return Said(
            f"监测帖共 {now} 条帖子（上周没有）", f"Posts on watched threads: {now} (no posts last week)"
        )
    if now == 0:
        return Said(
            f"监测帖没有帖子（上周 {before} 条）", f"No posts on watched threads ({before} last week)"
        )
    change = _percent_change(now, before, "条")
    return Said(f"监测帖共 {now} 条帖子，{change.zh}", f"Posts on watched threads: {now}, {change.en}")


def _negative_line(now: float | None, before: float | None) -> Said | None:
    if now is None and before is None:
        return None
    if now is None:
        assert before is not None
        was = round(before * 100)
        return Said(
            f"本周没有评分的帖子（上周负面占比 {was} %）",
            f"No scored posts this week (negative share {was} % last week)",
        )
    shown = round(now * 100)
    if before is None:
        return Said(
            f"负面占比 {shown} %（上周没有评分的帖子）",
            f"Negative share {shown} % (no scored posts last week)",
        )
    was = round(before * 100)
    if shown == was:
        return None
    points = abs(shown - was)
    return Said(
        f"负面占比 {shown} %，比上周 {was} % {'上升' if shown > was else '下降'} {points} 个百分点",
        f"Negative share {shown} %, {'up' if shown > was else 'down'} "
        f"{_plural(points, 'point')} from {was} %",
    )


def _tiers(alerts: Iterable[AlertReview]) -> Counter[str]:
    return Counter(alert.severity for alert in alerts if alert.opened_in_period)


def _alerts_line(week: WeekFigures, previous: WeekFigures) -> Said | None:
    now, before = week.alerts_opened, previous.alerts_opened
    tiers, tiers_before = _tiers(week.alerts), _tiers(previous.alerts)
    serious = [tier for tier in (Severity.VERY_URGENT, Severity.URGENT) if tiers[tier.value]]
    if now == before and all(tiers[t.value] == tiers_before[t.value] for t in Severity):
        return None
    if now == 0:
        return Said(f"没有新开告警（上周 {before} 个）", f"No alerts opened ({before} last week)")
    line = Said(
        f"新开 {now} 个告警（{_last_week_zh(before, '个')}）",
        f"{_plural(now, 'alert')} opened ({_last_week(before)})",
    )
    if serious:
        line += Said(
            "，其中" + "、".join(f"{tier.label_zh} {tiers[tier.value]} 个" for tier in serious),
            "; " + ", ".join(f"{tiers[tier.value]} {tier.value.replace('_', ' ')}" for tier in serious),
        )
    return line


def _group_lines(week: WeekFigures, previous: WeekFigures) -> list[Said]:
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
    lines: list[Said] = []
    for name in [*new, *changed][:GROUP_LINES]:
        posts, was = now.get(name, 0), before.get(name, 0)
        if name in new:
            lines.append(
                Said(
                    f"{name}：{posts} 条帖子（上周没有），本周新出现",
                    f"{name}: {_plural(posts, 'post')} (none last week) — new this week",
                )
            )
        elif posts == 0:
            lines.append(Said(f"{name}：没有帖子（上周 {was} 条）", f"{name}: no posts ({was} last week)"))
        else:
            change = _percent_change(posts, was, "条")
            lines.append(
                Said(f"{name}：{posts} 条帖子，{change.zh}", f"{name}: {_plural(posts, 'post')}, {change.en}")
            )
    return lines


def _median_acknowledge(week: WeekFigures) -> float | None:
    waits = [
        minutes
        for alert in week.alerts
        if alert.round_in_period and (minutes := alert.minutes_to_acknowledge) is not None
    ]
    return median(waits) if waits else None


def _acknowledge_line(week: WeekFigures, previous: WeekFigures) -> Said | None:
    now, before = _median_acknowledge(week), _median_acknowledge(previous)
    if now is None:
        if before is None or week.alert_rounds == 0:
            return None
        reopened = bool(week.alerts_reopened)
        which = "opened or reopened" if reopened else "opened"
        which_zh = "新开或重开" if reopened else "新开"
        if week.alert_rounds == 1:
            waiting = Said(f"本周{which_zh}的告警尚未确认", f"The alert {which} has not been acknowledged")
        else:
            rounds = week.alert_rounds
            waiting = Said(
                f"本周{which_zh}的 {rounds} 个告警都未确认",
                f"None of the {rounds} alerts {which} has been acknowledged",
            )
        return waiting + Said(
            f"（上周中位数 {minutes_zh(before)}）", f" (median {duration(before)} last week)"
        )
    if before is None:
        return Said(
            f"确认用时中位数 {minutes_zh(now)}（上周没有告警被确认）",
            f"Median time to acknowledge {duration(now)} (no alerts acknowledged last week)",
        )
    if duration(now) == duration(before):
        return None
    return Said(
        f"确认用时中位数 {minutes_zh(now)}（上周 {minutes_zh(before)}）",
        f"Median time to acknowledge {duration(now)} ({duration(before)} last week)",
    )


def _called(week: WeekFigures) -> tuple[int, int]:
    """Alerts opened (or reopened) in the week that nobody acknowledged in time: the backup called,
    leadership called."""
    opened = [alert for alert in week.alerts if alert.round_in_period]
    return (
        sum(1 for alert in opened if alert.backup_called is not None),
        sum(1 for alert in opened if alert.leadership_called is not None),
    )


def _called_line(week: WeekFigures, previous: WeekFigures) -> Said | None:
    """Said beside the median time to acknowledge, which a quick acknowledgement hides them behind."""
    (backup, leadership), before = _called(week), _called(previous)
    if (backup, leadership) == before or week.alert_rounds == 0:
        return None
    was = "none last week" if before == (0, 0) else f"{before[0]} and {before[1]} last week"
    was_zh = "上周没有" if before == (0, 0) else f"上周分别为 {before[0]} 个和 {before[1]} 个"
    rounds = week.alert_rounds
    return Said(
        f"{rounds} 个告警中 {backup} 个通知了备岗，{leadership} 个通知了领导（{was_zh}）",
        f"Backup called for {backup} of {_plural(rounds, 'alert')}, leadership for {leadership} ({was})",
    )


def _missed_first_contact(week: WeekFigures, now: datetime) -> int:
    """Alerts opened (or reopened) in the week whose first contact was late, or is overdue at ``now``
    (the same verdict the digest body shows, :meth:`AlertReview.contact_on_time`)."""
    return sum(1 for alert in week.alerts if alert.round_in_period and alert.contact_on_time(now) is False)


def _missed_line(now: int, before: int) -> Said | None:
    if now == before:
        return None
    if now == 0:
        return Said(
            f"没有告警首次联系超时（上周 {before} 个）",
            f"No alert missed its first-contact SLA ({before} last week)",
        )
    missed = "1 alert missed its" if now == 1 else f"{now} alerts missed their"
    return Said(
        f"{now} 个告警首次联系超时（{_last_week_zh(before, '个')}）",
        f"{missed} first-contact SLA ({_last_week(before)})",
    )


def _categories_line(week: WeekFigures, previous: WeekFigures) -> Said | None:
    before = {c.category: c.threads for c in previous.categories}
    grown = sorted(
        (c for c in week.categories if c.threads > before.get(c.category, 0)),
        key=lambda c: (-(c.threads - before.get(c.category, 0)), c.category),
    )[:CATEGORY_MENTIONS]
    if not grown:
        return None
    zh = "；".join(
        f"{CATEGORY_NAMES.get(c.category, c.category)} {c.threads} 个主题帖"
        f"（{_last_week_zh(before.get(c.category, 0), '个')}）"
        for c in grown
    )
    en = ", ".join(
        f"{c.category} {_plural(c.threads, 'thread')} ({_last_week(before.get(c.category, 0))})"
        for c in grown
    )
    return Said(f"增长最多的投诉类别：{zh}", f"Complaint categories that grew most: {en}")
