"""Migration 0017, on SQLite and PostgreSQL (fixture db_url): alerts get ``rerouted_at``, when an
escalation last gave them to another spokesperson (their acknowledgement clock restarts then).
Alerts stored before have none, so their clocks run from their opening as before; downgrading
drops the column and keeps the alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.store.db import _alembic_config, current_revision, head_revision, make_engine, session_factory
from monitor.store.db import upgrade as upgrade_to
from monitor.store.models import Alert, Base, Board, SourceRow, Thread

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)


def _store_alert(engine: sa.Engine, rerouted_at: datetime) -> int:
    with session_factory(engine).begin() as session:
        source = SourceRow(key="bbs", name="BBS", engine="discuz", base_url="http://x/")
        board = Board(source=source, external_id="2", name="投诉维权")
        thread = Thread(
            source=source, board=board, external_id="7", title="团费不退", url="http://x/7",
            first_seen_at=NOW, last_seen_at=NOW,
        )  # fmt: skip
        alert = Alert(
            thread=thread, watch_group="途乐旅行", severity="very_urgent", spokesperson="chen_jie",
            playbook="p", opened_at=NOW, updated_at=NOW, respond_by=NOW + timedelta(hours=4),
            rerouted_at=rerouted_at,
        )  # fmt: skip
        session.add(alert)
        session.flush()
        return alert.id


def test_rerouted_at_is_added_and_dropped_and_alerts_stored_before_run_their_clocks_from_the_opening(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    upgrade_to(engine)
    assert current_revision(engine) == head_revision()  # 0017 or later
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    alert_id = _store_alert(engine, NOW + timedelta(hours=2))
    with session_factory(engine)() as session:
        assert session.get_one(Alert, alert_id).ack_clock_start == NOW + timedelta(hours=2)

    command.downgrade(_alembic_config(engine), "0016")
    assert current_revision(engine) == "0016"
    assert "rerouted_at" not in {c["name"] for c in sa.inspect(engine).get_columns("alerts")}
    with engine.connect() as connection:
        assert connection.scalar(sa.text("select count(*) from alerts")) == 1

    upgrade_to(engine)  # as if stored before 0017
    with session_factory(engine)() as session:
        alert = session.get_one(Alert, alert_id)
        assert alert.rerouted_at is None and alert.ack_clock_start == NOW
    engine.dispose()
