"""What a page's relative dates (``3 小时前``) are relative to, for the crawler.

A crawl must not misdate relative dates by a server clock far off: they are read against the
server's ``Date`` header, unless that is more than :data:`CLOCK_SKEW_TOLERANCE` off the
pass's clock, when the pass's clock is used instead (logged once per source, by
:class:`PageClock`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from monitor.fetch.client import Page

# A server whose Date header is further than this from the pass's clock has a wrong clock: the
# relative dates it prints ("3 小时前") are read against the pass's clock instead.
CLOCK_SKEW_TOLERANCE = timedelta(minutes=10)


def pass_clock(now: datetime, started: float) -> datetime:
    """A crawl's clock now: its ``now`` plus the time it has run since ``started`` (monotonic)."""
    return now + timedelta(seconds=time.monotonic() - started)


class PageClock:
    """Picks each page's clock; warns once per source whose server clock is wrong.

    The warning goes to ``log`` — the crawler's logger, so it is logged where the crawl is.
    """

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._skew_warned: set[str] = set()
        self.skews: dict[str, timedelta] = {}  # source key -> its clock's offset from ours, beyond tolerance

    def of(self, fetched: Page, source_key: str, clock: Callable[[], datetime]) -> datetime:
        """What the page's relative dates are relative to: the server's clock (its ``Date``
        header), unless that is more than :data:`CLOCK_SKEW_TOLERANCE` off the crawl's clock
        (``clock()``) — a wrong server clock, whose "3 小时前" would land hours or years off —
        then the crawl's."""
        if fetched.server_date is None:
            return fetched.now
        ours = clock()
        skew = fetched.server_date - ours
        if abs(skew) <= CLOCK_SKEW_TOLERANCE:
            self.skews.pop(source_key, None)
            return fetched.server_date
        self.skews[source_key] = skew
        if source_key not in self._skew_warned:
            self._skew_warned.add(source_key)
            self._log.warning(
                "source %s: the forum's clock (its Date header, %s) is %s our clock (%s); "
                "relative dates such as 3 小时前 are read against our clock",
                source_key,
                fetched.server_date.isoformat(timespec="seconds"),
                describe_skew(skew),
                ours.isoformat(timespec="seconds"),
                extra={"source": source_key, "url": fetched.url},
            )
        return ours

    def ahead(self, fetched: Page, source_key: str) -> timedelta:
        """How far the forum's clock was ahead of ours when ``fetched`` came (after :meth:`of` read
        it; negative: behind): 0 without a ``Date`` header, or within :data:`CLOCK_SKEW_TOLERANCE`."""
        if fetched.server_date is None:
            return timedelta(0)
        return self.skews.get(source_key, timedelta(0))


def describe_skew(skew: timedelta) -> str:
    """``3 days 2 h ahead of``, ``25 min behind``."""
    days, rest = divmod(round(abs(skew.total_seconds()) / 60), 1440)  # to the minute
    hours, minutes = divmod(rest, 60)
    parts = [f"{days:,} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes and not days else []
    return f"{' '.join(parts) or '0 min'} {'ahead of' if skew > timedelta(0) else 'behind'}"
