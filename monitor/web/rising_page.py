"""The dashboard's rising threads (``/threads``, ``monitor threads rising`` for everyone): the detector's
view of every watched thread seen lately, alerting or not, by escalation score, with why.

Forum text goes through :func:`~monitor.web.html.h`, only http(s) URLs become links, and the page
carries no script, as every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from monitor.admin.rising import RisingThread
from monitor.alerting.labels import alert_number, more
from monitor.alerting.render import safe_href, severity_label
from monitor.detect.severity import Severity
from monitor.detect.velocity import counted
from monitor.web import words
from monitor.web.dashboard_pages import REFRESH_SECONDS, Nav, refresh_switch
from monitor.web.html import column_headings, h, page_html
from monitor.web.pages import COLOURS

_RISING_TITLE = "升温 Rising threads · BBS crisis monitor"


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
        f"<p>最近 {shown.hours:g} 小时内见到的监测帖，按升温分排列：{shown.general:+.1f} 起报警，"
        f"{shown.urgent:+.1f} 起紧迫，{shown.very_urgent:+.1f} 起非常紧迫。哪些帖子接近报警，为什么。 "
        f"Watched threads seen in the last {shown.hours:g} h, by escalation score: an alert opens at "
        f"{shown.general:+.1f}, urgent at {shown.urgent:+.1f}, very urgent at {shown.very_urgent:+.1f}. "
        "What is close to alerting, and why.</p>",
        refresh_switch("/threads", {"hours": f"{shown.hours:g}"}, refresh),
    ]
    if shown.watch_problems:
        body.append(
            '<p class="problem" role="status">watch_groups.yaml 已修改但无法读取，'
            "修好之前按上一份可用的监测组显示 "
            "watch_groups.yaml was changed and cannot be read; shown with the last good watch groups until "
            f"it is fixed: {h(shown.watch_problems[0])}"
            + (f" ({h(more(len(shown.watch_problems) - 1))})" if len(shown.watch_problems) > 1 else "")
            + "</p>"
        )
    reload = REFRESH_SECONDS if refresh else 0
    if not shown.rows:
        body.append('<p class="muted">这段时间没有见到监测帖 No watched thread was seen in that time.</p>')
        return page_html(_RISING_TITLE, body, wide=True, refresh_seconds=reload)
    headings = column_headings(words.SCORE, words.NOW, words.THREAD, words.WATCH_GROUP, words.WHY)
    body.append('<table class="list">' + headings)
    for row in shown.rows:
        body.append(_rising_row(row))
    body.append("</table>")
    return page_html(_RISING_TITLE, body, wide=True, refresh_seconds=reload)


def _rising_row(row: RisingThread) -> str:
    score = f"{row.score:+.1f}" if row.score is not None else "n/a"
    if row.alert_id is not None:
        severity = Severity(row.alert_severity or row.severity)
        what = "扩散自 spread of " if row.spread_of_alert else ""
        state = (
            f'<span class="badge" style="background:{COLOURS[severity]}">'
            f"{h(severity_label(severity))}</span><br>"
            f'{what}<a href="/alerts/{row.alert_id}">{alert_number(row.alert_id)}</a>'
        )
    elif row.would_alert:
        state = f"将报警 would alert: {h(severity_label(Severity(row.severity)))}"
    else:
        state = '<span class="muted">低于报警线 below the alert threshold</span>'
    href = safe_href(row.url)
    title = h(row.title) or words.UNTITLED
    if href is not None:
        title = f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer">{title}</a>'
    replies = f"{row.replies} 条回复 {counted(row.replies, 'reply', 'replies')}"
    where = f'<br><span class="muted">{h(row.board)} · {h(row.source)} · {replies}</span>'
    reasons = "".join(f"<li>{h(figure)}</li>" for figure in row.figures)
    also = ""
    if row.also_groups:
        also = f'<br><span class="muted">另见 also {h(", ".join(row.also_groups))}</span>'
    return (
        f'<tr><td class="nw"><strong>{score}</strong></td><td>{state}</td><td>{title}{where}</td>'
        f"<td>{h(row.watch_group)}{also}</td>"
        f'<td><ul class="muted" style="margin:0;padding-left:16px">{reasons}</ul></td></tr>'
    )
