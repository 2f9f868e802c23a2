"""A mail server that hangs holds up only the sending, never the crawl: the scheduler's delivery,
SLA and digest jobs run in worker threads (monitor.scheduling).

A real SMTP "black hole" on loopback accepts the connection and never answers; the delivery job
sends an alert email to it with a 3 s timeout. While that send hangs, the event loop — where the
crawl jobs run — must keep turning.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from monitor.alerting.service import AlertChange, consider
from monitor.app import App, build
from monitor.config.loader import load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.pipeline import PassReport
from monitor.scheduling import _sending, board_job, delivery_job
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.models import Alert, Delivery

DEMO_CONFIG = Path(__file__).resolve().parents[1] / "monitor" / "demo" / "config"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SMTP_TIMEOUT = 3.0


@pytest.fixture
def black_hole() -> Iterator[tuple[int, threading.Event]]:
    """A port that accepts connections and never says a word; the event is set on each accept."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)
            accepted.set()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        listener.close()
        for connection in held:
            connection.close()


_TITLES = ("途乐旅行三个月不退款", "途乐导游在景区强制购物", "途乐旅行的大巴半路抛锚没人管")


def _app_with_an_alert_to_send(
    tmp_path: Path, port: int, alerts: int = 1, timeout: float = SMTP_TIMEOUT
) -> App:
    """The demo config with SMTP at ``port``; ``alerts`` urgent alerts opened, their emails queued."""
    smtp = {"host": "127.0.0.1", "port": port, "sender": "m@test.invalid", "timeout_seconds": timeout}
    config = load_config(
        DEMO_CONFIG, environ={}, overrides={"general": {"data_dir": str(tmp_path)}, "smtp": smtp}
    )
    app = build(config)
    with app.sessions.begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        for tid, title in zip(range(26, 26 + alerts), _TITLES, strict=False):
            summary = ThreadSummary(
                thread_id=str(tid), title=title, author="a", author_id="1", replies=9,
                views=90, sticky=False, url=f"http://127.0.0.1:1/thread-{tid}-1-1.html",
            )  # fmt: skip
            thread, _ = repo.upsert_thread(session, source, board, summary, NOW)
            post = PostRecord(post_id=str(tid), floor=1, author="a", author_id="1", posted_at=NOW, text=title)
            repo.save_posts(session, thread, [post], NOW)
            assessment = Assessment(
                escalating=True, severity=Severity.URGENT, figures=["9 replies in the last 60 min"],
                signals=[], negative_share=0.8, replies_per_hour=9.0,
            )  # fmt: skip
            assert consider(session, config, thread, config.watch_groups[0], assessment, NOW) is not None
    return app


def test_a_hanging_mail_server_does_not_stop_the_event_loop(
    tmp_path: Path, black_hole: tuple[int, threading.Event]
) -> None:
    port, accepted = black_hole
    app = _app_with_an_alert_to_send(tmp_path, port)

    async def scenario() -> tuple[float, bool]:
        sending = asyncio.create_task(delivery_job(app, lambda: NOW))
        while not accepted.is_set():  # the email's connection is open and hanging
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await asyncio.sleep(0.05)  # another job's turn on the loop
        turned_after = time.monotonic() - started
        still_sending = not sending.done()
        await sending
        return turned_after, still_sending

    try:
        turned_after, still_sending = asyncio.run(scenario())
    finally:
        app.close()
    assert still_sending, "the send should still be hanging on the black hole"
    assert turned_after < SMTP_TIMEOUT / 2, f"the event loop was blocked {turned_after:.1f} s by the send"


class _CrawlThatOpensAnAlert:
    """A pipeline whose board crawl reports an alert change (the alert is already queued)."""

    async def crawl_board(self, source: object, board: str, now: datetime) -> PassReport:
        return PassReport(pages_fetched=1, alert_changes=[AlertChange(1, "opened", Severity.URGENT)])


def test_a_crawl_that_opens_an_alert_ends_while_its_email_hangs(
    tmp_path: Path, black_hole: tuple[int, threading.Event]
) -> None:
    """The board's job must end (its next poll would be skipped otherwise) while the email hangs."""
    port, accepted = black_hole
    app = _app_with_an_alert_to_send(tmp_path, port)

    async def scenario() -> tuple[float, bool]:
        started = time.monotonic()
        pipeline = _CrawlThatOpensAnAlert()
        await board_job(app, pipeline, app.config.sources[0], "2", lambda: NOW)  # type: ignore[arg-type]
        took = time.monotonic() - started
        while not accepted.is_set():  # the email it started is hanging on the black hole
            await asyncio.sleep(0.01)
        sending = list(_sending)
        await asyncio.gather(*sending)  # let it time out before the loop closes
        return took, bool(sending)

    try:
        took, was_sending = asyncio.run(scenario())
    finally:
        app.close()
    assert was_sending, "the crawl should have started sending the alert"
    assert took < SMTP_TIMEOUT / 2, f"the board's job waited {took:.1f} s for the email"


def _emails(app: App) -> list[Delivery]:
    with app.sessions() as session:
        emails = select(Delivery).where(Delivery.channel == "email").order_by(Delivery.id)
        return list(session.scalars(emails))


def test_a_hanging_mail_server_costs_one_timeout_per_run_not_one_per_email(
    tmp_path: Path, black_hole: tuple[int, threading.Event], caplog: pytest.LogCaptureFixture
) -> None:
    port, _ = black_hole
    app = _app_with_an_alert_to_send(tmp_path, port, alerts=3, timeout=0.5)
    try:
        queued = len(_emails(app))
        assert queued >= 3
        with caplog.at_level("WARNING", logger="monitor.alerting.outbox"):
            report = app.deliver(NOW)
        emails = _emails(app)
    finally:
        app.close()
    # one email tried and timed out; the others were not tried (no attempt spent), all still queued
    assert [d.attempts for d in emails] == [1] + [0] * (queued - 1)
    assert all(d.status == "pending" for d in emails)
    assert "timed out" in emails[0].last_error and emails[1].last_error == ""
    assert report.failed == 1 and report.pending >= queued
    said = f"the SMTP server is unreachable: {queued - 1} more messages left queued for the next try"
    assert said in caplog.text


def test_a_refused_recipient_does_not_hold_back_the_other_emails(tmp_path: Path) -> None:
    """Only a server that cannot be reached stops a run's other emails; a refused message does not."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class RefuseFirst(Sink):
        seen = 0

        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            RefuseFirst.seen += 1
            return "554 5.6.0 message refused" if RefuseFirst.seen == 1 else "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(RefuseFirst(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = _app_with_an_alert_to_send(tmp_path, port, alerts=3)
        try:
            app.deliver(NOW)
            emails = _emails(app)
        finally:
            app.close()
    finally:
        controller.stop()
    # 554 after DATA: refused for good (RFC 5321 5yz), not retried
    assert emails[0].status == "failed" and "554" in emails[0].last_error, emails[0].last_error
    assert all(d.status == "sent" for d in emails[1:]), [(d.status, d.last_error) for d in emails]


def test_shutdown_sends_no_further_email(tmp_path: Path, black_hole: tuple[int, threading.Event]) -> None:
    port, _ = black_hole
    app = _app_with_an_alert_to_send(tmp_path, port, alerts=2, timeout=0.5)
    try:
        app.stopping.set()
        report = app.deliver(NOW)
        emails = _emails(app)
    finally:
        app.close()
    assert report.sent == report.failed == 0
    assert all(d.attempts == 0 and d.status == "pending" for d in emails)


def test_the_one_email_a_hanging_server_gets_is_the_most_urgent_alerts(
    tmp_path: Path, black_hole: tuple[int, threading.Event]
) -> None:
    port, _ = black_hole
    app = _app_with_an_alert_to_send(tmp_path, port, alerts=3, timeout=0.5)
    try:
        with app.sessions.begin() as session:
            session.execute(update(Alert).where(Alert.id == 3).values(severity="very_urgent"))
        app.deliver(NOW)
        tried = [d.alert_id for d in _emails(app) if d.attempts]
    finally:
        app.close()
    assert tried == [3]  # not alert 1's, queued first


def test_a_stop_during_a_hung_crawl_ends_it_quietly_within_the_grace(
    tmp_path: Path,
    black_hole: tuple[int, threading.Event],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A forum that accepts and never answers holds a crawl job; SIGTERM (here: ``stop``) must not
    wait for the fetch timeout, nor log the cancelled job as an error with a traceback."""
    import shutil

    from monitor import scheduling

    port, accepted = black_hole
    config_dir = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config_dir)
    (config_dir / "sources.yaml").write_text(
        f'sources:\n  - {{key: hung, name: Hung, engine: discuz, base_url: "http://127.0.0.1:{port}/", '
        'boards: ["2"]}\n',
        encoding="utf-8",
    )
    (config_dir / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n[smtp]\nenabled = false\n'
        "[fetch]\ntimeout_seconds = 30\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(scheduling, "STOP_GRACE_SECONDS", 0.5)
    app = build(load_config(config_dir, environ={}))

    async def scenario() -> float:  # run_until_stopped as the main task, as `monitor run` has it
        stop, stopped_at = asyncio.Event(), []

        async def stop_once_hung() -> None:
            while not accepted.is_set():  # the crawl's first request hangs on the black hole
                await asyncio.sleep(0.01)
            stopped_at.append(time.monotonic())
            stop.set()

        stopping = asyncio.create_task(stop_once_hung())
        await scheduling.run_until_stopped(app, stop)
        await stopping
        return time.monotonic() - stopped_at[0]

    try:
        with caplog.at_level("INFO"):
            took = asyncio.run(scenario())
    finally:
        app.close()
    assert took < 10, f"the stop waited {took:.1f} s for a hung fetch"
    assert "board job stopped by the shutdown" in caplog.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
