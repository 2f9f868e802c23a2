"""`monitor demo`: the real pipeline against a local forum playing the Ctrip-style scenario.

Starts the demo forum and a local SMTP server on loopback, then advances the
forum's clock in steps; at every step it runs the same crawl pass and delivery
as ``monitor run``, with that step's time as "now". At the end it sends the weekly
digest for the 7 days up to the scenario's end, as ``monitor run`` does each week.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select

from monitor.alerting.render import clean_text
from monitor.app import App, build
from monitor.config.loader import MonitorConfig, load_config
from monitor.demo.forum import DemoForum, Forum
from monitor.demo.scenario import Scenario, load_scenario
from monitor.demo.smtp_sink import MailSink
from monitor.detect.severity import Severity
from monitor.digest.model import DigestPeriod
from monitor.digest.send import compose, keep, send
from monitor.digest.wording import counted
from monitor.pipeline import Pipeline
from monitor.store.models import Alert, AlertThread, Thread


def demo_config(
    output: Path, forum_url: str, smtp_port: int, web: tuple[str, str] | None = None
) -> MonitorConfig:
    """The packaged demo configuration, pointed at this run's forum, SMTP server and data directory;
    ``web`` = (base URL, signing key) puts signed action links in the messages."""
    directory = Path(str(resources.files("monitor.demo") / "config"))
    overrides: dict[str, dict[str, object]] = {
        "general": {"data_dir": str(output)},
        "database": {"url": f"sqlite:///{(output / 'monitor.db').as_posix()}"},
        "smtp": {"host": "127.0.0.1", "port": smtp_port},
    }
    environ: dict[str, str] = {}
    if web is not None:
        overrides["web"] = {"base_url": web[0]}
        environ["MONITOR_WEB_SECRET"] = web[1]
    config = load_config(directory, environ=environ, overrides=overrides)
    sources = [s.model_copy(update={"base_url": forum_url}) for s in config.sources]
    return replace(config, sources=sources)


def run_demo(output: Path, *, step_minutes: int = 15, stream: TextIO, serve_port: int | None = None) -> int:
    """Play the scenario; return 0 when it ran to the end. With ``serve_port``, the messages carry
    signed action links and the alert pages are served on that loopback port until Ctrl-C."""
    output = output.resolve()
    for stale in ("monitor.db", "monitor.db-wal", "monitor.db-shm"):
        (output / stale).unlink(missing_ok=True)
    mail_dir = output / "mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    mail_dir.mkdir(parents=True)

    scenario = load_scenario()
    # The scenario ends now: what people do afterwards (acknowledge on the served pages,
    # `monitor alerts …`, `monitor threads rising`) comes after it on the real clock.
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    start -= timedelta(minutes=scenario.duration_minutes + 1)
    forum = Forum(now=start)
    scenario.populate(forum, start)
    with MailSink(mail_dir) as sink, DemoForum(forum) as server:
        web = (f"http://127.0.0.1:{serve_port}", secrets.token_urlsafe(32)) if serve_port else None
        config = demo_config(output, server.base_url, sink.port, web)
        app = build(config, stream=stream)
        try:
            _intro(stream, server.base_url, sink, scenario.duration_minutes, step_minutes)
            asyncio.run(_play(app, forum, start, scenario.duration_minutes, step_minutes, stream))
            _digest(app, start + timedelta(minutes=scenario.duration_minutes), stream)
            ok = _summary(app, scenario, start, sink, stream)
            if serve_port:
                _serve(app, serve_port, stream)
        finally:
            app.close()
    return 0 if ok else 1


def _serve(app: App, port: int, stream: TextIO) -> None:
    """Serve the alert pages for the demo's database; print a link to each alert's page."""
    import uvicorn

    from monitor.alerting.compose import link_signer
    from monitor.web.app import create_app
    from monitor.web.session import session_keys

    signer = link_signer(app.config)
    assert signer is not None
    print("\nAlert pages (the links in the emails above work too; Ctrl-C stops):", file=stream)
    owner = ""
    with app.sessions() as session:
        for alert in session.scalars(select(Alert).order_by(Alert.id)):
            url = signer.url(alert.id, "view", alert.spokesperson, datetime.now(UTC))
            print(f"  alert #{alert.id} for {alert.spokesperson}: {url}", file=stream)
            owner = alert.spokesperson
    keys = session_keys(app.config)
    if keys is not None and owner:
        minutes = app.config.settings.web.signin_link_minutes
        url = keys.signin_url(owner, datetime.now(UTC))
        print(f"Dashboard of every alert and digest, as {owner} (once, within {minutes:g} min):", file=stream)
        print(f"  {url}", file=stream)
        print(f"  a fresh one: {keys.base_url}/signin mails it to the local SMTP server", file=stream)
    stream.flush()
    server = create_app(app.config, app.sessions)
    uvicorn.run(
        server, host="127.0.0.1", port=port, access_log=False, log_level="warning", server_header=False
    )


def _intro(stream: TextIO, url: str, sink: MailSink, minutes: int, step: int) -> None:
    print("BBS crisis monitor — demo", file=stream)
    print(f"  demo forum:        {url}  (Discuz!-style pages, loopback only)", file=stream)
    print(f"  local SMTP server: {sink.host}:{sink.port}", file=stream)
    hours = f"{minutes // 60} h {minutes % 60} min"
    print(f"  scenario:          {hours} of forum time, a crawl pass every {step} min\n", file=stream)


async def _play(app: App, forum: Forum, start: datetime, minutes: int, step: int, stream: TextIO) -> None:
    async with app.pipeline() as pipeline:
        for offset in range(step, minutes + step, step):
            now = start + timedelta(minutes=offset)
            forum.now = now
            await _step(app, pipeline, now, offset, stream)


async def _step(app: App, pipeline: Pipeline, now: datetime, offset: int, stream: TextIO) -> None:
    """One scheduler tick, as ``monitor run`` would do it: crawl the boards, then deliver."""
    report = await pipeline.crawl_pass(now)
    changes = ", ".join(f"alert #{c.alert_id} {c.kind} ({c.severity.value})" for c in report.alert_changes)
    print(
        f"[+{offset // 60:02d}:{offset % 60:02d}] pass: {counted(report.pages_fetched, 'page', 'pages')}, "
        f"{counted(report.posts_new, 'new post', 'new posts')}" + (f"; {changes}" if changes else ""),
        file=stream,
    )
    if report.pages_failed:
        failed = counted(report.pages_failed, "page", "pages")
        print(f"         {failed} could not be read (see log)", file=stream)
    for action in app.check_sla(now):
        print(f"         SLA: alert #{action.alert_id} {action.kind} -> {action.recipient}", file=stream)
    app.deliver(now)


def _digest(app: App, now: datetime, stream: TextIO) -> None:
    """The weekly digest as the team would read it, for the 7 local days up to the scenario's end."""
    config = app.config
    period = DigestPeriod.days_to(now, config.settings.general.timezone)
    with app.sessions() as session:  # sending commits as it goes (kept, claimed, sent)
        row = compose(session, config, period, now, app.negative_below)
        keep(session, row)
        send(session, row, app.email, now, timedelta(minutes=config.settings.schedule.delivery_retry_minutes))
        print(f"\n=== Weekly digest ({row.status}, to {len(row.recipients)} people) ===", file=stream)
        print(row.subject, file=stream)
        print(row.text, file=stream)


def _summary(app: App, scenario: Scenario, start: datetime, sink: MailSink, stream: TextIO) -> bool:
    """Print what the monitor made of the scenario; True when it matches the script's expectations."""
    print("\n=== Summary ===", file=stream)
    tz = ZoneInfo(app.config.settings.general.timezone)
    with app.sessions() as session:
        for alert in session.scalars(select(Alert).order_by(Alert.id)):
            person = app.config.spokesperson(alert.spokesperson)
            severity = Severity(alert.severity)
            print(
                f"Alert #{alert.id} [{severity.label_zh} {severity.value}] {clean_text(alert.thread.title)}",
                file=stream,
            )
            print(
                f"  board {clean_text(alert.thread.board.name)} · spokesperson {person.name} · respond by "
                f"{alert.respond_by.astimezone(tz):%Y-%m-%d %H:%M} · checklist {len(alert.checklist)} steps",
                file=stream,
            )
            for event in alert.events:
                if event.kind != "delivered":
                    offset = int((event.at - start).total_seconds() // 60)
                    detail = clean_text(event.detail)
                    print(f"  +{offset // 60:02d}:{offset % 60:02d} {event.kind}: {detail}", file=stream)
        in_alert = {
            thread.external_id
            for thread in session.scalars(
                select(Thread).join(AlertThread, AlertThread.thread_id == Thread.id)
            )
        }
    active = [t for t in scenario.threads if any(p.at_minutes >= 0 for p in t.posts)]
    quiet = [t for t in active if t.expect == "quiet"]
    wrong = [t for t in scenario.threads if (str(t.tid) in in_alert) != (t.expect == "alert")]
    print(f"Quiet threads active during the scenario ({len(quiet)}):", file=stream)
    for thread in quiet:
        state = "ALERTED (unexpected)" if str(thread.tid) in in_alert else "no alert"
        print(f"  - {thread.subject}: {state}", file=stream)
    print(f"Emails received by the local SMTP server: {len(sink.paths)}, written to:", file=stream)
    for path in sink.paths:
        print(f"  {path}", file=stream)
    if wrong:
        print(
            "Demo did NOT go as scripted: " + "; ".join(f"tid {t.tid} expected {t.expect}" for t in wrong),
            file=stream,
        )
    else:
        print("Demo went as scripted: only the escalating story alerted.", file=stream)
    return not wrong
