"""Retries and ``Retry-After``: which answers are asked again, how long to wait before asking,
and when a host is left alone instead.

A ``Retry-After`` on a 429/5xx up to :data:`MAX_RETRY_AFTER_SECONDS` is waited and the
request retried; a longer one fails the request at once ("the forum asks us to wait 60 min
(Retry-After)") and the host is left alone until then — at most :data:`LONGEST_REST_SECONDS`:
its requests fail at once, with the same cause, without being sent. Without a
``Retry-After``, a retry waits an exponential backoff with jitter.

The waiting is budgeted per host (:class:`WaitBudget`): at most
:data:`RETRY_AFTER_BUDGET_SECONDS` of ``Retry-After`` within any
:data:`RETRY_AFTER_WINDOW_SECONDS`. A ``Retry-After`` more than is left of it rests the host
like a long one — for the time asked — so a forum answering every page "Retry-After: 299"
costs a pass five minutes, not pages × retries × five minutes.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 300.0  # a longer Retry-After fails the request and rests the host
LONGEST_REST_SECONDS = 86400.0  # a host asked to be left alone longer is asked again after a day
RETRY_AFTER_BUDGET_SECONDS = 300.0  # Retry-After waited per host within the window; past it the host rests
RETRY_AFTER_WINDOW_SECONDS = 3600.0


def requested_wait_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date): how long the server asks us to wait."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = http_date(value)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date), capped at five minutes."""
    seconds = requested_wait_seconds(value, now)
    return None if seconds is None else min(seconds, MAX_RETRY_AFTER_SECONDS)


def rest_seconds(value: str | None, now: datetime) -> float | None:
    """How long a Retry-After longer than :data:`MAX_RETRY_AFTER_SECONDS` leaves the host alone
    (at most :data:`LONGEST_REST_SECONDS`); None when there is none, or it is short enough to wait."""
    seconds = requested_wait_seconds(value, now)
    if seconds is None or seconds <= MAX_RETRY_AFTER_SECONDS:
        return None
    return min(seconds, LONGEST_REST_SECONDS)  # "Retry-After: 999999999999" is asked again tomorrow


def resting_cause(seconds: float, asked: float | None = None) -> str:
    """Why a resting host's requests fail: "the forum asks us to wait 60 min (Retry-After)";
    ``asked``, when more than the rest: what the forum asked for, and that it is asked again sooner."""
    if asked is not None and asked > seconds:
        return (
            f"the forum asks us to wait {_duration(asked)} (Retry-After); it is asked again after "
            f"{_duration(seconds)}, the longest the monitor leaves a forum alone"
        )
    return f"the forum asks us to wait {_duration(seconds)} (Retry-After)"


@dataclass
class WaitBudget:
    """The ``Retry-After`` one host has been waited lately: at most ``budget`` seconds within
    any ``window`` seconds (times from the fetcher's clock)."""

    budget: float = RETRY_AFTER_BUDGET_SECONDS
    window: float = RETRY_AFTER_WINDOW_SECONDS
    waits: deque[tuple[datetime, float]] = field(default_factory=deque)  # (when, seconds), oldest first

    def spent(self, now: datetime) -> float:
        """Seconds waited within the window up to ``now``."""
        while self.waits and (now - self.waits[0][0]).total_seconds() >= self.window:
            self.waits.popleft()
        return sum(seconds for _, seconds in self.waits)

    def fits(self, now: datetime, seconds: float) -> bool:
        """Whether waiting ``seconds`` more at ``now`` stays within the budget."""
        return self.spent(now) + seconds <= self.budget

    def take(self, now: datetime, seconds: float) -> bool:
        """Count a wait of ``seconds`` from ``now`` if it fits the budget; whether it did."""
        if not self.fits(now, seconds):
            return False
        if seconds > 0:
            self.waits.append((now, seconds))
        return True

    def over_cause(self, seconds: float) -> str:
        """Why a host rests rather than be waited ``seconds``: "the forum asks us to wait 5 min
        (Retry-After), more than is left of the 5 min we wait for a host per 60 min"."""
        return (
            f"{resting_cause(seconds)}, more than is left of the {_duration(self.budget)} "
            f"we wait for a host per {_duration(self.window)}"
        )


def backoff_seconds(
    attempt: int, headers: httpx.Headers | None, clock: Callable[[], datetime], rng: random.Random
) -> float:
    """Retry-After when the server gives one, else exponential backoff with ±50 % jitter."""
    if headers is not None:
        retry_after = retry_after_seconds(headers.get("retry-after"), clock())
        if retry_after is not None:
            return retry_after
    return float(min(2**attempt, 60)) * rng.uniform(0.5, 1.5)


def http_date(value: str | None) -> datetime | None:
    """An HTTP date (``Date``, ``Retry-After``) in UTC; None when absent or unreadable."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _duration(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = seconds / 3600
    if hours > 48:
        days = hours / 24
        return f"{days:.0f} days" if days < 3650 else "years"
    return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"
