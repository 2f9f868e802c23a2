"""Channel URLs: every form parses, bad ones fail with a clear error that never shows a secret, masking."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from chat_receivers import (
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    FEISHU_HOOK,
    FEISHU_SECRET,
    SLACK_PATH,
    WEBHOOK_SECRET,
    WECOM_KEY,
)

from monitor.alerting.channels.base import Channel, ChannelTarget, ChannelURLError
from monitor.alerting.channels.dingtalk import DingTalkChannel
from monitor.alerting.channels.feishu import FeishuChannel
from monitor.alerting.channels.registry import SCHEMES, ChatChannels, channel_for, mask, parse_target
from monitor.alerting.channels.slack import SlackChannel
from monitor.alerting.channels.webhook import WebhookChannel
from monitor.alerting.channels.wecom import WeComChannel
from monitor.errors import ConfigError, MonitorError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "channels.md"
SECRET_PARTS = (
    WECOM_KEY,
    DINGTALK_TOKEN,
    DINGTALK_SECRET,
    FEISHU_HOOK,
    FEISHU_SECRET,
    "XXXXxxxxXXXXxxxxXXXXxxxx",
)

EVERY_FORM = [
    # url, scheme, address, secret, endpoint, masked
    (f"wecom://{WECOM_KEY}", "wecom", WECOM_KEY, None, None, "wecom://****"),
    (
        f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}",
        "dingtalk",
        DINGTALK_TOKEN,
        DINGTALK_SECRET,
        None,
        "dingtalk://****@****",
    ),
    (
        f"feishu://{FEISHU_HOOK}@{FEISHU_SECRET}",
        "feishu",
        FEISHU_HOOK,
        FEISHU_SECRET,
        None,
        "feishu://****@****",
    ),
    (f"lark://{FEISHU_HOOK}@{FEISHU_SECRET}", "lark", FEISHU_HOOK, FEISHU_SECRET, None, "lark://****@****"),
    (f"slack://{SLACK_PATH}", "slack", SLACK_PATH, None, None, "slack://T0001ABCD/****"),
    (
        "webhook+https://hooks.example.com/monitor/alerts",
        "webhook+https",
        "https://hooks.example.com/monitor/alerts",
        None,
        None,
        "webhook+https://hooks.example.com/****",
    ),
    (
        f"webhook+http://10.0.0.5:8080/in?team=pr&secret={WEBHOOK_SECRET}",
        "webhook+http",
        "http://10.0.0.5:8080/in?team=pr",
        WEBHOOK_SECRET,
        None,
        "webhook+http://10.0.0.5:8080/****?secret=****",
    ),
    (
        "webhook+https://hooks.example.com",
        "webhook+https",
        "https://hooks.example.com/",
        None,
        None,
        "webhook+https://hooks.example.com/",
    ),
    (
        f"wecom://{WECOM_KEY}?endpoint=http://127.0.0.1:8099/cgi-bin/webhook/send",
        "wecom",
        WECOM_KEY,
        None,
        "http://127.0.0.1:8099/cgi-bin/webhook/send",
        "wecom://****?endpoint=http://127.0.0.1:8099/****",
    ),
    (
        "dingtalk://tok%40en@SEC%2Fodd?endpoint=https://gw.example.com/",
        "dingtalk",
        "tok@en",
        "SEC/odd",
        "https://gw.example.com",
        "dingtalk://****@****?endpoint=https://gw.example.com/",
    ),
    ("  SLACK://T1/B2/C3  ", "slack", "T1/B2/C3", None, None, "slack://T1/****"),
]


@pytest.mark.parametrize(("url", "scheme", "address", "secret", "endpoint", "masked"), EVERY_FORM)
def test_every_url_form_parses(url, scheme, address, secret, endpoint, masked):
    target = parse_target(url)
    assert (target.scheme, target.address, target.secret, target.endpoint) == (
        scheme,
        address,
        secret,
        endpoint,
    )
    assert target.masked == masked == mask(url) == str(target)
    assert repr(target) == f"ChannelTarget({masked!r})"
    assert target.ref.startswith(masked + "#")


def test_secret_keeps_its_case_and_is_required_for_signed_robots():
    target = parse_target("dingtalk://abc@SECAbCdEf")
    assert target.secret == "SECAbCdEf"  # urlsplit would have lower-cased it as a host name


BAD_URLS = [
    (f"dingtalk://{DINGTALK_TOKEN}", "dingtalk:// URL is missing the signing secret"),
    (f"dingtalk://{DINGTALK_TOKEN}@", "missing the signing secret"),
    (f"dingtalk://@{DINGTALK_SECRET}", "missing the access token"),
    (f"feishu://{FEISHU_HOOK}", "feishu:// URL is missing the signing secret"),
    (f"lark://{FEISHU_HOOK}", "lark:// URL is missing the signing secret"),
    ("wecom://", "needs the robot's key"),
    (f"wecom://{WECOM_KEY}/extra", "takes no path"),
    (f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}/x", "takes no path"),
    (f"wecom://{WECOM_KEY}?endpiont=http://x", "unknown option 'endpiont'"),
    (f"wecom://{WECOM_KEY}?endpoint=ftp://gw/x", "endpoint must be an absolute http:// or https:// URL"),
    (f"wecom://{WECOM_KEY}?endpoint=http://a/&endpoint=http://b/", "gives option 'endpoint' twice"),
    (f"wecom://{WECOM_KEY}#frag", "must not have a #fragment"),
    (f"wecom://{WECOM_KEY} \n", None),  # surrounding whitespace is trimmed: this one is fine
    (f"wecom://{WECOM_KEY[:5]} {WECOM_KEY[5:]}", "whitespace or control characters"),
    (f"slack://{SLACK_PATH.rsplit('/', 1)[0]}", "needs the three parts after /services/"),
    (f"slack://{SLACK_PATH}/more", "needs the three parts"),
    ("slack://T1/B2/bad-chars!", "letters and digits only"),
    (f"telegram://{WECOM_KEY}", "unknown channel scheme 'telegram'"),
    (f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}", "unknown channel scheme 'https'"),
    (WECOM_KEY, "channel URL must start with one of"),
    ("", "channel URL is empty"),
    ("webhook+ftp://host/x", "unknown channel scheme 'webhook+ftp'"),
    ("webhook+https:///nohost", "must be webhook+https://host/path"),
    ("webhook+https://host:99999/x", "not a valid URL"),
    ("webhook+https://host/x?secret=", "empty ?secret="),
    (f"webhook+https://host/x?secret={WEBHOOK_SECRET}&secret=2", "'secret' twice"),
    (f"webhook+https://host/x?secret={WEBHOOK_SECRET}#f", "#fragment"),
]


@pytest.mark.parametrize(("url", "problem"), BAD_URLS)
def test_bad_urls_fail_with_a_clear_error_that_never_echoes_a_secret(url, problem):
    if problem is None:
        parse_target(url)
        return
    with pytest.raises(ChannelURLError) as caught:
        parse_target(url)
    message = str(caught.value)
    assert problem in message
    for secret in (*SECRET_PARTS, WEBHOOK_SECRET, SLACK_PATH.rsplit("/", 1)[0]):
        assert secret not in message
        assert secret not in mask(url)
    assert isinstance(caught.value, ConfigError) and isinstance(caught.value, ValueError)
    assert caught.value.problems == [message]


def test_mask_never_raises_and_never_shows_the_secret():
    for url in [f"dingtalk://{DINGTALK_TOKEN}", f"nonsense {WECOM_KEY}", f"weird://{WECOM_KEY}@x", "", "://"]:
        shown = mask(url)
        assert WECOM_KEY not in shown and DINGTALK_TOKEN not in shown
    assert mask(f"dingtalk://{DINGTALK_TOKEN}") == "dingtalk://****"
    assert mask(f"weird://{WECOM_KEY}") == "weird://****"
    assert mask(f"nonsense {WECOM_KEY}") == "****"


def test_environment_variables_keep_secrets_out_of_config_files():
    environ = {"DT_TOKEN": DINGTALK_TOKEN, "DT_SECRET": DINGTALK_SECRET, "WECOM_URL": f"wecom://{WECOM_KEY}"}
    target = parse_target("dingtalk://${DT_TOKEN}@${DT_SECRET}", environ=environ)
    assert (target.address, target.secret) == (DINGTALK_TOKEN, DINGTALK_SECRET)
    assert parse_target("${WECOM_URL}", environ=environ).address == WECOM_KEY
    with pytest.raises(ChannelURLError, match=r"environment variable DT_SECRETT is not set"):
        parse_target("dingtalk://${DT_TOKEN}@${DT_SECRETT}", environ=environ)
    # Without an environment the reference is taken literally (and still masked).
    assert mask("dingtalk://${DT_TOKEN}@${DT_SECRET}") == "dingtalk://****@****"


def test_fingerprint_tells_targets_apart_without_showing_them():
    one = parse_target(f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}")
    same = parse_target(f"  dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}")
    other = parse_target(f"dingtalk://{DINGTALK_TOKEN}@SECother")
    assert one == same and one.fingerprint == same.fingerprint
    assert one.fingerprint != other.fingerprint and one.masked == other.masked
    assert DINGTALK_TOKEN not in one.ref and DINGTALK_SECRET not in one.ref


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (f"wecom://{WECOM_KEY}", WeComChannel),
        (f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}", DingTalkChannel),
        (f"feishu://{FEISHU_HOOK}@{FEISHU_SECRET}", FeishuChannel),
        (f"lark://{FEISHU_HOOK}@{FEISHU_SECRET}", FeishuChannel),
        (f"slack://{SLACK_PATH}", SlackChannel),
        ("webhook+https://example.com/x", WebhookChannel),
        ("webhook+http://example.com/x", WebhookChannel),
    ],
)
def test_channel_for_picks_the_module_by_scheme(url, kind):
    with httpx.Client() as client:
        channel = channel_for(parse_target(url), client=client)
        assert type(channel) is kind
        assert isinstance(channel, Channel)
        assert DINGTALK_SECRET not in repr(channel)


def test_a_channel_refuses_a_target_of_another_scheme():
    with httpx.Client() as client, pytest.raises(ValueError, match=r"cannot send to wecom://\*\*\*\*"):
        SlackChannel(client).send(None, parse_target(f"wecom://{WECOM_KEY}"))  # type: ignore[arg-type]


def test_chat_channels_keeps_one_channel_per_scheme_and_checks_base_urls():
    with ChatChannels() as chat:
        first = chat.channel(parse_target(f"wecom://{WECOM_KEY}"))
        assert chat.channel(parse_target("wecom://other-key")) is first
        assert chat.channel(parse_target(f"lark://{FEISHU_HOOK}@{FEISHU_SECRET}")) is not chat.channel(
            parse_target(f"feishu://{FEISHU_HOOK}@{FEISHU_SECRET}")
        )
    with pytest.raises(ValueError, match="unknown channel scheme"):
        ChatChannels(base_urls={"telegram": "http://127.0.0.1:1/"})
    with pytest.raises(ChannelURLError, match="no channel sends to"):
        channel_for(ChannelTarget(scheme="mailto", address="a@example.com", masked="mailto:****"))


def test_errors_sit_in_the_monitor_exception_tree():
    assert issubclass(ChannelURLError, MonitorError)


def test_every_scheme_is_documented():
    docs = DOCS.read_text(encoding="utf-8")
    for scheme in SCHEMES:
        assert f"`{scheme}://" in docs, f"{scheme}:// missing from docs/channels.md"
    assert "endpoint=" in docs and "X-Monitor-Signature" in docs
