"""Migration 0023, on SQLite and PostgreSQL (fixture db_url): boards get ``first_read_page``,
``first_read_since`` and ``first_read_tries`` (where a first read cut short by a failed page reads on
from, monitor/first_read_resume.py); boards stored before have none; downgrading drops them and keeps
the boards."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.store.db import _alembic_config, current_revision, head_revision, make_engine, session_factory
from monitor.store.db import upgrade as upgrade_to
from monitor.store.models import Base, Board

COLUMNS = {"first_read_page", "first_read_since", "first_read_tries"}


def test_a_first_read_to_read_on_is_added_and_dropped_and_boards_stored_before_have_none(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to(engine, "0022")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "insert into sources (key, name, engine, base_url) values ('bbs', 'BBS', 'discuz', 'http://x/')"
            )
        )
        connection.execute(sa.text("insert into boards (source_id, external_id, name) values (1, '2', 'b')"))

    upgrade_to(engine)
    assert current_revision(engine) == head_revision()  # 0023 or later
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    since = datetime(2026, 11, 30, 2, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        board = session.scalars(sa.select(Board)).one()
        assert (board.first_read_page, board.first_read_since, board.first_read_tries) == (None, None, 0)
        board.first_read_page, board.first_read_since, board.first_read_tries = 3, since, 1
    with session_factory(engine)() as session:
        board = session.scalars(sa.select(Board)).one()
        assert (board.first_read_page, board.first_read_since, board.first_read_tries) == (3, since, 1)

    command.downgrade(_alembic_config(engine), "0022")
    assert current_revision(engine) == "0022"
    assert not COLUMNS & {c["name"] for c in sa.inspect(engine).get_columns("boards")}
    with engine.connect() as connection:
        assert connection.scalar(sa.text("select count(*) from boards")) == 1
    engine.dispose()
