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
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import deliveries, lifecycle
from monitor.alerting.checklist import add_checklist
from monitor.alerting.route_tree import AlertFacts
from monitor.alerting.routing import Routed, route_groups
from monitor.alerting.story_alerts import OPEN_STATUSES, open_story
from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.detect.spread import place_name
from monitor.store.models import (
    Alert,
    AlertEvent,
    AlertThread,
    Delivery,
    Post,
    Thread,
    WatchGroupRow,
    WatchMatch,
)
from monitor.store.repo import snapshot_before

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertChange:
    alert_id: int
    kind: str  # opened, escalated, band, reopened, spread, updated
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
    story = open_story(session, config, group, thread, now)
    if story is not None:
        return _join(session, story, thread, now)
    if not assessment.escalating:
        return None
    resolved = _recently_resolved(session, config, thread, now)
    if resolved is not None:
        if _replies_since(session, thread, resolved) < config.settings.alerting.reopen_after_replies:
            return None  # still warm from before the resolve: not a new flare-up
        return _reopen(session, config, resolved, thread, group, assessment, now)
    return _open(session, config, thread, group, assessment, now)


def _replies_since(session: Session, thread: Thread, alert: Alert) -> int:
    """Replies the thread gained since ``alert`` was resolved (by its snapshot at that moment)."""
    assert alert.resolved_at is not None
    then = snapshot_before(session, thread, alert.resolved_at)
    return thread.replies - then.replies if then is not None else thread.replies


def _recently_resolved(
    session: Session, config: MonitorConfig, thread: Thread, now: datetime
) -> Alert | None:
    since = now - timedelta(days=config.settings.alerting.reopen_within_days)
    return session.scalar(
        select(Alert)
        .where(Alert.thread_id == thread.id, Alert.status == "resolved", Alert.resolved_at >= since)
        .order_by(Alert.resolved_at.desc())
        .limit(1)
    )


def _reopen(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    thread: Thread,
    group: WatchGroupConfig,
    assessment: Assessment,
    now: datetime,
) -> AlertChange:
    """A resolved story flares up again: same alert, open again, everyone told.

    It is a new round: someone must acknowledge it and contact the complainant again, and the
    SLA clocks (acknowledgement, first contact, progress) start again now (``reopened_at``).
    The earlier round stays in the trail.
    """
    severity = max(assessment.severity, Severity(alert.severity))
    alert.status, alert.resolved_at, alert.reopened_at = "open", None, now
    alert.acknowledged_at = alert.acknowledged_by = alert.contacted_at = None
    alert.ack_escalation, alert.reminded_at, alert.progress_prompted_at = 0, None, None
    alert.severity, alert.updated_at = severity.value, now
    alert.respond_by = now + severity.first_contact
    alert.figures, alert.signals = assessment.figures, assessment.signals
    add_checklist(session, config, alert, severity, now)
    _event(session, alert, now, "reopened", f"{severity.value}: the thread flared up again")
    notice = "重新打开 Reopened: the thread flared up again after the alert was resolved."
    _queue(session, alert, config, severity, None, now, kind="reopened", notice=notice)
    return AlertChange(alert.id, "reopened", severity)


def growth_band(replies: int, bands: tuple[int, ...]) -> int:
    """How many of the configured reply counts ``replies`` has reached."""
    return sum(1 for threshold in bands if replies >= threshold)


def _route(
    session: Session, config: MonitorConfig, thread: Thread, group: WatchGroupConfig, severity: Severity
) -> Routed:
    """Where the alert goes, asked with every watch group the thread names (``group`` first): the
    routing tree's order decides who owns a thread naming two brands (see :func:`route_groups`)."""
    names: set[str] = set()
    for signals in session.scalars(select(Post.signals).where(Post.thread_id == thread.id)):
        for item in signals or []:
            names.add(str(item.get("name")) if isinstance(item, dict) else str(item))
    categories = {known.name: known.category for known in config.watch_groups}
    categories.setdefault(group.name, group.category)
    matched = session.scalars(
        select(WatchGroupRow.name)
        .join(WatchMatch, WatchMatch.watch_group_id == WatchGroupRow.id)
        .where(WatchMatch.thread_id == thread.id)
        .order_by(WatchGroupRow.id)
    )
    groups = [group.name, *(name for name in matched if name != group.name and name in categories)]
    return route_groups(
        config.routing,
        [
            AlertFacts(
                watch_group=name,
                category=_category(thread, categories[name]),
                severity=severity,
                source=thread.source.key,
                board=thread.board.external_id,
                signals=tuple(sorted(names)),
            )
            for name in groups
        ],
    )


def _category(thread: Thread, group_category: str) -> str:
    """The thread's own complaint category, else its watch group's."""
    return thread.category if thread.category not in (None, "other") else group_category


def _tell_others(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    routed: Routed,
    severity: Severity,
    now: datetime,
    *,
    skip: frozenset[str] = frozenset(),
    why: str = "",
) -> list[str]:
    """Routes with ``also`` or ``continue`` name more people: they hear of it (a copy for information;
    ``why``: a sentence on what brought them in late); the owner stays the owner (the alert's, who
    may have been handed it: told as its owner, not sent a copy). ``skip``: those who heard already.
    Returns who was told."""
    owner = config.spokesperson(alert.spokesperson).name
    told = [p.key for p in routed.also if p.key != alert.spokesperson and p.key not in skip]
    notice = f"抄送 For your information: {owner} owns this alert and speaks for the company."
    for key in told:
        deliveries.queue(
            session,
            config,
            alert,
            key,
            now,
            kind="copy",
            severity=severity,
            notice=f"{notice} {why}" if why else notice,
        )
    return told


def _tell_newly_routed(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    thread: Thread,
    group: WatchGroupConfig,
    severity: Severity,
    now: datetime,
) -> None:
    """The routing tree asked again with what the thread says now: a journalist or a lawyer who
    turns up after the alert reached its tier can bring a route's ``also`` (leadership's copy for
    information) that its opening or escalation did not; whoever has heard of the alert is not told
    twice."""
    routed = _route(session, config, thread, group, severity)
    heard = frozenset(session.scalars(select(Delivery.recipient).where(Delivery.alert_id == alert.id)))
    skip = heard | {alert.backup or ""}
    # what the thread says as a whole (the route may have been brought in by the tier, not a new signal)
    said = f"The thread's signals so far: {'; '.join(alert.signals)}." if alert.signals else ""
    told = _tell_others(session, config, alert, routed, severity, now, skip=skip, why=said)
    if told:
        _event(session, alert, now, "routed", "told as well: " + ", ".join(told))


def _joined_signals(config: MonitorConfig, before: list[str], now: list[str]) -> list[str]:
    """Signals of ``very_urgent_signals`` (media, lawyer, a journalist) the alert did not have
    before, as shown ("lawyer (律师/诉讼) first at floor 21")."""
    from monitor.enrich.signals import SIGNAL_LABELS

    grave = [SIGNAL_LABELS.get(name, name) for name in config.settings.detect.very_urgent_signals]

    def label(shown: str) -> str:
        return shown.rsplit(" first at floor ", 1)[0]

    had = {label(shown) for shown in before}
    return [shown for shown in now if label(shown) in grave and label(shown) not in had]


def _tell_joined(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    thread: Thread,
    group: WatchGroupConfig,
    severity: Severity,
    now: datetime,
    joined: list[str],
) -> None:
    """A journalist or a lawyer turned up on a thread already alerting at its tier: the owner hears
    of it at once (the tier cannot rise to say so), and so does a route's ``also`` for it — even
    someone told of the alert before, since this is news (seed 000: the media is the last stage)."""
    news = "; ".join(joined)
    _queue(
        session,
        alert,
        config,
        severity,
        None,
        now,
        kind="signal",
        notice=f"新信号 New on the thread: {news}.",
    )
    routed = _route(session, config, thread, group, severity)
    told = _tell_others(session, config, alert, routed, severity, now, why=f"New on the thread: {news}.")
    _event(session, alert, now, "signal", news + (f"; told as well: {', '.join(told)}" if told else ""))


def _open(
    session: Session,
    config: MonitorConfig,
    thread: Thread,
    group: WatchGroupConfig,
    assessment: Assessment,
    now: datetime,
) -> AlertChange:
    severity = assessment.severity
    routed = _route(session, config, thread, group, severity)
    playbook = config.playbooks[severity]
    owning = next((known for known in config.watch_groups if known.name == routed.watch_group), group)
    alert = Alert(
        thread_id=thread.id,
        watch_group=owning.name,  # of several, the group whose route owns the alert
        category=_category(thread, owning.category),
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
        band=growth_band(thread.replies, config.settings.alerting.growth_bands),
    )
    session.add(alert)
    session.flush()
    session.add(AlertThread(alert_id=alert.id, thread_id=thread.id, role="origin", linked_at=now))
    add_checklist(session, config, alert, severity, now)
    _event(
        session,
        alert,
        now,
        "opened",
        f"{severity.value}; "
        + " > ".join(f"route {n} ({why})" for n, why in routed.decision.path)
        + f" -> {routed.spokesperson.key}",
    )
    _queue(session, alert, config, severity, None, now)
    _tell_others(session, config, alert, routed, severity, now)
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
    joined = _joined_signals(config, alert.signals or [], assessment.signals)
    alert.signals = assessment.signals
    current = Severity(alert.severity)
    if assessment.severity <= current:
        if joined:
            _tell_joined(session, config, alert, thread, group, current, now, joined)
        _tell_newly_routed(session, config, alert, thread, group, current, now)
        band = growth_band(thread.replies, config.settings.alerting.growth_bands)
        if band > alert.band:
            alert.band = band
            threshold = config.settings.alerting.growth_bands[band - 1]
            notice = f"增长 Growth: the thread has passed {threshold} replies ({thread.replies} now)."
            _event(session, alert, now, "band", f"passed {threshold} replies")
            _queue(session, alert, config, current, None, now, kind="band", notice=notice)
            return AlertChange(alert.id, "band", current)
        return AlertChange(alert.id, "updated", current)
    new = assessment.severity
    alert.severity = new.value
    alert.respond_by = min(alert.respond_by, now + new.first_contact)
    routed = _route(session, config, thread, group, new)
    kept = lifecycle.kept_by_handover(session, config, alert)
    previous = alert.spokesperson
    if not kept:
        alert.spokesperson = routed.spokesperson.key
        alert.backup = routed.backup.key if routed.backup else None
    alert.playbook = config.playbooks[new].name
    add_checklist(session, config, alert, new, now)
    held = f"; kept with {alert.spokesperson} (handed over)" if kept else ""
    moved = alert.spokesperson != previous
    # the new tier's route names someone else: the trail says who, as the digest reads it (digest/handlers.py)
    owner = f"; {lifecycle.OWNER_CHANGED} {previous} -> {alert.spokesperson}" if moved else ""
    _event(session, alert, now, "escalated", f"{current.value} -> {new.value}{held}{owner}")
    notice = _now_yours(session, config, alert, previous, new) if moved else ""
    _queue(session, alert, config, new, current, now, notice=notice)
    _tell_others(
        session, config, alert, routed, new, now, skip=frozenset({previous}) if moved else frozenset()
    )
    if moved:
        _tell_no_longer_owner(session, config, alert, previous, new, now)
    log.info("alert escalated", extra={"alert_id": alert.id, "severity": new.value})
    return AlertChange(alert.id, "escalated", new)


def _now_yours(session: Session, config: MonitorConfig, alert: Alert, previous: str, new: Severity) -> str:
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


def _tell_no_longer_owner(
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


def _join(session: Session, alert: Alert, thread: Thread, now: datetime) -> AlertChange:
    session.add(AlertThread(alert_id=alert.id, thread_id=thread.id, role="spread", linked_at=now))
    board = thread.board.name or thread.board.external_id
    # a board of another forum with its forum's name: two forums may both have a 投诉维权 board
    where = place_name(board, thread.source.name if thread.source_id != alert.thread.source_id else None)
    if where not in alert.also_on:
        alert.also_on = [*alert.also_on, where]
    alert.updated_at = now
    _event(session, alert, now, "spread", f"thread {thread.external_id} on board {where}")
    log.info("story spread", extra={"alert_id": alert.id, "thread_id": thread.id})
    return AlertChange(alert.id, "spread", Severity(alert.severity))


def _queue(
    session: Session,
    alert: Alert,
    config: MonitorConfig,
    severity: Severity,
    escalated_from: Severity | None,
    now: datetime,
    kind: str = "alert",
    notice: str = "",
) -> None:
    deliveries.queue(
        session,
        config,
        alert,
        alert.spokesperson,
        now,
        kind=kind,
        severity=severity,
        escalated_from=escalated_from,
        notice=notice,
    )


def _event(session: Session, alert: Alert, now: datetime, kind: str, detail: str) -> None:
    session.add(AlertEvent(alert_id=alert.id, at=now, kind=kind, detail=detail))
