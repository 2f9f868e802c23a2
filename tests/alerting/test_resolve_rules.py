"""Resolving from the terminal follows the web's rules: a complaint summary (投诉总结) is required,
and resolving an alert that is already resolved says by whom and when, and changes nothing.

Uses the demo configuration (monitor/demo/config/) and a SQLite file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import lifecycle
from monitor.alerting.service import consider
from monitor.cli import main
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.models import Alert, AlertEvent

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _alert(session: Session, config: MonitorConfig) -> Alert:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id="26",
        title="途乐旅行三个月不退款",
        author="a",
        author_id="2",
        replies=9,
        views=10,
        sticky=False,
        url="http://bbs.test/t26",
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, T0)
    assessment = Assessment(
        escalating=True,
        severity=Severity.URGENT,
        figures=["f"],
        signals=[],
        negative_share=0.8,
        replies_per_hour=9.0,
    )
    change = consider(session, config, thread, config.watch_groups[0], assessment, T0)
    assert change is not None
    return lifecycle.get_alert(session, change.alert_id)


def _resolved_events(session: Session, alert_id: int) -> list[tuple[str, str]]:
    query = select(AlertEvent).where(AlertEvent.alert_id == alert_id, AlertEvent.kind == "resolved")
    return [(e.actor, e.detail) for e in session.scalars(query)]


def test_resolving_needs_a_summary_and_resolving_twice_changes_nothing(
    session: Session, config: MonitorConfig
) -> None:
    alert = _alert(session, config)
    with pytest.raises(ValueError, match="how it was resolved"):
        lifecycle.resolve(session, alert, "li_na", T0 + timedelta(hours=1), " \n ")
    assert alert.status == "open" and alert.resolved_at is None
    done = T0 + timedelta(hours=2)
    assert lifecycle.resolve(session, alert, "li_na", done, "  退款已到账 ") is True
    assert lifecycle.resolve(session, alert, "wang_qiang", done + timedelta(hours=1), "again") is False
    assert alert.resolved_at == done
    assert _resolved_events(session, alert.id) == [("li_na", "退款已到账")]
    assert lifecycle.resolution(session, alert) == ("li_na", done)


def test_the_resolve_command_requires_a_note_and_says_when_it_was_already_resolved(
    config_dir: Path, config: MonitorConfig, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    alert_id = _alert(session, config).id
    session.commit()
    base = ["--config", str(config_dir)]

    assert main(["alerts", "resolve", "1", "--by", "li_na", *base]) == 1
    err = capsys.readouterr().err
    assert "--note" in err and "投诉总结" in err
    assert main(["alerts", "resolve", "1", "--by", "li_na", "--note", "  ", *base]) == 1
    assert "--note" in capsys.readouterr().err
    session.expire_all()
    assert session.get(Alert, alert_id).status == "open"  # type: ignore[union-attr]

    assert main(["alerts", "resolve", "1", "--by", "li_na", "--note", "退款已到账", *base]) == 0
    assert "alert #1 resolved by li_na" in capsys.readouterr().out
    session.expire_all()
    resolved_at = session.get(Alert, alert_id).resolved_at  # type: ignore[union-attr]
    assert resolved_at is not None
    local = resolved_at.astimezone(ZoneInfo(config.settings.general.timezone)).strftime("%Y-%m-%d %H:%M")

    for again in (["--note", "再次结案"], []):  # a second resolve, with or without a note
        assert main(["alerts", "resolve", "1", "--by", "wang_qiang", *again, "--json", *base]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert answer == {"ok": True, "message": f"alert #1 was already resolved by li_na at {local}"}
    session.expire_all()
    assert _resolved_events(session, alert_id) == [("li_na", "退款已到账")]
    assert session.get(Alert, alert_id).resolved_at == resolved_at  # type: ignore[union-attr]
