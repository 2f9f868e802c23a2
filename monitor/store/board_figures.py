"""What each board is usually like, read from its threads' snapshots: the growth histories its
detector model is fitted on, the negative share of its usual thread, and the views its threads
gain in their first day. Read hourly per board (monitor/facts.py caches them), so each is a query
or two per board, never a scan of every snapshot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import Session

from monitor.store.models import Post, Snapshot, Thread
from monitor.store.snapshot_span import seen_end_column

FIRST_DAY = timedelta(days=1)  # as monitor.detect.views reads a thread's first day


def board_histories(
    session: Session, board_id: int, first_after: datetime, first_before: datetime
) -> list[list[float]]:
    """Reply offsets (seconds after the first post) of the board's threads first posted in the range."""
    first = (
        select(Post.thread_id, Post.posted_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Thread.board_id == board_id, Post.floor == 1)
        .where(Post.posted_at >= first_after, Post.posted_at < first_before)
    )
    starts = {thread_id: posted_at for thread_id, posted_at in session.execute(first)}
    histories: dict[int, list[float]] = {thread_id: [] for thread_id in starts}
    if starts:
        replies = select(Post.thread_id, Post.posted_at).where(
            Post.thread_id.in_(list(starts)), Post.floor > 1
        )
        for thread_id, posted_at in session.execute(replies):
            histories[thread_id].append((posted_at - starts[thread_id]).total_seconds())
    return list(histories.values())


def board_negative_shares(session: Session, board_id: int, since: datetime, now: datetime) -> list[float]:
    """The negative share of each of the board's threads at its latest snapshot in ``[since, now)``
    that had posts (a thread seen only on the board's list has no share, not a share of 0)."""
    latest = (
        select(Snapshot.thread_id, func.max(Snapshot.taken_at).label("taken_at"))
        .join(Thread, Thread.id == Snapshot.thread_id)
        .where(
            Thread.board_id == board_id,
            seen_end_column() >= since,  # seen in the span: taken in it, or before and read again in it
            Snapshot.taken_at < now,
            Snapshot.distinct_authors > 0,
        )
        .group_by(Snapshot.thread_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Snapshot.negative_share).join(
                latest, and_(Snapshot.thread_id == latest.c.thread_id, Snapshot.taken_at == latest.c.taken_at)
            )
        )
    )


def board_view_readings(
    session: Session, board_id: int, first_after: datetime, now: datetime
) -> dict[int, tuple[datetime, list[tuple[datetime, int]]]]:
    """Per thread of the board first posted since ``first_after``: its first post's time and the
    ``(moment, views)`` of its first and last readings within a day of it and before ``now`` (what the
    board's usual views pace is measured from; the snapshots between are not read): the first
    snapshot's, and the last one's when it was taken and where it was last seen (at most a day after
    the first post, and ``now``: see :mod:`monitor.store.snapshot_span`)."""
    first = (
        select(Post.thread_id, Post.posted_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Thread.board_id == board_id, Post.floor == 1)
        .where(Post.posted_at >= first_after, Post.posted_at < now)
        .subquery()
    )
    ends = (
        select(
            first.c.thread_id,
            first.c.posted_at,
            func.min(Snapshot.taken_at).label("earliest"),
            func.max(Snapshot.taken_at).label("latest"),
        )
        .join(Snapshot, Snapshot.thread_id == first.c.thread_id)
        .where(Snapshot.taken_at >= first_after, Snapshot.taken_at < now)
        .where(
            Snapshot.taken_at >= first.c.posted_at,
            Snapshot.taken_at <= _a_day_after(session, first.c.posted_at),
        )
        .group_by(first.c.thread_id, first.c.posted_at)
        .subquery()
    )
    rows = session.execute(
        select(
            ends.c.thread_id, ends.c.posted_at, Snapshot.taken_at, Snapshot.seen_until, Snapshot.views
        ).join(
            Snapshot,
            and_(
                Snapshot.thread_id == ends.c.thread_id,
                or_(Snapshot.taken_at == ends.c.earliest, Snapshot.taken_at == ends.c.latest),
            ),
        )
    )
    readings: dict[int, tuple[datetime, list[tuple[datetime, int]]]] = {}
    for thread_id, posted_at, taken_at, seen_until, views in rows:
        thread = readings.setdefault(thread_id, (posted_at, []))[1]
        thread.append((taken_at, views))
        last_seen = min(seen_until, posted_at + FIRST_DAY, now) if seen_until is not None else taken_at
        if last_seen > taken_at:
            thread.append((last_seen, views))
    return readings


def _a_day_after(session: Session, moment: Any) -> Any:
    """``moment`` + 1 day in SQL. SQLite keeps times as text, to the microsecond; its ``strftime``
    writes milliseconds, so a snapshot less than a millisecond past the day is not in it."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M:%f", moment, "+1 day")
    return moment + literal_column("interval '1 day'")
