"""Open, escalate and group alerts; queue their deliveries in the same transaction (the outbox).

One alert per story: a thread that already belongs to an open alert only updates
it; a watched thread that tells the same story as an open alert's thread (text
similarity) joins that alert as a spread of the story; a new notification goes out only when an
alert opens or its severity rises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.playbooks import checklist_for
from monitor.alerting.routing import route
from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.detect.story import story_similarity
from monitor.store.models import Alert, AlertEvent, AlertThread, ChecklistItem, Delivery, Post, Thread

log = logging.getLogger(__name__)

OPEN_STATUSES = ("open", "acknowledged")


@dataclass(frozen=True)
class AlertChange:
    alert_id: int
    kind: str  # opened, escalated, spread, updated
    severity: Severity


def alert_for_thread(session: Session, thread: Thread) -> Alert | None:
    """The open alert whose story includes ``thread``."""
    return session.scalar(
        select(Alert)
        .join(AlertThread, AlertThread.alert_id == Alert.id)
        .where(AlertThread.thread_id == thread.id, Alert.status.in_(OPEN_STATUSES))
        .limit(1)
    )


def consider(
    session: Session,
    config: MonitorConfig,
    thread: Thread,
    group: WatchGroupConfig,
    assessment: Assessment,
    now: datetime,
) -> AlertChange | None:
    """Apply one thread's assessment: update, escalate, join a story, open a new alert, or nothing."""
    alert = alert_for_thread(session, thread)
    if alert is not None:
        return _update(session, config, alert, thread, group, assessment, now)
    story = _open_story(session, config, group, thread, now)
    if story is not None:
        return _join(session, story, thread, now)
    if assessment.escalating:
        return _open(session, config, thread, group, assessment, now)
    return None


def _story_text(session: Session, thread: Thread) -> str:
    first = session.scalar(select(Post.text).where(Post.thread_id == thread.id).order_by(Post.floor).limit(1))
    return f"{thread.title}\n{first or ''}"


def _open_story(
    session: Session, config: MonitorConfig, group: WatchGroupConfig, thread: Thread, now: datetime
) -> Alert | None:
    """An open alert of the same watch group whose origin thread tells the same story as ``thread``."""
    settings = config.settings.detect
    candidates = session.scalars(
        select(Alert)
        .where(
            Alert.watch_group == group.name,
            Alert.status.in_(OPEN_STATUSES),
            Alert.updated_at >= now - timedelta(hours=settings.story_window_hours),
            Alert.thread_id != thread.id,
        )
        .order_by(Alert.opened_at.desc())
    )
    text = _story_text(session, thread)
    for alert in candidates:
        similarity = story_similarity(text, _story_text(session, alert.thread), group.include)
        if similarity >= settings.story_similarity:
            return alert
    return None


def _open(
    session: Session,
    config: MonitorConfig,
    thread: Thread,
    group: WatchGroupConfig,
    assessment: Assessment,
    now: datetime,
) -> AlertChange:
    severity = assessment.severity
    routed = route(config.routing, group.name, group.category, severity)
    playbook = config.playbooks[severity]
    alert = Alert(
        thread_id=thread.id,
        watch_group=group.name,
        severity=severity.value,
        status="open",
        spokesperson=routed.spokesperson.key,
        backup=routed.backup.key if routed.backup else None,
        playbook=playbook.name,
        opened_at=now,
        updated_at=now,
        respond_by=now + severity.first_contact,
        figures=assessment.figures,
        signals=assessment.signals,
        also_on=[],
    )
    session.add(alert)
    session.flush()
    session.add(AlertThread(alert_id=alert.id, thread_id=thread.id, role="origin", linked_at=now))
    _add_checklist(session, config, alert, severity, now)
    _event(
        session,
        alert,
        now,
        "opened",
        f"{severity.value}; route {routed.route_index + 1} -> {routed.spokesperson.key}",
    )
    _queue(session, alert, config, severity, None, now)
    log.info("alert opened", extra={"alert_id": alert.id, "severity": severity.value})
    return AlertChange(alert.id, "opened", severity)


def _update(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    thread: Thread,
    group: WatchGroupConfig,
    assessment: Assessment,
    now: datetime,
) -> AlertChange:
    alert.updated_at = now
    if thread.id != alert.thread_id:
        return AlertChange(alert.id, "updated", Severity(alert.severity))
    alert.figures = assessment.figures
    alert.signals = assessment.signals
    current = Severity(alert.severity)
    if assessment.severity <= current:
        return AlertChange(alert.id, "updated", current)
    new = assessment.severity
    alert.severity = new.value
    alert.respond_by = min(alert.respond_by, now + new.first_contact)
    routed = route(config.routing, group.name, group.category, new)
    alert.spokesperson = routed.spokesperson.key
    alert.backup = routed.backup.key if routed.backup else None
    alert.playbook = config.playbooks[new].name
    _add_checklist(session, config, alert, new, now)
    _event(session, alert, now, "escalated", f"{current.value} -> {new.value}")
    _queue(session, alert, config, new, current, now)
    log.info("alert escalated", extra={"alert_id": alert.id, "severity": new.value})
    return AlertChange(alert.id, "escalated", new)


def _join(session: Session, alert: Alert, thread: Thread, now: datetime) -> AlertChange:
    session.add(AlertThread(alert_id=alert.id, thread_id=thread.id, role="spread", linked_at=now))
    where = thread.board.name or thread.board.external_id
    if where not in alert.also_on:
        alert.also_on = [*alert.also_on, where]
    alert.updated_at = now
    _event(session, alert, now, "spread", f"thread {thread.external_id} on board {where}")
    log.info("story spread", extra={"alert_id": alert.id, "thread_id": thread.id})
    return AlertChange(alert.id, "spread", Severity(alert.severity))


def _add_checklist(
    session: Session, config: MonitorConfig, alert: Alert, severity: Severity, now: datetime
) -> None:
    """Attach the tier's playbook steps not already on the alert."""
    existing = {item.title for item in alert.checklist}
    position = len(alert.checklist)
    for line in checklist_for(config.playbooks[severity], now):
        if line.title in existing:
            continue
        item = ChecklistItem(
            alert_id=alert.id,
            position=position,
            title=line.title,
            severity=severity.value,
            due_at=line.due_at,
        )
        session.add(item)
        alert.checklist.append(item)
        position += 1
    session.flush()


def _queue(
    session: Session,
    alert: Alert,
    config: MonitorConfig,
    severity: Severity,
    escalated_from: Severity | None,
    now: datetime,
) -> None:
    person = config.spokesperson(alert.spokesperson)
    targets = [("console", "stdout")]
    if config.settings.smtp.enabled:
        targets.append(("email", person.email))
    for channel, target in targets:
        session.add(
            Delivery(
                alert_id=alert.id,
                channel=channel,
                target=target,
                severity=severity.value,
                escalated_from=escalated_from.value if escalated_from else None,
                status="pending",
                created_at=now,
            )
        )


def _event(session: Session, alert: Alert, now: datetime, kind: str, detail: str) -> None:
    session.add(AlertEvent(alert_id=alert.id, at=now, kind=kind, detail=detail))
