"""WeCom (企业微信) group robot: ``wecom://KEY``.

Sends ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY`` with
``{"msgtype": "markdown", "markdown": {"content": …}}``; the content is at most 4096 UTF-8 bytes
(:data:`~monitor.alerting.channels.markdown.WECOM`). WeCom answers HTTP 200 with
``{"errcode": 0, "errmsg": "ok"}``; any other ``errcode`` means the message was refused. What each
documented code means, and whether a retry can help, is in
:data:`monitor.alerting.channels.refusals.WECOM` (93000: the key is wrong or the robot was removed,
permanent; 40058: the content was refused, sent once more at half the length; 45009: at most 20
messages a minute, retried a minute later).

``?endpoint=URL`` (or the ``base_url`` argument) replaces the send URL, for tests and gateways.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import httpx

from monitor.alerting.channels.base import MASK, ChannelTarget, ChannelURLError
from monitor.alerting.channels.httpchannel import HttpChannel, Outgoing, expect_code_zero, json_body
from monitor.alerting.channels.markdown import WECOM, render_chat
from monitor.alerting.channels.markdown import shorter as halved
from monitor.alerting.channels.refusals import WECOM as REFUSALS
from monitor.alerting.channels.urls import check_options, endpoint_option, endpoint_suffix, split_url
from monitor.alerting.message import AlertMessage

FORM = "wecom://KEY"
DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"


class WeComChannel(HttpChannel):
    """Posts alerts as markdown to a WeCom group robot."""

    scheme = "wecom"
    schemes = ("wecom",)
    service = "WeCom"
    default_base_url = DEFAULT_BASE_URL

    @staticmethod
    def parse(url: str) -> ChannelTarget:
        """``wecom://KEY[?endpoint=URL]`` → a target (the key is the ``key=`` of the robot's webhook URL)."""
        parts = split_url(url)
        check_options(parts, {"endpoint"})
        if parts.path.strip("/"):
            raise ChannelURLError(f"wecom:// URL takes no path; the form is {FORM}")
        key = unquote(parts.authority)
        if not key or "@" in key:
            raise ChannelURLError(f"wecom:// URL needs the robot's key and nothing else; the form is {FORM}")
        endpoint = endpoint_option(parts)
        return ChannelTarget(
            scheme="wecom",
            address=key,
            endpoint=endpoint,
            masked=f"wecom://{MASK}{endpoint_suffix(endpoint)}",
        )

    def build(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        return self._request(render_chat(msg, WECOM), target)

    def shorter(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        return self._request(render_chat(msg, halved(msg, WECOM)), target)

    def _request(self, content: str, target: ChannelTarget) -> Outgoing:
        url = f"{self.base_for(target)}?key={quote(target.address, safe='')}"
        return Outgoing(url, json_body({"msgtype": "markdown", "markdown": {"content": content}}))

    def check(self, response: httpx.Response) -> str:
        return expect_code_zero(
            response, "errcode", service=self.service, meanings=lambda code, _: REFUSALS.get(code)
        )
