"""An alert as a short chat message: markdown for WeCom, DingTalk and Feishu, mrkdwn for Slack.

What it says, in this order (:mod:`~monitor.alerting.channels.chat_body`; a message that is too
long loses lines from the end, but keeps its first line, the thread's title, respond-by,
spokesperson and the one-voice rule): severity, the kind of message (``提醒 reminder`` …) and
alert number (in WeCom, whose notification shows the first line alone, kind, tier and the thread's
title), why it comes now (a reminder, the backup's turn, a copy …), thread title, a link to the thread, board,
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
section) drops whole lines from the end and says so. Dialects, escaping and links are in
:mod:`~monitor.alerting.channels.chat_markup`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from monitor.alerting.channels.chat_body import (
    CHECKLIST_ITEMS,
    NAME_CHARS,
    TITLE_CHARS,
    Kept,
    chat_lines,
    tag,
)
from monitor.alerting.channels.chat_markup import (
    DINGTALK,
    FEISHU,
    SLACK,
    WECOM,
    Dialect,
    cap,
    defuse_mentions,
    escape,
    link,
)
from monitor.alerting.channels.cutting import measure, truncate
from monitor.alerting.labels import UNTITLED
from monitor.alerting.message import AlertMessage
from monitor.alerting.render import clean_text, render_subject

TRUNCATED = "…（已截断 truncated — the email has the whole alert）"


def chat_title(msg: AlertMessage, max_chars: int = 150) -> str:
    """``[非常紧迫 very urgent] <title> — <board> · <source>`` as plain text, mentions defused."""
    return cap(defuse_mentions(render_subject(msg)), max_chars)


def notification(msg: AlertMessage, dialect: Dialect, max_chars: int = 300) -> str:
    """One line for a notification preview: ``【非常紧迫 very urgent】 <title> — <board> · <source>``."""
    where = " · ".join(part for part in (clean_text(msg.board_name), clean_text(msg.source_name)) if part)
    title = cap(clean_text(msg.thread_title) or UNTITLED, TITLE_CHARS)
    text = f"【{tag(msg)}】 {escape(title, dialect)}" + (
        f" — {escape(cap(where, NAME_CHARS * 2), dialect)}" if where else ""
    )
    return truncate(text, max_chars, unit="chars")


def render_chat(msg: AlertMessage, dialect: Dialect, *, checklist_items: int = CHECKLIST_ITEMS) -> str:
    """The alert as one message in ``dialect``, within the service's length limit."""
    return fit(chat_lines(msg, dialect, checklist_items=checklist_items), dialect)


def shorter(msg: AlertMessage, dialect: Dialect) -> Dialect:
    """``dialect`` with half the room the message took (at most half its limit): for the one retry
    after a service refused the content, so the bytes sent again are never the bytes refused."""
    used = measure(render_chat(msg, dialect), dialect.unit)
    return replace(dialect, limit=min(dialect.limit, used) // 2)


def fit(lines: Sequence[str], dialect: Dialect) -> str:
    """Join ``lines``; if that is over the limit, drop lines from the end — first those that are not
    :class:`~monitor.alerting.channels.chat_body.Kept`, then any — and add a truncation note."""
    text = dialect.line_break.join(lines)
    if measure(text, dialect.unit) <= dialect.limit:
        return text
    kept = list(lines)

    def fits() -> str | None:
        candidate = dialect.line_break.join([*kept, TRUNCATED])
        return candidate if measure(candidate, dialect.unit) <= dialect.limit else None

    for index in reversed(range(1, len(kept))):
        if not isinstance(kept[index], Kept):
            del kept[index]
            if (candidate := fits()) is not None:
                return candidate
    while len(kept) > 1:
        kept.pop()
        if (candidate := fits()) is not None:
            return candidate
    return truncate(lines[0] if lines else "", dialect.limit, unit=dialect.unit)


__all__ = [
    "DINGTALK",
    "FEISHU",
    "SLACK",
    "TRUNCATED",
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
