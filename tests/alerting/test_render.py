"""Rendering alerts: subject, plain text (control characters stripped) and HTML (escaped)."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.alerting.channels.console import ConsoleChannel
from monitor.alerting.message import AlertMessage, ChecklistLine, Recipient
from monitor.alerting.render import (
    clean_text,
    local_time,
    render_html,
    render_subject,
    render_text,
    safe_href,
    severity_label,
)
from monitor.detect.severity import Severity

OPENED = datetime(2026, 11, 23, 9, 7, tzinfo=UTC)
TITLE = "途乐旅行收了我2万8团费，到了澳洲酒店没订上，客服电话打了一周都没有人管，大家来评评理吧"
EVIL_TITLE = "<script>alert(1)</script> & 途乐"


def make_message(**changes) -> AlertMessage:
    msg = AlertMessage(
        alert_id=42,
        severity=Severity.VERY_URGENT,
        thread_title=TITLE,
        thread_url="https://bbs.example.cn/forum.php?mod=viewthread&tid=8812",
        board_name="投诉维权",
        source_name="天涯论坛",
        watch_groups=["途乐旅行"],
        figures=["12 replies in the last hour (board baseline 1.5)", "9 distinct authors"],
        signals=["lawyer (律师) at floor 14", "me-too (我也遇到了) ×6"],
        spokesperson=Recipient(key="zhang", name="张敏", email="zhang.min@example.com"),
        backup=Recipient(key="li", name="李强", email="li.qiang@example.com"),
        opened_at=OPENED,
        respond_by=OPENED + Severity.VERY_URGENT.first_contact,
        playbook_name="非常紧迫 very urgent：危机处理",
        checklist=[
            ChecklistLine("甄别：核实事实 (Triage)", OPENED + timedelta(minutes=30), done=True),
            ChecklistLine("立即联系投诉人，最迟不超过4小时 (First contact)", OPENED + timedelta(hours=4)),
            ChecklistLine("投诉总结 (Summary)", None),
        ],
        excerpt="出发前三天才说签证材料不够，\n到了悉尼酒店说没有预订。",
        also_on=["猫扑 · 旅游"],
    )
    return replace(msg, **changes)


def control_chars(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"]


# --- subject ---------------------------------------------------------------------------


def test_subject_names_tier_short_title_board_and_source():
    assert len(TITLE) > 40
    subject = render_subject(make_message())
    assert subject == f"[非常紧迫 very urgent] {TITLE[:39]}… — 投诉维权 · 天涯论坛"


def test_short_title_is_not_cut():
    assert render_subject(make_message(thread_title="退款三个月没到账", severity=Severity.GENERAL)) == (
        "[一般 general] 退款三个月没到账 — 投诉维权 · 天涯论坛"
    )


def test_subject_is_one_clean_line():
    subject = render_subject(
        make_message(thread_title="退款\r\nBcc: evil@example.com\x1b[2J", board_name="板\n块")
    )
    assert "\n" not in subject and "\r" not in subject
    assert not control_chars(subject)


def test_a_forums_long_board_name_is_cut_in_the_subject():
    """The forum names its boards: a hostile one must not make a subject of hundreds of characters."""
    board = "投诉维权" + "转发" * 200
    subject = render_subject(make_message(board_name=board))
    assert subject.endswith(" — 投诉维权" + "转发" * 9 + "转… · 天涯论坛")
    assert len(subject) < 120


def test_escalated_subject():
    subject = render_subject(make_message(escalated_from=Severity.URGENT))
    assert subject.startswith("[升级 escalated → 非常紧迫 very urgent] ")


@pytest.mark.parametrize(
    ("severity", "label"),
    [
        (Severity.GENERAL, "一般 general"),
        (Severity.URGENT, "紧迫 urgent"),
        (Severity.VERY_URGENT, "非常紧迫 very urgent"),
    ],
)
def test_severity_label(severity, label):
    assert severity_label(severity) == label


# --- plain text --------------------------------------------------------------------------


def test_text_body_tells_what_fired_and_who_responds():
    text = render_text(make_message())
    for expected in (
        TITLE,
        "https://bbs.example.cn/forum.php?mod=viewthread&tid=8812",
        "投诉维权 (天涯论坛)",
        "途乐旅行",
        "猫扑 · 旅游",
        "12 replies in the last hour (board baseline 1.5)",
        "lawyer (律师) at floor 14",
        "  | 出发前三天才说签证材料不够，\n  | 到了悉尼酒店说没有预订。",
        "张敏 <zhang.min@example.com>",
        "李强 <li.qiang@example.com>",
        "统一口径 One voice: 只有 张敏 代表公司就此帖对外发言，其他员工一律不得对外发表评论。",
        "all other staff must not comment publicly",
        "[非常紧迫 very urgent] 告警 Alert #42",
        "非常紧迫 very urgent：危机处理",
    ):
        assert expected in text, expected
    assert "Escalated" not in text


def test_times_are_shown_in_asia_shanghai():
    msg = make_message(respond_by=datetime(2026, 11, 23, 13, 7, tzinfo=UTC))
    text = render_text(msg)
    assert (
        "首次联系截止 Respond by:  2026-11-23 21:07 (Asia/Shanghai)"
        " — 4 小时内首次联系 first contact within 4 h" in text
    )
    assert "告警时间 Opened:          2026-11-23 17:07 (Asia/Shanghai)" in text
    assert "（时间为 Asia/Shanghai 时间 times in Asia/Shanghai）" in text
    assert "[x] 2026-11-23 17:37  甄别：核实事实 (Triage)" in text
    assert "[ ] 2026-11-23 21:07  立即联系投诉人" in text
    assert "[ ] —                 投诉总结 (Summary)" in text
    assert "2026-11-23 21:07 (Asia/Shanghai)" in render_html(msg)


def test_other_time_zones_and_unknown_zone():
    moment = datetime(2026, 11, 23, 13, 7, tzinfo=UTC)
    assert local_time(moment, "Europe/London") == "2026-11-23 13:07 (Europe/London)"
    assert local_time(moment.replace(tzinfo=None), "Asia/Shanghai") == "2026-11-23 21:07 (Asia/Shanghai)"
    assert local_time(moment, "Mars/Olympus_Mons") == "2026-11-23 13:07 (UTC)"


def test_control_characters_are_stripped_from_text():
    evil = "途乐\x1b[31m红\x1b]0;pwned\x07色\x9b2J\u202eevil\x00\x7f"
    msg = make_message(
        thread_title=evil,
        board_name=evil,
        excerpt=f"第一行{evil}\r\n\r\n\r\n第二行\t结束",
        figures=[evil],
        signals=[evil],
        watch_groups=[evil],
        spokesperson=Recipient(key="x", name=evil, email="a@example.com"),
        checklist=[ChecklistLine(evil, OPENED)],
    )
    text = render_text(msg)
    assert not control_chars(text)
    assert "\u202e" not in text
    assert "途乐[31m红]0;pwned色2Jevil" in text
    assert "  | 第一行途乐[31m红]0;pwned色2Jevil\n  | \n  | 第二行 结束" in text
    console = io.StringIO()
    ConsoleChannel().send(msg, console)
    assert not control_chars(console.getvalue())


@pytest.mark.parametrize(
    ("raw", "multiline", "expected"),
    [
        ("a\x1b[0mb", False, "a[0mb"),
        ("  line one\nline\ttwo  ", False, "line one line two"),
        ("one\r\ntwo\u2028three", True, "one\ntwo\nthree"),
        ("one\n\n\n\ntwo\n", True, "one\n\ntwo"),
        ("\u202eabc\u2066", False, "abc"),
        ("途乐 & <b>", False, "途乐 & <b>"),
    ],
)
def test_clean_text(raw, multiline, expected):
    assert clean_text(raw, multiline=multiline) == expected


def test_non_web_link_is_flagged_in_text():
    text = render_text(make_message(thread_url="javascript:alert(1)"))
    flagged = "javascript:alert(1) （不是 http/https 链接 not an http/https link）"
    assert f"链接 Link:                {flagged}" in text


def test_escalation_leads_the_text():
    text = render_text(make_message(escalated_from=Severity.URGENT))
    assert text.splitlines()[0] == (
        "升级：由 紧迫 urgent 升为 非常紧迫 very urgent Escalated from 紧迫 urgent to 非常紧迫 very urgent"
    )


# --- HTML --------------------------------------------------------------------------------


def test_forum_strings_are_escaped_in_html():
    evil_url = 'https://bbs.example.cn/t?a=1&b="><script>alert(2)</script>'
    msg = make_message(
        thread_title=EVIL_TITLE,
        thread_url=evil_url,
        board_name="<b onmouseover=alert(3)>板块</b>",
        source_name="<img src=x onerror=alert(4)>",
        excerpt="<iframe src=//evil.example>\n</iframe>",
        figures=["<svg onload=alert(5)>"],
        signals=["</li><script>alert(6)</script>"],
        watch_groups=["<style>body{display:none}</style>"],
        also_on=["<a href=javascript:alert(7)>x</a>"],
        spokesperson=Recipient(key="z", name="<i>张</i>", email="z@example.com"),
        checklist=[ChecklistLine("<script>alert(8)</script>", OPENED)],
        playbook_name="<marquee>",
    )
    page = render_html(msg)
    assert EVIL_TITLE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 途乐" in page
    for raw in (
        "<script",
        "<img",
        "<iframe",
        "<svg",
        "<style>",
        "<marquee",
        "<i>",
        "<b ",
        "<a href=javascript",
    ):
        assert raw not in page, raw
    assert 'href="https://bbs.example.cn/t?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in page
    assert len(re.findall(r"<script", page, flags=re.IGNORECASE)) == 0


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/forum.php?tid=1",
        "https:///nohost",
        "",
    ],
)
def test_only_http_urls_are_linked(url):
    assert safe_href(url) is None
    page = render_html(make_message(thread_url=url))
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs == []
    assert "（不是 http/https 链接 not an http/https link）" in page


@pytest.mark.parametrize("url", ["http://bbs.example.cn/t/1", "HTTPS://bbs.example.cn/t/1?x=1&y=2"])
def test_http_urls_are_linked(url):
    assert safe_href(url) == url
    page = render_html(make_message(thread_url=url))
    assert re.findall(r'href="([^"]*)"', page)[0] == url.replace("&", "&amp;")


def test_html_body_carries_everything_and_escalation_first():
    page = render_html(make_message(escalated_from=Severity.GENERAL))
    body = page[page.index("<body") :]
    assert body.index("升级：由 一般 general 升为 非常紧迫 very urgent Escalated from") < body.index(TITLE)
    for expected in (
        "投诉维权 (天涯论坛)",
        "12 replies in the last hour",
        "lawyer (律师) at floor 14",
        "出发前三天才说签证材料不够，<br>到了悉尼酒店说没有预订。",
        "张敏 &lt;zhang.min@example.com&gt;",
        "李强",
        "其他员工一律不得对外发表评论",
        "☑",
        "甄别：核实事实 (Triage)",
        "2026-11-23 17:37",
        'lang="zh-CN"',
        '<meta charset="utf-8">',
    ):
        assert expected in page, expected


def test_no_backup_and_no_checklist():
    msg = make_message(backup=None, checklist=[], excerpt="", figures=[], signals=[], also_on=[])
    text = render_text(msg)
    assert "备岗 Backup:              （无 none）" in text
    assert "Checklist" not in text and "Excerpt" not in text and "Also on" not in text
    assert "Checklist" not in render_html(msg)


def test_console_channel_frames_the_alert():
    out = io.StringIO()
    msg = make_message()
    ConsoleChannel().send(msg, out)
    printed = out.getvalue()
    lines = printed.splitlines()
    assert lines[1] == render_subject(msg)
    assert render_text(msg) in printed
    assert set(lines[0]) == {"━"} and set(lines[-1]) == {"━"}


def test_render_module_stays_small():
    import monitor.alerting.render as module

    assert Path(module.__file__).stat().st_size < 15_000


def test_html_respond_by_reads_as_a_sentence():
    page = render_html(make_message(respond_by=datetime(2026, 11, 23, 13, 7, tzinfo=UTC)))
    assert (
        "<strong>2026-11-23 21:07 (Asia/Shanghai)</strong> — 4 小时内首次联系 first contact within 4 h"
        in page
    )


def test_long_excerpt_is_cut():
    text = render_text(make_message(excerpt="我也遇到了" * 500))
    quoted = "".join(line[4:] for line in text.splitlines() if line.startswith("  | "))
    assert len(quoted) == 600 and quoted.endswith("…")


def test_a_contact_already_made_is_shown_instead_of_a_deadline_gone_by():
    """An escalation's message, after the complainant was contacted, had said "Respond by 19:15 — first
    contact within 4 h" (PR-team walkthrough)."""
    from monitor.alerting.channels.markdown import WECOM, render_chat

    msg = make_message(contacted_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC), escalated_from=Severity.URGENT)
    text, html = render_text(msg), render_html(msg)
    assert (
        "首次联系 Contacted:       2026-11-23 17:30 (Asia/Shanghai)"
        " — 已联系投诉人 the complainant has been contacted" in text
    )
    assert (
        "Contacted" in html
        and "2026-11-23 17:30 (Asia/Shanghai) — 已联系投诉人 the complainant has been contacted" in html
    )
    chat = render_chat(msg, WECOM)
    assert (
        "首次联系 Contacted 2026-11-23 17:30 (Asia/Shanghai): 已联系投诉人 the complainant has been contacted"
        in chat
    )
    for said in (text, html, chat):
        assert "Respond by" not in said
    assert "Respond by" in render_text(make_message())  # not contacted yet: the deadline


def test_the_email_is_laid_out_at_a_phones_width():
    """Without the viewport tag a phone's browser laid the email out 980 px wide and shrank it."""
    assert '<meta name="viewport" content="width=device-width,initial-scale=1">' in render_html(
        make_message()
    )
    assert "overflow-wrap:anywhere" in render_html(make_message())  # a long forum URL breaks, not widens
