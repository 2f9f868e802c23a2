"""A complaint on a board whose threads share a stock opening opens its own alert; it does not join
another complaint's alert as "the same story" (the board's boilerplate is left out, read from the
store by the pipeline's FactsReader). A real cross-post still joins.

Real texts: the Discuz! X3.5 board 2 of tests/fixtures/discuz/utf8/openings.json; a SQLite file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from monitor.alerting.service import consider
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.facts import FactsReader
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Thread

ROOT = Path(__file__).resolve().parents[2]
DEMO_CONFIG = ROOT / "monitor" / "demo" / "config"
OPENINGS = json.loads((ROOT / "tests" / "fixtures" / "discuz" / "utf8" / "openings.json").read_text("utf-8"))
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DOWN_JACKET, DRIVING_SCHOOL = 8, 9  # both open "具体情况如下： 已经和商家沟通多次没有结果…"


@pytest.fixture
def config() -> MonitorConfig:
    return load_config(DEMO_CONFIG, environ={})


@pytest.fixture
def session(tmp_path: Path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    return session_factory(engine)()


def _store(session: Session, config: MonitorConfig, tid: str, board: str, title: str, text: str) -> Thread:
    source = repo.ensure_source(session, config.sources[0])
    board_row = repo.ensure_board(session, source, board, {"2": "投诉维权", "3": "旅游天地"}[board])
    summary = ThreadSummary(
        thread_id=tid,
        title=title,
        author="a",
        author_id="1",
        replies=0,
        views=1,
        sticky=False,
        url=f"http://x/{tid}",
    )
    thread, _ = repo.upsert_thread(session, source, board_row, summary, NOW)
    posted = NOW - timedelta(minutes=int(tid) % 1000)
    repo.save_posts(
        session,
        thread,
        [PostRecord(post_id=f"{tid}01", floor=1, author="a", author_id="1", posted_at=posted, text=text)],
        NOW,
    )
    return thread


def _assessment(severity: Severity, escalating: bool) -> Assessment:
    return Assessment(
        escalating=escalating,
        severity=severity,
        figures=["9 replies in the last 60 min"],
        signals=[],
        negative_share=0.8,
        replies_per_hour=9.0,
    )


def test_a_complaint_sharing_the_boards_stock_opening_opens_its_own_alert(
    session: Session, config: MonitorConfig
) -> None:
    group = config.watch_groups[0]
    stored = {
        t["tid"]: _store(session, config, str(t["tid"]), "2", t["subject"], t["opening"])
        for t in OPENINGS["threads"]
        if t["fid"] == 2
    }
    reader = FactsReader(config)
    later = NOW + timedelta(minutes=20)

    def boilerplate(board_id: int) -> frozenset[int]:
        return reader.boilerplate(session, board_id, group, later)

    first = consider(session, config, stored[DOWN_JACKET], group, _assessment(Severity.URGENT, True), NOW)
    assert first is not None and first.kind == "opened"

    school = stored[DRIVING_SCHOOL]
    general = _assessment(Severity.GENERAL, True)
    assert (
        consider(session, config, school, group, _assessment(Severity.GENERAL, False), later, boilerplate)
        is None
    )
    own = consider(session, config, school, group, general, later, boilerplate)
    assert own is not None and own.kind == "opened" and own.alert_id != first.alert_id

    jacket = next(t for t in OPENINGS["threads"] if t["tid"] == DOWN_JACKET)
    cross = _store(session, config, "1008", "3", "转帖：" + jacket["subject"], jacket["opening"])
    joined = consider(session, config, cross, group, general, later, boilerplate)
    assert joined is not None and (joined.kind, joined.alert_id) == ("spread", first.alert_id)


def test_without_the_boilerplate_the_stock_opening_reads_as_one_story(
    session: Session, config: MonitorConfig
) -> None:
    """What happened before: the second complaint joined the first's alert and never alerted."""
    group = config.watch_groups[0]
    jacket, school = (
        next(t for t in OPENINGS["threads"] if t["tid"] == tid) for tid in (DOWN_JACKET, DRIVING_SCHOOL)
    )
    first = _store(session, config, "8", "2", jacket["subject"], jacket["opening"])
    second = _store(session, config, "9", "2", school["subject"], school["opening"])
    opened = consider(session, config, first, group, _assessment(Severity.URGENT, True), NOW)
    joined = consider(session, config, second, group, _assessment(Severity.GENERAL, True), NOW)
    assert opened is not None and joined is not None
    assert (joined.kind, joined.alert_id) == ("spread", opened.alert_id)
