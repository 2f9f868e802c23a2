"""Migrations and idempotent writes, on SQLite and PostgreSQL (fixture: db_url)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from monitor.config.files import SourceConfig
from monitor.errors import StoreError
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import board_figures, repo
from monitor.store.db import (
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    session_factory,
    upgrade,
)
from monitor.store.models import Post, Thread

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SOURCE = SourceConfig.model_validate(
    {"key": "bbs", "name": "BBS", "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["2"]}
)


def _summary(replies: int = 3, title: str = "途乐旅行不退款") -> ThreadSummary:
    return ThreadSummary(
        thread_id="2",
        title=title,
        author="维权小王",
        author_id="2",
        replies=replies,
        views=100,
        sticky=False,
        url="http://127.0.0.1:1/forum.php?mod=viewthread&tid=2",
    )


def _post(pid: str, floor: int, text: str, quoted: str = "") -> PostRecord:
    return PostRecord(
        post_id=pid,
        floor=floor,
        author=f"user{floor}",
        author_id=str(floor),
        posted_at=NOW - timedelta(minutes=60 - floor),
        text=text,
        quoted=quoted,
    )


def test_migrations_reach_head_and_are_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    ensure_schema(engine, auto_migrate=True)
    assert current_revision(engine) == head_revision()
    ensure_schema(engine, auto_migrate=True)  # second run is a no-op
    tables = set(sa.inspect(engine).get_table_names())
    assert {
        "threads",
        "posts",
        "thread_snapshots",
        "alerts",
        "alert_events",
        "deliveries",
        "checklist_items",
        "watch_matches",
    } <= tables
    engine.dispose()


def test_same_page_twice_never_duplicates(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    posts = [_post("1", 1, "首帖"), _post("2", 2, "我也遇到了")]
    for _ in range(2):
        with sessions.begin() as session:
            source = repo.ensure_source(session, SOURCE)
            board = repo.ensure_board(session, source, "2", "投诉维权")
            thread, _ = repo.upsert_thread(session, source, board, _summary(), NOW)
            repo.save_posts(session, thread, posts, NOW)
    with sessions() as session:
        assert session.scalar(select(sa.func.count()).select_from(Thread)) == 1
        assert session.scalar(select(sa.func.count()).select_from(Post)) == 2
        stored = session.scalar(select(Post).where(Post.external_id == "1"))
        assert stored is not None and stored.posted_at.tzinfo is not None
        assert stored.posted_at == posts[0].posted_at
    engine.dispose()


def test_edited_post_is_updated_and_blank_page_loses_nothing(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        source = repo.ensure_source(session, SOURCE)
        board = repo.ensure_board(session, source, "2", "投诉维权")
        thread, previous = repo.upsert_thread(session, source, board, _summary(), NOW)
        assert previous == -1
        first = repo.save_posts(session, thread, [_post("1", 1, "原文")], NOW)
        assert len(first) == 1
        first[0].sentiment = 0.1
    with sessions.begin() as session:
        thread = session.scalars(select(Thread)).one()
        edited = repo.save_posts(session, thread, [_post("1", 1, "原文（已编辑）")], NOW)
        assert [p.text for p in edited] == ["原文（已编辑）"]
        assert edited[0].sentiment is None  # to be re-scored
        blank = repo.save_posts(session, thread, [_post("1", 1, "")], NOW)
        assert blank == []
        # a board row with an empty title must not blank the stored title
        source = repo.ensure_source(session, SOURCE)
        board = repo.ensure_board(session, source, "2", "")
        _, previous = repo.upsert_thread(session, source, board, _summary(replies=5, title=""), NOW)
        assert previous == 3
    with sessions() as session:
        thread = session.scalars(select(Thread)).one()
        assert thread.title == "途乐旅行不退款"
        assert thread.replies == 5
        assert thread.board.name == "投诉维权"
        assert session.scalars(select(Post)).one().text == "原文（已编辑）"
    engine.dispose()


def test_snapshots_record_thread_state(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        source = repo.ensure_source(session, SOURCE)
        board = repo.ensure_board(session, source, "2", "投诉维权")
        thread, _ = repo.upsert_thread(session, source, board, _summary(), NOW)
        rows = repo.save_posts(
            session,
            thread,
            [_post("1", 1, "a"), _post("2", 2, "b"), _post("3", 3, "c"), _post("4", 4, "d")],
            NOW,
        )
        for row, score, me_too in zip(rows, [0.1, 0.2, 0.9, 0.3], [False, True, False, True], strict=True):
            row.sentiment, row.me_too = score, me_too
        first = repo.record_snapshot(session, thread, rows, NOW - timedelta(hours=1), negative_below=0.5)
        assert (first.replies, first.distinct_authors, first.me_too_authors) == (3, 4, 2)
        assert first.negative_share == 0.75
        repo.record_snapshot(session, thread, rows, NOW, negative_below=0.5)
        assert repo.snapshot_before(session, thread, NOW - timedelta(minutes=30)) == first
        assert repo.snapshot_before(session, thread, NOW - timedelta(hours=2)) is None
    engine.dispose()


def test_a_boards_usual_negativity_counts_only_threads_whose_posts_were_read(db_url: str) -> None:
    """Threads seen only on the board's list (their pages not read) have no negative share, not 0 %."""
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, SOURCE)
        board = repo.ensure_board(session, source, "2", "投诉维权")
        for number in range(6):
            summary = replace(_summary(), thread_id=str(10 + number))
            thread, _ = repo.upsert_thread(session, source, board, summary, NOW)
            read = [_post(f"{number}1", 1, "差")] if number < 3 else []  # the last three: list only
            rows = repo.save_posts(session, thread, read, NOW) if read else []
            for row in rows:
                row.sentiment = 0.1
            repo.record_snapshot(session, thread, rows, NOW - timedelta(minutes=10), negative_below=0.5)
        shares = board_figures.board_negative_shares(session, board.id, NOW - timedelta(days=1), NOW)
    assert shares == [1.0, 1.0, 1.0]
    engine.dispose()


def test_migrations_match_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from monitor.store.models import Base

    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == [], "write a migration: the models changed"


def test_board_view_readings_keep_each_threads_first_day(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    posted = NOW - timedelta(days=3)
    with sessions.begin() as session:
        source = repo.ensure_source(session, SOURCE)
        board = repo.ensure_board(session, source, "2", "投诉维权")
        other = repo.ensure_board(session, source, "9", "闲聊")
        for tid, where in (("2", board), ("3", board), ("4", other)):
            summary = replace(_summary(), thread_id=tid, url=f"http://x/{tid}")
            thread, _ = repo.upsert_thread(session, source, where, summary, posted)
            first = replace(_post(f"{tid}-1", 1, "a"), posted_at=posted)
            rows = repo.save_posts(session, thread, [first], posted)
            for hours, views in ((0.5, 40), (1, 70), (2, 100), (30, 5000)):  # the day's ends are read
                thread.views = views
                repo.record_snapshot(
                    session, thread, rows, posted + timedelta(hours=hours), negative_below=0.5
                )
        readings = board_figures.board_view_readings(session, board.id, NOW - timedelta(days=30), NOW)
        assert len(readings) == 2  # not the other board's thread
        for first_post_at, views in readings.values():
            assert first_post_at == posted
            assert sorted(views) == [(posted + timedelta(hours=0.5), 40), (posted + timedelta(hours=2), 100)]
        assert board_figures.board_view_readings(session, board.id, NOW - timedelta(days=2), NOW) == {}
    engine.dispose()


def test_a_new_sqlite_database_says_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A relative data_dir run from another directory makes a new, empty database: say so, and where."""
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite:///data/monitor.db")
    with caplog.at_level(logging.INFO, logger="monitor.store.db"):
        ensure_schema(engine, auto_migrate=True)
        said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("new database")]
        assert said == [
            f"new database {tmp_path.resolve() / 'data' / 'monitor.db'}: nothing is stored in it yet "
            f"(a relative data_dir is read from where you run: {tmp_path})"
        ]
        caplog.clear()
        ensure_schema(engine, auto_migrate=True)
        assert not [r for r in caplog.records if r.getMessage().startswith("new database")]
    engine.dispose()


def test_a_database_migrated_by_a_newer_version_is_refused_with_a_clear_error(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    with engine.begin() as connection:  # what a newer version's migration leaves behind
        connection.execute(sa.text("update alembic_version set version_num = '0099'"))
    with pytest.raises(StoreError, match=r"is at revision 0099, which this version of monitor does not know"):
        ensure_schema(engine, auto_migrate=True)
    with pytest.raises(StoreError, match=r"a newer version has migrated it"):  # monitor db upgrade
        upgrade(engine)
    engine.dispose()
