"""Who hears of an alert besides what opens or escalates it: a route's ``also`` (a copy for
information, :func:`tell_others`), people a route brings in at a later poll (:func:`tell_newly_routed`),
news of a journalist or a lawyer on a thread already at its tier (:func:`tell_joined`); and the two
writes every step makes — a message to the owner through the outbox (:func:`queue_to_owner`) and a
line in the trail (:func:`trail`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import deliveries
from monitor.alerting.routing import Routed
from monitor.alerting.thread_routing import route_thread
from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.store.models import Alert, AlertEvent, Delivery, Thread


def tell_others(
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
    notice = (
        f"抄送：此告警由 {owner} 负责并代表公司发言。 "
        f"For your information: {owner} owns this alert and speaks for the company."
    )
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


def tell_newly_routed(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    thread: Thread,
    group: WatchGroupConfig,
    severity: Severity,
    now: datetime,
) -> list[str]:
    """The routing tree asked again with what the thread says now: a journalist or a lawyer who
    turns up after the alert reached its tier can bring a route's ``also`` (leadership's copy for
    information) that its opening or escalation did not; whoever has heard of the alert is not told
    twice. Returns who was told now."""
    routed = route_thread(session, config, thread, group, severity)
    heard = frozenset(session.scalars(select(Delivery.recipient).where(Delivery.alert_id == alert.id)))
    skip = heard | {alert.backup or ""}
    # what the thread says as a whole (the route may have been brought in by the tier, not a new signal)
    said = (
        f"帖子目前的危机信号 The thread's signals so far: {'; '.join(alert.signals)}."
        if alert.signals
        else ""
    )
    told = tell_others(session, config, alert, routed, severity, now, skip=skip, why=said)
    if told:
        trail(session, alert, now, "routed", "told as well: " + ", ".join(told))
    return told


def joined_signals(config: MonitorConfig, before: list[str], now: list[str]) -> list[str]:
    """Signals of ``very_urgent_signals`` (media, lawyer, a journalist) the alert did not have
    before, as shown ("lawyer (律师/诉讼) first at floor 21")."""
    from monitor.enrich.signals import SIGNAL_LABELS

    grave = [SIGNAL_LABELS.get(name, name) for name in config.settings.detect.very_urgent_signals]

    def label(shown: str) -> str:
        return shown.rsplit(" first at floor ", 1)[0]

    had = {label(shown) for shown in before}
    return [shown for shown in now if label(shown) in grave and label(shown) not in had]


def tell_joined(
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
    queue_to_owner(
        session,
        alert,
        config,
        severity,
        None,
        now,
        kind="signal",
        notice=f"新信号：帖子出现新的危机信号 New on the thread: {news}.",
    )
    routed = route_thread(session, config, thread, group, severity)
    told = tell_others(
        session, config, alert, routed, severity, now, why=f"新信号 New on the thread: {news}."
    )
    trail(session, alert, now, "signal", news + (f"; told as well: {', '.join(told)}" if told else ""))


def queue_to_owner(
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


def trail(session: Session, alert: Alert, now: datetime, kind: str, detail: str) -> None:
    session.add(AlertEvent(alert_id=alert.id, at=now, kind=kind, detail=detail))
