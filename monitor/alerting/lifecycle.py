"""What people do to an alert: acknowledge, record the first contact, tick checklist steps, note
progress, hand it over to another spokesperson, resolve.

Every action lands in the alert's event trail with who did it and when. An action the alert's state
does not allow (an empty note, a resolve without its summary, a handover of a resolved alert) raises
``ValueError`` and changes nothing; the terminal and the web say why in their own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from monitor.alerting import deliveries, handover_notice
from monitor.config.loader import MonitorConfig
from monitor.errors import UnknownNameError
from monitor.store.models import Alert, AlertEvent, ChecklistItem, Delivery, Post

FIRST_CONTACT_STEP = "first_contact"
HANDED_OVER = "handed_over"  # the trail event of a handover; the delivery to the new owner is "handover"
OWNER_CHANGED = "spokesperson"  # an escalation's trail detail: "urgent -> very_urgent; spokesperson a -> b"


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise UnknownNameError(f"no alert #{alert_id}")
    return alert


def held(session: Session, alert_id: int) -> Alert:
    """The alert, read afresh with its row held until the transaction ends: call it first, before
    acting. Two people acting on one alert at the same moment (the spokesperson and the backup both
    pressing 确认, a double tap sending a form twice) then act one after the other, and the second
    sees what the first did — one acknowledgement, by whoever was first, not one each.

    A no-op ``UPDATE`` takes the row's write lock: PostgreSQL's row lock, SQLite's database write
    lock (it is the transaction's first statement, so it waits for a writer and then reads the
    latest data)."""
    no_op = update(Alert).where(Alert.id == alert_id).values(id=Alert.id)
    taken = session.execute(no_op.execution_options(synchronize_session=False))
    if not getattr(taken, "rowcount", 1):
        raise UnknownNameError(f"no alert #{alert_id}")
    alert = session.get(Alert, alert_id, populate_existing=True)
    if alert is None:  # pragma: no cover - the row was just updated
        raise UnknownNameError(f"no alert #{alert_id}")
    return alert


def _event(session: Session, alert: Alert, now: datetime, kind: str, actor: str, detail: str = "") -> None:
    session.add(AlertEvent(alert_id=alert.id, at=now, kind=kind, detail=detail, actor=actor))


def acknowledge(session: Session, alert: Alert, by: str, now: datetime) -> bool:
    """Take ownership; False when it was already acknowledged (nothing changes)."""
    if alert.acknowledged_at is not None:
        return False
    alert.acknowledged_at, alert.acknowledged_by = now, by
    if alert.status == "open":
        alert.status = "acknowledged"
    _event(session, alert, now, "acknowledged", by)
    return True


def tick(session: Session, alert: Alert, step: str, by: str, now: datetime) -> ChecklistItem:
    """Mark a checklist step done; ``step`` is its position (1-based), its step id, or a title prefix."""
    item = _find_step(alert, step)
    if item.done_at is None:
        item.done_at, item.done_by = now, by
        _event(session, alert, now, "checklist", by, f"done: {item.title}")
        if item.step_id == FIRST_CONTACT_STEP:
            contacted(session, alert, by, now)
    return item


def contacted(session: Session, alert: Alert, by: str, now: datetime) -> None:
    """The complainant has been contacted: the first-contact SLA is met (or missed) now."""
    if alert.contacted_at is not None:
        return
    alert.contacted_at = now
    late = now > alert.respond_by
    _event(session, alert, now, "contacted", by, "late: after the first-contact deadline" if late else "")
    acknowledge(session, alert, by, now)
    for item in alert.checklist:  # the step is done, in the trail as if ticked
        if item.step_id == FIRST_CONTACT_STEP and item.done_at is None:
            item.done_at, item.done_by = now, by
            _event(session, alert, now, "checklist", by, f"done: {item.title}")


MAX_NOTE_CHARS = 2000


def _kept(text: str) -> str:
    """A note as kept in the trail: its words on one line, at most ``MAX_NOTE_CHARS``."""
    return " ".join(text.split())[:MAX_NOTE_CHARS]


def note(session: Session, alert: Alert, by: str, now: datetime, text: str) -> str:
    """A progress note in the trail (持续反馈: what the customer was told, what was done).

    On an alert still being handled it restarts the progress clock: the next progress prompt
    comes a full interval after the last feedback, not after the last prompt. Returns the note
    as kept (stripped, at most ``MAX_NOTE_CHARS``); an empty note is refused.
    """
    kept = _kept(text)
    if not kept:
        raise ValueError("an empty note: say what the customer was told or what was done")
    if _just_noted(session, alert, by, kept, now):  # the same form sent twice (a double tap)
        return kept
    _event(session, alert, now, "note", by, kept)
    if alert.status != "resolved":
        alert.progress_prompted_at = now
    return kept


SAME_NOTE_WITHIN = timedelta(minutes=10)


def _just_noted(session: Session, alert: Alert, by: str, kept: str, now: datetime) -> bool:
    """``by`` added this very note within :data:`SAME_NOTE_WITHIN` (another action may lie between)."""
    same = select(AlertEvent.id).where(
        AlertEvent.alert_id == alert.id,
        AlertEvent.kind == "note",
        AlertEvent.actor == by,
        AlertEvent.detail == kept,
        AlertEvent.at >= now - SAME_NOTE_WITHIN,
    )
    return session.scalar(same.limit(1)) is not None


def resolve(session: Session, alert: Alert, by: str, now: datetime, note: str) -> bool:
    """Close the alert with how it was resolved (投诉总结, the complaint summary: seed documents
    require one at the close). False when it was already resolved: nothing changes, and
    :func:`resolution` says by whom and when. A summary with no words in it is refused."""
    if alert.status == "resolved":
        return False
    kept = note.strip()[:MAX_NOTE_CHARS]
    if not kept:
        raise ValueError("say how it was resolved: the complaint summary (投诉总结) is kept in the trail")
    alert.status = "resolved"
    alert.resolved_at = now
    _event(session, alert, now, "resolved", by, kept)
    return True


def resolution(session: Session, alert: Alert) -> tuple[str, datetime | None]:
    """Who resolved the alert (the latest close, after a reopening) and when."""
    event = session.scalar(
        select(AlertEvent)
        .where(AlertEvent.alert_id == alert.id, AlertEvent.kind == "resolved")
        .order_by(AlertEvent.id.desc())
        .limit(1)
    )
    return (event.actor if event else "someone", alert.resolved_at or (event.at if event else None))


def hand_over(
    session: Session,
    config: MonitorConfig,
    alert: Alert,
    to: str,
    by: str,
    now: datetime,
    note: str = "",
    *,
    by_name: str | None = None,
) -> None:
    """Make ``to`` (a spokesperson's key in routing.yaml) the alert's spokesperson, with their own
    backup, and tell them through the outbox (a ``handover`` delivery on each of their channels).

    The SLA clocks run on from the alert's own times: the first-contact deadline the customer was
    promised stands, an acknowledgement already made stays made, and an escalation already sent is
    not sent again; a later escalation to the backup goes to the new owner's backup. A person chose
    the new owner here, so nothing is withdrawn — unlike an escalation the routing tree gives to
    someone else, whose new owner must acknowledge it afresh
    (:func:`monitor.alerting.owner_change.ask_new_owner_to_acknowledge`). The trail records who
    handed it to whom, and why (``note``). ``by_name``: how the new owner's message
    names ``by`` (default: the spokesperson ``by`` is the key of, else ``by`` as given).

    Refused (``ValueError``, nothing changes) when the alert is resolved or already ``to``'s;
    ``UnknownNameError`` when ``to`` is not a spokesperson.
    """
    person = config.spokesperson(to)
    if alert.status == "resolved":
        raise ValueError(
            f"alert #{alert.id} is resolved: a resolved alert cannot be handed over "
            "(it reopens, with its spokesperson, if the thread flares up again)"
        )
    if person.key == alert.spokesperson:
        raise ValueError(
            f"alert #{alert.id} is already with {person.key} ({person.name}): nothing was changed"
        )
    previous = alert.spokesperson
    alert.spokesperson = person.key
    alert.backup = person.backup if person.backup and person.backup != person.key else None
    why = _kept(note)
    _event(session, alert, now, HANDED_OVER, by, f"{previous} -> {person.key}" + (f": {why}" if why else ""))
    giver, owner = by_name or name_of(config, by), name_of(config, previous)
    taken = actor_key(by) == person.key  # the backup (say) took it over themselves
    zone = config.settings.general.timezone
    notice = handover_notice.to_new_owner(alert, zone, giver, owner, taken=taken, why=why)
    deliveries.queue(session, config, alert, person.key, now, kind="handover", notice=notice)
    if actor_key(by) != previous and any(p.key == previous for p in config.routing.spokespeople):
        told = handover_notice.to_previous_owner(giver, person.name, taken=taken)
        deliveries.queue(session, config, alert, previous, now, kind="copy", notice=told)
    session.flush()


def handed_over(session: Session, alert: Alert) -> bool:
    """Someone has handed the alert over: its spokesperson is no longer the routing tree's to change."""
    found = session.scalar(
        select(AlertEvent.id).where(AlertEvent.alert_id == alert.id, AlertEvent.kind == HANDED_OVER).limit(1)
    )
    return found is not None


def kept_by_handover(session: Session, config: MonitorConfig, alert: Alert) -> bool:
    """An alert someone handed over stays with whom they handed it to (still in routing.yaml) when
    it escalates: the routing tree's owner may be the one who is away."""
    if not handed_over(session, alert):
        return False
    return any(person.key == alert.spokesperson for person in config.routing.spokespeople)


# how the trail marks an action taken on a page: from a signed link, or signed in to the dashboard
WEB_ACTOR_SUFFIXES = (" (web link)", " (web)")


def actor_key(actor: str) -> str:
    """The person behind a trail's actor: ``li_na (web link)`` and ``li_na (web)`` are ``li_na``."""
    for suffix in WEB_ACTOR_SUFFIXES:
        if actor.endswith(suffix):
            return actor[: -len(suffix)]
    return actor


def name_of(config: MonitorConfig, key: str) -> str:
    """A spokesperson's name (``key`` may be a trail's actor), or the key as given (an ops colleague,
    a login name)."""
    try:
        return config.spokesperson(actor_key(key)).name
    except UnknownNameError:
        return key


def steps_in_due_order(alert: Alert) -> list[tuple[int, ChecklistItem]]:
    """The checklist as it is shown: soonest due first, each step with its number.

    A step's number is its place in the order the steps were added, and never changes: an
    escalation adds the new tier's steps after the others (some due sooner), and ``alerts tick N``
    typed from an earlier listing, or a button on a page opened before, must still mean the same
    step.
    """
    numbered = list(enumerate(alert.checklist, start=1))
    return sorted(
        numbered, key=lambda pair: (pair[1].due_at is None, pair[1].due_at or alert.opened_at, pair[0])
    )


def _find_step(alert: Alert, step: str) -> ChecklistItem:
    """The step a number, a step id or the start of a title names; an error when it names none
    or several (a title's start shared by two steps must not tick the first one silently)."""
    items = list(alert.checklist)
    wanted = step.strip()
    if not wanted:
        raise UnknownNameError(f"alert #{alert.id}: which checklist step? Give its number, id or title")
    if wanted.isdigit() and 1 <= int(wanted) <= len(items):
        return items[int(wanted) - 1]
    by_id = [item for item in items if item.step_id == wanted]
    found = by_id or [item for item in items if item.title.startswith(wanted)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnknownNameError(f"alert #{alert.id} has no checklist step {wanted!r}")
    numbers = ", ".join(str(items.index(item) + 1) for item in found)
    raise UnknownNameError(
        f"alert #{alert.id}: {wanted!r} starts {len(found)} checklist steps ({numbers}); give the number"
    )


@dataclass(frozen=True)
class FirstHour:
    """The alert's first-hour timeline: each moment, or None if it has not happened."""

    published: datetime | None
    first_crawled: datetime
    opened: datetime
    delivered: datetime | None
    acknowledged: datetime | None
    contacted: datetime | None


def first_hour(session: Session, alert: Alert) -> FirstHour:
    published = session.scalar(
        select(Post.posted_at).where(Post.thread_id == alert.thread_id).order_by(Post.floor).limit(1)
    )
    # the round's first acknowledgement: one an escalation withdrew from the alert when it changed hands
    # (owner_change.ask_new_owner_to_acknowledge) still came within the first hour
    acknowledged = session.scalar(
        select(func.min(AlertEvent.at)).where(
            AlertEvent.alert_id == alert.id,
            AlertEvent.kind == "acknowledged",
            AlertEvent.at >= alert.clock_start,
        )
    )
    delivered = session.scalar(
        select(Delivery.sent_at)
        .where(Delivery.alert_id == alert.id, Delivery.status == "sent", Delivery.channel != "console")
        .order_by(Delivery.sent_at)
        .limit(1)
    )
    return FirstHour(
        published=published,
        first_crawled=alert.thread.first_seen_at,
        opened=alert.opened_at,
        delivered=delivered,
        acknowledged=acknowledged or alert.acknowledged_at,
        contacted=alert.contacted_at,
    )
