"""The alerts in a digest's period, read from the store: every alert open at some time in it, with
how it was handled (:class:`~monitor.digest.model.AlertReview`), and a thread's alert as it stood
then, for the top threads.

"Open at some time in the period" is one rule for both — opened before the period's end and not
resolved before its start — so a top thread shows an alert as open exactly when the alerts
section lists it; any other alert of the thread is said to have opened after the period or been
resolved before it (:data:`~monitor.digest.model.AlertTiming`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, case, func, or_, select
from sqlalchemy.orm import Session

from monitor.detect.severity import Severity
from monitor.digest.handlers import TrailEvent, handlers, read_trails
from monitor.digest.model import AlertReview, AlertTiming, DigestPeriod
from monitor.store.models import Alert, AlertEvent, AlertThread, ChecklistItem, Thread

__all__ = ["ThreadAlert", "alert_reviews", "alert_timing", "thread_alerts"]


@dataclass(frozen=True)
class ThreadAlert:
    """A thread's alert — its own, or one it joined as a spread copy — against the period."""

    alert_id: int
    severity: str
    opened_at: datetime
    timing: AlertTiming


def _open_in_period(period: DigestPeriod) -> tuple[ColumnElement[bool], ...]:
    """Alerts open at some time in the period: opened before its end, not resolved before its start."""
    return (
        Alert.opened_at < period.end,
        or_(Alert.resolved_at.is_(None), Alert.resolved_at >= period.start),
    )


def alert_timing(period: DigestPeriod, opened_at: datetime, resolved_at: datetime | None) -> AlertTiming:
    """``open`` as :func:`_open_in_period` has it (the alerts section lists it), else which side it fell."""
    if opened_at >= period.end:
        return "opened_after"
    if resolved_at is not None and resolved_at < period.start:
        return "resolved_before"
    return "open"


def thread_alerts(
    session: Session, period: DigestPeriod, thread_ids: Sequence[int]
) -> dict[int, ThreadAlert]:
    """Each thread's alert: the newest open in the period, else its newest (opened after the period,
    or resolved before it). Threads that never had an alert are left out."""
    alerts: dict[int, ThreadAlert] = {}
    if not thread_ids:
        return alerts
    columns = (Alert.opened_at, Alert.resolved_at, Alert.id, Alert.severity)
    own = select(Alert.thread_id, *columns).where(Alert.thread_id.in_(thread_ids))
    joined = (
        select(AlertThread.thread_id, *columns)
        .join(Alert, Alert.id == AlertThread.alert_id)
        .where(AlertThread.thread_id.in_(thread_ids))
    )
    for query in (own, joined):
        for thread_id, opened_at, resolved_at, alert_id, severity in session.execute(query):
            found = ThreadAlert(alert_id, severity, opened_at, alert_timing(period, opened_at, resolved_at))
            kept = alerts.get(thread_id)
            if kept is None or _rank(found) > _rank(kept):
                alerts[thread_id] = found
    return alerts


def _rank(alert: ThreadAlert) -> tuple[bool, datetime, int]:
    """Open in the period first, then the newest opened (ties: the higher id)."""
    return alert.timing == "open", alert.opened_at, alert.alert_id


def alert_reviews(
    session: Session, period: DigestPeriod, people: Mapping[str, str]
) -> tuple[AlertReview, ...]:
    """Alerts open at some time in the period — open ones before resolved ones, then 非常紧迫 first, then
    the newest opened first — with their checklist progress and who handled them
    (:mod:`monitor.digest.handlers`: one more query, for the trails of them all)."""
    open_in_period = _open_in_period(period)
    trails = read_trails(session, select(Alert.id).where(*open_in_period))
    checklist = (
        select(
            ChecklistItem.alert_id.label("alert_id"),
            func.count().label("total"),
            func.count(ChecklistItem.done_at).label("done"),
            func.count(case((ChecklistItem.done_at >= Alert.reopened_at, 1))).label("done_since"),
        )
        .join(Alert, Alert.id == ChecklistItem.alert_id)
        .where(*open_in_period)
        .group_by(ChecklistItem.alert_id)
        .subquery()
    )
    notes = (
        select(
            AlertEvent.alert_id.label("alert_id"),
            func.count().label("notes"),
            func.count(case((AlertEvent.at >= Alert.reopened_at, 1))).label("notes_since"),
        )
        .join(Alert, Alert.id == AlertEvent.alert_id)
        .where(AlertEvent.kind == "note", AlertEvent.at >= period.start, AlertEvent.at < period.end)
        .group_by(AlertEvent.alert_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Alert.id,
            Thread.title,
            Thread.url,
            Alert.watch_group,
            Alert.severity,
            Alert.status,
            Alert.spokesperson,
            Alert.backup,
            Alert.acknowledged_by,
            Alert.opened_at,
            Alert.respond_by,
            Alert.acknowledged_at,
            Alert.contacted_at,
            Alert.resolved_at,
            Alert.reopened_at,
            func.coalesce(checklist.c.done, 0).label("done"),
            func.coalesce(checklist.c.total, 0).label("total"),
            func.coalesce(checklist.c.done_since, 0).label("done_since"),
            func.coalesce(notes.c.notes, 0).label("notes"),
            func.coalesce(notes.c.notes_since, 0).label("notes_since"),
        )
        .join(Thread, Thread.id == Alert.thread_id)
        .outerjoin(checklist, checklist.c.alert_id == Alert.id)
        .outerjoin(notes, notes.c.alert_id == Alert.id)
        .where(*open_in_period)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
    )
    reviews = [_review(row, period, trails.get(row.id, []), people) for row in rows]  # newest first
    return tuple(sorted(reviews, key=_reading_order))  # stable: the newest first within a tier


def _reading_order(review: AlertReview) -> tuple[bool, int]:
    """Open before resolved, then the highest tier first (an unknown one last)."""
    try:
        rank = Severity(review.severity).rank
    except ValueError:
        rank = -1
    return review.status == "resolved", -rank


def _review(
    row: Row[*tuple[Any, ...]], period: DigestPeriod, trail: Sequence[TrailEvent], people: Mapping[str, str]
) -> AlertReview:
    """One alert's row, with who handled it from its trail."""
    who = handlers(
        trail,
        spokesperson=row.spokesperson,
        backup=row.backup,
        acknowledged_by=row.acknowledged_by,
        people=people,
    )
    acknowledged_at = who.acknowledged_at or row.acknowledged_at  # the round's first
    return AlertReview(
        alert_id=row.id,
        title=row.title,
        url=row.url,
        watch_group=row.watch_group,
        severity=row.severity,
        status=row.status,
        spokesperson=people.get(row.spokesperson, row.spokesperson),
        opened_at=row.opened_at,
        respond_by=row.respond_by,
        acknowledged_at=acknowledged_at,
        contacted_at=row.contacted_at,
        resolved_at=row.resolved_at,
        checklist_done=int(row.done),
        checklist_total=int(row.total),
        opened_in_period=period.start <= row.opened_at < period.end,
        notes=int(row.notes),
        acknowledged_by=who.acknowledged_by,
        acknowledged_again=who.acknowledged_again,
        acknowledged_by_contact=acknowledged_at is not None and acknowledged_at == row.contacted_at,
        contacted_by=who.contacted_by,
        owner_changes=who.owner_changes,
        backup_called=who.backup_called,
        leadership_called=who.leadership_called,
        reopened_at=row.reopened_at,
        resolved_before_reopening=who.resolved_before_reopening if row.reopened_at else None,
        reopenings=max(who.reopenings, 1) if row.reopened_at else 0,
        checklist_done_since_reopening=int(row.done_since),
        notes_since_reopening=int(row.notes_since),
        reopened_in_period=row.reopened_at is not None and period.start <= row.reopened_at < period.end,
    )
