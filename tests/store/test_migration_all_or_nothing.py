"""A migration that stops half-way leaves the SQLite database as it was, so the next start can run it.

An upgrade walkthrough killed `monitor db upgrade` (kill -9) on SQLite: in 5 of 8 kills the file kept
the old revision with the first pending migration's new column, and every later command failed on
"duplicate column name" until a backup was restored. A migration that fails half-way (here: an index
in the way of 0015's, after 0014 copied the host_rests table) is the same case, reproducibly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from monitor.errors import StoreError
from monitor.store.db import current_revision, head_revision, make_engine, upgrade


def test_a_migration_failing_half_way_leaves_the_database_as_it_was_and_can_run_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    upgrade(engine, "0013")
    with engine.begin() as connection:  # in the way of 0015, which runs after 0014 in the same upgrade
        connection.execute(text("CREATE INDEX ix_threads_board_id ON threads (board_id)"))
    with pytest.raises(StoreError, match="nothing of it was applied"):
        upgrade(engine)
    assert current_revision(engine) == "0013"
    tables = inspect(engine).get_table_names()
    assert not [name for name in tables if name.startswith("_alembic_tmp")]
    assert "lifted_at" not in {column["name"] for column in inspect(engine).get_columns("host_rests")}
    with engine.begin() as connection:  # the cause taken away, the same upgrade runs to the end
        connection.execute(text("DROP INDEX ix_threads_board_id"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert "lifted_at" in {column["name"] for column in inspect(engine).get_columns("host_rests")}
    engine.dispose()
