"""Discuz! X3.5's own formatting helpers, re-done in Python for the demo forum's pages.

``cutstr`` (subject and quote cutting), ``dgmdate(..., 'u')`` (relative dates) and ``multi()``
(the ``div.pg`` pager) on a UTF-8 site with ``timeoffset=8`` and ``dateformat=Y-n-j``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from html import escape

SITE_TZ = timezone(timedelta(hours=8))
POSTS_PER_PAGE = 10
THREADS_PER_PAGE = 20


def discuz_cut(text: str, length: int, dot: str = " ...") -> str:
    """Discuz's ``cutstr`` on a UTF-8 site: text longer than ``length`` bytes (as stored, HTML-escaped)
    is cut where CJK characters counting 2 and ASCII 1 reach ``length``, and ends in ``dot``."""
    stored = len(text.encode()) + sum(len(escape(char)) - 1 for char in text if char in '&"<>')
    if stored <= length:
        return text
    count = 0
    for index, char in enumerate(text):
        count += 1 if ord(char) < 128 else 2
        if count >= length:
            return text[: index + (count == length)] + dot
    return text + dot


def php_date(moment: datetime, fmt: str) -> str:
    """PHP ``date()`` for the letters Discuz uses here (Y n j m d H i s), on the site clock."""
    local = moment.astimezone(SITE_TZ)
    fields = {
        "Y": f"{local.year}", "n": f"{local.month}", "j": f"{local.day}", "m": f"{local.month:02}",
        "d": f"{local.day:02}", "H": f"{local.hour:02}", "i": f"{local.minute:02}", "s": f"{local.second:02}",
    }  # fmt: skip
    return "".join(fields.get(char, char) for char in fmt)


def dgmdate(moment: datetime, now: datetime, uformat: str) -> str:
    """Discuz's ``dgmdate($t, 'u', 9999, uformat)``: 'N&nbsp;分钟前', '半小时前', '昨天&nbsp;HH:MM',
    'N&nbsp;天前' (wrapped in ``<span title="uformat">``) or the absolute ``uformat`` text."""
    stamp, clock = int(moment.timestamp()), int(now.timestamp())
    absolute = php_date(moment, uformat)
    local_now = datetime.fromtimestamp(clock, UTC).astimezone(SITE_TZ)
    today = int(local_now.replace(hour=0, minute=0, second=0).timestamp())
    age = clock - stamp
    if stamp >= today:
        if age > 3600:
            text = f"{age // 3600}&nbsp;小时前"
        elif age > 1800:
            text = "半小时前"
        elif age > 60:
            text = f"{age // 60}&nbsp;分钟前"
        elif age > 0:
            text = f"{age}&nbsp;秒前"
        elif age == 0:
            text = "刚刚"
        else:
            return absolute
        return f'<span title="{absolute}">{text}</span>'
    days = (today - stamp) // 86400
    if days < 7:
        words = {0: "昨天&nbsp;" + php_date(moment, "H:i"), 1: "前天&nbsp;" + php_date(moment, "H:i")}
        return f'<span title="{absolute}">{words.get(days, f"{days + 1}&nbsp;天前")}</span>'
    return absolute


def multi(pages: int, current: int, href: Callable[[int], str], jump: str) -> str:
    """Discuz's ``multi()`` pager (10-page window) as ``<div class="pg">``; '' for one page."""
    if pages <= 1:
        return ""
    window = max(1, 10 - (len(str(current)) - 1))
    offset = window // 2
    if window > pages:
        first, last = 1, pages
    else:
        first, last = current - offset, current - offset + window - 1
        if first < 1:
            first, last = 1, max(current + 1 - first, window)
        elif last > pages:
            first, last = pages - window + 1, pages
    parts = []
    if current - offset > 1 and pages > window:
        parts.append(f'<a href="{href(1)}" class="first">1 ...</a>')
    if current > 1:
        parts.append(f'<a href="{href(current - 1)}" class="prev">&nbsp;&nbsp;</a>')
    for number in range(first, last + 1):
        link = f'<a href="{href(number)}">{number}</a>'
        parts.append(f"<strong>{number}</strong>" if number == current else link)
    if last < pages:
        parts.append(f'<a href="{href(pages)}" class="last">... {pages}</a>')
    parts.append(
        '<label><input type="text" name="custompage" class="px" size="2" title="输入页码，按回车快速跳转" '
        f'value="{current}" onkeydown="if(event.keyCode==13) {{window.location=\'{jump}\'+this.value;; '
        f'doane(event);}}" /><span title="共 {pages} 页"> / {pages} 页</span></label>'
    )
    if current < pages:
        parts.append(f'<a href="{href(current + 1)}" class="nxt">下一页</a>')
    return '<div class="pg">' + "".join(parts) + "</div>"
