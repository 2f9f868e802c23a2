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

from monitor.alerting.lifecycle import FirstHour, steps_in_due_order
from monitor.alerting.render import clean_text, safe_href, severity_label
from monitor.alerting.undelivered import Undelivered
from monitor.detect.severity import Severity
from monitor.store.models import Alert
from monitor.web.ack_wording import OWNER_DONE, Acker, ack_why, acknowledged
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
        f"Alert #{alert.id} · {h(STATUS.get(alert.status, alert.status))}</p>"
    ]
    href = safe_href(thread.url)
    title = h(thread.title) or "(untitled)"
    if href is not None:
        title = f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer">{title}</a>'
    body.append(f"<h1>{title}</h1>")
    board = " · ".join(
        part for part in (h(thread.board.name or thread.board.external_id), h(thread.source.name))
    )
    body.append(
        f'<p class="muted">{board} · watch group {h(alert.watch_group)}'
        + (f" · also on {h(', '.join(alert.also_on))}" if alert.also_on else "")
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
        '<tr><th scope="row">Spokesperson</th>'
        f"<td>{h(page.names.get(alert.spokesperson, alert.spokesperson))}"
        + (f" (backup {h(page.names.get(alert.backup, alert.backup))})" if alert.backup else "")
        + "</td></tr>"
        f'<tr><th scope="row">First contact due</th><td>{_due(alert, zone)}'
        + (' <strong style="color:#b91c1c">overdue</strong>' if late else "")
        + "</td></tr>"
        f'<tr><th scope="row">Acknowledged</th><td>{when(alert.acknowledged_at, zone)} '
        f"{h(alert.acknowledged_by)}</td></tr>"
        f'<tr><th scope="row">Contacted</th><td>{when(alert.contacted_at, zone)}</td></tr>'
        "</table>"
    )
    acts = None if page.read_only else alert  # the form sending given-up messages again
    body += undelivered_section(page.undelivered, page.names, zone, alert=acts, now=page.now, csrf=page.csrf)
    as_of = f'<p class="muted">as of the last poll, {when(alert.updated_at, zone)}</p>'
    for heading, items, note in (
        ("为什么报警 Why it fired", alert.figures, as_of),
        ("危机信号 Crisis signals", alert.signals, ""),
    ):
        shown = [h(item) for item in items if clean_text(item)]
        if shown:
            listed = "".join(f"<li>{item}</li>" for item in shown)
            body.append(f"<h2>{heading}</h2>{note}<ul>{listed}</ul>")
    body += _checklist(alert, page)
    hour = page.first_hour
    body.append("<h2>首个小时 First hour</h2><table>")
    for label, moment in (
        ("post published", hour.published),
        ("first crawled", hour.first_crawled),
        ("alert opened", hour.opened),
        ("delivered", hour.delivered),
        ("acknowledged", hour.acknowledged),
        ("contacted", hour.contacted),
    ):
        body.append(f'<tr><th scope="row">{label}</th><td>{when(moment, zone)}</td></tr>')
    body.append("</table>")
    body += trail_section(alert, zone, full=page.full_trail)
    if not page.read_only:
        body.append(
            "<h2>进展 Progress note</h2>"
            f'<form method="post" action="">{csrf_field(page.csrf)}'
            '<p><label for="progress">What was the customer told, what was done? '
            "(持续反馈; it restarts the progress-prompt clock)</label><br>"
            '<textarea id="progress" name="note" rows="3" maxlength="2000" required></textarea></p>'
            '<button type="submit" name="do" value="note">记录 Add note</button></form>'
        )
    if alert.status != "resolved" and not page.read_only:
        body += _handover(alert, page)
        body.append(
            "<h2>结案 Resolve</h2>"
            f'<form method="post" action="">{csrf_field(page.csrf)}'
            '<p><label for="note">How was it resolved? (投诉总结)</label><br>'
            '<textarea id="note" name="note" rows="3" maxlength="2000" required></textarea></p>'
            '<button type="submit" name="do" value="resolve">结案 Resolve</button></form>'
        )
    if page.copy_only:
        owner = page.names.get(alert.spokesperson, alert.spokesperson)
        footer = f"You read as {h(page.actor_name)}: this alert came to you as a copy for information, "
        footer += f"and {h(owner)} owns it and acts on it. This link is valid until "
        footer += f"{when(page.claim.expires_at, zone)}."
    elif page.read_only:
        footer = f"You read as {h(page.actor_name)} (a viewer: nothing here acts) until "
        footer += f"{when(page.claim.expires_at, zone)}."
    else:
        how = "signed in until" if page.csrf else "through a signed link valid until"
        footer = f"You act as {h(page.actor_name)} {how} {when(page.claim.expires_at, zone)}; "
        footer += "everything you do lands in the trail."
    body.append(f'<p class="muted">{footer} Times in {h(zone)}.</p>')
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
            why = "Record that the complainant has been contacted: this stops the first-contact clock."
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


def _handover(alert: Alert, page: AlertPage) -> list[str]:
    """A form handing the alert to another spokesperson (routing.yaml), who is told; none when there
    is nobody else to hand it to."""
    others = [(key, name) for key, name in page.names.items() if key != alert.spokesperson]
    if not others:
        return []
    options = '<option value="">— 选择 choose —</option>' + "".join(
        f'<option value="{h(key)}">{h(name)} ({h(key)})</option>' for key, name in others
    )
    return [
        "<h2>转交 Hand over</h2>"
        f'<form method="post" action="">{csrf_field(page.csrf)}'
        '<p><label for="handover_to">Hand this alert to (they become its spokesperson and are told; '
        "the clocks and the first-contact deadline run on)</label><br>"
        f'<select id="handover_to" name="to" required>{options}</select></p>'
        '<p><label for="handover_note">Why? (kept in the trail and told to them)</label><br>'
        '<textarea id="handover_note" name="note" rows="3" maxlength="2000"></textarea></p>'
        '<button type="submit" name="do" value="handover">转交 Hand over</button></form>'
    ]


def _checklist(alert: Alert, page: AlertPage) -> list[str]:
    if not alert.checklist:
        return []
    zone = page.timezone
    rows = ['<h2 id="checklist">处置清单 Checklist — ' + h(alert.playbook) + "</h2><table>"]
    for position, item in steps_in_due_order(alert):
        if item.done_at is not None:
            state = f"☑ {when(item.done_at, zone)} {h(item.done_by)}"
        elif alert.status == "resolved" or page.read_only:
            state = "☐"
        else:
            state = _button("tick", "完成 Done", colour="#2f6f3e", step=position, csrf=page.csrf)
        overdue = item.done_at is None and item.due_at is not None and page.now > item.due_at
        due = when(item.due_at, zone) + (' <span style="color:#b91c1c">overdue</span>' if overdue else "")
        rows.append(f"<tr><td>{position}.</td><td>{due}</td><td>{h(item.title)}</td><td>{state}</td></tr>")
    rows.append("</table>")
    return rows


def _due(alert: Alert, zone: str) -> str:
    """The first-contact deadline: in bold while it is ahead, said to be met (or not) once contact is made."""
    if alert.contacted_at is None:
        return f"<strong>{when(alert.respond_by, zone)}</strong>"
    met = "met" if alert.contacted_at <= alert.respond_by else "contact came after it"
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
        "BBS crisis monitor",
        [
            "<h1>BBS crisis monitor</h1>",
            '<p><a href="/signin">登录 Sign in</a> to see every alert and the weekly digests, '
            "or open an alert from the link in its email or chat message. "
            "From a terminal: <code>monitor alerts list</code>.</p>",
        ],
    )
