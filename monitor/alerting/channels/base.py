"""What every chat channel shares: the ``Channel`` protocol, a parsed channel URL, and secret masking.

A channel is chosen by the scheme of its URL (``wecom://``, ``dingtalk://``, ``feishu://``, ``lark://``,
``slack://``, ``webhook+https://``; see :mod:`monitor.alerting.channels.registry`). The HTTP plumbing
the chat channels share is in :mod:`~monitor.alerting.channels.httpchannel`, URL parsing helpers in
:mod:`~monitor.alerting.channels.urls`. Errors::

    MonitorError
    ├── ConfigError ─┐
    │                └─ ChannelURLError (also ValueError)  a channel URL that cannot be used; never
    │                                                      echoes the URL, only what is wrong with it
    └── DeliveryError
        └── ChatDeliveryError   the service is down, refused the message, or answered an error code;
                                carries ``permanent`` (retrying cannot help) and ``retry_after``

Secrets (robot keys, access tokens, signing secrets, Slack webhook paths) are shown only masked
(``dingtalk://****@****``): in ``repr``, logs and error messages. httpx logs every request URL at INFO
level on the ``httpx`` logger; :func:`guard_httpx_log` adds a filter there that masks the secrets of the
targets this process sends to, so turning on ``-v`` never writes a webhook key to a log.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import quote

from monitor.alerting.message import AlertMessage
from monitor.errors import ConfigError, DeliveryError

MASK = "****"


class ChannelURLError(ConfigError, ValueError):
    """A channel URL cannot be used. The message says what is wrong and never repeats the URL."""

    def __init__(self, problem: str) -> None:
        super().__init__([problem])


class ChatDeliveryError(DeliveryError):
    """A chat service did not take the message. ``str()`` names the masked target and the reason."""

    def __init__(
        self,
        target: str,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        unreachable: bool = False,
    ) -> None:
        self.target = target  # masked
        self.reason = reason
        self.retry_after = retry_after  # seconds the service asked us to wait, if it said
        # permanent: a retry cannot help (bad key, revoked robot): fix the config
        super().__init__(f"{target}: {reason}", unreachable=unreachable, permanent=permanent)


@dataclass(frozen=True, repr=False)
class ChannelTarget:
    """A parsed channel URL. ``repr`` and ``str`` show it masked; the parts are for the channel only.

    ``address`` is what addresses the robot (WeCom key, DingTalk access token, Feishu hook id, Slack
    ``T…/B…/…`` path, or the full http(s) URL of a generic webhook); ``secret`` signs the request;
    ``endpoint`` overrides the service's base URL (tests, self-hosted gateways).
    """

    scheme: str
    address: str
    secret: str | None = None
    endpoint: str | None = None
    masked: str = ""
    hidden: tuple[str, ...] = field(default=(), compare=False)  # more strings never to show
    address_is_secret: bool = True  # a webhook's URL is not secret as a whole, only parts of it (hidden)

    def __repr__(self) -> str:
        return f"ChannelTarget({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every string of this target that must never be shown, also in its URL-encoded form."""
        found: list[str] = []
        address = self.address if self.address_is_secret else None
        for value in (address, self.secret, *self.hidden):
            if value:
                found += [value, quote(value, safe=""), quote(value, safe="/:@")]
        return tuple(dict.fromkeys(found))

    @property
    def fingerprint(self) -> str:
        """A short stable hash of the whole target: tells two targets apart without showing either."""
        material = "\0".join((self.scheme, self.address, self.secret or "", self.endpoint or ""))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:12]

    @property
    def ref(self) -> str:
        """``dingtalk://****@****#3f9a1c2b7d4e``: safe to store (e.g. as a delivery's target) and show."""
        return f"{self.masked}#{self.fingerprint}"


@runtime_checkable
class Channel(Protocol):
    """Delivers an alert to one chat target. Returns a receipt (``"ok"`` or an id)."""

    @property
    def scheme(self) -> str:
        """The main URL scheme this channel sends to (``wecom``, ``dingtalk`` …)."""
        ...

    def send(self, msg: AlertMessage, target: ChannelTarget) -> str:
        """Send, or raise :class:`~monitor.errors.DeliveryError` saying why (the outbox retries)."""
        ...


# --- keeping secrets out of logs and errors ----------------------------------------------------


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in ``text`` by ``****`` (longest first, so a part never leaves a remnant)."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class _SecretFilter(logging.Filter):
    """Masks known secrets in records of the logger it is attached to (httpx logs request URLs)."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            with self._lock:
                cleaned = scrub(message, self._secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


_HTTPX_FILTER = _SecretFilter()


def guard_httpx_log(target: ChannelTarget) -> None:
    """Make sure the ``httpx`` logger masks this target's secrets (idempotent)."""
    httpx_logger = logging.getLogger("httpx")
    if _HTTPX_FILTER not in httpx_logger.filters:
        httpx_logger.addFilter(_HTTPX_FILTER)
    _HTTPX_FILTER.add(target.secrets)
