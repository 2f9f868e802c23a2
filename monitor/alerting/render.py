"""Render an :class:`AlertMessage` as an email subject, a plain-text body and an HTML body.

Everything that came from a forum is untrusted. In HTML every string is escaped with
:func:`html.escape` and only http/https URLs become links (:func:`safe_href`); in plain
text control characters, bidi controls and zero-width characters are stripped
(:func:`~monitor.display_text.clean_text`, in the HTML too) so a thread title can neither drive a
terminal nor reorder or hide the words around it. Times are stored in UTC and shown in the
message's time zone.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from html import escape
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.alerting import labels
from monitor.alerting.acting import terminal_html, terminal_lines
from monitor.alerting.email_html import email_head
from monitor.alerting.links_note import links_note
from monitor.alerting.message import AlertMessage, ChecklistLine, Recipient
from monitor.detect.severity import Severity
from monitor.display_text import clean_text as clean_text  # re-exported: display code imports it here

logger = logging.getLogger(__name__)

SUBJECT_TITLE_CHARS = 40
TITLE_CHARS = 300
"""A thread title longer than this (a forum allows ~80; a hostile page anything) is cut where shown."""
EXCERPT_CHARS = 600  # the message carries the opening words; a longer one is cut here

_SEVERITY_COLOURS = {Severity.GENERAL: "#2f6690", Severity.URGENT: "#b45309", Severity.VERY_URGENT: "#b91c1c"}


def shorten(text: str, limit: int = TITLE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with "…"."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_href(url: str) -> str | None:
    """The URL if it may be used as a link (absolute http or https), else None."""
    if not url or any(char.isspace() or unicodedata.category(char) == "Cc" for char in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


def severity_label(severity: Severity) -> str:
    """``非常紧迫 very urgent``: the Chinese tier name and its English name."""
    return f"{severity.label_zh} {severity.value.replace('_', ' ')}"


def local_time(moment: datetime, timezone: str) -> str:
    """``2026-11-23 21:07 (Asia/Shanghai)``; a naive time is taken to be UTC."""
    shown, name = _to_zone(moment, timezone)
    return f"{shown:%Y-%m-%d %H:%M} ({name})"


def render_subject(msg: AlertMessage) -> str:
    """``[非常紧迫 very urgent] <title, at most ~40 chars> — <board> · <source>``."""
    title = shorten(clean_text(msg.thread_title) or labels.UNTITLED, SUBJECT_TITLE_CHARS)
    tag = severity_label(msg.severity)
    if msg.escalated_from is not None:
        tag = f"升级 escalated → {tag}"
    if msg.notice_tag:
        tag = f"{clean_text(msg.notice_tag)} · {tag}"
    board = shorten(clean_text(msg.board_name), 24)  # the forum names its boards, however long
    where = " · ".join(part for part in (board, clean_text(msg.source_name)) if part)
    return f"[{tag}] {title} — {where}" if where else f"[{tag}] {title}"


def render_text(msg: AlertMessage) -> str:
    """The plain-text body: every untrusted string passed through :func:`clean_text`."""
    tz = msg.timezone
    lines: list[str] = []
    if msg.escalated_from is not None:
        lines += [_escalation_line(msg.escalated_from, msg.severity), ""]
    if msg.notice:
        lines += [clean_text(msg.notice), ""]
    lines.append(f"[{severity_label(msg.severity)}] {labels.alert_number(msg.alert_id)}")
    link = clean_text(msg.thread_url)
    if safe_href(msg.thread_url) is None:
        link += f" {labels.NOT_A_WEB_LINK}"
    rows = [
        (labels.THREAD, clean_text(msg.thread_title)),
        (labels.LINK, link),
        (labels.BOARD, _board(msg)),
        (labels.WATCH_GROUPS, _joined(msg.watch_groups)),
        (labels.ALSO_ON, _joined(msg.also_on)),
    ]
    lines += _text_rows(rows)
    if msg.actions:
        lines += ["", f"{_links_note(msg)}:"]
        lines += [f"  {action.label}: {action.url}" for action in msg.actions]
    lines += terminal_lines(msg)
    for heading, items in ((labels.WHY_IT_FIRED, msg.figures), (labels.SIGNALS, msg.signals)):
        cleaned = [clean_text(item) for item in items if clean_text(item)]
        if cleaned:
            lines += ["", f"{heading}:"] + [f"  - {item}" for item in cleaned]
    excerpt = _excerpt(msg)
    if excerpt:
        lines += ["", f"{labels.EXCERPT}:"] + [f"  | {line}" for line in excerpt.split("\n")]
    lines.append("")
    lines += _text_rows(
        [
            (labels.SPOKESPERSON, _person(msg.spokesperson)),
            (labels.BACKUP, _person(msg.backup) if msg.backup else labels.NONE),
            first_contact_row(msg),
            (labels.OPENED, local_time(msg.opened_at, tz)),
        ]
    )
    lines += ["", _one_voice(msg)]
    if msg.checklist:
        _, zone = _to_zone(msg.opened_at, tz)
        lines += ["", f"{labels.CHECKLIST} — {clean_text(msg.playbook_name)}（{labels.times_in(zone)}）:"]
        for item in msg.checklist:
            mark = "[x]" if item.done else "[ ]"
            lines.append(f"  {mark} {_due(item, tz):<16}  {clean_text(item.title)}")
    return "\n".join(lines) + "\n"


def render_html(msg: AlertMessage) -> str:
    """The HTML body: every string escaped; the thread linked only if it is http/https."""
    tz = msg.timezone
    colour = _SEVERITY_COLOURS[msg.severity]
    parts: list[str] = [email_head(clean_text(render_subject(msg)))]
    if msg.escalated_from is not None:
        parts.append(
            f'<p style="background:{colour};color:#fff;padding:8px 12px;font-weight:bold;margin:0 0 12px">'
            f"{_h(_escalation_line(msg.escalated_from, msg.severity))}</p>"
        )
    if msg.notice:
        parts.append(
            '<p style="border-left:4px solid #b7791f;padding:8px 12px;font-weight:bold;margin:0 0 12px">'
            f"{_h(clean_text(msg.notice))}</p>"
        )
    parts.append(
        f'<p style="margin:0"><span style="background:{colour};color:#fff;padding:2px 8px;'
        f'border-radius:3px;font-weight:bold">{_h(severity_label(msg.severity))}</span> '
        f"{labels.alert_number(msg.alert_id)}</p>"
    )
    href = safe_href(msg.thread_url)
    title = _h(msg.thread_title) or labels.UNTITLED
    if href is not None:
        title = f'<a href="{escape(href, quote=True)}" style="color:{colour}">{title}</a>'
    parts.append(f'<h1 style="font-size:20px;margin:8px 0 12px">{title}</h1>')
    if msg.actions:
        parts.append(_html_actions(msg, colour))
    parts += terminal_html(msg)
    link = _h(msg.thread_url) if href is None else f'<a href="{escape(href, quote=True)}">{_h(href)}</a>'
    if href is None:
        link += f" {labels.NOT_A_WEB_LINK}"
    parts.append(
        _html_table(
            [
                (labels.LINK, link),
                (labels.BOARD, _h(_board(msg))),
                (labels.WATCH_GROUPS, _h(_joined(msg.watch_groups))),
                (labels.ALSO_ON, _h(_joined(msg.also_on))),
                (labels.SPOKESPERSON, _h(_person(msg.spokesperson))),
                (labels.BACKUP, _h(_person(msg.backup) if msg.backup else labels.NONE)),
                _first_contact_html(msg),
                (labels.OPENED, _h(local_time(msg.opened_at, tz))),
            ]
        )
    )
    for heading, items in ((labels.WHY_IT_FIRED, msg.figures), (labels.SIGNALS, msg.signals)):
        cleaned = [_h(item) for item in items if clean_text(item)]
        if cleaned:
            parts.append(f'<h2 style="font-size:16px">{heading}</h2><ul>')
            parts += [f"<li>{item}</li>" for item in cleaned]
            parts.append("</ul>")
    excerpt = _excerpt(msg)
    if excerpt:
        body = "<br>".join(escape(line) for line in excerpt.split("\n"))
        parts.append(
            '<blockquote style="border-left:4px solid #cbd2d9;margin:12px 0;padding:4px 12px;'
            f'color:#52606d">{body}</blockquote>'
        )
    parts.append(
        '<p style="background:#fff4e5;border:1px solid #f0b429;padding:8px 12px">'
        f"<strong>{_h(_one_voice(msg))}</strong></p>"
    )
    if msg.checklist:
        _, zone = _to_zone(msg.opened_at, tz)
        parts.append(
            f'<h2 style="font-size:16px">{labels.CHECKLIST} — {_h(msg.playbook_name)} '
            f'<span style="font-weight:normal;color:#52606d">（{_h(labels.times_in(zone))}）</span></h2>'
        )
        rows = [
            f'<tr><td style="padding:2px 8px 2px 0">{"☑" if item.done else "☐"}</td>'
            f'<td style="padding:2px 12px 2px 0;white-space:nowrap">{_h(_due(item, tz))}</td>'
            f"<td>{_h(item.title)}</td></tr>"
            for item in msg.checklist
        ]
        parts.append('<table style="border-collapse:collapse">' + "".join(rows) + "</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _links_note(msg: AlertMessage) -> str:
    """What the links are and do (:func:`links_note`), with the names and the time made safe."""
    until = local_time(min(action.expires_at for action in msg.actions), msg.timezone)
    who = clean_text(msg.actions_for) or "收件人 the recipient"
    owner = clean_text(msg.spokesperson.name) or "发言人 the spokesperson"
    return links_note(msg, who, owner, until)


def _html_actions(msg: AlertMessage, colour: str) -> str:
    """The action links as buttons: the first filled, the others outlined."""
    shape = "display:inline-block;margin:0 8px 8px 0;padding:8px 14px;border-radius:4px;text-decoration:none"
    filled = f"{shape};font-weight:bold;background:{colour};color:#fff;border:1px solid {colour}"
    outlined = f"{shape};color:{colour};border:1px solid {colour}"
    buttons = [
        f'<a href="{escape(action.url, quote=True)}" style="{filled if i == 0 else outlined}">'
        f"{_h(action.label)}</a>"
        for i, action in enumerate(msg.actions)
    ]
    return (
        '<p style="margin:0 0 4px">' + "".join(buttons) + "</p>"
        f'<p style="margin:0 0 12px;color:#52606d;font-size:12px">{_h(_links_note(msg))}</p>'
    )


def _h(text: str) -> str:
    return escape(clean_text(text), quote=True)


def _html_table(rows: Iterable[tuple[str, str]]) -> str:
    cells = "".join(
        f'<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0;vertical-align:top;'
        f'color:#52606d">{label}</th><td>{value}</td></tr>'
        for label, value in rows
        if value
    )
    return f'<table style="border-collapse:collapse">{cells}</table>'


def _text_rows(rows: Iterable[tuple[str, str]]) -> list[str]:
    return [labels.text_row(label, value) for label, value in rows if value]


def _escalation_line(old: Severity, new: Severity) -> str:
    return (
        f"升级：由 {severity_label(old)} 升为 {severity_label(new)} "
        f"Escalated from {severity_label(old)} to {severity_label(new)}"
    )


def _one_voice(msg: AlertMessage) -> str:
    name = clean_text(msg.spokesperson.name) or "发言人 the spokesperson"
    return f"{labels.ONE_VOICE}: {labels.one_voice_rule(name)}"


def first_contact_row(msg: AlertMessage) -> tuple[str, str]:
    """When the first contact is due, or, made already, when it was."""
    tz = msg.timezone
    if msg.contacted_at is not None:
        return labels.CONTACTED, f"{local_time(msg.contacted_at, tz)} — {labels.WAS_CONTACTED}"
    return labels.RESPOND_BY, f"{local_time(msg.respond_by, tz)}{_sla_note(msg.severity)}"


def _first_contact_html(msg: AlertMessage) -> tuple[str, str]:
    if msg.contacted_at is not None:
        return first_contact_row(msg)[0], _h(first_contact_row(msg)[1])
    due = f"<strong>{_h(local_time(msg.respond_by, msg.timezone))}</strong>"
    return labels.RESPOND_BY, due + escape(_sla_note(msg.severity))


def _sla_note(severity: Severity) -> str:
    return f" — {labels.first_contact_within(_hours(severity.first_contact))}"


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} h"


def _board(msg: AlertMessage) -> str:
    board, source = clean_text(msg.board_name), clean_text(msg.source_name)
    if board and source:
        return f"{board} ({source})"
    return board or source


def _excerpt(msg: AlertMessage) -> str:
    excerpt = clean_text(msg.excerpt, multiline=True)
    return excerpt if len(excerpt) <= EXCERPT_CHARS else excerpt[: EXCERPT_CHARS - 1].rstrip() + "…"


def _joined(items: Iterable[str]) -> str:
    return ", ".join(cleaned for cleaned in (clean_text(item) for item in items) if cleaned)


def _person(person: Recipient | None) -> str:
    if person is None:
        return ""
    name = clean_text(person.name) or clean_text(person.key)
    return f"{name} <{clean_text(person.email)}>" if person.email else name


def _due(item: ChecklistLine, timezone: str) -> str:
    if item.due_at is None:
        return "—"
    shown, _ = _to_zone(item.due_at, timezone)
    return f"{shown:%Y-%m-%d %H:%M}"


def _to_zone(moment: datetime, timezone: str) -> tuple[datetime, str]:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone, name = _zone(timezone)
    return moment.astimezone(zone), name


@lru_cache(maxsize=32)
def _zone(name: str) -> tuple[tzinfo, str]:
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r, showing times in UTC", name)
        return UTC, "UTC"
