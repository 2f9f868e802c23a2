"""The alert's field labels read Chinese first, as its tier and kind do, in the email (plain text
and HTML, through a real loopback SMTP server) and in a WeCom message (through a loopback receiver);
the plain text still lines its values up, a Chinese character taking two columns."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from chat_receivers import WECOM_KEY, ChecklistLine, WeComReceiver, sample_alert

from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.channels.registry import parse_target
from monitor.alerting.channels.wecom import WeComChannel
from monitor.demo.smtp_sink import MailSink
from monitor.display_text import display_width

ROWS = {
    "帖子 Thread": sample_alert().thread_title,
    "链接 Link": "https://bbs.example.cn/forum.php?mod=viewthread&tid=8812",
    "版块 Board": "<b>投诉维权 (天涯论坛)",
    "监测组 Watch groups": "途乐旅行",
    "另见于 Also on": "猫扑 · 旅游",
    "发言人 Spokesperson": "张敏 <zhang.min@example.com>",
    "备岗 Backup": "李强 <li.qiang@example.com>",
    "首次联系截止 Respond by": "2026-11-23 21:07 (Asia/Shanghai) — 4 小时内首次联系 first contact within 4 h",
    "告警时间 Opened": "2026-11-23 17:07 (Asia/Shanghai)",
}


def test_the_email_labels_its_fields_chinese_first_and_lines_them_up(tmp_path):
    with MailSink(tmp_path / "mail") as sink:
        channel = EmailChannel(
            SmtpSettings(host=sink.host, port=sink.port, sender="monitor@example.com", timeout=5.0),
            clock=lambda: datetime(2026, 11, 23, 9, 8, tzinfo=UTC),
        )
        channel.send(sample_alert(board_name="<b>投诉维权"), ["zhang.min@example.com"])
        [received] = sink.messages
    plain = received.get_body(("plain",)).get_content().splitlines()
    columns = set()
    for label, value in ROWS.items():
        [line] = [line for line in plain if line.startswith(f"{label}:")]
        assert line.endswith(value) and line[len(label) + 1 :].strip() == value, line
        columns.add(display_width(line[: len(line) - len(value)]))
    assert len(columns) == 1  # every value starts in the same display column
    for heading in ("为什么报警 Why it fired:", "危机信号 Crisis signals:", "原帖摘录 Excerpt:"):
        assert heading in plain
    assert any(line.startswith("处置清单 Checklist — 非常紧迫 very urgent") for line in plain)
    assert any(
        line.startswith(
            "统一口径 One voice: 只有 张敏 代表公司就此帖对外发言，其他员工一律不得对外发表评论。 Only 张敏"
        )
        for line in plain
    )
    assert "[非常紧迫 very urgent] 告警 Alert #7" in plain

    html = received.get_body(("html",)).get_content()
    for label in (
        "链接 Link",
        "版块 Board",
        "监测组 Watch groups",
        "发言人 Spokesperson",
        "首次联系截止 Respond by",
    ):
        assert f'color:#52606d">{label}</th>' in html, label
    assert '<h2 style="font-size:16px">为什么报警 Why it fired</h2>' in html
    assert '<h2 style="font-size:16px">处置清单 Checklist — ' in html
    assert "&lt;b&gt;投诉维权 (天涯论坛)" in html and "<b>投诉维权" not in html  # still escaped


def test_a_wecom_message_labels_its_fields_chinese_first_and_keeps_them_when_cut():
    long = "客服电话打了一周都没有人管" * 100
    with WeComReceiver() as receiver, httpx.Client() as client:
        channel = WeComChannel(client, base_url=f"{receiver.url}/cgi-bin/webhook/send")
        target = parse_target(f"wecom://{WECOM_KEY}")
        assert channel.send(sample_alert(board_name="<at id=all>投诉维权"), target) == "ok"
        cut = sample_alert(thread_title=long, figures=[long] * 30, checklist=[ChecklistLine(long)] * 30)
        assert channel.send(cut, target) == "ok"
    whole, trimmed = (message["markdown"]["content"] for message in receiver.messages)
    lines = whole.split("\n")
    for expected in (
        "版块 Board: ＜at id=all＞投诉维权 · 天涯论坛 (另见于 Also on 猫扑 · 旅游)",
        "**首次联系截止 Respond by 2026-11-23 21:07 (Asia/Shanghai)**"
        " — 4 小时内首次联系 first contact within 4 h",
        "发言人 Spokesperson: 张敏 · 备岗 Backup 李强",
        "**为什么报警 Why it fired**",
        "**危机信号 Crisis signals**",
        "监测组 Watch groups: 途乐旅行",
        "**处置清单 Checklist** — 非常紧迫 very urgent：危机处理"
        "（时间为 Asia/Shanghai 时间 times in Asia/Shanghai）",
    ):
        assert expected in lines, expected
    assert any(line.startswith("**统一口径 One voice:** 只有 张敏 代表公司") for line in lines)
    assert len(trimmed.encode()) <= 4096 and trimmed.endswith("the email has the whole alert）")
    for kept in (
        "首次联系截止 Respond by 2026-11-23 21:07",
        "发言人 Spokesperson: 张敏",
        "统一口径 One voice",
    ):
        assert kept in trimmed, kept
