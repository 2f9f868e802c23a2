"""A first-contact reminder queued while the mail server was down, then the complainant contacted
before it came back (seen on a database upgraded with such a queue): the reminder is dropped, not
sent — "first contact is due in 1 h" after the contact would mislead — and the trail says why.
Uses the demo configuration and a SQLite file (fixtures ``session``, ``config``); nothing sleeps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from test_handover import T0, _deliveries, _urgent_alert

from monitor.alerting import lifecycle
from monitor.alerting.outbox import Channels, deliver_pending
from monitor.alerting.sla import ack_within, check_sla
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.store.models import AlertEvent, Delivery


def test_a_reminder_queued_before_the_contact_is_not_sent_after_it(
    session: Session, config: MonitorConfig
) -> None:
    alert = _urgent_alert(session, config)
    for delivery in session.scalars(select(Delivery).where(Delivery.kind == "alert")):
        delivery.status = "sent"  # the alert itself went out; only the reminder waits below
    due = alert.respond_by - timedelta(minutes=30)
    lifecycle.acknowledge(session, alert, "li_na", T0 + timedelta(minutes=10))
    actions = check_sla(session, config, due)
    assert [a.kind for a in actions if a.kind == "reminder"] == ["reminder"]
    session.commit()
    reminders = _deliveries(session, "reminder")
    assert reminders and all(d.status == "pending" for d in reminders)

    lifecycle.contacted(session, alert, "li_na", due + timedelta(minutes=10))
    session.commit()
    deliver_pending(session, config, Channels(None, None, None), due + timedelta(minutes=20))
    reminders = _deliveries(session, "reminder")
    assert reminders and all(d.status == "dropped" for d in reminders)
    assert all("contacted" in d.last_error for d in reminders)
    dropped = session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == "delivery_dropped")).all()
    assert dropped and all("the complainant was contacted" in d for d in dropped)


def test_calls_to_the_backup_and_leadership_queued_before_the_acknowledgement_are_not_sent_after_it(
    session: Session, config: MonitorConfig
) -> None:
    """"李娜 has not acknowledged alert #1" must not reach the backup or leadership after she did."""
    alert = _urgent_alert(session, config)
    for delivery in session.scalars(select(Delivery).where(Delivery.kind == "alert")):
        delivery.status = "sent"
    late = alert.ack_clock_start + 2 * ack_within(config, Severity(alert.severity))  # backup, then leadership
    kinds = {a.kind for a in check_sla(session, config, late)}
    assert {"to_backup", "to_leadership"} <= kinds
    session.commit()
    calls = _deliveries(session, "to_backup") + _deliveries(session, "to_leadership")
    assert calls and all(d.status == "pending" for d in calls)

    lifecycle.acknowledge(session, alert, "li_na", late + timedelta(minutes=5))
    session.commit()
    deliver_pending(session, config, Channels(None, None, None), late + timedelta(minutes=10))
    calls = _deliveries(session, "to_backup") + _deliveries(session, "to_leadership")
    assert calls and all(d.status == "dropped" for d in calls)
    assert all("acknowledged before" in d.last_error for d in calls)
