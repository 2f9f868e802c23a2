"""Leaving a host alone: for the long ``Retry-After`` it asked for (:func:`rest_if_asked`), or
a while after its firewall answered instead of the forum (:func:`rest_blocked`: longer each time it
blocks us again, as :class:`BlockRests` says, until a page of it is read as the forum's:
:func:`read_normally`). A resting
host's requests fail at once with the cause (:meth:`~monitor.fetch.hosts.Host.refuse_while_resting`);
the rest is kept in the fetcher's :class:`~monitor.fetch.host_rests.RestBook` beyond the process."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn
from urllib.parse import urlsplit

import httpx

from monitor.fetch.blocked import BLOCK_REST_SECONDS, Block, PageBlocked, find_block
from monitor.fetch.decode import decode_page
from monitor.fetch.host_rests import RestBook, saved
from monitor.fetch.hosts import Host
from monitor.fetch.response import HTTPStatusError

log = logging.getLogger("monitor.fetch.client")

LONGEST_BLOCK_REST_SECONDS = 12 * 3600.0
"""The longest rest after blocks in a row: a forum that lets us in again is read within half a day."""


@dataclass(frozen=True)
class BlockRests:
    """How long a host whose firewall answered is left alone: ``first`` seconds after one block,
    twice as long after each further block in a row (30 min, 1 h, 2 h …), never over ``longest``."""

    first: float = BLOCK_REST_SECONDS
    longest: float = LONGEST_BLOCK_REST_SECONDS

    def seconds(self, blocks_in_a_row: int) -> float:
        doubled = self.first * float(2 ** min(max(blocks_in_a_row, 1) - 1, 32))
        return min(doubled, max(self.longest, self.first))


BLOCK_RESTS = BlockRests()


def span(seconds: float) -> str:
    """``30 min``, ``2 h``, ``1 h 30 min``."""
    hours, minutes = divmod(round(seconds / 60), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


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
    url: str,
    host: Host,
    block: Block,
    body: bytes,
    now: datetime,
    rests: RestBook | None,
    lengths: BlockRests = BLOCK_RESTS,
) -> NoReturn:
    """Leave the host alone (longer if it rests already), and raise :class:`PageBlocked`: asking
    again at once would only be blocked again, or banned longer. A block met while the host rests
    after one (a request already on its way) is the same block; any other counts one more in a row,
    and the rest is :meth:`BlockRests.seconds` of them."""
    resting = host.resting_until is not None and host.resting_until > now
    if not resting or not host.blocks_in_a_row:
        host.blocks_in_a_row += 1
    blocks = host.blocks_in_a_row
    seconds = lengths.seconds(blocks)
    if host.resting_until is None or host.resting_until < now + timedelta(seconds=seconds):
        in_a_row = f"blocked {blocks} times in a row, " if blocks > 1 else ""
        host.rest(now, seconds, f"{block.reason}; {in_a_row}the forum is left alone for {span(seconds)}")
        if rests is not None:
            rests.save(urlsplit(url).netloc, saved(host, now))
        log.warning(
            "%s: %s; %s is not asked again before %s (blocked %d in a row)",
            url,
            block.reason,
            urlsplit(url).netloc,
            f"{host.resting_until:%Y-%m-%d %H:%M:%S %Z}",
            blocks,
            extra={"url": url, "cause": block.reason},
        )
    raise PageBlocked(url, block, body)


def read_normally(
    url: str,
    host: Host,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    rests: RestBook | None,
) -> None:
    """A 200 or 304 answer from a host that blocked us lately: unless it is a guard's page again,
    the host is read as the forum again, and its next block rests it :attr:`BlockRests.first` again."""
    if not host.blocks_in_a_row or status not in (200, 304):
        return
    if status == 200 and find_block(200, headers, decode_page(body, headers.get("content-type"))):
        return
    host.blocks_in_a_row = 0
    if rests is not None:
        rests.save(urlsplit(url).netloc, saved(host, now))
