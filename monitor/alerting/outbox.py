"""Send queued deliveries. A channel that is down leaves its delivery pending for the next try."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.compose import compose
from monitor.alerting.message import AlertMessage
from monitor.config.loader import MonitorConfig
from monitor.errors import DeliveryError
from monitor.store.models import Alert, AlertEvent, Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20


class EmailSender(Protocol):
    def send(self, msg: AlertMessage, to: list[str]) -> str: ...


class ConsoleWriter(Protocol):
    def send(self, msg: AlertMessage, stream: TextIO) -> None: ...


@dataclass
class Channels:
    console: ConsoleWriter | None
    console_stream: TextIO | None
    email: EmailSender | None


@dataclass(frozen=True)
class OutboxReport:
    sent: int
    failed: int
    pending: int


def deliver_pending(
    session: Session, config: MonitorConfig, channels: Channels, now: datetime
) -> OutboxReport:
    sent = failed = 0
    pending = list(
        session.scalars(select(Delivery).where(Delivery.status == "pending").order_by(Delivery.id))
    )
    for delivery in pending:
        alert = session.get(Alert, delivery.alert_id)
        assert alert is not None
        message = compose(session, config, alert, delivery)
        delivery.attempts += 1
        try:
            delivery.message_id = _send(delivery, message, channels)
        except DeliveryError as exc:
            failed += 1
            delivery.last_error = str(exc)
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
            log.warning(
                "delivery failed, kept queued",
                extra={"delivery_id": delivery.id, "channel": delivery.channel, "attempt": delivery.attempts},
            )
            continue
        delivery.status = "sent"
        delivery.sent_at = now
        delivery.last_error = ""
        sent += 1
        session.add(AlertEvent(alert_id=alert.id, at=now, kind="delivered", detail=delivery.channel))
    session.flush()
    still = sum(1 for d in pending if d.status == "pending")
    return OutboxReport(sent=sent, failed=failed, pending=still)


def _send(delivery: Delivery, message: AlertMessage, channels: Channels) -> str:
    if delivery.channel == "console":
        if channels.console is not None and channels.console_stream is not None:
            channels.console.send(message, channels.console_stream)
        return ""
    if delivery.channel == "email":
        if channels.email is None:
            raise DeliveryError("email channel is not configured")
        return channels.email.send(message, [delivery.target])
    raise DeliveryError(f"unknown channel {delivery.channel!r}")
