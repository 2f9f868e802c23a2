"""Two processes on one week's digest — the scheduler and a send by hand, say — never both keep it
nor both email it: the database holds one digest per week (``digests.week_start`` is unique,
migration 0010) and a send is claimed in the database before the email goes out.

On SQLite and PostgreSQL (``db_url``), over the loopback SMTP sink, with digest_setup.py's
thread. The other process's work is done in its own session and committed at the moment that
matters (in the middle of this one's), so the interleaving is deterministic; nothing sleeps.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from digest_setup import NEGATIVE_BELOW, SHANGHAI, SLOT, Setup

from monitor.app import build
from monitor.demo.smtp_sink import MailSink
from monitor.digest import send as digest_send
from monitor.digest.by_hand import send_week
from monitor.digest.model import DigestPeriod
from monitor.digest.schedule import week_before
from monitor.digest.send import WeekTaken, compose, keep, send, stored
from monitor.store.db import make_engine, upgrade
from monitor.store.models import DigestRow

TIMEZONE = "Asia/Shanghai"
MORNING = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
RETRY = timedelta(minutes=2)


def _send_by_hand(setup: Setup, now: datetime) -> DigestRow:
    """The other process: ``monitor digest send`` for the week before the slot, committed."""
    with setup.sessions() as session:
        row = send_week(session, setup.config, setup.channel, _week(), now, NEGATIVE_BELOW)
        session.commit()
        return row


def _week() -> DigestPeriod:
    return week_before(SLOT, TIMEZONE)


def test_a_week_kept_by_another_process_meanwhile_is_neither_kept_nor_sent_again(
    setup: Setup, sink: MailSink
) -> None:
    with setup.sessions() as session:
        assert stored(session, _week()) is None  # this process looks: nothing kept yet
        fresh = compose(session, setup.config, _week(), SLOT, NEGATIVE_BELOW)
        _send_by_hand(setup, SLOT)  # ... and another one keeps and sends the week meanwhile
        with pytest.raises(WeekTaken, match="another process kept this week's digest"):
            keep(session, fresh)
        session.rollback()
    assert sink.wait_for(1)
    assert len(setup.rows()) == 1 and len(sink.messages) == 1


def test_the_scheduler_steps_aside_when_a_send_by_hand_takes_the_week_while_it_composes(
    setup: Setup, sink: MailSink, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    composing = digest_send.compose

    def compose_while_someone_sends_by_hand(*args: object, **kwargs: object) -> DigestRow:
        _send_by_hand(setup, SLOT + timedelta(minutes=1))
        return composing(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(digest_send, "compose", compose_while_someone_sends_by_hand)
    app = build(setup.config)
    try:
        with caplog.at_level(logging.INFO, logger="monitor.app"):
            report = app.send_due_digest((SLOT + timedelta(minutes=1)).astimezone(UTC))
    finally:
        app.close()
    assert (report.digest_id, report.sent) == (None, False)
    assert "another process kept this week's digest" in caplog.text
    assert sink.wait_for(1)
    [row] = setup.rows()
    assert (row.status, row.attempts) == ("sent", 1) and len(sink.messages) == 1


def test_a_failed_digest_retried_by_two_processes_goes_out_once(setup: Setup, sink: MailSink) -> None:
    sink.stop()
    assert _send_by_hand(setup, SLOT).status == "failed"
    sink.start()
    with setup.sessions() as session:
        row = stored(session, _week())  # this process sees it unsent, and is about to send it
        assert row is not None and row.status == "failed"
        setup.tick(SLOT + timedelta(minutes=5))  # ... when the scheduler retries it and commits
        with pytest.raises(
            WeekTaken, match=rf"^digest #{row.id} was sent meanwhile at .* by another process"
        ):
            send(session, row, setup.channel, SLOT + timedelta(minutes=5), RETRY)
        session.rollback()
    assert sink.wait_for(1)
    [kept] = setup.rows()
    assert (kept.status, kept.attempts, len(sink.messages)) == ("sent", 2, 1)
    # asked for once more on purpose (--again), it goes out again
    with setup.sessions() as session:
        again = stored(session, _week())
        assert again is not None
        send(session, again, setup.channel, SLOT + timedelta(hours=1), RETRY, again=True)
    assert sink.wait_for(2)


def test_migration_0010_gives_each_week_to_its_sent_or_widest_digest_and_keeps_the_rest(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0009")
    week = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # 11-30 00:00 in Shanghai
    earlier = week - timedelta(days=7)
    legacy = [  # id, start, until (hours into the week), status
        (1, earlier, 150, "failed"), (2, earlier, 160, "failed"),  # a week never sent: the widest
        (3, week, 100, "failed"), (4, week, 120, "sent"), (5, week, 140, "failed"),  # the sent one
    ]  # fmt: skip
    with engine.begin() as connection:
        for digest_id, start, hours, status in legacy:
            end = (start + timedelta(hours=hours)).replace(tzinfo=None)
            connection.execute(
                sa.text(
                    "insert into digests (id, period_start, period_end, created_at, subject, text, html, "
                    "recipients, status, attempts, last_error, message_id) values (:id, :start, :end, :end, "
                    "'s', 't', 'h', '[]', :status, 1, '', '')"
                ),
                {"id": digest_id, "start": start.replace(tzinfo=None), "end": end, "status": status},
            )
    upgrade(engine)
    with engine.connect() as connection:
        weeks: dict[int, object] = dict(
            connection.execute(sa.text("select id, week_start from digests order by id")).all()
        )
    given = {digest_id for digest_id, start in weeks.items() if start is not None}
    assert len(weeks) == 5 and given == {2, 4}  # nothing deleted
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            sa.text(
                "update digests set week_start = (select week_start from digests where id = 4) where id = 5"
            )
        )
    engine.dispose()
