"""A refusal that no retry can cure stops the outbox after one attempt; a rate limit waits and retries.

Loopback receivers (chat_receivers.py) that answer as the services document: DingTalk's keyword rule
(310000 ``keywords not in content``), Feishu's (19024 ``Key Words Not Found``), a WeCom robot that
refuses the content (40058), an archived Slack channel (410 ``channel_is_archived``), and each
service's rate limit (45009, 130101, 11232); and an SMTP server that refuses the recipient (550) or
asks to try later (450). The alert goes through routing, the outbox and the real channels.
"""

from __future__ import annotations

import io
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from chat_receivers import (
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    FEISHU_HOOK,
    FEISHU_SECRET,
    SLACK_PATH,
    WECOM_KEY,
    DingTalkReceiver,
    FeishuReceiver,
    Received,
    SlackReceiver,
    WeComReceiver,
    json_answer,
    text_answer,
)
from sqlalchemy import select

from monitor.alerting.service import consider
from monitor.app import App, build
from monitor.config.loader import load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.models import AlertEvent, Delivery

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
NOW = datetime.now(UTC)  # DingTalk and Feishu refuse a signature more than an hour off their clock


@dataclass
class KeywordDingTalk(DingTalkReceiver):
    """A robot whose security setting is a keyword the alert does not carry."""

    def answer(self, request: Received):
        return json_answer({"errcode": 310000, "errmsg": "keywords not in content, more: [https://ding-doc]"})


@dataclass
class KeywordFeishu(FeishuReceiver):
    def answer(self, request: Received):
        return json_answer({"code": 19024, "data": {}, "msg": "Key Words Not Found"})


@dataclass
class ArchivedSlack(SlackReceiver):
    def answer(self, request: Received):
        return text_answer("channel_is_archived", status=410)


@dataclass
class RefusingWeCom(WeComReceiver):
    """WeCom refusing any content over ``max_bytes`` with 40058 (its answer to content it will not take)."""

    max_bytes: int = 0

    def answer(self, request: Received):
        content = request.json()["markdown"]["content"]
        if len(content.encode("utf-8")) > self.max_bytes:
            return json_answer({"errcode": 40058, "errmsg": "markdown.content exceed max length"})
        return super().answer(request)


@dataclass
class Throttled(WeComReceiver):
    answers: tuple = ()

    def answer(self, request: Received):
        return json_answer(self.answers[0])


def _app(tmp_path: Path, channel: str, smtp: dict | None = None) -> App:
    """The demo config, the urgent tier's spokesperson reached on ``channel``; one alert opened."""
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    routing = directory / "routing.yaml"
    routing.write_text(
        routing.read_text(encoding="utf-8").replace(
            "    backup: wang_qiang\n", f'    backup: wang_qiang\n    channels: ["{channel}"]\n', 1
        ),
        encoding="utf-8",
    )
    mail = "[smtp]\nenabled = false\n"
    if smtp is not None:
        mail = "[smtp]\n" + "".join(f"{key} = {value!r}\n" for key, value in smtp.items())
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n{mail}'.replace("'", '"'), encoding="utf-8"
    )
    config = load_config(directory, environ={})
    app = build(config, stream=io.StringIO())
    with app.sessions.begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary("26", "途乐旅行不退款", "维权小王", "2", 9, 10, False, "http://bbs.test/t26")
        thread, _ = repo.upsert_thread(session, source, board, summary, NOW)
        assessment = Assessment(True, Severity.URGENT, ["9 replies in the last 60 min"], [], 0.8, 9.0)
        assert consider(session, config, thread, config.watch_groups[0], assessment, NOW) is not None
    return app


def _delivery(app: App, channel: str) -> Delivery:
    with app.sessions() as session:
        return session.scalars(select(Delivery).where(Delivery.channel == channel)).one()


def _failed_events(app: App) -> list[str]:
    with app.sessions() as session:
        return list(session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == "delivery_failed")))


REFUSING = {
    "dingtalk": (
        KeywordDingTalk,
        lambda url: f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}?endpoint={url}/robot/send",
        "钉钉拒绝：消息不含自定义关键词 310000 keywords not in content",
    ),
    "feishu": (
        KeywordFeishu,
        lambda url: f"feishu://{FEISHU_HOOK}@{FEISHU_SECRET}?endpoint={url}/open-apis/bot/v2/hook",
        "飞书拒绝：消息不含自定义关键词 19024 Key Words Not Found",
    ),
    "slack": (
        ArchivedSlack,
        lambda url: f"slack://{SLACK_PATH}?endpoint={url}/services",
        "Slack拒绝：频道已归档 channel_is_archived — unarchive it or make a new webhook (HTTP 410 Gone)",
    ),
    "wecom": (
        RefusingWeCom,
        lambda url: f"wecom://{WECOM_KEY}?endpoint={url}/cgi-bin/webhook/send",
        "企业微信拒绝：内容不合法或超长 40058 markdown.content exceed max length "
        "(a shorter message was refused as well)",
    ),
}


@pytest.mark.parametrize("name", list(REFUSING))
def test_a_refusal_no_retry_can_cure_fails_for_good_after_one_attempt(tmp_path: Path, name: str) -> None:
    kind, url, said = REFUSING[name]
    with kind() as receiver:
        app = _app(tmp_path, url(receiver.url))
        try:
            first = app.deliver(NOW)
            again = app.deliver(NOW + timedelta(hours=2))  # long after any backoff: nothing is resent
            delivery = _delivery(app, name)
            failed = _failed_events(app)
        finally:
            app.close()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert said in delivery.last_error
    assert (first.failed, again.failed, again.pending) == (1, 0, 0)
    assert len(failed) == 1 and said in failed[0]
    # WeCom was sent the message once more at once, shorter; never the same bytes twice
    assert len(receiver.requests) == (2 if name == "wecom" else 1)
    if name == "wecom":
        sizes = [len(request.json()["markdown"]["content"].encode()) for request in receiver.requests]
        assert sizes[1] <= sizes[0] // 2


def test_content_wecom_refuses_goes_out_shorter_keeping_what_to_do(tmp_path: Path) -> None:
    with RefusingWeCom(max_bytes=1500) as receiver:
        app = _app(tmp_path, f"wecom://{WECOM_KEY}?endpoint={receiver.url}/cgi-bin/webhook/send")
        try:
            report = app.deliver(NOW)
            delivery = _delivery(app, "wecom")
        finally:
            app.close()
    assert (report.sent, delivery.status, delivery.attempts) == (2, "sent", 1)  # console + WeCom
    [message] = receiver.messages
    content = message["markdown"]["content"]
    assert len(content.encode()) <= 1500 and "已截断 truncated" in content
    for kept in ("首次联系截止 Respond by", "发言人 Spokesperson", "统一口径 One voice"):
        assert kept in content


THROTTLING = {
    "wecom": ({"errcode": 45009, "errmsg": "api freq out of limit"}, 60),
    "dingtalk": ({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}, 600),
    "feishu": ({"code": 11232, "data": {}, "msg": "frequency limited"}, 60),
}


@pytest.mark.parametrize("name", list(THROTTLING))
def test_a_rate_limit_is_retried_when_the_service_says(tmp_path: Path, name: str) -> None:
    answer, wait = THROTTLING[name]
    with Throttled(answers=(answer,)) as receiver:
        url = {
            "wecom": f"wecom://{WECOM_KEY}?endpoint={receiver.url}/x",
            "dingtalk": f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}?endpoint={receiver.url}/x",
            "feishu": f"feishu://{FEISHU_HOOK}@{FEISHU_SECRET}?endpoint={receiver.url}/x",
        }[name]
        app = _app(tmp_path, url)
        try:
            app.deliver(NOW)
            waiting = _delivery(app, name)
            app.deliver(NOW + timedelta(seconds=wait - 1))  # too early: not tried
            early = _delivery(app, name)
            app.deliver(NOW + timedelta(seconds=wait))
            retried = _delivery(app, name)
        finally:
            app.close()
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.next_attempt_at.replace(tzinfo=UTC) == NOW + timedelta(seconds=wait)
    assert "限流" in waiting.last_error and f"retry after {wait} s" in waiting.last_error
    assert early.attempts == 1
    assert (retried.status, retried.attempts) == ("pending", 2)
    assert _failed_events(app) == []


@pytest.fixture
def smtp_refusing() -> Iterator[dict[str, int]]:
    """An SMTP server that answers RCPT with the code its ``codes[address]`` gives (250 if none)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    codes: dict[str, int] = {}

    class Refusing(Sink):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            code = codes.get(address, 250)
            if code != 250:
                return f"{code} 5.1.1 <{address}>: user unknown" if code >= 500 else f"{code} 4.2.1 try later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    codes["port"] = port
    try:
        yield codes
    finally:
        controller.stop()


@pytest.mark.parametrize(("code", "status"), [(550, "failed"), (450, "pending")])
def test_an_smtp_5xx_refusal_of_the_recipient_is_permanent_a_4xx_is_not(
    tmp_path: Path, smtp_refusing: dict[str, int], code: int, status: str
) -> None:
    smtp = {"host": "127.0.0.1", "port": smtp_refusing["port"], "sender": "m@test.invalid"}
    app = _app(tmp_path, f"wecom://{WECOM_KEY}?endpoint=http://127.0.0.1:9/x", smtp=smtp)
    try:
        with app.sessions() as session:
            address = session.scalars(select(Delivery.target).where(Delivery.channel == "email")).first()
        assert address
        smtp_refusing[address] = code
        app.deliver(NOW)
        with app.sessions() as session:
            email = session.scalars(
                select(Delivery).where(Delivery.channel == "email", Delivery.target == address)
            ).one()
    finally:
        app.close()
    assert (email.status, email.attempts) == (status, 1)
    assert str(code) in email.last_error
    if status == "failed":
        assert email.last_error.startswith("邮件服务器拒收收件人 the SMTP server refused the recipient")
        assert "not retried" in email.last_error
