"""Send queued deliveries. A channel that is down leaves its delivery pending for the next try.

Each delivery is claimed in the database before it is sent (:func:`claim`): its next attempt is
set a :data:`LEASE` ahead, so another process — a second ``monitor run`` on the same database by
mistake, or the delivery job and a crawl's immediate delivery running side by side — skips it
while it is in flight, and a process killed mid-send leaves it to be tried again once the lease
has run out (at most that one message is sent twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TextIO

from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from monitor.alerting import given_up_notice
from monitor.alerting.channels.base import ChannelTarget
from monitor.alerting.channels.registry import SCHEMES
from monitor.alerting.compose import compose
from monitor.alerting.deliveries import MAX_ATTEMPTS as MAX_ATTEMPTS  # tries before a message is given up
from monitor.alerting.message import AlertMessage
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.errors import DeliveryError, UnknownNameError
from monitor.store.models import Alert, AlertEvent, Delivery

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
"""How long a claimed delivery is left to the process sending it before another may try it: longer
than a send takes (the SMTP and chat timeouts are seconds), short enough that the message in
flight when a process was killed goes out soon after the restart."""


class EmailSender(Protocol):
    def send(self, msg: AlertMessage, to: list[str]) -> str: ...


class ConsoleWriter(Protocol):
    def send(self, msg: AlertMessage, stream: TextIO) -> None: ...


class ChatSender(Protocol):
    def send(self, msg: AlertMessage, target: ChannelTarget) -> str: ...


@dataclass
class Channels:
    console: ConsoleWriter | None
    console_stream: TextIO | None
    email: EmailSender | None
    chat: ChatSender | None = None


@dataclass(frozen=True)
class OutboxReport:
    sent: int
    failed: int
    pending: int
    held: int = 0  # waiting for their recipient's on-call hours


def deliver_pending(
    session: Session,
    config: MonitorConfig,
    channels: Channels,
    now: datetime,
    *,
    commit_each: bool = False,
    stopping: Callable[[], bool] = lambda: False,
) -> OutboxReport:
    """Send every pending delivery. With ``commit_each``, each outcome is committed as soon as it is
    known, so a process killed mid-run resends at most the one message it was sending.

    A server that could not be reached (refused, timed out) is not tried again in the same run:
    its other messages stay queued untouched for the next one, so a mail server that hangs costs
    one timeout per run, not one per message. ``stopping()`` true: send nothing more (shutdown).
    """
    sent = failed = held = 0
    down: dict[str, int] = {}  # servers found unreachable in this run: messages left for the next
    pending = _most_urgent_first(
        session,
        list(session.scalars(select(Delivery).where(Delivery.status == "pending").order_by(Delivery.id))),
    )
    batch, tried = pending, list(pending)
    while batch:  # then the notices of what this pass gave up (a notice's failure makes none)
        given_up: list[Delivery] = []
        for delivery in batch:
            if stopping():
                break
            outcome = _deliver_one(session, config, channels, delivery, now, down, commit_each)
            sent += outcome == "sent"
            failed += outcome in ("failed", "given_up")
            held += outcome == "held"
            if outcome == "given_up":
                given_up.append(delivery)
        batch = given_up_notice.tell(session, config, given_up, now) if given_up else []
        if commit_each and given_up:
            session.commit()
        tried += batch
    session.flush()
    for server, left in down.items():
        if left:
            log.warning(
                "%s is unreachable: %d more %s left queued for the next try",
                server,
                left,
                "message" if left == 1 else "messages",
            )
    still = sum(1 for d in tried if d.status == "pending")
    return OutboxReport(sent=sent, failed=failed, pending=still, held=held)


def _deliver_one(
    session: Session,
    config: MonitorConfig,
    channels: Channels,
    delivery: Delivery,
    now: datetime,
    down: dict[str, int],
    commit_each: bool,
) -> str:
    """Try one pending delivery: "sent", "failed" (kept queued), "given_up", "held" (off call), or
    "" (not tried: its server is down in this run, it is backing off or another process has it,
    or dropped as overtaken)."""
    server = _server(delivery)
    if server in down:
        down[server] += 1
        return ""
    alert = session.get(Alert, delivery.alert_id)
    assert alert is not None
    moot = _overtaken(alert, delivery)
    if moot:  # the alert moved on while it waited: sending it now would mislead
        delivery.status, delivery.last_error = "dropped", moot
        session.add(AlertEvent(alert_id=alert.id, at=now, kind="delivery_dropped", detail=moot))
        if commit_each:
            session.commit()
        return ""
    if _off_call(config, delivery, now):
        return "held"
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return ""  # backing off after a failure, or in flight in another process
    if not claim(session, delivery, now, commit=commit_each):
        return ""  # another process took it since the list was read
    message = compose(session, config, alert, delivery, now)
    try:
        delivery.message_id = _send(config, delivery, message, channels)
    except DeliveryError as exc:
        if exc.unreachable:
            down[server] = 0
        delivery.last_error = str(exc)  # chat errors are already masked
        delivery.next_attempt_at = now + _backoff(delivery.attempts, getattr(exc, "retry_after", None))
        if delivery.attempts >= MAX_ATTEMPTS or exc.permanent:
            delivery.status, delivery.failed_at = "failed", now
            session.add(
                AlertEvent(
                    alert_id=alert.id, at=now, kind="delivery_failed", detail=f"{delivery.channel}: {exc}"
                )
            )
        log.warning(
            "delivery failed, kept queued" if delivery.status == "pending" else "delivery failed for good",
            extra={"delivery_id": delivery.id, "channel": delivery.channel, "attempt": delivery.attempts},
        )
        if commit_each:
            session.commit()
        return "failed" if delivery.status == "pending" else "given_up"
    delivery.status = "sent"
    delivery.sent_at = now
    delivery.next_attempt_at = None
    delivery.last_error = ""
    session.add(AlertEvent(alert_id=alert.id, at=now, kind="delivered", detail=_delivered(delivery)))
    if commit_each:
        session.commit()
    return "sent"


OVERTAKEN_WHEN_RESOLVED = frozenset({"handover", "to_backup", "to_leadership", "reminder", "progress"})
"""Kinds of message that ask someone to act: pointless once the alert is resolved."""


def _overtaken(alert: Alert, delivery: Delivery) -> str:
    """Why a message still queued would mislead if sent now ("" if it would not): a call to act on
    an alert resolved since, a first-contact reminder after the contact, "X has not acknowledged" to
    the backup or leadership after X did, or "you are its spokesperson now" to someone it was handed
    on from."""
    if alert.status == "resolved" and delivery.kind in OVERTAKEN_WHEN_RESOLVED:
        return f"not sent: the alert was resolved before this {delivery.kind} message went out"
    if delivery.kind == "reminder" and alert.contacted_at is not None:
        return "not sent: the complainant was contacted before this reminder went out"
    if delivery.kind in ("to_backup", "to_leadership") and alert.acknowledged_at is not None:
        return f"not sent: the alert was acknowledged before this {delivery.kind} message went out"
    if delivery.kind == "handover" and delivery.recipient != alert.spokesperson:
        return f"not sent: the alert was handed on to {alert.spokesperson} before this message went out"
    return ""


def _most_urgent_first(session: Session, pending: list[Delivery]) -> list[Delivery]:
    """The most severe alerts' messages first, each alert's in the order queued: when a server
    takes one message per run, it is the very urgent alert's."""

    def rank(delivery: Delivery) -> tuple[int, int]:
        alert = session.get(Alert, delivery.alert_id)
        severity = Severity(alert.severity) if alert is not None else Severity.GENERAL
        return (-severity.rank, delivery.id)

    return sorted(pending, key=rank)


def _server(delivery: Delivery) -> str:
    """What a delivery goes through: the one mail server for every email, each chat target apart
    (named by its id: a chat target's URL holds a token)."""
    if delivery.channel == "email":
        return "the SMTP server"
    return f"{delivery.channel} target {delivery.target}"


def claim(session: Session, delivery: Delivery, now: datetime, *, commit: bool) -> bool:
    """Take ``delivery`` for one attempt (``attempts + 1``, next attempt a :data:`LEASE` ahead) if it
    is still pending and due; False when another process has it. ``commit``: make the claim seen by
    other processes at once (else it holds with the caller's transaction)."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery.id,
            Delivery.status == "pending",
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .values(attempts=Delivery.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    claimed = isinstance(result, CursorResult) and result.rowcount == 1
    if commit:
        session.commit()
    session.refresh(delivery)
    return claimed


def _backoff(attempts: int, retry_after: float | None) -> timedelta:
    """Wait before the next try: the service's Retry-After if it gave one, else 1, 2, 4 … 60 min."""
    if retry_after is not None:
        return timedelta(seconds=min(float(retry_after), 3600.0))
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _off_call(config: MonitorConfig, delivery: Delivery, now: datetime) -> bool:
    """Hold a delivery while its recipient is off call; very urgent alerts and the console never wait."""
    if delivery.channel == "console" or delivery.severity == "very_urgent" or not delivery.recipient:
        return False
    try:
        person = config.spokesperson(delivery.recipient)
    except UnknownNameError:
        return False
    return person.on_call is not None and not person.on_call.covers(now, config.settings.general.timezone)


def _send(config: MonitorConfig, delivery: Delivery, message: AlertMessage, channels: Channels) -> str:
    if delivery.channel == "console":
        if channels.console is not None and channels.console_stream is not None:
            channels.console.send(message, channels.console_stream)
        return ""
    if delivery.channel == "email":
        if channels.email is None:
            raise DeliveryError("email channel is not configured")
        return channels.email.send(message, [delivery.target])
    if delivery.channel in SCHEMES:
        if channels.chat is None:
            raise DeliveryError("chat channels are not set up in this process")
        try:
            target = config.chat_target(delivery.target)
        except UnknownNameError as exc:
            raise DeliveryError(str(exc)) from None
        return channels.chat.send(message, target) or ""
    raise DeliveryError(f"unknown channel {delivery.channel!r}")


def _delivered(delivery: Delivery) -> str:
    """The trail's words for a sent delivery: channel, to whom, and why when it is not the alert
    itself — ``email to wang_qiang (to_backup)``. Never the chat target: its URL holds a token."""
    to = f" to {delivery.recipient}" if delivery.recipient else ""
    why = f" ({delivery.kind})" if delivery.kind != "alert" else ""
    return f"{delivery.channel}{to}{why}"
