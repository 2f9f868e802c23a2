"""Generic JSON webhook against a loopback receiver that verifies the HMAC signature and the send time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from chat_receivers import WEBHOOK_SECRET, WebhookReceiver, sample_alert

from monitor.alerting.channels.base import ChatDeliveryError
from monitor.alerting.channels.registry import parse_target
from monitor.alerting.channels.webhook import SIGNATURE_HEADER, WebhookChannel, alert_payload, signature
from monitor.detect.severity import Severity

SENT = datetime(2026, 11, 23, 9, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def client():
    with httpx.Client() as client:  # one client per module: creating one loads the CA bundle
        yield client


def test_signed_payload_is_verified_and_the_secret_never_travels(client):
    with WebhookReceiver(secret=WEBHOOK_SECRET) as receiver:
        target = parse_target(f"webhook+{receiver.url}/hooks/pr?team=pr&secret={WEBHOOK_SECRET}")
        assert WebhookChannel(client).send(sample_alert(escalated_from=Severity.URGENT), target) == "ok"
    [request] = receiver.requests
    assert request.path == "/hooks/pr" and request.query == {"team": "pr"}
    assert WEBHOOK_SECRET not in request.raw_query and WEBHOOK_SECRET.encode() not in request.body
    assert request.headers["x-monitor-signature"] == signature(WEBHOOK_SECRET, request.body)
    [payload] = receiver.messages
    assert payload["event"] == "alert.escalated" and payload["escalated_from"] == "urgent"
    assert payload["respond_by"] == "2026-11-23T13:07:00Z"
    assert payload["respond_by_local"] == "2026-11-23 21:07 (Asia/Shanghai)"
    assert payload["spokesperson"] == {"key": "zhang", "name": "张敏", "email": "zhang.min@example.com"}
    assert [step["done"] for step in payload["checklist"]] == [True, False, False, False, False]


def test_unsigned_webhook_has_no_signature_header(client):
    with WebhookReceiver() as receiver:
        WebhookChannel(client).send(sample_alert(), parse_target(f"webhook+{receiver.url}/in"))
    assert "x-monitor-signature" not in receiver.requests[0].headers


def test_wrong_secret_and_stale_message_are_refused(client):
    with WebhookReceiver(secret=WEBHOOK_SECRET) as receiver:
        wrong = parse_target(f"webhook+{receiver.url}/in?secret=not-the-secret")
        with pytest.raises(ChatDeliveryError, match="HTTP 401 Unauthorized") as caught:
            WebhookChannel(client).send(sample_alert(), wrong)
        assert caught.value.permanent and "not-the-secret" not in str(caught.value)
        good = parse_target(f"webhook+{receiver.url}/in?secret={WEBHOOK_SECRET}")
        stale = WebhookChannel(client, clock=lambda: datetime.now(UTC) - timedelta(hours=2))
        with pytest.raises(ChatDeliveryError, match="stale"):
            stale.send(sample_alert(), good)
        assert receiver.messages == []


def test_any_2xx_is_success_and_5xx_is_not(client):
    with WebhookReceiver(status=202) as receiver:
        assert WebhookChannel(client).send(sample_alert(), parse_target(f"webhook+{receiver.url}/")) == "ok"
    with WebhookReceiver(status=503) as receiver, pytest.raises(ChatDeliveryError) as caught:
        WebhookChannel(client).send(sample_alert(), parse_target(f"webhook+{receiver.url}/"))
    assert "HTTP 503 Service Unavailable" in str(caught.value) and not caught.value.permanent


def test_base_url_sends_through_a_gateway_keeping_path_and_query(client):
    with WebhookReceiver() as receiver:
        target = parse_target("webhook+https://hooks.example.com/pr/alerts?x=1")
        WebhookChannel(client, base_url=f"{receiver.url}/gw").send(sample_alert(), target)
    assert receiver.requests[0].path == "/gw/pr/alerts" and receiver.requests[0].query == {"x": "1"}


def test_payload_keeps_forum_text_as_data_without_control_characters():
    msg = sample_alert(thread_title="<b>标题</b>\x1b[2J", thread_url="javascript:alert(1)")
    payload = alert_payload(msg, SENT)
    assert payload["thread_title"] == "<b>标题</b>[2J"
    assert payload["thread_url"] is None and payload["sent_at"] == "2026-11-23T09:08:00Z"
    assert payload["event"] == "alert.opened" and payload["version"] == 1
    assert SIGNATURE_HEADER == "X-Monitor-Signature"


def test_payload_has_no_invisible_or_direction_characters():
    hidden = "\u202e\u2066\u200f\u061c\u200b\u2060\ufeff\U000e0041"  # reorder or hide text where shown
    msg = sample_alert(
        thread_title=f"退{hidden}款", board_name=f"投诉{hidden}维权", excerpt=f"第一行{hidden}"
    )
    payload = alert_payload(msg, SENT)
    assert (payload["thread_title"], payload["board"], payload["excerpt"]) == ("退款", "投诉维权", "第一行")
