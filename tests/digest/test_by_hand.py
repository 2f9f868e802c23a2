"""Sending the digest by hand (``monitor digest send``): a week at most once, a failed send retried
on the same digest, and the scheduler agreeing on what "the same week" is.

On SQLite and PostgreSQL (``db_url``), over the loopback SMTP sink, with the setup of
digest_setup.py (one watched thread, 4 posts on 12-05). Time is passed in; nothing sleeps. The
message a user reads after a failed send, and the command it gives, run in subprocesses.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from digest_setup import NEGATIVE_BELOW, SHANGHAI, SLOT, Setup
from sqlalchemy.orm import Session

from monitor.cli import main
from monitor.demo.smtp_sink import MailSink
from monitor.digest.by_hand import AlreadySent, UnknownDigest, retry, send_week
from monitor.digest.model import DigestPeriod
from monitor.digest.send import compose
from monitor.store.models import DigestRow

TIMEZONE = "Asia/Shanghai"
MORNING = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)  # `--until now` on Monday 12-07 ...
EVENING = datetime(2026, 12, 7, 18, 30, tzinfo=SHANGHAI)  # ... and again that evening
MONITOR = [sys.executable, "-m", "monitor.cli"]


def _send(setup: Setup, until: datetime, now: datetime | None = None, *, again: bool = False) -> DigestRow:
    """``monitor digest send --until UNTIL`` at ``now`` (default: ``until``, i.e. ``--until now``)."""
    with setup.sessions() as session:
        period = DigestPeriod.days_to(until, TIMEZONE)
        row = send_week(
            session, setup.config, setup.channel, period, now or until, NEGATIVE_BELOW, again=again
        )
        session.commit()
        return row


def _retry(setup: Setup, digest_id: int, now: datetime, *, again: bool = False) -> DigestRow:
    with setup.sessions() as session:
        row = retry(session, setup.config, setup.channel, digest_id, now, again=again)
        session.commit()
        return row


def test_a_week_sent_by_hand_is_refused_later_that_day_unless_again(setup: Setup, sink: MailSink) -> None:
    first = _send(setup, MORNING)
    assert (first.id, first.status) == (1, "sent") and sink.wait_for(1)

    for until in (EVENING, datetime(2026, 12, 8, 0, 0, tzinfo=SHANGHAI)):  # `now` later; `--until 2026-12-08`
        with pytest.raises(AlreadySent) as refused:
            _send(setup, until, EVENING)
        assert str(refused.value) == (
            "digest #1 for the week 2026-12-01 – 2026-12-07 was already sent at 2026-12-07 10:00; "
            "--again sends it once more"
        )
        assert refused.value.digest_id == 1
    assert len(sink.messages) == 1 and len(setup.rows()) == 1

    again = _send(setup, EVENING, again=True)
    assert sink.wait_for(2)
    [kept] = setup.rows()  # the same digest, now as sent the second time
    assert (again.id, kept.status, kept.attempts, kept.period_end) == (1, "sent", 2, EVENING)
    assert kept.sent_at == EVENING
    # the week before is another week
    assert _send(setup, MORNING - timedelta(days=1)).id == 2


def test_a_failed_send_is_retried_on_the_same_digest_as_it_was_composed(setup: Setup, sink: MailSink) -> None:
    sink.stop()
    failed = _send(setup, MORNING)
    assert (failed.id, failed.status, failed.attempts) == (1, "failed", 1)
    assert f"SMTP server 127.0.0.1:{sink.port} failed" in failed.last_error
    sink.start()

    sent = _retry(setup, 1, MORNING + timedelta(minutes=20))
    assert sink.wait_for(1)
    [kept] = setup.rows()
    assert (sent.id, kept.status, kept.attempts, kept.last_error) == (1, "sent", 2, "")
    assert kept.sent_at == MORNING + timedelta(minutes=20) and kept.next_attempt_at is None
    assert sink.messages[0].get_body(("plain",)).get_content().replace("\r\n", "\n") == failed.text

    with pytest.raises(
        AlreadySent, match=r"^digest #1 for the week 2026-12-01 – 2026-12-07 was already sent at"
    ):
        _retry(setup, 1, EVENING)
    _retry(setup, 1, EVENING, again=True)
    assert sink.wait_for(2) and len(setup.rows()) == 1
    with pytest.raises(UnknownDigest, match=r"^no digest #9 is kept") as unknown:
        _retry(setup, 9, EVENING)
    assert isinstance(unknown.value, LookupError)


def test_sending_a_failed_week_again_reuses_its_digest(setup: Setup, sink: MailSink) -> None:
    sink.stop()
    assert _send(setup, MORNING).status == "failed"
    sink.start()
    later = _send(setup, MORNING + timedelta(hours=1))  # `--until now` an hour later: composed afresh
    assert sink.wait_for(1)
    [kept] = setup.rows()
    assert (later.id, kept.status, kept.attempts) == (1, "sent", 2)
    assert kept.period_end == MORNING + timedelta(hours=1)


def test_the_scheduler_does_not_send_a_week_already_sent_by_hand(setup: Setup, sink: MailSink) -> None:
    sunday_evening = SLOT - timedelta(hours=13)  # 12-06 20:00: the slot's week, its last day partial
    assert _send(setup, sunday_evening).status == "sent" and sink.wait_for(1)
    setup.tick(SLOT)
    setup.tick(SLOT + timedelta(hours=1))
    assert len(sink.messages) == 1 and len(setup.rows()) == 1


def test_a_week_kept_unsent_by_hand_goes_out_whole_from_the_scheduler(setup: Setup, sink: MailSink) -> None:
    sink.stop()
    assert _send(setup, SLOT - timedelta(hours=13)).status == "failed"
    sink.start()
    setup.tick(SLOT)
    assert sink.wait_for(1)
    [kept] = setup.rows()  # the same digest, composed for the whole week before sending
    assert (kept.id, kept.status, kept.attempts) == (1, "sent", 2)
    assert (kept.period_start, kept.period_end) == (
        SLOT - timedelta(days=7, hours=9),
        SLOT - timedelta(hours=9),
    )
    assert sink.messages[0]["X-Monitor-Digest"] == "2026-12-06"


def test_list_shows_one_digest_per_week_and_what_became_of_older_duplicates(
    setup: Setup, sink: MailSink, capsys: pytest.CaptureFixture[str]
) -> None:
    sink.stop()
    _send(setup, MORNING)
    sink.start()
    _retry(setup, 1, MORNING + timedelta(minutes=5))
    # a database from before weeks were matched by their days: two failed tries of the week before,
    # each its own digest, then a third one sent; migration 0010 gave the week to the one sent
    for hour, status in ((9, "failed"), (10, "failed"), (11, "sent")):
        at = MORNING - timedelta(days=1) + timedelta(hours=hour - 10)
        with setup.sessions.begin() as session:
            legacy = _compose_only(setup, session, at)
            legacy.status, legacy.attempts = status, 1
            legacy.sent_at = at if status == "sent" else None
            legacy.week_start = legacy.week_start if status == "sent" else None
            session.add(legacy)
    assert main(["digest", "list", "--config", str(setup.dir)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("#1  2026-12-01 – 2026-12-07 (until 10:00)  sent 2026-12-07 10:05, 2 tries  ")
    assert listed[1].startswith("#4  2026-11-30 – 2026-12-06 (until 11:00)  sent 2026-12-06 11:00, 1 try  ")
    assert listed[2].startswith(
        "#3  2026-11-30 – 2026-12-06 (until 10:00)  failed, 1 try; the week went out as #4  "
    )
    assert listed[3].startswith(
        "#2  2026-11-30 – 2026-12-06 (until 09:00)  failed, 1 try; the week went out as #4  "
    )
    assert main(["digest", "list", "--config", str(setup.dir), "--json"]) == 0
    kept = json.loads(capsys.readouterr().out)
    assert [(d["id"], d["status"], d["week_sent_as"], d["until"]) for d in kept] == [
        (1, "sent", None, "2026-12-07 10:00"),
        (4, "sent", None, "2026-12-06 11:00"),
        (3, "failed", 4, "2026-12-06 10:00"),
        (2, "failed", 4, "2026-12-06 09:00"),
    ]
    # and that week counts as sent: neither a retry of #2 nor another send goes out
    with pytest.raises(
        AlreadySent, match=r"^digest #4 for the week 2026-11-30 – 2026-12-06 was already sent"
    ):
        _retry(setup, 2, EVENING)
    with pytest.raises(AlreadySent, match=r"^digest #4 "):
        _send(setup, MORNING - timedelta(days=1), EVENING)
    assert len(sink.messages) == 1


def _compose_only(setup: Setup, session: Session, until: datetime) -> DigestRow:
    return compose(session, setup.config, DigestPeriod.days_to(until, TIMEZONE), until, NEGATIVE_BELOW)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.run(
        [*MONITOR, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_the_command_given_after_a_failed_send_sends_that_digest_with_the_config_used(
    tmp_path: Path, sink: MailSink
) -> None:
    """As a user runs it: ``--config b`` (not the default ./config), the SMTP server down."""
    Setup(tmp_path, sink).close()
    (tmp_path / "config").rename(tmp_path / "b")
    sink.stop()
    failed = _run(tmp_path, "digest", "send", "--config", "b", "--until", "2026-12-07 10:00")
    assert failed.returncode == 1
    hint = re.fullmatch(
        r"error: digest #1 kept but not sent: email to SMTP server 127\.0\.0\.1:\d+ failed: .+; "
        r"try again: (monitor digest send --config b --retry 1)",
        failed.stderr.splitlines()[-1],
    )
    assert hint, failed.stderr

    sink.start()
    again = shlex.split(hint.group(1))
    assert again[0] == "monitor"
    retried = _run(tmp_path, *again[1:])
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.startswith("digest #1 sent to li.na@pr.demo.invalid, ")
    assert sink.wait_for(1)

    # `--until now` that evening: the same week, refused
    refused = _run(tmp_path, "digest", "send", "--config", "b", "--until", "2026-12-07 18:30")
    assert refused.returncode == 1
    assert re.fullmatch(
        r"error: digest #1 for the week 2026-12-01 – 2026-12-07 was already sent at "
        r"\d{4}-\d\d-\d\d \d\d:\d\d; "
        r"--again sends it once more",
        refused.stderr.splitlines()[-1],
    ), refused.stderr
    listed = _run(tmp_path, "digest", "list", "--config", "b")
    [line] = listed.stdout.splitlines()
    assert re.match(
        r"#1  2026-12-01 – 2026-12-07 \(until 10:00\)  sent \S+ \S+, 2 tries  周报 Weekly digest ", line
    )
    assert len(sink.messages) == 1
