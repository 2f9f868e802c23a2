"""Feishu (飞书) / Lark custom bot with signature verification (签名校验).

``feishu://HOOK_ID@SECRET`` sends to ``https://open.feishu.cn/open-apis/bot/v2/hook/HOOK_ID``,
``lark://HOOK_ID@SECRET`` to ``https://open.larksuite.com/open-apis/bot/v2/hook/HOOK_ID``. The body
is an interactive card (header coloured by severity, a ``lark_md`` body, a button to the thread)
with ``timestamp`` (seconds, as a string) and ``sign``, which is, as Feishu documents it::

    base64(HMAC-SHA256(key=f"{timestamp}\\n{SECRET}", msg=b""))

Feishu rejects a timestamp more than an hour old. It answers HTTP 200 with ``{"code": 0, …}`` (older
deployments: ``{"StatusCode": 0, …}``); any other code is a refusal, explained by
:data:`monitor.alerting.channels.refusals.FEISHU` (19001 hook, 19021 signature or timestamp, 19022 IP
allow-list, 19024 keyword rule: permanent; 9499 bad request or over 20 KB: sent once more at half
the length; 11232 rate limited: retried a minute later). ``?endpoint=URL`` replaces the URL before
the hook id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote

import httpx

from monitor.alerting.channels.base import MASK, ChannelTarget
from monitor.alerting.channels.httpchannel import (
    HttpChannel,
    Outgoing,
    Refused,
    error_code,
    expect_code_zero,
    json_body,
)
from monitor.alerting.channels.markdown import FEISHU, Dialect, chat_title, render_chat
from monitor.alerting.channels.markdown import shorter as halved
from monitor.alerting.channels.refusals import FEISHU as REFUSALS
from monitor.alerting.channels.urls import (
    check_options,
    endpoint_option,
    endpoint_suffix,
    split_url,
    token_and_secret,
)
from monitor.alerting.message import AlertMessage
from monitor.alerting.render import safe_href
from monitor.detect.severity import Severity

FEISHU_BASE_URL = "https://open.feishu.cn/open-apis/bot/v2/hook"
LARK_BASE_URL = "https://open.larksuite.com/open-apis/bot/v2/hook"
_TEMPLATES = {Severity.GENERAL: "blue", Severity.URGENT: "orange", Severity.VERY_URGENT: "red"}


def sign(timestamp_s: int, secret: str) -> str:
    """Feishu's signature of a timestamp in seconds: the HMAC key is the string, the message empty."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def card(msg: AlertMessage, dialect: Dialect = FEISHU) -> dict[str, Any]:
    """The interactive card for an alert (title plain text, body ``lark_md``, button only for http(s))."""
    elements: list[dict[str, Any]] = [
        {"tag": "div", "text": {"tag": "lark_md", "content": render_chat(msg, dialect)}}
    ]
    href = safe_href(msg.thread_url)
    if href is not None:
        button = {
            "tag": "button",
            "text": {"tag": "plain_text", "content": "打开帖子 Open the thread"},
            "type": "primary",
            "url": href,
        }
        elements.append({"tag": "action", "actions": [button]})
    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {"tag": "plain_text", "content": chat_title(msg, 100)},
            "template": _TEMPLATES[msg.severity],
        },
        "elements": elements,
    }


class FeishuChannel(HttpChannel):
    """Posts alerts as interactive cards to a signed Feishu or Lark group bot."""

    scheme = "feishu"
    schemes = ("feishu", "lark")
    service = "Feishu"
    default_base_url = FEISHU_BASE_URL

    @staticmethod
    def parse(url: str) -> ChannelTarget:
        """``feishu://HOOK_ID@SECRET`` or ``lark://HOOK_ID@SECRET`` (``?endpoint=URL``) → a target."""
        parts = split_url(url)
        check_options(parts, {"endpoint"})
        form = f"{parts.scheme}://HOOK_ID@SECRET"
        hook, secret = token_and_secret(parts, form, "hook id", "signing secret")
        endpoint = endpoint_option(parts)
        return ChannelTarget(
            scheme=parts.scheme,
            address=hook,
            secret=secret,
            endpoint=endpoint,
            masked=f"{parts.scheme}://{MASK}@{MASK}{endpoint_suffix(endpoint)}",
        )

    def build(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        return self._request(msg, target, FEISHU)

    def shorter(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        return self._request(msg, target, halved(msg, FEISHU))

    def _request(self, msg: AlertMessage, target: ChannelTarget, dialect: Dialect) -> Outgoing:
        assert target.secret is not None  # parse() requires it
        default = LARK_BASE_URL if target.scheme == "lark" else FEISHU_BASE_URL
        url = f"{self.base_for(target, default)}/{quote(target.address, safe='')}"
        timestamp = int(self.clock().timestamp())
        payload = {
            "timestamp": str(timestamp),
            "sign": sign(timestamp, target.secret),
            "msg_type": "interactive",
            "card": card(msg, dialect),
        }
        return Outgoing(url, json_body(payload))

    def check(self, response: httpx.Response) -> str:
        return expect_code_zero(
            response, "code", "StatusCode", service=self.service, meanings=lambda code, _: REFUSALS.get(code)
        )

    def explain(self, response: httpx.Response) -> Refused | None:
        """Feishu answers some refusals (9499 Bad Request) with HTTP 400 and its code in the body."""
        try:
            data = response.json()
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict):
            return None
        _, code, message = error_code(data, "code", "StatusCode")
        meaning = REFUSALS.get(code) if code is not None else None
        return Refused.meaning(self.service, meaning, code, message) if meaning and code is not None else None
