"""Features of a thread's timeline at one moment: velocity, acceleration, resonance, memory.

Everything is computed from a :class:`~monitor.detect.timeline.Timeline` (seconds since the
first post), so the same function serves live threads and replayed data. Time is passed in
(the timeline's ``age``); nothing reads a clock.

The growth model's inputs (:class:`GrowthInputs`) are the reply count, the replies in the
last ``recent_window_minutes`` (the two naive early-warning scores, so the model fitted on a
board can do no worse than either of them there), and two exponentially weighted counts of
recent replies — a short and a long memory whose spans are fractions of the thread's age
(``memory_short``, ``memory_long``). A reply that just arrived weighs 1, one a memory span
ago weighs 1/e: a self-exciting view in which recent replies say more about the next day
than old ones, on a clock that scales with the thread's life. Counts, not gaps between
replies, so replies a forum stamps with the same second (batched crawls, rounded times)
weigh what they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.config.settings import DetectSettings
from monitor.detect.timeline import Timeline

HOUR = 3600.0
DAY = 24 * HOUR
_SHORTEST_SHORT_MEMORY = 60.0
_SHORTEST_LONG_MEMORY = 300.0
SHORTEST_RATE_SPAN = 600.0  # a 2-minute-old thread's rate is not per-2-minutes


GROWTH_INPUTS: tuple[str, ...] = ("replies", "recent_window", "recent_short", "recent_long")


@dataclass(frozen=True)
class GrowthInputs:
    """What the growth model reads: counts and recency-weighted counts at ``age`` seconds."""

    age: float
    replies: int
    recent_window: int  # replies in the last ``recent_window_minutes``
    recent_short: float
    recent_long: float

    def logs(self) -> tuple[float, ...]:
        """``log(1 + x)`` of each input, in :data:`GROWTH_INPUTS` order (the model is linear in these)."""
        return (
            math.log1p(self.replies),
            math.log1p(self.recent_window),
            math.log1p(self.recent_short),
            math.log1p(self.recent_long),
        )


@dataclass(frozen=True)
class ThreadFeatures:
    """The detector's view of one thread at one moment."""

    age_hours: float
    replies: int
    window_minutes: float
    window_replies: int  # replies in the last window
    previous_window_replies: int  # replies in the window before that
    replies_per_hour: float  # over the last window (or the thread's life, if shorter)
    acceleration: float  # change of replies per hour between the two windows
    distinct_authors: int
    new_authors: int  # authors whose first reply falls in the last window
    me_too_authors: int  # distinct authors with a 我也遇到了 reply
    me_too_floor: int | None  # floor (1 = first post) of the first 我也遇到了 reply
    growth: GrowthInputs


def memory_spans(age: float, settings: DetectSettings) -> tuple[float, float]:
    """Seconds of the short and long memory for a thread ``age`` seconds old."""
    short = min(max(age * settings.memory_short, _SHORTEST_SHORT_MEMORY), DAY)
    long = min(max(age * settings.memory_long, _SHORTEST_LONG_MEMORY), DAY)
    return short, long


def growth_inputs(offsets: Sequence[float], age: float, settings: DetectSettings) -> GrowthInputs:
    """The growth model's inputs from replies at ``offsets`` (seconds, ``<= age``)."""
    short, long = memory_spans(age, settings)
    window = settings.recent_window_minutes * 60.0
    recent_short = recent_long = 0.0
    count = in_window = 0
    for t in offsets:
        if t > age:
            continue
        count += 1
        lag = age - t
        in_window += lag < window
        recent_short += math.exp(-lag / short)
        recent_long += math.exp(-lag / long)
    return GrowthInputs(
        age=age, replies=count, recent_window=in_window, recent_short=recent_short, recent_long=recent_long
    )


def thread_features(timeline: Timeline, settings: DetectSettings) -> ThreadFeatures:
    age = timeline.age
    window = settings.window_minutes * 60.0
    replies = timeline.replies_until(age)
    since_window = timeline.replies_until(age - window)
    window_replies = replies - since_window
    previous = since_window - timeline.replies_until(age - 2 * window) if age > window else 0
    span = max(min(window, age), SHORTEST_RATE_SPAN)
    rate = window_replies * HOUR / span
    previous_rate = previous * HOUR / window if age > window else 0.0
    first_seen: dict[str, float] = {}
    me_too_authors: set[str] = set()
    me_too_floor: int | None = None
    for index, offset in enumerate(timeline.offsets):
        author = timeline.authors[index] if index < len(timeline.authors) else None
        if author is not None:
            first_seen.setdefault(author, offset)
        if index < len(timeline.me_too) and timeline.me_too[index]:
            me_too_authors.add(author if author is not None else f"#{index}")
            floor = timeline.floors[index] if index < len(timeline.floors) else None
            if floor is None:
                floor = index + 2  # its place among the replies; floor 1 is the opening post
            me_too_floor = floor if me_too_floor is None else min(me_too_floor, floor)
    return ThreadFeatures(
        age_hours=age / HOUR,
        replies=replies,
        window_minutes=settings.window_minutes,
        window_replies=window_replies,
        previous_window_replies=previous,
        replies_per_hour=rate,
        acceleration=rate - previous_rate if age > window else 0.0,
        distinct_authors=len(first_seen),
        new_authors=sum(1 for t in first_seen.values() if t > age - window),
        me_too_authors=len(me_too_authors),
        me_too_floor=me_too_floor,
        growth=growth_inputs(timeline.offsets, age, settings),
    )
