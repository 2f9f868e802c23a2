"""How a message without links says to act on its alert: the commands, in the recipient's name.

Without ``web.base_url`` (the default) no message carries signed links, so the spokesperson, the
backup and a new owner after a handover are told the commands that acknowledge, record the first
contact and show the checklist (``AlertMessage.terminal_for``: the recipient's key).
"""

from __future__ import annotations

import re
from html import escape

from monitor.alerting.message import AlertMessage

TERMINAL_NOTE = (
    "在终端处理（未设置 web.base_url，消息不带网页链接） "
    "To act on it, from a terminal (no web links: web.base_url is not set)"
)
_KEY = re.compile(r"[\w.@+-]+")


def terminal_commands(msg: AlertMessage) -> list[tuple[str, str]]:
    """The commands that act on the alert, each with what it is for, for a message without links
    (``terminal_for``)."""
    key = msg.terminal_for
    if not key or not _KEY.fullmatch(key):
        return []
    alert, by = msg.alert_id, f"--by {key}"
    commands = [] if msg.acknowledged else [(f"monitor alerts ack {alert} {by}", "")]
    return [
        *commands,
        (f"monitor alerts contacted {alert} {by}", "已联系投诉人 the complainant has been contacted"),
        (
            f'monitor alerts note {alert} "…" {by}',
            "记下对客户说了什么、做了什么 what the customer was told, what was done",
        ),
        (
            f"monitor alerts show {alert}",
            f"处置清单；完成一步 the checklist; a step done: monitor alerts tick {alert} N {by}",
        ),
    ]


def terminal_lines(msg: AlertMessage) -> list[str]:
    """The commands as the text body shows them (none when the message has links)."""
    commands = [f"  {command}" + (f"   # {why}" if why else "") for command, why in terminal_commands(msg)]
    return ["", f"{TERMINAL_NOTE}:", *commands] if commands else []


def terminal_html(msg: AlertMessage) -> list[str]:
    """The commands as the HTML body shows them: one paragraph (none when the message has links)."""
    commands = terminal_commands(msg)
    if not commands:
        return []
    shown = "<br>".join(
        f"<code>{escape(command)}</code>" + (f" — {escape(why)}" if why else "") for command, why in commands
    )
    return [f'<p style="margin:0 0 12px">{escape(TERMINAL_NOTE)}:<br>{shown}</p>']
