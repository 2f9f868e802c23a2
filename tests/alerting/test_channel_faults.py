"""How every chat channel fails (respx, and a closed loopback port), and that no secret is ever shown.

Each failure must raise DeliveryError with a reason the outbox can record, so the delivery stays
queued: an error code in a 200 answer, 429 (with Retry-After), 5xx, timeouts, reset connections,
non-JSON answers. Neither the error nor any log record (ours or httpx's) may contain a secret.
"""

from __future__ import annotations

import logging
import socket

import httpx
import pytest
import respx
from chat_receivers import (
    ALL_SECRETS,
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    FEISHU_HOOK,
    FEISHU_SECRET,
    SLACK_PATH,
    WEBHOOK_SECRET,
    WECOM_KEY,
    DingTalkReceiver,
    FeishuReceiver,
    SlackReceiver,
    WebhookReceiver,
    WeComReceiver,
    sample_alert,
)

from monitor.alerting.channels.base import ChatDeliveryError
from monitor.alerting.channels.registry import ChatChannels, channel_for, parse_target
from monitor.errors import DeliveryError

# name: (channel URL, URL prefix the request goes to, a real "refused in a 200 answer" from that service,
# the reason shown, and the wait the service documents — None: the refusal is permanent)
SERVICES = {
    "wecom": (
        f"wecom://{WECOM_KEY}",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
        httpx.Response(200, json={"errcode": 45009, "errmsg": "api freq out of limit"}),
        "企业微信限流：发送太频繁 45009 api freq out of limit — at most 20 messages a minute a robot "
        "(retry after 60 s)",
        60,
    ),
    "dingtalk": (
        f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}",
        "https://oapi.dingtalk.com/robot/send",
        httpx.Response(200, json={"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}),
        "钉钉限流：发送太频繁 130101 send too fast, exceed 20 times per minute — at most 20 messages a "
        "minute; DingTalk then throttles for 10 minutes (retry after 600 s)",
        600,
    ),
    "feishu": (
        f"feishu://{FEISHU_HOOK}@{FEISHU_SECRET}",
        "https://open.feishu.cn/open-apis/bot/v2/hook/",
        httpx.Response(200, json={"code": 11232, "data": {}, "msg": "frequency limited"}),
        "飞书限流：发送太频繁 11232 frequency limited — at most 100 messages a minute, 5 a second "
        "(retry after 60 s)",
        60,
    ),
    "slack": (
        f"slack://{SLACK_PATH}",
        "https://hooks.slack.com/services/",
        httpx.Response(200, text="invalid_token"),
        "Slack拒绝：webhook 令牌无效 invalid_token — the webhook was revoked: make a new one",
        None,
    ),
    "webhook": (
        f"webhook+https://hooks.example.com/monitor/abcdefghijklmnopqrstuvwx?secret={WEBHOOK_SECRET}",
        "https://hooks.example.com/monitor/",
        None,  # any 2xx is success
        "",
        None,
    ),
}
NAMES = list(SERVICES)


@pytest.fixture(scope="module")
def client():
    with httpx.Client() as client:  # one client per module: creating one loads the CA bundle
        yield client


@pytest.fixture(autouse=True)
def capture_everything(caplog):
    caplog.set_level(logging.DEBUG)  # httpx logs request URLs at INFO, httpcore talks at DEBUG
    return caplog


def assert_nothing_leaked(error: BaseException | None, caplog) -> None:
    shown = [str(error), repr(error)] if error is not None else []
    for record in caplog.records:
        shown.append(record.getMessage())
        shown.append(repr({key: value for key, value in vars(record).items() if key not in ("msg", "args")}))
    for text in shown:
        for secret in ALL_SECRETS:
            assert secret not in text, f"secret shown in: {text[:200]}"


def fail(name, client, response=None, side_effect=None) -> ChatDeliveryError:
    url, prefix, *_ = SERVICES[name]
    with respx.mock(assert_all_called=True) as router:
        route = router.post(url__startswith=prefix)
        if side_effect is not None:
            route.mock(side_effect=side_effect)
        else:
            route.mock(return_value=response)
        with pytest.raises(DeliveryError) as caught:
            channel_for(parse_target(url), client=client).send(sample_alert(), parse_target(url))
    assert isinstance(caught.value, ChatDeliveryError)
    return caught.value


@pytest.mark.parametrize("name", [name for name in NAMES if SERVICES[name][2] is not None])
def test_an_error_code_in_a_200_answer_is_a_failure(name, client, caplog):
    error = fail(name, client, SERVICES[name][2])
    assert error.reason == SERVICES[name][3]
    wait = SERVICES[name][4]
    assert (error.permanent, error.retry_after) == ((False, wait) if wait is not None else (True, None))
    assert_nothing_leaked(error, caplog)


@pytest.mark.parametrize("name", NAMES)
def test_429_is_retried_later_as_the_service_asks(name, client, caplog):
    error = fail(name, client, httpx.Response(429, headers={"Retry-After": "30"}, text="slow down"))
    assert error.reason == "HTTP 429 Too Many Requests (rate limited; retry after 30 s)"
    assert error.retry_after == 30 and not error.permanent
    assert_nothing_leaked(error, caplog)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(name, status, client, caplog):
    error = fail(name, client, httpx.Response(status, text="<html>upstream error</html>"))
    assert error.reason.startswith(f"HTTP {status} ") and error.reason.endswith(
        ": <html>upstream error</html>"
    )
    assert not error.permanent and error.retry_after is None
    assert not error.unreachable  # it answered
    assert_nothing_leaked(error, caplog)


@pytest.mark.parametrize("name", NAMES)
def test_client_errors_are_permanent(name, client, caplog):
    error = fail(name, client, httpx.Response(403, text="action_prohibited"))
    if name == "slack":  # Slack's word is explained
        said = "Slack拒绝：工作区禁止此 webhook 发言 action_prohibited — an admin restricts posting there"
        assert error.reason == f"{said} (HTTP 403 Forbidden)"
    else:
        assert error.reason == "HTTP 403 Forbidden: action_prohibited"
    assert error.permanent
    assert_nothing_leaked(error, caplog)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("exception", "reason"),
    [
        (httpx.ReadTimeout("The read operation timed out"), "no answer within 10 s (ReadTimeout)"),
        (httpx.ConnectTimeout("timed out"), "no answer within 10 s (ConnectTimeout)"),
        (
            httpx.ReadError("[Errno 104] Connection reset by peer"),
            "ReadError: [Errno 104] Connection reset by peer",
        ),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            "RemoteProtocolError: Server disconnected without sending a response.",
        ),
        (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), "ConnectError: [Errno -3] "),
    ],
    ids=["read-timeout", "connect-timeout", "reset", "disconnected", "dns"],
)
def test_network_failures_are_transient(name, exception, reason, client, caplog):
    error = fail(name, client, side_effect=exception)
    assert error.reason.startswith(reason) and not error.permanent
    assert error.unreachable  # the outbox tries no other message for this target in the same run
    assert_nothing_leaked(error, caplog)


@pytest.mark.parametrize("name", ["wecom", "dingtalk", "feishu"])
@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("<h1>502 Bad Gateway</h1>", "text/html", "answer is not JSON: '<h1>502 Bad Gateway</h1>'"),
        ("", "text/plain", "answer is empty"),
        ("[0]", "application/json", "answer is not a JSON object: '[0]'"),
        ('{"ok": true}', "application/json", "answer has no"),
        ('{"errcode": "x", "code": null}', "application/json", "answer has no"),
    ],
    ids=["html", "empty", "array", "no-code", "bad-code"],
)
def test_answers_that_are_not_the_services_json_are_failures(
    name, body, content_type, reason, client, caplog
):
    error = fail(name, client, httpx.Response(200, text=body, headers={"Content-Type": content_type}))
    assert reason in error.reason
    assert_nothing_leaked(error, caplog)


def test_slack_html_answer_is_a_failure(client, caplog):
    error = fail("slack", client, httpx.Response(200, text="<html>captive portal</html>"))
    assert error.reason == "answered '<html>captive portal</html>' instead of 'ok'"


def test_webhook_takes_any_2xx(client):
    url = SERVICES["webhook"][0]
    with respx.mock() as router:
        router.post(url__startswith=SERVICES["webhook"][1]).respond(202, text="not json at all")
        assert channel_for(parse_target(url), client=client).send(sample_alert(), parse_target(url)) == "ok"


@pytest.mark.parametrize("name", NAMES)
def test_a_redirect_is_not_followed(name, client, caplog):
    error = fail(name, client, httpx.Response(302, headers={"Location": "https://elsewhere.example/"}))
    assert error.reason.startswith("HTTP 302 Found")
    assert_nothing_leaked(error, caplog)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("name", NAMES)
def test_connection_refused_on_loopback(name, caplog):
    base = f"http://127.0.0.1:{closed_port()}"
    target = parse_target(SERVICES[name][0])
    with (
        ChatChannels(base_urls={target.scheme: base}, timeout=2) as chat,
        pytest.raises(ChatDeliveryError) as caught,
    ):
        chat.send(sample_alert(), target)
    assert caught.value.reason.startswith("ConnectError:") and not caught.value.permanent
    assert caught.value.unreachable
    assert_nothing_leaked(caught.value, caplog)


def test_successful_deliveries_log_nothing_secret(caplog):
    """Real requests to every receiver, with httpx's request log on: secrets appear nowhere."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="monitor")  # an earlier `monitor --quiet` in-process set WARNING
    receivers = [WeComReceiver(), DingTalkReceiver(), FeishuReceiver(), SlackReceiver(), WebhookReceiver()]
    for receiver in receivers:
        receiver.__enter__()
    try:
        wecom, dingtalk, feishu, slack, webhook = receivers
        base_urls = {
            "wecom": f"{wecom.url}/cgi-bin/webhook/send",
            "dingtalk": f"{dingtalk.url}/robot/send",
            "feishu": f"{feishu.url}/open-apis/bot/v2/hook",
            "slack": f"{slack.url}/services",
        }
        webhook_url = f"webhook+{webhook.url}/monitor/abcdefghijklmnopqrstuvwx?secret={WEBHOOK_SECRET}"
        with ChatChannels(base_urls=base_urls) as chat:
            for url in [
                *(SERVICES[name][0] for name in ("wecom", "dingtalk", "feishu", "slack")),
                webhook_url,
            ]:
                assert chat.send(sample_alert(), parse_target(url)) == "ok"
    finally:
        for receiver in receivers:
            receiver.__exit__(None, None, None)
    http_lines = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert len(http_lines) == 5 and all("HTTP Request: POST http://127.0.0.1:" in line for line in http_lines)
    assert any("key=****" in line for line in http_lines)
    assert any("access_token=****" in line for line in http_lines)
    assert any("/services/****" in line for line in http_lines)
    ours = [record for record in caplog.records if record.name.startswith("monitor.alerting.channels")]
    assert [record.target for record in ours] == [
        "wecom://****",
        "dingtalk://****@****",
        "feishu://****@****",
        "slack://T0001ABCD/****",
        f"webhook+http://127.0.0.1:{webhook.url.rsplit(':', 1)[1]}/****?secret=****",
    ]
    assert_nothing_leaked(None, caplog)


def test_feishu_legacy_status_code_is_read_too(client):
    response = httpx.Response(
        200, json={"Extra": None, "StatusCode": 19024, "StatusMessage": "Key Words Not Found"}
    )
    error = fail("feishu", client, response)
    assert error.reason.startswith("飞书拒绝：消息不含自定义关键词 19024 Key Words Not Found — ")
    assert error.permanent


def test_the_httpx_error_behind_a_failure_is_not_chained(client):
    """A traceback of the DeliveryError must not print the httpx error, which holds the request URL."""
    error = fail("wecom", client, side_effect=httpx.ConnectError("refused"))
    assert error.__cause__ is None and error.__suppress_context__


def test_an_injected_client_that_follows_redirects_still_does_not(caplog):
    with httpx.Client(follow_redirects=True) as client:
        error = fail(
            "dingtalk", client, httpx.Response(307, headers={"Location": "https://elsewhere.example/"})
        )
    assert error.reason.startswith("HTTP 307 Temporary Redirect")
