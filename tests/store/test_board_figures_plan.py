"""A board's views pace finds each thread's first post through an index, not by reading its posts.

On an upgraded database whose long sticky threads had 33,000 snapshots and up to 88,000 posts each,
``threads rising`` ran past 10 minutes: SQLite looked up the first post once per snapshot row, each
lookup reading every post of the thread. With the ``(thread_id, floor)`` index of migration 0016 it
took 4.7 s in all. The plan is asserted here (the figures are in the migration's docstring).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from monitor.store import board_figures
from monitor.store.db import ensure_schema, make_engine, session_factory

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class _Captured(Exception):
    pass


def test_the_first_post_of_each_thread_is_found_by_its_floor_index(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine)() as session:
        asked: list[Any] = []

        def capture(statement: Any, *args: Any, **kwargs: Any) -> Any:
            asked.append(statement)
            raise _Captured

        session.execute = capture  # type: ignore[method-assign]
        with contextlib.suppress(_Captured):
            board_figures.board_view_readings(session, 1, NOW - timedelta(days=30), NOW)
        del session.execute
        sql = str(asked[0].compile(engine, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
    engine.dispose()
    assert any("posts USING" in step and "(thread_id=? AND floor=?)" in step for step in plan), plan
