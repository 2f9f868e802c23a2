"""The digest's "待处理 Needs attention now" block and the subject's open 非常紧迫 alerts: what the head of PR
must act on at the moment the digest was composed (``generated_at``), read in two minutes.

Builds :class:`Digest` values directly with test_render_digest's factories (no database); the block
read from a real store is tested in test_who_handled.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bs4 import BeautifulSoup
from test_render_digest import GENERATED, SCRIPT, digest, section

from monitor.digest.attention import MOST
from monitor.digest.model import Attention, BoardTrouble, OpenAlert, Reading
from monitor.digest.render import render_html, render_subject, render_text

HEADING = "待处理 Needs attention now（截至 as of 12-07 01:00）"  # GENERATED in Shanghai


def alert(alert_id: int, severity: str = "urgent", due: timedelta = timedelta(hours=3), **changes):
    value = OpenAlert(
        alert_id=alert_id,
        severity=severity,
        title="客服电话打不通",
        spokesperson="张敏",
        acknowledged=False,
        contacted=False,
        respond_by=GENERATED + due,
    )
    return replace(value, **changes)


def failing(board: str = "投诉维权", status: str = "failing") -> BoardTrouble:
    return BoardTrouble(
        forum="天涯论坛",
        board=board,
        status=status,
        problems=(("login_wall", 2),),
        last_success_at=datetime(2026, 12, 5, 0, 30, tzinfo=GENERATED.tzinfo),
    )


def reading(*troubled: BoardTrouble) -> Reading:
    return Reading(forums=1, boards=3, troubled=troubled)


def test_the_block_lists_what_needs_someone_now_the_worst_first() -> None:
    attention = Attention(
        (
            alert(3, due=timedelta(hours=6)),  # nobody acknowledged; contact due later today
            alert(4, acknowledged=True, contacted=True),  # in hand: not listed
            alert(5, acknowledged=True, due=timedelta(hours=-2)),  # acknowledged, contact overdue
            alert(6, "very_urgent", due=timedelta(hours=2)),
        )
    )
    recovered = failing("旅游", status="ok")  # had trouble this week, reads now: not listed
    text = render_text(digest(attention=attention, reading=reading(failing(), recovered)))
    assert section(text, HEADING).splitlines()[1:] == [
        "  ! #5 [紧迫 urgent] 客服电话打不通 — 张敏：首次联系 12-06 23:00 起已超时",
        "    first contact overdue since 12-06 23:00",
        "  - #6 [非常紧迫 very urgent] 客服电话打不通 — 张敏：未确认，首次联系截止 12-07 03:00",
        "    not acknowledged, first contact due 12-07 03:00",
        "  - #3 [紧迫 urgent] 客服电话打不通 — 张敏：未确认，首次联系截止 12-07 07:00",
        "    not acknowledged, first contact due 12-07 07:00",
        "  ! 天涯论坛 · 投诉维权：当前读取失败（登录墙），最后读取 12-05 08:30",
        "    failing now (login wall), last read 12-05 08:30",
    ]
    assert text.index(HEADING) < text.index("本周变化 What changed since last week")  # at the top


def test_the_block_is_left_out_when_nothing_needs_attention() -> None:
    calm = Attention((alert(4, acknowledged=True, contacted=True),))
    for value in (digest(attention=calm, reading=reading(failing(status="ok"))), digest()):
        assert "待处理 Needs attention now" not in render_text(value)
        assert "待处理 Needs attention now" not in render_html(value)


def test_a_long_block_stops_and_says_how_many_more() -> None:
    attention = Attention(tuple(alert(n, due=timedelta(hours=n)) for n in range(1, 10)))
    text = render_text(digest(attention=attention, reading=reading(failing())))
    lines = section(text, HEADING).splitlines()
    assert len(lines) == 1 + 2 * (MOST - 1) + 1  # each alert's English on the line under it
    assert lines[-1] == "  - 另有 5 项 / and 5 more"  # 9 alerts and a board, 5 shown
    assert lines[1].startswith("  - #1 ")


def test_the_html_block_escapes_scraped_text_and_marks_the_overdue() -> None:
    attention = Attention(
        (alert(5, due=timedelta(hours=-1), title=SCRIPT, spokesperson="<b>张敏</b>"), alert(6))
    )
    html = render_html(digest(attention=attention, reading=reading(failing(board=SCRIPT))))
    assert SCRIPT not in html and "<b>张敏</b>" not in html
    soup = BeautifulSoup(html, "html.parser")
    block = soup.find("h2", string=HEADING).parent
    items = block.find_all("li")
    assert [item.get_text() for item in items] == [
        f"#5 [紧迫 urgent] {SCRIPT} — <b>张敏</b>：未确认，首次联系 12-07 00:00 起已超时 "
        "not acknowledged, first contact overdue since 12-07 00:00",
        "#6 [紧迫 urgent] 客服电话打不通 — 张敏：未确认，首次联系截止 12-07 04:00 "
        "not acknowledged, first contact due 12-07 04:00",
        f"天涯论坛 · {SCRIPT}：当前读取失败（登录墙），最后读取 12-05 08:30 "
        "failing now (login wall), last read 12-05 08:30",  # boards after alerts
    ]
    # the English after the Chinese, in a small grey span of its own
    assert [item.find("span", lang="en").get_text() for item in items] == [
        "not acknowledged, first contact overdue since 12-07 00:00",
        "not acknowledged, first contact due 12-07 04:00",
        "failing now (login wall), last read 12-05 08:30",
    ]
    assert ["color:#b91c1c" in item["style"] for item in items] == [True, False, True]
    assert html.index(HEADING) < html.index("本周变化 What changed since last week")


def test_the_subject_counts_the_very_urgent_alerts_open_now() -> None:
    attention = Attention(
        (
            alert(6, "very_urgent", acknowledged=True, contacted=True),  # in hand, yet still open
            alert(7, "urgent"),
        )
    )
    assert render_subject(digest(attention=attention)) == (
        "周报 Weekly digest 11-30 – 12-06：240 条帖子，负面 50 %，1 个告警，1 个非常紧迫未结"
    )
    calm = Attention((alert(7, "urgent"),))
    assert render_subject(digest(attention=calm)).endswith("，1 个告警")
