"""The dashboard's word on messages not getting through (:mod:`monitor.alerting.undelivered`): the
marker on a row of the alert list, and the table on an alert's page — channel, recipient, tries,
next attempt, last error, and under it, when any was given up, the 重新发送 Send again button
(:mod:`monitor.web.resend_page`). The error is a remote server's words: cleaned, cut and escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from monitor.alerting.compose import kind_label
from monitor.alerting.resend import resolved_long_ago
from monitor.alerting.undelivered import Undelivered, channel_name
from monitor.store.models import Alert
from monitor.web import words
from monitor.web.html import column_headings, csrf_field, h, when

__all__ = ["undelivered_marker", "undelivered_section"]


def undelivered_marker(count: int) -> str:
    """``⚠ 2 条消息未送达 2 messages not delivered`` under an alert's status in the list; "" for none."""
    if not count:
        return ""
    said = f"{count} 条消息未送达 {count} {'message' if count == 1 else 'messages'} not delivered"
    return f'<br><span class="late undelivered">⚠ {said}</span>'


def undelivered_section(
    messages: Sequence[Undelivered],
    names: Mapping[str, str],
    zone: str,
    *,
    alert: Alert | None = None,
    now: datetime | None = None,
    csrf: str | None = None,
) -> list[str]:
    """``消息未送达 Not delivered``: one row per message the outbox is retrying or gave up on (and that
    reached nobody another way); nothing when every message got through. With ``alert`` (the page acts:
    not a viewer's, nor a copy's) and a message given up, the form that sends them again."""
    if not messages:
        return []
    rows = [
        '<h2 id="undelivered" class="late">消息未送达 Not delivered</h2>'
        "<p>以下关于此告警的消息没有送达收件人。请用别的方式告诉他们，并修好渠道（邮件服务器、聊天机器人）。 "
        "These messages about the alert have not reached their recipient. Tell them another way, "
        "and fix the channel (the mail server, the chat robot).</p>"
        '<table class="list">'
        + column_headings(
            words.CHANNEL, words.RECIPIENT, words.MESSAGE, words.TRIES, words.STATE, words.LAST_ERROR
        )
    ]
    for message in messages:
        zh, en = channel_name(message.channel)
        channel = h(zh if zh == en else f"{zh} {en}")
        who = h(names.get(message.recipient, message.recipient))
        if message.channel == "email":
            who += f'<br><span class="muted">{h(message.target)}</span>'
        if message.given_up:
            state = f'<span class="late">已放弃 given up {when(message.given_up_at, zone)}</span>'
        else:
            state = f"重试中 retrying · 下次 next {when(message.next_attempt_at, zone)}"
        kind = h(kind_label(message.kind))
        rows.append(
            f'<tr><td data-label="{words.CHANNEL}">{channel}</td>'
            f'<td data-label="{words.RECIPIENT}">{who}</td><td data-label="{words.MESSAGE}">{kind}</td>'
            f'<td data-label="{words.TRIES}">{message.attempts}</td>'
            f'<td data-label="{words.STATE}">{state}</td>'
            f'<td data-label="{words.LAST_ERROR}">{h(message.error())}</td></tr>'
        )
    rows.append("</table>")
    given_up = sum(1 for message in messages if message.given_up)
    if alert is not None and now is not None and given_up:
        rows.append(_send_again(alert, now, given_up, zone, csrf))
    return rows


def _send_again(alert: Alert, now: datetime, given_up: int, zone: str, csrf: str | None) -> str:
    """The form re-queuing the alert's given-up messages; for an alert resolved more than a day ago,
    saying so, with the button that sends them regardless."""
    what, one = f"{given_up} 条已放弃 {given_up} given up", given_up == 1
    said = (
        f"渠道修好了吗？重新发送已放弃的消息（{what}），监测系统会在下一轮发件时发送。 "
        f"Fixed the channel? Send the {'message' if one else 'messages'} given up again "
        f"({what}): the monitor sends {'it' if one else 'them'} on its next outbox run."
    )
    force, label = "", "重新发送 Send again"
    if resolved_long_ago(alert, now):
        said = (
            f"已结案一天以上：此告警于 {when(alert.resolved_at, zone)} 结案，已放弃的消息（{what}）"
            "送到时早已无法处理。 "
            f"This alert was resolved at {when(alert.resolved_at, zone)}, more than a day "
            f"ago: the {'message' if one else 'messages'} given up ({what}) would arrive long after anyone "
            "could act on it."
        )
        force, label = '<input type="hidden" name="force" value="1">', "仍然重新发送 Send again anyway"
    return (
        f'<form method="post" action="" class="resend">{csrf_field(csrf)}{force}<p>{h(said)}</p>'
        f'<button type="submit" name="do" value="resend">{label}</button></form>'
    )
