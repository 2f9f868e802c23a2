"""A board's first read pages back through its older list pages once (monitor/crawl_board_list.py).

Over loopback: the board of tests/paged_board.py (threads 0–41 within the 7-day lookback, 20 rows
a page). Its stickies variant puts 2 stickies on top of every page (one old, one with a reply an
hour ago), 18 other rows under them. The source reads ``pages_per_board: 1``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from demo_forum_config import ForumSource, demo_forum_config
from paged_board import START, Served, StickiesOnEveryPage, paged_forum, serve
from sqlalchemy import select

from monitor.app import App, build
from monitor.config.loader import load_config
from monitor.demo.forum import Forum
from monitor.errors import ConfigError
from monitor.store.models import Thread


@pytest.fixture
def board() -> Iterator[Served]:
    yield from serve(paged_forum(Forum(now=START)))


@pytest.fixture
def stickies() -> Iterator[Served]:
    forum = paged_forum(StickiesOnEveryPage(now=START))
    forum.add_thread(2, "版规", "admin", START - timedelta(days=200), "版规", sticky=True)
    active = forum.add_thread(2, "投诉汇总", "admin", START - timedelta(days=100), "汇总", sticky=True)
    forum.add_reply(active.tid, "网友", START - timedelta(hours=1), "我也遇到了")
    yield from serve(forum)


def _app(tmp_path: Path, served: Served, extra: str = "") -> App:
    directory = tmp_path / "config"
    demo_forum_config(directory, [ForumSource("bbs", "演示论坛", served.url, [2])])
    sources = directory / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + "    pages_per_board: 1\n" + extra)
    return build(load_config(directory, environ={}))


def _passes(app: App, *times: datetime) -> None:
    async def run() -> None:
        async with app.pipeline() as pipeline:
            for now in times:
                await pipeline.crawl_pass(now)

    asyncio.run(run())


def _titles(app: App) -> set[str]:
    with app.sessions() as session:
        return set(session.scalars(select(Thread.title)))


def _first_read_said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "first read" in r.getMessage()]


def test_the_first_pass_pages_back_to_the_lookback_and_later_passes_read_pages_per_board(
    tmp_path: Path, board: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor")
    app = _app(tmp_path, board)
    try:
        _passes(app, START)
        first_pages, board.board_pages[:] = list(board.board_pages), []
        first = _titles(app)
        # a thread far back on page 5 gets a reply: it moves to the top of page 1
        board.forum.now = START + timedelta(minutes=10)
        bumped = board.forum.visible_threads(2)[-1]
        board.forum.add_reply(bumped.tid, "网友", START + timedelta(minutes=5), "顶")
        _passes(app, START + timedelta(minutes=10))
        second = _titles(app) - first
    finally:
        app.close()
    # page 3 lists threads 40–59, 40 and 41 within 7 days: page 4 (60–79) is all older and stops it
    assert first_pages == [1, 2, 3, 4]
    assert first == {f"帖子 {n}" for n in range(42)}  # older rows of pages 3 and 4 are left
    assert board.board_pages == [1]  # the second pass reads pages_per_board pages
    assert second == {bumped.subject}
    assert _first_read_said(caplog) == [
        "bbs board 2 first read: 4 list pages, 42 threads (paging back up to 10 pages / 7 days); "
        "stopped: page 4's rows are all older than 7 days; 38 older rows left"
    ]


def test_a_shorter_lookback_stops_paging_sooner(tmp_path: Path, board: Served) -> None:
    app = _app(tmp_path, board, "    first_read_days: 3\n")
    try:
        _passes(app, START)
    finally:
        app.close()
    # 3 days = 72 h: threads 0–17 (last post 1 h … 69 h ago) are within it, all on page 1;
    # page 1 is read whole, as every pass reads it; page 2 is all older and stops the paging
    assert board.board_pages == [1, 2]
    assert _titles(app) == {f"帖子 {n}" for n in range(20)}


def test_stickies_on_every_page_neither_stop_paging_nor_keep_it_going(
    tmp_path: Path, stickies: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor")
    app = _app(tmp_path, stickies)
    try:
        _passes(app, START)
    finally:
        app.close()
    # 18 rows a page under the stickies: threads 0–41 on pages 1–3, page 4 (54–71) all older;
    # the old sticky on top of page 2 does not stop it, the active one does not keep page 4 going
    assert stickies.board_pages == [1, 2, 3, 4]
    assert _titles(app) == {f"帖子 {n}" for n in range(42)} | {"版规", "投诉汇总"}
    [said] = _first_read_said(caplog)
    assert said.startswith("bbs board 2 first read: 4 list pages, 44 threads ")


def test_the_cap_stops_paging_back_and_the_log_says_what_was_left(
    tmp_path: Path, board: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor")
    app = _app(tmp_path, board, "    first_read_pages: 2\n    first_read_days: 30\n")
    try:
        _passes(app, START)
    finally:
        app.close()
    assert board.board_pages == [1, 2]
    assert _titles(app) == {f"帖子 {n}" for n in range(40)}
    assert _first_read_said(caplog) == [
        "bbs board 2 first read: 2 list pages, 40 threads (paging back up to 2 pages / 30 days); "
        "stopped: the cap of 2 pages; 3 older pages left unread (the forum has 5)"
    ]


def test_a_first_read_whose_older_page_fails_reads_on_from_it_at_the_next_pass(
    tmp_path: Path, board: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor")
    board.failing = {3}
    app = _app(tmp_path, board)
    try:
        _passes(app, START)
        first = _titles(app)
        board.failing = set()
        _passes(app, START + timedelta(minutes=10))
    finally:
        app.close()
    assert board.board_pages == [1, 2, 3, 1, 3, 4]  # page 1, as every pass reads it, then on from page 3
    assert first == {f"帖子 {n}" for n in range(40)}
    assert _titles(app) == {f"帖子 {n}" for n in range(42)}
    [said, _] = _first_read_said(caplog)
    assert said.endswith("stopped: page 3 failed; the next poll reads on from page 3 (try 1 of 3)")


@pytest.mark.parametrize(
    ("dated", "threads"),
    [
        (True, 42),  # 7 days before the forum's now: threads 0–41, as on a forum whose clock is ours
        (False, 44),  # no Date header: 7 days before ours, 176 h before the forum's: threads 0–43
    ],
)
def test_the_lookback_is_judged_on_the_forums_clock_eight_hours_ahead(
    tmp_path: Path, dated: bool, threads: int, caplog: pytest.LogCaptureFixture
) -> None:
    """The forum's clock (its Date header) is 8 h ahead of ours, and its rows are dated by it."""
    caplog.set_level(logging.INFO, logger="monitor")
    ahead = START + timedelta(hours=8)
    for served in serve(paged_forum(Forum(now=ahead), start=ahead)):
        served.dated = dated
        app = _app(tmp_path, served)
        try:
            _passes(app, START)
        finally:
            app.close()
        assert served.board_pages == [1, 2, 3, 4]
    assert _titles(app) == {f"帖子 {n}" for n in range(threads)}
    [said] = _first_read_said(caplog)
    assert f"4 list pages, {threads} threads " in said


def test_a_board_whose_first_page_failed_pages_back_at_its_next_pass(tmp_path: Path, board: Served) -> None:
    board.failing = {1}
    app = _app(tmp_path, board)
    try:
        _passes(app, START)
        board.failing = set()
        _passes(app, START + timedelta(minutes=10))
    finally:
        app.close()
    assert board.board_pages == [1, 1, 2, 3, 4]  # no good poll yet: the second pass is the first read


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        (
            "    pages_per_board: 3\n    first_read_pages: 2\n",
            "first_read_pages (2) is less than pages_per_board (3): a board's first read reads at "
            "least the pages every pass reads",
        ),
        ("    first_read_pages: 51\n", "first_read_pages: Input should be less than or equal to 50"),
        ("    first_read_days: 0\n", "first_read_days: Input should be greater than or equal to 1"),
        ("    first_read_days: a week\n", "first_read_days: Input should be a valid integer"),
    ],
)
def test_first_read_settings_are_checked(tmp_path: Path, extra: str, error: str) -> None:
    directory = tmp_path / "config"
    demo_forum_config(directory, [ForumSource("bbs", "演示论坛", "http://127.0.0.1:9/", [2])])
    sources = directory / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + extra)
    with pytest.raises(ConfigError) as raised:
        load_config(directory, environ={})
    assert error in str(raised.value)
    assert "sources.yaml" in str(raised.value)


def test_pages_per_board_above_the_default_cap_raises_the_cap(tmp_path: Path) -> None:
    directory = tmp_path / "config"
    demo_forum_config(directory, [ForumSource("bbs", "演示论坛", "http://127.0.0.1:9/", [2])])
    sources = directory / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + "    pages_per_board: 12\n")
    [source] = load_config(directory, environ={}).sources
    assert (source.first_read_pages, source.first_read_cap) == (10, 12)
