"""论坛抓取 Forums read: the digest names the boards that could not always be read in its week.

Board health is recorded as the crawler records it (monitor.health.board_failed / succeeded) in
a real database (SQLite, and PostgreSQL when it answers).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.config.files import SourceConfig
from monitor.digest.model import BoardTrouble, DigestPeriod, Reading
from monitor.digest.reading import reading_health, reading_lines
from monitor.digest.said import Said
from monitor.health import board_failed, board_succeeded
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory

START = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # 2026-11-30 00:00 in Shanghai
PERIOD = DigestPeriod(start=START, end=START + timedelta(days=7), timezone="Asia/Shanghai")


def _source(key: str, name: str) -> SourceConfig:
    return SourceConfig.model_validate(
        {"key": key, "name": name, "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["2"]}
    )


def test_boards_with_problems_in_the_week_or_failing_now_are_listed(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine).begin() as session:
        tianya = repo.ensure_source(session, _source("ty", "天涯论坛"))
        demo = repo.ensure_source(session, _source("demo", "演示论坛"))
        healthy = repo.ensure_board(session, demo, "2", "投诉维权")
        walled = repo.ensure_board(session, tianya, "5", "消费维权")
        recovered = repo.ensure_board(session, tianya, "6", "")  # no name: its id is shown
        long_ago = repo.ensure_board(session, demo, "3", "旅游天地")
        board_succeeded(session, demo, healthy, 20, 3, START + timedelta(days=1))
        board_succeeded(session, tianya, walled, 20, 3, START + timedelta(days=2))
        for hour in range(3):  # a login wall from day 3 on, still there
            board_failed(
                session, tianya, walled, "请先登录", "http://x/5", START + timedelta(days=3, hours=hour)
            )
        board_failed(session, tianya, recovered, "HTTP 503", "http://x/6", START + timedelta(days=4))
        board_succeeded(session, tianya, recovered, 20, 3, START + timedelta(days=4, hours=1))
        board_failed(
            session, demo, long_ago, "HTTP 503", "http://x/3", START - timedelta(days=2)
        )  # last week
        board_succeeded(session, demo, long_ago, 20, 3, START - timedelta(days=1))
        board_failed(session, demo, healthy, "HTTP 503", "http://x/2", PERIOD.end)  # after the week
        board_succeeded(session, demo, healthy, 20, 3, PERIOD.end + timedelta(minutes=5))
        reading = reading_health(session, PERIOD)
    engine.dispose()
    assert (reading.forums, reading.boards) == (2, 4)
    assert reading.troubled == (  # one outage each (three polls behind the login wall are one)
        BoardTrouble(
            "天涯论坛", "6", "ok", (("fetch_failed", 1),), START + timedelta(days=4, hours=1),
            (("fetch_failed", 60.0),),  # failed at 00:00, read again at 01:00
        ),
        BoardTrouble(
            "天涯论坛", "消费维权", "failing", (("login_wall", 1),), START + timedelta(days=2),
            (("login_wall", 120.0),),  # met at three polls an hour apart: 2 h so far
        ),
    )  # fmt: skip
    assert reading_lines(reading, "Asia/Shanghai") == [
        Said(
            "2 个论坛，4 个版块：2 个版块未能一直读取，其数据可能不完整：",
            "2 forums, 4 boards: 2 boards not always read — figures from these may be incomplete:",
        ),
        Said(  # the board named once, before the Chinese
            "天涯论坛 · 6：已恢复（页面抓取失败：1 次中断，持续 1 小时 00 分）；最后读取 12-04 01:00",
            "recovered (pages not fetched: 1 outage lasting 1 h 00 min); last read 12-04 01:00",
        ),
        Said(
            "天涯论坛 · 消费维权：当前读取失败（登录墙：1 次中断，持续 2 小时 00 分）；最后读取 12-02 00:00",
            "failing now (login wall: 1 outage lasting 2 h 00 min); last read 12-02 00:00",
        ),
    ]


def test_a_week_read_without_problems_says_so_and_an_unknown_one_says_nothing() -> None:
    assert reading_lines(Reading(1, 1, ()), "Asia/Shanghai") == [
        Said(
            "1 个论坛，1 个版块：本周所有版块读取正常。",
            "1 forum, 1 board: every board read without problems this week.",
        )
    ]
    never = BoardTrouble("论坛", "版块", "never polled", (("captcha", 2),), None)
    assert reading_lines(Reading(1, 3, (never,)), "UTC")[1] == Said(
        "论坛 · 版块：从未读取（验证码：2 次中断）", "never read (captcha: 2 outages)"
    )
    empty = BoardTrouble("论坛", "版块", "empty", (("zero_threads", 1),), None)  # a change, not an outage
    assert reading_lines(Reading(1, 3, (empty,)), "UTC")[1] == Said(
        "论坛 · 版块：当前列表没有帖子（列表突然为空 ×1）", "lists no threads now (list suddenly empty ×1)"
    )
    assert reading_lines(None, "UTC") == []
