"""Polite HTTP fetching: per-host concurrency and pacing, robots.txt, retries with backoff and
jitter, Retry-After, conditional GET, a response size cap.

The fetcher never creates its own client: it is given an ``httpx.AsyncClient`` — one per
process — and keeps per-host state (pacing, robots.txt, validators) for as long as it lives.

robots.txt as RFC 9309 has it: a 4xx answer means "no rules"; a 5xx or no answer at all
(connection refused, host name not found, timed out) means "crawl nothing" — but that is
reported as what it is, a :class:`FetchError` naming the cause ("connection refused at
http://…/robots.txt"), never as :class:`DisallowedByRobots`, and robots.txt is asked again
after ``robots_retry_seconds``, so a forum that comes back is read again.
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
from monitor.fetch.causes import network_cause
from monitor.fetch.decode import decode_page
from monitor.fetch.robots import RobotsTxt

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 300.0
MAX_VALIDATORS = 10_000
NOT_RETRIED = (httpx.UnsupportedProtocol,)  # asking again cannot help


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
    robots_loaded_at: datetime | None = None
    robots_problem: str = ""  # why robots.txt could not be read ("" when it was, or there is none)
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
        robots_retry_seconds: float = 300.0,
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
        self._robots_retry = robots_retry_seconds
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
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise FetchError(url, "not an http:// or https:// URL")
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
        """Whether robots.txt lets this crawler fetch ``url`` (loaded once per host).

        Raises :class:`FetchError` naming the cause when robots.txt could not be read (no
        answer, or a 5xx): the host is not crawled then, and robots.txt is asked again once
        ``robots_retry_seconds`` have passed.
        """
        if not self._respect_robots:
            return True
        host = self._host(url)
        async with host.lock:
            if self._robots_due(host):
                await self._load_robots(url, host)
        if host.robots_problem:
            raise FetchError(url, host.robots_problem)
        return host.robots is None or host.robots.allows(self._user_agent, url)

    def robots_allows(self, url: str) -> bool:
        """Synchronous check against an already loaded robots.txt (call :meth:`allowed` first)."""
        host = self._host(url)
        if not self._respect_robots or host.robots is None:
            return True
        return host.robots.allows(self._user_agent, url)

    def _robots_due(self, host: _Host) -> bool:
        if host.robots_loaded_at is None:
            return True
        waited = (self._clock() - host.robots_loaded_at).total_seconds()
        return bool(host.robots_problem) and waited >= self._robots_retry

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
            cause = ""
            result: tuple[int, httpx.Headers, bytes] | None = None
            async with host.semaphore:
                await self._pace(host)
                try:
                    result = await self._read(url, headers)
                except NOT_RETRIED as exc:
                    raise FetchError(url, network_cause(exc)) from exc
                except httpx.TransportError as exc:
                    cause = network_cause(exc)
            if result is not None and result[0] not in RETRY_STATUSES:
                return result
            if attempt >= self._retries:
                if result is not None:
                    return result
                raise FetchError(url, cause)
            if result is not None:
                cause = f"HTTP {result[0]}"
            wait = self._backoff(attempt, result[1] if result else None)
            log.info(
                "retrying %s in %.1fs (%s)",
                url,
                wait,
                cause,
                extra={"url": url, "attempt": attempt + 1, "cause": cause},
            )
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

    async def _load_robots(self, url: str, host: _Host) -> None:
        """Read the host's robots.txt into ``host``: its rules, or why it could not be read."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        host.robots_loaded_at = self._clock()
        host.robots, host.robots_problem = None, ""
        try:
            status, headers, body = await self._request(robots_url, host, {"User-Agent": self._user_agent})
        except FetchError as exc:
            problem = f"{exc.reason} at {robots_url}"
        else:
            if status < 400:
                host.robots = RobotsTxt.parse(decode_page(body, headers.get("content-type")))
                return
            if status < 500:
                return  # no robots.txt: everything allowed
            problem = f"HTTP {status} at {robots_url}"
        # RFC 9309: robots.txt unreachable means "assume complete disallow" — until it can be read.
        host.robots, host.robots_problem = RobotsTxt.disallow_all(), problem
        log.warning(
            "robots.txt unreachable (%s): %s not crawled until it can be read",
            problem,
            parts.netloc,
            extra={"url": robots_url},
        )


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
