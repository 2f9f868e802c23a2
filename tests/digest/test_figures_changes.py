"""本周变化 What changed since last week (monitor.digest.changes), from hand-made week figures (no store)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.detect.severity import Severity
from monitor.digest.figures import what_changed as said_changed
from monitor.digest.model import (
    AlertReview,
    CategoryCount,
    DaySentiment,
    DigestPeriod,
    GroupVolume,
    WeekFigures,
)

START = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Monday 2026-11-30 00:00 in Shanghai
PERIOD = DigestPeriod(START, START + timedelta(days=7), "Asia/Shanghai")
LAST = PERIOD.previous()
HOUR = timedelta(hours=1)


def what_changed(week: WeekFigures, previous: WeekFigures, **now: datetime) -> tuple[str, ...]:
    """The lines' English; their Chinese is checked beside it where a test says ``.zh``."""
    return tuple(line.en for line in said_changed(week, previous, **now))


def chinese(week: WeekFigures, previous: WeekFigures) -> tuple[str, ...]:
    return tuple(line.zh for line in said_changed(week, previous))


def _figures(
    period: DigestPeriod,
    *,
    posts: int = 100,
    scored: int = 0,
    negative: int = 0,
    groups: Iterable[GroupVolume] = (),
    alerts: Iterable[AlertReview] = (),
    categories: Iterable[CategoryCount] = (),
) -> WeekFigures:
    """A week whose posts all fell on its first day."""
    first, *rest = period.days()
    return WeekFigures(
        period=period,
        groups=tuple(groups),
        days=(DaySentiment(first, posts, scored, negative), *(DaySentiment(day, 0, 0, 0) for day in rest)),
        top_threads=(),
        alerts=tuple(alerts),
        categories=tuple(categories),
    )


def _review(
    alert_id: int,
    period: DigestPeriod,
    severity: Severity = Severity.GENERAL,
    *,
    acknowledged_after: timedelta | None = None,
    contacted_after: timedelta | None = HOUR,
) -> AlertReview:
    """An alert opened on the period's first instant; by default contacted well within its SLA."""
    opened = period.start
    return AlertReview(
        alert_id=alert_id,
        title="途乐旅行不退款",
        url="http://127.0.0.1:1/thread-1",
        watch_group="途乐旅行",
        severity=severity.value,
        status="open",
        spokesperson="张经理",
        opened_at=opened,
        respond_by=opened + severity.first_contact,
        acknowledged_at=None if acknowledged_after is None else opened + acknowledged_after,
        contacted_at=None if contacted_after is None else opened + contacted_after,
        resolved_at=None,
        checklist_done=0,
        checklist_total=0,
        opened_in_period=True,
    )


@pytest.mark.parametrize(
    ("now", "before", "line", "zh"),
    [
        (
            412,
            305,
            "Posts on watched threads: 412, up 35 % from 305",
            "监测帖共 412 条帖子，比上周 305 条增加 35 %",
        ),
        (
            305,
            412,
            "Posts on watched threads: 305, down 26 % from 412",
            "监测帖共 305 条帖子，比上周 412 条减少 26 %",
        ),
        (
            1001,
            1000,
            "Posts on watched threads: 1001, up <1 % from 1000",
            "监测帖共 1001 条帖子，比上周 1000 条增加 <1 %",
        ),
        (
            85,
            4,
            "Posts on watched threads: 85, 21× the 4 of last week",
            "监测帖共 85 条帖子，是上周 4 条的 21 倍",
        ),
        (11, 4, "Posts on watched threads: 11, up 175 % from 4", "监测帖共 11 条帖子，比上周 4 条增加 175 %"),
        (412, 0, "Posts on watched threads: 412 (no posts last week)", "监测帖共 412 条帖子（上周没有）"),
        (0, 305, "No posts on watched threads (305 last week)", "监测帖没有帖子（上周 305 条）"),
    ],
)
def test_posts_on_watched_threads(now: int, before: int, line: str, zh: str) -> None:
    week, previous = _figures(PERIOD, posts=now), _figures(LAST, posts=before)
    assert what_changed(week, previous) == (line,)
    assert chinese(week, previous) == (zh,)


@pytest.mark.parametrize(
    ("now", "before", "line", "zh"),
    [
        (
            (50, 31),
            (50, 24),
            "Negative share 62 %, up 14 points from 48 %",
            "负面占比 62 %，比上周 48 % 上升 14 个百分点",
        ),
        (
            (50, 24),
            (50, 31),
            "Negative share 48 %, down 14 points from 62 %",
            "负面占比 48 %，比上周 62 % 下降 14 个百分点",
        ),
        (
            (100, 50),
            (100, 49),
            "Negative share 50 %, up 1 point from 49 %",
            "负面占比 50 %，比上周 49 % 上升 1 个百分点",
        ),
        ((1000, 501), (1000, 499), None, None),  # both show as 50 %
        (
            (50, 31),
            (0, 0),
            "Negative share 62 % (no scored posts last week)",
            "负面占比 62 %（上周没有评分的帖子）",
        ),
        (
            (0, 0),
            (50, 24),
            "No scored posts this week (negative share 48 % last week)",
            "本周没有评分的帖子（上周负面占比 48 %）",
        ),
        ((0, 0), (0, 0), None, None),
    ],
)
def test_negative_share(
    now: tuple[int, int], before: tuple[int, int], line: str | None, zh: str | None
) -> None:
    week = _figures(PERIOD, scored=now[0], negative=now[1])
    previous = _figures(LAST, scored=before[0], negative=before[1])
    assert what_changed(week, previous) == ((line,) if line else ())
    assert chinese(week, previous) == ((zh,) if zh else ())


def test_alerts_opened_name_the_serious_tiers() -> None:
    week = _figures(
        PERIOD,
        alerts=[_review(3, PERIOD, Severity.VERY_URGENT), _review(2, PERIOD), _review(1, PERIOD)],
    )
    previous = _figures(LAST, alerts=[_review(9, LAST)])
    assert what_changed(week, previous) == ("3 alerts opened (1 last week); 1 very urgent",)
    assert chinese(week, previous) == ("新开 3 个告警（上周 1 个），其中非常紧迫 1 个",)
    assert what_changed(_figures(PERIOD), _figures(LAST, alerts=[_review(8, LAST), _review(9, LAST)])) == (
        "No alerts opened (2 last week)",
    )
    # as many as last week, but one of them is now urgent
    assert what_changed(_figures(PERIOD, alerts=[_review(1, PERIOD, Severity.URGENT)]), previous) == (
        "1 alert opened (1 last week); 1 urgent",
    )


def test_a_new_watch_group_and_the_biggest_changes_capped() -> None:
    week = _figures(
        PERIOD,
        groups=[
            GroupVolume("途乐旅行", 3, 3, 180, 100, 50),
            GroupVolume("途乐客服", 5, 1, 60, 40, 10),
            GroupVolume("途乐会员", 2, 0, 30, 0, 0),
            GroupVolume("竞品", 1, 0, 1, 1, 0),
        ],
    )
    previous = _figures(
        LAST,
        groups=[
            GroupVolume("途乐客服", 5, 1, 80, 40, 10),  # -20
            GroupVolume("途乐会员", 2, 0, 29, 0, 0),  # +1: not among the three biggest
            GroupVolume("竞品", 1, 0, 1, 1, 0),  # unchanged
            GroupVolume("旧品牌", 9, 0, 45, 0, 0),  # -45: went quiet
        ],
    )
    assert what_changed(week, previous) == (
        "途乐旅行: 180 posts (none last week) — new this week",
        "旧品牌: no posts (45 last week)",
        "途乐客服: 60 posts, down 25 % from 80",
    )


@pytest.mark.parametrize(
    ("now", "before", "line"),
    [
        ([10, 18, 60], [30, 42, 50], "Median time to acknowledge 18 min (42 min last week)"),
        ([10, 200], [30, 42], "Median time to acknowledge 1 h 45 min (36 min last week)"),
        ([18, 18], [18.2, 17.9], None),  # shown the same
        (
            [None, None],
            [30, 42],
            "None of the 2 alerts opened has been acknowledged (median 36 min last week)",
        ),
        ([None], [42], "The alert opened has not been acknowledged (median 42 min last week)"),
        ([20], [None], "Median time to acknowledge 20 min (no alerts acknowledged last week)"),
    ],
)
def test_median_time_to_acknowledge(
    now: list[float | None], before: list[float | None], line: str | None
) -> None:
    def alerts(minutes: list[float | None], period: DigestPeriod) -> list[AlertReview]:
        return [
            _review(n, period, acknowledged_after=None if m is None else timedelta(minutes=m))
            for n, m in enumerate(minutes)
        ]

    week, previous = _figures(PERIOD, alerts=alerts(now, PERIOD)), _figures(LAST, alerts=alerts(before, LAST))
    assert what_changed(week, previous) == ((line,) if line else ())


def test_missed_first_contact_sla_judged_at_now() -> None:
    late = _review(1, PERIOD, contacted_after=25 * HOUR)  # general: 24 h
    pending = _review(2, PERIOD, contacted_after=None)  # overdue by the end of the week
    week = _figures(PERIOD, alerts=[late, pending])
    previous = _figures(LAST, alerts=[_review(8, LAST), _review(9, LAST)])
    assert what_changed(week, previous) == ("2 alerts missed their first-contact SLA (none last week)",)
    # an alert opened last week and still not contacted counts in last week's figures, not this week's
    carried = replace(_review(7, LAST, contacted_after=None), opened_in_period=False)
    assert what_changed(replace(previous, period=PERIOD, alerts=(*previous.alerts, carried)), previous) == ()
    # an hour into the week, the pending one still has time
    assert what_changed(week, previous, now=PERIOD.start + 2 * HOUR) == (
        "1 alert missed its first-contact SLA (none last week)",
    )
    on_time = _figures(PERIOD, alerts=[_review(1, PERIOD), _review(2, PERIOD)])
    late_last_week = [_review(n, LAST, contacted_after=30 * HOUR) for n in (8, 9)]
    assert what_changed(on_time, _figures(LAST, alerts=late_last_week)) == (
        "No alert missed its first-contact SLA (2 last week)",
    )


def test_categories_that_grew_most() -> None:
    week = _figures(
        PERIOD,
        categories=[
            CategoryCount("service", 12),
            CategoryCount("product", 5),
            CategoryCount("dealer", 3),
            CategoryCount("other", 1),
        ],
    )
    previous = _figures(
        LAST,
        categories=[CategoryCount("service", 8), CategoryCount("product", 5), CategoryCount("policy", 2)],
    )
    assert what_changed(week, previous) == (
        "Complaint categories that grew most: "
        "service 12 threads (8 last week), dealer 3 threads (none last week)",
    )
    assert chinese(week, previous) == (
        "增长最多的投诉类别：服务 12 个主题帖（上周 8 个）；经销商 3 个主题帖（上周没有）",
    )
    only_falls = _figures(PERIOD, categories=[CategoryCount("service", 8), CategoryCount("product", 4)])
    assert what_changed(only_falls, week_as_last_week(week)) == ()


def week_as_last_week(figures: WeekFigures) -> WeekFigures:
    return _figures(LAST, categories=figures.categories)


def test_an_unchanged_week_says_nothing() -> None:
    def week(period: DigestPeriod) -> WeekFigures:
        return _figures(
            period,
            posts=300,
            scored=200,
            negative=90,
            groups=[GroupVolume("途乐旅行", 3, 1, 300, 200, 90)],
            alerts=[_review(1, period, Severity.URGENT, acknowledged_after=timedelta(minutes=20))],
            categories=[CategoryCount("service", 3)],
        )

    assert what_changed(week(PERIOD), week(LAST)) == ()


def test_lines_come_most_important_first() -> None:
    week = _figures(
        PERIOD,
        posts=412,
        scored=100,
        negative=62,
        groups=[GroupVolume("途乐旅行", 3, 3, 180, 100, 62)],
        alerts=[_review(1, PERIOD, Severity.VERY_URGENT, acknowledged_after=timedelta(minutes=18))],
        categories=[CategoryCount("service", 3)],
    )
    previous = _figures(LAST, posts=305, scored=100, negative=48)
    assert what_changed(week, previous) == (
        "Posts on watched threads: 412, up 35 % from 305",
        "Negative share 62 %, up 14 points from 48 %",
        "1 alert opened (none last week); 1 very urgent",
        "途乐旅行: 180 posts (none last week) — new this week",
        "Median time to acknowledge 18 min (no alerts acknowledged last week)",
        "Complaint categories that grew most: service 3 threads (none last week)",
    )


def test_previous_must_come_before_the_week() -> None:
    with pytest.raises(ValueError, match="previous week must end by the time the week starts"):
        what_changed(_figures(LAST), _figures(PERIOD))
