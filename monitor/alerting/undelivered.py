"""Messages that are not getting through: the one query behind ``monitor alerts show``, the weekly
digest's "待处理 Needs attention now" and the dashboard (the alert list's marker, an alert's page).

A message is *failing* when

- the outbox is retrying it: still ``pending`` after a channel refused it (``last_error`` set) — a
  mail server down, a chat service answering an error; or
- the outbox gave it up (``failed``: :data:`~monitor.alerting.outbox.MAX_ATTEMPTS` tries, or an answer
  that says trying again cannot help — a revoked robot, an address the mail server refuses for good)
  and the same message did not reach its recipient another way: no copy of it (same alert, recipient
  and kind, queued at the same moment) was sent on another channel. The console is not another way:
  it writes to the monitor's log, which nobody is paged by.

A message the outbox dropped on purpose (``dropped``: overtaken while queued, the trail says why) is
not failing, nor one not tried yet (held for its recipient's on-call hours, or queued this minute), nor
one in flight for the first time.

``last_error`` is the channel's own words (chat channels mask their secrets in it) and may quote what
a remote server answered: untrusted, it is cleaned and cut by :meth:`Undelivered.error` and escaped
wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from monitor.alerting.render import shorten
from monitor.alerting.sla import OPEN
from monitor.display_text import clean_text
from monitor.store.models import Alert, Delivery

__all__ = ["CHANNEL_NAMES", "ERROR_CHARS", "Undelivered", "channel_name", "failing_alerts", "undelivered"]

ERROR_CHARS = 160  # a remote server's error, cut: enough for "535 5.7.8 Authentication failed …"
CHANNEL_NAMES = {
    "email": ("邮件", "email"),
    "console": ("控制台", "console"),
    "wecom": ("企业微信", "WeCom"),
    "dingtalk": ("钉钉", "DingTalk"),
    "feishu": ("飞书", "Feishu"),
    "lark": ("飞书", "Lark"),
    "slack": ("Slack", "Slack"),
}


def channel_name(channel: str) -> tuple[str, str]:
    """``("邮件", "email")``; a channel without a Chinese name (``webhook``) by its scheme in both."""
    shown = clean_text(channel)
    return CHANNEL_NAMES.get(shown, (shown, shown))


@dataclass(frozen=True)
class Undelivered:
    """One failing message (see the module docstring)."""

    delivery_id: int
    alert_id: int
    alert_open: bool  # the alert is open or acknowledged now
    channel: str  # email, wecom, dingtalk …
    target: str  # the email address, or a chat target's masked reference (never its URL)
    recipient: str  # the spokesperson's key
    kind: str  # alert, to_backup, handover … (Delivery.kind)
    severity: str  # the tier the message told of
    attempts: int
    queued_at: datetime
    next_attempt_at: datetime | None  # retried: when next; None once given up
    given_up_at: datetime | None  # None while it is being retried
    last_error: str  # as the channel said it; untrusted (see :meth:`error`)

    @property
    def given_up(self) -> bool:
        return self.given_up_at is not None

    def error(self, limit: int = ERROR_CHARS) -> str:
        """The last error on one line, control and invisible characters removed, cut at ``limit``."""
        return shorten(clean_text(self.last_error), limit)


def _failing(given_up_since: datetime | None = None) -> ColumnElement[bool]:
    """The WHERE clauses of a failing message (see the module docstring)."""
    other = aliased(Delivery)
    reached = exists().where(
        other.alert_id == Delivery.alert_id,
        other.recipient == Delivery.recipient,
        other.kind == Delivery.kind,
        other.created_at == Delivery.created_at,
        other.id != Delivery.id,
        other.channel != "console",
        other.status == "sent",
    )
    given_up = and_(Delivery.status == "failed", ~reached)
    if given_up_since is not None:
        given_up = and_(given_up, Delivery.failed_at >= given_up_since)
    retried = and_(Delivery.status == "pending", Delivery.attempts > 0, Delivery.last_error != "")
    return or_(retried, given_up)


def undelivered(
    session: Session,
    *,
    alert_ids: Collection[int] | None = None,
    given_up_since: datetime | None = None,
) -> list[Undelivered]:
    """The failing messages of ``alert_ids`` (of every alert when None), those given up only when given
    up at or after ``given_up_since`` (any time when None), the oldest queued first."""
    query = (
        select(Delivery, Alert.status)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(_failing(given_up_since))
        .order_by(Delivery.created_at, Delivery.id)
    )
    if alert_ids is not None:
        query = query.where(Delivery.alert_id.in_(list(alert_ids)))
    found = []
    for delivery, status in session.execute(query):
        given_up = delivery.status == "failed"
        found.append(
            Undelivered(
                delivery_id=delivery.id,
                alert_id=delivery.alert_id,
                alert_open=status in OPEN,
                channel=delivery.channel,
                target=delivery.target,
                recipient=delivery.recipient,
                kind=delivery.kind,
                severity=delivery.severity,
                attempts=delivery.attempts,
                queued_at=delivery.created_at,
                next_attempt_at=None if given_up else delivery.next_attempt_at,
                given_up_at=(delivery.failed_at or delivery.created_at) if given_up else None,
                last_error=delivery.last_error,
            )
        )
    return found


def failing_alerts(session: Session, alert_ids: Collection[int]) -> dict[int, int]:
    """How many failing messages each of ``alert_ids`` has (those with none left out): the dashboard's
    marker on its list of alerts."""
    counts: dict[int, int] = {}
    for message in undelivered(session, alert_ids=alert_ids):
        counts[message.alert_id] = counts.get(message.alert_id, 0) + 1
    return counts
