"""HTML for the web pages: one alert as its recipient sees it, and the error pages.

Everything that came from a forum (titles, board names, excerpts, figures quoting posts) is
untrusted: every string goes through :func:`~monitor.web.html.h` (control characters stripped,
HTML escaped), and only http/https URLs become links. The pages carry no script; the Content-Security-Policy
set by :mod:`monitor.web.app` forbids any.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape

from monitor.alerting import labels
from monitor.alerting.lifecycle import FirstHour, steps_in_due_order
from monitor.alerting.render import clean_text, safe_href, severity_label
from monitor.alerting.undelivered import Undelivered
from monitor.detect.severity import Severity
from monitor.store.models import Alert
from monitor.web import words
from monitor.web.ack_wording import OWNER_DONE, Acker, ack_why, acknowledged
from monitor.web.alert_forms import action_forms
from monitor.web.html import csrf_field as csrf_field
from monitor.web.html import h as h
from monitor.web.html import page_html as page_html
from monitor.web.html import when as when
from monitor.web.links import LinkClaim
from monitor.web.trail_html import trail_section
from monitor.web.undelivered_html import undelivered_section

COLOURS = {Severity.GENERAL: "#2f6690", Severity.URGENT: "#b45309", Severity.VERY_URGENT: "#b91c1c"}
DONE_MESSAGES = {
    "ack": OWNER_DONE,
    "contacted": "已记录 First contact recorded: the first-contact clock has stopped.",
    "tick": "已勾选 Step ticked.",
    "note": "已记录 Note added to the trail.",
    "handover": "已转交 Handed over: the new spokesperson has been told; the clocks run on.",
    "resolve": "已结案 Resolved.",
    "resend": "已重新发送 Sent again: the monitor sends the messages on its next outbox run.",
}
STATUS = {"open": "待确认 open", "acknowledged": "处理中 acknowledged", "resolved": "已结案 resolved"}


@dataclass(frozen=True)
class AlertPage:
    """What the alert page shows besides the alert itself."""

    claim: LinkClaim
    names: Mapping[str, str]  # spokesperson key -> name
    actor_name: str
    backup_due: datetime | None  # when the backup is told if nobody acknowledges
    first_hour: FirstHour
    timezone: str
    now: datetime
    done: str | None = None  # the action just done (after the redirect)
    problem: str | None = None  # why the last action was refused
    csrf: str | None = None  # signed in to the dashboard: every form carries this token
    nav: str = ""  # signed in: the dashboard's navigation bar (HTML)
    read_only: bool = False  # a viewer (web.viewers), or a copy's link: the page shows, no form acts
    copy_only: bool = False  # the link of someone who has only a copy for information
    full_trail: bool = False  # ?trail=all: every event, the monitor's long runs not summed up
    leadership: bool = True  # someone besides the owner is told when nobody acknowledges in time
    undelivered: tuple[Undelivered, ...] = ()  # its messages not getting through (undelivered_html)
    flash: str = ""  # what the action just done did, when more than DONE_MESSAGES says (a re-queue)


def _button(
    do: str, label: str, *, colour: str, big: bool = False, step: int | None = None, csrf: str | None = None
) -> str:
    """A one-button form posting ``do`` (and ``step``) back to the page's own address."""
    hidden = f'<input type="hidden" name="step" value="{step}">' if step is not None else ""
    hidden += csrf_field(csrf)
    style = f' class="big" style="background:{colour}" autofocus' if big else f' style="color:{colour}"'
    return (
        f'<form method="post" action="" style="display:inline">{hidden}'
        f'<button type="submit" name="do" value="{escape(do)}"{style}>{h(label)}</button></form>'
    )


def alert_page(alert: Alert, page: AlertPage) -> str:
    zone = page.timezone
    severity = Severity(alert.severity)
    colour = COLOURS[severity]
    thread = alert.thread
    body: list[str] = [page.nav] if page.nav else []
    body += [
        f'<p><span class="badge" style="background:{colour}">{h(severity_label(severity))}</span> '
        f"{labels.alert_number(alert.id)} · {h(STATUS.get(alert.status, alert.status))}</p>"
    ]
    href = safe_href(thread.url)
    title = h(thread.title) or words.UNTITLED
    if href is not None:
        title = f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer">{title}</a>'
    body.append(f"<h1>{title}</h1>")
    board = " · ".join(
        part for part in (h(thread.board.name or thread.board.external_id), h(thread.source.name))
    )
    body.append(
        f'<p class="muted">{board} · {words.WATCH_GROUP} {h(alert.watch_group)}'
        + (f" · {labels.ALSO_ON} {h(', '.join(alert.also_on))}" if alert.also_on else "")
        + "</p>"
    )
    if page.done in DONE_MESSAGES:
        said = _acknowledged(alert, page) if page.done == "ack" else page.flash or DONE_MESSAGES[page.done]
        body.append(f'<p class="flash" role="status">{h(said)}</p>')
    if page.problem:
        body.append(f'<p class="problem" role="alert">{h(page.problem)}</p>')
    body += _primary(alert, page, colour)
    body.append("<h2>时限 Clocks</h2>")
    late = alert.contacted_at is None and page.now > alert.respond_by
    body.append(
        "<table>"
        f'<tr><th scope="row">{words.SPOKESPERSON}</th>'
        f"<td>{h(page.names.get(alert.spokesperson, alert.spokesperson))}"
        + (f" ({labels.BACKUP} {h(page.names.get(alert.backup, alert.backup))})" if alert.backup else "")
        + "</td></tr>"
        f'<tr><th scope="row">{words.RESPOND_BY}</th><td>{_due(alert, zone)}'
        + (f' <strong style="color:#b91c1c">{words.OVERDUE}</strong>' if late else "")
        + "</td></tr>"
        f'<tr><th scope="row">{words.ACKNOWLEDGED}</th><td>{when(alert.acknowledged_at, zone)} '
        f"{h(alert.acknowledged_by)}</td></tr>"
        f'<tr><th scope="row">{words.CONTACTED}</th><td>{when(alert.contacted_at, zone)}</td></tr>'
        "</table>"
    )
    acts = None if page.read_only else alert  # the form sending given-up messages again
    body += undelivered_section(page.undelivered, page.names, zone, alert=acts, now=page.now, csrf=page.csrf)
    as_of = f'<p class="muted">截至上次抓取 as of the last poll, {when(alert.updated_at, zone)}</p>'
    for heading, items, note in (
        (labels.WHY_IT_FIRED, alert.figures, as_of),
        (labels.SIGNALS, alert.signals, ""),
    ):
        shown = [h(item) for item in items if clean_text(item)]
        if shown:
            listed = "".join(f"<li>{item}</li>" for item in shown)
            body.append(f"<h2>{heading}</h2>{note}<ul>{listed}</ul>")
    body += _checklist(alert, page)
    hour = page.first_hour
    body.append("<h2>首个小时 First hour</h2><table>")
    moments: tuple[datetime | None, ...] = (hour.published, hour.first_crawled, hour.opened)
    moments += (hour.delivered, hour.acknowledged, hour.contacted)
    for label, moment in zip(words.FIRST_HOUR_ROWS, moments, strict=True):
        body.append(f'<tr><th scope="row">{label}</th><td>{when(moment, zone)}</td></tr>')
    body.append("</table>")
    body += trail_section(alert, zone, full=page.full_trail)
    if not page.read_only:
        body += action_forms(alert, page.names, page.csrf)
    if page.copy_only:
        owner = page.names.get(alert.spokesperson, alert.spokesperson)
        until = when(page.claim.expires_at, zone)
        footer = f"你以 {h(page.actor_name)} 的身份阅读：此告警抄送给你知悉，由 {h(owner)} 负责处理；"
        footer += f"链接有效至 {until}。 You read as {h(page.actor_name)}: this alert came to you as a copy "
        footer += f"for information, and {h(owner)} owns it and acts on it. This link is valid until {until}."
    elif page.read_only:
        until = when(page.claim.expires_at, zone)
        footer = f"你以 {h(page.actor_name)} 的身份阅读（只读，此处不能操作），有效至 {until}。 "
        footer += f"You read as {h(page.actor_name)} (a viewer: nothing here acts) until {until}."
    else:
        until = when(page.claim.expires_at, zone)
        how_zh, how = ("登录", "signed in until") if page.csrf else ("签名链接", "")
        how = how or "through a signed link valid until"
        footer = f"你以 {h(page.actor_name)} 的身份操作（{how_zh}有效至 {until}），所做的一切都记入记录。 "
        footer += f"You act as {h(page.actor_name)} {how} {until}; everything you do lands in the trail."
    body.append(f'<p class="muted">{footer} {h(words.times_in(zone))}</p>')
    return page_html(f"#{alert.id} {severity_label(severity)} {clean_text(thread.title)}", body)


def _primary(alert: Alert, page: AlertPage, colour: str) -> list[str]:
    """The action the link was sent for, as one big button, and the other open actions beside it."""
    if alert.status == "resolved" or page.read_only:
        return []
    open_actions = []
    if alert.acknowledged_at is None:
        open_actions.append("ack")
    if alert.contacted_at is None:
        open_actions.append("contacted")
    out: list[str] = []
    intent = page.claim.action
    if intent in open_actions:
        if intent == "ack":
            due = when(page.backup_due, page.timezone) if page.backup_due else None
            why = ack_why(alert, _acker(page), due)
            label = "确认 Acknowledge"
        else:
            why = (
                "记录已联系投诉人：首次联系计时随之停止。 "
                "Record that the complainant has been contacted: this stops the first-contact clock."
            )
            label = "已联系投诉人 Mark contacted"
        out.append(
            f'<div class="primary" style="border-color:{colour}"><p>{h(why)}</p>'
            + _button(intent, label, colour=colour, big=True, csrf=page.csrf)
            + "</div>"
        )
    others = [a for a in open_actions if a != intent]
    labels = {"ack": "确认 Acknowledge", "contacted": "已联系投诉人 Mark contacted"}
    if others:
        out.append(
            "<p>" + " ".join(_button(a, labels[a], colour=colour, csrf=page.csrf) for a in others) + "</p>"
        )
    return out


def _acker(page: AlertPage) -> Acker:
    return Acker(me=page.claim.recipient, names=page.names, leadership=page.leadership)


def _acknowledged(alert: Alert, page: AlertPage) -> str:
    """What pressing 确认 did, for the one who pressed it (:func:`acknowledged`)."""
    return acknowledged(alert, _acker(page), when(alert.acknowledged_at, page.timezone))


def _checklist(alert: Alert, page: AlertPage) -> list[str]:
    if not alert.checklist:
        return []
    zone = page.timezone
    rows = [f'<h2 id="checklist">{labels.CHECKLIST} — ' + h(alert.playbook) + '</h2><table id="steps">']
    for position, item in steps_in_due_order(alert):
        if item.done_at is not None:
            state = f"☑ {when(item.done_at, zone)} {h(item.done_by)}"
        elif alert.status == "resolved" or page.read_only:
            state = "☐"
        else:
            state = _button("tick", "完成 Done", colour="#2f6f3e", step=position, csrf=page.csrf)
        overdue = item.done_at is None and item.due_at is not None and page.now > item.due_at
        late = f' <span style="color:#b91c1c">{words.OVERDUE}</span>'
        due = when(item.due_at, zone) + (late if overdue else "")
        cells = f'<td>{position}.</td><td class="due">{due}</td><td>{h(item.title)}</td><td>{state}</td>'
        rows.append(f"<tr>{cells}</tr>")
    rows.append("</table>")
    return rows


def _due(alert: Alert, zone: str) -> str:
    """The first-contact deadline: in bold while it is ahead, said to be met (or not) once contact is made."""
    if alert.contacted_at is None:
        return f"<strong>{when(alert.respond_by, zone)}</strong>"
    met = "按时 met" if alert.contacted_at <= alert.respond_by else "晚于截止 contact came after it"
    return f"{when(alert.respond_by, zone)} — {met}"


def error_page(title: str, message: str, hint: str = "", *, signin: bool = False) -> str:
    """``signin``: the hint's way out is the dashboard's sign-in page, linked (a phone cannot type it)."""
    body = [f"<h1>{h(title)}</h1>", f'<p class="problem" role="alert">{h(message)}</p>']
    if hint:
        body.append(f"<p>{h(hint)}</p>")
    if signin:
        body.append('<p><a href="/signin">登录 Sign in to the dashboard</a></p>')
    return page_html(title, body)


def home_page() -> str:
    return page_html(
        "论坛危机预警 BBS crisis monitor",
        [
            "<h1>论坛危机预警 BBS crisis monitor</h1>",
            '<p><a href="/signin">登录 Sign in</a>查看所有告警和周报，'
            "或从告警邮件、聊天消息里的链接打开告警；"
            "终端里用 <code>monitor alerts list</code>。 "
            "Sign in to see every alert and the weekly digests, "
            "or open an alert from the link in its email or chat message. "
            "From a terminal: <code>monitor alerts list</code>.</p>",
        ],
    )
