"""A snapshot holds from ``taken_at`` to ``seen_until``: what its readers read of it.

A poll writes a snapshot only when the thread's reading changed (:func:`monitor.store.repo.record_snapshot`);
a poll that reads it unchanged moves the latest snapshot's ``seen_until`` to its own time instead. So a
snapshot stands for every poll from ``taken_at`` to ``seen_until`` (only ``taken_at`` when NULL), and
the readers read it as a step: its figures hold over that span, and nothing is known past its end
until the next snapshot's ``taken_at`` (the monitor did not look). The figures come out as the row
per poll gave them:

* a thread's reply counts over time (the timeline's placing of replies counted but not read): each
  snapshot gives its first and its last reading, the polls between read the same count;
* the views a window ago: the snapshot taken at or before the window's start, read at the start when
  it was still seen then, else at its end (the last poll before a gap) — :func:`reading_at`;
* a snapshot "in a span" (a board's usual negativity and views pace, retention's age) is one seen in
  it: :func:`seen_end_column` is its end in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, func

from monitor.store.models import Snapshot


def seen_end(snapshot: Snapshot) -> datetime:
    """The last poll that read the snapshot's figures."""
    return snapshot.seen_until if snapshot.seen_until is not None else snapshot.taken_at


def seen_end_column() -> ColumnElement[datetime]:
    """:func:`seen_end` in SQL."""
    return func.coalesce(Snapshot.seen_until, Snapshot.taken_at)


def reply_readings(
    snapshots: Iterable[Snapshot], since: datetime, until: datetime
) -> list[tuple[datetime, int]]:
    """``(moment, replies)`` of the polls in ``[since, until]`` the snapshots stand for, in time order:
    each snapshot's first and last reading in it (the polls between read the same count)."""
    readings: list[tuple[datetime, int]] = []
    for snapshot in snapshots:
        start, end = max(snapshot.taken_at, since), min(seen_end(snapshot), until)
        if snapshot.taken_at > until or seen_end(snapshot) < since:
            continue
        readings.append((start, snapshot.replies))
        if end > start:
            readings.append((end, snapshot.replies))
    return sorted(readings, key=lambda reading: reading[0])


def reading_at(snapshot: Snapshot, moment: datetime) -> datetime:
    """When the snapshot taken at or before ``moment`` was last read by then: ``moment`` itself while it
    was still seen, else its last poll (the monitor did not look in between)."""
    return min(seen_end(snapshot), moment)
