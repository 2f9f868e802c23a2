"""The dashboard's word on messages not getting through (:mod:`monitor.alerting.undelivered`): the
marker on a row of the alert list, and the table on an alert's page — channel, recipient, tries,
next attempt, last error. The error is a remote server's words: cleaned, cut and escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitor.alerting.undelivered import Undelivered, channel_name
from monitor.web.html import column_headings, h, when

__all__ = ["undelivered_marker", "undelivered_section"]


def undelivered_marker(count: int) -> str:
    """``⚠ 2 条消息未送达 2 messages not delivered`` under an alert's status in the list; "" for none."""
    if not count:
        return ""
    said = f"{count} 条消息未送达 {count} {'message' if count == 1 else 'messages'} not delivered"
    return f'<br><span class="late undelivered">⚠ {said}</span>'


def undelivered_section(messages: Sequence[Undelivered], names: Mapping[str, str], zone: str) -> list[str]:
    """``消息未送达 Not delivered``: one row per message the outbox is retrying or gave up on (and that
    reached nobody another way); nothing when every message got through."""
    if not messages:
        return []
    rows = [
        '<h2 id="undelivered" class="late">消息未送达 Not delivered</h2>'
        "<p>These messages about the alert have not reached their recipient. Tell them another way, "
        "and fix the channel (the mail server, the chat robot).</p>"
        '<table class="list">'
        + column_headings("Channel", "Recipient", "Message", "Tries", "State", "Last error")
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
            state = f"重试中 retrying, next {when(message.next_attempt_at, zone)}"
        rows.append(
            f'<tr><td data-label="Channel">{channel}</td><td data-label="Recipient">{who}</td>'
            f'<td data-label="Message">{h(message.kind)}</td><td data-label="Tries">{message.attempts}</td>'
            f'<td data-label="State">{state}</td><td data-label="Last error">{h(message.error())}</td></tr>'
        )
    rows.append("</table>")
    return rows
