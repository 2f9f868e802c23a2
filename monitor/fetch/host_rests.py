"""A host's rest kept beyond the process: a forum that asked to be left alone for an hour
(``Retry-After``) is not asked again by the next ``monitor crawl --once`` from cron, by a
restarted ``monitor run``, or by another worker on the same database.

The fetcher (:class:`~monitor.fetch.client.Fetcher`) is given a :class:`RestBook` — the
database's, :class:`monitor.store.host_rests.StoredRests` — and

* reads a host's saved rest and ``Retry-After`` waiting the first time it asks the host
  anything, and again at most every :data:`REREAD_SECONDS` (another process may have been
  told to rest the host meanwhile);
* saves them whenever an answer's ``Retry-After`` changed them (a wait counted against the
  host's budget, or a rest).

Merging never shortens a rest: the later of the two ends holds, and the waits counted by
either process both count against the budget — unless the rest was lifted by hand
(``monitor sources wake``): a rest begun and waits counted before the lift are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from monitor.fetch.hosts import Host

REREAD_SECONDS = 60.0


@dataclass(frozen=True)
class SavedRest:
    """What is kept of one host: until when it rests and why, and the ``Retry-After`` waited lately."""

    resting_until: datetime | None
    cause: str
    waits: tuple[tuple[datetime, float], ...]  # (when, seconds), oldest first
    lifted_at: datetime | None = None  # the rest lifted by hand (monitor sources wake) then
    blocks_in_a_row: int = 0  # firewall answers since a page was last read (monitor.fetch.resting)


class RestBook(Protocol):
    """Where hosts' rests are kept (keyed by the host's ``netloc``: ``forum.example:8080``)."""

    def load(self, netloc: str) -> SavedRest | None: ...

    def save(self, netloc: str, rest: SavedRest) -> None: ...


def saved(host: Host, now: datetime) -> SavedRest:
    """What to keep of ``host`` at ``now``: its rest (unless over) and the waits still in its window."""
    budget = host.retry_after_waits
    budget.spent(now)  # drops the waits out of the window
    resting = host.resting_until is not None and host.resting_until > now
    return SavedRest(
        resting_until=host.resting_until if resting else None,
        cause=host.resting_cause if resting else "",
        waits=tuple(budget.waits),
        blocks_in_a_row=host.blocks_in_a_row,
    )


def restore(host: Host, rest: SavedRest) -> None:
    """Merge a kept rest into ``host``: the later end of the two holds; every wait counts once.
    A lift kept since the host was told to rest ends that rest, and forgets the waits before it.
    The count of blocks in a row goes with the later rest (a fresh process takes the kept one)."""
    if rest.lifted_at is not None:
        if host.resting_until is not None and (host.rested_at is None or host.rested_at <= rest.lifted_at):
            host.resting_until, host.resting_cause, host.blocks_in_a_row = None, "", 0
            if host.robots_problem:  # the rest came with robots.txt: read it at once, not in 5 min
                host.robots_loaded_at = None
        kept = [wait for wait in host.retry_after_waits.waits if wait[0] > rest.lifted_at]
        host.retry_after_waits.waits.clear()
        host.retry_after_waits.waits.extend(kept)
    if host.resting_until is None:
        host.blocks_in_a_row = rest.blocks_in_a_row
    if rest.resting_until is not None and (
        host.resting_until is None or rest.resting_until > host.resting_until
    ):
        host.resting_until, host.resting_cause = rest.resting_until, rest.cause
        host.blocks_in_a_row = rest.blocks_in_a_row
    waits = host.retry_after_waits.waits
    merged = sorted(set(waits) | set(rest.waits))
    waits.clear()
    waits.extend(merged)
