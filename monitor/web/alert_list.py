"""The dashboard's list of alerts: which ones, in what order, with the figures a PR lead scans.

Views: ``active`` (open or acknowledged — the default), ``open`` (nobody has acknowledged),
``acknowledged``, ``resolved``, ``all``; ``mine`` keeps the alerts a person owns or backs up.
Active alerts come most severe first, then by first-contact deadline (the nearest first):
the one to act on next is on top. Resolved ones come newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from monitor.alerting.undelivered import failing_alerts, undelivered
from monitor.store.models import Alert, Thread

if TYPE_CHECKING:
    from sqlalchemy.sql._typing import _ColumnExpressionOrStrLabelArgument

VIEWS: tuple[str, ...] = ("active", "open", "acknowledged", "resolved", "all")
LIMIT = 200
_SEVERITY_RANK = case(
    (Alert.severity == "very_urgent", 0),
    (Alert.severity == "urgent", 1),
    else_=2,
)


@dataclass(frozen=True)
class AlertRow:
    id: int
    severity: str
    status: str
    title: str
    url: str
    board: str
    source: str
    replies: int
    watch_group: str
    spokesperson: str
    backup: str | None
    opened_at: datetime
    respond_by: datetime
    acknowledged_at: datetime | None
    contacted_at: datetime | None
    resolved_at: datetime | None
    steps_done: int
    steps: int
    undelivered: int = 0  # its messages not getting through (monitor.alerting.undelivered)

    def contact_overdue(self, now: datetime) -> bool:
        return self.status != "resolved" and self.contacted_at is None and now > self.respond_by


@dataclass(frozen=True)
class AlertCounts:
    """Across every unresolved alert, whatever the view."""

    active_by_severity: dict[str, int]
    unacknowledged: int
    contact_overdue: int
    undelivered: int = 0  # unresolved alerts with a message not getting through


def list_alerts(
    session: Session, view: str, mine: str | None = None, limit: int = LIMIT, offset: int = 0
) -> tuple[list[AlertRow], int]:
    """The view's alerts (at most ``limit``, after the first ``offset``) and how many there are in all."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
    where = []
    if view == "active":
        where.append(Alert.status != "resolved")
    elif view != "all":
        where.append(Alert.status == view)
    if mine:
        where.append(or_(Alert.spokesperson == mine, Alert.backup == mine))
    total = session.scalar(select(func.count()).select_from(Alert).where(*where)) or 0
    order: list[_ColumnExpressionOrStrLabelArgument[Any]]
    if view == "resolved":
        order = [Alert.resolved_at.desc(), Alert.id.desc()]
    elif view == "all":
        order = [Alert.opened_at.desc(), Alert.id.desc()]
    else:
        order = [_SEVERITY_RANK, Alert.respond_by, Alert.id]
    alerts = session.scalars(
        select(Alert)
        .where(*where)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
        .options(
            joinedload(Alert.thread).joinedload(Thread.board),
            joinedload(Alert.thread).joinedload(Thread.source),
            selectinload(Alert.checklist),
        )
    ).unique()
    rows = [_row(alert) for alert in alerts]
    failing = failing_alerts(session, [row.id for row in rows])
    return [replace(row, undelivered=failing.get(row.id, 0)) for row in rows], total


def alert_counts(session: Session, now: datetime) -> AlertCounts:
    active = Alert.status != "resolved"
    by_severity = {
        str(severity): int(count)
        for severity, count in session.execute(
            select(Alert.severity, func.count()).where(active).group_by(Alert.severity)
        )
    }
    unacknowledged = session.scalar(select(func.count()).select_from(Alert).where(Alert.status == "open"))
    overdue = session.scalar(
        select(func.count())
        .select_from(Alert)
        .where(active, Alert.contacted_at.is_(None), Alert.respond_by < now)
    )
    failing = {message.alert_id for message in undelivered(session) if message.alert_open}
    return AlertCounts(by_severity, int(unacknowledged or 0), int(overdue or 0), len(failing))


def _row(alert: Alert) -> AlertRow:
    thread = alert.thread
    return AlertRow(
        id=alert.id,
        severity=alert.severity,
        status=alert.status,
        title=thread.title,
        url=thread.url,
        board=thread.board.name or thread.board.external_id,
        source=thread.source.name,
        replies=thread.replies,
        watch_group=alert.watch_group,
        spokesperson=alert.spokesperson,
        backup=alert.backup,
        opened_at=alert.opened_at,
        respond_by=alert.respond_by,
        acknowledged_at=alert.acknowledged_at,
        contacted_at=alert.contacted_at,
        resolved_at=alert.resolved_at,
        steps_done=sum(1 for item in alert.checklist if item.done_at is not None),
        steps=len(alert.checklist),
    )
