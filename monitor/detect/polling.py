"""Adaptive polling: which threads to refresh next under a fixed request budget per host.

The detector says which threads are hot; the crawler has a budget of requests per host. Each
pass, :func:`plan_polls` ranks a host's threads by how likely each is to have crossed its next
tier threshold since it was last read, and returns the ones to fetch:

* a thread never read yet comes first (new threads promptly), oldest first;
* otherwise the rank is the thread's *predicted score now* minus its next threshold (the alert
  threshold, or the next tier's if it is already alerting): the score at its last read plus
  its score's rise per hour (measured between its last two reads, never below a youth prior
  ``youth_rise / (age in hours + youth_hours)``: the score is a log, and a log grows fast
  while a thread is young) times the hours since. A thread rising toward the threshold is
  re-read soon, a flat or falling one rarely, a new one every few minutes;
* a thread read less than ``min_interval`` ago waits (``alerting_interval`` once it alerts: the
  team already knows it, so it must not starve the search for the next one); one not read for
  ``max_interval`` is due whatever its rank (so a dead thread that revives is still noticed).

Usage by the crawler (times in seconds on any clock, e.g. ``datetime.timestamp()``)::

    state = poll_state(key, created_at, now, detection.score.value, previous=state)  # after a read
    for key in plan_polls(states, now, budget=requests_this_pass, settings=settings):
        fetch(key)

Pure and deterministic: ties are broken by creation time, then key.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitor.config.settings import DetectSettings
from monitor.detect.features import HOUR

_DUE = math.inf
_UNKNOWN_SCORE = -10.0


@dataclass(frozen=True)
class PollPolicy:
    min_interval: float = 120.0  # seconds: never refetch a thread sooner
    alerting_interval: float = 900.0  # seconds: a thread already alerting waits at least this long
    max_interval: float = 6 * HOUR  # seconds: every thread at least this often
    youth_rise: float = 2.0  # a young thread's score is presumed to rise youth_rise / (age_h + youth_hours)
    youth_hours: float = 1 / 12  # per hour: growth in log terms is fast when young, slow when old


@dataclass(frozen=True)
class PollState:
    """What the crawler knows about one thread when planning."""

    key: str
    created_at: float
    last_polled: float | None = None  # None: never read
    score: float = _UNKNOWN_SCORE  # escalation score at the last read
    rise_per_hour: float = 0.0  # score change per hour between the last two reads


def poll_state(
    key: str,
    created_at: float,
    polled_at: float,
    score: float,
    previous: PollState | None = None,
) -> PollState:
    """A thread's polling state after a read at ``polled_at`` that gave escalation ``score``.

    ``previous`` is its state before. A second read at the same moment (a thread in two watch
    groups) keeps the higher score and the rise measured before it.
    """
    if previous is not None and previous.last_polled == polled_at:
        return previous if previous.score >= score else replace(previous, score=score)
    rise = 0.0
    if previous is not None and previous.last_polled is not None and previous.score > _UNKNOWN_SCORE:
        hours = (polled_at - previous.last_polled) / HOUR
        if hours > 0:
            rise = (score - previous.score) / hours
    return PollState(key, created_at, polled_at, score, rise)


def next_threshold(score: float, settings: DetectSettings) -> float:
    """The next tier threshold above ``score``; past the top tier, one more doubling of the forecast."""
    for threshold in (settings.general_score, settings.urgent_score, settings.very_urgent_score):
        if score < threshold:
            return threshold
    return score + 1.0


def priority(state: PollState, now: float, settings: DetectSettings, policy: PollPolicy) -> float:
    """Higher = fetch sooner; ``inf`` when never read or overdue, ``-inf`` when read too recently."""
    if state.last_polled is None:
        return _DUE
    waited = max(0.0, now - state.last_polled)
    alerting = state.score >= settings.general_score
    if waited < (policy.alerting_interval if alerting else policy.min_interval):
        return -_DUE
    if waited >= policy.max_interval:
        return _DUE
    age_hours = max(0.0, state.last_polled - state.created_at) / HOUR
    youth = policy.youth_rise / (policy.youth_hours + age_hours)
    predicted = state.score + max(state.rise_per_hour, youth) * waited / HOUR
    return predicted - next_threshold(state.score, settings)


def plan_polls(
    states: Sequence[PollState],
    now: float,
    budget: int,
    settings: DetectSettings,
    policy: PollPolicy | None = None,
) -> list[str]:
    """Keys of the threads to fetch now, at most ``budget``, most urgent first."""
    if budget <= 0:
        return []
    rules = policy or PollPolicy()
    ranked = [
        (priority(s, now, settings, rules), s.last_polled is None, -s.created_at, _descending(s.key), s.key)
        for s in states
    ]
    chosen = heapq.nlargest(budget, (r for r in ranked if r[0] > -_DUE), key=lambda r: r[:4])
    return [r[4] for r in chosen]


def _descending(key: str) -> tuple[int, ...]:
    """Makes ties break by ascending key inside ``nlargest``."""
    return tuple(-ord(ch) for ch in key)
