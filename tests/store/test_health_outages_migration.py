"""Migration 0012, on SQLite and PostgreSQL (fixture db_url): health events become outages
(``last_at``, ``times``, ``ended_at``) and boards count their last poll's thread pages. Events
already stored were one poll each, so each is an outage seen once and over; a board keeps its
health as it was. Downgrading drops the columns again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

import monitor.store.types
from monitor.health import board_failed, board_status
from monitor.store.db import _alembic_config, current_revision, head_revision, make_engine, session_factory
from monitor.store.db import upgrade as upgrade_to
from monitor.store.models import Base, Board, HealthEvent

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

_SOURCES = sa.table(
    "sources",
    sa.column("id", sa.Integer()),
    sa.column("key", sa.String()),
    sa.column("name", sa.String()),
    sa.column("engine", sa.String()),
    sa.column("base_url", sa.String()),
)
_BOARDS = sa.table(
    "boards",
    sa.column("id", sa.Integer()),
    sa.column("source_id", sa.Integer()),
    sa.column("external_id", sa.String()),
    sa.column("name", sa.String()),
    sa.column("consecutive_failures", sa.Integer()),
    sa.column("last_error", sa.Text()),
)
_EVENTS = sa.table(
    "health_events",
    sa.column("source_id", sa.Integer()),
    sa.column("board_id", sa.Integer()),
    sa.column("at", monitor.store.types.UTCDateTime(timezone=True)),
    sa.column("kind", sa.String()),
    sa.column("url", sa.String()),
    sa.column("detail", sa.Text()),
    sa.column("kept_as", sa.String()),
)


def test_stored_events_become_outages_seen_once_and_boards_keep_their_health(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to(engine, "0011")
    with engine.begin() as connection:
        connection.execute(
            _SOURCES.insert().values(id=1, key="bbs", name="BBS", engine="discuz", base_url="http://x/")
        )
        connection.execute(
            _BOARDS.insert().values(
                id=1,
                source_id=1,
                external_id="2",
                name="投诉维权",
                consecutive_failures=2,
                last_error="HTTP 503",
            )
        )
        for minutes in (0, 5):  # the old way: one event per failed poll
            connection.execute(
                _EVENTS.insert().values(
                    source_id=1,
                    board_id=1,
                    at=NOW + timedelta(minutes=minutes),
                    kind="fetch_failed",
                    url="http://x/",
                    detail="HTTP 503",
                    kept_as="",
                )
            )

    upgrade_to(engine)

    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    sessions = session_factory(engine)
    with sessions.begin() as session:
        events = session.scalars(select(HealthEvent).order_by(HealthEvent.id)).all()
        later = NOW + timedelta(minutes=5)
        assert [(e.at, e.last_at, e.times, e.ended_at) for e in events] == [
            (NOW, later, 2, later),  # two polls of one outage (the board's last failure unknown: over)
        ]
        board = session.scalars(select(Board)).one()
        assert (board.last_thread_pages_read, board.last_thread_pages_failed) == (0, 0)
        assert board_status(board) == "failing" and board.last_error == "HTTP 503"
        board_failed(session, board.source, board, "HTTP 503", "http://x/", NOW + timedelta(minutes=10))
        assert len(session.scalars(select(HealthEvent)).all()) == 2  # a new outage: the old one is over

    command.downgrade(_alembic_config(engine), "0011")
    assert current_revision(engine) == "0011"
    inspector = sa.inspect(engine)
    assert {"last_at", "times", "ended_at"}.isdisjoint(
        c["name"] for c in inspector.get_columns("health_events")
    )
    assert "last_thread_pages_read" not in {c["name"] for c in inspector.get_columns("boards")}
    with engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(_EVENTS)) == 2
    engine.dispose()


def test_a_history_of_failed_polls_becomes_its_outages_and_one_still_going_on_goes_on(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to(engine, "0011")
    last = NOW + timedelta(hours=3, minutes=10)
    with engine.begin() as connection:
        connection.execute(
            _SOURCES.insert().values(id=1, key="bbs", name="BBS", engine="discuz", base_url="http://x/")
        )
        connection.execute(
            _BOARDS.insert().values(
                id=1, source_id=1, external_id="2", name="投诉维权", consecutive_failures=3, last_error="x"
            )
        )
        connection.execute(sa.text("UPDATE boards SET last_failure_at = :at"), {"at": last})

        def event(at: datetime, kind: str = "fetch_failed", url: str = "http://x/") -> None:
            connection.execute(
                _EVENTS.insert().values(
                    source_id=1, board_id=1, at=at, kind=kind, url=url, detail="", kept_as=""
                )
            )

        for minutes in range(0, 60, 5):  # down for an hour: 12 polls, then read again
            event(NOW + timedelta(minutes=minutes))
        event(NOW + timedelta(minutes=60), "recovered", "")
        event(NOW + timedelta(minutes=70), "login_wall", "http://x/thread-9")  # one thread page, once
        for minutes in (180, 185, 190):  # down again, and still down at the upgrade
            event(NOW + timedelta(minutes=minutes))

    upgrade_to(engine)

    sessions = session_factory(engine)
    with sessions.begin() as session:
        events = session.scalars(select(HealthEvent).order_by(HealthEvent.at)).all()
        assert [(e.kind, e.times, e.at, e.last_at, e.ended_at) for e in events] == [
            ("fetch_failed", 12, NOW, NOW + timedelta(minutes=55), NOW + timedelta(minutes=60)),
            (
                "recovered",
                1,
                NOW + timedelta(minutes=60),
                NOW + timedelta(minutes=60),
                NOW + timedelta(minutes=60),
            ),
            (
                "login_wall",
                1,
                NOW + timedelta(minutes=70),
                NOW + timedelta(minutes=70),
                NOW + timedelta(minutes=70),
            ),
            ("fetch_failed", 3, NOW + timedelta(minutes=180), last, None),  # going on
        ]
        board = session.get(Board, 1)
        assert board is not None
        board_failed(session, board.source, board, "HTTP 503", "http://x/", last + timedelta(minutes=5))
        assert session.scalars(select(HealthEvent.times).where(HealthEvent.ended_at.is_(None))).all() == [4]
    engine.dispose()
