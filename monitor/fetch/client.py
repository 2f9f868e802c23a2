"""Polite HTTP fetching: per-host concurrency and pacing, robots.txt, retries with backoff.

The fetcher never creates its own client: it is given an ``httpx.AsyncClient``
(tests hand it one with a mock transport to inject faults).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from monitor.errors import DisallowedByRobots, FetchError
from monitor.fetch.decode import decode_page

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 300.0


@dataclass(frozen=True)
class Page:
    """A fetched page, decoded."""

    url: str
    status: int
    text: str
    fetched_at: datetime


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    last_request: float = 0.0
    robots: RobotFileParser | None = None
    robots_loaded: bool = False


class Fetcher:
    """Fetches pages politely. One instance per crawl pass (it holds per-host state)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        user_agent: str,
        per_host_concurrency: int = 2,
        per_host_delay: float = 1.0,
        retries: int = 3,
        respect_robots: bool = True,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._user_agent = user_agent
        self._concurrency = per_host_concurrency
        self._delay = per_host_delay
        self._retries = retries
        self._respect_robots = respect_robots
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        self._robots_lock = asyncio.Lock()

    async def get(self, url: str) -> Page:
        """Fetch and decode ``url``; raise FetchError (or DisallowedByRobots) when it cannot be had."""
        host = self._host(url)
        if self._respect_robots and not await self._allowed(url, host):
            raise DisallowedByRobots(url, "disallowed by robots.txt")
        response = await self._request(url, host)
        if response.status_code != 200:
            raise FetchError(url, f"HTTP {response.status_code}")
        text = decode_page(response.content, response.headers.get("content-type"))
        return Page(url=url, status=response.status_code, text=text, fetched_at=self._clock())

    def _host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc
        if netloc not in self._hosts:
            self._hosts[netloc] = _Host(semaphore=asyncio.Semaphore(self._concurrency))
        return self._hosts[netloc]

    async def _request(self, url: str, host: _Host) -> httpx.Response:
        attempt = 0
        while True:
            async with host.semaphore:
                await self._pace(host)
                try:
                    response = await self._client.get(url, headers={"User-Agent": self._user_agent})
                except httpx.TransportError as exc:
                    response = None
                    error = f"{type(exc).__name__}: {exc}"
            if response is not None and response.status_code not in RETRY_STATUSES:
                return response
            if attempt >= self._retries:
                if response is not None:
                    return response
                raise FetchError(url, error)
            wait = _backoff(attempt, response)
            log.info("retrying %s in %.1fs", url, wait, extra={"url": url, "attempt": attempt + 1})
            await self._sleep(wait)
            attempt += 1

    async def _pace(self, host: _Host) -> None:
        wait = host.last_request + self._delay - time.monotonic()
        if wait > 0:
            await self._sleep(wait)
        host.last_request = time.monotonic()

    async def _allowed(self, url: str, host: _Host) -> bool:
        async with self._robots_lock:
            if not host.robots_loaded:
                host.robots = await self._load_robots(url, host)
                host.robots_loaded = True
        if host.robots is None:
            return True
        return host.robots.can_fetch(self._user_agent, url)

    async def _load_robots(self, url: str, host: _Host) -> RobotFileParser | None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = RobotFileParser(robots_url)
        try:
            response = await self._request(robots_url, host)
        except FetchError:
            # RFC 9309: an unreachable robots.txt means "assume complete disallow".
            parser.parse(["User-agent: *", "Disallow: /"])
            return parser
        if 400 <= response.status_code < 500:
            return None  # no robots.txt: everything allowed
        if response.status_code >= 500:
            parser.parse(["User-agent: *", "Disallow: /"])
            return parser
        parser.parse(decode_page(response.content, response.headers.get("content-type")).splitlines())
        return parser


def _backoff(attempt: int, response: httpx.Response | None) -> float:
    """Seconds to wait before the next try: Retry-After when given, else exponential."""
    if response is not None:
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        if retry_after is not None:
            return retry_after
    return float(min(2**attempt, 60))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date), capped at five minutes."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, min(seconds, MAX_RETRY_AFTER_SECONDS))
