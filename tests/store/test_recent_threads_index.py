"""A pass's look at the recent threads reads them by ``ix_threads_last_seen_at`` (schema 0022), not
the whole history: the hot refresh's candidates and a watch group's recent threads. Checked in
SQLite's own query plan, on a store made by the migrations (``python -m monitor.bench_history``
measures the time: 200,000 threads over a year, 40 ms -> 2.5 ms and 48 ms -> 10 ms)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from monitor.bench_history import GROUPS, fill
from monitor.store import repo
from monitor.store.db import make_engine, session_factory, upgrade

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "query",
    [
        lambda s: repo.refresh_candidates(s, NOW, NOW - timedelta(hours=6)),
        lambda s: repo.watch_group_threads(s, GROUPS[0], NOW - timedelta(hours=72)),
    ],
    ids=["refresh_candidates", "watch_group_threads"],
)
def test_recent_threads_are_read_by_the_last_seen_index(
    tmp_path: Path, query: Callable[[Session], object]
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'history.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        fill(session, 3000, 365, 5, NOW, random.Random(7))
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    statements: list[tuple[str, object]] = []

    def keep(_c: object, _cur: object, statement: str, params: object, *_: object) -> None:
        statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    with sessions() as session:
        found = query(session)
    event.remove(engine, "before_cursor_execute", keep)
    assert isinstance(found, list) and found  # the recent threads are there to find
    (statement, params), *_ = [(s, p) for s, p in statements if "threads" in s]
    with engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)]
    assert any("ix_threads_last_seen_at" in step for step in plan), plan
    assert not any(step.startswith("SCAN threads") for step in plan), plan
    engine.dispose()
