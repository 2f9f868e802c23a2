"""Discuz! printable view (``forum.php?mod=viewthread&action=printable&tid=T``): a whole thread,
every post, on one light page.

Layout: ``<h1>`` site name, ``<b>标题: </b>`` thread title, then per post, each after an
``<hr noshade … color="#808080">``: ``<b>作者: </b>NAME&nbsp; &nbsp; <b>时间: </b>DATE<br />``,
for a post with a subject ``<b>标题: </b>SUBJECT<br />``, then the message (the same markup
as on the thread page: quotes in ``div.quote > blockquote``). A last ``<hr … #CDCDCD>`` opens
the footer.

What the format lacks: post ids (each post gets the stand-in ``#<floor>`` and ``"post_id"``
in ``missing``), author uids, seconds (dates are to the minute), the board id and the view
count. Floors count the posts shown; ``replies`` is their number less one, given only when
the page arrived whole (the footer is there). The labels are matched by shape, not by their
words, so the traditional-Chinese language pack reads the same.
"""

from __future__ import annotations

import base64
import binascii
import html as htmllib
import re
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from monitor.errors import ParseError
from monitor.sources import discuz_common as common
from monitor.sources.base import PostRecord, ThreadPage
from monitor.sources.discuz_text import post_text
from monitor.sources.markup import parse_fragment, parse_html, squeeze
from monitor.sources.timeparse import parse_forum_time

MISSING = frozenset({"post_id"})
# Bounded attribute runs: no quadratic backtracking on a page full of "<hr" without ">".
_SEPARATOR = re.compile(r"<hr\b[^>]{0,200}?\bnoshade\b[^>]{0,200}>", re.IGNORECASE)
_LABEL = r"<b>[^<>]{1,12}?[:：]\s*</b>"
_LABEL_AT = re.compile(rf"\s*{_LABEL}", re.IGNORECASE)
_NEXT_LABEL = re.compile(_LABEL, re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TITLE = re.compile(rf"</h1>\s*{_LABEL}(?P<title>.*?)<(?:b|br)\b", re.DOTALL | re.IGNORECASE)
_PAGE_TITLE = re.compile(r"<title>([^<]{0,500})</title>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPAN_TITLE = re.compile(r"""\btitle\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_REPORT_URL = re.compile(r"REPORTURL\s*=\s*'([A-Za-z0-9+/=]+)'")


def parse_printable(page: str, url: str, now: datetime, tz: ZoneInfo) -> ThreadPage:
    if 'id="messagetext"' in page:
        common.refuse_notice(parse_html(page, url), url)
    chunks = _SEPARATOR.split(page)
    if len(chunks) < 2:
        raise ParseError(url, "not a Discuz printable page: no <hr noshade> separators")
    header, footer, bodies = chunks[0], chunks[-1], chunks[1:-1]
    whole = "Powered by" in footer or "</html>" in footer.lower()
    posts = [_post(body, floor, url, now, tz) for floor, body in enumerate(bodies, start=1)]
    if not posts:
        raise ParseError(url, "no complete post on the printable page")
    thread_id = common.match(common.TID, url) or _reported_tid(header)
    if thread_id is None:
        raise ParseError(url, "thread id not found (URL or REPORTURL)")
    return ThreadPage(
        thread_id=thread_id,
        board_id=None,
        title=_title(header, bodies[0], url),
        page=1,
        page_count=1,
        posts=posts,
        replies=len(posts) - 1 if whole else None,
        views=None,
    )


class _Head(NamedTuple):
    """The HTML pieces of one post's chunk."""

    author: str
    posted: str
    subject: str
    message: str


def _post(body: str, floor: int, url: str, now: datetime, tz: ZoneInfo) -> PostRecord:
    head = _head(body)
    if head is None:
        raise ParseError(url, f"floor {floor}: no author/time line")
    span_title = _SPAN_TITLE.search(head.posted)
    try:
        posted_at = parse_forum_time(
            _plain(head.posted), now, tz, htmllib.unescape(span_title.group(1)) if span_title else None
        )
    except ValueError as exc:
        raise ParseError(url, f"floor {floor}: {exc}") from exc
    words = post_text(parse_fragment(head.message))
    return PostRecord(
        post_id=f"#{floor}",
        floor=floor,
        author=_plain(head.author) or "匿名",
        author_id=None,
        posted_at=posted_at,
        text=words.text,
        quoted=words.quoted,
        missing=MISSING,
    )


def _head(body: str) -> _Head | None:
    """``<b>作者: </b>…<b>时间: </b>…<br />``, an optional ``<b>标题: </b>…<br />`` subject
    line, then the message. Found by successive searches: linear in the chunk's length."""
    author_label = _LABEL_AT.match(body)
    time_label = _NEXT_LABEL.search(body, author_label.end()) if author_label else None
    line_end = _BR.search(body, time_label.end()) if time_label else None
    if author_label is None or time_label is None or line_end is None:
        return None
    subject, message_at = "", line_end.end()
    subject_label = _LABEL_AT.match(body, message_at)
    subject_end = _BR.search(body, subject_label.end()) if subject_label else None
    if subject_label is not None and subject_end is not None:
        subject, message_at = body[subject_label.end() : subject_end.start()], subject_end.end()
    return _Head(
        author=body[author_label.end() : time_label.start()],
        posted=body[time_label.end() : line_end.start()],
        subject=subject,
        message=body[message_at:],
    )


def _plain(fragment: str) -> str:
    return squeeze(htmllib.unescape(_TAG.sub(" ", fragment)))


def _title(header: str, first_post: str, url: str) -> str:
    found = _TITLE.search(header)
    if found:
        return _plain(found["title"])
    head = _head(first_post)
    if head is not None and head.subject:
        return _plain(head.subject)
    page_title = _PAGE_TITLE.search(header)
    if page_title:
        return _plain(page_title.group(1)).split(" - ")[0]
    raise ParseError(url, "thread title not found")


def _reported_tid(header: str) -> str | None:
    """The tid in the page's own URL, which Discuz embeds base64-encoded as ``REPORTURL``."""
    found = _REPORT_URL.search(header)
    if not found:
        return None
    try:
        reported = base64.b64decode(found.group(1), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
    return common.match(common.TID, reported)
