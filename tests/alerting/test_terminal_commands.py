"""Without ``web.base_url`` (the default) a message has no links to act on, so it says the
commands that do, in the recipient's name — in the email's text and HTML and in a chat message.
A copy for information, the console and a message with links carry none."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.channels.markdown import SLACK, render_chat
from monitor.alerting.compose import compose
from monitor.alerting.render import render_html, render_text
from monitor.alerting.service import consider
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, Delivery

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SECRET = "k" * 40


def _alert(session: Session, config: MonitorConfig) -> Alert:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary("26", "途乐旅行三个月不退款", "a", "2", 9, 10, False, "http://bbs.test/t26")
    thread, _ = repo.upsert_thread(session, source, board, summary, T0)
    change = consider(
        session,
        config,
        thread,
        config.watch_groups[0],
        Assessment(True, Severity.URGENT, ["f"], [], 0.8, 9.0),
        T0,
    )
    assert change is not None
    alert = session.get(Alert, change.alert_id)
    assert alert is not None
    return alert


def _delivery(channel: str, kind: str = "alert", recipient: str = "li_na") -> Delivery:
    return Delivery(
        id=1, alert_id=1, channel=channel, recipient=recipient, kind=kind, severity="urgent", notice=""
    )


def test_without_links_the_message_says_the_commands_in_the_recipients_name(config_dir: Path) -> None:
    config = load_config(config_dir, environ={})
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine)() as session:
        alert = _alert(session, config)
        msg = compose(session, config, alert, _delivery("email"), T0)
        assert msg.actions == () and msg.terminal_for == "li_na"
        text = render_text(msg)
        assert "To act on it, from a terminal (no web links: web.base_url is not set):" in text
        assert f"  monitor alerts ack {alert.id} --by li_na\n" in text
        assert f"monitor alerts contacted {alert.id} --by li_na" in text
        assert (
            f'monitor alerts note {alert.id} "…" --by li_na   '
            "# 记下对客户说了什么、做了什么 what the customer was told"
        ) in text
        assert f"<code>monitor alerts ack {alert.id} --by li_na</code>" in render_html(msg)
        assert f"`monitor alerts ack {alert.id} --by li_na`" in render_chat(msg, SLACK)
        backup = compose(session, config, alert, _delivery("email", "to_backup", "wang_qiang"), T0)
        assert f"monitor alerts ack {alert.id} --by wang_qiang" in render_text(backup)
        alert.acknowledged_at = T0  # acknowledged: the rest of the commands only
        acknowledged = render_text(compose(session, config, alert, _delivery("email"), T0))
        assert "monitor alerts ack" not in acknowledged and "monitor alerts contacted" in acknowledged
        for quiet in (_delivery("console"), _delivery("email", "copy", "zhao_min")):
            assert compose(session, config, alert, quiet, T0).terminal_for == ""
            assert "from a terminal" not in render_text(compose(session, config, alert, quiet, T0))
        assert session.scalars(select(Delivery)).first() is not None  # the alert's own were queued
    engine.dispose()


def test_with_links_the_message_has_no_commands(config_dir: Path) -> None:
    (config_dir / "monitor.toml").write_text(
        (config_dir / "monitor.toml").read_text(encoding="utf-8")
        + '[web]\nbase_url = "https://monitor.example.com"\n',
        encoding="utf-8",
    )
    config = load_config(config_dir, environ={"MONITOR_WEB_SECRET": SECRET})
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine)() as session:
        msg = compose(session, config, _alert(session, config), _delivery("email"), T0)
        assert msg.actions and msg.terminal_for == ""
        assert "from a terminal" not in render_text(msg)
    engine.dispose()
