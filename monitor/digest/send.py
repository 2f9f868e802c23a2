"""Compose a week's digest, keep it, and email it; retried until sent, never sent twice.

A digest is composed once per week (:func:`compose`: figures from the store, rendered as text
and HTML) and kept as a :class:`~monitor.store.models.DigestRow` — one per week — before anything
is sent, so a failed send is retried with the same contents and a restart never sends a week
twice. A week is its 7 local days (:meth:`DigestPeriod.week`), however its end was given: a
digest sent by hand "until now" at 10:00 and one asked for at 18:00 are the same week
(:func:`stored`). The database holds it to one digest per week (``week_start`` is unique), and a
digest is claimed before it is emailed (:func:`send`), so two processes — the scheduler and a
send by hand, say — never both keep or both email the same week: the second gets
:class:`WeekTaken`. :func:`send_due` is what ``monitor run`` calls every few minutes: it composes
the week's digest once its slot has come (:mod:`monitor.digest.schedule`) and sends what is
pending, backing off while the SMTP server is down. Sending by hand (``monitor digest send``) is
:mod:`monitor.digest.by_hand`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime

from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.alerting.channels.email import EmailChannel, sender_domain, set_subject
from monitor.config.loader import MonitorConfig
from monitor.digest.figures import build_digest
from monitor.digest.model import DigestPeriod
from monitor.digest.reading import monitored_since
from monitor.digest.render import render_html, render_subject, render_text
from monitor.digest.schedule import LATE_GRACE, latest_slot, week_before
from monitor.errors import DeliveryError, MonitorError
from monitor.store.models import DigestRow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
SENDING_LEASE = timedelta(minutes=5)
"""How long a digest being sent is left to the process sending it before another may try it."""


class DigestError(MonitorError):
    """A digest cannot be sent as configured (no SMTP, nobody to send it to)."""


class WeekTaken(DigestError):
    """Another process kept or sent this week's digest meanwhile; this one does nothing."""


@dataclass(frozen=True)
class SendReport:
    digest_id: int | None  # the week's digest, if one is due or kept
    sent: bool
    error: str = ""


def recipients(config: MonitorConfig) -> list[str]:
    """Email addresses from ``[digest] recipients`` (keys or addresses); empty: every spokesperson."""
    names = config.settings.digest.recipients or tuple(p.key for p in config.routing.spokespeople)
    addresses = [name if "@" in name else config.spokesperson(name).email for name in names]
    return list(dict.fromkeys(addresses))


def compose(
    session: Session, config: MonitorConfig, period: DigestPeriod, now: datetime, negative_below: float
) -> DigestRow:
    """The week's digest, rendered (not yet stored)."""
    people = {p.key: p.name for p in config.routing.spokespeople}
    digest = build_digest(
        session,
        period,
        now,
        negative_below=negative_below,
        people=people,
        top=config.settings.digest.top_threads,
        watch_groups=config.watch_groups,
    )
    return DigestRow(
        week_start=period.week().start,
        period_start=period.start,
        period_end=period.end,
        created_at=now,
        subject=render_subject(digest),
        text=render_text(digest),
        html=render_html(digest),
        recipients=recipients(config),
        status="pending",
        attempts=0,
        last_error="",
        message_id="",
    )


def stored(session: Session, period: DigestPeriod) -> DigestRow | None:
    """The digest kept for ``period``'s week — the same 7 local days, whatever time its last day
    ended at. (A database from before weeks were held unique may keep more for a week: migration
    0010 gave the week to the one sent, if one was, else the one covering most of the week.)"""
    return session.scalar(select(DigestRow).where(DigestRow.week_start == period.week().start))


def keep(session: Session, row: DigestRow) -> None:
    """Store a newly composed digest; :class:`WeekTaken` when another process kept its week first
    (the session's transaction is then spoilt: let it roll back)."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise WeekTaken("another process kept this week's digest meanwhile; nothing was sent") from None


def recompose(row: DigestRow, fresh: DigestRow) -> None:
    """Give a kept digest ``fresh`` contents for its week (its id, tries and history stay)."""
    for field in ("period_start", "period_end", "created_at", "subject", "text", "html", "recipients"):
        setattr(row, field, getattr(fresh, field))


def send(
    session: Session,
    row: DigestRow,
    channel: EmailChannel | None,
    now: datetime,
    retry: timedelta,
    *,
    again: bool = False,
) -> None:
    """Email a kept digest once; on failure record why and when to try again (doubling, at most 1 h).

    Three steps, each committed, so the database is never locked while the mail server talks and
    a process killed mid-send neither loses the digest nor sends it twice on restart:

    1. the digest (kept, perhaps composed just now) and the attempt are committed — the attempt as a
       claim: ``attempts + 1``, status ``sending`` until :data:`SENDING_LEASE` from now, only if the
       digest is not sent (unless ``again``) nor in flight in another process; else :class:`WeekTaken`;
    2. the email goes out, no transaction open;
    3. the outcome is committed: ``sent``, or ``failed`` with the next try.

    A digest left ``sending`` by a killed process is tried again once its lease has run out.
    ``session`` must not be inside ``sessionmaker.begin()`` (this commits).
    """
    if channel is None:
        raise DigestError("the digest is emailed, but SMTP is off ([smtp] enabled = false in monitor.toml)")
    if not row.recipients:
        raise DigestError("nobody to send the digest to: routing.yaml defines no spokesperson")
    session.flush()
    claim = update(DigestRow).where(
        DigestRow.id == row.id,
        or_(
            DigestRow.status != "sending",
            DigestRow.next_attempt_at.is_(None),
            DigestRow.next_attempt_at <= now,
        ),
    )
    if not again:
        claim = claim.where(DigestRow.status != "sent")
    claimed = session.execute(
        claim.values(
            attempts=DigestRow.attempts + 1, status="sending", next_attempt_at=now + SENDING_LEASE
        ).execution_options(synchronize_session=False)
    )
    taken = not (isinstance(claimed, CursorResult) and claimed.rowcount == 1)
    if taken:
        session.commit()  # what this process kept or composed stays kept
        session.refresh(row)
        if row.status == "sent":
            sent = f" at {row.sent_at:%Y-%m-%d %H:%M} UTC" if row.sent_at else ""
            raise WeekTaken(f"digest #{row.id} was sent meanwhile{sent} by another process; not sent again")
        raise WeekTaken(f"digest #{row.id} is being sent by another process right now; not sent again")
    session.commit()
    session.refresh(row)
    try:
        row.message_id = channel.send_email(
            _email(row, channel.settings.sender, now), list(row.recipients), {"digest_id": row.id}
        )
    except DeliveryError as exc:
        row.status, row.last_error = "failed", str(exc)
        row.next_attempt_at = now + min(retry * 2 ** (row.attempts - 1), MAX_BACKOFF)
    else:
        row.status, row.sent_at, row.last_error, row.next_attempt_at = "sent", now, "", None
    session.commit()


def send_due(
    session: Session,
    config: MonitorConfig,
    channel: EmailChannel | None,
    now: datetime,
    negative_below: Callable[[], float],
) -> SendReport:
    """Compose the week's digest once its slot has come, and send it until it is sent.

    A slot missed by more than :data:`LATE_GRACE` (the monitor was down) is skipped, and so is a
    week that ended before the monitor first read anything (a first start on a Monday morning does
    not mail a digest of the week before it was installed; ``digest send`` still can). Without SMTP
    nothing is composed: there is no one to send it to. Commits as :func:`send` does (``session``
    must not be inside ``sessionmaker.begin()``); :class:`WeekTaken` when another process has the
    week (the caller lets its session go).
    """
    settings = config.settings
    if not settings.digest.enabled or channel is None:
        return SendReport(None, False)
    zone = settings.general.timezone
    slot = latest_slot(now, settings.digest.weekday, settings.digest.hour, zone)
    period = week_before(slot, zone)
    row = stored(session, period)
    if row is None:
        if now - slot > LATE_GRACE:
            return SendReport(None, False)
        since = monitored_since(session)
        if since is None or since >= period.end:  # a week nothing was read in: not a digest of a watch
            log.debug("weekly digest for the week to %s not sent: nothing was read that week", period.end)
            return SendReport(None, False)
        row = compose(session, config, period, now, negative_below())
        keep(session, row)
        log.info("weekly digest #%d composed for the week to %s", row.id, period.end.date())
    if row.status == "sent" or (row.next_attempt_at is not None and now < row.next_attempt_at):
        return SendReport(row.id, False, row.last_error)
    if row.period_end < period.end:  # kept unsent from a send by hand for part of the week
        recompose(row, compose(session, config, period, now, negative_below()))
    retry = timedelta(minutes=settings.schedule.delivery_retry_minutes)
    try:
        send(session, row, channel, now, retry)
    except WeekTaken:
        raise
    except DigestError as exc:
        row.status, row.last_error = "failed", str(exc)
        row.next_attempt_at = now + MAX_BACKOFF
        session.commit()
    if row.status == "sent":
        log.info("weekly digest #%d sent to %d recipients", row.id, len(row.recipients))
    else:
        log.warning("weekly digest #%d not sent (attempt %d): %s", row.id, row.attempts, row.last_error)
    return SendReport(row.id, row.status == "sent", row.last_error)


def _email(row: DigestRow, sender: str, now: datetime) -> EmailMessage:
    email = EmailMessage(policy=SMTP_POLICY)
    set_subject(email, row.subject)  # every space kept: the Chinese figures are full of them
    email["From"] = sender
    email["To"] = ", ".join(row.recipients)
    email["Date"] = format_datetime(now.astimezone(UTC))
    # The same at every attempt, so a digest sent again after a killed send is seen as the same one.
    stamp = int(row.period_start.timestamp())
    email["Message-ID"] = f"<monitor.digest{row.id}.{stamp}@{sender_domain(sender)}>"
    email["X-Monitor-Digest"] = row.period_end.astimezone(UTC).date().isoformat()
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(row.text, subtype="plain", charset="utf-8", cte="base64")
    email.add_alternative(row.html, subtype="html", charset="utf-8", cte="base64")
    return email
