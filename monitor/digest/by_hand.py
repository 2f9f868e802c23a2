"""Sending the digest by hand (``monitor digest send``): a week at most once, a failed one retried.

:func:`send_week` composes a week's digest now and emails it. The week's kept digest is reused —
composed afresh into the same row, so the list keeps one digest per week — and a week already
sent is refused (:class:`AlreadySent`) unless ``again``. :func:`retry` sends one kept digest again
as it was composed (``--retry ID``, what the message after a failed send suggests).

Errors, under :class:`~monitor.digest.send.DigestError`::

    DigestError
    ├── AlreadySent      the week's digest was sent already (names it and when)
    ├── WeekTaken        another process kept or sent the week meanwhile (monitor.digest.send)
    └── UnknownDigest    (also LookupError) no digest is kept under that id
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from monitor.alerting.channels.email import EmailChannel
from monitor.config.loader import MonitorConfig
from monitor.digest.model import DigestPeriod
from monitor.digest.send import DigestError, compose, keep, recompose, send, stored
from monitor.store.models import DigestRow


class AlreadySent(DigestError):
    """The week's digest was sent already; ``--again`` sends it once more."""

    def __init__(self, row: DigestRow, timezone: str) -> None:
        self.digest_id = row.id
        self.sent_at = row.sent_at
        week = period_of(row, timezone).week().label()
        at = f" at {row.sent_at.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M}" if row.sent_at else ""
        super().__init__(
            f"digest #{row.id} for the week {week} was already sent{at}; --again sends it once more"
        )


class UnknownDigest(DigestError, LookupError):
    """No digest is kept under the id asked for."""

    def __init__(self, digest_id: int) -> None:
        self.digest_id = digest_id
        super().__init__(f"no digest #{digest_id} is kept (`monitor digest list` shows them)")


def period_of(row: DigestRow, timezone: str) -> DigestPeriod:
    """The period a kept digest covers."""
    return DigestPeriod(start=row.period_start, end=row.period_end, timezone=timezone)


def send_week(
    session: Session,
    config: MonitorConfig,
    channel: EmailChannel | None,
    period: DigestPeriod,
    now: datetime,
    negative_below: float,
    *,
    again: bool = False,
) -> DigestRow:
    """Compose ``period``'s digest now, keep it and email it once; the row, sent or failed.

    A week kept but not sent is composed afresh into the same row (its figures may have grown)
    and sent; a week already sent raises :class:`AlreadySent`, unless ``again``.
    """
    row = stored(session, period)
    if row is not None and row.status == "sent" and not again:
        raise AlreadySent(row, period.timezone)
    fresh = compose(session, config, period, now, negative_below)
    if row is None:
        row = fresh
        keep(session, row)
    else:
        recompose(row, fresh)
    _send_now(session, row, config, channel, now, again)
    return row


def retry(
    session: Session,
    config: MonitorConfig,
    channel: EmailChannel | None,
    digest_id: int,
    now: datetime,
    *,
    again: bool = False,
) -> DigestRow:
    """Email kept digest ``digest_id`` again, as it was composed; the row, sent or failed.

    Refused (:class:`AlreadySent`) when its week was sent already — by this digest or, in a
    database from before weeks were matched by their days, another one — unless ``again``.
    """
    row = session.get(DigestRow, digest_id)
    if row is None:
        raise UnknownDigest(digest_id)
    timezone = config.settings.general.timezone
    sent = row if row.status == "sent" else stored(session, period_of(row, timezone))
    if sent is not None and sent.status == "sent" and not again:
        raise AlreadySent(sent, timezone)
    _send_now(session, row, config, channel, now, again)
    return row


def _send_now(
    session: Session,
    row: DigestRow,
    config: MonitorConfig,
    channel: EmailChannel | None,
    now: datetime,
    again: bool,
) -> None:
    row.next_attempt_at = None
    retry_in = timedelta(minutes=config.settings.schedule.delivery_retry_minutes)
    send(session, row, channel, now, retry_in, again=again)
