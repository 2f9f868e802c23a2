"""DingTalk (钉钉) custom robot with signing (加签): ``dingtalk://ACCESS_TOKEN@SECRET``.

Sends ``POST https://oapi.dingtalk.com/robot/send?access_token=…&timestamp=…&sign=…`` with
``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``. ``timestamp`` is the current time
in milliseconds and ``sign`` is, as DingTalk documents it::

    urlencode(base64(HMAC-SHA256(key=SECRET, msg=f"{timestamp}\\n{SECRET}")))

DingTalk rejects a timestamp more than an hour away from its clock. It answers HTTP 200 with
``{"errcode": 0, "errmsg": "ok"}``; any other ``errcode`` is a refusal, explained by
:func:`monitor.alerting.channels.refusals.dingtalk_meaning` (310000 with ``sign not match``,
``keywords not in content`` or an IP outside the robot's range, and 300001 no such token, are
permanent; 310000 ``invalid timestamp`` is retried, signed afresh; 130101, more than 20 messages a
minute, is retried after DingTalk's 10 minutes of throttling).

The secret (``SEC…``) is required: alerts go to signed robots only, so a URL without it is a
configuration mistake, reported when the URL is parsed. ``?endpoint=URL`` replaces the send URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

import httpx

from monitor.alerting.channels.base import MASK, ChannelTarget
from monitor.alerting.channels.httpchannel import HttpChannel, Outgoing, expect_code_zero, json_body
from monitor.alerting.channels.markdown import DINGTALK, chat_title, render_chat
from monitor.alerting.channels.refusals import dingtalk_meaning
from monitor.alerting.channels.urls import (
    check_options,
    endpoint_option,
    endpoint_suffix,
    split_url,
    token_and_secret,
)
from monitor.alerting.message import AlertMessage

FORM = "dingtalk://ACCESS_TOKEN@SECRET"
DEFAULT_BASE_URL = "https://oapi.dingtalk.com/robot/send"
TITLE_CHARS = 64


def sign(timestamp_ms: int, secret: str) -> str:
    """DingTalk's signature (base64, before URL-encoding) of a millisecond timestamp."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkChannel(HttpChannel):
    """Posts alerts as markdown to a signed DingTalk group robot."""

    scheme = "dingtalk"
    schemes = ("dingtalk",)
    service = "DingTalk"
    default_base_url = DEFAULT_BASE_URL

    @staticmethod
    def parse(url: str) -> ChannelTarget:
        """``dingtalk://ACCESS_TOKEN@SECRET[?endpoint=URL]`` → a target; the secret is required."""
        parts = split_url(url)
        check_options(parts, {"endpoint"})
        token, secret = token_and_secret(parts, FORM, "access token", "signing secret (SEC…)")
        endpoint = endpoint_option(parts)
        return ChannelTarget(
            scheme="dingtalk",
            address=token,
            secret=secret,
            endpoint=endpoint,
            masked=f"dingtalk://{MASK}@{MASK}{endpoint_suffix(endpoint)}",
        )

    def build(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        assert target.secret is not None  # parse() requires it
        timestamp = int(self.clock().timestamp() * 1000)
        signature = quote(sign(timestamp, target.secret), safe="")
        url = (
            f"{self.base_for(target)}?access_token={quote(target.address, safe='')}"
            f"&timestamp={timestamp}&sign={signature}"
        )
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": chat_title(msg, TITLE_CHARS), "text": render_chat(msg, DINGTALK)},
        }
        return Outgoing(url, json_body(payload))

    def check(self, response: httpx.Response) -> str:
        return expect_code_zero(response, "errcode", service=self.service, meanings=dingtalk_meaning)
