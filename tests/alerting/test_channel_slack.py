"""Slack incoming webhook against a loopback receiver that answers like Slack (plain ``ok`` or an error)."""

from __future__ import annotations

import httpx
import pytest
from chat_receivers import HOSTILE_TITLE, SLACK_PATH, SlackReceiver, sample_alert

from monitor.alerting.channels.base import ChatDeliveryError
from monitor.alerting.channels.registry import parse_target
from monitor.alerting.channels.slack import SlackChannel

TARGET = parse_target(f"slack://{SLACK_PATH}")


@pytest.fixture(scope="module")
def client():
    with httpx.Client() as client:  # one client per module: creating one loads the CA bundle
        yield client


@pytest.fixture
def receiver():
    with SlackReceiver() as running:
        yield running


def channel(client, receiver) -> SlackChannel:
    return SlackChannel(client, base_url=f"{receiver.url}/services")


def test_mrkdwn_section_is_accepted(client, receiver):
    assert channel(client, receiver).send(sample_alert(thread_title=HOSTILE_TITLE), TARGET) == "ok"
    [message] = receiver.messages
    assert message["unfurl_links"] is False and message["unfurl_media"] is False
    assert message["text"].startswith("【非常紧迫 very urgent】 &lt;script&gt;alert(1)&lt;/script&gt; ＠all")
    assert "<!channel>" not in message["text"] and "@all" not in message["text"]
    [block] = message["blocks"]
    assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
    text = block["text"]["text"]
    assert "<https://bbs.example.cn/forum.php?mod=viewthread&amp;tid=8812|打开帖子 Open the thread>" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text


def test_a_long_alert_fits_a_section_block(client, receiver):
    long = "<&>" * 2000
    assert (
        channel(client, receiver).send(sample_alert(thread_title=long, figures=[long] * 20), TARGET) == "ok"
    )
    assert len(receiver.messages[0]["blocks"][0]["text"]["text"]) <= 3000


def test_unknown_webhook_is_a_permanent_failure_without_the_path(client, receiver):
    target = parse_target("slack://T0001ABCD/B0002EFGH/revokedrevokedrevoked")
    with pytest.raises(ChatDeliveryError) as caught:
        channel(client, receiver).send(sample_alert(), target)
    assert str(caught.value) == (
        "Slack slack://T0001ABCD/****: Slack拒绝：webhook 不存在或已停用 no_service — "
        "the webhook was removed: make a new one (HTTP 404 Not Found)"
    )
    assert caught.value.permanent and "revoked" not in str(caught.value)
