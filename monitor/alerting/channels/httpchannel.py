"""The HTTP plumbing of the chat channels: POST JSON with httpx, read the answer, raise ChatDeliveryError.

A chat service may answer HTTP 200 and still refuse the message (``{"errcode": 310000, …}``): each
channel's ``check`` reads the answer and raises :class:`Refused`, which :class:`HttpChannel` turns
into :class:`~monitor.alerting.channels.base.ChatDeliveryError`, as it does HTTP 429 (with
``retry_after``), 5xx, timeouts, refused and reset connections and redirects. A refusal the service
documents says what it means and whether a retry can help (:mod:`~monitor.alerting.channels.refusals`);
one of the content itself (too long) is sent once more at once, shorter (:meth:`HttpChannel.shorter`),
and never again as it was. Reasons are cleaned of control characters and of the target's secrets
before they are logged or raised.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, ClassVar, NoReturn

import httpx

from monitor.alerting.channels.base import ChannelTarget, ChatDeliveryError, guard_httpx_log, scrub
from monitor.alerting.channels.refusals import Meaning
from monitor.alerting.channels.refusals import reason as refusal_reason
from monitor.alerting.channels.urls import http_base
from monitor.alerting.message import AlertMessage
from monitor.alerting.render import clean_text

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "bbs-crisis-monitor (alert delivery)"
SNIPPET_CHARS = 200


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
    """Raised by a channel's ``check`` when the service's answer means the message was not taken.

    ``too_long``: the service refused the content itself; a shorter message may pass, the same
    one never will. ``retry_after``: seconds the service documents to wait (a rate limit)."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        too_long: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.too_long = too_long
        self.retry_after = retry_after

    @classmethod
    def meaning(cls, service: str, meaning: Meaning, code: int | str, said: str) -> Refused:
        """The refusal a service documents, in words a person reads (:func:`refusals.reason`)."""
        return cls(
            refusal_reason(service, meaning, code, said),
            permanent=meaning.permanent,
            too_long=meaning.too_long,
            retry_after=meaning.retry_after,
        )


def utc_now() -> datetime:
    return datetime.now(UTC)


class HttpChannel(ABC):
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
    @abstractmethod
    def parse(url: str) -> ChannelTarget:
        """Parse this channel's URL form, or raise :class:`ChannelURLError`."""

    @abstractmethod
    def build(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        """The request that carries ``msg`` to ``target``."""

    @abstractmethod
    def check(self, response: httpx.Response) -> str:
        """Return the receipt, or raise :class:`Refused`. Called for 2xx answers only."""

    def explain(self, response: httpx.Response) -> Refused | None:
        """A documented refusal in a 4xx or 5xx answer (Slack's words, Feishu's codes), or None."""
        return None

    def shorter(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing | None:
        """The request with a shorter message, for a service that refused the content; None: none."""
        return None

    def accepts(self, target: ChannelTarget) -> bool:
        return target.scheme in self.schemes

    def send(self, msg: AlertMessage, target: ChannelTarget) -> str:
        """Deliver ``msg`` to ``target``; return the receipt or raise :class:`ChatDeliveryError`.

        A refusal of the content (too long) is answered at once with a shorter message; if that is
        refused too, or the channel has none, the failure is permanent: the same bytes would be
        refused again."""
        if not self.accepts(target):
            raise ValueError(f"{type(self).__name__} cannot send to {target.masked}")
        guard_httpx_log(target)
        try:
            receipt = self._attempt(msg, target, self.build(msg, target))
        except Refused as refused:
            short = self.shorter(msg, target) if refused.too_long else None
            if short is None:
                self._refused(msg, target, refused)
            try:
                receipt = self._attempt(msg, target, short)
            except Refused as again:
                again.reason += " (a shorter message was refused as well)" if again.too_long else ""
                self._refused(msg, target, again)
            logger.info(
                "chat message sent shorter", extra={"alert_id": msg.alert_id, "channel": target.scheme}
            )
        logger.info(
            "alert sent to chat",
            extra={"alert_id": msg.alert_id, "channel": target.scheme, "target": target.masked},
        )
        return receipt

    def _attempt(self, msg: AlertMessage, target: ChannelTarget, outgoing: Outgoing) -> str:
        """POST once and read the answer: the receipt, or :class:`Refused` for a documented refusal."""
        return self.check(self._post(msg, target, outgoing))

    def _refused(self, msg: AlertMessage, target: ChannelTarget, refused: Refused) -> NoReturn:
        permanent = refused.permanent or refused.too_long  # never the same refused bytes again
        self._fail(msg, target, refused.reason, permanent=permanent, retry_after=refused.retry_after)

    def _post(self, msg: AlertMessage, target: ChannelTarget, outgoing: Outgoing) -> httpx.Response:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        headers.update(outgoing.headers)
        try:
            response = self._http().post(
                outgoing.url,
                content=outgoing.body,
                headers=headers,
                timeout=self.timeout,
                follow_redirects=False,  # a redirect is a failure: never carry a signed request elsewhere
            )
        except httpx.TimeoutException as exc:
            reason = f"no answer within {self.timeout:g} s ({type(exc).__name__})"
            self._fail(msg, target, reason, unreachable=True)
        except httpx.HTTPError as exc:
            detail = str(exc) or "connection failed"
            unreachable = isinstance(exc, httpx.TransportError)
            self._fail(msg, target, f"{type(exc).__name__}: {detail}", unreachable=unreachable)
        status = response.status_code
        if 200 <= status < 300:
            return response
        reason = f"HTTP {status} {response.reason_phrase}".rstrip()
        snippet = body_snippet(response)
        retry_after = _retry_after(response)
        if status == 429:
            wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
            self._fail(msg, target, f"{reason} (rate limited{wait})", retry_after=retry_after)
        explained = self.explain(response)
        if explained is not None:
            explained.reason += f" ({reason})"
            raise explained
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
        unreachable: bool = False,
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
        raise ChatDeliveryError(  # from None: the httpx error behind it holds the request URL
            f"{self.service} {target.masked}",
            reason,
            permanent=permanent,
            retry_after=retry_after,
            unreachable=unreachable,
        ) from None


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


def error_code(data: Mapping[str, Any], *keys: str) -> tuple[str, int | None, str]:
    """The first of ``keys`` present in ``data``, its value as an int (None if it is not one), the message."""
    message = ""
    for name in ("errmsg", "msg", "StatusMessage", "message"):
        if isinstance(data.get(name), str):
            message = clean_text(data[name])[:SNIPPET_CHARS]
            break
    for key in keys:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, int) and not isinstance(value, bool):
            return key, value, message
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return key, int(value), message
    return " or ".join(keys), None, message


Meanings = Callable[[int, str], Meaning | None]


def expect_code_zero(
    response: httpx.Response, *keys: str, service: str = "", meanings: Meanings | None = None
) -> str:
    """``"ok"`` if the JSON answer's first code among ``keys`` is 0, else :class:`Refused`.

    WeCom and DingTalk answer ``{"errcode": 0, "errmsg": "ok"}``, Feishu ``{"code": 0, …}`` or the older
    ``{"StatusCode": 0, …}``; all of them answer HTTP 200 with another code when they refuse a message.
    ``meanings`` looks a code (and the service's message) up in the service's documented refusals.
    """
    data = json_answer(response)
    key, code, message = error_code(data, *keys)
    if code is None:
        raise Refused(f"answer has no {key}: {body_snippet(response)!r}")
    if code != 0:
        meaning = meanings(code, message) if meanings is not None else None
        if meaning is not None:
            raise Refused.meaning(service, meaning, code, message)
        detail = f": {message}" if message else ""
        raise Refused(f"answered {key} {code}{detail}")
    return "ok"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
