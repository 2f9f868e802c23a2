"""An alert's checklist: its tier's and its category's playbook steps, merged again at an escalation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from monitor.alerting.playbooks import takes_over
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.store.models import Alert, ChecklistItem


def add_checklist(
    session: Session, config: MonitorConfig, alert: Alert, severity: Severity, now: datetime
) -> None:
    """Attach the tier's and the alert category's playbook steps not already on the alert.

    On an escalation, a step the alert already has (the same step id: first contact, apology …)
    is not added twice: an open one takes the new tier's wording and the earlier of the two due
    times (紧迫's "first contact within 8 h" becomes 非常紧迫's "within 4 h"), a done one stays done.
    A step that ``replaces`` an open lower-tier step (非常紧迫's continuous contact, 紧迫's daily
    feedback) takes it over in place, keeping its number; beside a done one it is added.
    """
    existing = {item.title for item in alert.checklist}
    by_step = {item.step_id: item for item in alert.checklist if item.step_id}
    position = len(alert.checklist)
    for step in config.playbooks.steps_for(severity, alert.category):
        held = takes_over(step, {key: item.done_at is not None for key, item in by_step.items()})
        same = by_step.get(held) if held else None
        if same is not None:  # by its id, even worded alike in both tiers (the apology): due sooner
            if same.done_at is None:
                due = now + step.due_after
                same.title, same.severity, same.step_id = step.checklist_title, severity.value, step.id
                same.due_at = due if same.due_at is None else min(same.due_at, due)
            continue
        if step.checklist_title in existing:  # a step kept without an id (older alerts)
            continue
        item = ChecklistItem(
            alert_id=alert.id,
            position=position,
            title=step.checklist_title,
            severity=severity.value,
            due_at=now + step.due_after,
            step_id=step.id,
        )
        session.add(item)
        alert.checklist.append(item)
        position += 1
    session.flush()
