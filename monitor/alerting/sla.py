"""SLA clocks (seed 004): acknowledgement, first contact, and regular progress updates.

Checked on a schedule with ``now`` passed in. Each action queues a delivery in the outbox
(so a channel that is down delays it and loses nothing) and an event in the trail:

* not acknowledged within the tier's time -> the backup is told (once); within twice that
  time -> leadership (``leadership:`` in routing.yaml) is told (once). The time counts from the
  opening (or reopening), or from the latest escalation that gave the alert to another
  spokesperson, who must acknowledge it afresh (``Alert.ack_clock_start``);
* first contact not recorded when ``remind_before_fraction`` of its time is left -> a reminder (once);
* open urgent / very urgent / general alerts -> a progress prompt every N hours (seed 000: feed
  back at least once a day, even without progress); each prompt no one answers (a note, a tick,
  any action on the alert) doubles the wait for the next, up to a week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.alerting import deliveries
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.store.models import Alert, AlertEvent

OPEN = ("open", "acknowledged")


@dataclass(frozen=True)
class SlaAction:
    alert_id: int
    kind: str  # to_backup, reminder, progress
    recipient: str


def ack_within(config: MonitorConfig, severity: Severity) -> timedelta:
    alerting = config.settings.alerting
    minutes = {
        Severity.GENERAL: alerting.ack_minutes_general,
        Severity.URGENT: alerting.ack_minutes_urgent,
        Severity.VERY_URGENT: alerting.ack_minutes_very_urgent,
    }[severity]
    return timedelta(minutes=minutes)


def progress_every(config: MonitorConfig, severity: Severity) -> timedelta:
    alerting = config.settings.alerting
    hours = {
        Severity.GENERAL: alerting.progress_hours_general,
        Severity.URGENT: alerting.progress_hours_urgent,
        Severity.VERY_URGENT: alerting.progress_hours_very_urgent,
    }[severity]
    return timedelta(hours=hours)


def check_sla(session: Session, config: MonitorConfig, now: datetime) -> list[SlaAction]:
    actions: list[SlaAction] = []
    for alert in session.scalars(select(Alert).where(Alert.status.in_(OPEN)).order_by(Alert.id)):
        severity = Severity(alert.severity)
        overdue = now - alert.ack_clock_start >= ack_within(config, severity)
        if alert.acknowledged_at is None and alert.ack_escalation == 0 and alert.backup and overdue:
            alert.ack_escalation = 1
            owner, within = config.spokesperson(alert.spokesperson).name, _span(ack_within(config, severity))
            within_zh = _span_zh(ack_within(config, severity))
            notice = (
                f"备岗提醒：{owner} 未在 {within_zh}内确认告警 #{alert.id}。请联系对方，或亲自接手——"
                f"在告警页面或用 `monitor alerts handover {alert.id} --to {alert.backup}` 转交给自己。 "
                f"You are the backup: {owner} has not acknowledged alert #{alert.id} within {within}. "
                "Reach them, or take it on yourself: hand it over to you (on its page, or the command above)."
            )
            actions.append(_queue(session, config, alert, "to_backup", alert.backup, notice, now))
        long_overdue = now - alert.ack_clock_start >= 2 * ack_within(config, severity)
        if alert.acknowledged_at is None and alert.ack_escalation < 2 and long_overdue:
            alert.ack_escalation = 2
            backup, backup_zh = (" or the backup", "及其备岗") if alert.backup else ("", "")
            owner, within = (
                config.spokesperson(alert.spokesperson).name,
                _span(2 * ack_within(config, severity)),
            )
            notice = (
                f"上报领导：告警 #{alert.id}（{severity.label_zh}）{owner}{backup_zh} "
                f"在 {_span_zh(2 * ack_within(config, severity))}内无人确认。 "
                f"For leadership: alert #{alert.id} ({severity.label_zh}) has not been acknowledged "
                f"by {owner}{backup} within {within}."
            )
            for key in config.routing.leadership:
                if key != alert.spokesperson:  # a leader who owns the alert is told as its owner
                    actions.append(_queue(session, config, alert, "to_leadership", key, notice, now))
        if alert.contacted_at is None and alert.reminded_at is None:
            window = severity.first_contact
            left = alert.respond_by - now
            if left <= window * config.settings.alerting.remind_before_fraction:
                alert.reminded_at = now
                # said in clock times, which stay true if the reminder is sent late (a mail outage)
                zone = ZoneInfo(config.settings.general.timezone)
                due = f"{alert.respond_by.astimezone(zone):%m-%d %H:%M}"
                late = left.total_seconds() < 0
                at = f"{now.astimezone(zone):%H:%M}"
                when = f"overdue since {due}" if late else f"due by {due} ({_span(left)} left at {at})"
                left_zh = f"须在 {due} 前完成（截至 {at} 还剩 {_span_zh(left)}）"
                when_zh = f"已于 {due} 逾期" if late else left_zh
                notice = (
                    f"提醒：首次联系投诉人{when_zh}（时限 {_span_zh(window)}）。 "
                    f"Reminder: first contact with the complainant is {when} (SLA {_span(window)})."
                )
                actions.append(_queue(session, config, alert, "reminder", alert.spokesperson, notice, now))
        last = alert.progress_prompted_at or alert.clock_start
        every = progress_every(config, severity)
        if now - last >= every:
            unanswered, since = _unanswered_prompts(session, alert)
            wait = _backed_off(every, unanswered)
            if now - last >= wait:
                alert.progress_prompted_at = now
                notice = (
                    "进展：请告诉客户事情进展到哪一步（完成时间、措施、原因、预防），即使暂无进展。 "
                    "Progress: tell the customer where things stand (due date, action, root cause, "
                    "prevention) — even if there is no progress yet."
                )
                if unanswered:
                    zone = ZoneInfo(config.settings.general.timezone)
                    said = (
                        f"since {since.astimezone(zone):%m-%d %H:%M}"
                        if since is not None
                        else "since it opened"
                    )
                    said_zh = (
                        f"自 {since.astimezone(zone):%m-%d %H:%M} 起" if since is not None else "自告警打开起"
                    )
                    notice += (
                        f" 这是第 {unanswered + 1} 次提醒，{said_zh}告警上没有记录或操作；"
                        f"下一次在 {_span_zh(_backed_off(every, unanswered + 1))} 后，记一条记录即恢复为每 "
                        f"{_span_zh(every)} 一次；如已结束请关闭告警。"
                        f" This is prompt {unanswered + 1} with no note or action on the alert {said}; "
                        f"the next comes in {_span(_backed_off(every, unanswered + 1))} — a note (or any "
                        "step) brings the prompts back to every "
                        f"{_span(every)}; resolve the alert if it is over."
                    )
                actions.append(_queue(session, config, alert, "progress", alert.spokesperson, notice, now))
    session.flush()
    return actions


PROGRESS_LONGEST_WAIT = timedelta(days=7)


def _backed_off(every: timedelta, unanswered: int) -> timedelta:
    """How long after the last progress prompt the next comes: ``every``, doubled for each prompt
    no one has answered (a note, a tick, any action), at most a week — an alert left open and
    forgotten is prompted about weekly, not every 4 hours for months."""
    return max(every, min(every * (1 << min(unanswered, 10)), PROGRESS_LONGEST_WAIT))


def _unanswered_prompts(session: Session, alert: Alert) -> tuple[int, datetime | None]:
    """The progress prompts since anyone last acted on the alert, and when that was (None: no one has)."""
    acted = session.scalar(
        select(func.max(AlertEvent.at)).where(AlertEvent.alert_id == alert.id, AlertEvent.actor != "monitor")
    )
    prompts = select(func.count()).where(
        AlertEvent.alert_id == alert.id, AlertEvent.kind == "progress", AlertEvent.actor == "monitor"
    )
    if acted is not None:
        prompts = prompts.where(AlertEvent.at > acted)
    return int(session.scalar(prompts) or 0), acted


def _queue(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    kind: str,
    recipient: str,
    notice: str,
    now: datetime,
) -> SlaAction:
    deliveries.queue(session, config, alert, recipient, now, kind=kind, notice=notice)
    session.add(AlertEvent(alert_id=alert.id, at=now, kind=kind, detail=f"to {recipient}"))
    return SlaAction(alert.id, kind, recipient)


def _span(span: timedelta) -> str:
    minutes = int(abs(span.total_seconds()) // 60)
    if minutes >= 48 * 60 and minutes % (24 * 60) == 0:  # a backed-off prompt: "7 days", not "168 h 00 min"
        return f"{minutes // (24 * 60)} days"
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _span_zh(span: timedelta) -> str:
    """:func:`_span` in Chinese, for the Chinese half of a notice: ``30 分钟``, ``1 小时 00 分``, ``7 天``."""
    minutes = int(abs(span.total_seconds()) // 60)
    if minutes >= 48 * 60 and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} 天"
    return f"{minutes // 60} 小时 {minutes % 60:02d} 分" if minutes >= 60 else f"{minutes} 分钟"
