"""Messages not getting through, for "待处理 Needs attention now": read with the same query as
``monitor alerts show`` and the dashboard (:func:`monitor.alerting.undelivered.undelivered`) and told
one line per channel and recipient — a mail server down fails every email to everyone, a revoked
robot every message to its group, and one line each says so without a line per message.

Listed: the messages the outbox is retrying for alerts still open, and those it gave up on since the
week began that reached nobody another way. A message of an alert resolved since that is still being
retried is left out (the outbox may still send it; nobody has to act on it now).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from monitor.alerting.undelivered import Undelivered, channel_name, undelivered
from monitor.detect.severity import Severity
from monitor.digest.model import NotDelivered
from monitor.digest.said import Said
from monitor.digest.wording import name_of, short_time, shortened

__all__ = ["ERROR_CHARS", "IDS_SHOWN", "not_delivered", "not_delivered_said"]

ERROR_CHARS = 100  # the server's last error, cut (the alert's page and `alerts show` give more)
IDS_SHOWN = 3  # alert numbers named on a line, then "等 5 个告警" / "and 2 more"


def not_delivered(
    session: Session, now: datetime, since: datetime, people: Mapping[str, str]
) -> tuple[NotDelivered, ...]:
    """What is not getting through at ``now``: retried for an open alert, or given up from ``since``
    (the week's start) on; one value per channel, recipient and address (``people``: key -> name)."""
    groups: dict[tuple[str, str, str], list[Undelivered]] = {}
    for message in undelivered(session, given_up_since=since):
        if message.queued_at > now or not (message.given_up or message.alert_open):
            continue
        groups.setdefault((message.channel, message.recipient, message.target), []).append(message)
    return tuple(
        _grouped(channel, people.get(key, key), messages) for (channel, key, _), messages in groups.items()
    )


def _grouped(channel: str, recipient: str, messages: list[Undelivered]) -> NotDelivered:
    retried = [message for message in messages if not message.given_up]
    newest = max(
        messages, key=lambda message: message.given_up_at or message.next_attempt_at or message.queued_at
    )
    return NotDelivered(
        channel=channel,
        recipient=recipient,
        address=messages[0].target if channel == "email" else "",
        alert_ids=tuple(sorted({message.alert_id for message in messages})),
        severity=max((message.severity for message in messages), key=_rank),
        retrying=len(retried),
        given_up=len(messages) - len(retried),
        tries=sum(message.attempts for message in messages),
        since=min(message.queued_at for message in messages),
        next_attempt_at=min((m.next_attempt_at for m in retried if m.next_attempt_at), default=None),
        last_error=newest.error(ERROR_CHARS),
    )


def _rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return -1


def not_delivered_said(item: NotDelivered, timezone: str) -> Said:
    """``邮件 email → 李娜 <li.na@…>：告警 #3 的 1 条消息未送达，重试中（下次 12-07 09:30），共尝试 4 次，
    自 12-06 14:00 起；最后错误 last error：…`` / ``1 message of alert #3 not delivered, being retried
    (next 12-07 09:30), 4 tries since 12-06 14:00``. The channel, the recipient and the server's error
    are said once, in the Chinese line."""
    zh_channel, en_channel = channel_name(item.channel)
    channel = zh_channel if zh_channel == en_channel else f"{zh_channel} {en_channel}"
    to = name_of(item.recipient) + (f" <{shortened(item.address, 40)}>" if item.address else "")
    count = item.retrying + item.given_up
    ids = [f"#{alert_id}" for alert_id in item.alert_ids[:IDS_SHOWN]]
    more = len(item.alert_ids) - len(ids)
    alerts = Said(
        f"{'、'.join(ids)} 等 {len(item.alert_ids)} 个告警" if more else f"告警 {'、'.join(ids)} ",
        ("alert " if len(item.alert_ids) == 1 else "alerts ")
        + ", ".join(ids)
        + (f" and {more} more" if more else ""),
    )
    state = _state(item, timezone)
    since = short_time(item.since, timezone)
    zh = f"{alerts.zh}的 {count} 条消息未送达，{state.zh}，共尝试 {item.tries} 次，自 {since} 起"
    en = (
        f"{count} {'message' if count == 1 else 'messages'} of {alerts.en} not delivered, {state.en}, "
        f"{item.tries} {'try' if item.tries == 1 else 'tries'} since {since}"
    )
    error = shortened(item.last_error, ERROR_CHARS)
    if error:
        zh += f"；最后错误 last error：{error}"
    return Said(f"{channel} → {to}：{zh}", en)


def _state(item: NotDelivered, timezone: str) -> Said:
    """``重试中（下次 12-07 09:30）`` / ``being retried (next 12-07 09:30)``; ``已放弃`` / ``given up``;
    both counted when some are retried and some given up."""
    nxt = short_time(item.next_attempt_at, timezone) if item.next_attempt_at is not None else ""
    retried = (
        Said(f"重试中（下次 {nxt}）", f"being retried (next {nxt})")
        if nxt
        else Said("重试中", "being retried")
    )
    if not item.given_up:
        return retried
    if not item.retrying:
        return Said("已放弃", "given up")
    return Said(
        f"{item.retrying} 条{retried.zh}，{item.given_up} 条已放弃",
        f"{item.retrying} {retried.en}, {item.given_up} given up",
    )
