"""The alert side of the store: alerts and their events, checklist items, deliveries, threads and
evidence; the digests sent and the dashboard's sign-in uses (see :mod:`monitor.store.models`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.store.base import Base
from monitor.store.forum_models import Thread
from monitor.store.types import UTCDateTime


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
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed, dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # backoff
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # given up (schema 0021)
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
