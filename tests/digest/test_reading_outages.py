"""Forums read, once a board that keeps failing is one health event per outage: the digest counts
outages seen in its week — not polls, and not outages over before the week began.

Board health is recorded as the crawler records it (monitor.health.board_failed / succeeded) in a
real database (SQLite, and PostgreSQL when it answers: fixture db_url). Time is passed in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.config.files import SourceConfig
from monitor.digest.model import BoardTrouble, DigestPeriod
from monitor.digest.reading import reading_health, reading_lines
from monitor.digest.said import Said
from monitor.health import board_failed, board_succeeded
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory

START = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # 2026-11-30 00:00 in Shanghai
PERIOD = DigestPeriod(start=START, end=START + timedelta(days=7), timezone="Asia/Shanghai")
POLL = timedelta(minutes=30)
SOURCE = SourceConfig.model_validate(
    {"key": "ty", "name": "天涯论坛", "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["5"]}
)


def test_outages_seen_in_the_week_are_counted_once_each_however_many_polls_they_lasted(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, SOURCE)
        down = repo.ensure_board(session, source, "5", "消费维权")
        flaky = repo.ensure_board(session, source, "6", "旅游投诉")
        before = repo.ensure_board(session, source, "7", "售后")

        def outage(board: object, reason: str, start: datetime, end: datetime) -> None:
            at = start
            while at < end:  # a failed poll every 30 minutes
                board_failed(session, source, board, reason, "http://x/", at)  # type: ignore[arg-type]
                at += POLL

        # down from two days before the week to its first day (~150 polls), then a login wall
        # from day 3 on, still there
        outage(down, "HTTP 503 at http://x/", START - timedelta(days=2), START + timedelta(days=1))
        board_succeeded(session, source, down, 20, 3, START + timedelta(days=1))
        outage(down, "请先登录", START + timedelta(days=3), START + timedelta(days=6))
        # two one-poll failures with a good poll between them
        for day in (2, 4):
            board_failed(
                session, source, flaky, "HTTP 502 at http://x/", "http://x/", START + timedelta(days=day)
            )
            board_succeeded(session, source, flaky, 20, 1, START + timedelta(days=day, minutes=30))
        # an outage over before the week began
        outage(before, "HTTP 503 at http://x/", START - timedelta(days=3), START - timedelta(days=2))
        board_succeeded(session, source, before, 20, 1, START - timedelta(days=2))
        reading = reading_health(session, PERIOD)
    engine.dispose()
    assert reading.troubled == (  # as many problems each: by board name
        BoardTrouble(
            "天涯论坛", "旅游投诉", "ok", (("fetch_failed", 2),), START + timedelta(days=4, minutes=30),
            (("fetch_failed", 60.0),),  # two polls failed, each read again 30 min later
        ),
        BoardTrouble(
            "天涯论坛",
            "消费维权",
            "failing",
            (("fetch_failed", 1), ("login_wall", 1)),
            START + timedelta(days=1),
            # the outage begun before the week counts from its start; the login wall to its last poll
            (("fetch_failed", 24 * 60.0), ("login_wall", 3 * 24 * 60.0 - 30)),
        ),
    )  # fmt: skip
    assert reading_lines(reading, "Asia/Shanghai") == [
        Said(
            "1 个论坛，3 个版块：2 个版块未能一直读取，其数据可能不完整：",
            "1 forum, 3 boards: 2 boards not always read — figures from these may be incomplete:",
        ),
        Said(  # the board named once, before the Chinese
            "天涯论坛 · 旅游投诉：已恢复（页面抓取失败：2 次中断，共 1 小时 00 分）；最后读取 12-04 00:30",
            "recovered (pages not fetched: 2 outages lasting 1 h 00 min in all); last read 12-04 00:30",
        ),
        Said(
            "天涯论坛 · 消费维权：当前读取失败（页面抓取失败：1 次中断，持续 1 天 0 小时；"
            "登录墙：1 次中断，持续 2 天 23 小时）；最后读取 12-01 00:00",
            "failing now (pages not fetched: 1 outage lasting 1 d 0 h, "
            "login wall: 1 outage lasting 2 d 23 h); last read 12-01 00:00",
        ),
    ]
