"""Every sentence an alert message says reads Chinese first, then English; WeCom's first line (all a
phone's notification shows) says kind, tier and the thread's title; and a message cut to its
service's limit still says by when to reach the complainant, who speaks, and that nobody else does."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from chat_receivers import HOSTILE_TITLE, OPENED, sample_alert

from monitor.alerting.channels.markdown import (
    DINGTALK,
    FEISHU,
    SLACK,
    WECOM,
    chat_lines,
    measure,
    render_chat,
)
from monitor.alerting.message import ActionLink, ChecklistLine
from monitor.alerting.render import render_html, render_text

LONG = "客服电话打了一周都没有人管" * 40
ACTIONS = tuple(
    ActionLink(
        kind, f"{label} {kind}", f"https://m.example.com/l/{kind}.{'x' * 120}", OPENED + timedelta(days=3)
    )
    for kind, label in (
        ("ack", "确认 Acknowledge"),
        ("contacted", "已联系投诉人 Mark contacted"),
        ("view", "打开"),
    )
)


def crowded(**changes):
    """An alert whose message is far over any limit: long notice, title, reasons, links, checklist."""
    return sample_alert(
        thread_title=LONG,
        notice=LONG,
        notice_tag="提醒 reminder",
        figures=[LONG] * 10,
        signals=[LONG] * 10,
        checklist=[ChecklistLine(LONG, OPENED)] * 10,
        actions=ACTIONS,
        actions_for="张敏",
        also_on=[LONG] * 6,
        **changes,
    )


KEPT = (
    "首次联系截止 Respond by 2026-11-23 21:07",
    "发言人 Spokesperson: 张敏",
    "统一口径 One voice",
    "只有 张敏 代表公司",
)


@pytest.mark.parametrize(
    "dialect",
    [WECOM, DINGTALK, FEISHU, SLACK, replace(WECOM, limit=1200), replace(SLACK, limit=700)],
    ids=["wecom", "dingtalk", "feishu", "slack", "wecom-halved", "slack-halved"],
)
def test_a_message_cut_to_the_limit_keeps_respond_by_spokesperson_and_one_voice(dialect) -> None:
    text = render_chat(crowded(), dialect)
    assert measure(text, dialect.unit) <= dialect.limit
    whole = dialect.line_break.join(chat_lines(crowded(), dialect))
    assert ("已截断 truncated" in text) == (measure(whole, dialect.unit) > dialect.limit)
    for kept in KEPT:
        assert kept in text, kept


def test_wecoms_first_line_says_kind_tier_and_the_title_escaped() -> None:
    first = render_chat(sample_alert(notice_tag="提醒 reminder", thread_title=HOSTILE_TITLE), WECOM).split(
        "\n"
    )[0]
    assert first.startswith(
        '<font color="warning">**【提醒 reminder · 非常紧迫 very urgent】＜script＞alert(1)＜/script＞'
    )
    assert first.endswith("…**</font> · 告警 Alert #7")
    assert "<script>" not in first and "@all" not in first and "](javascript" not in first
    # trimmed: a long title does not push the tier out of the preview
    assert len(render_chat(crowded(), WECOM).split("\n")[0]) < 160


def test_the_email_says_its_sentences_chinese_first() -> None:
    msg = sample_alert(backup=None, actions=ACTIONS[:1], actions_for="张敏", thread_url="javascript:x")
    text = render_text(msg)
    for said in (
        "[非常紧迫 very urgent] 告警 Alert #7",
        "备岗 Backup:",
        "（无 none）",
        "（不是 http/https 链接 not an http/https link）",
        "（时间为 Asia/Shanghai 时间 times in Asia/Shanghai）",
        "统一口径 One voice: 只有 张敏 代表公司就此帖对外发言，其他员工一律不得对外发表评论。 "
        "Only 张敏 speaks",
        "处理告警：以下链接以 张敏 的名义操作，有效期至 2026-11-26 17:07 (Asia/Shanghai)；"
        "每个链接打开一个页面，点一个按钮确认。 Act on it — links in the name of 张敏",
    ):
        assert said in text, said
    html = render_html(msg)
    assert "告警 Alert #7</p>" in html and "（时间为 Asia/Shanghai 时间 times in Asia/Shanghai）" in html


def test_the_terminal_note_is_chinese_first() -> None:
    text = render_text(sample_alert(terminal_for="zhang"))
    assert "在终端处理（未设置 web.base_url，消息不带网页链接） To act on it, from a terminal" in text
    assert "# 已联系投诉人 the complainant has been contacted" in text
