"""Idempotent writes and the reads the pipeline needs.

Crawling the same page twice never duplicates a board, thread or post, and a
later, emptier page never overwrites what was stored with blanks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, exists, func, select, union
from sqlalchemy.orm import Session

from monitor.config.files import SourceConfig
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store.models import Board, Post, Snapshot, SourceRow, Thread, WatchGroupRow, WatchMatch
from monitor.store.snapshot_record import latest_snapshot as latest_snapshot  # where callers find them
from monitor.store.snapshot_record import record_snapshot as record_snapshot
from monitor.store.snapshot_span import seen_end_column


def content_hash(post: PostRecord) -> str:
    return hashlib.sha256(f"{post.author}\x00{post.text}\x00{post.quoted}".encode()).hexdigest()


def ensure_source(session: Session, config: SourceConfig) -> SourceRow:
    row = session.scalar(select(SourceRow).where(SourceRow.key == config.key))
    if row is None:
        row = SourceRow(key=config.key, name=config.name, engine=config.engine, base_url=str(config.base_url))
        session.add(row)
    else:
        row.name, row.engine, row.base_url = config.name, config.engine, str(config.base_url)
    session.flush()
    return row


def ensure_board(session: Session, source: SourceRow, external_id: str, name: str) -> Board:
    board = session.scalar(
        select(Board).where(Board.source_id == source.id, Board.external_id == external_id)
    )
    if board is None:
        board = Board(source_id=source.id, external_id=external_id, name=name)
        session.add(board)
    elif name:
        board.name = name
    session.flush()
    return board


def upsert_thread(
    session: Session, source: SourceRow, board: Board, summary: ThreadSummary, now: datetime
) -> tuple[Thread, int]:
    """Insert or refresh a thread from its board-list row; returns it and its previous reply count."""
    thread = session.scalar(
        select(Thread).where(Thread.source_id == source.id, Thread.external_id == summary.thread_id)
    )
    return store_listed_thread(session, thread, source.id, board.id, summary, now)


def listed_thread(session: Session, source_id: int, external_id: str) -> tuple[Thread | None, int]:
    """The stored thread of a board-list row (None: a new one) and how many of its posts are stored,
    in one query: the crawler reads both for every listed thread."""
    stored = (
        select(func.count()).select_from(Post).where(Post.thread_id == Thread.id).correlate(Thread)
    ).scalar_subquery()
    row = session.execute(
        select(Thread, stored).where(Thread.source_id == source_id, Thread.external_id == external_id)
    ).first()
    return (row[0], row[1] or 0) if row is not None else (None, 0)


def store_listed_thread(
    session: Session,
    thread: Thread | None,
    source_id: int,
    board_id: int,
    summary: ThreadSummary,
    now: datetime,
) -> tuple[Thread, int]:
    """:func:`upsert_thread`, the stored ``thread`` already read (None: a new one)."""
    if thread is None:
        thread = Thread(
            source_id=source_id,
            board_id=board_id,
            external_id=summary.thread_id,
            title=summary.title,
            author=summary.author,
            url=summary.url,
            sticky=summary.sticky,
            replies=summary.replies,
            views=summary.views,
            created_at=summary.created_at,
            last_post_at=summary.last_post_at,
            first_seen_at=now,
            last_seen_at=now,
        )
        session.add(thread)
        session.flush()
        return thread, -1
    previous = thread.replies
    if summary.title:
        thread.title = summary.title
    if summary.author:
        thread.author = summary.author
    thread.board_id = board_id
    thread.sticky = summary.sticky
    thread.replies = max(summary.replies, 0)
    thread.views = max(summary.views, thread.views)
    thread.created_at = summary.created_at or thread.created_at
    thread.last_post_at = summary.last_post_at or thread.last_post_at
    thread.last_seen_at = now
    return thread, previous


def stored_post_count(session: Session, thread: Thread) -> int:
    return session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == thread.id)) or 0


def save_posts(session: Session, thread: Thread, posts: Iterable[PostRecord], now: datetime) -> list[Post]:
    """Insert new posts, update edited ones; return the rows whose content is new (to be enriched)."""
    incoming = list(posts)
    if not incoming:
        return []
    existing = {
        p.external_id: p
        for p in session.scalars(
            select(Post).where(
                Post.thread_id == thread.id, Post.external_id.in_([p.post_id for p in incoming])
            )
        )
    }
    changed: list[Post] = []
    for record in incoming:
        digest = content_hash(record)
        row = existing.get(record.post_id)
        if row is None:
            row = Post(
                thread_id=thread.id,
                external_id=record.post_id,
                floor=record.floor,
                author=record.author,
                author_id=record.author_id,
                posted_at=record.posted_at,
                text=record.text,
                quoted=record.quoted,
                content_hash=digest,
                signals=[],
                first_seen_at=now,
            )
            session.add(row)
            existing[record.post_id] = row
            changed.append(row)
        elif row.content_hash != digest and (record.text or record.quoted):
            row.text, row.quoted, row.content_hash = record.text, record.quoted, digest
            row.sentiment = row.quoted_sentiment = None
            changed.append(row)
    session.flush()
    return changed


def thread_posts(session: Session, thread: Thread) -> list[Post]:
    return list(session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.floor)))


def snapshots_since(session: Session, thread: Thread, since: datetime) -> list[Snapshot]:
    """The thread's snapshots seen at or after ``since`` (taken then, or earlier and read again since)."""
    return list(
        session.scalars(
            select(Snapshot)
            .where(Snapshot.thread_id == thread.id, seen_end_column() >= since)
            .order_by(Snapshot.taken_at)
        )
    )


def replies_before(session: Session, thread_ids: Collection[int], at: datetime) -> dict[int, int]:
    """Each thread's reply count at its newest snapshot taken at or before ``at``, in one query (a
    story's copies as they were then); a thread not read by then is left out."""
    if not thread_ids:
        return {}
    latest = (
        select(Snapshot.thread_id, func.max(Snapshot.taken_at).label("taken_at"))
        .where(Snapshot.thread_id.in_(thread_ids), Snapshot.taken_at <= at)
        .group_by(Snapshot.thread_id)
        .subquery()
    )
    rows = session.execute(
        select(Snapshot.thread_id, Snapshot.replies)
        .join(latest, and_(Snapshot.thread_id == latest.c.thread_id, Snapshot.taken_at == latest.c.taken_at))
        .order_by(Snapshot.id)  # two snapshots at one moment: the one written last
    )
    return {thread_id: replies for thread_id, replies in rows}


def snapshot_before(session: Session, thread: Thread, at: datetime) -> Snapshot | None:
    """The newest snapshot taken at or before ``at``."""
    return session.scalar(
        select(Snapshot)
        .where(Snapshot.thread_id == thread.id, Snapshot.taken_at <= at)
        .order_by(Snapshot.taken_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class GroupThread:
    """A watch group's thread as the spread check reads it (plain values: no ORM objects)."""

    thread_id: int
    forum: str  # the source's name
    board: str  # the board's name, or its id when it has none
    title: str
    replies: int
    opening: str  # the opening post's text ("" when not stored)
    first_post_at: datetime | None
    board_id: int | None = None


def watch_group_threads(session: Session, watch_group: str, seen_since: datetime) -> list[GroupThread]:
    """The watch group's threads seen since ``seen_since``, with where they are and their opening post."""
    opening = select(Post.thread_id, Post.text, Post.posted_at).where(Post.floor == 1).subquery()
    rows = session.execute(
        select(
            Thread.id,
            SourceRow.name,
            Board.name,
            Board.external_id,
            Thread.title,
            Thread.replies,
            opening.c.text,
            opening.c.posted_at,
            Thread.board_id,
        )
        .join(WatchMatch, WatchMatch.thread_id == Thread.id)
        .join(WatchGroupRow, WatchGroupRow.id == WatchMatch.watch_group_id)
        .join(Board, Board.id == Thread.board_id)
        .join(SourceRow, SourceRow.id == Thread.source_id)
        .outerjoin(opening, opening.c.thread_id == Thread.id)
        .where(WatchGroupRow.name == watch_group, Thread.id.in_(_seen_since(seen_since)))
        .order_by(Thread.id)
    )
    return [
        GroupThread(thread_id, forum, board or external, title, replies, text or "", posted_at, board_id)
        for thread_id, forum, board, external, title, replies, text, posted_at, board_id in rows
    ]


def _seen_since(moment: datetime) -> Select[int]:
    """The ids of threads a board listed at or after ``moment``: read by ``ix_threads_last_seen_at``,
    so a pass's look at the recent threads does not read the whole history (``monitor.bench_history``)."""
    return select(Thread.id).where(Thread.last_seen_at >= moment)


def board_openings(session: Session, board_id: int, until: datetime, limit: int = 100) -> list[str]:
    """Title and opening post of the board's latest ``limit`` threads first posted by ``until``
    (the story check's text: see :mod:`monitor.detect.boilerplate`)."""
    rows = session.execute(
        select(Thread.title, Post.text)
        .join(Post, (Post.thread_id == Thread.id) & (Post.floor == 1))
        .where(Thread.board_id == board_id, Post.posted_at <= until)
        .order_by(Post.posted_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    return [f"{title}\n{text}" for title, text in rows]


def refresh_candidates(
    session: Session, now: datetime, seen_since: datetime
) -> list[tuple[int, str, datetime]]:
    """Threads a hot refresh may re-read: hot ones, and watched ones seen since ``seen_since``.

    "Seen" is listed on a board: a refresh does not move ``last_seen_at``, else a watched thread,
    once a candidate, would be read again and stay one for ever (dead threads filling the budget,
    the story window and escaping retention's ``thread_days``).

    As ``(thread id, source key, first post time)``; a thread whose opening post is not stored
    gives its creation time or, failing that, when it was first seen.
    """
    opening = select(Post.thread_id, Post.posted_at).where(Post.floor == 1).subquery()
    rows = session.execute(
        select(Thread.id, SourceRow.key, opening.c.posted_at, Thread.created_at, Thread.first_seen_at)
        .join(SourceRow, SourceRow.id == Thread.source_id)
        .outerjoin(opening, opening.c.thread_id == Thread.id)
        .where(
            Thread.id.in_(
                union(
                    select(Thread.id).where(Thread.hot_until > now),
                    _seen_since(seen_since).where(exists().where(WatchMatch.thread_id == Thread.id)),
                )
            )
        )
        .order_by(Thread.id)
    )
    return [(thread_id, key, posted or created or seen) for thread_id, key, posted, created, seen in rows]


def incomplete_threads(session: Session, board_id: int) -> list[ThreadSummary]:
    """The board's threads with fewer posts stored than their reply count promises, as list rows."""
    stored = (  # the board's threads only: posts are kept for months, across every board
        select(Post.thread_id, func.count().label("posts"))
        .where(Post.thread_id.in_(select(Thread.id).where(Thread.board_id == board_id)))
        .group_by(Post.thread_id)
        .subquery()
    )
    rows = session.execute(
        select(Thread, func.coalesce(stored.c.posts, 0))
        .outerjoin(stored, stored.c.thread_id == Thread.id)
        .where(Thread.board_id == board_id)
    )
    return [
        ThreadSummary(
            thread_id=thread.external_id,
            title=thread.title,
            author=thread.author,
            author_id=None,
            replies=thread.replies,
            views=thread.views,
            sticky=thread.sticky,
            url=thread.url,
            created_at=thread.created_at,
            last_post_at=thread.last_post_at,
        )
        for thread, posts in rows
        if posts < thread.replies + 1
    ]
