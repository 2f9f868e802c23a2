"""An alert as a short chat message: markdown for WeCom, DingTalk and Feishu, mrkdwn for Slack.

What it says, in this order (a message that is too long loses lines from the end, so the most
important come first): severity, the kind of message (``提醒 reminder`` …) and alert number, why
it comes now (a reminder, the backup's turn, a copy …), thread title, a link to the thread, board,
respond-by time in the alert's time zone, spokesperson and backup, the one-voice rule, why it
fired, crisis signals, watch groups, the first few checklist items, and a short excerpt. When
``web.base_url`` is set, the signed action links (acknowledge, mark contacted, open the alert)
follow the thread's link; a copy for information has only the last, marked read-only — but a
copy to the owner's backup has the backup's links, marked as theirs to act on as the backup.

Forum text is untrusted, and chat markdown has no reliable escape character (WeCom and DingTalk
document none). So, after :func:`~monitor.alerting.render.clean_text` strips control characters,
every character that could start markup is replaced by its full-width twin, which reads the same
to a person and means nothing to the parser::

    \\ ` * _ ~ [ ] < > # @ & |   →   ＼ ｀ ＊ ＿ ～ ［ ］ ＜ ＞ ＃ ＠ ＆ ｜

No link (``](javascript:…)``), HTML or ``<font>`` tag, ``<at id=all>`` / ``<@userid>`` mention or
``@all`` can come from a forum. Slack gets its three documented escapes (``& < >`` → ``&amp; &lt;
&gt;``, so no ``<!channel>``) and the full-width twins of ``` ` * _ ~ @ [ ] ```. Each field is cut to a
fixed length before it is escaped, so a cut never splits an escape; a message over the service's
limit (WeCom 4096 bytes, DingTalk 20000 bytes, Feishu 16000 bytes, Slack 3000 characters per
section) drops whole lines from the end and says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, tzinfo
from typing import Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.alerting import labels
from monitor.alerting.acting import TERMINAL_NOTE, terminal_commands
from monitor.alerting.channels.cutting import measure, truncate
from monitor.alerting.message import AlertMessage, ChecklistLine, Recipient
from monitor.alerting.render import clean_text, local_time, render_subject, safe_href, severity_label
from monitor.detect.severity import Severity


@dataclass(frozen=True)
class Dialect:
    """How one service writes markup and how long a message may be."""

    name: Literal["wecom", "dingtalk", "feishu", "slack"]
    limit: int
    unit: Literal["bytes", "chars"]  # UTF-8 bytes, or characters as Slack counts them
    line_break: str = "\n"


WECOM = Dialect("wecom", 4096, "bytes")
DINGTALK = Dialect("dingtalk", 20000, "bytes", line_break="\n\n")  # DingTalk joins single newlines
FEISHU = Dialect("feishu", 16000, "bytes")  # the whole request must stay under 20 KB
SLACK = Dialect("slack", 3000, "chars")  # a section block's text

TITLE_CHARS = 120
FIELD_CHARS = 160  # one reason, signal or checklist step
NAME_CHARS = 60
EXCERPT_CHARS = 160
NOTICE_CHARS = 240
READ_ONLY = " — 抄送 a copy for information: it opens the alert to read, with no button to act"
LIST_ITEMS = 6
CHECKLIST_ITEMS = 5
TRUNCATED = "…（已截断 truncated — the email has the whole alert）"

_MARKDOWN_TWINS = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "~": "～",
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "#": "＃",
        "@": "＠",
        "&": "＆",
        "|": "｜",
    }
)
_SLACK_TWINS = str.maketrans({"`": "｀", "*": "＊", "_": "＿", "~": "～", "@": "＠", "[": "［", "]": "］"})
# Kept as is in a link target; ( ) [ ] < > | ' " \ ` { } spaces and non-ASCII are %-encoded.
_URL_SAFE = "!#$%&*+,-./:;=?@_~"
_WECOM_COLOURS = {Severity.GENERAL: "comment", Severity.URGENT: "warning", Severity.VERY_URGENT: "warning"}
_COMMAND = re.compile(r"`(monitor [A-Za-z0-9 ._+-]+)`")  # a command we wrote: no markup character in it


def escape(text: str, dialect: Dialect) -> str:
    """Untrusted text made inert for ``dialect``: control characters gone, markup characters defused."""
    cleaned = clean_text(text)
    if dialect.name == "slack":
        cleaned = cleaned.translate(_SLACK_TWINS)
        return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return cleaned.translate(_MARKDOWN_TWINS)


def defuse_mentions(text: str) -> str:
    """Plain text (a card title, a notification preview) with ``@`` and ``<`` unable to mention anyone."""
    return clean_text(text).replace("@", "＠").replace("<", "＜").replace(">", "＞")


def link(label: str, url: str, dialect: Dialect) -> str | None:
    """A link to ``url`` with a label we wrote, or None when the URL is not http(s)."""
    href = safe_href(url)
    if href is None:
        return None
    target = quote(href, safe=_URL_SAFE)
    if dialect.name == "slack":
        return f"<{target.replace('&', '&amp;')}|{label}>"
    return f"[{label}]({target})"


def chat_title(msg: AlertMessage, max_chars: int = 150) -> str:
    """``[非常紧迫 very urgent] <title> — <board> · <source>`` as plain text, mentions defused."""
    return _cap(defuse_mentions(render_subject(msg)), max_chars)


def notification(msg: AlertMessage, dialect: Dialect, max_chars: int = 300) -> str:
    """One line for a notification preview: ``【非常紧迫 very urgent】 <title> — <board> · <source>``."""
    tag = _tag(msg)
    where = " · ".join(part for part in (clean_text(msg.board_name), clean_text(msg.source_name)) if part)
    title = _cap(clean_text(msg.thread_title) or "(untitled)", TITLE_CHARS)
    text = f"【{tag}】 {escape(title, dialect)}" + (
        f" — {escape(_cap(where, NAME_CHARS * 2), dialect)}" if where else ""
    )
    return truncate(text, max_chars, unit="chars")


def render_chat(msg: AlertMessage, dialect: Dialect, *, checklist_items: int = CHECKLIST_ITEMS) -> str:
    """The alert as one message in ``dialect``, within the service's length limit."""
    return fit(chat_lines(msg, dialect, checklist_items=checklist_items), dialect)


def chat_lines(msg: AlertMessage, dialect: Dialect, *, checklist_items: int = CHECKLIST_ITEMS) -> list[str]:
    """The message's lines, most important first."""
    slack = dialect.name == "slack"
    bullet = "• " if slack else "- "

    def bold(text: str) -> str:
        return f"*{text}*" if slack else f"**{text}**"

    def field(text: str, limit: int = FIELD_CHARS) -> str:
        return escape(_cap(clean_text(text), limit), dialect)

    # The first line is what a notification preview shows: tier, what kind of message, alert number.
    kind = escape(_cap(clean_text(msg.notice_tag), NAME_CHARS), dialect)
    head = f"【{severity_label(msg.severity)}】" + (f"{kind} · " if kind else "") + f"Alert #{msg.alert_id}"
    head = bold(head)
    if dialect.name == "wecom":
        head = f'<font color="{_WECOM_COLOURS[msg.severity]}">{head}</font>'
    if msg.escalated_from is not None:
        head += f" · 升级 escalated from {severity_label(msg.escalated_from)}"
    lines = [head]
    if clean_text(msg.notice):  # why this message comes now: a reminder, the backup's turn, a copy …
        lines.append(_notice(msg.notice, dialect))
    lines.append(bold(field(msg.thread_title, TITLE_CHARS) or "(untitled)"))
    lines.append(
        link("打开帖子 Open the thread", msg.thread_url, dialect)
        or f"{labels.LINK}: (not an http/https link — see the email)"
    )
    actions = [link(action.label, action.url, dialect) for action in msg.actions]
    if any(actions):
        lines.append(" · ".join(item for item in actions if item) + _copy_note(msg, dialect))
    commands = terminal_commands(msg)
    if commands:
        lines.append(f"{TERMINAL_NOTE}: " + " · ".join(f"`{command}`" for command, _ in commands))
    where = " · ".join(
        part for part in (field(msg.board_name, NAME_CHARS), field(msg.source_name, NAME_CHARS)) if part
    )
    also = [field(item, NAME_CHARS) for item in msg.also_on[:LIST_ITEMS] if clean_text(item)]
    if where or also:
        also_on = f" ({labels.ALSO_ON} {', '.join(also)})" if also else ""
        lines.append(f"{labels.BOARD}: {where or '—'}{also_on}")
    hours = f"{msg.severity.first_contact.total_seconds() / 3600:g} h"
    if msg.contacted_at is not None:
        lines.append(
            f"{labels.CONTACTED} {local_time(msg.contacted_at, msg.timezone)}: {labels.WAS_CONTACTED}"
        )
    else:
        due = bold(f"{labels.RESPOND_BY} {local_time(msg.respond_by, msg.timezone)}")
        lines.append(f"{due} — {labels.first_contact_within(hours)}")
    spokesperson = _name(msg.spokesperson, dialect) or "(unnamed)"
    backup = f" · {labels.BACKUP} {_name(msg.backup, dialect)}" if msg.backup is not None else ""
    lines.append(f"{labels.SPOKESPERSON}: {spokesperson}{backup}")
    lines.append(
        f"{bold(labels.ONE_VOICE + ':')} only {spokesperson} speaks for the company on this thread; "
        "all other staff must not comment publicly. 其他员工一律不得对外发表评论。"
    )
    for heading, items in ((labels.WHY_IT_FIRED, msg.figures), (labels.SIGNALS, msg.signals)):
        shown = [field(item) for item in items if clean_text(item)]
        if shown:
            lines.append(bold(heading))
            lines += [bullet + item for item in shown[:LIST_ITEMS]]
            if len(shown) > LIST_ITEMS:
                lines.append(f"{bullet}… {len(shown) - LIST_ITEMS} more")
    groups = [field(group, NAME_CHARS) for group in msg.watch_groups[:LIST_ITEMS] if clean_text(group)]
    if groups:
        lines.append(f"{labels.WATCH_GROUPS}: {', '.join(groups)}")
    lines += _checklist(msg, dialect, checklist_items, bold, bullet)
    excerpt = field(msg.excerpt, EXCERPT_CHARS)
    if excerpt:
        lines.append(f"> {excerpt}")
    return lines


def _checklist(
    msg: AlertMessage, dialect: Dialect, count: int, bold: Callable[[str], str], bullet: str
) -> list[str]:
    if not msg.checklist or count <= 0:
        return []
    zone = _zone_name(msg.timezone)
    shown = msg.checklist[:count]
    playbook = escape(_cap(clean_text(msg.playbook_name), NAME_CHARS), dialect)
    of = f"first {len(shown)} of {len(msg.checklist)}, " if len(shown) < len(msg.checklist) else ""
    lines = [f"{bold(labels.CHECKLIST)} — {playbook} ({of}times in {zone})"]
    for item in shown:
        mark = "☑" if item.done else "☐"
        step = escape(_cap(clean_text(item.title), FIELD_CHARS), dialect)
        lines.append(f"{bullet}{mark} {_due(item, msg.timezone)}  {step}")
    if len(msg.checklist) > len(shown):
        lines.append(f"{bullet}… {len(msg.checklist) - len(shown)} more steps in the email")
    return lines


def shorter(msg: AlertMessage, dialect: Dialect) -> Dialect:
    """``dialect`` with half the room the message took (at most half its limit): for the one retry
    after a service refused the content, so the bytes sent again are never the bytes refused."""
    used = measure(render_chat(msg, dialect), dialect.unit)
    return replace(dialect, limit=min(dialect.limit, used) // 2)


def fit(lines: Sequence[str], dialect: Dialect) -> str:
    """Join ``lines``; if that is over the limit, drop lines from the end and add a truncation note."""
    text = dialect.line_break.join(lines)
    if measure(text, dialect.unit) <= dialect.limit:
        return text
    kept = list(lines)
    while kept:
        kept.pop()
        candidate = dialect.line_break.join([*kept, TRUNCATED])
        if kept and measure(candidate, dialect.unit) <= dialect.limit:
            return candidate
    return truncate(lines[0] if lines else "", dialect.limit, unit=dialect.unit)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return truncate(text, limit, unit="chars")


def _tag(msg: AlertMessage) -> str:
    """``提醒 reminder · 非常紧迫 very urgent``: what kind of message, then the tier (as in the subject)."""
    tag = severity_label(msg.severity)
    if msg.escalated_from is not None:
        tag = f"升级 escalated → {tag}"
    kind = _cap(clean_text(msg.notice_tag), NAME_CHARS)
    return f"{kind} · {tag}" if kind else tag


def _notice(text: str, dialect: Dialect) -> str:
    """The notice escaped like forum text, except a `monitor …` command it quotes: that stays a code
    span, so the ``_`` of a key (``--to wang_qiang``) is still the character the terminal needs."""
    notice = _cap(clean_text(text), NOTICE_CHARS)
    parts = _COMMAND.split(notice)  # odd indexes: the commands
    return "".join(f"`{part}`" if index % 2 else escape(part, dialect) for index, part in enumerate(parts))


def _copy_note(msg: AlertMessage, dialect: Dialect) -> str:
    """After a copy's links: read-only, or (the owner's backup) theirs to act on as the backup."""
    if not msg.for_information:
        return ""
    if msg.as_backup:
        owner = _name(msg.spokesperson, dialect)
        return f" — 抄送 a copy for information; as {owner}'s backup you can act on it"
    return READ_ONLY


def _name(person: Recipient | None, dialect: Dialect) -> str:
    if person is None:
        return ""
    return escape(_cap(clean_text(person.name) or clean_text(person.key), NAME_CHARS), dialect)


def _due(item: ChecklistLine, timezone: str) -> str:
    if item.due_at is None:
        return "—"
    moment = item.due_at if item.due_at.tzinfo is not None else item.due_at.replace(tzinfo=UTC)
    return f"{moment.astimezone(_zone(timezone)):%m-%d %H:%M}"


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _zone_name(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


__all__ = [
    "DINGTALK",
    "FEISHU",
    "SLACK",
    "WECOM",
    "Dialect",
    "chat_lines",
    "chat_title",
    "defuse_mentions",
    "escape",
    "fit",
    "link",
    "measure",
    "notification",
    "render_chat",
    "shorter",
    "truncate",
]
