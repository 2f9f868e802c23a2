"""The lines of an alert's chat message, most important first, every word a person reads Chinese
first (the labels from :mod:`monitor.alerting.labels`), forum text escaped for the dialect.

A line marked :class:`Kept` — the first line, the thread's title, respond-by, spokesperson and the
one-voice rule — stays when a message is cut to its service's limit
(:func:`monitor.alerting.channels.markdown.fit`): whoever reads a cut message still knows by when
to reach the complainant, who speaks and that nobody else does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.alerting import labels
from monitor.alerting.acting import TERMINAL_NOTE, terminal_commands
from monitor.alerting.channels.chat_markup import Dialect, cap, escape, link
from monitor.alerting.message import AlertMessage, ChecklistLine, Recipient
from monitor.alerting.render import clean_text, local_time, severity_label
from monitor.detect.severity import Severity

TITLE_CHARS = 120
PREVIEW_TITLE_CHARS = 30  # the title in WeCom's first line, what a phone's notification shows
FIELD_CHARS = 160  # one reason, signal or checklist step
NAME_CHARS = 60
EXCERPT_CHARS = 160
NOTICE_CHARS = 900  # a notice of messages given up names up to three, with each channel's words
READ_ONLY = (
    " — 抄送，仅供阅读：链接只打开告警，没有操作按钮 "
    "a copy for information: it opens the alert to read, with no button to act"
)
LIST_ITEMS = 6
CHECKLIST_ITEMS = 5
NO_WEB_LINK = f"{labels.LINK}: （不是 http/https 链接，见邮件 not an http/https link — see the email）"

_WECOM_COLOURS = {Severity.GENERAL: "comment", Severity.URGENT: "warning", Severity.VERY_URGENT: "warning"}
_COMMAND = re.compile(r"`(monitor [A-Za-z0-9 ._+-]+)`")  # a command we wrote: no markup character in it


class Kept(str):
    """A line a message cut to its service's limit keeps."""

    __slots__ = ()


def tag(msg: AlertMessage) -> str:
    """``提醒 reminder · 非常紧迫 very urgent``: what kind of message, then the tier (as in the subject)."""
    tier = severity_label(msg.severity)
    if msg.escalated_from is not None:
        tier = f"升级 escalated → {tier}"
    kind = cap(clean_text(msg.notice_tag), NAME_CHARS)
    return f"{kind} · {tier}" if kind else tier


def chat_lines(msg: AlertMessage, dialect: Dialect, *, checklist_items: int = CHECKLIST_ITEMS) -> list[str]:
    """The message's lines, most important first; the ones a cut keeps are :class:`Kept`."""
    slack = dialect.name == "slack"
    bullet = "• " if slack else "- "

    def bold(text: str) -> str:
        return f"*{text}*" if slack else f"**{text}**"

    def field(text: str, limit: int = FIELD_CHARS) -> str:
        return escape(cap(clean_text(text), limit), dialect)

    lines: list[str] = [Kept(_head(msg, dialect, bold))]
    if clean_text(msg.notice):  # why this message comes now: a reminder, the backup's turn, a copy …
        lines.append(_notice(msg.notice, dialect))
    lines.append(Kept(bold(field(msg.thread_title, TITLE_CHARS) or labels.UNTITLED)))
    lines.append(link("打开帖子 Open the thread", msg.thread_url, dialect) or NO_WEB_LINK)
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
        contacted = local_time(msg.contacted_at, msg.timezone)
        lines.append(Kept(f"{labels.CONTACTED} {contacted}: {labels.WAS_CONTACTED}"))
    else:
        due = bold(f"{labels.RESPOND_BY} {local_time(msg.respond_by, msg.timezone)}")
        lines.append(Kept(f"{due} — {labels.first_contact_within(hours)}"))
    spokesperson = _name(msg.spokesperson, dialect) or "（未命名 unnamed）"
    backup = f" · {labels.BACKUP} {_name(msg.backup, dialect)}" if msg.backup is not None else ""
    lines.append(Kept(f"{labels.SPOKESPERSON}: {spokesperson}{backup}"))
    lines.append(Kept(f"{bold(labels.ONE_VOICE + ':')} {labels.one_voice_rule(spokesperson)}"))
    for heading, items in ((labels.WHY_IT_FIRED, msg.figures), (labels.SIGNALS, msg.signals)):
        shown = [field(item) for item in items if clean_text(item)]
        if shown:
            lines.append(bold(heading))
            lines += [bullet + item for item in shown[:LIST_ITEMS]]
            if len(shown) > LIST_ITEMS:
                lines.append(f"{bullet}… {labels.more(len(shown) - LIST_ITEMS)}")
    groups = [field(group, NAME_CHARS) for group in msg.watch_groups[:LIST_ITEMS] if clean_text(group)]
    if groups:
        lines.append(f"{labels.WATCH_GROUPS}: {', '.join(groups)}")
    lines += _checklist(msg, dialect, checklist_items, bold, bullet)
    excerpt = field(msg.excerpt, EXCERPT_CHARS)
    if excerpt:
        lines.append(f"> {excerpt}")
    return lines


def _head(msg: AlertMessage, dialect: Dialect, bold: Callable[[str], str]) -> str:
    """The first line, what a notification preview shows: tier, kind, alert number; in WeCom, whose
    preview is this line alone, kind and tier as the subject says them, then the thread's title."""
    number = labels.alert_number(msg.alert_id)
    escalated = f" · 升级 escalated from {severity_label(msg.escalated_from)}" if msg.escalated_from else ""
    if dialect.name == "wecom":
        title = escape(cap(clean_text(msg.thread_title), PREVIEW_TITLE_CHARS), dialect) or labels.UNTITLED
        head = bold(f"【{escape(tag(msg), dialect)}】{title}")
        return f'<font color="{_WECOM_COLOURS[msg.severity]}">{head}</font> · {number}{escalated}'
    kind = escape(cap(clean_text(msg.notice_tag), NAME_CHARS), dialect)
    return bold(f"【{severity_label(msg.severity)}】" + (f"{kind} · " if kind else "") + number) + escalated


def _checklist(
    msg: AlertMessage, dialect: Dialect, count: int, bold: Callable[[str], str], bullet: str
) -> list[str]:
    if not msg.checklist or count <= 0:
        return []
    zone = _zone_name(msg.timezone)
    shown = msg.checklist[:count]
    playbook = escape(cap(clean_text(msg.playbook_name), NAME_CHARS), dialect)
    total = len(msg.checklist)
    of = f"前 {len(shown)} 项，共 {total} 项 first {len(shown)} of {total}；" if len(shown) < total else ""
    lines = [f"{bold(labels.CHECKLIST)} — {playbook}（{of}{labels.times_in(zone)}）"]
    for item in shown:
        mark = "☑" if item.done else "☐"
        step = escape(cap(clean_text(item.title), FIELD_CHARS), dialect)
        lines.append(f"{bullet}{mark} {_due(item, msg.timezone)}  {step}")
    if total > len(shown):
        lines.append(f"{bullet}… {labels.more(total - len(shown), '步，见邮件', 'more steps in the email')}")
    return lines


def _notice(text: str, dialect: Dialect) -> str:
    """The notice escaped like forum text, except a `monitor …` command it quotes: that stays a code
    span, so the ``_`` of a key (``--to wang_qiang``) is still the character the terminal needs."""
    notice = cap(clean_text(text), NOTICE_CHARS)
    parts = _COMMAND.split(notice)  # odd indexes: the commands
    return "".join(f"`{part}`" if index % 2 else escape(part, dialect) for index, part in enumerate(parts))


def _copy_note(msg: AlertMessage, dialect: Dialect) -> str:
    """After a copy's links: read-only, or (the owner's backup) theirs to act on as the backup."""
    if not msg.for_information:
        return ""
    if msg.as_backup:
        owner = _name(msg.spokesperson, dialect)
        return (
            f" — 抄送；作为 {owner} 的备岗，你可以处理此告警 "
            f"a copy for information; as {owner}'s backup you can act on it"
        )
    return READ_ONLY


def _name(person: Recipient | None, dialect: Dialect) -> str:
    if person is None:
        return ""
    return escape(cap(clean_text(person.name) or clean_text(person.key), NAME_CHARS), dialect)


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
