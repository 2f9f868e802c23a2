"""The forum side of the store: sources, boards, threads, posts, snapshots, watch groups and their
matches, health events and host rests (see :mod:`monitor.store.models` for the whole map)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.store.base import Base
from monitor.store.types import UTCDateTime


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    engine: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str] = mapped_column(String(500))
    # the forum's clock minus ours at its last board read, when more than 10 min apart (monitor.crawl_clock)
    clock_skew_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


class Board(Base):
    __tablename__ = "boards"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    # health, for ops: see monitor/health.py
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_threads_seen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_posts_new: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    last_thread_pages_read: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_thread_pages_failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    degraded_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # no thread page read
    # a first read cut short by a failed older page (monitor/first_read_resume.py): the page its next
    # polls read on from and the lookback's cutoff (None once given up: the page stays, for ops)
    first_read_page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_read_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_read_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    source: Mapped[SourceRow] = relationship()


def _at(context: Any) -> Any:
    return context.get_current_parameters()["at"]


class HealthEvent(Base):
    """Something ops must know about a source: a login wall, a captcha, a page that stopped yielding posts.
    One row per outage, counting its repeats, until a poll no longer meets it (monitor/health.py)."""

    __tablename__ = "health_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"), nullable=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # first seen
    kind: Mapped[str] = mapped_column(String(32))  # fetch_failed, login_wall, captcha, parse_failed, ...
    url: Mapped[str] = mapped_column(String(1000), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    kept_as: Mapped[str] = mapped_column(String(500), default="")  # raw bytes kept for diagnosis
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_at)  # last seen
    times: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # None: going on

    source: Mapped[SourceRow] = relationship()
    board: Mapped[Board | None] = relationship()


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)  # a board's threads
    external_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(1000))
    sticky: Mapped[bool] = mapped_column(Boolean, default=False)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # last listed (schema 0022)
    hot_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    category: Mapped[str | None] = mapped_column(
        String(16), nullable=True
    )  # product/service/dealer/policy/other
    category_words: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    board: Mapped[Board] = relationship()
    source: Mapped[SourceRow] = relationship()


class Post(Base):
    __tablename__ = "posts"
    # a thread's posts, and its first one (floor 1) without reading the rest
    __table_args__ = (
        UniqueConstraint("thread_id", "external_id"),
        Index("ix_posts_thread_id_floor", "thread_id", "floor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    floor: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # the digest's weeks
    text: Mapped[str] = mapped_column(Text)
    quoted: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    sentiment: Mapped[float | None] = mapped_column(Float, nullable=True)  # the post's own words
    quoted_sentiment: Mapped[float | None] = mapped_column(Float, nullable=True)  # the text it quotes
    me_too: Mapped[bool] = mapped_column(Boolean, default=False)
    signals: Mapped[list[Any]] = mapped_column(JSON, default=list)  # {name, term, start, end} (or old: names)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Snapshot(Base):
    __tablename__ = "thread_snapshots"
    # a thread's snapshots in time order: its latest, or those of a window, without a scan
    __table_args__ = (Index("ix_thread_snapshots_thread_id_taken_at", "thread_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replies: Mapped[int] = mapped_column(Integer)
    views: Mapped[int] = mapped_column(Integer)
    distinct_authors: Mapped[int] = mapped_column(Integer)
    negative_share: Mapped[float] = mapped_column(Float)
    me_too_authors: Mapped[int] = mapped_column(Integer, default=0)
    # the last poll that read the thread just so (a row is written only when a figure changes): the
    # reading holds from taken_at to here; NULL when only the poll at taken_at read it
    seen_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WatchGroupRow(Base):
    __tablename__ = "watch_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    category: Mapped[str] = mapped_column(String(32), default="other")


class WatchMatch(Base):
    __tablename__ = "watch_matches"
    __table_args__ = (UniqueConstraint("watch_group_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_group_id: Mapped[int] = mapped_column(ForeignKey("watch_groups.id"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    term: Mapped[str] = mapped_column(String(200))
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime)

    watch_group: Mapped[WatchGroupRow] = relationship()


class HostRest(Base):
    """A forum host's ``Retry-After``, kept beyond the process (see monitor/fetch/host_rests.py):
    until when it is not asked anything and why, and the waits counted against its budget."""

    __tablename__ = "host_rests"

    netloc: Mapped[str] = mapped_column(String(300), primary_key=True)  # forum.example:8080
    resting_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cause: Mapped[str] = mapped_column(Text, default="")
    waits: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)  # [[ISO time, seconds], ...]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # sources wake
    blocks_in_a_row: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # firewall answers
