"""Polite HTTP fetching: per-host concurrency and pacing, robots.txt, retries with backoff and
jitter, Retry-After, conditional GET, a response size cap, a deadline per response, redirects
followed hop by hop.

The fetcher never creates its own client: it is given an ``httpx.AsyncClient`` — one per
process — and keeps per-host state (pacing, robots.txt, validators) for as long as it lives.
Whatever goes wrong with one request — no answer, an HTTP error, a redirect loop, a body that
is not what its headers claim, a page that trickles in — is a :class:`FetchError` naming the
cause, never an httpx exception: the pass goes on with the other boards and threads.

robots.txt as RFC 9309 has it: a 4xx answer means "no rules"; a 5xx or no answer at all
(connection refused, host name not found, timed out) means "crawl nothing" — but that is
reported as what it is, a :class:`FetchError` naming the cause ("connection refused at
http://…/robots.txt"), never as :class:`DisallowedByRobots`, and robots.txt is asked again
after ``robots_retry_seconds``, so a forum that comes back is read again. Redirects of
robots.txt are followed to any host (RFC 9309 §2.3.1.2); a robots.txt behind a redirect loop,
too many redirects or a malformed ``Location`` is "unavailable", i.e. no rules.

Redirects of pages are followed here, never by httpx (each request says
``follow_redirects=False``, whatever the client was built with), at most ``max_redirects``
hops (the client's ``max_redirects`` unless given): each hop is checked against *its* host's
robots.txt and paced under its host. A hop to another host is followed only when it is the
same site — ``http://`` ↔ ``https://``, ``www.`` added or removed; anything else is refused
("redirected to another site (bbs.other.com); add it as a source if it is the same forum"),
as is a loop ("redirect loop at …"; a redirect that sets a cookie may come back, within the limit, as
a cookie check does) and a malformed ``Location``. A redirect is logged once.
An error after a redirect names the URL that failed ("HTTP 404 at https://www.x/… (redirected
from http://x/…)").

A response must arrive whole within ``deadline_seconds`` — by default
:data:`DEADLINE_FACTOR` × the client's timeout (``fetch.timeout_seconds``: 20 s → 60 s) — or
it fails ("page took longer than 60 s to arrive"): the client's timeout is per read, and a
forum that sends one byte a second would otherwise hold its host for ever. It is not retried.

A ``Retry-After`` on a 429/5xx up to :data:`MAX_RETRY_AFTER_SECONDS` is waited and the
request retried; a longer one fails the request at once ("the forum asks us to wait 60 min
(Retry-After)") and the host is left alone until then: its requests fail at once, with the
same cause, without being sent.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import random
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from monitor.errors import DisallowedByRobots, FetchError
from monitor.fetch.causes import network_cause
from monitor.fetch.decode import decode_page
from monitor.fetch.robots import RobotsTxt

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_RETRY_AFTER_SECONDS = 300.0  # a longer Retry-After fails the request and rests the host
LONGEST_REST_SECONDS = 86400.0  # a host asked to be left alone longer is asked again after a day
MAX_VALIDATORS = 10_000
MAX_LOGGED_REDIRECTS = 10_000
DEADLINE_FACTOR = 3.0  # a whole response may take this many times the client's (per read) timeout
DEFAULT_TIMEOUT_SECONDS = 20.0  # for a client built without a timeout
NOT_RETRIED = (httpx.UnsupportedProtocol,)  # asking again cannot help
_HOST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BAD_LOCATION = "Invalid URL in location header"


class HTTPStatusError(FetchError):
    """The forum answered, but not with the page (HTTP 404, 500, 503 …). ``body`` is what it
    sent instead, to be kept for diagnosis like a page that could not be read."""

    def __init__(self, url: str, reason: str, *, status: int, body: bytes) -> None:
        super().__init__(url, reason)
        self.status = status
        self.body = body


class RedirectError(FetchError):
    """A redirect that is not followed: a loop, too many hops, a malformed ``Location``, another site."""


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
    resting_until: datetime | None = None  # a long Retry-After: no request before then
    resting_cause: str = ""


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
        max_redirects: int | None = None,
        deadline_seconds: float | None = None,
    ) -> None:
        """``max_redirects``: hops followed per request (default: the client's ``max_redirects``).
        ``deadline_seconds``: how long one whole response may take to arrive (default:
        :data:`DEADLINE_FACTOR` × the client's timeout)."""
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
        self.deadline_seconds = (
            DEADLINE_FACTOR * _timeout_of(client) if deadline_seconds is None else deadline_seconds
        )
        self._hosts: dict[str, _Host] = {}
        self._validators: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._redirects_logged: OrderedDict[tuple[str, str], None] = OrderedDict()

    def set_politeness(self, base_url: str, politeness: Politeness) -> None:
        """Use ``politeness`` for the host of ``base_url`` (per-source settings); a host the
        forum redirects to on the same site (``www.`` added or removed) gets it too."""
        self._per_host[urlsplit(base_url).netloc] = politeness

    async def get(self, url: str, *, conditional: bool = False) -> Page:
        """Fetch and decode ``url``; raise FetchError (or DisallowedByRobots) when it cannot be had.

        An HTTP error answer raises :class:`HTTPStatusError`, which holds the body the forum sent.
        With ``conditional``, the ETag / Last-Modified of the previous answer are sent and an
        unchanged page comes back as ``not_modified``.
        """
        problem = _url_problem(url)
        if problem:
            raise FetchError(url, problem)
        if self._respect_robots and not await self.allowed(url):
            raise DisallowedByRobots(url, "disallowed by robots.txt")
        headers = {"User-Agent": self._user_agent}
        if conditional and self._conditional:
            headers.update(self._validators.get(url, {}))
        where, status, response_headers, body = await self._follow(url, headers)
        fetched_at = self._clock()
        server_date = _http_date(response_headers.get("date"))
        if status == 304:
            return Page(url, status, "", b"", fetched_at, server_date, not_modified=True)
        if status != 200:
            reason = _named(f"HTTP {status}", url, where) if where != url else f"HTTP {status}"
            raise HTTPStatusError(url, reason, status=status, body=body)
        self._remember_validators(url, response_headers)
        text = decode_page(body, response_headers.get("content-type"))
        return Page(url, status, text, body, fetched_at, server_date)

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
        self._refuse_while_resting(url, host)
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
            politeness = self._politeness_for(url)
            self._hosts[netloc] = _Host(
                semaphore=asyncio.Semaphore(politeness.concurrency), min_interval=politeness.min_interval
            )
        return self._hosts[netloc]

    def _politeness_for(self, url: str) -> Politeness:
        netloc = urlsplit(url).netloc
        if netloc in self._per_host:
            return self._per_host[netloc]
        for configured, politeness in self._per_host.items():
            if _same_site(f"http://{configured}/", url):
                return politeness
        return self._default

    def _refuse_while_resting(self, url: str, host: _Host) -> None:
        """Fail at once while the host asked us (a long Retry-After) to leave it alone."""
        if host.resting_until is None:
            return
        if self._clock() >= host.resting_until:
            host.resting_until, host.resting_cause = None, ""
            return
        raise FetchError(url, host.resting_cause)

    async def _follow(
        self, url: str, headers: dict[str, str], *, robots_file: bool = False
    ) -> tuple[str, int, httpx.Headers, bytes]:
        """Request ``url`` and follow its redirects hop by hop; the URL answered, and the answer.

        For robots.txt (``robots_file``) every error names the URL that failed and a redirect
        may go to any host; for a page an error names a URL only when it is not ``url``.
        """
        current, seen, hops = url, {url}, 0
        while True:
            try:
                status, response_headers, body = await self._request(current, self._host(current), headers)
            except FetchError as exc:
                if current == url and not robots_file:
                    raise
                raise _again(exc, url, _named(exc.reason, url, current)) from exc
            location = response_headers.get("location")
            if status not in REDIRECT_STATUSES or location is None:
                return current, status, response_headers, body
            target, problem = _redirect_target(current, location)
            if problem:
                raise RedirectError(url, _named(problem, url, current) if current != url else problem)
            if target in seen and "set-cookie" not in response_headers:
                raise RedirectError(url, f"redirect loop at {target}")
            hops += 1
            if hops > self._max_redirects:
                raise RedirectError(
                    url, f"more than {self._max_redirects} redirects from {url} (the last to {target})"
                )
            if not robots_file:
                await self._may_follow(url, current, target)
            self._log_redirect(current, target, status)
            seen.add(target)
            current = target

    async def _may_follow(self, url: str, current: str, target: str) -> None:
        """Raise unless a page may be followed from ``current`` to ``target``: the same site,
        and allowed by the target host's robots.txt."""
        if not _same_site(url, target):
            raise RedirectError(
                url,
                f"redirected to another site ({urlsplit(target).netloc}); "
                "add it as a source if it is the same forum",
            )
        if not self._respect_robots:
            return
        try:
            allowed = await self.allowed(target)
        except FetchError as exc:  # its robots.txt cannot be read, or it asked to be left alone
            raise _again(exc, url, f"{exc.reason} (redirected to {target})") from exc
        if not allowed:
            raise DisallowedByRobots(url, f"disallowed by robots.txt at {target} (redirected from {current})")

    def _log_redirect(self, current: str, target: str, status: int) -> None:
        key = (current, target)
        if key in self._redirects_logged:
            return
        self._redirects_logged[key] = None
        while len(self._redirects_logged) > MAX_LOGGED_REDIRECTS:
            self._redirects_logged.popitem(last=False)
        log.info(
            "redirect followed: %s -> %s (HTTP %d; logged once)",
            current,
            target,
            status,
            extra={"url": current, "redirect_to": target},
        )

    async def _request(
        self, url: str, host: _Host, headers: dict[str, str]
    ) -> tuple[int, httpx.Headers, bytes]:
        attempt = 0
        while True:
            self._refuse_while_resting(url, host)
            cause = ""
            result: tuple[int, httpx.Headers, bytes] | None = None
            async with host.semaphore:
                # asked again after the wait for a slot: an answer meanwhile may have said "wait an hour"
                self._refuse_while_resting(url, host)
                await self._pace(host)
                try:
                    result = await self._read(url, headers)
                except NOT_RETRIED as exc:
                    raise FetchError(url, network_cause(exc)) from exc
                except httpx.RemoteProtocolError as exc:
                    if str(exc).startswith(_BAD_LOCATION):  # httpx could not even parse it
                        why = str(exc).removeprefix(_BAD_LOCATION).strip(" :.")
                        raise RedirectError(url, f"malformed redirect (Location: {why})") from exc
                    cause = network_cause(exc)
                except httpx.TransportError as exc:
                    cause = network_cause(exc)
                except httpx.HTTPError as exc:  # anything else httpx may raise: not retried
                    raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc
                except httpx.InvalidURL as exc:
                    raise FetchError(url, f"malformed URL ({exc})") from exc
            if result is not None and result[0] not in RETRY_STATUSES:
                return result
            if result is not None:
                self._rest_if_asked(url, host, *result)
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

    def _rest_if_asked(self, url: str, host: _Host, status: int, headers: httpx.Headers, body: bytes) -> None:
        """A Retry-After longer than :data:`MAX_RETRY_AFTER_SECONDS`: fail now and leave the
        host alone until then, rather than wait in the middle of a pass or ask again sooner."""
        now = self._clock()
        seconds = requested_wait_seconds(headers.get("retry-after"), now)
        if seconds is None or seconds <= MAX_RETRY_AFTER_SECONDS:
            return
        seconds = min(seconds, LONGEST_REST_SECONDS)  # "Retry-After: 999999999999" is asked again tomorrow
        host.resting_until = now + timedelta(seconds=seconds)
        host.resting_cause = f"the forum asks us to wait {_duration(seconds)} (Retry-After)"
        log.warning(
            "%s answered HTTP %d with Retry-After %s: %s is not asked again before %s",
            url,
            status,
            headers.get("retry-after"),
            urlsplit(url).netloc,
            f"{host.resting_until:%Y-%m-%d %H:%M:%S %Z}",
            extra={"url": url, "cause": host.resting_cause},
        )
        raise HTTPStatusError(url, host.resting_cause, status=status, body=body)

    async def _read(self, url: str, headers: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        """One request and its whole answer, within the deadline."""
        deadline = asyncio.timeout(self.deadline_seconds if self.deadline_seconds > 0 else None)
        try:
            async with deadline:
                return await self._read_answer(url, headers)
        except TimeoutError:
            if not deadline.expired():
                raise
            raise FetchError(url, f"page took longer than {self.deadline_seconds:g} s to arrive") from None

    async def _read_answer(self, url: str, headers: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        async with self._client.stream("GET", url, headers=headers, follow_redirects=False) as response:
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                return response.status_code, response.headers, b""  # its body is never needed
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self._max_bytes:
                raise FetchError(url, f"response too large ({declared} bytes > {self._max_bytes})")
            chunks: list[bytes] = []
            size = 0
            try:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise FetchError(url, f"response too large (over {self._max_bytes} bytes)")
                    chunks.append(chunk)
            except httpx.DecodingError as exc:
                encoding = response.headers.get("content-encoding", "compression")
                raise FetchError(url, f"page claims {encoding} but is not") from exc
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
            where, status, headers, body = await self._follow(
                robots_url, {"User-Agent": self._user_agent}, robots_file=True
            )
        except RedirectError as exc:
            # RFC 9309 §2.3.1.2: past the redirects a crawler follows, robots.txt is "unavailable".
            log.info("robots.txt read as absent: %s", exc.reason, extra={"url": robots_url})
            return
        except FetchError as exc:
            problem = exc.reason
        else:
            if status < 400:
                host.robots = RobotsTxt.parse(decode_page(body, headers.get("content-type")))
                return
            if status < 500:
                return  # no robots.txt: everything allowed
            problem = _named(f"HTTP {status}", robots_url, where)
        # RFC 9309: robots.txt unreachable means "assume complete disallow" — until it can be read.
        host.robots, host.robots_problem = RobotsTxt.disallow_all(), problem
        log.warning(
            "robots.txt unreachable (%s): %s not crawled until it can be read",
            problem,
            parts.netloc,
            extra={"url": robots_url},
        )


def _timeout_of(client: httpx.AsyncClient) -> float:
    """The client's timeout for one step of a request (the longest it sets)."""
    timeout = client.timeout
    steps = [s for s in (timeout.connect, timeout.read, timeout.write) if s is not None]
    return max(steps) if steps else DEFAULT_TIMEOUT_SECONDS


def _named(cause: str, url: str, where: str) -> str:
    """``cause`` naming the URL that failed, and the URL asked for when a redirect led there."""
    return f"{cause} at {where}" + (f" (redirected from {url})" if where != url else "")


def _again(exc: FetchError, url: str, reason: str) -> FetchError:
    """``exc`` (same kind, same body) for ``url`` with ``reason``."""
    if isinstance(exc, HTTPStatusError):
        return HTTPStatusError(url, reason, status=exc.status, body=exc.body)
    return type(exc)(url, reason)


def _url_problem(url: str) -> str:
    """Why ``url`` cannot be fetched at all ("" when it can)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return "malformed URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http:// or https:// URL"
    if not parts.hostname or not _valid_host(parts.hostname):
        return "malformed URL"
    return ""


def _redirect_target(current: str, location: str) -> tuple[str, str]:
    """The absolute URL a ``Location`` leads to from ``current``, or ("", why it cannot be followed)."""
    try:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return "", f"malformed redirect (Location: {location})"
    if parts.scheme.lower() not in ("http", "https"):
        return "", f"redirect to a non-web address (Location: {location})"
    if not parts.hostname or not _valid_host(parts.hostname):
        return "", f"malformed redirect (Location: {location})"
    return urlunsplit(parts._replace(fragment="")), ""


def _valid_host(host: str) -> bool:
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return bool(_HOST_NAME.fullmatch(ascii_host.lower()))


def _site(parts: SplitResult) -> tuple[str, int | None]:
    """A host's site: its name without ``www.``, and its port unless the scheme's default."""
    host = (parts.hostname or "").removesuffix(".")
    port = parts.port
    if port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return host.removeprefix("www."), port


def _same_site(a: str, b: str) -> bool:
    """Whether two URLs are on the same site: the same host, but for ``http`` ↔ ``https`` and
    ``www.`` added or removed."""
    try:
        return _site(urlsplit(a)) == _site(urlsplit(b))
    except ValueError:
        return False


def _duration(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = seconds / 3600
    return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def requested_wait_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date): how long the server asks us to wait."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date), capped at five minutes."""
    seconds = requested_wait_seconds(value, now)
    return None if seconds is None else min(seconds, MAX_RETRY_AFTER_SECONDS)
