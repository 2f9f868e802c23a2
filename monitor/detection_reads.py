"""What the detection after a crawl reads of the crawled threads together, instead of thread by thread.

After each board read the pipeline assesses every listed thread again (scores move with time, so an
unchanged thread is assessed too). Read one thread at a time, that cost about a dozen SQL statements
per watched thread. :class:`PassReads` reads, for ``CHUNK`` of the pass's threads at a time, in one
query each: their posts, the watch groups they already matched and which of them have an open alert;
and the watch groups' rows once per pass.

It lives for one pass (a board read, or a hot-thread refresh) and is read after the crawl stored the
pass's posts, before the detection writes; what the pass itself writes keeps it right:

* posts: the detection writes none (a copy's origin, assessed again, is read apart);
* a watch match or watch group the pass records is added (:meth:`PassReads.matched`);
* open alerts: a thread with one is looked up in the pipeline's own transaction, so its status and
  tier are read as they are (closed by hand a moment ago included); a thread without one is not
  looked up, until the pass changes one of its alerts (:meth:`PassReads.alert_changed`): the same
  thread matching a second watch group then sees the alert the first opened; once the pass reopens an
  alert, every thread's is looked up (the alert is open again for each thread of its story).

What another process writes during the pass (a few seconds) is seen at the next pass, as it would be
had it written a few seconds later. Read objects are detached from their session: read, never written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerting.service import alert_for_thread
from monitor.alerting.story_alerts import OPEN_STATUSES
from monitor.store.models import Alert, AlertThread, Post, Snapshot, Thread, WatchGroupRow, WatchMatch
from monitor.store.snapshot_record import UNREAD, Unread
from monitor.store.snapshot_span import seen_end, seen_end_column

CHUNK = 50  # threads whose posts are held at once: one query each, and a bounded memory


@dataclass(frozen=True)
class KnownReads:
    """What the pipeline already read of a thread in its transaction, so that
    :meth:`monitor.facts.FactsReader.read` does not read it again."""

    open_alert: Alert | None  # the thread's open alert, as :func:`alert_for_thread` finds it


class PassReads:
    """The pass's threads' posts, latest snapshots, watch matches and open alerts, read ``CHUNK`` threads
    at a time."""

    def __init__(self, sessions: sessionmaker[Session], thread_ids: Sequence[int]) -> None:
        self._sessions = sessions
        self._chunk_of = {thread_id: n // CHUNK for n, thread_id in enumerate(thread_ids)}
        self._ids = list(thread_ids)
        self._loaded_chunk = -1
        self._posts: dict[int, list[Post]] = {}
        self._latest: dict[int, Snapshot] = {}  # thread id -> its latest snapshot (loaded chunk)
        self._matches: set[tuple[int, int]] = set()  # (watch group row id, thread id)
        self._with_alert: set[int] = set()  # threads of the loaded chunk with an open alert when read
        self._alert_changed: set[int] = set()  # threads whose alerts the pass changed: looked up
        self._story_reopened = False  # the pass reopened an alert: every thread's is looked up
        self._groups: dict[str, int] | None = None  # watch group name -> row id

    def posts(self, thread_id: int) -> list[Post] | None:
        """The thread's stored posts by floor (as :func:`repo.thread_posts`); None when the pass did
        not list it. Call it before opening the thread's transaction: it reads in a session of its own."""
        chunk = self._chunk_of.get(thread_id)
        if chunk is None:
            return None
        if chunk != self._loaded_chunk:
            self._load(chunk)
        return self._posts.get(thread_id, [])

    def latest_snapshot(self, thread_id: int) -> Snapshot | Unread | None:
        """The thread's latest snapshot as the pass read it (None: it has none), for
        :func:`~monitor.store.snapshot_record.record_snapshot`; ``UNREAD`` for a thread whose chunk is
        not loaded. Call :meth:`posts` first."""
        if self._chunk_of.get(thread_id) != self._loaded_chunk:
            return UNREAD
        return self._latest.get(thread_id)

    def _load(self, chunk: int) -> None:
        ids = self._ids[chunk * CHUNK : (chunk + 1) * CHUNK]
        posts: dict[int, list[Post]] = {thread_id: [] for thread_id in ids}
        with self._sessions() as session:
            query = select(Post).where(Post.thread_id.in_(ids)).order_by(Post.thread_id, Post.floor, Post.id)
            for post in session.scalars(query):
                posts[post.thread_id].append(post)
            newest = (
                select(Snapshot.thread_id, func.max(Snapshot.taken_at).label("taken_at"))
                .where(Snapshot.thread_id.in_(ids))
                .group_by(Snapshot.thread_id)
                .subquery()
            )
            latest: dict[int, Snapshot] = {}
            for snapshot in session.scalars(  # by id: of two taken at once, the later row, as a single read
                select(Snapshot)
                .join(
                    newest,
                    and_(Snapshot.thread_id == newest.c.thread_id, Snapshot.taken_at == newest.c.taken_at),
                )
                .order_by(Snapshot.id)
            ):
                latest[snapshot.thread_id] = snapshot
            matched = session.execute(
                select(WatchMatch.watch_group_id, WatchMatch.thread_id).where(WatchMatch.thread_id.in_(ids))
            )
            self._matches |= {(group_id, thread_id) for group_id, thread_id in matched}
            self._with_alert = set(
                session.scalars(
                    select(AlertThread.thread_id)
                    .join(Alert, Alert.id == AlertThread.alert_id)
                    .where(AlertThread.thread_id.in_(ids), Alert.status.in_(OPEN_STATUSES))
                )
            )
            if self._groups is None:
                rows = session.execute(select(WatchGroupRow.name, WatchGroupRow.id))
                self._groups = {name: group_id for name, group_id in rows}
        self._posts, self._latest, self._loaded_chunk = posts, latest, chunk

    def group_id(self, name: str) -> int | None:
        """The watch group's row id, None when it has no row yet (or the pass read none)."""
        return self._groups.get(name) if self._groups is not None else None

    def is_matched(self, group_id: int, thread_id: int) -> bool | None:
        """Whether the thread's match of the group is recorded; None when the pass does not know."""
        if self._chunk_of.get(thread_id) != self._loaded_chunk:
            return None
        return (group_id, thread_id) in self._matches

    def matched(self, group: str, group_id: int, thread_id: int) -> None:
        """The pass recorded the thread's match of the group (and the group's row, if it made it)."""
        if self._groups is not None:
            self._groups[group] = group_id
        self._matches.add((group_id, thread_id))

    def open_alert(self, session: Session, thread: Thread) -> Alert | None:
        """The thread's open alert (:func:`alert_for_thread`), not looked up when the pass read that it
        had none and has changed none of its alerts since."""
        known = (
            not self._story_reopened
            and self._chunk_of.get(thread.id) == self._loaded_chunk
            and thread.id not in self._alert_changed
        )
        if known and thread.id not in self._with_alert:
            return None
        return alert_for_thread(session, thread)

    def alert_changed(self, *thread_ids: int, reopened: bool = False) -> None:
        """The pass opened, reopened, joined or updated an alert of the threads (an opening alert's, the
        copies it took in: :attr:`AlertChange.joined`): look them up from now on.
        ``reopened``: the alert is open again for every thread of its story (a copy flaring up reopens
        it for the original too), so every thread's is looked up for the rest of the pass."""
        self._alert_changed.update(thread_ids)
        self._story_reopened = self._story_reopened or reopened


def snapshots_since_and_before(
    session: Session, thread: Thread, since: datetime, at: datetime
) -> tuple[list[Snapshot], Snapshot | None]:
    """The thread's snapshots seen at or after ``since`` by time (:func:`repo.snapshots_since`) and
    its newest taken at or before ``at`` (:func:`repo.snapshot_before`), in one query."""
    newest_before = (
        select(Snapshot.id)
        .where(Snapshot.thread_id == thread.id, Snapshot.taken_at <= at)
        .order_by(Snapshot.taken_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Snapshot, Snapshot.id == newest_before)
        .where(Snapshot.thread_id == thread.id, or_(seen_end_column() >= since, Snapshot.id == newest_before))
        .order_by(Snapshot.taken_at)
    ).all()
    before = next((snapshot for snapshot, is_before in rows if is_before), None)
    return [snapshot for snapshot, _ in rows if seen_end(snapshot) >= since], before
