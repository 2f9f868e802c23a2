"""`monitor demo`: the real pipeline against a local forum playing the Ctrip-style scenario.

Starts the demo forum and a local SMTP server on loopback, then advances the
forum's clock in steps; at every step it runs the same crawl pass and delivery
as ``monitor run``, with that step's time as "now".
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from monitor.app import App, build
from monitor.config.loader import MonitorConfig, load_config
from monitor.demo.forum import DemoForum, Forum
from monitor.demo.scenario import load_scenario
from monitor.demo.smtp_sink import MailSink
from monitor.detect.severity import Severity
from monitor.store.models import Alert, Thread


def demo_config(output: Path, forum_url: str, smtp_port: int) -> MonitorConfig:
    """The packaged demo configuration, pointed at this run's forum, SMTP server and data directory."""
    directory = Path(str(resources.files("monitor.demo") / "config"))
    config = load_config(
        directory,
        environ={},
        overrides={
            "general": {"data_dir": str(output)},
            "database": {"url": f"sqlite:///{(output / 'monitor.db').as_posix()}"},
            "smtp": {"host": "127.0.0.1", "port": smtp_port},
        },
    )
    sources = [s.model_copy(update={"base_url": forum_url}) for s in config.sources]
    return MonitorConfig(
        directory=config.directory,
        settings=config.settings,
        sources=sources,
        watch_groups=config.watch_groups,
        routing=config.routing,
        playbooks=config.playbooks,
        smtp_password=None,
    )


def run_demo(output: Path, *, step_minutes: int = 15, stream: TextIO) -> int:
    """Play the scenario; return 0 when it ran to the end."""
    output = output.resolve()
    for stale in ("monitor.db", "monitor.db-wal", "monitor.db-shm"):
        (output / stale).unlink(missing_ok=True)
    mail_dir = output / "mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    mail_dir.mkdir(parents=True)

    scenario = load_scenario()
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    forum = Forum(now=start)
    scenario.populate(forum, start)
    with MailSink(mail_dir) as sink, DemoForum(forum) as server:
        config = demo_config(output, server.base_url, sink.port)
        app = build(config, stream=stream)
        try:
            _intro(stream, server.base_url, sink, scenario.duration_minutes, step_minutes)
            _play(app, forum, start, scenario.duration_minutes, step_minutes, stream)
            _summary(app, forum, sink, stream)
        finally:
            app.close()
    return 0


def _intro(stream: TextIO, url: str, sink: MailSink, minutes: int, step: int) -> None:
    print("BBS crisis monitor — demo", file=stream)
    print(f"  demo forum:        {url}  (Discuz!-style pages, loopback only)", file=stream)
    print(f"  local SMTP server: {sink.host}:{sink.port}", file=stream)
    print(
        f"  scenario:          {minutes // 60} h {minutes % 60} min of forum time, a crawl pass every {step} min\n",
        file=stream,
    )


def _play(app: App, forum: Forum, start: datetime, minutes: int, step: int, stream: TextIO) -> None:
    for offset in range(step, minutes + step, step):
        now = start + timedelta(minutes=offset)
        forum.now = now
        report = asyncio.run(app.pipeline.crawl_pass(now))
        changes = ", ".join(
            f"alert #{c.alert_id} {c.kind} ({c.severity.value})" for c in report.alert_changes
        )
        print(
            f"[+{offset // 60:02d}:{offset % 60:02d}] pass: {report.pages_fetched} pages, "
            f"{report.posts_new} new posts" + (f"; {changes}" if changes else ""),
            file=stream,
        )
        if report.pages_failed:
            print(f"         {report.pages_failed} pages could not be read (see log)", file=stream)
        app.pipeline.deliver(app.channels, now)


def _summary(app: App, forum: Forum, sink: MailSink, stream: TextIO) -> None:
    print("\n=== Summary ===", file=stream)
    with app.sessions() as session:
        alerts = list(session.scalars(select(Alert).order_by(Alert.id)))
        alerted = {a.thread_id for a in alerts}
        for alert in alerts:
            person = app.config.spokesperson(alert.spokesperson)
            severity = Severity(alert.severity)
            print(
                f"Alert #{alert.id} [{severity.label_zh} {severity.value}] {alert.thread.title}\n"
                f"  board {alert.thread.board.name}; spokesperson {person.name}; "
                f"also on: {', '.join(alert.also_on) or '-'}; checklist {len(alert.checklist)} steps",
                file=stream,
            )
        quiet = list(
            session.scalars(
                select(Thread).where(Thread.id.not_in(alerted) if alerted else True).order_by(Thread.id)
            )
        )
        print(f"Threads without an alert: {len(quiet)}", file=stream)
        for thread in quiet:
            print(f"  - {thread.title} ({thread.board.name}, {thread.replies} replies)", file=stream)
    print(f"Emails received by the local SMTP server: {len(sink.paths)}", file=stream)
    for path in sink.paths:
        print(f"  {path}", file=stream)
