"""Chat rendering: hostile forum text made inert for each medium, times in the alert's zone, truncation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from chat_receivers import HOSTILE_TITLE, OPENED, sample_alert

from monitor.alerting.channels.markdown import (
    DINGTALK,
    FEISHU,
    SLACK,
    TRUNCATED,
    WECOM,
    Dialect,
    chat_lines,
    chat_title,
    escape,
    link,
    measure,
    render_chat,
    truncate,
)
from monitor.alerting.message import ChecklistLine, Recipient
from monitor.detect.severity import Severity

DIALECTS = [WECOM, DINGTALK, FEISHU, SLACK]
MARKDOWN = [WECOM, DINGTALK, FEISHU]


def hostile_alert():
    return sample_alert(
        thread_title=HOSTILE_TITLE + "\x1b[31m\u202egnp.exe",
        board_name="<font color=red>版块</font>",
        source_name="`code` ~~strike~~ # heading",
        figures=["<@U024BE7LH> <!here> &lt;!channel&gt;", "@所有人 @here 快看"],
        signals=["](javascript:alert(3)) ![img](http://evil.example/x.png)"],
        watch_groups=['<at user_id="all">所有人</at>'],
        excerpt="> quote\n# h1\n- list\n[link](https://evil.example)",
        also_on=["\\*not bold\\*"],
        spokesperson=Recipient(key="zhang", name="张敏 <@all>"),
        checklist=[ChecklistLine("<script>alert(4)</script> 联系 @all", OPENED)],
    )


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_hostile_forum_text_cannot_inject_markup_or_mentions(dialect):
    text = render_chat(hostile_alert(), dialect)
    for forbidden in (
        "<script",
        "<!channel>",
        "<!here>",
        "<@U024BE7LH>",
        "<@all>",
        "<at ",
        "<font color=red",
        "](javascript:",
        "](http://evil",
        "](https://evil",
        "@all",
        "@here",
        "@所有人",
        "\x1b",
        "\u202e",
    ):
        assert forbidden not in text, forbidden
    assert "＜script＞" in text or "&lt;script&gt;" in text  # still readable
    # Our own link to the thread is still there, and it is the only link.
    links = (
        re.findall(r"\]\((?:[^)]*)\)", text)
        if dialect is not SLACK
        else re.findall(r"<https?://[^>]*>", text)
    )
    assert len(links) == 1 and "bbs.example.cn" in links[0]


@pytest.mark.parametrize("dialect", MARKDOWN, ids=lambda d: d.name)
def test_markdown_specials_become_full_width_twins(dialect):
    assert escape("**a** _b_ [c](d) <e> #f @g &h |i| `j` ~k~ \\l", dialect) == (
        "＊＊a＊＊ ＿b＿ ［c］(d) ＜e＞ ＃f ＠g ＆h ｜i｜ ｀j｀ ～k～ ＼l"
    )
    # Our own markup is the only markup: bold markers appear in pairs around our headings only.
    text = render_chat(hostile_alert(), dialect)
    assert "＊＊粗体＊＊" in text


def test_slack_gets_its_three_escapes_and_no_formatting_from_forums():
    assert escape("a & b < c > d *e* _f_ ~g~ `h` @channel", SLACK) == (
        "a &amp; b &lt; c &gt; d ＊e＊ ＿f＿ ～g～ ｀h｀ ＠channel"
    )
    assert escape("&lt;!channel&gt;", SLACK) == "&amp;lt;!channel&amp;gt;"  # an entity is text, not markup


def test_only_http_links_are_linked_and_their_targets_cannot_break_out():
    assert link("x", "javascript:alert(1)", WECOM) is None
    assert link("x", "data:text/html,hi", SLACK) is None
    assert (
        link("x", "https://a.example/p(1)?q=[2]&r=<3>", WECOM)
        == "[x](https://a.example/p%281%29?q=%5B2%5D&r=%3C3%3E)"
    )
    assert link("x", "https://a.example/?a=1&b=|2>", SLACK) == "<https://a.example/?a=1&amp;b=%7C2%3E|x>"
    assert link("x", "https://a.example/帖子", FEISHU) == "[x](https://a.example/%E5%B8%96%E5%AD%90)"
    text = render_chat(sample_alert(thread_url="javascript:alert(1)"), WECOM)
    assert "javascript" not in text and "not an http/https link" in text


def test_the_message_says_what_the_spokesperson_needs_in_the_alerts_time_zone():
    text = render_chat(sample_alert(), WECOM)
    # WeCom's first line, all a phone's notification shows: tier, the thread's title (trimmed), alert number
    assert text.startswith(
        '<font color="warning">**【非常紧迫 very urgent】'
        "途乐旅行收了我2万8团费，到了澳洲酒店没订上，客服电话打了…**</font>"
        " · 告警 Alert #7\n"
    )
    assert "**途乐旅行收了我2万8团费" in text
    assert "[打开帖子 Open the thread](https://bbs.example.cn/forum.php?mod=viewthread&tid=8812)" in text
    assert "版块 Board: 投诉维权 · 天涯论坛 (另见于 Also on 猫扑 · 旅游)" in text
    assert (
        "**首次联系截止 Respond by 2026-11-23 21:07 (Asia/Shanghai)**"
        " — 4 小时内首次联系 first contact within 4 h" in text
    )
    assert "发言人 Spokesperson: 张敏 · 备岗 Backup 李强" in text
    assert "其他员工一律不得对外发表评论" in text
    assert "- 12 replies in the last hour (alert at 6/h)" in text
    assert "- lawyer (律师) at floor 14" in text
    assert (
        "**处置清单 Checklist** — 非常紧迫 very urgent：危机处理"
        "（时间为 Asia/Shanghai 时间 times in Asia/Shanghai）"
    ) in text
    assert "- ☑ 11-23 17:07  甄别" in text and "- ☐ 11-23 21:07  立即联系投诉人" in text
    assert "- ☐ —  投诉总结 (Summary)" in text
    assert "> 出发前三天才说签证材料不够， 到了悉尼酒店说没有预订。" in text
    new_york = render_chat(sample_alert(timezone="America/New_York"), SLACK)
    assert "*首次联系截止 Respond by 2026-11-23 08:07 (America/New_York)*" in new_york
    assert "times in America/New_York" in new_york and "• ☐ 11-23 08:07  立即联系投诉人" in new_york


def test_escalation_and_severity_show_in_the_header():
    text = render_chat(sample_alert(escalated_from=Severity.URGENT), DINGTALK)
    assert text.startswith("**【非常紧迫 very urgent】告警 Alert #7** · 升级 escalated from 紧迫 urgent\n\n")
    general = render_chat(sample_alert(severity=Severity.GENERAL), WECOM)
    assert general.startswith('<font color="comment">**【一般 general】') and "within 24 h" in general


def test_only_the_first_checklist_steps_are_listed():
    steps = [ChecklistLine(f"第{i}步 step {i}", OPENED + timedelta(hours=i)) for i in range(1, 10)]
    text = render_chat(sample_alert(checklist=steps), FEISHU)
    assert "（前 5 项，共 9 项 first 5 of 9；时间为 Asia/Shanghai 时间 times in Asia/Shanghai）" in text
    assert "第5步" in text and "第6步" not in text
    assert "- … 另有 4 步，见邮件 4 more steps in the email" in text
    assert "Checklist" not in render_chat(sample_alert(checklist=[]), FEISHU)


def test_chat_title_is_plain_text_with_mentions_defused():
    title = chat_title(sample_alert(thread_title="@all 看这里 <at id=all></at>"), 40)
    assert "@" not in title and "<" not in title and len(title) <= 40
    assert title.startswith("[非常紧迫 very urgent] ＠all 看这里")


def huge_alert():
    long = "投诉" * 3000
    return sample_alert(
        thread_title=long,
        figures=[f"{i}: " + long for i in range(40)],
        signals=["&<>" * 2000],
        checklist=[ChecklistLine(long, OPENED) for _ in range(40)],
        excerpt=long,
    )


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_long_alerts_fit_the_service_limit_and_keep_what_matters(dialect):
    text = render_chat(huge_alert(), dialect, checklist_items=40)
    assert measure(text, dialect.unit) <= dialect.limit
    text.encode("utf-8").decode("utf-8")  # whole characters only
    for needed in (
        "Alert #7",
        "打开帖子 Open the thread",
        "首次联系截止 Respond by 2026-11-23 21:07",
        "发言人 Spokesperson: 张敏",
    ):
        assert needed in text
    # Each untrusted field was capped before it was escaped, so no line ends in a broken escape.
    assert not re.search(r"&[#A-Za-z0-9]*$", text, re.MULTILINE)
    if dialect in (WECOM, SLACK):
        assert text.endswith(TRUNCATED)


def test_a_tight_limit_drops_whole_lines_from_the_end():
    tight = Dialect("wecom", 600, "bytes")
    text = render_chat(sample_alert(), tight)
    assert len(text.encode()) <= 600 and text.endswith(TRUNCATED)
    assert "Respond by" in text and "Checklist" not in text
    # Not even the first line fits: it is cut, on a character boundary.
    tiny = render_chat(sample_alert(), Dialect("wecom", 20, "bytes"))
    assert len(tiny.encode()) <= 20 and tiny.endswith("…")


@pytest.mark.parametrize("limit", range(1, 40))
def test_truncate_never_splits_a_character_an_entity_or_a_cluster(limit):
    samples = [
        "途乐旅行收了我2万8团费",
        "a &amp; b &lt;c&gt; &#x1F600; d",
        "e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301",  # e + combining acute
        "👩\u200d💻👩\u200d💻👩\u200d💻👍🏽👍🏽",  # ZWJ sequences and skin tones
    ]
    for text in samples:
        for unit in ("bytes", "chars"):
            cut = truncate(text, limit, unit=unit)
            assert measure(cut, unit) <= limit
            if cut == text:
                continue
            assert cut == "" or cut.endswith("…")
            body = cut.removesuffix("…")
            assert text.startswith(body)
            assert not re.search(r"&[#A-Za-z0-9]*$", body)
            rest = text[len(body) :]
            assert not rest or rest[0] not in "\u0301\u200d\U0001f3fd"


def test_truncate_leaves_short_text_alone():
    assert truncate("短", 3) == "短"
    assert truncate("短信", 5) == "…"  # 3 bytes of ellipsis leave room for nothing whole
    assert truncate("abc", 0) == ""


def _with_actions():
    from monitor.alerting.message import ActionLink

    expires = OPENED + timedelta(hours=72)
    return sample_alert(
        actions=(
            ActionLink("ack", "确认 Acknowledge", "https://m.example.com/l/abc.def", expires),
            ActionLink("view", "打开告警 Open the alert", "https://m.example.com/l/ghi.jkl", expires),
        ),
        actions_for="张敏",
    )


@pytest.mark.parametrize("dialect", [WECOM, DINGTALK, FEISHU, SLACK], ids=lambda d: d.name)
def test_action_links_follow_the_thread_link(dialect):
    lines = chat_lines(_with_actions(), dialect)
    thread = next(i for i, line in enumerate(lines) if "Open the thread" in line)
    actions = lines[thread + 1]
    ack, view = "https://m.example.com/l/abc.def", "https://m.example.com/l/ghi.jkl"
    if dialect is SLACK:
        assert actions == f"<{ack}|确认 Acknowledge> · <{view}|打开告警 Open the alert>"
    else:
        assert actions == f"[确认 Acknowledge]({ack}) · [打开告警 Open the alert]({view})"
    assert not any("m.example.com" in line for line in chat_lines(sample_alert(), dialect))
