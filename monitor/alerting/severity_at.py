"""An alert's tier at a moment: its tier now, or at a past moment (``threads rising --at``) the tier
its trail gave it by then — the detector compares a thread's new tier with the one its alert had."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.detect.severity import Severity
from monitor.store.models import Alert, AlertEvent


def alert_severity_at(session: Session, alert: Alert, now: datetime) -> Severity:
    """The alert's tier at ``now``: its tier, or — at a past moment (``threads rising --at``), the
    alert updated since — the tier its trail gave it by then (opened, escalated, reopened)."""
    if alert.updated_at <= now:
        return Severity(alert.severity)
    last = session.scalar(
        select(AlertEvent)
        .where(
            AlertEvent.alert_id == alert.id,
            AlertEvent.kind.in_(("opened", "escalated", "reopened")),
            AlertEvent.at <= now,
        )
        .order_by(AlertEvent.at.desc(), AlertEvent.id.desc())
        .limit(1)
    )
    if last is None:
        return Severity(alert.severity)
    # opened "urgent; route … -> li_na", escalated "urgent -> very_urgent; …", reopened "urgent: …"
    head = last.detail.split(";")[0]
    said = (head.split("->")[-1] if last.kind == "escalated" else head.split(":")[0]).strip()
    return Severity(said) if said in {s.value for s in Severity} else Severity(alert.severity)
