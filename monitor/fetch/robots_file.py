"""What a host's robots.txt answer means, as RFC 9309 reads it, and the log line saying so.

- an answer below 400: its rules;
- a 4xx: robots.txt is unavailable — no rules;
- a redirect not followed — to another site, a loop, more than five hops, a malformed
  ``Location`` (:mod:`monitor.fetch.redirects`) — unavailable too: no rules, and a warning
  naming it (``robots.txt read as absent (no rules): redirected to another site, not followed:
  http://bbs.example.com/robots.txt -> http://10.0.0.5/robots.txt``);
- a 5xx, or no answer at all (after the retries): unreachable — "crawl nothing", until it can be
  read; the problem names the cause and the URL that failed ("connection refused at
  http://…/robots.txt"), and it is a :class:`~monitor.errors.FetchError` for every page of the
  host, never :class:`~monitor.errors.DisallowedByRobots`.
"""

from __future__ import annotations

import logging
from typing import TypeAlias
from urllib.parse import urlsplit

import httpx

from monitor.errors import FetchError
from monitor.fetch.decode import decode_page
from monitor.fetch.redirects import RedirectError, named
from monitor.fetch.robots import RobotsTxt

log = logging.getLogger(__name__)

Rules: TypeAlias = tuple[RobotsTxt | None, str]  # the rules (None: none), why unreadable ("": it was read)
# the warning's format: a command that tells the cause as its error leaves the line out (sources add)
UNREACHABLE = "robots.txt unreachable (%s): %s not crawled until it can be read"


def robots_url(url: str) -> str:
    """The robots.txt of ``url``'s host."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def rules_of(robots: str, where: str, status: int, headers: httpx.Headers, body: bytes) -> Rules:
    """What robots.txt (``robots``) answered, at ``where`` after its redirects, means."""
    if status < 400:
        return RobotsTxt.parse(decode_page(body, headers.get("content-type"))), ""
    if status < 500:
        return None, ""  # no robots.txt: everything allowed
    return _unreachable(robots, named(f"HTTP {status}", robots, where))


def rules_without(robots: str, exc: FetchError) -> Rules:
    """What it means that robots.txt (``robots``) could not be had, for the reason ``exc`` gives."""
    if isinstance(exc, RedirectError):
        # RFC 9309 §2.3.1.2: past the redirects a crawler follows, robots.txt is "unavailable".
        log.warning("robots.txt read as absent (no rules): %s", exc.reason, extra={"url": robots})
        return None, ""
    return _unreachable(robots, exc.reason)


def _unreachable(robots: str, problem: str) -> Rules:
    """RFC 9309: robots.txt unreachable means "assume complete disallow" — until it can be read."""
    log.warning(
        UNREACHABLE,
        problem,
        urlsplit(robots).netloc,
        extra={"url": robots},
    )
    return RobotsTxt.disallow_all(), problem
