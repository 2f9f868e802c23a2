"""The digest's "各发言人未结告警 Open on each spokesperson" section: one line per spokesperson with
open alerts at the digest's making — numbers, tiers and their next first-contact deadline —
after "待处理 Needs attention now".

Builds :class:`Digest` values directly with test_render_digest's and test_attention's factories (no
database); the section read from a real store is tested in test_who_handled.py.
"""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from test_attention import alert
from test_render_digest import SCRIPT, digest, section

from monitor.digest.model import Attention
from monitor.digest.render import render_html, render_text

HEADING = "各发言人未结告警 Open on each spokesperson（截至 as of 12-07 01:00）"  # GENERATED in Shanghai
IN_HAND = {"acknowledged": True, "contacted": True}


def test_one_line_per_spokesperson_the_overdue_first_with_the_next_deadline() -> None:
    attention = Attention(
        (
            alert(3, "general", due=timedelta(hours=-5), spokesperson="张敏"),  # overdue first
            alert(4, "urgent", due=timedelta(hours=6), spokesperson="李娜"),
            alert(5, "urgent", due=timedelta(hours=-2), spokesperson="张敏", acknowledged=True),
            alert(6, "very_urgent", due=timedelta(hours=2), spokesperson="张敏"),
            alert(7, "very_urgent", spokesperson="王强", **IN_HAND),  # open, contacted: no deadline
            alert(8, "general", due=timedelta(hours=-9), spokesperson="李娜", **IN_HAND),  # made late
        )
    )
    text = render_text(digest(attention=attention))
    assert section(text, HEADING).splitlines()[1:] == [
        "  ! 张敏：#6 [非常紧迫 very urgent], #5 [紧迫 urgent], #3 [一般 general] · "
        "下一项：#3 首次联系 12-06 20:00 起已超时（共 2 个超时）",
        "    next: #3 first contact overdue since 12-06 20:00 (2 overdue)",
        "  - 李娜：#4 [紧迫 urgent], #8 [一般 general] · 下一项：#4 首次联系截止 12-07 07:00",
        "    next: #4 first contact due 12-07 07:00",
        "  - 王强：#7 [非常紧迫 very urgent] · 首次联系均已完成 / first contacts made",  # fits: one line
    ]
    assert (
        text.index("待处理 Needs attention now")
        < text.index(HEADING)
        < text.index("本周变化 What changed since last week")
    )


def test_the_section_stays_when_every_alert_is_in_hand_and_goes_when_none_is_open() -> None:
    calm = digest(attention=Attention((alert(7, spokesperson="王强", **IN_HAND),)))
    assert "待处理 Needs attention now" not in render_text(calm)  # nothing needs anyone: that block goes
    assert section(render_text(calm), HEADING).splitlines()[1:] == [
        "  - 王强：#7 [紧迫 urgent] · 首次联系均已完成 / first contacts made"
    ]
    for none_open in (digest(attention=Attention(())), digest()):  # digest(): not known
        assert "各发言人未结告警 Open on each spokesperson" not in render_text(none_open)
        assert "各发言人未结告警 Open on each spokesperson" not in render_html(none_open)


def test_the_section_goes_when_it_would_only_repeat_needs_attention_now() -> None:
    """One alert each, none contacted yet: every one is already a line of the block above."""
    each_one = Attention((alert(3, spokesperson="张敏"), alert(4, "very_urgent", spokesperson="李娜")))
    text = render_text(digest(attention=each_one))
    assert "#3 [紧迫 urgent]" in section(text, "待处理 Needs attention now")
    assert "#4 [非常紧迫 very urgent]" in section(text, "待处理 Needs attention now")
    assert "各发言人未结告警 Open on each spokesperson" not in text
    assert "各发言人未结告警 Open on each spokesperson" not in render_html(digest(attention=each_one))
    # a second alert on one person, or one alert past its first contact: the section says more
    two_on_one = Attention((*each_one.open_alerts, alert(5, "general", spokesperson="张敏")))
    assert section(render_text(digest(attention=two_on_one)), HEADING).splitlines()[1:] == [
        "  - 张敏：#3 [紧迫 urgent], #5 [一般 general] · 下一项：#3 首次联系截止 12-07 04:00",
        "    next: #3 first contact due 12-07 04:00",
        "  - 李娜：#4 [非常紧迫 very urgent] · 下一项：#4 首次联系截止 12-07 04:00",
        "    next: #4 first contact due 12-07 04:00",
    ]
    in_hand = Attention((alert(3, spokesperson="张敏"), alert(4, spokesperson="李娜", **IN_HAND)))
    assert HEADING in render_text(digest(attention=in_hand))


def test_a_spokesperson_with_many_alerts_shows_five_and_says_how_many_more() -> None:
    attention = Attention(tuple(alert(n, due=timedelta(hours=n)) for n in range(1, 8)))
    lines = section(render_text(digest(attention=attention)), HEADING).splitlines()
    assert lines[1:] == [
        "  - 张敏：#1 [紧迫 urgent], #2 [紧迫 urgent], #3 [紧迫 urgent], #4 [紧迫 urgent], #5 [紧迫 urgent] "
        "另 2 个 +2 more · 下一项：#1 首次联系截止 12-07 02:00",
        "    next: #1 first contact due 12-07 02:00",
    ]


def test_the_html_section_escapes_names_and_marks_the_overdue() -> None:
    attention = Attention(
        (alert(5, due=timedelta(hours=-1), spokesperson=SCRIPT), alert(6, spokesperson="李娜", **IN_HAND))
    )
    html = render_html(digest(attention=attention))
    assert SCRIPT not in html
    soup = BeautifulSoup(html, "html.parser")
    items = soup.find("h2", string=HEADING).find_next("ul").find_all("li")
    assert [item.get_text() for item in items] == [
        f"{SCRIPT}：#5 [紧迫 urgent] · 下一项：#5 首次联系 12-07 00:00 起已超时 "
        "next: #5 first contact overdue since 12-07 00:00",
        "李娜：#6 [紧迫 urgent] · 首次联系均已完成 first contacts made",
    ]
    # the English after the Chinese, in its own small grey span (not marked: the Chinese is)
    assert [item.find("span", lang="en").get_text() for item in items] == [
        "next: #5 first contact overdue since 12-07 00:00",
        "first contacts made",
    ]
    assert [item.strong.get_text() for item in items] == [SCRIPT, "李娜"]
    assert ["color:#b91c1c" in str(item.span.get("style")) for item in items] == [True, False]
    assert (
        html.index("待处理 Needs attention now")
        < html.index(HEADING)
        < html.index("本周变化 What changed since last week")
    )
