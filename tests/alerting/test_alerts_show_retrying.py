"""``monitor alerts show`` says which of an alert's messages a channel has refused so far and the
outbox is trying again: the trail names a message only once it is sent, dropped or given up, so a
mail server down for hours (or a chat service answering an error) was invisible until then.

The demo configuration with SMTP on a loopback port nothing listens on, a SQLite file; the real
outbox tries the alert's email once (refused), then ``alerts show`` runs as ops would."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from closed_port import closed_port
from sqlalchemy.engine import Engine
from test_lifecycle import T0, _opened

from monitor.alerting.outbox import MAX_ATTEMPTS
from monitor.app import build
from monitor.cli import main
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.severity import Severity
from monitor.store.db import ensure_schema, make_engine, session_factory

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"


def test_alerts_show_lists_the_messages_being_retried_with_their_last_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, config, engine = _demo_with_mail_refused(tmp_path)
    with session_factory(engine)() as session:
        alert = _opened(session, config, Severity.URGENT)
        session.commit()
        alert_id = alert.id
    app = build(config)
    try:
        report = app.deliver(T0)
    finally:
        app.close()
    assert report.sent == 0 and report.pending == 1

    assert main(["alerts", "show", str(alert_id), "--config", str(directory)]) == 0
    shown = capsys.readouterr().out
    waiting = shown.split("  not delivered yet, being retried:\n")[1].split("  trail:")[0].splitlines()
    assert len(waiting) == 1
    said = "    email to li_na: 1 try since 2026-11-23 20:00, next at 2026-11-23 20:01 — "
    assert waiting[0].startswith(said)
    assert "refused" in waiting[0] or "connect" in waiting[0], waiting[0]

    assert main(["alerts", "show", str(alert_id), "--json", "--config", str(directory)]) == 0
    [retrying] = json.loads(capsys.readouterr().out)["retrying"]
    assert retrying["message"] == "email to li_na" and retrying["attempts"] == 1


def test_alerts_show_lists_a_message_given_up_that_reached_nobody_another_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, config, engine = _demo_with_mail_refused(tmp_path)
    with session_factory(engine)() as session:
        alert_id = _opened(session, config, Severity.URGENT).id
        session.commit()
    app = build(config)
    try:
        for run in range(MAX_ATTEMPTS):  # each run past the last one's backoff (at most 60 min)
            app.deliver(T0 + timedelta(minutes=61 * run))
    finally:
        app.close()
    engine.dispose()

    assert main(["alerts", "show", str(alert_id), "--config", str(directory)]) == 0
    shown = capsys.readouterr().out
    assert "being retried" not in shown
    lost = shown.split("  not delivered, given up:\n")[1].split("  trail:")[0].splitlines()
    assert len(lost) == 1 and lost[0].startswith(
        f"    email to li_na: {MAX_ATTEMPTS} tries from 2026-11-23 20:00, given up at 2026-11-24 15:19 — "
    ), lost
    assert main(["alerts", "show", str(alert_id), "--json", "--config", str(directory)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["retrying"] == [] and [d["attempts"] for d in data["given_up"]] == [MAX_ATTEMPTS]


def _demo_with_mail_refused(tmp_path: Path) -> tuple[Path, MonitorConfig, Engine]:
    """The demo's config, its emails sent to a loopback port nobody listens on, and its database."""
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n'
        f'[smtp]\nenabled = true\nhost = "127.0.0.1"\nport = {closed_port()}\nsender = "m@demo.invalid"\n'
        "[alerting]\nconsole = false\n",
        encoding="utf-8",
    )
    config = load_config(directory, environ={})
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    return directory, config, engine
