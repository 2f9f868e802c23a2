"""Open, escalate and group alerts; queue their deliveries in the same transaction (the outbox).

One alert per story: a thread that already belongs to an open alert only updates
it; a watched thread that tells the same story as an open alert's thread (text
similarity) joins that alert as a spread of the story (the copies the opening thread's spread check
found, as it opens); a new notification goes out only when an alert opens or its severity rises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import lifecycle
from monitor.alerting.checklist import add_checklist
from monitor.alerting.owner_change import ask_new_owner_to_acknowledge, now_yours, tell_no_longer_owner
from monitor.alerting.story_alerts import OPEN_STATUSES, open_story
from monitor.alerting.telling import (
    joined_signals,
    queue_to_owner,
    tell_joined,
    tell_newly_routed,
    tell_others,
    trail,
)
from monitor.alerting.thread_routing import route_thread, thread_category
from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.detect.spread import Spread, place_name
from monitor.store.models import (
    Alert,
    AlertThread,
    Thread,
)
from monitor.store.repo import snapshot_before

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertChange:
    alert_id: int
    kind: str  # opened, escalated, band, reopened, spread, signal (news at the same tier), updated
    severity: Severity
    joined: tuple[int, ...] = ()  # threads (ids) that joined the alert with this change: an opening's copies


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
    boilerplate: Callable[[int], frozenset[int]] | None = None,
) -> AlertChange | None:
    """Apply one thread's assessment: update, escalate, join a story, open a new alert, or nothing.

    ``boilerplate``: a board's boilerplate by board id, left out when the thread's story is compared
    with the open alerts' (:func:`~monitor.alerting.story_alerts.open_story`)."""
    alert = alert_for_thread(session, thread)
    return consider_with(session, config, thread, group, assessment, now, alert, boilerplate)


def consider_with(
    session: Session,
    config: MonitorConfig,
    thread: Thread,
    group: WatchGroupConfig,
    assessment: Assessment,
    now: datetime,
    alert: Alert | None,
    boilerplate: Callable[[int], frozenset[int]] | None = None,
) -> AlertChange | None:
    """:func:`consider`, the thread's open ``alert`` (:func:`alert_for_thread`) already read in this
    transaction: the pipeline read it for the thread's facts, and need not read it twice."""
    if alert is not None:
        return _update(session, config, alert, thread, group, assessment, now)
    story = open_story(session, config, group, thread, now, boilerplate)
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
    """The alert resolved within ``reopen_within_days`` whose story includes ``thread``: its own
    thread or a copy that joined it. A copy is the same story: once the alert is resolved it must
    flare up (``reopen_after_replies``) to reopen it, not open an alert of its own at the next poll."""
    since = now - timedelta(days=config.settings.alerting.reopen_within_days)
    return session.scalar(
        select(Alert)
        .join(AlertThread, AlertThread.alert_id == Alert.id)
        .where(AlertThread.thread_id == thread.id, Alert.status == "resolved", Alert.resolved_at >= since)
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
    alert.status, alert.resolved_at, alert.reopened_at, alert.rerouted_at = "open", None, now, None
    alert.acknowledged_at = alert.acknowledged_by = alert.contacted_at = None
    alert.ack_escalation, alert.reminded_at, alert.progress_prompted_at = 0, None, None
    alert.severity, alert.updated_at = severity.value, now
    alert.respond_by = now + severity.first_contact
    what, what_zh = "the thread", "帖子"
    if thread.id == alert.thread_id:  # the alert's figures are its own thread's (as _update keeps them)
        alert.figures, alert.signals = assessment.figures, assessment.signals
    else:
        board = place_name(
            thread.board.name or thread.board.external_id,
            thread.source.name if thread.source_id != alert.thread.source_id else None,
        )
        what = f"its story's copy, thread {thread.external_id} on board {board},"
        what_zh = f"同一事件在版块 {board} 的帖子 {thread.external_id}"
    add_checklist(session, config, alert, severity, now)
    trail(session, alert, now, "reopened", f"{severity.value}: {what} flared up again")
    joined = _join_copies(session, alert, assessment.spread, now)  # told since it was resolved
    notice = (
        f"重新打开：告警关闭后，{what_zh}再次升温。 "
        f"Reopened: {what} flared up again after the alert was resolved."
    )
    queue_to_owner(session, alert, config, severity, None, now, kind="reopened", notice=notice)
    return AlertChange(alert.id, "reopened", severity, joined)


def growth_band(replies: int, bands: tuple[int, ...]) -> int:
    """How many of the configured reply counts ``replies`` has reached."""
    return sum(1 for threshold in bands if replies >= threshold)


def _open(
    session: Session,
    config: MonitorConfig,
    thread: Thread,
    group: WatchGroupConfig,
    assessment: Assessment,
    now: datetime,
) -> AlertChange:
    severity = assessment.severity
    routed = route_thread(session, config, thread, group, severity)
    playbook = config.playbooks[severity]
    owning = next((known for known in config.watch_groups if known.name == routed.watch_group), group)
    alert = Alert(
        thread_id=thread.id,
        watch_group=owning.name,  # of several, the group whose route owns the alert
        category=thread_category(thread, owning.category),
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
    trail(
        session,
        alert,
        now,
        "opened",
        f"{severity.value}; "
        + " > ".join(f"route {n} ({why})" for n, why in routed.decision.path)
        + f" -> {routed.spokesperson.key}",
    )
    joined = _join_copies(session, alert, assessment.spread, now)
    queue_to_owner(session, alert, config, severity, None, now)
    tell_others(session, config, alert, routed, severity, now)
    log.info(
        "alert opened", extra={"alert_id": alert.id, "severity": severity.value, "tid": thread.external_id}
    )
    return AlertChange(alert.id, "opened", severity, joined)


def _join_copies(session: Session, alert: Alert, spread: Spread | None, now: datetime) -> tuple[int, ...]:
    """The story's copies the opening (or reopening) thread's spread check found join the alert now, as
    each would at its own board's next read (:func:`open_story`: a repost on the same board too): until
    then the header, the dashboard and ``threads rising`` left them out, and a resolve left them free to
    open alerts of their own. A copy in an open alert (this one included) stays there. Queues nothing:
    the (re)opening's message names them. Returns their thread ids, in the order the story reached them."""
    copies = sorted(
        spread.copies if spread else (), key=lambda c: (c.thread.first_post_at or now, c.thread.thread_id)
    )
    ids = list(dict.fromkeys(copy.thread.thread_id for copy in copies))
    if not ids:
        return ()
    taken = session.scalars(
        select(AlertThread.thread_id)
        .join(Alert, Alert.id == AlertThread.alert_id)
        .where(AlertThread.thread_id.in_(ids), Alert.status.in_(OPEN_STATUSES))
    )
    free = set(ids) - set(taken)
    threads = {t.id: t for t in session.scalars(select(Thread).where(Thread.id.in_(free)))} if free else {}
    for thread_id in ids:
        if thread_id in threads:
            _join(session, alert, threads[thread_id], now)
    return tuple(thread_id for thread_id in ids if thread_id in threads)


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
    joined = joined_signals(config, alert.signals or [], assessment.signals)
    alert.signals = assessment.signals
    current = Severity(alert.severity)
    if assessment.severity <= current:
        if joined:
            tell_joined(session, config, alert, thread, group, current, now, joined)
        # news at the same tier is a change too: the crawl that found it sends it, not the next outbox run
        news = bool(tell_newly_routed(session, config, alert, thread, group, current, now)) or bool(joined)
        band = growth_band(thread.replies, config.settings.alerting.growth_bands)
        if band > alert.band:
            alert.band = band
            threshold = config.settings.alerting.growth_bands[band - 1]
            notice = (
                f"增长：帖子回复已超过 {threshold} 条（现 {thread.replies} 条）。 "
                f"Growth: the thread has passed {threshold} replies ({thread.replies} now)."
            )
            trail(session, alert, now, "band", f"passed {threshold} replies")
            queue_to_owner(session, alert, config, current, None, now, kind="band", notice=notice)
            return AlertChange(alert.id, "band", current)
        return AlertChange(alert.id, "signal" if news else "updated", current)
    new = assessment.severity
    alert.severity = new.value
    alert.respond_by = min(alert.respond_by, now + new.first_contact)
    routed = route_thread(session, config, thread, group, new)
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
    trail(session, alert, now, "escalated", f"{current.value} -> {new.value}{held}{owner}")
    notice = ""
    if moved:  # the new owner acknowledges it themselves (a handover, which a person chose, keeps it)
        notice = now_yours(session, config, alert, previous, new, now)
        ask_new_owner_to_acknowledge(alert, now)
    queue_to_owner(session, alert, config, new, current, now, notice=notice)
    tell_others(
        session, config, alert, routed, new, now, skip=frozenset({previous}) if moved else frozenset()
    )
    if moved:
        tell_no_longer_owner(session, config, alert, previous, new, now)
    log.info(
        "alert escalated", extra={"alert_id": alert.id, "severity": new.value, "tid": thread.external_id}
    )
    return AlertChange(alert.id, "escalated", new)


def _join(session: Session, alert: Alert, thread: Thread, now: datetime) -> AlertChange:
    session.add(AlertThread(alert_id=alert.id, thread_id=thread.id, role="spread", linked_at=now))
    board = thread.board.name or thread.board.external_id
    # a board of another forum with its forum's name: two forums may both have a 投诉维权 board
    where = place_name(board, thread.source.name if thread.source_id != alert.thread.source_id else None)
    if where not in alert.also_on:
        alert.also_on = [*alert.also_on, where]
    alert.updated_at = now
    trail(session, alert, now, "spread", f"thread {thread.external_id} on board {where}")
    # thread_id: the database's; tid: the forum's, as the trail, the dashboard and the forum name it
    log.info("story spread", extra={"alert_id": alert.id, "thread_id": thread.id, "tid": thread.external_id})
    return AlertChange(alert.id, "spread", Severity(alert.severity))
