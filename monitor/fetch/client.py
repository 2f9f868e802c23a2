"""Polite HTTP fetching: per-host concurrency and pacing, robots.txt, retries with backoff and
jitter, Retry-After, conditional GET, a response size cap.

The fetcher never creates its own client: it is given an ``httpx.AsyncClient`` — one per
process — and keeps per-host state (pacing, robots.txt, validators) for as long as it lives.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from monitor.errors import DisallowedByRobots, FetchError
from monitor.fetch.decode import decode_page
from monitor.fetch.robots import RobotsTxt

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 300.0
MAX_VALIDATORS = 10_000


@dataclass(frozen=True)
class Page:
    """A fetched page. ``not_modified`` pages (HTTP 304) carry no body."""

    url: str
    status: int
    text: str
    body: bytes
    fetched_at: datetime
    server_date: datetime | None = None
    not_modified: bool = False

    @property
    def now(self) -> datetime:
        """What relative dates on the page ("3 小时前") are relative to: the server renders them
        from its own clock, so its Date header, else the time we received the page."""
        return self.server_date or self.fetched_at


@dataclass(frozen=True)
class Politeness:
    """How hard one host may be hit."""

    concurrency: int = 1
    min_interval: float = 1.0


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    min_interval: float
    last_request: float = 0.0
    robots: RobotsTxt | None = None
    robots_loaded: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """Fetches pages politely; share one instance (and its client) across the process."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        user_agent: str,
        politeness: Politeness = Politeness(),
        retries: int = 3,
        respect_robots: bool = True,
        max_bytes: int = 5_000_000,
        conditional: bool = True,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._user_agent = user_agent
        self._default = politeness
        self._per_host: dict[str, Politeness] = {}
        self._retries = retries
        self._respect_robots = respect_robots
        self._max_bytes = max_bytes
        self._conditional = conditional
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._hosts: dict[str, _Host] = {}
        self._validators: OrderedDict[str, dict[str, str]] = OrderedDict()

    def set_politeness(self, base_url: str, politeness: Politeness) -> None:
        """Use ``politeness`` for the host of ``base_url`` (per-source settings)."""
        self._per_host[urlsplit(base_url).netloc] = politeness

    async def get(self, url: str, *, conditional: bool = False) -> Page:
        """Fetch and decode ``url``; raise FetchError (or DisallowedByRobots) when it cannot be had.

        With ``conditional``, the ETag / Last-Modified of the previous answer are sent and an
        unchanged page comes back as ``not_modified``.
        """
        host = self._host(url)
        if self._respect_robots and not await self.allowed(url):
            raise DisallowedByRobots(url, "disallowed by robots.txt")
        headers = {"User-Agent": self._user_agent}
        if conditional and self._conditional:
            headers.update(self._validators.get(url, {}))
        status, response_headers, body = await self._request(url, host, headers)
        fetched_at = self._clock()
        server_date = _http_date(response_headers.get("date"))
        if status == 304:
            return Page(url, status, "", b"", fetched_at, server_date, not_modified=True)
        if status != 200:
            raise FetchError(url, f"HTTP {status}")
        self._remember_validators(url, response_headers)
        text = decode_page(body, response_headers.get("content-type"))
        return Page(url, status, text, body, fetched_at, server_date)

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this crawler fetch ``url`` (loaded once per host)."""
        host = self._host(url)
        async with host.lock:
            if not host.robots_loaded:
                host.robots = await self._load_robots(url, host)
                host.robots_loaded = True
        return host.robots is None or host.robots.allows(self._user_agent, url)

    def robots_allows(self, url: str) -> bool:
        """Synchronous check against an already loaded robots.txt (call :meth:`allowed` first)."""
        host = self._host(url)
        if not self._respect_robots or host.robots is None:
            return True
        return host.robots.allows(self._user_agent, url)

    def _host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc
        if netloc not in self._hosts:
            politeness = self._per_host.get(netloc, self._default)
            self._hosts[netloc] = _Host(
                semaphore=asyncio.Semaphore(politeness.concurrency), min_interval=politeness.min_interval
            )
        return self._hosts[netloc]

    async def _request(
        self, url: str, host: _Host, headers: dict[str, str]
    ) -> tuple[int, httpx.Headers, bytes]:
        attempt = 0
        while True:
            error = ""
            result: tuple[int, httpx.Headers, bytes] | None = None
            async with host.semaphore:
                await self._pace(host)
                try:
                    result = await self._read(url, headers)
                except httpx.TransportError as exc:
                    error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if result is not None and result[0] not in RETRY_STATUSES:
                return result
            if attempt >= self._retries:
                if result is not None:
                    return result
                raise FetchError(url, error)
            wait = self._backoff(attempt, result[1] if result else None)
            log.info("retrying %s in %.1fs", url, wait, extra={"url": url, "attempt": attempt + 1})
            await self._sleep(wait)
            attempt += 1

    async def _read(self, url: str, headers: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        async with self._client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self._max_bytes:
                raise FetchError(url, f"response too large ({declared} bytes > {self._max_bytes})")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self._max_bytes:
                    raise FetchError(url, f"response too large (over {self._max_bytes} bytes)")
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    async def _pace(self, host: _Host) -> None:
        wait = host.last_request + host.min_interval - time.monotonic()
        if wait > 0:
            await self._sleep(wait)
        host.last_request = time.monotonic()

    def _backoff(self, attempt: int, headers: httpx.Headers | None) -> float:
        """Retry-After when the server gives one, else exponential backoff with ±50 % jitter."""
        if headers is not None:
            retry_after = retry_after_seconds(headers.get("retry-after"), self._clock())
            if retry_after is not None:
                return retry_after
        return float(min(2**attempt, 60)) * self._rng.uniform(0.5, 1.5)

    def _remember_validators(self, url: str, headers: httpx.Headers) -> None:
        validators = {}
        if etag := headers.get("etag"):
            validators["If-None-Match"] = etag
        if modified := headers.get("last-modified"):
            validators["If-Modified-Since"] = modified
        if validators:
            self._validators[url] = validators
            self._validators.move_to_end(url)
            while len(self._validators) > MAX_VALIDATORS:
                self._validators.popitem(last=False)

    async def _load_robots(self, url: str, host: _Host) -> RobotsTxt | None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            status, headers, body = await self._request(robots_url, host, {"User-Agent": self._user_agent})
        except FetchError:
            # RFC 9309: an unreachable robots.txt means "assume complete disallow".
            log.warning("robots.txt unreachable, treating host as disallowed", extra={"url": robots_url})
            return RobotsTxt.disallow_all()
        if 400 <= status < 500:
            return None  # no robots.txt: everything allowed
        if status >= 500:
            return RobotsTxt.disallow_all()
        return RobotsTxt.parse(decode_page(body, headers.get("content-type")))


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date), capped at five minutes."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    when = _http_date(value)
    if when is None:
        return None
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, min(seconds, MAX_RETRY_AFTER_SECONDS))
