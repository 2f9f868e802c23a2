"""Polite HTTP fetching: per-host concurrency and pacing, robots.txt, retries with backoff and
jitter, Retry-After, conditional GET, a response size cap, a deadline per response, redirects
followed hop by hop.

The fetcher never creates its own client: it is given an ``httpx.AsyncClient`` — one per
process — and keeps per-host state (pacing, robots.txt, validators) for as long as it lives.
Whatever goes wrong with one request — no answer, an HTTP error, a redirect loop, a body that
is not what its headers claim, a page that trickles in — is a :class:`FetchError` naming the
cause, never an httpx exception: the pass goes on with the other boards and threads.

robots.txt as RFC 9309 has it: a 4xx answer, or a redirect not followed (to another site,
too many), means "no rules"; a 5xx or no answer (refused, name not found, timed out) means
"crawl nothing", reported as a :class:`FetchError` naming the cause ("connection refused at
http://…/robots.txt"), not :class:`DisallowedByRobots`; it is asked again after
``robots_retry_seconds``, so a forum that comes back is read again.

Its rules, one concern to a module (their public names importable from here too): ``redirects``,
``retry_after``, ``resting`` (a host left alone), ``blocked`` (a firewall answering),
``response`` (size cap, deadline), ``hosts``, ``robots_file``, ``conditional``, ``urls``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import NoReturn
from urllib.parse import urlsplit

import httpx

from monitor.errors import DisallowedByRobots, FetchError
from monitor.fetch import redirects
from monitor.fetch.blocked import Block, blocked_answer
from monitor.fetch.conditional import MAX_VALIDATORS as MAX_VALIDATORS  # re-exported
from monitor.fetch.conditional import Validators
from monitor.fetch.decode import decode_page
from monitor.fetch.host_rests import REREAD_SECONDS, RestBook, restore
from monitor.fetch.hosts import Host
from monitor.fetch.hosts import Politeness as Politeness  # re-exported
from monitor.fetch.page import Page as Page  # re-exported
from monitor.fetch.redirects import MAX_LOGGED_REDIRECTS as MAX_LOGGED_REDIRECTS  # re-exported
from monitor.fetch.redirects import MAX_ROBOTS_REDIRECTS as MAX_ROBOTS_REDIRECTS  # re-exported
from monitor.fetch.redirects import REDIRECT_STATUSES as REDIRECT_STATUSES  # re-exported
from monitor.fetch.redirects import RedirectError as RedirectError  # re-exported
from monitor.fetch.redirects import named
from monitor.fetch.redirects import same_site as _same_site
from monitor.fetch.response import DEADLINE_FACTOR as DEADLINE_FACTOR  # re-exported
from monitor.fetch.response import DEFAULT_TIMEOUT_SECONDS as DEFAULT_TIMEOUT_SECONDS  # re-exported
from monitor.fetch.response import NOT_RETRIED as NOT_RETRIED  # re-exported
from monitor.fetch.response import Answer, again, ask, default_deadline
from monitor.fetch.response import HTTPStatusError as HTTPStatusError  # re-exported
from monitor.fetch.resting import BLOCK_RESTS, BlockRests, read_normally, rest_blocked, rest_if_asked
from monitor.fetch.retry_after import LONGEST_REST_SECONDS as LONGEST_REST_SECONDS  # re-exported
from monitor.fetch.retry_after import MAX_RETRY_AFTER_SECONDS as MAX_RETRY_AFTER_SECONDS  # re-exported
from monitor.fetch.retry_after import RETRY_STATUSES as RETRY_STATUSES  # re-exported
from monitor.fetch.retry_after import backoff_seconds, http_date
from monitor.fetch.retry_after import requested_wait_seconds as requested_wait_seconds  # re-exported
from monitor.fetch.retry_after import retry_after_seconds as retry_after_seconds  # re-exported
from monitor.fetch.robots_file import robots_url, rules_of, rules_without
from monitor.fetch.urls import url_problem

log = logging.getLogger(__name__)

_POLITE = Politeness()


class Fetcher:
    """Fetches pages politely; share one instance (and its client) across the process."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        user_agent: str,
        politeness: Politeness = _POLITE,
        retries: int = 3,
        respect_robots: bool = True,
        max_bytes: int = 5_000_000,
        conditional: bool = True,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
        robots_retry_seconds: float = 300.0,
        max_redirects: int | None = None,
        deadline_seconds: float | None = None,
        rests: RestBook | None = None,
        block_rests: BlockRests = BLOCK_RESTS,
    ) -> None:
        """``max_redirects``: hops followed per request (default: the client's ``max_redirects``).
        ``deadline_seconds``: how long one whole response may take to arrive (default:
        :data:`DEADLINE_FACTOR` × the client's timeout). ``rests``: where hosts' rests are
        kept beyond the process (:mod:`monitor.fetch.host_rests`)."""
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
        self._max_redirects = client.max_redirects if max_redirects is None else max_redirects
        self.deadline_seconds = default_deadline(client) if deadline_seconds is None else deadline_seconds
        self._hosts: dict[str, Host] = {}
        self._rests, self._block_rests = rests, block_rests
        self._rests_read: dict[str, datetime] = {}  # netloc -> when its kept rest was last read
        self._validators = Validators()
        self._redirects_logged = redirects.Logged()

    def set_politeness(self, base_url: str, politeness: Politeness) -> None:
        """Use ``politeness`` for the host of ``base_url`` (per-source settings); a host the
        forum redirects to on the same site (``www.`` added or removed) gets it too."""
        self._per_host[urlsplit(base_url).netloc] = politeness

    async def get(self, url: str, *, conditional: bool = False) -> Page:
        """Fetch and decode ``url``; raise FetchError (or DisallowedByRobots) when it cannot be had.

        An HTTP error answer raises :class:`HTTPStatusError` holding the body the forum sent (a
        firewall's page: :class:`~monitor.fetch.blocked.PageBlocked`). With ``conditional``, the
        previous answer's ETag / Last-Modified are sent; an unchanged page is ``not_modified``.
        """
        problem = url_problem(url)
        if problem:
            raise FetchError(url, problem)
        if self._respect_robots and not await self.allowed(url):
            raise DisallowedByRobots(url, "disallowed by robots.txt")
        headers = {"User-Agent": self._user_agent}
        if conditional and self._conditional:
            headers.update(self._validators.headers_for(url))
        where, status, response_headers, body = await self._follow(url, headers)
        fetched_at = self._clock()
        read_normally(url, self._host(url), status, response_headers, body, fetched_at, self._rests)
        server_date = http_date(response_headers.get("date"))
        if status == 304:
            return Page(url, status, "", b"", fetched_at, server_date, not_modified=True)
        if status != 200:
            block = blocked_answer(status, response_headers, body)
            if block is not None:
                rest_blocked(url, self._host(url), block, body, fetched_at, self._rests, self._block_rests)
            reason = named(f"HTTP {status}", url, where) if where != url else f"HTTP {status}"
            raise HTTPStatusError(url, reason, status=status, body=body)
        self._validators.remember(url, response_headers)
        text = decode_page(body, response_headers.get("content-type"))
        return Page(url, status, text, body, fetched_at, server_date)

    def refuse_blocked(self, url: str, block: Block, body: bytes) -> NoReturn:
        """Fail ``url`` as ``block`` (a firewall's page the crawler found) and rest its host."""
        rest_blocked(url, self._host(url), block, body, self._clock(), self._rests, self._block_rests)

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this crawler fetch ``url`` (loaded once per host).

        Raises :class:`FetchError` naming the cause when robots.txt could not be read (no
        answer, or a 5xx): the host is not crawled then, and robots.txt is asked again once
        ``robots_retry_seconds`` have passed. Also raises while the host asked to be left alone
        (a long Retry-After).
        """
        if not self._respect_robots:
            return True
        host = self._host(url)
        host.refuse_while_resting(url, self._clock)
        async with host.lock:
            if host.robots_due(self._clock, self._robots_retry):
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

    def _host(self, url: str) -> Host:
        netloc = urlsplit(url).netloc
        if netloc not in self._hosts:
            self._hosts[netloc] = Host.under(self._politeness_for(url))
        host = self._hosts[netloc]
        if self._rests is not None:
            read, now = self._rests_read.get(netloc), self._clock()
            if read is None or abs((now - read).total_seconds()) >= REREAD_SECONDS:
                self._rests_read[netloc] = now
                kept = self._rests.load(netloc)
                if kept is not None:
                    restore(host, kept)
        return host

    def _politeness_for(self, url: str) -> Politeness:
        netloc = urlsplit(url).netloc
        if netloc in self._per_host:
            return self._per_host[netloc]
        for configured, politeness in self._per_host.items():
            if _same_site(f"http://{configured}/", url):
                return politeness
        return self._default

    async def _follow(
        self, url: str, headers: dict[str, str], *, robots_file: bool = False
    ) -> tuple[str, int, httpx.Headers, bytes]:
        """Request ``url`` and follow its redirects hop by hop; the URL answered, and the answer.

        For robots.txt (``robots_file``) every error names the URL that failed and a redirect is
        followed on the same site only, at most :data:`MAX_ROBOTS_REDIRECTS` hops; for a page an
        error names a URL only when it is not ``url``.
        """
        current = url
        hops = redirects.Hops(url, MAX_ROBOTS_REDIRECTS if robots_file else self._max_redirects)
        while True:
            try:
                status, response_headers, body = await self._request(current, self._host(current), headers)
            except FetchError as exc:
                if current == url and not robots_file:
                    raise
                raise again(exc, url, named(exc.reason, url, current)) from exc
            location = response_headers.get("location")
            if status not in REDIRECT_STATUSES or location is None:
                return current, status, response_headers, body
            target = hops.next(current, location, response_headers)
            if robots_file:
                off_site = redirects.robots_off_site(url, current, target)
                if off_site is not None:
                    raise off_site
            else:
                await self._may_follow(url, current, target)
            self._redirects_logged.log(current, target, status)
            current = target

    async def _may_follow(self, url: str, current: str, target: str) -> None:
        """Raise unless a page may be followed from ``current`` to ``target``: the same site,
        and allowed by the target host's robots.txt."""
        if not _same_site(url, target):
            raise redirects.another_site(url, target)
        if not self._respect_robots:
            return
        try:
            allowed = await self.allowed(target)
        except FetchError as exc:  # its robots.txt cannot be read, or it asked to be left alone
            raise again(exc, url, f"{exc.reason} (redirected to {target})") from exc
        if not allowed:
            raise DisallowedByRobots(url, f"disallowed by robots.txt at {target} (redirected from {current})")

    async def _request(self, url: str, host: Host, headers: dict[str, str]) -> Answer:
        attempt = 0
        while True:
            host.refuse_while_resting(url, self._clock)
            async with host.semaphore:
                # asked again after the wait for a slot: an answer meanwhile may have said "wait an hour"
                host.refuse_while_resting(url, self._clock)
                await host.pace(self._sleep)
                result, cause = await ask(
                    self._client,
                    url,
                    headers,
                    max_bytes=self._max_bytes,
                    deadline_seconds=self.deadline_seconds,
                )
            if result is not None and result[0] not in RETRY_STATUSES:
                return result
            if result is not None:
                if blocked_answer(*result):  # a firewall's page: asking again cannot help
                    return result
                rest_if_asked(url, host, *result, self._clock(), self._rests, waiting=attempt < self._retries)
            if attempt >= self._retries:
                if result is not None:
                    return result
                raise FetchError(url, cause)
            if result is not None:
                cause = f"HTTP {result[0]}"
            wait = backoff_seconds(attempt, result[1] if result else None, self._clock, self._rng)
            log.info(
                "retrying %s in %.1fs (%s)",
                url,
                wait,
                cause,
                extra={"url": url, "attempt": attempt + 1, "cause": cause},
            )
            await self._sleep(wait)
            attempt += 1

    async def _load_robots(self, url: str, host: Host) -> None:
        """Read the host's robots.txt into ``host``: its rules, or why it could not be read."""
        robots = robots_url(url)
        host.robots_loaded_at = self._clock()
        host.robots, host.robots_problem = None, ""
        try:
            where, status, headers, body = await self._follow(
                robots, {"User-Agent": self._user_agent}, robots_file=True
            )
        except FetchError as exc:
            host.robots, host.robots_problem = rules_without(robots, exc)
        else:
            host.robots, host.robots_problem = rules_of(robots, where, status, headers, body)
