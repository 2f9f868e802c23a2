"""A real `monitor web` on loopback (uvicorn in a thread) over a SQLite file holding one alert.

The alert is opened by the real alerting service and its email sent through the outbox to a
real SMTP server (MailSink); the tests follow the links in that email. The web app's clock is
the test's: ``site.now`` moves it.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import uvicorn
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.outbox import Channels, deliver_pending
from monitor.alerting.service import consider
from monitor.config.loader import MonitorConfig, load_config
from monitor.demo.smtp_sink import MailSink
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.web.app import create_app

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
SECRET = "test-signing-key-0123456789-abcdefghijklmnop"
OPENED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# Untrusted forum text with markup in it: it must show as text, never run.
TITLE = '途乐旅行收了我2万8团费<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
POST = "今年8月在途乐旅行报了日本关西8日游，团费28000元，行程取消后三个月不退款，客服一直推脱。"
LINK = re.compile(r"^ +(\S[^:\n]*): (http://\S+)", re.M)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    base_url: str
    config: MonitorConfig
    sessions: sessionmaker[Session]
    alert_id: int
    email: EmailMessage
    sink: MailSink  # the site's SMTP server, up while the site is (sign-in emails land here)
    now: datetime = OPENED
    links: dict[str, str] = field(default_factory=dict)  # label -> url, from the email's text part
    closing: list[Callable[[], None]] = field(default_factory=list)  # run when the site stops

    def clock(self) -> datetime:
        return self.now

    def link(self, kind: str) -> str:
        wanted = {"ack": "Acknowledge", "contacted": "Mark contacted", "view": "Open the alert"}[kind]
        return next(url for label, url in self.links.items() if label.endswith(wanted))


def web_config(
    tmp_path: Path,
    base_url: str,
    smtp_port: int | None = None,
    viewers: tuple[str, ...] = (),
    directory: Path = DEMO_CONFIG,
) -> MonitorConfig:
    web: dict[str, object] = {"base_url": base_url, "viewers": list(viewers)}
    overrides: dict[str, object] = {"general": {"data_dir": str(tmp_path)}, "web": web}
    if smtp_port is not None:
        overrides["smtp"] = {"host": "127.0.0.1", "port": smtp_port, "sender": "monitor@test.invalid"}
    return load_config(directory, environ={"MONITOR_WEB_SECRET": SECRET}, overrides=overrides)


def _open_alert(session: Session, config: MonitorConfig) -> int:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id="26",
        title=TITLE,
        author="a",
        author_id="1",
        replies=9,
        views=100,
        sticky=False,
        url="http://forum.test/thread-26-1-1.html",
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, OPENED)
    repo.save_posts(
        session,
        thread,
        [PostRecord(post_id="2601", floor=1, author="a", author_id="1", posted_at=OPENED, text=POST)],
        OPENED,
    )
    assessment = Assessment(
        escalating=True,
        severity=Severity.URGENT,
        figures=["9 replies in the last 60 min <b>bold?</b>"],
        signals=[],
        negative_share=0.8,
        replies_per_hour=9.0,
    )
    change = consider(session, config, thread, config.watch_groups[0], assessment, OPENED)
    assert change is not None
    return change.alert_id


@contextmanager
def running_site(tmp_path: Path, directory: Path = DEMO_CONFIG) -> Iterator[Site]:
    """``directory``: the config directory (a copy of the demo's, for a test that edits it)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    sink = MailSink(tmp_path / "mail").start()
    config = web_config(tmp_path, base_url, sink.port, directory=directory)
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        alert_id = _open_alert(session, config)
        email = EmailChannel(SmtpSettings(host="127.0.0.1", port=sink.port, sender="m@test.invalid"))
        channels = Channels(console=None, console_stream=io.StringIO(), email=email)
        report = deliver_pending(session, config, channels, OPENED + timedelta(minutes=1))
        assert report.sent >= 1, report
    assert sink.wait_for(1)
    message = sink.messages[0]
    text = message.get_body(("plain",))
    assert text is not None
    site = Site(base_url, config, sessions, alert_id, message, sink)
    site.now = OPENED + timedelta(minutes=5)
    site.links = dict(LINK.findall(text.get_content()))
    try:
        with serving(create_app(config, sessions, clock=site.clock), port):
            yield site
    finally:
        for close in site.closing:
            close()
        sink.stop()
        engine.dispose()


@contextmanager
def serving(app: Starlette, port: int) -> Iterator[None]:
    """Serve ``app`` with uvicorn on 127.0.0.1:``port`` in a thread until the block ends."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the web server did not start"
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
