"""parse_forum_time: every date form Discuz! prints, against a fixed clock.

The clock is the base capture of tests/fixtures/discuz: 2026-11-23 20:07:38 in Shanghai.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.sources.timeparse import parse_any_time, parse_forum_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 20, 7, 38, tzinfo=SHANGHAI)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-4 01:07", local(2026, 11, 4, 1, 7)),
        ("2026-11-14 20:07:26", local(2026, 11, 14, 20, 7, 26)),
        ("发表于 2026-11-4 01:07:26", local(2026, 11, 4, 1, 7, 26)),
        ("2026-10-14", local(2026, 10, 14)),
        ("2026/1/5 9:03", local(2026, 1, 5, 9, 3)),
        ("刚刚", NOW.astimezone(UTC)),
        ("15 秒前", (NOW - timedelta(seconds=15)).astimezone(UTC)),
        ("15&nbsp;秒前", (NOW - timedelta(seconds=15)).astimezone(UTC)),
        ("3 分钟前", (NOW - timedelta(minutes=3)).astimezone(UTC)),
        ("21\xa0分钟前", (NOW - timedelta(minutes=21)).astimezone(UTC)),
        ("半小时前", (NOW - timedelta(minutes=30)).astimezone(UTC)),
        ("3 小时前", (NOW - timedelta(hours=3)).astimezone(UTC)),
        ("1&nbsp;小时前", (NOW - timedelta(hours=1)).astimezone(UTC)),
        ("昨天 18:07", local(2026, 11, 22, 18, 7)),
        ("昨天&nbsp;06:07", local(2026, 11, 22, 6, 7)),
        ("前天 11:04", local(2026, 11, 21, 11, 4)),
        ("前天\xa017:07", local(2026, 11, 21, 17, 7)),
        ("6 天前", local(2026, 11, 17)),  # calendar days; the time of day is not shown
        ("7&nbsp;天前", local(2026, 11, 16)),
    ],
)
def test_forms(text: str, expected: datetime) -> None:
    parsed = parse_forum_time(text, NOW, SHANGHAI)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_now_in_any_timezone() -> None:
    assert parse_forum_time("昨天 18:07", NOW.astimezone(UTC), SHANGHAI) == local(2026, 11, 22, 18, 7)


def test_yesterday_just_after_midnight() -> None:
    just_after = datetime(2026, 11, 23, 0, 10, tzinfo=SHANGHAI)
    assert parse_forum_time("昨天 23:50", just_after, SHANGHAI) == local(2026, 11, 22, 23, 50)


def test_title_with_seconds_wins() -> None:
    """Thread pages: <span title="2026-11-21 17:07:26">前天&nbsp;17:07</span>."""
    assert parse_forum_time("前天 17:07", NOW, SHANGHAI, title="2026-11-21 17:07:26") == local(
        2026, 11, 21, 17, 7, 26
    )
    assert parse_forum_time("半小时前", NOW, SHANGHAI, title="2026-11-23 19:27") == local(
        2026, 11, 23, 19, 27
    )


def test_date_only_title_yields_to_a_text_with_a_clock() -> None:
    """List pages: <span title="2026-11-21">前天&nbsp;17:07</span>, <span title="2026-11-17">6 天前</span>."""
    assert parse_forum_time("前天 17:07", NOW, SHANGHAI, title="2026-11-21") == local(2026, 11, 21, 17, 7)
    assert parse_forum_time("6 天前", NOW, SHANGHAI, title="2026-11-17") == local(2026, 11, 17)


def test_title_used_when_text_is_unreadable_and_ignored_when_it_is() -> None:
    assert parse_forum_time("很久以前", NOW, SHANGHAI, title="2026-11-17") == local(2026, 11, 17)
    assert parse_forum_time("3 小时前", NOW, SHANGHAI, title="共 2 页") == (
        NOW - timedelta(hours=3)
    ).astimezone(UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-45 10:00", "三天前", "3 周前"])
def test_unreadable_text_raises_value_error_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="unreadable forum time"):
        parse_forum_time(text, NOW, SHANGHAI)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_forum_time("刚刚", datetime(2026, 11, 23, 20, 7), SHANGHAI)


# ---------------------------------------------------------------- parse_any_time (generic adapter)

NOW_UTC = NOW.astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T12:07:38+00:00", datetime(2026, 11, 23, 12, 7, 38, tzinfo=UTC)),
        ("2026-11-23T20:07:38", local(2026, 11, 23, 20, 7, 38)),  # no zone: the forum's wall clock
        ("2026-11-23 20:07:38Z", datetime(2026, 11, 23, 20, 7, 38, tzinfo=UTC)),
        ("1795435656", datetime(2026, 11, 23, 12, 7, 36, tzinfo=UTC)),
        ("Mon, 23 Nov 2026 12:07:37 GMT", datetime(2026, 11, 23, 12, 7, 37, tzinfo=UTC)),
        ("Mon Nov 23, 2026 8:07 pm", local(2026, 11, 23, 20, 7)),
        ("3 hours ago", local(2026, 11, 23, 17, 7, 38)),
        ("an hour ago", local(2026, 11, 23, 19, 7, 38)),
        ("just now", local(2026, 11, 23, 20, 7, 38)),
        ("Yesterday, 8:07 pm", local(2026, 11, 22, 20, 7)),
        ("Today at 09:15", local(2026, 11, 23, 9, 15)),
        ("Yesterday 12:30 am", local(2026, 11, 22, 0, 30)),
        ("3 小时前", local(2026, 11, 23, 17, 7, 38)),
        ("2026-11-4 01:07", local(2026, 11, 4, 1, 7)),
    ],
)
def test_parse_any_time(text: str, expected: datetime) -> None:
    assert parse_any_time(text, NOW_UTC, SHANGHAI, ["%a %b %d, %Y %I:%M %p"]) == expected


@pytest.mark.parametrize(
    "text", ["", "soon", "Yesterday, 25:00", "99999999999 天前", "0001-1-1 00:00", "9" * 40 + " hours ago"]
)
def test_unreadable_or_out_of_range_times_are_value_errors(text: str) -> None:
    with pytest.raises(ValueError):
        parse_any_time(text, NOW_UTC, SHANGHAI)
    with pytest.raises(ValueError):
        parse_forum_time(text, NOW_UTC, SHANGHAI)


# ---------------------------------------------------------------- dates without their year (贴吧, NGA)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("11-05 09:12", NOW, local(2026, 11, 5, 9, 12)),
        ("11-23 20:07", NOW, local(2026, 11, 23, 20, 7)),
        ("11/5 9:03:07", NOW, local(2026, 11, 5, 9, 3, 7)),
        ("11月5日 09:12", NOW, local(2026, 11, 5, 9, 12)),
        ("发表于 11-05", NOW, local(2026, 11, 5)),
        ("11-24 08:00", NOW, local(2026, 11, 24, 8, 0)),  # a day ahead at most: the forum's clock
        ("12-31 23:59", datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI), local(2026, 12, 31, 23, 59)),
        ("12-05 10:00", NOW, local(2025, 12, 5, 10, 0)),  # not yet this year: last year's
        ("02-28 10:00", NOW, local(2026, 2, 28, 10)),
    ],
)
def test_month_day_without_year(text: str, now: datetime, expected: datetime) -> None:
    assert parse_forum_time(text, now, SHANGHAI) == expected
    assert parse_any_time(text, now.astimezone(UTC), SHANGHAI) == expected


@pytest.mark.parametrize("text", ["13-05 09:12", "11-31 10:00", "11-05 25:00"])
def test_impossible_month_day_is_unreadable(text: str) -> None:
    with pytest.raises(ValueError, match="unreadable forum time"):
        parse_forum_time(text, NOW, SHANGHAI)
