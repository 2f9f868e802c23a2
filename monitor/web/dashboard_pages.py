"""HTML for the signed-in dashboard: every alert at a glance and the digests kept (the rising threads:
:mod:`monitor.web.rising_page`; the forums: :mod:`monitor.web.forums_page`; the sign-in pages:
:mod:`monitor.web.signin_pages`).

As on the alert page (:mod:`monitor.web.pages`), every string that came from a forum or a
config file goes through :func:`~monitor.web.pages.h`, only http(s) URLs become links, and no
page carries a script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import urlencode

from monitor.alerting.render import safe_href, severity_label
from monitor.detect.severity import Severity
from monitor.detect.velocity import counted
from monitor.store.models import DigestRow
from monitor.web import words
from monitor.web.alert_list import LIMIT, VIEWS, AlertCounts, AlertRow
from monitor.web.html import column_headings
from monitor.web.pages import COLOURS, STATUS, csrf_field, h, page_html, when
from monitor.web.undelivered_html import undelivered_marker

_ALERTS_TITLE = "告警 Alerts · BBS crisis monitor"
# ``?refresh=1`` (a link on the page turns it on and off): the alert and rising-thread lists reload
# themselves, for a screen left open. Never unasked: a reload every minute moves a screen reader
# back to the top and a keyboard's focus off what it was on (WCAG 2.2.1, axe's meta-refresh).
REFRESH_SECONDS = 60
_VIEW_LABELS = {
    "active": "处理中的 Active",
    "open": "待确认 Unacknowledged",
    "acknowledged": "已确认 Acknowledged",
    "resolved": "已结案 Resolved",
    "all": "全部 All",
}


@dataclass(frozen=True)
class Nav:
    """Who is signed in, and the token their forms carry."""

    name: str
    csrf: str
    here: str  # "alerts", "threads", "sources" or "digests"; "" on a page that is none of them

    def html(self) -> str:
        links = [
            ("alerts", "/alerts", "告警 Alerts"),
            ("threads", "/threads", "升温 Rising threads"),
            ("sources", "/sources", "论坛 Forums"),
            ("digests", "/digests", "周报 Digests"),
        ]
        shown = " ".join(
            f"<strong>{label}</strong>" if key == self.here else f'<a href="{href}">{label}</a>'
            for key, href, label in links
        )
        return (
            f"<nav>{shown}"
            f'<form method="post" action="/signout">{csrf_field(self.csrf)}'
            f'<span class="muted">{h(self.name)}</span> <button type="submit">退出 Sign out</button> '
            # every device: a page that asks first (signin_pages.signout_everywhere_page), not a button
            # at the top of every page that one stray tap on a phone presses
            '<a href="/signout/everywhere" class="muted">全部退出 Sign out everywhere…</a></form>'
            "</nav>"
        )


@dataclass(frozen=True)
class AlertsView:
    rows: Sequence[AlertRow]
    total: int
    counts: AlertCounts
    view: str
    mine: bool
    names: Mapping[str, str]  # spokesperson key -> name
    timezone: str
    now: datetime
    page: int = 1  # pages of alert_list.LIMIT alerts, from 1
    refresh: bool = False  # reloads itself (``?refresh=1``); every link on the page keeps it

    def kept(self) -> dict[str, str]:
        """What every link within the alert list carries on: only mine, reloading."""
        return ({"mine": "1"} if self.mine else {}) | ({"refresh": "1"} if self.refresh else {})


def refresh_switch(path: str, query: dict[str, str], on: bool) -> str:
    """``自动刷新 Auto-refresh: off · turn on`` — a link to the same list reloading itself, or not."""
    if on:
        return (
            f'<p class="muted">自动刷新 Auto-refresh: 每 {REFRESH_SECONDS} 秒 '
            f"on, every {REFRESH_SECONDS} s · "
            f'<a href="{path}?{escape(urlencode(query), quote=True)}">关闭 turn off</a></p>'
        )
    query = query | {"refresh": "1"}
    return (
        '<p class="muted">自动刷新 Auto-refresh: 关 off · '
        f'<a href="{path}?{escape(urlencode(query), quote=True)}">'
        "打开（供常开的屏幕）turn on (for a screen left open)</a></p>"
    )


def _pages(shown: AlertsView) -> list[str]:
    """``第 201–400 条，共 500 条 Showing 201–400 of 500`` and links to the pages before and after,
    when there are more."""
    first = (shown.page - 1) * LIMIT + 1
    if shown.total <= len(shown.rows) and shown.page == 1:
        return []
    if not shown.rows:
        back = urlencode({"view": shown.view} | shown.kept())
        return [
            f'<p class="muted">共 {shown.total} 条 {shown.total} in all. '
            f'<a href="/alerts?{back}">第一页 First page</a></p>'
        ]

    def link(page: int, label: str) -> str:
        query = urlencode({"view": shown.view} | shown.kept() | {"page": str(page)})
        return f'<a href="/alerts?{query}">{label}</a>'

    links = [link(shown.page - 1, "← 上一页 Previous")] if shown.page > 1 else []
    if first - 1 + len(shown.rows) < shown.total:
        links.append(link(shown.page + 1, "下一页 Next →"))
    last = first - 1 + len(shown.rows)
    said = f"第 {first}–{last} 条，共 {shown.total} 条 Showing {first}–{last} of {shown.total}."
    return [f'<p class="muted">{said} {" · ".join(links)}</p>']


def alerts_page(nav: Nav, shown: AlertsView) -> str:
    zone = shown.timezone
    body = [nav.html(), "<h1>告警 Alerts</h1>", _summary(shown.counts)]
    tabs = []
    for view in VIEWS:
        label = _VIEW_LABELS[view]
        query = urlencode({"view": view} | shown.kept())
        link = f'<a href="/alerts?{query}">{label}</a>'
        tabs.append(f"<strong>{label}</strong>" if view == shown.view else link)
    reloading = {"refresh": "1"} if shown.refresh else {}
    mine_query = urlencode({"view": shown.view} | ({} if shown.mine else {"mine": "1"}) | reloading)
    mine_label = "全部的 Everyone's" if shown.mine else "我的 Only mine"
    body.append(f'<p>{" · ".join(tabs)} &nbsp;|&nbsp; <a href="/alerts?{mine_query}">{mine_label}</a></p>')
    here = {"view": shown.view} | ({"mine": "1"} if shown.mine else {})
    body.append(
        refresh_switch("/alerts", here | ({"page": str(shown.page)} if shown.page > 1 else {}), shown.refresh)
    )
    reload = REFRESH_SECONDS if shown.refresh else 0
    if not shown.rows:
        body.append('<p class="muted">这里没有告警 No alerts here.</p>')
        body += _pages(shown)  # a page past the end: the count, and the way back
        return page_html(_ALERTS_TITLE, body, wide=True, refresh_seconds=reload)
    body.append(
        # on a phone (html.STYLE) each row is a card, each cell after the thread named by its data-label
        '<table class="list" id="alert-list">'
        + column_headings(
            "#",
            words.SEVERITY,
            words.THREAD,
            words.FIRST_CONTACT,
            words.WATCH_GROUP,
            words.STATUS,
            words.OWNER,
            words.OPENED,
            words.CHECKLIST,
        )
    )
    for row in shown.rows:
        body.append(_alert_row(row, shown.names, zone, shown.now))
    body.append("</table>")
    body += _pages(shown)
    body.append(f'<p class="muted">{h(words.times_in(zone))}</p>')
    return page_html(_ALERTS_TITLE, body, wide=True, refresh_seconds=reload)


def _summary(counts: AlertCounts) -> str:
    chips = []
    for severity in (Severity.VERY_URGENT, Severity.URGENT, Severity.GENERAL):
        count = counts.active_by_severity.get(severity.value, 0)
        chips.append(
            f'<span class="chip" style="border-color:{COLOURS[severity]}">'
            f"{h(severity_label(severity))}: <strong>{count}</strong></span>"
        )
    chips.append(f'<span class="chip">待确认 unacknowledged: <strong>{counts.unacknowledged}</strong></span>')
    late = ' class="late"' if counts.contact_overdue else ""
    chips.append(
        '<span class="chip">首次联系超时 first contact overdue: '
        f"<strong{late}>{counts.contact_overdue}</strong></span>"
    )
    if counts.undelivered:
        chips.append(
            '<span class="chip">消息未送达 messages not delivered: '
            f'<strong class="late">{counts.undelivered}</strong> 条告警 alerts</span>'
        )
    return "<p>" + "".join(chips) + "</p>"


def _alert_row(row: AlertRow, names: Mapping[str, str], zone: str, now: datetime) -> str:
    severity = Severity(row.severity)
    badge = f'<span class="badge" style="background:{COLOURS[severity]}">{h(severity_label(severity))}</span>'
    title = f'<a href="/alerts/{row.id}">{h(row.title) or words.UNTITLED}</a>'
    href = safe_href(row.url)
    forum = f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer">↗</a>' if href else ""
    replies = f"{row.replies} 条回复 {counted(row.replies, 'reply', 'replies')}"
    where = f'<br><span class="muted">{h(row.board)} · {h(row.source)} · {replies} {forum}</span>'
    owner = h(names.get(row.spokesperson, row.spokesperson))
    if row.contacted_at is not None:
        contact = f"✓ {when(row.contacted_at, zone)}"
    elif row.status == "resolved":
        contact = "—"
    elif row.contact_overdue(now):
        contact = f'<span class="late">已超时 overdue since {when(row.respond_by, zone)}</span>'
    else:
        contact = f"截止 due {when(row.respond_by, zone)}"
    return (
        f"<tr><td>{row.id}</td><td>{badge}</td><td>{title}{where}</td>"
        f'<td data-label="{words.FIRST_CONTACT}">{contact}</td>'
        f'<td data-label="{words.WATCH_GROUP}">{h(row.watch_group)}</td>'
        f'<td data-label="{words.STATUS}">{h(STATUS.get(row.status, row.status))}'
        f"{undelivered_marker(row.undelivered)}</td>"
        f'<td data-label="{words.OWNER}">{owner}</td>'
        f'<td class="nw" data-label="{words.OPENED}">{when(row.opened_at, zone)}</td>'
        f'<td data-label="{words.CHECKLIST}">{row.steps_done}/{row.steps}</td></tr>'
    )


def digests_page(nav: Nav, digests: Sequence[DigestRow], zone: str) -> str:
    body = [nav.html(), "<h1>周报 Weekly digests</h1>"]
    if not digests:
        body.append(
            '<p class="muted">还没有周报 No digest kept yet. <code>monitor run</code> 每周发送一份 sends one '
            "every week (<code>[digest]</code> in monitor.toml); <code>monitor digest send</code> "
            "立即发送一份 sends one now.</p>"
        )
        return page_html("周报 Digests · BBS crisis monitor", body, wide=True)
    body.append('<table class="list">' + column_headings(words.WEEK, words.SUBJECT, words.SENT))
    for digest in digests:
        sent = when(digest.sent_at, zone) if digest.sent_at else h(digest.status)
        body.append(
            f"<tr><td>{when(digest.period_start, zone)} – {when(digest.period_end, zone)}</td>"
            f'<td><a href="/digests/{digest.id}">{h(digest.subject)}</a></td><td>{sent}</td></tr>'
        )
    body.append(f'</table><p class="muted">{h(words.times_in(zone))}</p>')
    return page_html("周报 Digests · BBS crisis monitor", body, wide=True)
