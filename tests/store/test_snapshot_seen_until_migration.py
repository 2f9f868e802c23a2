"""Migration 0019, on SQLite and PostgreSQL (fixture db_url): snapshots get ``seen_until`` (the last
poll that read them unchanged); a database of 0018 keeps its snapshots, each read only at its
``taken_at``; downgrading gives a snapshot seen later a row at its last reading, then drops the column."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.store.db import _alembic_config, current_revision, head_revision, make_engine, session_factory
from monitor.store.db import upgrade as upgrade_to
from monitor.store.models import Base, Snapshot

INSERT = sa.text(
    "insert into thread_snapshots (thread_id, taken_at, replies, views, distinct_authors, negative_share, "
    "me_too_authors) values (:thread, :at, :replies, 50, 2, 0.5, 0)"
)


def test_an_0018_database_keeps_its_snapshots_and_downgrading_keeps_where_each_was_last_seen(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    upgrade_to(engine, "0018")
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "insert into sources (key, name, engine, base_url) values ('bbs', 'BBS', 'discuz', 'http://x/')"
            )
        )
        connection.execute(sa.text("insert into boards (source_id, external_id, name) values (1, '2', 'b')"))
        connection.execute(
            sa.text(
                "insert into threads (source_id, board_id, external_id, title, author, url, replies, "
                "views, sticky, first_seen_at, last_seen_at, category) "
                "values (1, 1, '7', 't', 'a', 'http://x/7', 3, 50, false, :at, :at, 'other')"
            ),
            {"at": "2026-12-06 01:00:00" if sqlite else datetime(2026, 12, 6, 1, tzinfo=UTC)},
        )
        for minutes, replies in ((10, 2), (20, 3)):
            at = datetime(2026, 12, 6, 1, minutes, tzinfo=UTC)
            connection.execute(
                INSERT, {"thread": 1, "at": at.replace(tzinfo=None) if sqlite else at, "replies": replies}
            )

    upgrade_to(engine)
    assert current_revision(engine) == head_revision()  # 0019 or later
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    with session_factory(engine).begin() as session:
        rows = session.scalars(sa.select(Snapshot).order_by(Snapshot.id)).all()
        assert [(r.taken_at.minute, r.replies, r.seen_until) for r in rows] == [(10, 2, None), (20, 3, None)]
        rows[1].seen_until = datetime(2026, 12, 6, 1, 50, tzinfo=UTC)  # two polls read it unchanged

    command.downgrade(_alembic_config(engine), "0018")
    assert current_revision(engine) == "0018"
    assert "seen_until" not in {c["name"] for c in sa.inspect(engine).get_columns("thread_snapshots")}
    with engine.connect() as connection:
        left = connection.execute(sa.text("select taken_at, replies from thread_snapshots order by id")).all()
    assert [(str(at)[11:16], replies) for at, replies in left] == [("01:10", 2), ("01:20", 3), ("01:50", 3)]
    engine.dispose()
