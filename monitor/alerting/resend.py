"""Sending again what the outbox gave up, once the configuration is fixed (``monitor alerts resend``, and
the 重新发送 Send again button on the alert's page, :mod:`monitor.web.resend_page`).

Ops fixed the robot key or the address: the messages given up (``failed``; a copy of one may have
reached its recipient on another channel, but a team's robot posts to a group that has not seen it)
go back into the outbox: ``failed`` → ``pending``, tries reset, each alert's trail saying
``re-queued by <actor>``. The outbox sends them on its next run (its on-call hours and the rules
that drop a message overtaken since — a call to act on an alert resolved since — apply as to any
message).

A fixed chat URL is a new target (its reference carries a hash of the URL): a message whose target
is no longer configured goes to the recipient's channel of the same service, if they have exactly
one; an email goes to the recipient's address as routing.yaml gives it now. A message that cannot
be placed so is left as it is, and said. An alert resolved more than :data:`RESOLVED_LONG_AGO` ago
is left alone unless forced: the message would arrive long after anyone could act on it. A notice
of messages given up (:mod:`monitor.alerting.given_up_notice`) is never sent again: the messages it
told of are, and it is dropped.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.given_up_notice import NOTICE_KIND
from monitor.alerting.render import shorten
from monitor.alerting.undelivered import ERROR_CHARS
from monitor.config.loader import MonitorConfig
from monitor.display_text import clean_text
from monitor.errors import UnknownNameError
from monitor.store.models import Alert, AlertEvent, Delivery

RESOLVED_LONG_AGO = timedelta(days=1)


@dataclass(frozen=True)
class Requeued:
    """One given-up message, sent again (or, in a dry run, that would be)."""

    delivery_id: int
    alert_id: int
    channel: str
    recipient: str
    kind: str
    attempts: int
    given_up_at: datetime | None
    last_error: str  # as the channel said it: untrusted
    target: str  # where it goes now: its target, or the recipient's current one
    retargeted: bool

    def error(self, limit: int = ERROR_CHARS) -> str:
        return shorten(clean_text(self.last_error), limit)


@dataclass
class ResendReport:
    requeued: list[Requeued] = field(default_factory=list)
    left: list[tuple[int, str]] = field(default_factory=list)  # (alert id, why it was left as it is)
    dropped_notices: int = 0


def resend(
    session: Session,
    config: MonitorConfig,
    now: datetime,
    *,
    actor: str,
    alert_ids: Collection[int] | None = None,
    since: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> ResendReport:
    """Re-queue the messages given up of ``alert_ids`` (of every alert when None), given up at or
    after ``since`` when set. ``dry_run``: change nothing, say what would be sent."""
    report = ResendReport()
    query = select(Delivery).where(Delivery.status == "failed", Delivery.channel != "console")
    if alert_ids is not None:
        query = query.where(Delivery.alert_id.in_(list(alert_ids)))
    if since is not None:
        query = query.where(Delivery.failed_at >= since)
    by_alert: dict[int, list[Delivery]] = {}
    for delivery in session.scalars(query.order_by(Delivery.id)):
        by_alert.setdefault(delivery.alert_id, []).append(delivery)
    for alert_id, given_up in by_alert.items():
        alert = session.get(Alert, alert_id)
        assert alert is not None
        if not force and resolved_long_ago(alert, now):
            report.left.append((alert_id, f"resolved at {alert.resolved_at:%Y-%m-%d %H:%M} UTC (--force)"))
            continue
        sent_again: list[str] = []
        for delivery in given_up:
            if delivery.kind == NOTICE_KIND:  # the messages it told of go again themselves
                report.dropped_notices += 1
                if not dry_run:
                    delivery.status = "dropped"
                    delivery.last_error = f"not sent again: the messages given up were re-queued by {actor}"
                continue
            target = _target_now(config, delivery)
            if not target:
                report.left.append((alert_id, f"{_said(delivery)}: {_why_not(delivery)}"))
                continue
            report.requeued.append(
                Requeued(
                    delivery.id,
                    alert_id,
                    delivery.channel,
                    delivery.recipient,
                    delivery.kind,
                    delivery.attempts,
                    delivery.failed_at,
                    delivery.last_error,
                    target,
                    target != delivery.target,
                )
            )
            sent_again.append(_said(delivery))
            if not dry_run:
                delivery.status, delivery.target, delivery.attempts = "pending", target, 0
                delivery.next_attempt_at = delivery.failed_at = None
                delivery.last_error = ""
        if sent_again and not dry_run:
            session.add(
                AlertEvent(
                    alert_id=alert_id,
                    at=now,
                    kind="requeued",
                    actor=actor,
                    detail=f"re-queued by {actor}: " + ", ".join(sent_again),
                )
            )
    return report


def resolved_long_ago(alert: Alert, now: datetime) -> bool:
    """Resolved more than :data:`RESOLVED_LONG_AGO` ago: its messages are sent again only when forced
    (``--force``; on the dashboard, its 仍然重新发送 Send again anyway button)."""
    resolved = alert.resolved_at
    return alert.status == "resolved" and resolved is not None and now - resolved > RESOLVED_LONG_AGO


def _said(delivery: Delivery) -> str:
    """``dingtalk to li_na`` (``(to_backup)`` after it when not the alert itself)."""
    why = f" ({delivery.kind})" if delivery.kind != "alert" else ""
    return f"{delivery.channel} to {delivery.recipient}{why}"


def _target_now(config: MonitorConfig, delivery: Delivery) -> str:
    """Where the message goes now; "" when the configuration has no place for it."""
    try:
        person = config.spokesperson(delivery.recipient)
    except UnknownNameError:
        person = None
    if delivery.channel == "email":
        if not config.settings.smtp.enabled:
            return ""
        return str(person.email) if person is not None else delivery.target
    if delivery.channel == "console":
        return delivery.target
    try:
        return config.chat_target(delivery.target).ref
    except UnknownNameError:
        pass
    same = [t.ref for t in config.chat_targets.get(delivery.recipient, []) if t.scheme == delivery.channel]
    return same[0] if len(same) == 1 else ""


def _why_not(delivery: Delivery) -> str:
    if delivery.channel == "email":
        return "email is off ([smtp] enabled = false): not re-queued"
    return (
        f"{delivery.recipient} has no single {delivery.channel} channel in routing.yaml now "
        "(none, or more than one): not re-queued"
    )
