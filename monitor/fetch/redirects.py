"""The rules for following a redirect of a page or of robots.txt, and :class:`RedirectError`.

Redirects of pages are followed by the fetcher, never by httpx (each request says
``follow_redirects=False``, whatever the client was built with), at most ``max_redirects``
hops (the client's ``max_redirects`` unless given): each hop is checked against *its* host's
robots.txt and paced under its host. A hop to another host is followed only when it is the
same site — ``http://`` ↔ ``https://``, ``www.`` added or removed; anything else is refused
("redirected to another site (bbs.other.com); add it as a source if it is the same forum"),
as is a loop ("redirect loop at …"; a redirect that sets a cookie may come back, within the limit, as
a cookie check does) and a malformed ``Location``. A redirect is logged once.
An error after a redirect names the URL that failed ("HTTP 404 at https://www.x/… (redirected
from http://x/…)").

Redirects of robots.txt are followed hop by hop too, at most :data:`MAX_ROBOTS_REDIRECTS`
(RFC 9309 §2.3.1.2: five), whatever ``max_redirects`` allows pages, and on the same site only:
RFC 9309 would follow them to any host, but then a forum could send the monitor to
``http://10.0.0.5/`` or ``http://127.0.0.1:6379/``. A robots.txt behind a redirect to another
site (:func:`robots_off_site`: "redirected to another site, not followed: A -> B"), a redirect
loop, too many redirects or a malformed ``Location`` is "unavailable", i.e. no rules.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from monitor.errors import FetchError
from monitor.fetch.urls import valid_host

log = logging.getLogger("monitor.fetch.client")  # said as the fetcher's

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BAD_LOCATION = "Invalid URL in location header"
MAX_LOGGED_REDIRECTS = 10_000
MAX_ROBOTS_REDIRECTS = 5  # RFC 9309 §2.3.1.2: crawlers should follow at least five


class RedirectError(FetchError):
    """A redirect that is not followed: a loop, too many hops, a malformed ``Location``, another site."""


def unparsable_location(url: str, exc: httpx.RemoteProtocolError) -> RedirectError | None:
    """The error for a ``Location`` httpx could not even parse (None when ``exc`` is another problem)."""
    if not str(exc).startswith(_BAD_LOCATION):
        return None
    why = str(exc).removeprefix(_BAD_LOCATION).strip(" :.")
    return RedirectError(url, f"malformed redirect (Location: {why})")


def redirect_target(current: str, location: str) -> tuple[str, str]:
    """The absolute URL a ``Location`` leads to from ``current``, or ("", why it cannot be followed)."""
    try:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return "", f"malformed redirect (Location: {location})"
    if parts.scheme.lower() not in ("http", "https"):
        return "", f"redirect to a non-web address (Location: {location})"
    if not parts.hostname or not valid_host(parts.hostname):
        return "", f"malformed redirect (Location: {location})"
    return urlunsplit(parts._replace(fragment="")), ""


@dataclass
class Hops:
    """The redirects followed from ``url`` so far: a malformed ``Location``, a loop or one hop
    more than ``max_redirects`` is refused."""

    url: str
    max_redirects: int
    seen: set[str] = field(default_factory=set)
    count: int = 0

    def __post_init__(self) -> None:
        self.seen.add(self.url)

    def next(self, current: str, location: str, headers: httpx.Headers) -> str:
        """The URL the redirect of ``current`` to ``location`` leads to; raises
        :class:`RedirectError` unless it may be followed."""
        url = self.url
        target, problem = redirect_target(current, location)
        if problem:
            raise RedirectError(url, named(problem, url, current) if current != url else problem)
        if target in self.seen and "set-cookie" not in headers:
            raise RedirectError(url, f"redirect loop at {target}")
        self.count += 1
        if self.count > self.max_redirects:
            raise RedirectError(
                url, f"more than {self.max_redirects} redirects from {url} (the last to {target})"
            )
        self.seen.add(target)
        return target


class Logged:
    """The redirects already logged, so that each is logged once: the most recent
    :data:`MAX_LOGGED_REDIRECTS` are remembered."""

    def __init__(self, limit: int = MAX_LOGGED_REDIRECTS) -> None:
        self._limit = limit
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def first_time(self, current: str, target: str) -> bool:
        """Whether the redirect from ``current`` to ``target`` is not logged yet (it is, from now on)."""
        key = (current, target)
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > self._limit:
            self._seen.popitem(last=False)
        return True

    def log(self, current: str, target: str, status: int) -> None:
        """Log a redirect followed, the first time it is."""
        if not self.first_time(current, target):
            return
        log.info(
            "redirect followed: %s -> %s (HTTP %d; logged once)",
            current,
            target,
            status,
            extra={"url": current, "redirect_to": target},
        )


def another_site(url: str, target: str) -> RedirectError:
    """A page redirected to a host that is not the same site."""
    return RedirectError(
        url,
        f"redirected to another site ({urlsplit(target).netloc}); add it as a source if it is the same forum",
    )


def robots_off_site(robots_url: str, current: str, target: str) -> RedirectError | None:
    """The error for a redirect of robots.txt from ``current`` to ``target`` when ``target`` is
    not on the site of ``robots_url`` (None when it is, and may be followed)."""
    if same_site(robots_url, target):
        return None
    return RedirectError(robots_url, f"redirected to another site, not followed: {current} -> {target}")


def named(cause: str, url: str, where: str) -> str:
    """``cause`` naming the URL that failed, and the URL asked for when a redirect led there."""
    return f"{cause} at {where}" + (f" (redirected from {url})" if where != url else "")


def _site(parts: SplitResult) -> tuple[str, int | None]:
    """A host's site: its name without ``www.``, and its port unless the scheme's default."""
    host = (parts.hostname or "").removesuffix(".")
    port = parts.port
    if port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return host.removeprefix("www."), port


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on the same site: the same host, but for ``http`` ↔ ``https`` and
    ``www.`` added or removed."""
    try:
        return _site(urlsplit(a)) == _site(urlsplit(b))
    except ValueError:
        return False
