"""Feishu / Lark bot against a loopback receiver that checks 签名校验 the way Feishu does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from chat_receivers import FEISHU_HOOK, FEISHU_SECRET, FeishuReceiver, feishu_sign, sample_alert

from monitor.alerting.channels.base import ChatDeliveryError
from monitor.alerting.channels.feishu import FeishuChannel, sign
from monitor.alerting.channels.registry import parse_target
from monitor.detect.severity import Severity

TARGET = parse_target(f"feishu://{FEISHU_HOOK}@{FEISHU_SECRET}")


@pytest.fixture(scope="module")
def client():
    with httpx.Client() as client:  # one client per module: creating one loads the CA bundle
        yield client


@pytest.fixture
def receiver():
    with FeishuReceiver() as running:
        yield running


def channel(client, receiver, **kwargs) -> FeishuChannel:
    return FeishuChannel(client, base_url=f"{receiver.url}/open-apis/bot/v2/hook", **kwargs)


def test_signed_card_is_accepted(client, receiver):
    assert channel(client, receiver).send(sample_alert(), TARGET) == "ok"
    [message] = receiver.messages
    assert (
        message["timestamp"].isdigit() and abs(int(message["timestamp"]) - datetime.now(UTC).timestamp()) < 5
    )
    card = message["card"]
    assert card["header"]["template"] == "red"
    assert card["header"]["title"] == {"tag": "plain_text", "content": card["header"]["title"]["content"]}
    assert card["header"]["title"]["content"].startswith("[非常紧迫 very urgent] 途乐旅行")
    body = card["elements"][0]["text"]
    assert body["tag"] == "lark_md"
    assert "**首次联系截止 Respond by 2026-11-23 21:07 (Asia/Shanghai)**" in body["content"]
    button = card["elements"][1]["actions"][0]
    assert button["url"] == "https://bbs.example.cn/forum.php?mod=viewthread&tid=8812"


def test_sign_matches_feishus_algorithm():
    assert sign(1599360473, FEISHU_SECRET) == feishu_sign("1599360473", FEISHU_SECRET)


def test_older_status_code_answer_is_understood(client):
    with FeishuReceiver(legacy_answer=True) as receiver:
        assert channel(client, receiver).send(sample_alert(severity=Severity.GENERAL), TARGET) == "ok"
        assert receiver.messages[0]["card"]["header"]["template"] == "blue"


def test_stale_timestamp_and_wrong_secret_are_refused_like_feishu_does(client, receiver):
    stale = channel(client, receiver, clock=lambda: datetime.now(UTC) - timedelta(hours=2))
    with pytest.raises(
        ChatDeliveryError,
        match=r"飞书拒绝：签名校验失败 19021 sign match fail or timestamp is not within one hour",
    ):
        stale.send(sample_alert(), TARGET)
    with pytest.raises(ChatDeliveryError, match="19021") as caught:
        channel(client, receiver).send(sample_alert(), parse_target(f"feishu://{FEISHU_HOOK}@wrong"))
    assert caught.value.permanent  # Feishu cannot say which; a wrong secret is the likely one
    assert caught.value.reason.endswith(
        "— check the signing secret in the URL, and this server's clock (NTP)"
    )
    assert receiver.messages == []


def test_unknown_hook_is_refused(client, receiver):
    with pytest.raises(ChatDeliveryError, match="飞书拒绝：webhook 无效 19001 param invalid") as caught:
        channel(client, receiver).send(sample_alert(), parse_target(f"feishu://other-hook@{FEISHU_SECRET}"))
    assert "other-hook" not in str(caught.value)


def test_no_button_for_a_link_that_is_not_http(client, receiver):
    channel(client, receiver).send(sample_alert(thread_url="javascript:alert(1)"), TARGET)
    elements = receiver.messages[0]["card"]["elements"]
    assert [element["tag"] for element in elements] == ["div"]


@pytest.mark.parametrize(
    ("scheme", "host"), [("feishu", "https://open.feishu.cn"), ("lark", "https://open.larksuite.com")]
)
def test_feishu_and_lark_go_to_their_own_hosts(client, scheme, host):
    target = parse_target(f"{scheme}://{FEISHU_HOOK}@{FEISHU_SECRET}")
    with respx.mock(assert_all_called=True) as router:
        route = router.post(f"{host}/open-apis/bot/v2/hook/{FEISHU_HOOK}").respond(
            json={"code": 0, "msg": "success"}
        )
        assert FeishuChannel(client).send(sample_alert(), target) == "ok"
        assert route.called
