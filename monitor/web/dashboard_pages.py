"""HTML for the signed-in dashboard: every alert at a glance, rising threads, forums, the digests kept
(the sign-in pages: :mod:`monitor.web.signin_pages`).

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

from monitor.admin.rising import RisingThread
from monitor.alerting.render import safe_href, severity_label
from monitor.detect.severity import Severity
from monitor.detect.velocity import counted
from monitor.store.models import DigestRow
from monitor.web.alert_list import LIMIT, VIEWS, AlertCounts, AlertRow
from monitor.web.html import column_headings
from monitor.web.pages import COLOURS, STATUS, csrf_field, h, page_html, when
from monitor.web.undelivered_html import undelivered_marker

_ALERTS_TITLE = "告警 Alerts · BBS crisis monitor"
_RISING_TITLE = "升温 Rising threads · BBS crisis monitor"
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
            f'<p class="muted">自动刷新 Auto-refresh: on, every {REFRESH_SECONDS} s · '
            f'<a href="{path}?{escape(urlencode(query), quote=True)}">turn off</a></p>'
        )
    query = query | {"refresh": "1"}
    return (
        '<p class="muted">自动刷新 Auto-refresh: off · '
        f'<a href="{path}?{escape(urlencode(query), quote=True)}">turn on (for a screen left open)</a></p>'
    )


def _pages(shown: AlertsView) -> list[str]:
    """``Showing 201–400 of 500`` and links to the pages before and after, when there are more."""
    first = (shown.page - 1) * LIMIT + 1
    if shown.total <= len(shown.rows) and shown.page == 1:
        return []
    if not shown.rows:
        back = urlencode({"view": shown.view} | shown.kept())
        return [f'<p class="muted">{shown.total} in all. <a href="/alerts?{back}">First page</a></p>']

    def link(page: int, label: str) -> str:
        query = urlencode({"view": shown.view} | shown.kept() | {"page": str(page)})
        return f'<a href="/alerts?{query}">{label}</a>'

    links = [link(shown.page - 1, "← 上一页 Previous")] if shown.page > 1 else []
    if first - 1 + len(shown.rows) < shown.total:
        links.append(link(shown.page + 1, "下一页 Next →"))
    said = f"Showing {first}–{first - 1 + len(shown.rows)} of {shown.total}."
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
        body.append('<p class="muted">No alerts here.</p>')
        body += _pages(shown)  # a page past the end: the count, and the way back
        return page_html(_ALERTS_TITLE, body, wide=True, refresh_seconds=reload)
    body.append(
        # on a phone (html.STYLE) each row is a card, each cell after the thread named by its data-label
        '<table class="list" id="alert-list">'
        + column_headings(
            "#",
            "Severity",
            "Thread",
            "First contact",
            "Watch group",
            "Status",
            "Owner",
            "Opened",
            "Checklist",
        )
    )
    for row in shown.rows:
        body.append(_alert_row(row, shown.names, zone, shown.now))
    body.append("</table>")
    body += _pages(shown)
    body.append(f'<p class="muted">Times in {h(zone)}.</p>')
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
            f'<strong class="late">{counts.undelivered}</strong> alerts</span>'
        )
    return "<p>" + "".join(chips) + "</p>"


def _alert_row(row: AlertRow, names: Mapping[str, str], zone: str, now: datetime) -> str:
    severity = Severity(row.severity)
    badge = f'<span class="badge" style="background:{COLOURS[severity]}">{h(severity_label(severity))}</span>'
    title = f'<a href="/alerts/{row.id}">{h(row.title) or "(untitled)"}</a>'
    href = safe_href(row.url)
    forum = f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer">↗</a>' if href else ""
    replies = counted(row.replies, "reply", "replies")
    where = f'<br><span class="muted">{h(row.board)} · {h(row.source)} · {replies} {forum}</span>'
    owner = h(names.get(row.spokesperson, row.spokesperson))
    if row.contacted_at is not None:
        contact = f"✓ {when(row.contacted_at, zone)}"
    elif row.status == "resolved":
        contact = "—"
    elif row.contact_overdue(now):
        contact = f'<span class="late">overdue since {when(row.respond_by, zone)}</span>'
    else:
        contact = f"due {when(row.respond_by, zone)}"
    return (
        f"<tr><td>{row.id}</td><td>{badge}</td><td>{title}{where}</td>"
        f'<td data-label="First contact">{contact}</td><td data-label="Watch group">{h(row.watch_group)}</td>'
        f'<td data-label="Status">{h(STATUS.get(row.status, row.status))}'
        f"{undelivered_marker(row.undelivered)}</td>"
        f'<td data-label="Owner">{owner}</td>'
        f'<td class="nw" data-label="Opened">{when(row.opened_at, zone)}</td>'
        f'<td data-label="Checklist">{row.steps_done}/{row.steps}</td></tr>'
    )


def digests_page(nav: Nav, digests: Sequence[DigestRow], zone: str) -> str:
    body = [nav.html(), "<h1>周报 Weekly digests</h1>"]
    if not digests:
        body.append(
            '<p class="muted">No digest kept yet. <code>monitor run</code> sends one every week '
            "(<code>[digest]</code> in monitor.toml); <code>monitor digest send</code> sends one now.</p>"
        )
        return page_html("周报 Digests · BBS crisis monitor", body, wide=True)
    body.append('<table class="list">' + column_headings("Week", "Subject", "Sent"))
    for digest in digests:
        sent = when(digest.sent_at, zone) if digest.sent_at else h(digest.status)
        body.append(
            f"<tr><td>{when(digest.period_start, zone)} – {when(digest.period_end, zone)}</td>"
            f'<td><a href="/digests/{digest.id}">{h(digest.subject)}</a></td><td>{sent}</td></tr>'
        )
    body.append(f'</table><p class="muted">Times in {h(zone)}.</p>')
    return page_html("周报 Digests · BBS crisis monitor", body, wide=True)


@dataclass(frozen=True)
class RisingView:
    rows: Sequence[RisingThread]
    hours: float
    general: float  # the alert threshold and the tiers' (escalation score)
    urgent: float
    very_urgent: float
    watch_problems: Sequence[str] = ()  # why the newest watch_groups.yaml was not taken up, if it was not


def rising_page(nav: Nav, shown: RisingView, *, refresh: bool = False) -> str:
    """The detector's view of every watched thread seen lately, alerting or not (``threads rising``);
    ``refresh``: the page reloads itself every minute."""
    body = [
        nav.html(),
        "<h1>升温 Rising threads</h1>",
        f"<p>Watched threads seen in the last {shown.hours:g} h, by escalation score: an alert opens at "
        f"{shown.general:+.1f}, 紧迫 at {shown.urgent:+.1f}, 非常紧迫 at {shown.very_urgent:+.1f}. "
        "What is close to alerting, and why.</p>",
        refresh_switch("/threads", {"hours": f"{shown.hours:g}"}, refresh),
    ]
    if shown.watch_problems:
        body.append(
            '<p class="problem" role="status">watch_groups.yaml was changed and cannot be read; '
            f"shown with the last good watch groups until it is fixed: {h(shown.watch_problems[0])}"
            + (f" (and {len(shown.watch_problems) - 1} more)" if len(shown.watch_problems) > 1 else "")
            + "</p>"
        )
    reload = REFRESH_SECONDS if refresh else 0
    if not shown.rows:
        body.append('<p class="muted">No watched thread was seen in that time.</p>')
        return page_html(_RISING_TITLE, body, wide=True, refresh_seconds=reload)
    body.append('<table class="list">' + column_headings("Score", "Now", "Thread", "Watch group", "Why"))
    for row in shown.rows:
        body.append(_rising_row(row))
    body.append("</table>")
    return page_html(_RISING_TITLE, body, wide=True, refresh_seconds=reload)


def _rising_row(row: RisingThread) -> str:
    score = f"{row.score:+.1f}" if row.score is not None else "n/a"
    if row.alert_id is not None:
        severity = Severity(row.alert_severity or row.severity)
        what = "spread of " if row.spread_of_alert else ""
        state = (
            f'<span class="badge" style="background:{COLOURS[severity]}">'
            f"{h(severity_label(severity))}</span><br>"
            f'{what}<a href="/alerts/{row.alert_id}">alert #{row.alert_id}</a>'
        )
    elif row.would_alert:
        state = f"would alert: {h(severity_label(Severity(row.severity)))}"
    else:
        state = '<span class="muted">below the alert threshold</span>'
    href = safe_href(row.url)
    title = h(row.title) or "(untitled)"
    if href is not None:
        title = f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer">{title}</a>'
    replies = counted(row.replies, "reply", "replies")
    where = f'<br><span class="muted">{h(row.board)} · {h(row.source)} · {replies}</span>'
    reasons = "".join(f"<li>{h(figure)}</li>" for figure in row.figures)
    also = f'<br><span class="muted">also {h(", ".join(row.also_groups))}</span>' if row.also_groups else ""
    return (
        f'<tr><td class="nw"><strong>{score}</strong></td><td>{state}</td><td>{title}{where}</td>'
        f"<td>{h(row.watch_group)}{also}</td>"
        f'<td><ul class="muted" style="margin:0;padding-left:16px">{reasons}</ul></td></tr>'
    )
