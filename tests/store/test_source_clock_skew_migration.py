"""Migration 0018, on SQLite and PostgreSQL (fixture db_url): sources get ``clock_skew_seconds`` (the
forum's clock minus ours at its last board read, when more than 10 min apart); downgrading drops it
and keeps the sources."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.store.db import _alembic_config, current_revision, head_revision, make_engine, session_factory
from monitor.store.db import upgrade as upgrade_to
from monitor.store.models import Base, SourceRow


def test_clock_skew_is_added_and_dropped_and_sources_stored_before_have_none(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to(engine)
    assert current_revision(engine) == head_revision()  # 0018 or later
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    with session_factory(engine).begin() as session:
        session.add(
            SourceRow(key="bbs", name="BBS", engine="discuz", base_url="http://x/", clock_skew_seconds=-7200)
        )

    command.downgrade(_alembic_config(engine), "0017")
    assert current_revision(engine) == "0017"
    assert "clock_skew_seconds" not in {c["name"] for c in sa.inspect(engine).get_columns("sources")}
    with engine.connect() as connection:
        assert connection.scalar(sa.text("select count(*) from sources")) == 1

    upgrade_to(engine)
    with session_factory(engine)() as session:
        assert session.scalars(sa.select(SourceRow)).one().clock_skew_seconds is None
    engine.dispose()
