"""WeCom group robot against a loopback receiver that answers like WeCom (errcode in a 200 answer)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from chat_receivers import WECOM_KEY, ChecklistLine, Received, WeComReceiver, json_answer, sample_alert

from monitor.alerting.channels.base import ChatDeliveryError
from monitor.alerting.channels.registry import parse_target
from monitor.alerting.channels.wecom import WeComChannel

TARGET = parse_target(f"wecom://{WECOM_KEY}")


@pytest.fixture(scope="module")
def client():
    with httpx.Client() as client:  # one client per module: creating one loads the CA bundle
        yield client


@pytest.fixture
def receiver():
    with WeComReceiver() as running:
        yield running


def channel(client, receiver) -> WeComChannel:
    return WeComChannel(client, base_url=f"{receiver.url}/cgi-bin/webhook/send")


def test_markdown_message_is_accepted(client, receiver):
    assert channel(client, receiver).send(sample_alert(), TARGET) == "ok"
    [message] = receiver.messages
    content = message["markdown"]["content"]
    assert content.startswith('<font color="warning">**【非常紧迫 very urgent】途乐旅行收了我2万8团费')
    assert content.split("\n")[0].endswith("…**</font> · 告警 Alert #7")
    assert "[打开帖子 Open the thread](https://bbs.example.cn/" in content


def test_a_long_alert_still_fits_wecoms_4096_bytes(client, receiver):
    long = "客服电话打了一周都没有人管" * 100
    msg = sample_alert(thread_title=long, figures=[long] * 30, checklist=[ChecklistLine(long)] * 30)
    assert channel(client, receiver).send(msg, TARGET) == "ok"
    assert len(receiver.messages[0]["markdown"]["content"].encode()) <= 4096


def test_wrong_key_is_a_permanent_failure_and_the_key_is_not_shown(client, receiver):
    with pytest.raises(ChatDeliveryError) as caught:
        channel(client, receiver).send(sample_alert(), parse_target("wecom://0000-wrong-key-0000"))
    assert str(caught.value).startswith(
        "WeCom wecom://****: 企业微信拒绝：webhook 地址无效 93000 invalid webhook url"
    )
    assert str(caught.value).endswith("— the key is wrong or the robot was removed: check the wecom:// key")
    assert caught.value.permanent and "0000-wrong-key-0000" not in str(caught.value)


@dataclass
class EchoingReceiver(WeComReceiver):
    """A gateway that puts the whole request line into its error message."""

    def answer(self, request: Received):
        return json_answer(
            {"errcode": 45009, "errmsg": f"api freq out of limit for {request.path}?{request.raw_query}"}
        )


def test_a_service_echoing_the_key_does_not_leak_it(client):
    with EchoingReceiver() as receiver, pytest.raises(ChatDeliveryError) as caught:
        channel(client, receiver).send(sample_alert(), TARGET)
    assert WECOM_KEY not in str(caught.value) and "key=****" in str(caught.value)
    assert not caught.value.permanent
