"""A digest in flight: kept and claimed before the email goes out, no transaction open while the
mail server talks, and a process killed mid-send neither loses the week nor sends it twice.

Real SQLite file (and PostgreSQL, ``db_url``), real loopback SMTP sink; a "kill" is a SystemExit
raised by the channel in the middle of its send, after which a fresh session — a new process —
carries on from what the database holds. Time is passed in.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from digest_setup import NEGATIVE_BELOW, SLOT, Setup

from monitor.alerting.channels.email import EmailChannel
from monitor.demo.smtp_sink import MailSink
from monitor.digest.send import SENDING_LEASE, send_due
from monitor.store.db import make_engine


class _Meanwhile(EmailChannel):
    """The real channel, with something done just before the email goes out."""

    def __init__(self, real: EmailChannel, meanwhile: Any) -> None:
        super().__init__(real.settings)
        self.meanwhile = meanwhile

    def send_email(self, email: EmailMessage, to: list[str], about: dict[str, object]) -> str:
        self.meanwhile()
        return super().send_email(email, to, about)


def _due(setup: Setup, channel: EmailChannel, minutes: float) -> None:
    with setup.sessions() as session:
        send_due(
            session,
            setup.config,
            channel,
            (SLOT + timedelta(minutes=minutes)).astimezone(UTC),
            lambda: NEGATIVE_BELOW,
        )


def test_the_database_is_not_locked_while_the_email_is_sent(
    setup: Setup, sink: MailSink, db_url: str
) -> None:
    """Another process (`monitor alerts note`, the crawl) writes while the digest's email is out."""
    seen: list[tuple[str, int]] = []
    other = make_engine(db_url)

    def another_process_writes() -> None:
        with other.connect() as connection:  # waiting at most half a second for a lock
            if other.dialect.name == "postgresql":
                connection.execute(sa.text("SET lock_timeout = '500ms'"))
            else:
                connection.exec_driver_sql("PRAGMA busy_timeout = 500")
            connection.execute(sa.text("update digests set last_error = 'note' where id = 1"))
            status = connection.execute(sa.text("select status, attempts from digests where id = 1")).one()
            connection.commit()
            seen.append((status[0], status[1]))

    _due(setup, _Meanwhile(setup.channel, another_process_writes), 2)
    other.dispose()
    # the digest was kept and claimed (committed) before the email went out
    assert seen == [("sending", 1)]
    assert sink.wait_for(1)
    [row] = setup.rows()
    assert (row.status, row.attempts) == ("sent", 1)


def test_a_send_killed_midway_is_sent_once_after_the_restart(setup: Setup, sink: MailSink) -> None:
    def killed() -> None:
        raise SystemExit("killed while the email was going out")

    with pytest.raises(SystemExit):
        _due(setup, _Meanwhile(setup.channel, killed), 2)
    [row] = setup.rows()  # the week is kept, not lost, and marked in flight
    assert (row.status, row.attempts) == ("sending", 1)

    _due(setup, setup.channel, 3)  # restarted at once: the killed send's lease still holds
    assert setup.rows()[0].status == "sending" and sink.messages == []
    lapsed = 2 + SENDING_LEASE.total_seconds() / 60 + 1
    _due(setup, setup.channel, lapsed)
    _due(setup, setup.channel, lapsed + 5)
    assert sink.wait_for(1)
    [row] = setup.rows()
    assert (row.status, row.attempts, len(sink.messages)) == ("sent", 2, 1)
