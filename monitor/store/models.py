"""SQLAlchemy 2.0 models: what the monitor remembers.

sources ─< boards ─< threads ─< posts
                      threads ─< snapshots (a thread's readings as they change: the detector's input)
watch_groups ─< watch_matches >─ threads
alerts ─< alert_events, checklist_items, deliveries   (alerts >─ threads)
digests (one per week sent)
signin_uses (the dashboard's spent sign-in links, and the sessions they started)
host_rests (forums that asked, with a Retry-After, to be left alone)
"""

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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from monitor.store.types import UTCDateTime


class Base(DeclarativeBase):
    pass


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
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
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


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    watch_group: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(16), nullable=True)
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    spokesperson: Mapped[str] = mapped_column(String(64))
    backup: Mapped[str | None] = mapped_column(String(64), nullable=True)
    playbook: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[list[str]] = mapped_column(JSON, default=list)
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    also_on: Mapped[list[str]] = mapped_column(JSON, default=list)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # SLA bookkeeping (monitor/alerting/sla.py)
    ack_escalation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 1 backup, 2 leaders
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    progress_prompted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    band: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # growth bands crossed
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the SLA clocks restart
    # an escalation's route gave the alert to another spokesperson, who must acknowledge it: the
    # acknowledgement clock restarts then (not at a handover, which a person chose: its clocks run on)
    rerouted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def clock_start(self) -> datetime:
        """When the SLA clocks started: the alert's opening, or its latest reopening."""
        return self.reopened_at or self.opened_at

    @property
    def ack_clock_start(self) -> datetime:
        """When the acknowledgement clock (backup, then leadership) started: :attr:`clock_start`, or
        the latest escalation that gave the alert to another spokesperson, if later."""
        start = self.clock_start
        return self.rerouted_at if self.rerouted_at is not None and self.rerouted_at > start else start

    thread: Mapped[Thread] = relationship()
    events: Mapped[list[AlertEvent]] = relationship(order_by="AlertEvent.id", back_populates="alert")
    checklist: Mapped[list[ChecklistItem]] = relationship(order_by="ChecklistItem.position")
    deliveries: Mapped[list[Delivery]] = relationship(order_by="Delivery.id")


class AlertEvent(Base):
    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))  # opened, escalated, spread, delivered, ...
    detail: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="monitor", server_default="monitor")

    alert: Mapped[Alert] = relationship(back_populates="events")


class ChecklistItem(Base):
    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    step_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Delivery(Base):
    """One message to one recipient on one channel: the outbox."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(32), default="alert", server_default="alert")
    recipient: Mapped[str] = mapped_column(String(64), default="", server_default="")
    notice: Mapped[str] = mapped_column(Text, default="", server_default="")
    severity: Mapped[str] = mapped_column(String(16))
    escalated_from: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # backoff
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[str] = mapped_column(String(300), default="")


class AlertThread(Base):
    """A thread that belongs to an alert's story: the origin, or a cross-post elsewhere."""

    __tablename__ = "alert_threads"
    __table_args__ = (UniqueConstraint("alert_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # origin, spread
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship()


class Evidence(Base):
    """A raw thread page as fetched when an alert opened or grew: the record survives a deleted post."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # opened, escalated, band
    url: Mapped[str] = mapped_column(String(1000))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)


class DigestRow(Base):
    """A weekly digest as sent (or still to send): its week, its text and HTML, how sending went."""

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("period_end"),
        UniqueConstraint("week_start", name="uq_digests_week_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    # The first moment of its week (7 local days): one digest per week, held by the database, so two
    # processes composing the same week cannot both keep one. NULL on the extra digests a database
    # from before this kept for a week.
    week_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)  # email addresses
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[str] = mapped_column(String(300), default="")


class SignInUse(Base):
    """A dashboard sign-in link that has been used, and the session it started (its id is the
    link's nonce): the link works once, the session lives until ``expires_at`` or a sign-out."""

    __tablename__ = "signin_uses"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_key: Mapped[str] = mapped_column(String(400), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    signed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


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
