"""A board's first read cut short by a failed older page reads on by itself at the board's next polls
(monitor/first_read_resume.py, monitor/crawl_board_list.py), and ``monitor sources status`` says so.

Over loopback: the board of tests/paged_board.py (threads 0–41 had a post within 7 days of ``START``,
20 rows a page, 5 pages), read with ``pages_per_board: 1``; its page 3 fails at the first read. The
forum's clock (its ``Date`` header) moves with the polls' ``now``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from paged_board import START, Served, board_app, paged_forum, serve
from sqlalchemy import select

from monitor.app import App
from monitor.backfill import backfill
from monitor.cli import main
from monitor.crawl_board_list import FirstRead
from monitor.demo.forum import Forum
from monitor.store.models import Alert, Board, Thread


@pytest.fixture
def board() -> Iterator[Served]:
    yield from serve(paged_forum(Forum(now=START)))


def _polls(app: App, served: Served, *times: datetime) -> None:
    async def run() -> None:
        async with app.pipeline() as pipeline:
            for now in times:
                served.forum.now = now  # the forum's clock is ours
                await pipeline.crawl_pass(now)

    asyncio.run(run())


def _titles(app: App) -> set[str]:
    with app.sessions() as session:
        return set(session.scalars(select(Thread.title)))


def _said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "first read" in r.getMessage()]


def _status(tmp_path: Path, at: datetime, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    main(["sources", "status", "--config", str(tmp_path / "config"), "--at", at.isoformat()])
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  board 2")]
    return line


def test_a_first_read_cut_short_reads_on_from_the_failed_page_at_the_next_poll_with_the_same_cutoff(
    tmp_path: Path, board: Served, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO, logger="monitor")
    board.failing = {3}
    app = board_app(tmp_path, board)
    try:
        _polls(app, board, START)
        first = _titles(app)
        cut_short = _status(tmp_path, START, capsys)
        board.failing = set()
        # a day later: on a cutoff of its own (7 days before now) threads 40 and 41, whose last posts
        # came 161 h and 165 h before START, would be too old; on the first read's they are not
        later = START + timedelta(days=1)
        _polls(app, board, later, later + timedelta(minutes=10))
        finished = _status(tmp_path, later, capsys)
    finally:
        app.close()
    assert first == {f"帖子 {n}" for n in range(40)}
    # poll 2 reads page 1 as every poll does, then on from page 3; page 4 is all older; poll 3 page 1
    assert board.board_pages == [1, 2, 3, 1, 3, 4, 1]
    assert _titles(app) == {f"帖子 {n}" for n in range(42)}
    assert _said(caplog) == [
        "bbs board 2 first read: 2 list pages, 40 threads (paging back up to 10 pages / 7 days); "
        "stopped: page 3 failed; the next poll reads on from page 3 (try 1 of 3)",
        "bbs board 2 first read, read on from page 3: 3 list pages, 22 threads (paging back up to 10 pages "
        "/ 7 days); stopped: page 4's rows are all older than 7 days; 38 older rows left",
    ]
    assert cut_short.endswith(
        "; 首次回溯中断 first read cut short at page 3: the next poll reads on from it (try 1 of 3)"
    )
    assert "first read" not in finished


def test_reading_on_stops_at_first_read_pages_in_all(tmp_path: Path, board: Served) -> None:
    board.failing = {3}
    app = board_app(tmp_path, board, "    first_read_pages: 4\n    first_read_days: 30\n")
    try:
        _polls(app, board, START)
        board.failing = set()
        _polls(app, board, START + timedelta(minutes=10), START + timedelta(minutes=20))
    finally:
        app.close()
    assert board.board_pages == [1, 2, 3, 1, 3, 4, 1]  # 4 pages in all; page 5 is never read
    assert _titles(app) == {f"帖子 {n}" for n in range(80)}


def test_a_page_that_keeps_failing_is_given_up_after_three_polls_and_status_names_the_backfill(
    tmp_path: Path, board: Served, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO, logger="monitor")
    board.failing = {3}
    app = board_app(tmp_path, board)
    times = [START + timedelta(minutes=10 * n) for n in range(6)]
    try:
        _polls(app, board, *times[:3])
        trying = _status(tmp_path, times[2], capsys)  # after the first read and 2 polls reading on
        _polls(app, board, *times[3:])
        given_up = _status(tmp_path, times[5], capsys)
        board.failing = set()

        async def run() -> None:
            async with app.pipeline() as pipeline:
                await backfill(
                    pipeline,
                    app.sessions,
                    app.config.sources[0],
                    ["2"],
                    FirstRead.at(times[5], 10, 7),
                    times[5],
                )

        asyncio.run(run())
        backfilled = _status(tmp_path, times[5], capsys)
        with app.sessions() as session:
            row = session.scalars(select(Board)).one()
            state = (row.first_read_page, row.first_read_since, row.first_read_tries)
    finally:
        app.close()
    # the first read, then 3 polls reading on from page 3; the polls after them read page 1 only
    assert board.board_pages[:11] == [1, 2, 3, 1, 3, 1, 3, 1, 3, 1, 1]
    said = _said(caplog)
    assert said[1].endswith("stopped: page 3 failed; the next poll reads on from page 3 (try 2 of 3)")
    assert said[2].endswith("stopped: page 3 failed; the next poll reads on from page 3 (try 3 of 3)")
    [warning] = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "given up" in r.getMessage()
    ]
    assert warning.startswith("bbs board 2 first read, read on from page 3: 1 list page, 20 threads ")
    assert warning.endswith(
        "stopped: page 3 failed; given up after 3 polls read on: the threads on page 3 and older are "
        "read when they bump — run `monitor sources backfill bbs --board 2` to read them"
    )
    assert trying.endswith("(try 3 of 3)")
    assert given_up.endswith(
        "; 首次回溯已放弃 first read given up at page 3 after 3 polls: the threads there and older are "
        "read when they bump — run `monitor sources backfill bbs --board 2`"
    )
    assert "first read" not in backfilled  # a backfill paged back: nothing is left to say
    assert state == (None, None, 0)
    assert _titles(app) == {f"帖子 {n}" for n in range(42)}


# --- long quiet threads found by reading on open no alert (monitor/catch_up.py) ---

OPENING = "途乐旅行云南游强制购物，导游威胁不买就不让走！投诉了一个月没人管，太气人了"
REPLIES = [
    "我也遇到了，途乐旅行退款拖了两个月，气死了",
    "我是都市晚报记者，想了解途乐旅行不退款的情况，请私信联系",
    "太差劲了，坚决投诉到底",
]


def test_a_long_quiet_thread_found_on_a_page_read_on_opens_no_alert(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A watched, negative thread with a journalist at floor 3 (it alerts however slowly it grows),
    quiet for 6 days 14 h: the first row of page 3, which fails at the first read."""
    caplog.set_level(logging.INFO, logger="monitor")
    forum = paged_forum(Forum(now=START))
    last = START - timedelta(days=6, hours=14)  # after thread 39's, 157 h ago
    thread = forum.add_thread(2, "途乐旅行强制购物（上周）", "苦主", last - timedelta(hours=3), OPENING)
    for n, text in enumerate(REPLIES):
        forum.add_reply(thread.tid, f"网友{n}", last - timedelta(hours=2 - n), text)
    for served in serve(forum):
        served.failing = {3}
        app = board_app(tmp_path, served)
        try:
            _polls(app, served, START)
            first = _titles(app)
            served.failing = set()
            _polls(app, served, START + timedelta(minutes=10))
            with app.sessions() as session:
                alerted = set(session.scalars(select(Thread.title).join(Alert, Alert.thread_id == Thread.id)))
        finally:
            app.close()
    assert "途乐旅行强制购物（上周）" not in first
    assert "途乐旅行强制购物（上周）" in _titles(app)  # read by the poll reading on from page 3
    assert alerted == set()
    said = [r.getMessage() for r in caplog.records if "found by paging back" in r.getMessage()]
    assert len(said) == 1 and "quiet for longer than hot_for_hours" in said[0]
