"""Recording a thread's reading at a poll: a new snapshot only when a figure changed.

A poll that reads the thread as its latest snapshot has it (replies, views, distinct authors,
negative share, me-too authors) moves that snapshot's ``seen_until`` to its own time instead of
adding a row (:mod:`monitor.store.snapshot_span` says how the readers read the span). The latest
snapshot is compared in Python: the pipeline reads it with the pass's other reads, 50 threads a
query (:class:`monitor.detection_reads.PassReads`), so a poll costs one statement per thread, an
UPDATE by primary key (unless a newer snapshot was taken since the read) or an INSERT; without
it, one indexed SELECT more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from monitor.store.models import Post, Snapshot, Thread

FIGURES = ("replies", "views", "distinct_authors", "negative_share", "me_too_authors")


class Unread:
    """The caller did not read the thread's latest snapshot: :func:`record_snapshot` reads it."""


UNREAD = Unread()
_SNAPSHOTS = cast("Table", Snapshot.__table__)
_NEWER = _SNAPSHOTS.alias("newer")
# Built once, a Core statement (an ORM one, built per call, took longer to build than to run): the
# latest snapshot seen until now, while it is still the latest — one another pass took since the
# read is not stretched over — and not seen later already. Otherwise the latest is read again.
_EXTEND = (
    update(_SNAPSHOTS)
    .where(
        _SNAPSHOTS.c.id == bindparam("snapshot"),
        ~exists().where(_NEWER.c.thread_id == bindparam("thread"), _NEWER.c.taken_at > bindparam("taken")),
        # nor shortened: another pass may have seen it later than this one's moment since the read
        or_(_SNAPSHOTS.c.seen_until.is_(None), _SNAPSHOTS.c.seen_until < bindparam("seen")),
    )
    .values(seen_until=bindparam("seen"))
)


def latest_snapshot(session: Session, thread_id: int) -> Snapshot | None:
    """The thread's latest snapshot (by ``taken_at``, then id), or None."""
    return session.scalars(
        select(Snapshot)
        .where(Snapshot.thread_id == thread_id)
        .order_by(Snapshot.taken_at.desc(), Snapshot.id.desc())
        .limit(1)
    ).first()


def record_snapshot(
    session: Session,
    thread: Thread,
    posts: list[Post],
    now: datetime,
    negative_below: float,
    latest: Snapshot | Unread | None = UNREAD,
) -> Snapshot:
    """The thread's reading at this poll: replies, views, distinct authors, negative share, me-too authors.

    A reading the same as the thread's ``latest`` snapshot (taken at or before ``now``) adds no row:
    that snapshot is seen until ``now`` (one UPDATE) and a copy of it is returned, not in the session;
    a changed one (or a poll earlier than the latest snapshot) adds a row. ``posts`` are the thread's
    stored posts (see :func:`monitor.store.repo.thread_posts`)."""
    scored = [p for p in posts if p.sentiment is not None]
    negative = sum(1 for p in scored if p.sentiment is not None and p.sentiment < negative_below)
    reading = {
        "replies": thread.replies,
        "views": thread.views,
        "distinct_authors": len({p.author for p in posts}),
        "negative_share": (negative / len(scored)) if scored else 0.0,
        "me_too_authors": len({p.author for p in posts if p.me_too and p.floor > 1}),
    }
    if isinstance(latest, Unread):
        latest = latest_snapshot(session, thread.id)
    if (
        latest is not None
        and latest.taken_at <= now
        and all(getattr(latest, figure) == reading[figure] for figure in FIGURES)
    ):
        seen_until = latest.seen_until
        if seen_until is not None and seen_until >= now:  # a poll within what was seen changes nothing
            return _copy(latest, reading, seen_until)
        seen = session.execute(  # an UPDATE's result: a CursorResult, which counts rows
            _EXTEND, {"snapshot": latest.id, "thread": thread.id, "taken": latest.taken_at, "seen": now}
        )
        if cast("CursorResult[Any]", seen).rowcount == 1:
            held = session.identity_map.get(identity_key(Snapshot, latest.id))
            if held is not None:  # the session's own copy (the UPDATE did not touch it) reads the new end
                set_committed_value(held, "seen_until", now)
            return _copy(latest, reading, now)
        return record_snapshot(session, thread, posts, now, negative_below)  # read the latest again
    snapshot = Snapshot(thread_id=thread.id, taken_at=now, **reading)
    session.add(snapshot)
    session.flush()
    return snapshot


def _copy(latest: Snapshot, reading: dict[str, int | float], seen_until: datetime) -> Snapshot:
    """The latest snapshot as now seen, outside the session."""
    return Snapshot(
        id=latest.id, thread_id=latest.thread_id, taken_at=latest.taken_at, seen_until=seen_until, **reading
    )
