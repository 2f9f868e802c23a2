"""Turn a stored alert into the message its channels send."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.given_up_notice import NOTICE_KIND, NOTICE_TAG, wording
from monitor.alerting.labels import ALERT
from monitor.alerting.lifecycle import name_of, steps_in_due_order
from monitor.alerting.message import ActionLink, AlertMessage, ChecklistLine, Recipient
from monitor.alerting.render import shorten
from monitor.alerting.thread_routing import named_groups
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.detect.spread import place_name
from monitor.display_text import clean_text
from monitor.store.models import Alert, AlertThread, Delivery, Post, Thread
from monitor.web.links import Action, LinkSigner

EXCERPT_CHARS = 120
NOTICE_TAGS = {
    "to_backup": "备岗提醒 for the backup",  # not 转交: the owner stays the owner
    "reminder": "提醒 reminder",
    "progress": "进展 progress",
    "band": "增长 growth",
    "reopened": "重开 reopened",
    "copy": "抄送 FYI",
    "to_leadership": "上报 leadership",
    "handover": "转交 handed over",
    "signal": "新信号 new signal",
    NOTICE_KIND: NOTICE_TAG,
}


def kind_label(kind: str) -> str:
    """A message's kind as its chat message and email tag it (``备岗提醒 for the backup``); the alert
    itself ``告警 Alert``; a kind without a tag by its stored name."""
    return ALERT if kind == "alert" else NOTICE_TAGS.get(kind) or clean_text(kind)


def _recipient(config: MonitorConfig, key: str) -> Recipient:
    person = config.spokesperson(key)
    return Recipient(key=person.key, name=person.name, email=person.email)


ACTION_LABELS: dict[Action, str] = {
    "ack": "确认 Acknowledge",
    "contacted": "已联系投诉人 Mark contacted",
    "view": "打开告警 Open the alert",
}


def link_signer(config: MonitorConfig) -> LinkSigner | None:
    """The signer for action links, or None when ``web.base_url`` is not configured."""
    web = config.settings.web
    if not web.base_url or not config.web_secret:
        return None
    return LinkSigner(config.web_secret, web.base_url, timedelta(hours=web.link_ttl_hours))


def action_links(
    config: MonitorConfig, alert: Alert, recipient: str, now: datetime, *, for_information: bool = False
) -> tuple[ActionLink, ...]:
    """Signed links for ``recipient``: acknowledge and mark contacted (while not yet done), open the alert.

    ``for_information``: a copy to someone a route names besides the owner (leadership, say) only
    opens the alert — acknowledging is the owner's (or the backup's) to do, and an acknowledgement
    from a copy would stop the escalation to the backup while the owner has not seen it. A copy to
    the owner's backup is not asked for this: their page lets them act, so their links do.
    """
    signer = link_signer(config)
    if signer is None or alert.status == "resolved":
        return ()
    wanted: list[Action] = []
    if alert.acknowledged_at is None and not for_information:
        wanted.append("ack")
    if alert.contacted_at is None and not for_information:
        wanted.append("contacted")
    wanted.append("view")
    expires = signer.expires_at(now)
    return tuple(
        ActionLink(kind, ACTION_LABELS[kind], signer.url(alert.id, kind, recipient, now), expires)
        for kind in wanted
    )


def compose(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    delivery: Delivery | None = None,
    now: datetime | None = None,
) -> AlertMessage:
    """The message for ``alert`` as it stands; ``delivery`` fixes the severity it announces and,
    with ``now``, whom its action links act for."""
    thread = alert.thread
    first = session.scalar(
        select(Post.text).where(Post.thread_id == alert.thread_id).order_by(Post.floor).limit(1)
    )
    severity = Severity(delivery.severity) if delivery else Severity(alert.severity)
    escalated_from = Severity(delivery.escalated_from) if delivery and delivery.escalated_from else None
    copy = delivery is not None and delivery.kind == "copy"  # for information: its link only opens the alert
    # ... unless it goes to the owner's backup, whose page lets them act: their copy acts as theirs does.
    as_backup = copy and delivery is not None and delivery.recipient == alert.backup
    to_person = delivery is not None and delivery.channel != "console"
    # Console output ends up in logs, and a link is a credential: only messages to a person carry one.
    links = (
        action_links(config, alert, delivery.recipient, now, for_information=copy and not as_backup)
        if delivery is not None and now is not None and to_person
        else ()
    )
    return AlertMessage(
        alert_id=alert.id,
        severity=severity,
        thread_title=shorten(thread.title),  # a 100 KB title must not make a 1 MB email
        thread_url=thread.url,
        board_name=thread.board.name or thread.board.external_id,
        source_name=thread.source.name,
        watch_groups=watch_groups_of(session, alert),
        figures=list(alert.figures),
        signals=list(alert.signals),
        spokesperson=_recipient(config, alert.spokesperson),
        backup=_recipient(config, alert.backup) if alert.backup else None,
        opened_at=alert.opened_at,
        respond_by=alert.respond_by,
        contacted_at=alert.contacted_at,
        playbook_name=alert.playbook,
        checklist=[
            ChecklistLine(title=item.title, due_at=item.due_at, done=item.done_at is not None)
            for _, item in steps_in_due_order(alert)
        ],
        escalated_from=escalated_from,
        excerpt=(first or "")[:EXCERPT_CHARS],
        also_on=also_on(session, alert),
        timezone=config.settings.general.timezone,
        notice_tag=NOTICE_TAGS.get(delivery.kind, "") if delivery else "",
        notice=_notice(delivery),
        acknowledged=alert.acknowledged_at is not None,
        actions=links,
        actions_for=name_of(config, delivery.recipient) if delivery else "",
        for_information=copy,
        as_backup=as_backup,
        terminal_for=delivery.recipient
        if delivery is not None and to_person and not links and (as_backup or not copy)
        else "",
        delivery_id=delivery.id if delivery else None,
    )


def _notice(delivery: Delivery | None) -> str:
    """Why the message comes now; a notice of messages given up is worded from the lines it stores."""
    if delivery is None:
        return ""
    return wording(delivery.notice) if delivery.kind == NOTICE_KIND else delivery.notice


def watch_groups_of(session: Session, alert: Alert) -> list[str]:
    """The watch groups the alert's thread names, the alert's own (whose route owns it) first: a copy
    sent to another brand's people says why it reached them."""
    return list(dict.fromkeys([alert.watch_group, *named_groups(session, alert.thread_id)]))


def also_on(session: Session, alert: Alert) -> list[str]:
    """The boards the story joined the alert from, in the order it reached them; a board of another
    forum with that forum's name (two forums may both have a 投诉维权 board), a copy on the alert's
    own board marked "posted again". The stored ``alert.also_on`` (board names) when none is linked."""
    own = alert.thread
    places: list[str] = []
    for thread in session.scalars(
        select(Thread)
        .join(AlertThread, AlertThread.thread_id == Thread.id)
        .where(AlertThread.alert_id == alert.id, AlertThread.role == "spread")
        .order_by(AlertThread.linked_at, AlertThread.id)
    ):
        board = thread.board.name or thread.board.external_id
        if thread.board_id == own.board_id:
            places.append(f"{board}（同版重发 posted again）")
        else:
            places.append(
                place_name(board, thread.source.name if thread.source_id != own.source_id else None)
            )
    return list(dict.fromkeys(places)) or list(alert.also_on)
