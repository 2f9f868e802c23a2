"""Per-host state the fetcher keeps for as long as it lives: how hard the host may be hit
(:class:`Politeness`: concurrent requests, the interval between them), its robots.txt, and
whether it asked to be left alone (a long ``Retry-After``, or one past the host's budget of
``Retry-After`` waiting: :mod:`monitor.fetch.retry_after`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.errors import FetchError
from monitor.fetch.retry_after import WaitBudget, requested_wait_seconds, rest_seconds, resting_cause
from monitor.fetch.robots import RobotsTxt


@dataclass(frozen=True)
class Politeness:
    """How hard one host may be hit."""

    concurrency: int = 1
    min_interval: float = 1.0


@dataclass
class Host:
    """One host: its request slots and pacing, its robots.txt, and whether it is resting."""

    semaphore: asyncio.Semaphore
    min_interval: float
    last_request: float = 0.0
    robots: RobotsTxt | None = None
    robots_loaded_at: datetime | None = None
    robots_problem: str = ""  # why robots.txt could not be read ("" when it was, or there is none)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    resting_until: datetime | None = None  # a long Retry-After: no request before then
    resting_cause: str = ""
    rested_at: datetime | None = None  # when it was told to rest (a lift by hand after it ends the rest)
    blocks_in_a_row: int = 0  # firewall answers since a page was last read as the forum's
    retry_after_waits: WaitBudget = field(default_factory=WaitBudget)  # Retry-After waited lately

    @classmethod
    def under(cls, politeness: Politeness) -> Host:
        """A host not yet asked anything, to be hit no harder than ``politeness``."""
        return cls(semaphore=asyncio.Semaphore(politeness.concurrency), min_interval=politeness.min_interval)

    async def pace(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        """Wait until ``min_interval`` has passed since the host's last request."""
        wait = self.last_request + self.min_interval - time.monotonic()
        if wait > 0:
            await sleep(wait)
        self.last_request = time.monotonic()

    def robots_due(self, clock: Callable[[], datetime], retry_seconds: float) -> bool:
        """Whether robots.txt is to be read: never yet, or unreadable ``retry_seconds`` ago."""
        if self.robots_loaded_at is None:
            return True
        waited = (clock() - self.robots_loaded_at).total_seconds()
        return bool(self.robots_problem) and waited >= retry_seconds

    def rest(self, now: datetime, seconds: float, cause: str = "") -> None:
        """Leave the host alone for ``seconds`` from ``now`` (it asked so, with a Retry-After);
        ``cause``: why its requests fail meanwhile (default: the wait it asked for)."""
        self.resting_until, self.rested_at = now + timedelta(seconds=seconds), now
        self.resting_cause = cause or resting_cause(seconds)

    def heed(self, retry_after: str | None, now: datetime, *, waiting: bool) -> bool:
        """Whether an answer's ``Retry-After`` rests the host (from ``now``, if so) rather than
        be waited: one longer than five minutes, or one more than is left of the host's budget of
        ``Retry-After`` waiting. One the fetcher will wait (``waiting``) is counted against it."""
        seconds = rest_seconds(retry_after, now)
        wait = requested_wait_seconds(retry_after, now)
        if seconds is not None:
            self.rest(now, seconds, resting_cause(seconds, asked=wait))
            return True
        if wait is None:
            return False
        budget = self.retry_after_waits
        if budget.take(now, wait) if waiting else budget.fits(now, wait):
            return False
        self.rest(now, wait, budget.over_cause(wait))
        return True

    def refuse_while_resting(self, url: str, clock: Callable[[], datetime]) -> None:
        """Fail at once while the host asked us (a long Retry-After) to leave it alone."""
        if self.resting_until is None:
            return
        if clock() >= self.resting_until:
            self.resting_until, self.resting_cause = None, ""
            return
        raise HostResting(url, self.resting_cause)


class HostResting(FetchError):
    """A request refused at once, without asking the host: it rests (the reason says why)."""
