"""Queue one delivery per channel of a recipient: the outbox rows, written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.store.models import Alert, Delivery

MAX_ATTEMPTS = 20
"""Tries before the outbox gives a message up (a refusal no retry can cure stops it at the first)."""


def queue(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    recipient: str,
    now: datetime,
    *,
    kind: str = "alert",
    severity: Severity | None = None,
    escalated_from: Severity | None = None,
    notice: str = "",
) -> list[Delivery]:
    """Console (unless ``alerting.console`` is off), email (when SMTP is on) and every chat channel
    of ``recipient``.

    Chat deliveries store the channel's masked reference, never its URL: the secret stays
    in the configuration and out of the database.
    """
    person = config.spokesperson(recipient)
    targets = [("console", "stdout")] if config.settings.alerting.console else []
    if config.settings.smtp.enabled:
        targets.append(("email", person.email))
    targets += [(target.scheme, target.ref) for target in config.chat_targets.get(recipient, [])]
    rows = [
        Delivery(
            alert_id=alert.id,
            channel=channel,
            target=target,
            severity=(severity or Severity(alert.severity)).value,
            escalated_from=escalated_from.value if escalated_from else None,
            kind=kind,
            recipient=recipient,
            notice=notice,
            status="pending",
            created_at=now,
        )
        for channel, target in targets
    ]
    session.add_all(rows)
    return rows
