"""Chat channels by URL scheme: parse a channel URL, mask it for display, pick the channel that sends to it.

=============================  ====================================================================
URL                            sends to
=============================  ====================================================================
``wecom://KEY``                WeCom group robot: ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY``
``dingtalk://TOKEN@SECRET``    DingTalk robot, signed: ``https://oapi.dingtalk.com/robot/send?access_token=TOKEN``
``feishu://HOOK_ID@SECRET``    Feishu bot, signed: ``https://open.feishu.cn/open-apis/bot/v2/hook/HOOK_ID``
``lark://HOOK_ID@SECRET``      Lark bot, signed: ``https://open.larksuite.com/open-apis/bot/v2/hook/HOOK_ID``
``slack://T000/B000/TOKEN``     Slack incoming webhook: ``https://hooks.slack.com/services/T000/B000/TOKEN``
``webhook+https://host/path``  any JSON endpoint (``webhook+http://`` too); ``?secret=S`` signs the body
=============================  ====================================================================

Every chat URL but the webhook's takes ``?endpoint=URL`` to replace the service's address (a
self-hosted gateway, a test server). ``${NAME}`` in a URL is replaced by the environment variable
``NAME`` when an environment is passed to :func:`parse_target`, so the config files need not hold
the secrets. Masked forms: ``wecom://****``, ``dingtalk://****@****``, ``feishu://****@****``,
``slack://T000/****``, ``webhook+https://host/****?secret=****``.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Mapping
from datetime import datetime

import httpx

from monitor.alerting.channels.base import MASK, Channel, ChannelTarget, ChannelURLError
from monitor.alerting.channels.dingtalk import DingTalkChannel
from monitor.alerting.channels.feishu import FeishuChannel
from monitor.alerting.channels.httpchannel import DEFAULT_TIMEOUT, HttpChannel, utc_now
from monitor.alerting.channels.slack import SlackChannel
from monitor.alerting.channels.webhook import WebhookChannel
from monitor.alerting.channels.wecom import WeComChannel
from monitor.alerting.message import AlertMessage

CHANNELS: dict[str, type[HttpChannel]] = {
    scheme: channel
    for channel in (WeComChannel, DingTalkChannel, FeishuChannel, SlackChannel, WebhookChannel)
    for scheme in channel.schemes
}
SCHEMES: tuple[str, ...] = tuple(sorted(CHANNELS))
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*)://")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def scheme_of(url: str) -> str | None:
    """The URL's scheme in lower case, or None if it has none."""
    found = _SCHEME.match(url)
    return found.group(1).lower() if found else None


def expand(url: str, environ: Mapping[str, str]) -> str:
    """``${NAME}`` replaced by ``environ[NAME]``; a missing variable is an error naming it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ or not environ[name]:
            raise ChannelURLError(
                f"channel URL uses ${{{name}}} but the environment variable {name} is not set"
            )
        return environ[name]

    return _VARIABLE.sub(value, url)


def parse_target(url: str, *, environ: Mapping[str, str] | None = None) -> ChannelTarget:
    """Parse a channel URL (see the module's table). Raises :class:`ChannelURLError` saying what is wrong.

    The error never contains the URL or any part of it: a secret pasted in the wrong place must
    not end up in a log or on the screen.
    """
    if not isinstance(url, str) or not url.strip():
        raise ChannelURLError("channel URL is empty")
    if environ is not None:
        url = expand(url, environ)
    scheme = scheme_of(url)
    if scheme is None:
        raise ChannelURLError(f"channel URL must start with one of: {', '.join(s + '://' for s in SCHEMES)}")
    channel = CHANNELS.get(scheme)
    if channel is None:
        raise ChannelURLError(
            f"unknown channel scheme {scheme!r}; known: {', '.join(s + '://' for s in SCHEMES)}"
        )
    return channel.parse(url)


def mask(url: str) -> str:
    """The URL as it may be shown: secrets replaced by ``****``. Never raises, whatever ``url`` is."""
    try:
        return parse_target(url).masked
    except (ChannelURLError, ValueError, TypeError):  # showing a broken URL must not break anything
        pass
    scheme = scheme_of(url) if isinstance(url, str) else None
    return f"{scheme}://{MASK}" if scheme else MASK


def channel_for(
    target: ChannelTarget,
    *,
    client: httpx.Client | None = None,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Callable[[], datetime] = utc_now,
) -> Channel:
    """A channel that sends to ``target`` (a new one; :class:`ChatChannels` keeps one per scheme)."""
    channel = CHANNELS.get(target.scheme)
    if channel is None:
        raise ChannelURLError(f"no channel sends to {target.scheme}:// URLs")
    return channel(client, base_url=base_url, timeout=timeout, clock=clock)


class ChatChannels:
    """One channel per service sharing one HTTP client: what the outbox holds for chat deliveries.

    ``base_urls`` maps a scheme to a base URL override (tests, gateways); ``verify``: the HTTPS
    certificate check (:func:`monitor.fetch.tls.tls_context`: ``[fetch] ca_bundle`` trusted too, for
    a chat service or webhook on your own network). Close it when done.
    """

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        base_urls: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] = utc_now,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False, verify=verify)
        self._base_urls = dict(base_urls or {})
        unknown = sorted(set(self._base_urls) - set(CHANNELS))
        if unknown:
            raise ValueError(f"base URL given for unknown channel scheme(s): {', '.join(unknown)}")
        self._timeout = timeout
        self._clock = clock
        self._channels: dict[str, Channel] = {}

    def __enter__(self) -> ChatChannels:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def channel(self, target: ChannelTarget) -> Channel:
        """The channel for ``target``'s scheme (made once, then reused)."""
        kind = CHANNELS.get(target.scheme)
        if kind is None:
            raise ChannelURLError(f"no channel sends to {target.scheme}:// URLs")
        if (
            target.scheme not in self._channels
        ):  # per scheme: feishu:// and lark:// may have their own base URL
            self._channels[target.scheme] = kind(
                self._client,
                base_url=self._base_urls.get(target.scheme),
                timeout=self._timeout,
                clock=self._clock,
            )
        return self._channels[target.scheme]

    def send(self, msg: AlertMessage, target: ChannelTarget) -> str:
        """Send ``msg`` to ``target``; the receipt, or :class:`~monitor.errors.DeliveryError`."""
        return self.channel(target).send(msg, target)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()
