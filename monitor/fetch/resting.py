"""Leaving a host alone: for the long ``Retry-After`` it asked for (:func:`rest_if_asked`), or
a while after its firewall answered instead of the forum (:func:`rest_blocked`). A resting
host's requests fail at once with the cause (:meth:`~monitor.fetch.hosts.Host.refuse_while_resting`);
the rest is kept in the fetcher's :class:`~monitor.fetch.host_rests.RestBook` beyond the process."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import NoReturn
from urllib.parse import urlsplit

import httpx

from monitor.fetch.blocked import BLOCK_REST_SECONDS, Block, PageBlocked
from monitor.fetch.host_rests import RestBook, saved
from monitor.fetch.hosts import Host
from monitor.fetch.response import HTTPStatusError

log = logging.getLogger("monitor.fetch.client")


def rest_if_asked(
    url: str,
    host: Host,
    status: int,
    headers: httpx.Headers,
    body: bytes,
    now: datetime,
    rests: RestBook | None,
    *,
    waiting: bool,
) -> None:
    """Raise when an answer's Retry-After leaves the host alone rather than be waited
    (:meth:`Host.heed`: over five minutes, or past its budget of waiting): fail now, and ask it
    nothing until then. ``waiting``: the request would be retried after the wait."""
    resting = host.heed(headers.get("retry-after"), now, waiting=waiting)
    if rests is not None and headers.get("retry-after"):
        rests.save(urlsplit(url).netloc, saved(host, now))
    if not resting:
        return
    log.warning(
        "%s answered HTTP %d with Retry-After %s: %s; %s is not asked again before %s",
        url,
        status,
        headers.get("retry-after"),
        host.resting_cause,
        urlsplit(url).netloc,
        f"{host.resting_until:%Y-%m-%d %H:%M:%S %Z}",
        extra={"url": url, "cause": host.resting_cause},
    )
    raise HTTPStatusError(url, host.resting_cause, status=status, body=body)


def rest_blocked(
    url: str, host: Host, block: Block, body: bytes, now: datetime, rests: RestBook | None
) -> NoReturn:
    """Leave the host alone for :data:`BLOCK_REST_SECONDS` (longer if it rests already), and raise
    :class:`PageBlocked`: asking again at once would only be blocked again, or banned longer."""
    until = now + timedelta(seconds=BLOCK_REST_SECONDS)
    if host.resting_until is None or host.resting_until < until:
        minutes = round(BLOCK_REST_SECONDS / 60)
        host.rest(now, BLOCK_REST_SECONDS, f"{block.reason}; the forum is left alone for {minutes} min")
        if rests is not None:
            rests.save(urlsplit(url).netloc, saved(host, now))
        log.warning(
            "%s: %s; %s is not asked again before %s",
            url,
            block.reason,
            urlsplit(url).netloc,
            f"{host.resting_until:%Y-%m-%d %H:%M:%S %Z}",
            extra={"url": url, "cause": block.reason},
        )
    raise PageBlocked(url, block, body)
