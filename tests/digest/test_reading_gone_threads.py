"""A thread page the forum answers 404 for — a deleted or moved thread, as forums have every day — is
listed in ``sources status`` as ``thread_gone`` but does not make its board "not always read" in the
digest; a page that failed otherwise (HTTP 503) does.

Recorded as the crawler records a failed thread page (monitor.crawl_failures.record_page_failure)
in a real database (SQLite, and PostgreSQL when it answers: fixture db_url). Time is passed in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.config.files import SourceConfig
from monitor.crawl_failures import THREAD_GONE, record_page_failure
from monitor.digest.model import DigestPeriod
from monitor.digest.reading import reading_health
from monitor.fetch.client import HTTPStatusError
from monitor.health import board_succeeded
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory

START = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # 2026-11-30 00:00 in Shanghai
PERIOD = DigestPeriod(start=START, end=START + timedelta(days=7), timezone="Asia/Shanghai")
SOURCE = SourceConfig.model_validate(
    {"key": "ty", "name": "天涯论坛", "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["5"]}
)


def test_deleted_threads_do_not_make_a_board_look_badly_read(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    at = START + timedelta(days=2)
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, SOURCE)
        gone = repo.ensure_board(session, source, "5", "消费维权")
        down = repo.ensure_board(session, source, "6", "旅游投诉")
        for board, status in ((gone, 404), (down, 503)):
            url = f"http://x/forum.php?mod=viewthread&tid={board.external_id}1"
            error = HTTPStatusError(url, f"HTTP {status}", status=status, body=b"")
            event = record_page_failure(session, source, board, error, url, at, "", board_list=False)
            assert event.kind == (THREAD_GONE if status == 404 else "fetch_failed")
            board_succeeded(session, source, board, 20, 1, at)  # the list read fine
        reading = reading_health(session, PERIOD)
    engine.dispose()
    assert [t.board for t in reading.troubled] == ["旅游投诉"]
