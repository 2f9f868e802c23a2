"""The alert page's 重新发送 Send again: the messages the outbox gave up on go back into the outbox, as
``monitor alerts resend ID`` does (:mod:`monitor.alerting.resend`: the same call, the same rules), the
one who pressed it named on the trail.

One button re-queues every given-up message of the alert (as the command does for one alert). An
alert resolved more than a day ago is left alone unless the button pressed is 仍然重新发送 Send again
anyway, which the page shows instead, saying when it was resolved: pressing it is the ``--force``.
After the redirect the flash line names what was re-queued; the address carries only the messages'
numbers (``?done=resend&sent=4,5&left=1``), and the page says only what the database holds of those
of this alert.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.compose import kind_label
from monitor.alerting.resend import ResendReport, resend, resolved_long_ago
from monitor.alerting.undelivered import channel_name
from monitor.config.loader import MonitorConfig
from monitor.display_text import clean_text
from monitor.store.models import Alert, Delivery
from monitor.web.html import when

log = logging.getLogger(__name__)

MAX_NAMED = 20  # messages named in the flash line (and read back from the address)


@dataclass(frozen=True)
class Resent:
    """What the address after a re-queue says was done: the messages re-queued, how many were left."""

    ids: tuple[int, ...] = ()
    left: int = 0


def send_again(
    session: Session, config: MonitorConfig, alert: Alert, actor: str, now: datetime, *, anyway: bool
) -> str:
    """Re-queue ``alert``'s given-up messages as ``actor``; the query of the page to land on. Raises
    ValueError, saying why, when nothing was re-queued."""
    zone = config.settings.general.timezone
    if not anyway and resolved_long_ago(alert, now):
        raise ValueError(
            f"告警已于 {when(alert.resolved_at, zone)} 结案 Alert #{alert.id} was resolved at "
            f"{when(alert.resolved_at, zone)}, more than a day ago: its messages would arrive long after "
            "anyone could act on them. Press 仍然重新发送 Send again anyway to send them regardless; "
            "nothing was re-queued"
        )
    report = resend(session, config, now, actor=actor, alert_ids=(alert.id,), force=anyway)
    if not report.requeued and report.left:
        raise ValueError(f"没有重新发送 Nothing was re-queued: {report.left[0][1]}")
    if not report.requeued and not report.dropped_notices:
        raise ValueError(
            "没有可重新发送的消息 No message of this alert is given up now (someone may have sent them "
            "again already); nothing was changed"
        )
    log.info("web resend", extra={"alert_id": alert.id, "requeued": len(report.requeued), "actor": actor})
    return landing(report)


def landing(report: ResendReport) -> str:
    """``done=resend&sent=4,5&left=1``: the query of the alert page after a re-queue."""
    query = "done=resend"
    if report.requeued:
        query += "&sent=" + ",".join(str(m.delivery_id) for m in report.requeued[:MAX_NAMED])
    if report.left:
        query += f"&left={len(report.left)}"
    return query


def resent_of(params: Mapping[str, str]) -> Resent:
    """:class:`Resent` from the page's address; anything malformed is left out."""
    ids = tuple(int(p) for p in params.get("sent", "").split(",") if p.isdigit() and len(p) < 12)
    left = params.get("left", "")
    return Resent(ids[:MAX_NAMED], int(left) if left.isdigit() and len(left) < 6 else 0)


def resent_flash(session: Session, alert_id: int, resent: Resent, names: Mapping[str, str]) -> str:
    """``已重新发送 Sent again: 2 messages re-queued — 邮件 email to 王强 (备岗提醒 for the backup), …``:
    only messages of ``alert_id`` no longer given up are named."""
    found = session.scalars(
        select(Delivery)
        .where(Delivery.alert_id == alert_id, Delivery.id.in_(resent.ids), Delivery.status != "failed")
        .order_by(Delivery.id)
    ).all()
    n = len(found)
    said = "已重新发送 Sent again: "
    if found:
        listed = ", ".join(
            f"{' '.join(dict.fromkeys(channel_name(d.channel)))} to "
            f"{clean_text(names.get(d.recipient, d.recipient))} ({kind_label(d.kind)})"
            for d in found
        )
        said += f"{n} {'message' if n == 1 else 'messages'} re-queued — {listed}; the monitor sends "
        said += f"{'it' if n == 1 else 'them'} on its next outbox run."
    else:
        said += "已撤下消息放弃的通知，没有别的消息被放弃 "
        said += "the notice of messages given up was dropped; nothing else was given up."
    if resent.left:
        said += (
            f" {resent.left} 条未能重新发送 {resent.left} left as given up: the configuration has no "
            "channel for them now (routing.yaml, or [smtp] enabled = false)."
        )
    return said
