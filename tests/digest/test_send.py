"""Sending the weekly digest: due at its slot, kept before it is sent, retried, never sent twice.

Over a real loopback SMTP server (monitor.demo.smtp_sink.MailSink, aiosmtpd) and a real SQLite
file, with the packaged demo configuration (three spokespeople, Asia/Shanghai, digest on Monday
09:00; digest_setup.py). Time is passed in; nothing sleeps. Also: ``monitor digest preview|send|list`` and the
``[digest]`` settings' checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from digest_setup import NEGATIVE_BELOW, SHANGHAI, SLOT, Setup, config_dir
from sqlalchemy import func, select, update

from monitor.app import build
from monitor.cli import main
from monitor.config.loader import load_config
from monitor.demo.smtp_sink import MailSink
from monitor.errors import ConfigError
from monitor.scheduling import add_jobs
from monitor.store.models import DigestRow, Thread


def test_the_digest_goes_out_once_at_its_slot_to_every_spokesperson(tmp_path: Path, sink: MailSink) -> None:
    setup = Setup(tmp_path, sink)
    setup.tick(SLOT - timedelta(minutes=1))
    assert setup.rows() == [] and sink.messages == []  # not due yet: nothing composed

    setup.tick(SLOT + timedelta(minutes=2))
    assert sink.wait_for(1)
    mail: EmailMessage = sink.messages[0]
    assert mail["Subject"] == "周报 Weekly digest 11-30 – 12-06：4 条帖子，负面 67 %，0 个告警"
    assert mail["X-Monitor-Digest"] == "2026-12-06"
    assert set(sink.envelopes[0].rcpt_tos) == {
        "li.na@pr.demo.invalid", "wang.qiang@pr.demo.invalid", "zhao.min@pr.demo.invalid",
    }  # fmt: skip
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Posts on watched threads: 4 (no posts last week)" in text
    assert "途乐旅行退款三个月没到账 <b>急</b>" in text  # plain text: as written
    assert "途乐旅行退款三个月没到账 &lt;b&gt;急&lt;/b&gt;" in html and "<b>急</b>" not in html
    [row] = setup.rows()
    assert (row.status, row.attempts, row.message_id) == ("sent", 1, mail["Message-ID"])

    for later in (timedelta(minutes=4), timedelta(hours=5), timedelta(days=3)):
        setup.tick(SLOT + later)
    assert len(sink.messages) == 1 and len(setup.rows()) == 1  # never twice


def test_a_digest_is_kept_while_smtp_is_down_and_sent_with_the_same_contents_later(
    tmp_path: Path, sink: MailSink
) -> None:
    setup = Setup(tmp_path, sink)
    sink.stop()
    setup.tick(SLOT)
    [failed] = setup.rows()
    assert failed.status == "failed" and failed.attempts == 1
    assert f"SMTP server 127.0.0.1:{sink.port} failed" in failed.last_error
    assert failed.next_attempt_at == SLOT + timedelta(minutes=2)
    sink.start()
    setup.tick(SLOT + timedelta(minutes=1))  # before the next attempt: nothing tried
    assert sink.messages == [] and setup.rows()[0].attempts == 1
    setup.tick(SLOT + timedelta(minutes=2))
    assert sink.wait_for(1)
    [sent] = setup.rows()
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, "")
    assert sink.messages[0].get_body(("plain",)).get_content().replace("\r\n", "\n") == failed.text


def test_a_failing_server_is_tried_less_and_less_often(tmp_path: Path, sink: MailSink) -> None:
    setup = Setup(tmp_path, sink)
    sink.stop()
    now = SLOT
    waits = []
    for _ in range(7):
        setup.tick(now)
        [row] = setup.rows()
        assert row.next_attempt_at is not None
        waits.append(int((row.next_attempt_at - now).total_seconds() // 60))
        now = row.next_attempt_at
    assert waits == [2, 4, 8, 16, 32, 60, 60]  # doubling from the retry interval, at most an hour


def test_a_slot_missed_by_more_than_a_day_is_skipped(tmp_path: Path, sink: MailSink) -> None:
    setup = Setup(tmp_path, sink)
    setup.tick(SLOT + timedelta(days=1, minutes=1))  # the monitor was down all Monday
    assert setup.rows() == [] and sink.messages == []


def test_a_first_start_after_the_week_does_not_mail_a_digest_of_a_week_nothing_was_read_in(
    tmp_path: Path, sink: MailSink
) -> None:
    setup = Setup(tmp_path, sink)
    installed = SLOT + timedelta(minutes=30)  # the first read: Monday 09:30, its posts from last week
    with setup.sessions.begin() as session:
        session.execute(update(Thread).values(first_seen_at=installed))
    setup.tick(SLOT + timedelta(hours=1))
    assert setup.rows() == [] and sink.messages == []
    # by hand it can still be sent; it says the week was not monitored
    preview = main(["digest", "preview", "--config", str(setup.dir), "--until", "2026-12-07"])
    assert preview == 0
    # the next week was watched from Monday 09:30 on: its digest goes out and says since when
    setup.tick(SLOT + timedelta(days=7, minutes=2))
    assert sink.wait_for(1)
    text = sink.messages[0].get_body(("plain",)).get_content()
    assert "monitored only since 12-07 09:30 (earlier days: posts still online then)" in text
    assert "every board read without problems since then." in text


def test_a_week_before_anything_was_read_says_so_not_read_without_problems(
    tmp_path: Path, sink: MailSink, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = Setup(tmp_path, sink)
    assert main(["digest", "preview", "--config", str(setup.dir), "--until", "2026-11-16"]) == 0
    out = capsys.readouterr().out
    assert "not monitored this week — the monitor read nothing before it ended" in out
    assert "without problems" not in out


def test_no_digest_when_it_is_switched_off(tmp_path: Path, sink: MailSink) -> None:
    setup = Setup(tmp_path, sink, "[digest]\nenabled = false\n")
    setup.tick(SLOT + timedelta(minutes=1))
    assert setup.rows() == [] and sink.messages == []


def test_recipients_may_be_keys_or_addresses_and_a_wrong_key_is_named(tmp_path: Path, sink: MailSink) -> None:
    setup = Setup(tmp_path, sink, '[digest]\nrecipients = ["zhao_min", "board@corp.example"]\n')
    setup.tick(SLOT)
    assert sink.wait_for(1)
    assert sink.envelopes[0].rcpt_tos == ("zhao.min@pr.demo.invalid", "board@corp.example")
    other = tmp_path / "other"
    other.mkdir()
    directory = config_dir(other, sink.port, '[digest]\nrecipients = ["zhao"]\nweekday = "friday"\n')
    with pytest.raises(ConfigError) as error:
        load_config(directory, environ={})
    problems = "\n".join(error.value.problems)
    assert "digest.recipients: 'zhao' is neither an email address nor a spokesperson key" in problems
    assert "li_na, wang_qiang, zhao_min" in problems
    # "friday" is read as "fri"; a made-up day is refused
    bad = tmp_path / "bad"
    bad.mkdir()
    with pytest.raises(ConfigError, match=r"digest\.weekday"):
        load_config(config_dir(bad, sink.port, '[digest]\nweekday = "someday"\n'), environ={})


def test_digest_commands_preview_send_and_list(
    tmp_path: Path, sink: MailSink, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = Setup(tmp_path, sink)
    config = str(setup.dir)
    html = tmp_path / "digest.html"
    assert main(["digest", "preview", "--config", config, "--until", "2026-12-07", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("周报 Weekly digest 11-30 – 12-06：4 条帖子，负面 67 %，0 个告警\n")
    assert "&lt;b&gt;急&lt;/b&gt;" in html.read_text(encoding="utf-8")
    assert setup.rows() == [] and sink.messages == []  # a preview keeps and sends nothing

    assert main(["digest", "send", "--config", config, "--until", "2026-12-07"]) == 0
    assert "sent to li.na@pr.demo.invalid, wang.qiang@pr.demo.invalid" in capsys.readouterr().out
    assert sink.wait_for(1)
    assert main(["digest", "send", "--config", config, "--until", "2026-12-07"]) == 1
    assert "--again sends it once more" in capsys.readouterr().err
    assert main(["digest", "send", "--config", config, "--until", "2026-12-07", "--again"]) == 0
    assert sink.wait_for(2)
    with setup.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestRow)) == 1  # one week, one row

    assert main(["digest", "list", "--config", config]) == 0
    listed = capsys.readouterr().out
    assert "#1  2026-11-30 – 2026-12-06  sent " in listed
    before = datetime.now(SHANGHAI).date()
    assert main(["digest", "preview", "--config", config, "--until", "now"]) == 0
    after = datetime.now(SHANGHAI).date()
    subject = capsys.readouterr().out.splitlines()[0]  # the 7 local days up to now: today is the last
    assert any(  # and it is partial: the subject says when it stops
        subject.startswith(f"周报 Weekly digest {day - timedelta(days=6):%m-%d} – {day:%m-%d} (截至 until ")
        for day in {before, after}
    )
    sink.stop()  # the SMTP server is down: the week is kept, and the message says how to retry
    assert main(["digest", "send", "--config", config, "--until", "2026-11-30"]) == 1
    err = capsys.readouterr().err
    assert f"digest #2 kept but not sent: email to SMTP server 127.0.0.1:{sink.port} failed" in err
    assert err.rstrip().endswith(f"try again: monitor digest send --config {config} --retry 2")
    assert main(["digest", "preview", "--config", config, "--until", "next week"]) == 1
    assert "--until: not a date or time: 'next week'" in capsys.readouterr().err


def test_html_digest_as_mail_clients_get_it_parses_from_the_stored_email(
    tmp_path: Path, sink: MailSink
) -> None:
    setup = Setup(tmp_path, sink)
    setup.tick(SLOT)
    assert sink.wait_for(1)
    raw = sink.paths[0].read_bytes()
    kept = BytesParser(policy=policy.default).parsebytes(raw)
    assert kept["Auto-Submitted"] == "auto-generated"
    assert "<script" not in kept.get_body(("html",)).get_content().lower()


class FixedScorer:
    """The scheduler test lists jobs only: no sentiment model needs loading."""

    name = "fixed"
    negative_below = NEGATIVE_BELOW

    def score(self, text: str) -> float:
        return 0.5


@pytest.mark.parametrize(
    ("settings", "smtp", "scheduled"),
    [("", True, True), ("[digest]\nenabled = false\n", True, False), ("", False, False)],
    ids=["on", "digest-off", "smtp-off"],
)
def test_monitor_run_has_a_digest_job_only_when_the_digest_and_smtp_are_on(
    tmp_path: Path, sink: MailSink, settings: str, smtp: bool, scheduled: bool
) -> None:
    directory = config_dir(tmp_path, sink.port, settings, smtp=smtp)
    app = build(load_config(directory, environ={}), scorer=FixedScorer())
    try:
        scheduler = AsyncIOScheduler(timezone="UTC")
        add_jobs(scheduler, app, pipeline=None)  # type: ignore[arg-type]  # jobs are only listed here
        every = [job for job in scheduler.get_jobs() if job.id != "prune"]  # prune: daily at 04:00
        minutes = {job.id: job.trigger.interval.total_seconds() / 60 for job in every}
    finally:
        app.close()
    # checked as often as queued deliveries are retried
    assert minutes.get("digest") == (2.0 if scheduled else None)


@pytest.mark.parametrize(
    ("now", "weekday", "week"),
    [
        (datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI), "mon", ("2026-11-30", "2026-12-07")),  # a Wednesday
        (
            datetime(2026, 12, 7, 8, 0, tzinfo=SHANGHAI),
            "mon",
            ("2026-11-30", "2026-12-07"),
        ),  # Monday, before 09:00
        (datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI), "fri", ("2026-11-27", "2026-12-04")),
    ],
)
def test_by_hand_the_default_week_is_the_one_the_scheduler_sends(
    now: datetime, weekday: str, week: tuple[str, str]
) -> None:
    from monitor.commands.digest import week_until

    period = week_until(None, "Asia/Shanghai", now, weekday)
    local = (period.start.astimezone(SHANGHAI), period.end.astimezone(SHANGHAI))
    assert (local[0].date().isoformat(), local[1].date().isoformat()) == week
    assert local[0].hour == local[1].hour == 0
