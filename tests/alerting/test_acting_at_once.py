"""Two people acting on one alert at the same moment — the spokesperson and the backup both
pressing 确认, a double tap sending a form twice — act one after the other (lifecycle.held): one
acknowledgement, by whoever was first, and one note. Real threads on a real SQLite file and
PostgreSQL schema (fixture db_url). And the terminal refuses what the web page refuses on a
resolved alert.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerting import lifecycle
from monitor.alerting.service import consider
from monitor.cli import main
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, AlertEvent

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PEOPLE = ("li_na", "wang_qiang", "zhao_min", "li_na (web link)", "wang_qiang (web link)", "ops")


def _open_alert(sessions: sessionmaker[Session], config: MonitorConfig, tid: str) -> int:
    with sessions.begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary(
            tid, f"途乐旅行不退款 {tid}", "a", "2", 9, 10, False, f"http://bbs.test/t{tid}"
        )
        thread, _ = repo.upsert_thread(session, source, board, summary, T0)
        assessment = Assessment(True, Severity.URGENT, ["f"], [], 0.8, 9.0)
        change = consider(session, config, thread, config.watch_groups[0], assessment, T0)
        assert change is not None
        return change.alert_id


def _at_once(
    sessions: sessionmaker[Session], alert_id: int, act: Callable[[Session, Alert, int], None]
) -> None:
    """Everyone in PEOPLE acts at the same moment, each in their own transaction."""
    start = threading.Barrier(len(PEOPLE))
    failures: list[BaseException] = []

    def one(index: int) -> None:
        try:
            start.wait()
            with sessions.begin() as session:
                act(session, lifecycle.held(session, alert_id), index)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(PEOPLE))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def _events(sessions: sessionmaker[Session], alert_id: int, kind: str) -> list[AlertEvent]:
    with sessions() as session:
        query = select(AlertEvent).where(AlertEvent.alert_id == alert_id, AlertEvent.kind == kind)
        return list(session.scalars(query.order_by(AlertEvent.id)))


def test_everyone_pressing_acknowledge_at_once_makes_one_owner_the_first(
    db_url: str, config: MonitorConfig
) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    try:
        for round_ in range(4):
            alert_id = _open_alert(sessions, config, str(100 + round_))
            _at_once(sessions, alert_id, lambda s, alert, i: lifecycle.acknowledge(s, alert, PEOPLE[i], T0))
            [event] = _events(sessions, alert_id, "acknowledged")
            with sessions() as session:
                alert = session.get(Alert, alert_id)
                assert alert is not None and alert.acknowledged_by == event.actor
    finally:
        engine.dispose()


def test_a_note_sent_twice_at_once_is_kept_once_and_a_later_same_note_again(
    db_url: str, config: MonitorConfig
) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    try:
        alert_id = _open_alert(sessions, config, "200")
        note = "已电话联系楼主，承诺三个工作日内退款"
        _at_once(sessions, alert_id, lambda s, alert, i: lifecycle.note(s, alert, "li_na", T0, note))
        assert [e.detail for e in _events(sessions, alert_id, "note")] == [note]
        with sessions.begin() as session:  # the same words a day later are news, not a double tap
            lifecycle.note(session, lifecycle.held(session, alert_id), "li_na", T0 + timedelta(days=1), note)
        assert len(_events(sessions, alert_id, "note")) == 2
    finally:
        engine.dispose()


def test_the_terminal_refuses_on_a_resolved_alert_what_the_web_page_refuses(
    config_dir: Path, config: MonitorConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    alert_id = _open_alert(sessions, config, "300")
    engine.dispose()
    base = ["--by", "li_na", "--config", str(config_dir)]
    assert main(["alerts", "resolve", str(alert_id), "--note", "误报：不是我们的客户", *base]) == 0
    capsys.readouterr()
    for action in (["ack"], ["contacted"], ["tick", "1"]):
        assert main(["alerts", *action[:1], str(alert_id), *action[1:], *base]) == 1
        assert f"alert #{alert_id} was resolved by li_na at " in capsys.readouterr().err
    assert (
        main(["alerts", "note", str(alert_id), "退款已到账，回访满意", *base]) == 0
    )  # a note is still welcome
    engine = make_engine(config.settings.database_url())
    with session_factory(engine)() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None and alert.contacted_at is None and alert.acknowledged_at is None
        assert all(item.done_at is None for item in alert.checklist)
    engine.dispose()


def test_a_note_sent_again_after_another_action_is_still_kept_once(config: MonitorConfig) -> None:
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    alert_id = _open_alert(sessions, config, "400")
    for act in ("note", "ack", "note"):  # the double tap's second note lands after someone's ack
        with sessions.begin() as session:
            alert = lifecycle.held(session, alert_id)
            if act == "note":
                lifecycle.note(session, alert, "li_na", T0 + timedelta(minutes=1), "电话联系")
            else:
                lifecycle.acknowledge(session, alert, "wang_qiang", T0 + timedelta(minutes=1))
    assert [e.detail for e in _events(sessions, alert_id, "note")] == ["电话联系"]
    engine.dispose()


def test_leadership_is_not_told_of_its_own_alert_nor_of_a_backup_it_has_not(config: MonitorConfig) -> None:
    from monitor.alerting.sla import check_sla

    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    alert_id = _open_alert(sessions, config, "500")
    with sessions.begin() as session:  # handed to zhao_min, leadership herself, who has no backup
        lifecycle.hand_over(session, config, lifecycle.held(session, alert_id), "zhao_min", "li_na", T0)
    with sessions.begin() as session:
        actions = check_sla(session, config, T0 + timedelta(hours=12))
    assert [(a.kind, a.recipient) for a in actions if a.kind == "to_leadership"] == []
    engine.dispose()
