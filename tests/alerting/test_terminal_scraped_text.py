"""Scraped text printed by the CLI cannot drive the terminal nor reorder or hide words: a thread
title and a thread link holding ANSI/OSC escape sequences, a backspace, bidi controls and
zero-width characters, as a hostile forum serves them, stored by the real repository functions,
then printed by ``monitor alerts show`` and ``monitor watch backtest``.

Fixture: the demo configuration (tests/alerting/conftest.py), its SQLite file in the test's folder.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from monitor.alerting.service import consider
from monitor.cli import main
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOSTILE = (
    "\x1b[2J\x1b]8;;http://evil.example/\x07点这里\x1b]8;;\x07\x08\u202e\x9b31m"
    "\u2066\u200f\u061c\u200b\u2060\ufeff\U000e0041"  # reorder or hide the words around them
)
TITLE = f"途乐旅行三个月不退款{HOSTILE}"
URL = f"http://bbs.test/thread-26{HOSTILE}.html"


def _terminal_codes(out: str) -> set[str]:
    return {
        c for c in out if unicodedata.category(c) == "Cf" or (unicodedata.category(c) == "Cc" and c != "\n")
    }


def _hostile_alert(session: Session, config: MonitorConfig) -> int:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary("26", TITLE, "维权小王", "2", 9, 10, False, URL)
    thread, _ = repo.upsert_thread(session, source, board, summary, T0)
    post = PostRecord("1", 1, "维权小王", "2", T0 - timedelta(hours=1), "途乐旅行交了团费三个月不退款")
    repo.save_posts(session, thread, [post], T0)
    assessment = Assessment(True, Severity.URGENT, ["f"], [], 0.8, 9.0)
    change = consider(session, config, thread, config.watch_groups[0], assessment, T0)
    assert change is not None
    session.commit()
    return change.alert_id


def test_alerts_show_prints_the_thread_link_without_terminal_codes(
    config_dir: Path, config: MonitorConfig, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    alert_id = _hostile_alert(session, config)
    assert main(["alerts", "show", str(alert_id), "--config", str(config_dir)]) == 0
    out = capsys.readouterr().out
    assert "http://bbs.test/thread-26[2J]8;;http://evil.example/点这里]8;;" in out
    assert _terminal_codes(out) == set()


def test_watch_backtest_prints_titles_and_links_without_terminal_codes(
    config_dir: Path, config: MonitorConfig, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    _hostile_alert(session, config)
    now = (T0 + timedelta(hours=1)).isoformat()
    args = ["watch", "backtest", "x", "--include", "途乐旅行", "--now", now, "--config", str(config_dir)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "#1 途乐旅行三个月不退款[2J]8;;http://evil.example/点这里]8;;31m — title: include 途乐旅行" in out
    assert _terminal_codes(out) == set()
