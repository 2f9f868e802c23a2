"""Retention of health events that stand for an outage of many polls (first seen ``at``, last
seen ``last_at``): an outage goes once it was last seen more than ``health_event_days`` ago,
whole, and one still going on stays whole however long ago it began. SQLite and PostgreSQL
(fixture db_url)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.config.files import SourceConfig
from monitor.config.settings import Settings
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import HealthEvent
from monitor.store.retention import prune

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SOURCE = SourceConfig.model_validate(
    {"key": "bbs", "name": "BBS", "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["2"]}
)


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_an_outage_goes_whole_once_last_seen_long_ago_and_one_going_on_stays(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        source = repo.ensure_source(session, SOURCE)
        board = repo.ensure_board(session, source, "2", "投诉维权")

        def event(first: float, last: float | None, ended: float | None, times: int) -> int:
            row = HealthEvent(
                source_id=source.id,
                board_id=board.id,
                at=_ago(first),
                times=times,
                ended_at=_ago(ended) if ended is not None else None,
                kind="fetch_failed",
            )
            if last is not None:  # else seen once: last seen when first seen
                row.last_at = _ago(last)
            session.add(row)
            session.flush()
            return row.id

        going_on = event(100, 0.01, None, 48_000)  # down for 100 days and still down
        ended_lately = event(100, 89, 89, 5_000)  # over 89 days ago
        over_long_ago = event(120, 95, 95, 3_000)
        once_long_ago = event(91, None, 91, 1)
        once_lately = event(89, None, 89, 1)

    with sessions() as session:
        would = prune(session, Settings(), NOW, dry_run=True)
    with sessions() as session:
        done = prune(session, Settings(), NOW)
        kept = set(session.scalars(select(HealthEvent.id)))
    engine.dispose()
    assert kept == {going_on, ended_lately, once_lately}
    assert not kept & {over_long_ago, once_long_ago}
    assert would.deleted["health_events"] == done.deleted["health_events"] == 2
