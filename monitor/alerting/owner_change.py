"""An alert that changes hands at an escalation (the new tier's route names someone else): what the
new owner must know first (:func:`now_yours`), and the word to the owner until then
(:func:`tell_no_longer_owner`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import deliveries, lifecycle
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.store.models import Alert, AlertEvent


def now_yours(session: Session, config: MonitorConfig, alert: Alert, previous: str, new: Severity) -> str:
    """What the new owner of an alert that changed hands at an escalation must know first: it is
    theirs now, whose it was, and what has been done (acknowledged, contacted, the last note) — the
    customer may have been promised something already."""
    zone = config.settings.general.timezone
    was = lifecycle.name_of(config, previous)
    done: list[str] = []
    if alert.acknowledged_at is not None:
        by = lifecycle.name_of(config, alert.acknowledged_by or previous)
        done.append(f"acknowledged by {by} at {_at(alert.acknowledged_at, zone)}")
    else:
        done.append("nobody has acknowledged it yet: acknowledge it now")
    if alert.contacted_at is not None:
        done.append(f"the complainant was contacted at {_at(alert.contacted_at, zone)}")
    else:
        done.append(f"first contact is due by {_at(alert.respond_by, zone)}")
    last = session.scalars(
        select(AlertEvent)
        .where(AlertEvent.alert_id == alert.id, AlertEvent.kind == "note")
        .order_by(AlertEvent.at.desc(), AlertEvent.id.desc())
        .limit(1)
    ).first()
    said = (
        f" Last note ({lifecycle.name_of(config, last.actor)}, {_at(last.at, zone)}): {last.detail}"
        if last is not None
        else ""
    )
    return (
        f"转给你 Now yours: at {new.label_zh} the routing tree gives this alert to you; it was {was}'s. "
        f"So far ({zone} time): {'; '.join(done)}.{said}"
    )


def _at(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def tell_no_longer_owner(
    session: Session, config: MonitorConfig, alert: Alert, previous: str, new: Severity, now: datetime
) -> None:
    """The owner until an escalation hears whose the alert is now (a copy: their links only open it)."""
    if previous not in {person.key for person in config.routing.spokespeople}:
        return
    owner = lifecycle.name_of(config, alert.spokesperson)
    notice = (
        f"抄送 For your information: at {new.label_zh} the routing tree gives this alert to {owner}, "
        f"who owns it and speaks for the company from now on; tell them what you know."
    )
    deliveries.queue(session, config, alert, previous, now, kind="copy", severity=new, notice=notice)
