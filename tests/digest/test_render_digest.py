"""Rendering the weekly digest: subject, plain text (cleaned, with text charts) and HTML (escaped).

Builds :class:`Digest` values directly with the small factories below (no database). Named
``test_render_digest`` because ``tests/alerting/test_render.py`` already owns the module name
``test_render`` (the tests have no ``__init__.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from bs4 import BeautifulSoup

from monitor.digest.alert_wording import handling
from monitor.digest.charts import html_bar, sparkline, text_bar
from monitor.digest.html_style import ENGLISH
from monitor.digest.model import (
    AlertReview,
    BoardTrouble,
    CategoryCount,
    DaySentiment,
    Digest,
    DigestPeriod,
    GroupVolume,
    Reading,
    TopThread,
    WeekFigures,
)
from monitor.digest.render import handling_summary, render_html, render_subject, render_text
from monitor.digest.said import Said
from monitor.digest.wording import duration
from monitor.display_text import display_width

ZONE = "Asia/Shanghai"
# Local midnight Monday 2026-12-07 in Shanghai is 16:00 UTC on Sunday 12-06: the UTC days differ.
END = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
PERIOD = DigestPeriod.week_ending(END, ZONE)
GENERATED = END + timedelta(hours=1)  # 2026-12-07 01:00 in Shanghai
TITLE = (
    "途乐旅行收了我2万8团费，到了澳洲酒店没订上，客服电话打了一周都没有人管，大家来评评理吧，"
    "已经投诉到消费者协会和12315了，希望媒体关注一下"
)
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'


def days(posts: list[int], negative: list[int] | None = None, period: DigestPeriod = PERIOD) -> tuple:
    negative = negative or [0] * len(posts)
    return tuple(
        DaySentiment(day=day, posts=count, scored=count, negative=bad)
        for day, count, bad in zip(period.days(), posts, negative, strict=True)
    )


def thread(**changes) -> TopThread:
    value = TopThread(
        thread_id=7,
        title="客服电话打不通",
        url="https://bbs.example.cn/forum.php?mod=viewthread&tid=8812",
        source="天涯论坛",
        board="投诉维权",
        watch_groups=("途乐旅行",),
        posts=45,
        replies=230,
        negative_share=0.71,
        category="service",
        alert_id=17,
        alert_severity="urgent",
    )
    return replace(value, **changes)


def review(**changes) -> AlertReview:
    opened = PERIOD.start + timedelta(days=1, hours=9, minutes=30)  # Tue 12-01 09:30 in Shanghai
    value = AlertReview(
        alert_id=17,
        title="客服电话打不通",
        url="https://bbs.example.cn/forum.php?mod=viewthread&tid=8812",
        watch_group="途乐旅行",
        severity="urgent",
        status="resolved",
        spokesperson="张敏",
        opened_at=opened,
        respond_by=opened + timedelta(hours=8),
        acknowledged_at=opened + timedelta(minutes=25),
        contacted_at=opened + timedelta(hours=2, minutes=10),
        resolved_at=opened + timedelta(days=2),
        checklist_done=4,
        checklist_total=6,
        opened_in_period=True,
        notes=2,
    )
    return replace(value, **changes)


def figures(**changes) -> WeekFigures:
    value = WeekFigures(
        period=PERIOD,
        groups=(
            GroupVolume("途乐旅行", threads=12, new_threads=5, posts=180, scored=160, negative=96),
            GroupVolume("星巴克", threads=4, new_threads=1, posts=60, scored=50, negative=10),
        ),
        days=days([40, 80, 0, 20, 60, 10, 30], [10, 60, 0, 5, 30, 0, 15]),
        top_threads=(thread(),),
        alerts=(review(),),
        categories=(CategoryCount("service", 12), CategoryCount("product", 5)),
    )
    return replace(value, **changes)


def last_week(**changes) -> WeekFigures:
    period = PERIOD.previous()
    value = WeekFigures(
        period=period,
        groups=(
            GroupVolume("途乐旅行", threads=8, new_threads=3, posts=120, scored=100, negative=40),
            GroupVolume("携程", threads=2, new_threads=2, posts=9, scored=9, negative=9),
        ),
        days=days([10, 20, 30, 40, 20, 9, 0], [5, 10, 10, 10, 10, 4, 0], period),
        top_threads=(),
        alerts=(
            review(
                alert_id=11,
                opened_at=period.start,
                respond_by=period.start + timedelta(hours=4),
                severity="very_urgent",
                acknowledged_at=period.start + timedelta(minutes=70),
                contacted_at=period.start + timedelta(hours=5),
            ),
        ),
        categories=(CategoryCount("service", 8), CategoryCount("policy", 3)),
    )
    return replace(value, **changes)


def digest(week: WeekFigures | None = None, previous: WeekFigures | None = None, **changes) -> Digest:
    value = Digest(
        week=week or figures(),
        previous=previous or last_week(),
        changes=(
            Said("帖子比上周增加 86 %（240 对 129）", "Posts up 86 % on last week (240 vs 129)"),
            Said("有帖子的新监测组：星巴克", "New watch group with posts: 星巴克"),
        ),
        generated_at=GENERATED,
    )
    return replace(value, **changes)


def section(text: str, heading: str) -> str:
    """The lines of one text section, from its heading (``周报 Weekly digest``: Chinese first, the
    English given) to the next blank line."""
    found = re.search(rf"^(?:[^\x00-\x7f]+ )?{re.escape(heading)}", text, re.MULTILINE)
    if found is None:
        raise ValueError(f"no section {heading!r}")
    start = found.start()
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else None]


# --- subject -------------------------------------------------------------------------------------


def test_subject_gives_local_dates_and_the_weeks_figures():
    # 240 posts, 120 of 240 scored negative = 50 %, one alert opened this week.
    assert render_subject(digest()) == "周报 Weekly digest 11-30 – 12-06：240 条帖子，负面 50 %，1 个告警"


def test_subject_dates_follow_the_team_time_zone_not_utc():
    utc_period = DigestPeriod.week_ending(END, "UTC")
    # The same instants read in UTC: 16:00 to 16:00, so eight UTC calendar days, 11-29 to 12-06.
    week = figures(period=utc_period, days=days([1] + [0] * 7, period=utc_period))
    assert render_subject(digest(week)).startswith(
        "周报 Weekly digest 11-29 – 12-06 (截至 until 16:00)：1 条帖子，"
    )


def test_subject_leaves_out_the_negative_share_when_nothing_was_scored():
    week = figures(days=tuple(replace(day, scored=0, negative=0) for day in figures().days), alerts=())
    assert render_subject(digest(week)) == "周报 Weekly digest 11-30 – 12-06：240 条帖子，0 个告警"


# --- plain text ----------------------------------------------------------------------------------


def test_text_sections_come_in_order():
    text = render_text(digest())
    headings = [
        "本周变化 What changed since last week",
        "各监测组声量 Volume by watch group",
        "每日情感 Sentiment by day",
        "热门帖子 Top threads",
        "告警及处理 Alerts and how they were handled",
        "投诉分类 Complaint categories",
        "Figures cover watched threads only",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)


def test_text_heading_compares_with_last_week():
    lines = render_text(digest()).splitlines()
    assert lines[:3] == [
        "周报 Weekly digest 2026-11-30 – 2026-12-06 (Asia/Shanghai)",
        "本周 This week: 240 条帖子，负面 50 %，新开 1 个告警 / 240 posts, 50 % negative, 1 alert opened",
        "上周 Last week: 129 条帖子，负面 38 %，新开 1 个告警 / 129 posts, 38 % negative, 1 alert opened",
    ]


def test_text_lists_the_changes_or_says_there_are_none():
    assert section(render_text(digest()), "What changed").splitlines()[1:] == [
        "  - 帖子比上周增加 86 %（240 对 129） / Posts up 86 % on last week (240 vs 129)",
        "  - 有帖子的新监测组：星巴克 / New watch group with posts: 星巴克",
    ]
    quiet = render_text(digest(changes=()))
    assert section(quiet, "What changed").splitlines()[1:] == [
        "  与上周相比没有明显变化。 / Nothing notable changed since last week."
    ]


def test_text_volume_puts_last_weeks_figures_beside_this_weeks():
    assert section(render_text(digest()), "各监测组声量 Volume by watch group").splitlines()[1:] == [
        "  全部监测帖 All watched threads: 帖数 Posts 240 (129) · 负面 Negative 50 % (38 %)",
        "  途乐旅行: 帖数 Posts 180 (120) · 主题 Threads 12 (8) · 新主题 New threads 5 (3) · "
        "负面 Negative 60 % (40 %)",
        "  星巴克: 帖数 Posts 60 (0) · 主题 Threads 4 (0) · 新主题 New threads 1 (0) · "
        "负面 Negative 20 % (—)",
        "  携程: 帖数 Posts 0 (9) · 主题 Threads 0 (2) · 新主题 New threads 0 (2) · 负面 Negative — (100 %)",
        # the groups' rows can add up to more than the first one: a thread two groups match is in both;
        # too long to join, the English goes on the line under the Chinese
        "  一个主题帖被两个监测组匹配时两组都计入，所以各组相加可能多于全部监测帖。",
        "  A thread two watch groups match counts in both, so the groups' rows can add up to more than "
        "all watched threads.",
    ]


def test_html_volume_says_that_watch_groups_overlap():
    soup = BeautifulSoup(render_html(digest()), "html.parser")
    heading = "各监测组声量 Volume by watch group（本周，括号内为上周 this week, last week in brackets）"
    note = soup.find("h2", string=heading).find_next("table").find_next("p")
    assert "一个主题帖被两个监测组匹配时两组都计入" in note.get_text()
    assert "A thread two watch groups match counts in both" in note.find("span", lang="en").get_text()


def test_text_day_chart_scales_bars_to_the_busiest_day():
    lines = section(render_text(digest()), "每日情感 Sentiment by day").splitlines()
    # the figures under their column headings, lined up by display width (a Chinese character: 2)
    assert lines[1] == "  日期 Day            帖数 Posts   负面 Negative"
    assert lines[2] == "  周一 Mon 11-30              40            25 %  ████████████"
    assert lines[3] == "  周二 Tue 12-01              80            75 %  " + "█" * 24  # busiest: full width
    assert lines[4] == "  周三 Wed 12-02               0               —"  # no posts: no bar
    assert lines[7] == "  周六 Sat 12-05              10             0 %  ███"
    assert {display_width(line.split("%")[0]) for line in lines[2:9] if "%" in line} == {47}
    bars = [line.partition("%")[2].strip() for line in lines[2:9]]  # the no-post day: no "%", no bar
    assert [len(bar) for bar in bars] == [12, 24, 0, 6, 18, 3, 9]  # proportional to 40 80 0 20 60 10 30


def test_text_day_chart_has_sparklines_for_posts_and_negative_share():
    lines = section(render_text(digest()), "每日情感 Sentiment by day").splitlines()
    assert lines[9] == "  帖数 Posts     ▅█▁▃▆▂▄"  # 40/80 of 7 steps = 3.5, rounded to even
    assert lines[10] == "  负面 Negative  ▃▆·▃▅▁▅  (▁ 0 % … █ 100 %, · 无评分帖子 no scored posts)"


def test_text_top_threads_give_place_figures_category_and_alert():
    assert section(render_text(digest()), "热门帖子 Top threads").splitlines()[1:] == [
        "  1. 客服电话打不通 — 投诉维权 · 天涯论坛 [途乐旅行]",
        "     https://bbs.example.cn/forum.php?mod=viewthread&tid=8812",
        # the tier and category said once, in the Chinese; the English after it, on its own line
        "     本周 45 条帖子 · 共 230 条回复 · 负面 71 % · 服务 · 告警 #17 [紧迫 urgent]",
        "     45 posts this week · 230 replies in all · 71 % negative · service · alert #17",
    ]


def test_text_top_thread_without_category_alert_or_score():
    week = figures(
        top_threads=(thread(category=None, alert_id=None, alert_severity=None, negative_share=None),)
    )
    lines = section(render_text(digest(week)), "热门帖子 Top threads").splitlines()
    assert lines[3:] == [
        "     本周 45 条帖子 · 共 230 条回复 · 负面 — · 未分类",
        "     45 posts this week · 230 replies in all · — negative · uncategorised",
    ]


def test_text_long_titles_are_shortened_with_an_ellipsis():
    week = figures(top_threads=(thread(title=TITLE),))
    line = section(render_text(digest(week)), "热门帖子 Top threads").splitlines()[1]
    assert line.startswith("  1. " + TITLE[:59] + "… — 投诉维权")
    assert TITLE not in render_text(digest(week))


def test_text_alerts_say_how_each_was_handled():
    assert section(render_text(digest()), "Alerts and how").splitlines()[1:] == [
        "  #17 [紧迫 urgent] 客服电话打不通 — 途乐旅行",
        "     发言人 张敏 · 12-01 09:30 开启 · 25 分钟内确认",
        "     spokesperson 张敏 · opened 12-01 09:30 · acknowledged in 25 min",
        "     按时完成首次联系（2 小时 10 分） · 清单 4/6 · 2 条进展记录 · 已解决",
        "     first contact on time (2 h 10 min) · checklist 4/6 · 2 progress notes · resolved",
        "  本周新开 Opened this week: 1 个（上周 1 个） / 1 (last week 1)",
        "  确认用时中位数 Median time to acknowledge: 25 分钟（上周 1 小时 10 分）",
        "                                             25 min (last week 1 h 10 min)",  # under the Chinese
        "  未及时确认 Not acknowledged in time: 1 个告警中 0 个通知了备岗，0 个通知了领导"
        "（上周 1 个告警中 0 个通知了备岗，0 个通知了领导）",
        "                                       backup called for 0 of 1 alert, leadership for 0 "
        "(last week backup called for 0 of 1 alert, leadership for 0)",
        "  按时首次联系 First contact within SLA: 1 个中 1 个，100 %（上周 1 个中 0 个，0 %）",
        "                                         1 of 1, 100 % (last week 0 of 1, 0 %)",
    ]


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"contacted_at": None}, "no first contact, overdue since 12-01 17:30"),
        (
            {"contacted_at": None, "respond_by": GENERATED + timedelta(hours=3), "status": "acknowledged"},
            "no first contact yet, still within SLA (due 12-07 04:00)",
        ),
        (  # closed before it was due (a false alarm): neither in time nor late, and not pending
            {"contacted_at": None, "resolved_at": PERIOD.start + timedelta(days=1, hours=12)},
            "resolved without a first contact, before it was due (12-01 17:30)",
        ),
        (
            {"contacted_at": PERIOD.start + timedelta(days=1, hours=18)},
            "first contact late (8 h 30 min after opening, due by 12-01 17:30)",
        ),
        (  # escalated: due earlier than the opening tier's SLA said, and measured against that
            {
                "contacted_at": PERIOD.start + timedelta(days=1, hours=14),
                "respond_by": PERIOD.start + timedelta(days=1, hours=13),
            },
            "first contact late (4 h 30 min after opening, due by 12-01 13:00)",
        ),
        ({"acknowledged_at": None, "status": "open"}, "not acknowledged"),
        ({"opened_in_period": False}, "opened 12-01 09:30 (before this week)"),
        ({"severity": "very_urgent"}, "#17 [非常紧迫 very urgent]"),
        ({"severity": "strange"}, "#17 [strange]"),
    ],
)
def test_text_alert_verdicts(changes, said):
    week = figures(alerts=(review(**changes),))
    assert said in section(render_text(digest(week)), "Alerts and how")


def test_handling_summary_with_nothing_to_measure():
    pending = review(
        acknowledged_at=None,
        contacted_at=None,
        respond_by=GENERATED + timedelta(hours=1),
        status="open",
        resolved_at=None,
    )
    carried_over = review(alert_id=3, opened_in_period=False)
    week = figures(alerts=(pending, carried_over))
    assert handling_summary(digest(week, last_week(alerts=()))) == [
        "本周新开 Opened this week: 1 个（上周 0 个） / 1 (last week 0)",
        "确认用时中位数 Median time to acknowledge: —（上周 —） / — (last week —)",
        "未及时确认 Not acknowledged in time: 1 个告警中 0 个通知了备岗，0 个通知了领导（上周 —）",
        "                                     backup called for 0 of 1 alert, leadership for 0 (last week —)",
        "按时首次联系 First contact within SLA: 1 个仍在时限内（上周 —） / 1 still within SLA (last week —)",
    ]


def test_an_alert_resolved_without_contact_is_not_still_within_sla():
    opened = review().opened_at
    false_alarm = review(alert_id=4, contacted_at=None, resolved_at=opened + timedelta(hours=1))
    too_late = review(alert_id=5, contacted_at=None, resolved_at=opened + timedelta(hours=9))
    week = figures(alerts=(review(), false_alarm, too_late))
    assert handling_summary(digest(week, last_week(alerts=())))[-2:] == [
        "按时首次联系 First contact within SLA: 2 个中 1 个，50 %，1 个到期前已解决、未联系（上周 —）",
        "                                       1 of 2, 50 %, 1 resolved before it was due without one "
        "(last week —)",
    ]


def test_handling_takes_the_median_of_acknowledged_alerts_opened_this_week():
    acknowledged = [
        review(alert_id=n, acknowledged_at=review().opened_at + timedelta(minutes=minutes))
        for n, minutes in enumerate([10, 30, 240])
    ]
    overdue = review(alert_id=9, acknowledged_at=None, contacted_at=None)  # counts as not on time
    alerts = (*acknowledged, overdue)
    found = handling(figures(alerts=alerts), GENERATED)
    assert (found.opened, found.median_minutes_to_acknowledge) == (4, 30)
    assert (found.on_time, found.decided, found.pending, found.on_time_share) == (3, 4, 0, 0.75)


def test_durations_read_naturally():
    assert [duration(m) for m in (None, 0.2, 25, 60, 185, 60 * 24 * 2 + 250)] == [
        "—",
        "<1 min",
        "25 min",
        "1 h 00 min",
        "3 h 05 min",
        "2 d 4 h",
    ]


def test_text_says_when_no_alert_was_open():
    lines = section(render_text(digest(figures(alerts=()))), "Alerts and how").splitlines()
    assert lines[1] == "  本周没有未结告警。 / No alerts were open this week."
    assert lines[2] == "  本周新开 Opened this week: 0 个（上周 1 个） / 0 (last week 1)"


def test_text_categories_with_last_weeks_counts():
    assert section(render_text(digest()), "投诉分类 Complaint categories").splitlines() == [
        "投诉分类 Complaint categories（开帖读来负面的监测帖；括号内为上周 "
        "watched threads whose opening post reads negative; last week in brackets）",
        "  服务 service    12 (8)",  # lined up by display width: a Chinese character takes two columns
        "  产品 product     5 (0)",
        "  政策 policy      0 (3)",
    ]


def test_categories_say_how_many_threads_were_not_complaints():
    value = digest(figures(not_complaints=2), last_week(not_complaints=1))
    lines = section(render_text(value), "投诉分类 Complaint categories").splitlines()
    assert lines[-2:] == [
        "  未计入：2 个主题帖读来不像投诉（上周 1 个）",
        "  Not counted: 2 threads that do not read as complaints (1 last week)",
    ]
    html = BeautifulSoup(render_html(value), "html.parser").get_text(" ", strip=True)
    assert (
        "未计入：2 个主题帖读来不像投诉（上周 1 个）。 "
        "Not counted: 2 threads that do not read as complaints (1 last week)." in html
    )
    assert "Not counted" not in render_text(digest()) + render_html(digest())  # none either week
    assert "未计入" not in render_text(digest()) + render_html(digest())
    one = section(render_text(digest(figures(not_complaints=1))), "Complaint categories").splitlines()
    assert one[-2:] == [
        "  未计入：1 个主题帖读来不像投诉（上周 0 个）",
        "  Not counted: 1 thread that does not read as a complaint (0 last week)",
    ]


def test_a_top_thread_that_is_no_complaint_shows_no_category():
    week = figures(top_threads=(thread(category="policy", complaint=False, alert_id=None),))
    lines = section(render_text(digest(week)), "热门帖子 Top threads").splitlines()
    assert lines[3:] == [
        "     本周 45 条帖子 · 共 230 条回复 · 负面 71 % · 不像投诉",
        "     45 posts this week · 230 replies in all · 71 % negative · not a complaint",
    ]
    html = BeautifulSoup(render_html(digest(week)), "html.parser").find("ol").get_text(" ", strip=True)
    assert "负面 71 % · 不像投诉" in html and "71 % negative · not a complaint" in html
    assert "policy" not in html and "政策" not in html


@pytest.mark.parametrize(
    ("timing", "said"),
    [
        ("open", Said("", "")),
        ("opened_after", Said(" 在本周之后开启", " opened after this week")),
        ("resolved_before", Said(" 在本周之前已解决", " resolved before this week")),
    ],
)
def test_a_top_threads_alert_says_when_it_was_not_open_this_week(timing, said):
    week = figures(top_threads=(thread(alert_timing=timing),), alerts=())
    lines = section(render_text(digest(week)), "热门帖子 Top threads").splitlines()[3:]
    assert lines == [
        f"     本周 45 条帖子 · 共 230 条回复 · 负面 71 % · 服务 · 告警 #17 [紧迫 urgent]{said.zh}",
        f"     45 posts this week · 230 replies in all · 71 % negative · service · alert #17{said.en}",
    ]
    item = BeautifulSoup(render_html(digest(week)), "html.parser").find("ol").li
    badge = item.find("span", string="#17 紧迫 urgent")
    chinese, english = item.find_all("span", recursive=False)[-2:]
    assert chinese.get_text(" ", strip=True).endswith(f"#17 紧迫 urgent{said.zh}")
    assert (
        english.get_text()
        == f"45 posts this week · 230 replies in all · 71 % negative · service · alert #17{said.en}"
    )
    # an alert not open this week is greyed, not in its tier's colour
    assert ("#b45309" in badge["style"]) == (timing == "open")


PARTIAL = DigestPeriod.days_to(datetime(2026, 12, 6, 19, 33, 20, tzinfo=UTC), ZONE)  # Mon 12-07 03:33


def partial_digest() -> Digest:
    week = figures(period=PARTIAL, days=days([1, 0, 0, 0, 0, 10, 61], period=PARTIAL))
    return digest(week, last_week(period=PARTIAL.previous()))


def test_a_partial_last_day_is_said_in_the_subject_heading_and_day_row():
    """``digest send --until now`` at 03:33 on Monday read as if Monday 12-07 were a whole day."""
    value = partial_digest()
    assert render_subject(value).startswith("周报 Weekly digest 12-01 – 12-07 (截至 until 03:33)：72 条帖子")
    text = render_text(value)
    assert (
        text.splitlines()[0] == "周报 Weekly digest 2026-12-01 – 2026-12-07 (截至 until 03:33, Asia/Shanghai)"
    )
    rows = section(text, "每日情感 Sentiment by day").splitlines()[2:9]
    assert rows[0] == "  周二 Tue 12-01                                  1             0 %  ▍"
    assert rows[-1].startswith("  周一 Mon 12-07 (截至 until 03:33)              61             0 %  ████")
    soup = BeautifulSoup(render_html(value), "html.parser")
    assert soup.title.get_text().startswith("周报 Weekly digest 12-01 – 12-07 (截至 until 03:33)：")
    assert soup.find("p").get_text() == "2026-12-01 – 2026-12-07 (截至 until 03:33, Asia/Shanghai)"
    day_table = soup.find("h2", string=re.compile("^每日情感 Sentiment by day")).find_next("table")
    cells = [row.td.get_text() for row in day_table.find_all("tr", recursive=False)[1:]]
    weekdays = "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat", "周日 Sun"
    assert cells[:6] == [f"{weekday} 12-0{n}" for n, weekday in enumerate(weekdays, start=1)]
    assert cells[6:] == ["周一 Mon 12-07 (截至 until 03:33)"]


def test_whole_days_say_no_until():
    text, html = render_text(digest()), render_html(digest())
    assert "until" not in text and "until" not in html
    first_day = section(text, "每日情感 Sentiment by day").splitlines()[2]
    assert first_day.startswith("  周一 Mon 11-30              40 ")


def test_text_footer_says_what_the_figures_cover():
    assert render_text(digest()).endswith(
        "\n--\n数据仅统计监测帖（被监测组匹配的主题帖）。时间均为 Asia/Shanghai 时区。"
        "生成于 2026-12-07 01:00 (Asia/Shanghai)。\n"
        "Figures cover watched threads only (threads matched by a watch group). "
        "Times in Asia/Shanghai. Generated 2026-12-07 01:00 (Asia/Shanghai).\n"
    )


def test_empty_week_says_so_instead_of_empty_tables():
    week = figures(groups=(), days=days([0] * 7), top_threads=(), alerts=(), categories=())
    text = render_text(digest(week, changes=()))
    assert (
        "\n本周监测帖没有帖子。上周 129 条。 / No posts on watched threads this week. Last week: 129 posts.\n"
        in text
    )
    for heading in ("Volume by watch group", "Sentiment by day", "Top threads", "Categories"):
        assert heading not in text
    assert "\n  本周没有未结告警。 / No alerts were open this week.\n" in text
    assert render_subject(digest(week)) == "周报 Weekly digest 11-30 – 12-06：0 条帖子，0 个告警"
    html = render_html(digest(week))
    said = next(
        p for p in BeautifulSoup(html, "html.parser").find_all("p") if "本周监测帖没有帖子" in p.get_text()
    )
    assert (
        said.get_text()
        == "本周监测帖没有帖子。上周 129 条。 No posts on watched threads this week. Last week: 129 posts."
    )
    assert "每日情感 Sentiment by day" not in html


def test_unknown_time_zone_falls_back_to_utc():
    week = figures(period=replace(PERIOD, timezone="Nowhere/Atlantis"))
    text = render_text(digest(week))
    assert render_subject(digest(week)).startswith("周报 Weekly digest 11-29 – 12-06 (截至 until 16:00)：")
    assert "时间均为 UTC 时区。" in text and "Times in UTC." in text
    assert "12-01 01:30 开启" in text and "opened 12-01 01:30" in text


def test_text_strips_terminal_escapes_and_bidi_overrides_from_scraped_text():
    week = figures(
        top_threads=(
            thread(
                title="退款\x1b[2J\x1b]0;pwned\x07 \u202eevil\u202c",
                board="投诉\x1b[31m维权",
                source="天\x00涯",
            ),
        ),
        groups=(GroupVolume("途乐\u2066旅行\r\n", threads=1, new_threads=1, posts=1, scored=1, negative=1),),
        alerts=(review(title="标题\x9b31m", spokesperson="张\u202e敏", watch_group="组\x1b"),),
    )
    text = render_text(digest(week, changes=(Said("涨了\x1b[5m", "up\x1b[5m"),)))
    assert not [c for c in text if c != "\n" and unicodedata.category(c) == "Cc"]
    assert not set(text) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "1. 退款[2J]0;pwned evil — 投诉[31m维权 · 天涯" in text
    assert "  途乐旅行: 帖数 Posts 1 (0)" in text
    assert "  - 涨了[5m / up[5m\n" in text  # a What-changed line: both languages cleaned
    assert "发言人 张敏" in text and "spokesperson 张敏" in text


INVISIBLE = "\u202e\u2066\u200f\u061c\u200b\u2060\ufeff\U000e0041"  # reorder or hide text where shown


def test_invisible_and_direction_characters_are_not_in_the_subject_text_or_html():
    week = figures(
        top_threads=(thread(title=f"退{INVISIBLE}款三个月", board=f"投诉{INVISIBLE}维权", source="天涯"),),
        alerts=(review(title=f"标题{INVISIBLE}二", spokesperson=f"张{INVISIBLE}敏", watch_group="组"),),
    )
    made = digest(week, changes=(Said(f"涨了{INVISIBLE}", f"up{INVISIBLE}"),))
    subject, text, html = render_subject(made), render_text(made), render_html(made)
    for shown in (subject, text, html):
        assert not set(shown) & set(INVISIBLE)
    assert "1. 退款三个月 — 投诉维权 · 天涯" in text
    assert "退款三个月" in html and "标题二" in html and "张敏" in html


def test_text_shows_a_non_http_link_as_text_and_says_so():
    week = figures(top_threads=(thread(url="javascript:alert(1)"),))
    assert "     javascript:alert(1)（不是 http/https 链接 not an http/https link）\n" in render_text(
        digest(week)
    )


# --- charts --------------------------------------------------------------------------------------


def test_text_bar_is_proportional_with_eighths():
    assert text_bar(80, 80) == "█" * 24
    assert text_bar(0, 80) == ""
    assert text_bar(5, 0) == ""
    assert text_bar(1, 80) == "▎"  # 0.3 character, rounded to 2 eighths
    assert text_bar(1, 1000) == "▏"  # tiny but not zero: still visible
    assert text_bar(50, 80, width=10) == "██████▎"  # 6.25 characters


def test_sparkline_scales_to_the_largest_or_the_top_given():
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([0.5, None, 1.0], top=1.0) == "▅·█"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([]) == ""


def test_html_bar_splits_negative_from_other_posts():
    assert html_bar(0, 0.5) == ""
    bar = html_bar(50, 0.25)
    assert 'style="border-collapse:collapse;width:50.0%"' in bar
    assert "width:25.0%;background:#b91c1c" in bar
    assert "width:75.0%;background:#9fb3c8" in bar
    assert "#b91c1c" not in html_bar(50, None)


# --- HTML ----------------------------------------------------------------------------------------


def hostile_digest() -> Digest:
    week = figures(
        groups=(GroupVolume(ATTRIBUTE_BREAK, threads=1, new_threads=1, posts=5, scored=5, negative=5),),
        top_threads=(
            thread(title=SCRIPT, board=ATTRIBUTE_BREAK, source="<b>源</b>"),
            thread(thread_id=8, title="点我", url="javascript:alert(1)"),
            thread(thread_id=9, title="引号", url='https://bbs.example.cn/t?a=1&b="><script>x</script>'),
        ),
        alerts=(review(title=ATTRIBUTE_BREAK, spokesperson=SCRIPT, url="data:text/html,<script>x</script>"),),
        categories=(CategoryCount("<i>service</i>", 1),),
    )
    return digest(week, changes=(Said(SCRIPT, SCRIPT),))


def test_html_escapes_every_scraped_string():
    html = render_html(hostile_digest())
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>源" not in html and "<i>service" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # both languages escaped: a What-changed line's Chinese and its English span, an alert card's
    # Chinese fact and its English under it
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert (
        f'<li style="margin:0 0 2px">{escaped} <span lang="en" style="{ENGLISH}">{escaped}</span></li>'
        in html
    )
    assert f"发言人 {escaped} · 12-01 09:30 开启" in html
    assert f'<span lang="en" style="{ENGLISH}">spokesperson {escaped} · opened 12-01 09:30' in html


def test_the_digest_is_laid_out_at_a_phones_width():
    """The digest's 13 px text came out at about 5 px on a phone, laid out 980 px wide and shrunk."""
    assert '<meta name="viewport" content="width=device-width,initial-scale=1">' in render_html(
        hostile_digest()
    )


def test_html_links_only_http_urls():
    html = render_html(hostile_digest())
    assert 'href="javascript' not in html and 'href="data:' not in html
    assert "javascript:alert(1)（不是 http/https 链接 not an http/https link）" in html
    # A quote inside an http URL stays inside the attribute.
    assert 'href="https://bbs.example.cn/t?a=1&amp;b=&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.seen: list[tuple[str, dict[str, str | None]]] = []
        self.unbalanced: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs)))
        if tag not in {"br", "meta"}:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.unbalanced.append(tag)


def test_html_is_well_formed_with_safe_links_and_no_active_content():
    html = render_html(hostile_digest())
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert parser.unbalanced == [] and parser.open == []
    tags = {tag for tag, _ in parser.seen}
    assert not tags & {"script", "svg", "img", "iframe", "object", "style", "link"}
    hrefs = [attrs["href"] for tag, attrs in parser.seen if tag == "a"]
    assert len(hrefs) == 2  # the two http thread links (not javascript:, not the alert's data:)
    assert all(re.match(r"https?://", href or "") for href in hrefs)
    assert not [attrs for _, attrs in parser.seen if any(name.startswith("on") for name in attrs)]
    soup = BeautifulSoup(html, "html.parser")
    titles = [a.get_text() for a in soup.find_all("a")]
    assert titles[0] == SCRIPT  # shown as text, never as a tag


def test_html_has_the_same_sections_and_figures_as_the_text():
    soup = BeautifulSoup(render_html(digest()), "html.parser")
    assert [h2.get_text() for h2 in soup.find_all("h2")] == [
        "本周变化 What changed since last week",
        "各监测组声量 Volume by watch group（本周，括号内为上周 this week, last week in brackets）",
        "每日情感 Sentiment by day（条形：帖子数，最多的一天为满格 bar: posts, the busiest day full width）",
        "热门帖子 Top threads（按本周帖子数 by posts this week）",
        "告警及处理 Alerts and how they were handled",
        "投诉分类 Complaint categories",
    ]
    assert soup.title.get_text() == "周报 Weekly digest 11-30 – 12-06：240 条帖子，负面 50 %，1 个告警"
    text = soup.get_text(" ", strip=True)
    for phrase in (
        "帖子比上周增加 86 %（240 对 129） Posts up 86 % on last week (240 vs 129)",
        "途乐旅行 180 (120) 12 (8) 5 (3) 60 % (40 %)",
        "周二 Tue 12-01 80 75 %",
        "客服电话打不通",
        "服务 · #17 紧迫 urgent 45 posts this week",
        "按时完成首次联系（2 小时 10 分） · 清单 4/6",
        "first contact on time (2 h 10 min)",
        "确认用时中位数 Median time to acknowledge 25 分钟 （上周 1 小时 10 分） "
        "25 min (last week 1 h 10 min)",
        "按时首次联系 First contact within SLA 1 个中 1 个，100 % （上周 1 个中 0 个，0 %） "
        "1 of 1, 100 % (last week 0 of 1, 0 %)",
        "policy 0 (3)",
        "时间均为 Asia/Shanghai 时区",
        "Times in Asia/Shanghai",
    ):
        assert phrase in text, phrase


def test_html_day_bars_are_scaled_to_the_busiest_day():
    soup = BeautifulSoup(render_html(digest()), "html.parser")
    day_table = soup.find("h2", string=re.compile("^每日情感 Sentiment by day")).find_next("table")
    widths = []
    for row in day_table.find_all("tr", recursive=False)[1:]:
        bar = row.find("table")
        widths.append(re.search(r"width:([\d.]+)%", bar["style"]).group(1) if bar else None)
    assert widths == ["50.0", "100.0", None, "25.0", "75.0", "12.5", "37.5"]


def test_html_uses_inline_styles_only_and_no_external_resources():
    html = render_html(digest())
    assert "<style" not in html and "<link" not in html and "<svg" not in html
    assert "url(" not in html and "@import" not in html
    assert 'src="' not in html
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


def test_html_thread_title_links_to_its_thread():
    soup = BeautifulSoup(render_html(digest()), "html.parser")
    link = soup.find("a", string="客服电话打不通")
    assert link["href"] == "https://bbs.example.cn/forum.php?mod=viewthread&tid=8812"


def test_days_factory_matches_the_period():
    # Guards the fixtures themselves: seven Shanghai days starting Monday 11-30.
    assert figures().days[0].day == date(2026, 11, 30)
    assert len(figures().days) == 7


def test_forums_read_section_follows_the_changes_with_scraped_board_names_escaped() -> None:
    hostile = BoardTrouble(
        "<b>论坛</b>", '"><img src=x onerror=alert(1)>', "failing", (("captcha", 1),), None
    )
    value = digest(reading=Reading(1, 2, (hostile,)))
    html = render_html(value)
    assert (
        "<li>&lt;b&gt;论坛&lt;/b&gt; · &quot;&gt;&lt;img src=x onerror=alert(1)&gt;："
        "当前读取失败（验证码：1 次中断） "
        f'<span lang="en" style="{ENGLISH}">failing now (captcha: 1 outage)</span></li>' in html
    )
    assert "<img" not in html and "<b>论坛" not in html
    text = render_text(value)
    assert section(text, "论坛抓取 Forums read") == (
        "论坛抓取 Forums read\n"
        "  1 个论坛，2 个版块：1 个版块未能一直读取，其数据可能不完整：\n"
        "  1 forum, 2 boards: 1 board not always read — figures from these may be incomplete:\n"
        '  - <b>论坛</b> · "><img src=x onerror=alert(1)>：当前读取失败（验证码：1 次中断）\n'
        "    failing now (captcha: 1 outage)"
    )
    assert text.index("What changed") < text.index("Forums read") < text.index("Volume by watch group")
    assert "论坛抓取 Forums read" not in render_text(digest())  # unknown: no section
