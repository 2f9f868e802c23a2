"""A thread's replies as a clean timeline: seconds since the first post, sorted, sane.

The detector never sees raw crawl data. :func:`build_timeline` turns what the store holds
(post times, authors, 我也遇到了 flags, reply-count snapshots) into a :class:`Timeline` and
writes down every repair it made, so the alert can say so:

* replies out of order are sorted (normal: pages arrive in any order);
* a reply dated after ``now`` or before the first post (a clock jump, a wrong time zone,
  a forum clock that is off) is clamped into the thread's life and noted;
* ``now`` before the first post (our clock jumped back) gives an age of zero and a note;
* snapshots out of order are sorted; while the latest reply count is under an earlier one
  (posts deleted), or under the replies read here, that is noted, and the replies already
  seen are kept, since they did happen;
* replies a snapshot counted but whose posts were not stored (pages not fetched yet) are
  spread over the poll interval in which they appeared, and noted.

:func:`timeline_from_offsets` is the fast path for replayed data (already clean seconds).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.detect.velocity import counted

# A reply dated this far after ``now`` is a clock problem rather than rounding.
_CLOCK_SLACK_SECONDS = 120.0


@dataclass(frozen=True)
class Timeline:
    """Replies of one thread as seconds since its first post, at ``age`` seconds after it."""

    offsets: tuple[float, ...]
    age: float
    authors: tuple[str | None, ...] = ()  # per reply, in offset order; empty when unknown
    me_too: tuple[bool, ...] = ()  # per reply: the reply says 我也遇到了
    floors: tuple[int | None, ...] = ()  # per reply: its floor on the forum (None: not read yet)
    notes: tuple[str, ...] = ()  # what cleaning repaired, in words for the alert

    def replies_until(self, age: float) -> int:
        """Replies posted at or before ``age`` seconds."""
        return bisect.bisect_right(self.offsets, age)


def timeline_from_offsets(offsets: Sequence[float], age: float) -> Timeline:
    """Replies already in seconds since the first post (replayed data): keep those up to ``age``."""
    kept = sorted(max(0.0, float(t)) for t in offsets if t <= age)
    return Timeline(offsets=tuple(kept), age=max(0.0, float(age)))


def build_timeline(
    first_post_at: datetime,
    now: datetime,
    reply_times: Sequence[datetime],
    authors: Sequence[str | None] = (),
    me_too: Sequence[bool] = (),
    snapshots: Sequence[tuple[datetime, int]] = (),
    floors: Sequence[int] = (),
) -> Timeline:
    """Clean a live thread's replies; ``authors``/``me_too``/``floors`` run parallel to ``reply_times``.

    ``snapshots`` are ``(taken_at, reply_count)`` pairs from earlier polls (any order).
    """
    notes: list[str] = []
    age = (now - first_post_at).total_seconds()
    if age < 0:
        notes.append(f"clock: now is {_span(-age)} before the first post (clock jump?); age taken as zero")
        age = 0.0
    rows: list[tuple[float, str | None, bool, int | None]] = []
    late = early = 0
    for index, when in enumerate(reply_times):
        offset = (when - first_post_at).total_seconds()
        if offset > age + _CLOCK_SLACK_SECONDS:
            late += 1
        if offset < 0:
            early += 1
        author = authors[index] if index < len(authors) else None
        flagged = me_too[index] if index < len(me_too) else False
        floor = floors[index] if index < len(floors) else None
        rows.append((min(max(offset, 0.0), age), author, flagged, floor))
    if late:
        notes.append(
            f"clock: {counted(late, 'reply', 'replies')} dated after now (clock jump?), counted as just now"
        )
    if early:
        notes.append(
            f"clock: {counted(early, 'reply', 'replies')} dated before the first post, counted at the start"
        )
    rows.sort(key=lambda row: row[0])
    rows.extend(_unstored_replies(first_post_at, age, len(rows), snapshots, notes))
    rows.sort(key=lambda row: row[0])
    return Timeline(
        offsets=tuple(row[0] for row in rows),
        age=age,
        authors=tuple(row[1] for row in rows) if authors else (),
        me_too=tuple(row[2] for row in rows) if me_too else (),
        floors=tuple(row[3] for row in rows) if floors else (),
        notes=tuple(notes),
    )


def _unstored_replies(
    first_post_at: datetime,
    age: float,
    stored: int,
    snapshots: Sequence[tuple[datetime, int]],
    notes: list[str],
) -> list[tuple[float, str | None, bool, int | None]]:
    """Placeholders for replies the latest snapshot counted but no stored post shows."""
    if not snapshots:
        return []
    ordered = sorted(snapshots, key=lambda snap: snap[0])
    latest_count = ordered[-1][1]
    peak = max(count for _, count in ordered)
    if latest_count < peak:
        notes.append(
            f"reply count went down ({peak} → {latest_count}; posts deleted?) — the replies already seen "
            "still count"
        )
    elif latest_count < stored:
        # the count came back, but some posts read here are gone from the forum's count
        notes.append(
            f"the forum lists {counted(latest_count, 'reply', 'replies')}, {stored} were read here "
            f"({stored - latest_count} since deleted?) — the replies already seen still count"
        )
    missing = latest_count - stored
    if missing <= 0:
        return []
    # The replies appeared after the last snapshot that counted fewer than we have stored.
    start = 0.0
    for taken_at, count in ordered:
        if count <= stored:
            start = (taken_at - first_post_at).total_seconds()
    end = (ordered[-1][0] - first_post_at).total_seconds()
    start, end = min(max(start, 0.0), age), min(max(end, 0.0), age)
    if end < start:
        start, end = end, start
    notes.append(
        f"{counted(missing, 'reply', 'replies')} counted but not yet read; placed in the poll interval "
        f"{'it' if missing == 1 else 'they'} appeared in"
    )
    step = (end - start) / missing
    return [(start + step * (i + 1), None, False, None) for i in range(missing)]


def _span(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"
