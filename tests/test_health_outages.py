"""A board that keeps failing is one health event per outage, not one per poll (monitor.health,
monitor.crawl_failures), recorded as the crawler records it in a real database (fixture db_url:
a SQLite file, and PostgreSQL when it answers). Time is passed in; nothing sleeps.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor import health
from monitor.config.files import SourceConfig
from monitor.crawl_failures import record_page_failure
from monitor.errors import FetchError, ParseError
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Board, HealthEvent, SourceRow

START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
POLL = timedelta(minutes=3)
SOURCE = SourceConfig.model_validate(
    {"key": "bbs", "name": "BBS", "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["2"]}
)
REFUSED = "connection refused at http://127.0.0.1:1/robots.txt"
ROBOTS = "http://127.0.0.1:1/robots.txt"


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    yield session_factory(engine)
    engine.dispose()


def _board(session: Session) -> tuple[SourceRow, Board]:
    source = repo.ensure_source(session, SOURCE)
    return source, repo.ensure_board(session, source, "2", "投诉维权")


def _events(session: Session) -> list[tuple[str, datetime, datetime, int, datetime | None, str]]:
    """Each event as (kind, first seen, last seen, times seen, ended at, detail), oldest first."""
    return [
        (e.kind, e.at, e.last_at, e.times, e.ended_at, e.detail)
        for e in session.scalars(select(HealthEvent).order_by(HealthEvent.id))
    ]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "monitor.health" and r.levelno >= logging.WARNING
    ]


def test_a_forum_down_for_two_hours_is_one_event_until_it_recovers(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor.health")
    with sessions.begin() as session:
        source, board = _board(session)
        health.board_succeeded(session, source, board, 20, 3, START)
        for poll in range(1, 41):  # every 3 minutes for two hours
            health.board_failed(
                session, source, board, REFUSED, ROBOTS, START + poll * POLL, kind="fetch_failed"
            )
        first, last = START + POLL, START + 40 * POLL
        assert session.scalar(select(func.count()).select_from(HealthEvent)) == 1  # not 40
        assert _events(session) == [("fetch_failed", first, last, 40, None, REFUSED)]
        # the board says what it always said
        assert (board.consecutive_failures, board.last_error, board.last_failure_at) == (40, REFUSED, last)
        assert health.board_status(board) == "failing"

        health.board_succeeded(session, source, board, 20, 0, last + POLL)
        assert _events(session) == [
            ("fetch_failed", first, last, 40, last + POLL, REFUSED),  # ended by the first good read
            ("recovered", last + POLL, last + POLL, 1, last + POLL, "after 40 failures"),
        ]
        health.board_failed(session, source, board, REFUSED, ROBOTS, last + 2 * POLL, kind="fetch_failed")
        assert len(_events(session)) == 3  # down again: a new outage, not the old one reopened

    # the log says when it went down, once an hour while it stays down, and when it came back
    assert _warnings(caplog) == [
        f"source health: fetch_failed on bbs board 2: {REFUSED}",
        f"source health: fetch_failed on bbs board 2 still, 21 times since 2026-12-07 01:03 UTC: {REFUSED}",
        f"source health: fetch_failed on bbs board 2: {REFUSED}",
    ]
    came_back = [r for r in caplog.records if r.name == "monitor.health" and r.levelno == logging.INFO]
    said = [r.getMessage() for r in came_back]
    assert said == ["source health: recovered on bbs board 2: after 40 failures"]
    repeats = [r for r in caplog.records if r.name == "monitor.health" and r.levelno == logging.DEBUG]
    assert len(repeats) == 38


def test_each_kind_of_failure_in_one_outage_is_one_event(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        source, board = _board(session)
        for poll, reason in enumerate(
            ["HTTP 503 at x", "HTTP 503 at x", "请先登录", "请先登录", "HTTP 502 at x"]
        ):
            health.board_failed(session, source, board, reason, "http://x/2", START + poll * POLL)
        assert [(kind, times, ended) for kind, _at, _last, times, ended, _ in _events(session)] == [
            ("fetch_failed", 3, None),
            ("login_wall", 2, None),
        ]
        assert board.consecutive_failures == 5 and board.last_error == "HTTP 502 at x"


def test_a_thread_page_that_keeps_failing_is_one_event_until_a_poll_meets_it_no_more(
    sessions: sessionmaker[Session],
) -> None:
    wall = "抱歉，您需要登录后才能查看该主题"
    with sessions.begin() as session:
        source, board = _board(session)

        def poll(at: datetime, walled: list[str], missing: list[str], read: int) -> None:
            pages = health.ThreadPages(read=read)
            for tid in walled:
                url = f"http://x/thread-{tid}-1-1.html"
                error = ParseError(url, wall)
                record_page_failure(session, source, board, error, url, at, "", board_list=False, pages=pages)
            for tid in missing:
                url = f"http://x/thread-{tid}-1-1.html"
                error = FetchError(url, f"HTTP 404 at {url}")
                record_page_failure(session, source, board, error, url, at, "", board_list=False, pages=pages)
            health.board_succeeded(session, source, board, 20, 0, at, pages)

        def events() -> list[tuple[str, str, datetime, datetime, int, datetime | None]]:
            rows = session.scalars(select(HealthEvent).order_by(HealthEvent.id))
            return [
                (e.kind, e.url.removeprefix("http://x/"), e.at, e.last_at, e.times, e.ended_at) for e in rows
            ]

        first, second, third = START, START + POLL, START + 2 * POLL
        poll(first, ["7", "8"], ["9"], read=5)
        poll(second, ["7", "8"], [], read=5)  # the 404 is gone: its event ends
        assert events() == [
            ("login_wall", "thread-7-1-1.html", first, second, 2, None),
            ("login_wall", "thread-8-1-1.html", first, second, 2, None),
            ("fetch_failed", "thread-9-1-1.html", first, first, 1, second),
        ]
        poll(third, [], ["9"], read=7)  # the walled threads read again; the 404 again: a new outage
        assert [(kind, url[7], times, ended) for kind, url, _at, _last, times, ended in events()] == [
            ("login_wall", "7", 2, third),
            ("login_wall", "8", 2, third),
            ("fetch_failed", "9", 1, second),
            ("fetch_failed", "9", 1, None),
        ]
        assert (board.last_thread_pages_read, board.last_thread_pages_failed) == (7, 1)
        assert health.board_status(board) == "ok" and board.last_error == ""


def test_a_board_whose_thread_pages_all_fail_is_degraded_with_the_cause_until_one_is_read(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        source, board = _board(session)
        health.board_succeeded(
            session, source, board, 20, 3, START, health.ThreadPages(read=4, fresh_threads=2)
        )
        assert health.board_status(board) == "ok"

        # a quiet board: only a thread whose pages always fail (a restricted thread) is tried again
        stuck = health.ThreadPages(failed=Counter(login_wall=1), last_error="请先登录")
        health.board_succeeded(session, source, board, 20, 0, START + POLL, stuck)
        assert health.board_status(board) == "ok" and board.last_error == ""
        assert (board.last_thread_pages_read, board.last_thread_pages_failed) == (0, 1)

        # new and grown threads, and not one of their pages read: nothing posted is being read
        walled = health.ThreadPages(failed=Counter(login_wall=2, fetch_failed=1), last_error="请先登录")
        walled.fresh_threads = 2
        health.board_succeeded(session, source, board, 20, 0, START + 2 * POLL, walled)
        assert health.board_status(board) == "degraded" and board.degraded_since == START + 2 * POLL
        assert board.consecutive_failures == 0 and board.last_success_at == START + 2 * POLL
        assert (
            board.last_error == "3 thread pages tried, none read (login_wall ×2, fetch_failed ×1): 请先登录"
        )

        # the same threads tried again, failing again: still degraded, since it began
        again = health.ThreadPages(failed=Counter(login_wall=3), last_error="请先登录")
        health.board_succeeded(session, source, board, 20, 0, START + 3 * POLL, again)
        assert health.board_status(board) == "degraded" and board.degraded_since == START + 2 * POLL
        assert board.last_error == "3 thread pages tried, none read (login_wall ×3): 请先登录"

        some = health.ThreadPages(
            read=1, failed=Counter(login_wall=2), last_error="请先登录", fresh_threads=3
        )
        health.board_succeeded(session, source, board, 20, 1, START + 4 * POLL, some)
        assert health.board_status(board) == "ok"  # most failed, but posts are being read again
        assert (board.last_thread_pages_read, board.last_thread_pages_failed, board.last_error) == (1, 2, "")
        assert [(e.kind, e.detail) for e in session.scalars(select(HealthEvent))] == [
            ("recovered", "thread pages read again")
        ]
