"""What every chat channel shares: the ``Channel`` protocol, a parsed channel URL, and the HTTP plumbing.

A channel is chosen by the scheme of its URL (``wecom://``, ``dingtalk://``, ``feishu://``, ``lark://``,
``slack://``, ``webhook+https://``; see :mod:`monitor.alerting.channels.registry`). Errors::

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
import json
import logging
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, ClassVar, NoReturn, Protocol, runtime_checkable
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx

from monitor.alerting.message import AlertMessage
from monitor.alerting.render import clean_text
from monitor.errors import ConfigError, DeliveryError

logger = logging.getLogger(__name__)

MASK = "****"
DEFAULT_TIMEOUT = 10.0
USER_AGENT = "bbs-crisis-monitor (alert delivery)"
SNIPPET_CHARS = 200


class ChannelURLError(ConfigError, ValueError):
    """A channel URL cannot be used. The message says what is wrong and never repeats the URL."""

    def __init__(self, problem: str) -> None:
        super().__init__([problem])


class ChatDeliveryError(DeliveryError):
    """A chat service did not take the message. ``str()`` names the masked target and the reason."""

    def __init__(
        self, target: str, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        self.target = target  # masked
        self.reason = reason
        self.permanent = permanent  # a retry cannot help (bad key, revoked robot): fix the config
        self.retry_after = retry_after  # seconds the service asked us to wait, if it said
        super().__init__(f"{target}: {reason}")


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

    def __repr__(self) -> str:
        return f"ChannelTarget({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every string of this target that must never be shown, also in its URL-encoded form."""
        found: list[str] = []
        for value in (self.address, self.secret, *self.hidden):
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


# --- URL parsing helpers shared by the channel modules ------------------------------------------


@dataclass(frozen=True)
class UrlParts:
    """A channel URL cut into its parts, case kept (``urlsplit`` would lower-case a secret after ``@``)."""

    scheme: str
    authority: str
    path: str
    query: dict[str, str]


def split_url(url: str) -> UrlParts:
    """Cut ``scheme://authority/path?query``; no fragment, no whitespace, no repeated option."""
    text = url.strip()
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in text):
        raise ChannelURLError("channel URL contains whitespace or control characters")
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme:
        raise ChannelURLError("channel URL must look like scheme://… (e.g. wecom://KEY)")
    if "#" in rest:
        raise ChannelURLError(f"{scheme}:// URL must not have a #fragment")
    rest, _, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in options:
            raise ChannelURLError(f"{scheme}:// URL gives option {key!r} twice")
        options[key] = value
    return UrlParts(scheme.lower(), authority, slash + path, options)


def check_options(parts: UrlParts, allowed: Iterable[str]) -> None:
    """Reject options a channel does not know (a misspelt ``?endpiont=`` would otherwise go unnoticed)."""
    known = sorted(allowed)
    for key in parts.query:
        if key not in known:
            hint = f"known: {', '.join(known)}" if known else "it takes none"
            raise ChannelURLError(f"{parts.scheme}:// URL has unknown option {key!r} ({hint})")


def http_base(value: str, what: str) -> str:
    """An absolute http(s) URL without query or fragment (an endpoint override), trailing ``/`` removed."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ChannelURLError(f"{what} must be an absolute http:// or https:// URL without ?query")
    return value.rstrip("/")


def mask_http(url: str) -> str:
    """``https://host:port/****``: where a URL goes, without its path, query or user info."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    tail = f"/{MASK}" if parts.path.strip("/") or parts.query else "/"
    return f"{parts.scheme}://{host}{tail}"


def endpoint_suffix(endpoint: str | None) -> str:
    return f"?endpoint={mask_http(endpoint)}" if endpoint else ""


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


# --- the HTTP plumbing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One request a channel wants to make: POST ``body`` (JSON bytes, see :func:`json_body`) to ``url``."""

    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def json_body(payload: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON (Chinese as is): the bytes sent and, for webhooks, the bytes signed."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Refused(Exception):
    """Raised by a channel's ``check`` when the service's answer means the message was not taken."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def utc_now() -> datetime:
    return datetime.now(UTC)


class HttpChannel:
    """Base of the chat channels: POST JSON with httpx, turn every failure into ChatDeliveryError.

    ``client`` is injected in tests (or shared between channels); without one the channel makes its
    own on first use and closes it in :meth:`close`. ``base_url`` replaces the service's public
    address for every target (a target's own ``?endpoint=`` wins). ``clock`` gives the time used in
    signatures, so tests can replay a stale timestamp.
    """

    scheme: ClassVar[str]
    schemes: ClassVar[tuple[str, ...]]  # every URL scheme this channel sends to
    service: ClassVar[str]
    default_base_url: ClassVar[str]

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if timeout <= 0:
            raise ValueError("a channel timeout must be positive")
        self._client = client
        self._owns_client = client is None
        self.base_url = http_base(base_url, f"{self.scheme} base_url") if base_url else None
        self.timeout = timeout
        self.clock = clock

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, timeout={self.timeout:g})"

    def __enter__(self) -> HttpChannel:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client if this channel made it."""
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None

    def base_for(self, target: ChannelTarget, default: str | None = None) -> str:
        """The URL the request goes to before the channel adds its own path or query."""
        return (target.endpoint or self.base_url or default or self.default_base_url).rstrip("/")

    # Subclasses implement these three.
    @staticmethod
    def parse(url: str) -> ChannelTarget:
        """Parse this channel's URL form, or raise :class:`ChannelURLError`."""
        raise NotImplementedError

    def build(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        raise NotImplementedError

    def check(self, response: httpx.Response) -> str:
        """Return the receipt, or raise :class:`Refused`. Called for 2xx answers only."""
        raise NotImplementedError

    def accepts(self, target: ChannelTarget) -> bool:
        return target.scheme in self.schemes

    def send(self, msg: AlertMessage, target: ChannelTarget) -> str:
        """Deliver ``msg`` to ``target``; return the receipt or raise :class:`ChatDeliveryError`."""
        if not self.accepts(target):
            raise ValueError(f"{type(self).__name__} cannot send to {target.masked}")
        guard_httpx_log(target)
        outgoing = self.build(msg, target)
        response = self._post(msg, target, outgoing)
        try:
            receipt = self.check(response)
        except Refused as refused:
            self._fail(msg, target, refused.reason, permanent=refused.permanent)
        logger.info(
            "alert sent to chat",
            extra={"alert_id": msg.alert_id, "channel": target.scheme, "target": target.masked},
        )
        return receipt

    def _post(self, msg: AlertMessage, target: ChannelTarget, outgoing: Outgoing) -> httpx.Response:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        headers.update(outgoing.headers)
        try:
            response = self._http().post(
                outgoing.url, content=outgoing.body, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException as exc:
            self._fail(msg, target, f"no answer within {self.timeout:g} s ({type(exc).__name__})")
        except httpx.HTTPError as exc:
            detail = str(exc) or "connection failed"
            self._fail(msg, target, f"{type(exc).__name__}: {detail}")
        status = response.status_code
        if 200 <= status < 300:
            return response
        reason = f"HTTP {status} {response.reason_phrase}".rstrip()
        snippet = body_snippet(response)
        retry_after = _retry_after(response)
        if status == 429:
            wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
            self._fail(msg, target, f"{reason} (rate limited{wait})", retry_after=retry_after)
        permanent = 400 <= status < 500 and status not in (408, 425)
        self._fail(msg, target, f"{reason}: {snippet}" if snippet else reason, permanent=permanent)

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, follow_redirects=False)
        return self._client

    def _fail(
        self,
        msg: AlertMessage,
        target: ChannelTarget,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
    ) -> NoReturn:
        reason = scrub(reason, target.secrets)
        logger.warning(
            "chat delivery failed",
            extra={
                "alert_id": msg.alert_id,
                "channel": target.scheme,
                "target": target.masked,
                "reason": reason,
                "permanent": permanent,
            },
        )
        raise ChatDeliveryError(
            f"{self.service} {target.masked}", reason, permanent=permanent, retry_after=retry_after
        )


def body_snippet(response: httpx.Response) -> str:
    """The start of an answer's body as one clean line (servers echo odd things; never trust it)."""
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        text = response.content.decode("utf-8", "replace")
    text = clean_text(text)
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


def json_answer(response: httpx.Response) -> dict[str, Any]:
    """The answer as a JSON object, or :class:`Refused` saying it was not one."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        snippet = body_snippet(response)
        raise Refused(f"answer is not JSON: {snippet!r}" if snippet else "answer is empty") from None
    if not isinstance(data, dict):
        raise Refused(f"answer is not a JSON object: {body_snippet(response)!r}")
    return data


def error_code(data: Mapping[str, Any], *keys: str) -> tuple[int | None, str]:
    """The first of ``keys`` present in ``data`` as an int (None if none is), and the message beside it."""
    message = ""
    for name in ("errmsg", "msg", "StatusMessage", "message"):
        if isinstance(data.get(name), str):
            message = clean_text(data[name])[:SNIPPET_CHARS]
            break
    for key in keys:
        value = data.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value, message
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value), message
    return None, message


def expect_code_zero(
    response: httpx.Response, service: str, *keys: str, permanent: Iterable[int] = ()
) -> str:
    """``"ok"`` if the JSON answer's first present code among ``keys`` is 0, else :class:`Refused`.

    WeCom and DingTalk answer ``{"errcode": 0, "errmsg": "ok"}``, Feishu ``{"code": 0, …}`` or the older
    ``{"StatusCode": 0, …}``; all of them answer HTTP 200 with another code when they refuse a message.
    """
    data = json_answer(response)
    code, message = error_code(data, *keys)
    if code is None:
        raise Refused(f"{service} answer has no {' or '.join(keys)}: {body_snippet(response)!r}")
    if code != 0:
        detail = f": {message}" if message else ""
        raise Refused(f"{service} answered {keys[0]} {code}{detail}", permanent=code in set(permanent))
    return "ok"


def token_and_secret(parts: UrlParts, form: str, token_name: str, secret_name: str) -> tuple[str, str]:
    """``TOKEN@SECRET`` from a URL's authority (%-escapes decoded); errors name what is missing, never it."""
    if parts.path.strip("/"):
        raise ChannelURLError(f"{parts.scheme}:// URL takes no path; the form is {form}")
    token, at, secret = parts.authority.partition("@")
    token, secret = unquote(token), unquote(secret)
    if not token:
        raise ChannelURLError(f"{parts.scheme}:// URL is missing the {token_name}; the form is {form}")
    if not at or not secret:
        raise ChannelURLError(
            f"{parts.scheme}:// URL is missing the {secret_name} after '@' (the robot is signed); "
            f"the form is {form}"
        )
    return token, secret


def endpoint_option(parts: UrlParts) -> str | None:
    """The ``?endpoint=`` override of a channel URL, checked, or None."""
    value = parts.query.get("endpoint")
    if value is None:
        return None
    return http_base(value, f"{parts.scheme}:// URL option endpoint")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
