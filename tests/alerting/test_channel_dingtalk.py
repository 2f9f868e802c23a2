"""DingTalk robot against a loopback receiver that checks 加签 the way DingTalk does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from chat_receivers import DINGTALK_SECRET, DINGTALK_TOKEN, DingTalkReceiver, dingtalk_sign, sample_alert

from monitor.alerting.channels.base import ChatDeliveryError
from monitor.alerting.channels.dingtalk import DingTalkChannel, sign
from monitor.alerting.channels.registry import parse_target

TARGET = parse_target(f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}")


@pytest.fixture(scope="module")
def client():
    with httpx.Client() as client:  # one client per module: creating one loads the CA bundle
        yield client


@pytest.fixture
def receiver():
    with DingTalkReceiver() as running:
        yield running


def channel(client, receiver, **kwargs) -> DingTalkChannel:
    return DingTalkChannel(client, base_url=f"{receiver.url}/robot/send", **kwargs)


def test_signed_markdown_message_is_accepted(client, receiver):
    before = datetime.now(UTC)
    assert channel(client, receiver).send(sample_alert(), TARGET) == "ok"
    [request] = receiver.requests
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    timestamp = int(request.query["timestamp"])
    assert abs(timestamp - before.timestamp() * 1000) < 5000  # milliseconds
    # base64 of a 32-byte HMAC ends in '='; DingTalk wants it URL-encoded in the query.
    assert request.raw_query.endswith("%3D") and "=" not in request.raw_query.rpartition("sign=")[2]
    [message] = receiver.messages
    assert message["msgtype"] == "markdown"
    assert message["markdown"]["title"].startswith("[非常紧迫 very urgent] 途乐旅行")
    text = message["markdown"]["text"]
    assert "**首次联系截止 Respond by 2026-11-23 21:07 (Asia/Shanghai)**" in text and "\n\n" in text


def test_sign_matches_dingtalks_algorithm():
    assert sign(1700000000000, DINGTALK_SECRET) == dingtalk_sign("1700000000000", DINGTALK_SECRET)


def test_a_timestamp_within_the_hour_is_accepted_and_a_stale_one_refused(client, receiver):
    def clock_ago(minutes):
        return lambda: datetime.now(UTC) - timedelta(minutes=minutes)

    assert channel(client, receiver, clock=clock_ago(55)).send(sample_alert(), TARGET) == "ok"
    with pytest.raises(ChatDeliveryError) as caught:
        channel(client, receiver, clock=clock_ago(65)).send(sample_alert(), TARGET)
    assert str(caught.value) == (
        "DingTalk dingtalk://****@****: 钉钉暂未接收：时间戳无效 310000 invalid timestamp — "
        "this server's clock is over an hour off: check NTP; signed afresh next try"
    )
    assert not caught.value.permanent  # the next try signs with the clock as it is then


def test_wrong_secret_is_a_failure_even_though_the_answer_is_http_200(client, receiver):
    wrong = parse_target(f"dingtalk://{DINGTALK_TOKEN}@SECwrong")
    with pytest.raises(ChatDeliveryError) as caught:
        channel(client, receiver).send(sample_alert(), wrong)
    assert caught.value.reason.startswith("钉钉拒绝：签名不匹配 310000 sign not match, more: [")
    assert caught.value.reason.endswith("— check the signing secret (SEC…) in the dingtalk:// URL")
    assert caught.value.permanent and "SECwrong" not in str(caught.value)
    assert receiver.messages == []


def test_unknown_token_is_permanent(client, receiver):
    with pytest.raises(ChatDeliveryError, match="token is not exist") as caught:
        channel(client, receiver).send(sample_alert(), parse_target(f"dingtalk://nope@{DINGTALK_SECRET}"))
    assert caught.value.permanent


def test_endpoint_in_the_url_points_the_target_at_a_gateway(client, receiver):
    target = parse_target(f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}?endpoint={receiver.url}/robot/send")
    assert DingTalkChannel(client).send(sample_alert(), target) == "ok"
