"""An alert that changes hands at an escalation (the new tier's route names someone else): the new
owner must acknowledge it themselves (:func:`ask_new_owner_to_acknowledge`), what they must know
first (:func:`now_yours`), and the word to the owner until then (:func:`tell_no_longer_owner`).

A handover (:func:`monitor.alerting.lifecycle.hand_over`) is not such a change: a person chose the
new owner, and its acknowledgement and clocks run on.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import deliveries, lifecycle
from monitor.alerting.sla import ack_within
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.store.models import Alert, AlertEvent


def ask_new_owner_to_acknowledge(alert: Alert, now: datetime) -> None:
    """The routing tree gave ``alert`` to another spokesperson at an escalation (PagerDuty: a
    reassigned incident is triggered again): an acknowledgement the previous owner made is withdrawn —
    it stays in the trail, and the digest still credits it — and the acknowledgement clock starts
    again ``now`` (``rerouted_at``), so the new owner's backup is told only if they have not
    acknowledged within the tier's time from now, and leadership after twice that; not at the next
    SLA check because the alert opened hours ago. The first contact — its deadline, and a contact
    made — stands: that is the customer's promise, whoever owns the alert."""
    alert.acknowledged_at = alert.acknowledged_by = None
    if alert.status == "acknowledged":
        alert.status = "open"
    alert.ack_escalation, alert.rerouted_at = 0, now


def now_yours(
    session: Session, config: MonitorConfig, alert: Alert, previous: str, new: Severity, now: datetime
) -> str:
    """What the new owner of an alert that changed hands at an escalation must know first: it is
    theirs now, whose it was, and what has been done (acknowledged, contacted, the last note) — the
    customer may have been promised something already — and that they must acknowledge it, by when
    (the acknowledgement clock restarts ``now``: :func:`ask_new_owner_to_acknowledge`). Read before
    the acknowledgement is withdrawn."""
    zone = config.settings.general.timezone
    was = lifecycle.name_of(config, previous)
    due = now + ack_within(config, new)
    ask, ask_zh = _ask(config, alert, new, due), _ask_zh(config, alert, new, due)
    done: list[str] = []
    done_zh: list[str] = []
    if alert.acknowledged_at is not None:
        by = lifecycle.name_of(config, alert.acknowledged_by or previous)
        done.append(
            f"{by} had acknowledged it at {_at(alert.acknowledged_at, zone)}; now that it is yours, {ask}"
        )
        done_zh.append(f"{by} 曾于 {_at(alert.acknowledged_at, zone)} 确认")
    else:
        done.append(f"nobody has acknowledged it yet: {ask}")
        done_zh.append("尚无人确认")
    if alert.contacted_at is not None:
        done.append(f"the complainant was contacted at {_at(alert.contacted_at, zone)}")
        done_zh.append(f"已于 {_at(alert.contacted_at, zone)} 联系投诉人")
    else:
        done.append(f"first contact is due by {_at(alert.respond_by, zone)}")
        done_zh.append(f"首次联系截止 {_at(alert.respond_by, zone)}")
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
        f"转给你：升级为{new.label_zh}后，按路由规则此告警交由你负责（原属 {was}）；{ask_zh}。"
        f"目前（{zone} 时间）：{'；'.join(done_zh)}。 "
        f"Now yours: at {new.label_zh} the routing tree gives this alert to you; it was {was}'s. "
        f"So far ({zone} time): {'; '.join(done)}.{said}"
    )


def _ask(config: MonitorConfig, alert: Alert, new: Severity, due: datetime) -> str:
    """``acknowledge it by 20:32, or your backup 李娜 is told``: who is told when, as the SLA clocks
    will (the alert's backup is already the new owner's)."""
    zone = config.settings.general.timezone
    if alert.backup:
        who = f"your backup {lifecycle.name_of(config, alert.backup)} is told"
    elif any(key != alert.spokesperson for key in config.routing.leadership):
        who = "leadership is told"
        due += ack_within(config, new)  # no backup: leadership, at twice the time
    else:
        return "acknowledge it"
    return f"acknowledge it by {_at(due, zone)}, or {who}"


def _ask_zh(config: MonitorConfig, alert: Alert, new: Severity, due: datetime) -> str:
    """:func:`_ask` in Chinese: ``请在 20:32 前确认，否则通知你的备岗 李娜``."""
    zone = config.settings.general.timezone
    if alert.backup:
        who = f"通知你的备岗 {lifecycle.name_of(config, alert.backup)}"
    elif any(key != alert.spokesperson for key in config.routing.leadership):
        who = "上报领导"
        due += ack_within(config, new)
    else:
        return "请确认"
    return f"请在 {_at(due, zone)} 前确认，否则{who}"


def _at(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def tell_no_longer_owner(
    session: Session, config: MonitorConfig, alert: Alert, previous: str, new: Severity, now: datetime
) -> None:
    """The owner until an escalation hears whose the alert is now (a copy: their links only open it)."""
    if previous not in {person.key for person in config.routing.spokespeople}:
        return
    owner = lifecycle.name_of(config, alert.spokesperson)
    notice = (
        f"抄送：升级为{new.label_zh}后，按路由规则此告警交由 {owner} 负责，今后由其代表公司发言；"
        f"请把你了解的情况告诉对方。 For your information: at {new.label_zh} the routing tree gives this "
        f"alert to {owner}, who owns it and speaks for the company from now on; tell them what you know."
    )
    deliveries.queue(session, config, alert, previous, now, kind="copy", severity=new, notice=notice)
