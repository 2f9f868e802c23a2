"""A message the outbox gives up is told at once: to its recipient on their other channels, and to
their backup when it reached them on no channel; at most one notice a channel and recipient an hour,
what is given up meanwhile joining it; never a notice about a failed notice, never on a failing
channel; the channel's words escaped in the chat that carries them.

Real parts (given_up_setup.py): aiosmtpd keeping the emails, loopback DingTalk and WeCom robots
(chat_receivers.py) — a DingTalk robot whose signing secret is not the configured one answers
310000 ``sign not match``, as DingTalk does — the real alerting service, outbox and channels.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from chat_receivers import DINGTALK_TOKEN, WECOM_KEY, DingTalkReceiver, Received, WeComReceiver, json_answer
from given_up_setup import (
    LI_NA,
    WANG_QIANG,
    Mail,
    deliveries,
    open_alert,
    plain,
    smtp_server,
    start,
    trail,
)

NOW = datetime.now(UTC)  # DingTalk refuses a signature more than an hour off its clock
WRONG_SECRET = "SEC" + "0" * 64
NOT_DELIVERED = "[未送达 not delivered · 紧迫 urgent]"


@pytest.fixture
def mail() -> Iterator[Mail]:
    yield from smtp_server()


def _dingtalk(receiver: DingTalkReceiver, secret: str = WRONG_SECRET) -> str:
    return f"dingtalk://{DINGTALK_TOKEN}@{secret}?endpoint={receiver.url}/robot/send"


def _notices(mail: Mail, address: str) -> list[str]:
    return [plain(m) for m in mail.to(address) if str(m["subject"]).startswith(NOT_DELIVERED)]


def test_a_refused_robot_is_told_to_its_owner_by_email_in_the_same_run(tmp_path: Path, mail: Mail) -> None:
    with DingTalkReceiver() as robot:
        app = start(tmp_path, [_dingtalk(robot)], mail.port)
        try:
            alert = open_alert(app, "26", NOW)
            report = app.deliver(NOW)
            told = trail(app, "undelivered_told")
            [notice_row] = deliveries(app, kind="undelivered")
        finally:
            app.close()
    assert (report.sent, report.failed) == (2, 1)  # the alert and the notice by email; DingTalk given up
    [alert_mail, notice_mail] = mail.to(LI_NA)
    assert not str(alert_mail["subject"]).startswith(NOT_DELIVERED)
    assert str(notice_mail["subject"]).startswith(NOT_DELIVERED)
    text = plain(notice_mail)
    assert "未送达：这条消息已放弃发送，不再重试。 Not delivered: the monitor gave this message up." in text
    assert f"告警 #{alert} · 钉钉 DingTalk → 李娜（1 次尝试 1 try）：" in text
    assert "钉钉拒绝：签名不匹配 310000" in text and "check the signing secret" in text
    assert f"monitor alerts resend {alert}" in text
    assert "其他渠道也未送达" not in text  # the email reached her
    assert mail.to(WANG_QIANG) == []  # the message reached li_na: her backup is not troubled
    assert (notice_row.status, notice_row.recipient, notice_row.channel) == ("sent", "li_na", "email")
    assert told == ["dingtalk to li_na given up: told li_na (email)"]


def test_a_message_that_reached_nobody_goes_to_the_backup_in_one_notice(tmp_path: Path, mail: Mail) -> None:
    mail.refused.add(LI_NA)  # her address refused for good, and her robot's secret wrong
    with DingTalkReceiver() as robot:
        app = start(tmp_path, [_dingtalk(robot)], mail.port)
        try:
            alert = open_alert(app, "26", NOW)
            app.deliver(NOW)
            app.deliver(NOW + timedelta(hours=3))  # nothing more: no resend, no second notice
            notices = deliveries(app, kind="undelivered")
        finally:
            app.close()
    assert [(n.recipient, n.channel, n.status) for n in notices] == [("wang_qiang", "email", "sent")]
    [text] = _notices(mail, WANG_QIANG)
    assert "以下消息已放弃发送" in text and "the monitor gave these messages up" in text
    assert f"① 告警 #{alert} · 邮件 email → 李娜（1 次尝试 1 try，其他渠道也未送达" in text
    assert f"② 告警 #{alert} · 钉钉 DingTalk → 李娜（1 次尝试 1 try，其他渠道也未送达" in text
    assert "550 5.1.1" in text and "310000" in text
    assert len(robot.requests) == 1


def test_one_notice_an_hour_to_a_channel_what_is_given_up_meanwhile_joins_it(
    tmp_path: Path, mail: Mail
) -> None:
    with DingTalkReceiver() as robot:
        app = start(tmp_path, [_dingtalk(robot)], mail.port)
        try:
            first = open_alert(app, "26", NOW)
            app.deliver(NOW)
            second = open_alert(app, "27", NOW + timedelta(minutes=10))
            app.deliver(NOW + timedelta(minutes=10))
            third = open_alert(app, "28", NOW + timedelta(minutes=20))
            app.deliver(NOW + timedelta(minutes=20))
            app.deliver(NOW + timedelta(minutes=59))
            before_the_hour = len(_notices(mail, LI_NA))
            app.deliver(NOW + timedelta(minutes=60))
            notices = deliveries(app, kind="undelivered")
        finally:
            app.close()
    assert before_the_hour == 1
    assert [n.status for n in notices] == ["sent", "sent"]
    assert notices[1].sent_at == NOW + timedelta(minutes=60)
    [one, batched] = _notices(mail, LI_NA)
    assert f"告警 #{first} " in one and f"告警 #{second} " not in one
    assert f"① 告警 #{second} " in batched and f"② 告警 #{third} " in batched
    assert "monitor alerts resend --all-failed" in batched


@dataclass
class RemovedAfterOne(WeComReceiver):
    """A robot that takes one message, then is removed (93000) — the notice is the one refused."""

    def answer(self, request: Received):
        if self.messages:
            return json_answer({"errcode": 93000, "errmsg": "invalid webhook url"})
        return super().answer(request)


def test_a_notice_that_fails_is_not_told_of_and_a_failing_channel_carries_none(tmp_path: Path) -> None:
    with DingTalkReceiver() as robot, RemovedAfterOne() as wecom:
        wecom_url = f"wecom://{WECOM_KEY}?endpoint={wecom.url}/cgi-bin/webhook/send"
        app = start(tmp_path, [_dingtalk(robot), wecom_url], None)
        try:
            open_alert(app, "26", NOW)
            app.deliver(NOW)
            app.deliver(NOW + timedelta(hours=2))
            notices = deliveries(app, kind="undelivered")
            told = trail(app, "undelivered_told")
            second = open_alert(app, "27", NOW + timedelta(hours=3))  # both channels known broken now
            app.deliver(NOW + timedelta(hours=3))
            after = deliveries(app, kind="undelivered")
            told_after = trail(app, "undelivered_told")
        finally:
            app.close()
    assert [(n.channel, n.status) for n in notices] == [("wecom", "failed")]  # tried once, given up
    assert len(wecom.requests) == 3  # the alert, the notice, the second alert: no notice of the notice
    assert told == ["dingtalk to li_na given up: told li_na (wecom)"]
    assert len(after) == 1
    assert told_after[1:] == [
        "dingtalk to li_na given up: nobody could be told on another channel",
        "wecom to li_na given up: nobody could be told on another channel",
    ], second


@dataclass
class HostileDingTalk(DingTalkReceiver):
    def answer(self, request: Received):
        return json_answer(
            {"errcode": 310000, "errmsg": "sign not match <at id=all></at> @all [点我](javascript:alert(1))"}
        )


def test_the_channels_words_are_escaped_in_the_chat_that_carries_the_notice(tmp_path: Path) -> None:
    with HostileDingTalk() as robot, WeComReceiver() as wecom:
        wecom_url = f"wecom://{WECOM_KEY}?endpoint={wecom.url}/cgi-bin/webhook/send"
        app = start(tmp_path, [_dingtalk(robot), wecom_url], None)
        try:
            alert = open_alert(app, "26", NOW)
            app.deliver(NOW)
        finally:
            app.close()
    [_, notice] = [m["markdown"]["content"] for m in wecom.messages]
    assert notice.startswith('<font color="warning">**【未送达 not delivered · 紧迫 urgent】')
    assert "<at id=all>" not in notice and "[点我](javascript" not in notice and "@all" not in notice
    assert "＜at id=all＞" in notice and "［点我］" in notice
    assert f"`monitor alerts resend {alert}`" in notice  # the command stays a code span, to copy
