"""Telling someone at once that the outbox gave a message up (:mod:`monitor.alerting.outbox`).

A wrong robot key found at 03:00 must not wait for someone to open the dashboard or the weekly
digest. When a message is given up (a refusal no retry can cure, or the last of its tries), the
outbox queues a *notice* (a delivery of kind :data:`NOTICE_KIND`) saying which message did not get
through, on which channel, the channel's own words and what to run once it is fixed:

- to the message's recipient on their **other** channels (routing.yaml: email and a chat robot),
  so they learn that one of their channels is broken — and read the alert there if it was the only
  copy;
- and, when no copy of the message reached them on any channel, to the one who stands in for
  them: the alert's backup (the recipient's own backup for someone else's message), else the
  routing tree's fallback receiver (its root), so somebody tells them another way.

A notice is an alert message like a reminder (``未送达 not delivered``, the alert as it stands, the
notice line above it): whoever has no working channel but this one reads the alert in it.

It never loops: a notice that is given up is not told of, a channel whose last attempt failed (or
is being retried) is not used for a notice, and the console is neither told nor counted as a way to
reach anyone. At most one notice goes to a channel and recipient each :data:`NOTICE_EVERY`: what is
given up meanwhile joins the notice waiting to go (one line each), which leaves an hour after the
last one. The channel's words are untrusted (a remote server's answer): cleaned and cut here,
escaped per channel where the notice is rendered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.deliveries import MAX_ATTEMPTS
from monitor.alerting.render import shorten
from monitor.alerting.undelivered import channel_name
from monitor.config.loader import MonitorConfig
from monitor.digest.people import split_title
from monitor.display_text import clean_text
from monitor.errors import UnknownNameError
from monitor.store.models import Alert, AlertEvent, Delivery

log = logging.getLogger(__name__)

NOTICE_KIND = "undelivered"
NOTICE_TAG = "未送达 not delivered"
NOTICE_EVERY = timedelta(hours=1)
"""At most one notice to a channel and recipient this often; what is given up meanwhile joins it."""
ERROR_CHARS = 200  # of the channel's words, in the notice: enough for a refusal and its fix
SHOWN = 3  # messages named in one notice; the others counted
_ALERT = re.compile(r"^告警 #(\d+) ")


def tell(
    session: Session, config: MonitorConfig, given_up: Sequence[Delivery], now: datetime
) -> list[Delivery]:
    """Queue the notices for ``given_up`` (deliveries the outbox gave up in this run, their copies on
    other channels tried by now); returns the notices newly queued that may go at once."""
    due: list[Delivery] = []
    for lost in given_up:
        if lost.kind == NOTICE_KIND or lost.channel == "console":
            continue  # a notice about a failed notice is not sent
        alert = session.get(Alert, lost.alert_id)
        assert alert is not None
        told: list[str] = []
        for person, nowhere in _who(session, config, alert, lost):
            line = _line(config, lost, elsewhere=person == lost.recipient or not nowhere)
            ways = []
            for channel, target in _working_channels(session, config, person, lost):
                notice = _add(session, person, channel, target, lost, line, now)
                ways.append(channel)
                if notice is not None:
                    due.append(notice)
            if ways:
                told.append(f"{person} ({', '.join(ways)})")
        to = f" to {lost.recipient}" if lost.recipient else ""
        detail = f"{lost.channel}{to} given up: " + (
            f"told {', '.join(told)}" if told else "nobody could be told on another channel"
        )
        session.add(AlertEvent(alert_id=alert.id, at=now, kind="undelivered_told", detail=detail))
        if not told:
            log.warning(
                "a given-up message could be told of on no other channel",
                extra={"delivery_id": lost.id, "channel": lost.channel},
            )
    session.flush()  # the new notices get their ids: the outbox claims them by id
    return due


def wording(stored: str) -> str:
    """The notice line of a notice delivery, Chinese first, from its stored lines (one per message
    given up): what happened, the first :data:`SHOWN` messages, and the command to send them again."""
    lines = [line for line in stored.splitlines() if line.strip()]
    alerts = list(dict.fromkeys(m.group(1) for line in lines if (m := _ALERT.match(line))))
    again = f"monitor alerts resend {alerts[0]}" if len(alerts) == 1 else "monitor alerts resend --all-failed"
    shown = " ".join(f"{'①②③④⑤'[i]} {line}" for i, line in enumerate(lines[:SHOWN]))
    more = len(lines) - SHOWN
    if more > 0:
        shown += f" 另有 {more} 条 and {more} more (monitor alerts show)."
    many = len(lines) > 1
    return (
        f"未送达：{'以下' if many else '这条'}消息已放弃发送，不再重试。 "
        f"Not delivered: the monitor gave {'these messages' if many else 'this message'} up. {shown} "
        f"修正该渠道（routing.yaml 的 channels、email 或 [smtp]）后运行 `{again}` 重新发送。 "
        f"Fix the channel (routing.yaml's channels or email, or [smtp]), then run `{again}` to send "
        f"{'them' if many else 'it'} again."
    )


def _who(session: Session, config: MonitorConfig, alert: Alert, lost: Delivery) -> list[tuple[str, bool]]:
    """Who is told, each with whether the message reached its recipient on no channel: the recipient
    (on their other channels), and when no copy reached them, their stand-in."""
    reached = session.scalar(
        select(Delivery.id)
        .where(
            Delivery.alert_id == lost.alert_id,
            Delivery.recipient == lost.recipient,
            Delivery.kind == lost.kind,
            Delivery.created_at == lost.created_at,
            Delivery.id != lost.id,
            Delivery.channel != "console",
            Delivery.status == "sent",
        )
        .limit(1)
    )
    nowhere = reached is None
    people = [(lost.recipient, nowhere)] if _known(config, lost.recipient) else []
    if nowhere:
        stand_in = _stand_in(config, alert, lost.recipient)
        if stand_in:
            people.append((stand_in, nowhere))
    return people


def _stand_in(config: MonitorConfig, alert: Alert, recipient: str) -> str:
    """The alert's backup for its spokesperson's messages, the recipient's own backup for anyone
    else's, else the routing tree's fallback receiver; "" when that is the recipient themselves."""
    backup = alert.backup if recipient == alert.spokesperson else None
    if not backup and _known(config, recipient):
        backup = config.spokesperson(recipient).backup
    for key in (backup, config.routing.route.receiver):
        if key and key != recipient and _known(config, key):
            return key
    return ""


def _known(config: MonitorConfig, key: str) -> bool:
    try:
        config.spokesperson(key)
    except UnknownNameError:
        return False
    return True


def _working_channels(
    session: Session, config: MonitorConfig, person: str, lost: Delivery
) -> list[tuple[str, str]]:
    """``person``'s channels but the one that failed and any whose last attempt failed or is being
    retried (a channel that is failing tells nobody anything)."""
    ways = []
    if config.settings.smtp.enabled and not _mail_server_failing(session, lost):
        ways.append(("email", str(config.spokesperson(person).email)))
    ways += [(target.scheme, target.ref) for target in config.chat_targets.get(person, [])]
    return [
        (channel, target)
        for channel, target in ways
        if (channel, target) != (lost.channel, lost.target) and not _failing(session, channel, target)
    ]


def _mail_server_failing(session: Session, lost: Delivery) -> bool:
    """Email is no way to tell anyone while the mail server itself fails: an email given up after
    every try (not one address refused), or the last email tried, to anyone, still being retried."""
    if lost.channel == "email" and lost.attempts >= MAX_ATTEMPTS:
        return True
    last = session.scalars(
        select(Delivery)
        .where(Delivery.channel == "email", Delivery.attempts > 0, Delivery.status != "dropped")
        .order_by(Delivery.id.desc())
        .limit(1)
    ).first()
    return last is not None and last.status == "pending" and last.last_error != ""


def _failing(session: Session, channel: str, target: str) -> bool:
    last = session.scalars(
        select(Delivery)
        .where(
            Delivery.channel == channel,
            Delivery.target == target,
            Delivery.attempts > 0,
            Delivery.status != "dropped",
        )
        .order_by(Delivery.id.desc())
        .limit(1)
    ).first()
    return last is not None and (
        last.status == "failed" or (last.status == "pending" and last.last_error != "")
    )


def _line(config: MonitorConfig, lost: Delivery, *, elsewhere: bool) -> str:
    """``告警 #7 · 钉钉 DingTalk → 李娜（1 次尝试 1 try）：<the channel's words>``; for the recipient's
    stand-in, that no other channel reached them either."""
    zh, en = channel_name(lost.channel)
    channel = zh if zh == en else f"{zh} {en}"
    try:
        name = clean_text(split_title(config.spokesperson(lost.recipient).name)[0])  # no job title
    except UnknownNameError:
        name = clean_text(lost.recipient)
    kind = f" ({lost.kind})" if lost.kind != "alert" else ""
    tries = f"{lost.attempts} 次尝试 {lost.attempts} {'try' if lost.attempts == 1 else 'tries'}"
    nowhere = "" if elsewhere else "，其他渠道也未送达 not delivered on any other channel either"
    said = clean_text(lost.last_error)
    where, _, rest = said.partition(": ")
    if "://" in where and rest:  # "DingTalk dingtalk://****@****: …": the line names the channel already
        said = rest
    said = shorten(said, ERROR_CHARS)
    return f"告警 #{lost.alert_id} · {channel} → {name}{kind}（{tries}{nowhere}）：{said}"


def _add(
    session: Session, person: str, channel: str, target: str, lost: Delivery, line: str, now: datetime
) -> Delivery | None:
    """``line`` joins the notice still waiting to go to ``person`` on this channel, or starts one (to
    go an hour after the last, if one went within the hour); the new notice when it may go now."""
    notices = (
        select(Delivery)
        .where(
            Delivery.kind == NOTICE_KIND,
            Delivery.recipient == person,
            Delivery.channel == channel,
            Delivery.target == target,
        )
        .order_by(Delivery.id.desc())
    )
    waiting = session.scalars(notices.where(Delivery.status == "pending", Delivery.attempts == 0)).first()
    if waiting is not None:
        if line not in waiting.notice.splitlines():
            waiting.notice = f"{waiting.notice}\n{line}"
        return None
    last = session.scalars(notices.where(Delivery.status == "sent")).first()
    last_at = (last.sent_at or last.created_at) if last is not None else None
    later = last_at + NOTICE_EVERY if last_at is not None and now - last_at < NOTICE_EVERY else None
    notice = Delivery(
        alert_id=lost.alert_id,
        channel=channel,
        target=target,
        kind=NOTICE_KIND,
        recipient=person,
        notice=line,
        severity=lost.severity,
        status="pending",
        attempts=0,
        next_attempt_at=later,
        last_error="",
        created_at=now,
    )
    session.add(notice)
    return notice if later is None else None
