"""``monitor sources backfill KEY``: page back through a source's boards once more, on request
(monitor/backfill.py, monitor/commands/sources_backfill.py).

Over loopback: the board of tests/paged_board.py (threads 0–41 had a post within 7 days, 20 rows a
page, 5 pages), read with ``pages_per_board: 1``. A board whose first read stopped at a failed
page is backfilled; the service tests pass the time in, the command's run on the real clock (their
forum is dated from it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from paged_board import START, Served, board_app, board_config, paged_forum, serve
from sqlalchemy import func, select

from monitor.app import App, build
from monitor.backfill import BoardBackfill, backfill, dry_run
from monitor.cli import main
from monitor.config.loader import load_config
from monitor.crawl_board_list import FirstRead
from monitor.demo.forum import Forum
from monitor.fetch.host_rests import SavedRest
from monitor.store.host_rests import StoredRests
from monitor.store.models import Alert, Post, Thread
from monitor.store.run_lock import run_lock

LATER = START + timedelta(minutes=10)


@pytest.fixture
def board() -> Iterator[Served]:
    yield from serve(paged_forum(Forum(now=START)))


@pytest.fixture
def board_now() -> Iterator[Served]:
    """The board dated from the real clock, for the command."""
    now = datetime.now(UTC).replace(microsecond=0)
    yield from serve(paged_forum(Forum(now=now), start=now))


def _pass(app: App, now: datetime) -> None:
    async def run() -> None:
        async with app.pipeline() as pipeline:
            await pipeline.crawl_pass(now)

    asyncio.run(run())


def _backfill(app: App, lookback: FirstRead, now: datetime) -> list[BoardBackfill]:
    async def run() -> list[BoardBackfill]:
        async with app.pipeline() as pipeline:
            done, _ = await backfill(pipeline, app.sessions, app.config.sources[0], ["2"], lookback, now)
            return done

    return asyncio.run(run())


def _stored(app: App) -> tuple[set[str], int, int]:
    """Thread titles, thread rows and post rows stored."""
    with app.sessions() as session:
        titles = set(session.scalars(select(Thread.title)))
        threads = session.scalar(select(func.count()).select_from(Thread)) or 0
        posts = session.scalar(select(func.count()).select_from(Post)) or 0
    return titles, threads, posts


def test_a_first_read_cut_short_is_paged_back_by_a_backfill_without_reading_known_threads_again(
    tmp_path: Path, board: Served
) -> None:
    board.failing = {3}  # the first read stops at page 3: threads 40 and 41 are never read
    app = board_app(tmp_path, board)
    try:
        _pass(app, START)
        before = _stored(app)
        board.failing, board.board_pages[:], board.threads_read[:] = set(), [], []
        [done] = _backfill(app, FirstRead.at(LATER, 10, 7), LATER)
        after = _stored(app)
    finally:
        app.close()
    assert before[0] == {f"帖子 {n}" for n in range(40)}
    assert board.board_pages == [1, 2, 3, 4]  # the first read's rules: page 4's rows are all older
    assert after[0] == {f"帖子 {n}" for n in range(42)}
    # the 40 threads stored are neither stored twice nor read again: their counts did not change
    assert (after[1], after[2]) == (before[1] + 2, before[2] + 2)
    assert sorted(board.threads_read) == sorted(
        t.tid for t in board.forum.visible_threads(2) if t.subject in ("帖子 40", "帖子 41")
    )
    assert done.said() == (
        "board 2 投诉维权: read 4 list pages, 42 threads (2 new); stopped: page 4's rows are all older "
        "than 7 days; 38 older rows left; 1 older page left unread (the forum has 5)"
    )


def test_pages_and_days_given_replace_the_sources_and_the_line_says_what_is_left(
    tmp_path: Path, board: Served
) -> None:
    app = board_app(tmp_path, board, "    first_read_pages: 1\n")  # its first read did not page back
    try:
        _pass(app, START)
        board.board_pages[:] = []
        [done] = _backfill(app, FirstRead.at(LATER, 2, 30), LATER)
    finally:
        app.close()
    assert board.board_pages == [1, 2]
    assert done.said() == (
        "board 2 投诉维权: read 2 list pages, 40 threads (20 new); stopped: the cap of 2 pages; "
        "3 older pages left unread (the forum has 5)"
    )


def test_an_older_page_that_fails_stops_the_backfill_and_the_line_says_to_run_it_again(
    tmp_path: Path, board: Served
) -> None:
    app = board_app(tmp_path, board, "    first_read_pages: 1\n")
    try:
        _pass(app, START)
        board.failing = {2}
        [done] = _backfill(app, FirstRead.at(LATER, 10, 7), LATER)
    finally:
        app.close()
    assert done.said() == (
        "board 2 投诉维权: read 1 list page, 20 threads (0 new); stopped: page 2 failed; 4 older pages "
        "left unread (the forum has 5) (see `monitor sources status`); run the backfill again later to "
        "read past it"
    )


def test_a_dry_run_says_what_a_backfill_would_read_and_stores_nothing(tmp_path: Path, board: Served) -> None:
    board.failing = {3}
    app = board_app(tmp_path, board)
    try:
        _pass(app, START)
        before = _stored(app)
        board.failing, board.board_pages[:], board.threads_read[:] = set(), [], []

        async def run() -> list[BoardBackfill]:
            async with app.pipeline() as pipeline:
                return await dry_run(
                    pipeline, app.sessions, app.config.sources[0], ["2"], FirstRead.at(LATER, 10, 7), LATER
                )

        [done] = asyncio.run(run())
        after = _stored(app)
    finally:
        app.close()
    assert (board.board_pages, board.threads_read) == ([1, 2, 3, 4], [])  # list pages only
    assert after == before
    assert done.said(dry_run=True) == (
        "board 2 投诉维权: would read 4 list pages, 42 threads (2 not stored yet); stopped: page 4's rows "
        "are all older than 7 days; 38 older rows left; 1 older page left unread (the forum has 5)"
    )


# --- long quiet threads found by paging back open no alert (monitor/catch_up.py) ---

LIVE = "途乐旅行收了我2万8团费，行程取消后三个月不退款！太坑了，投诉无门，大家评评理"
QUIET = "途乐旅行云南游强制购物，导游威胁不买就不让走！投诉了一个月没人管，太气人了"
REPLIES = [
    "我也遇到了，途乐旅行退款拖了两个月，气死了",
    "我是都市晚报记者，想了解途乐旅行不退款的情况，请私信联系",
    "太差劲了，坚决投诉到底",
]


def _complaint(forum: Forum, title: str, opening: str, last: datetime) -> None:
    """A watched, negative thread with a journalist at floor 3 (it alerts however slowly it grows),
    its last post at ``last``."""
    thread = forum.add_thread(2, title, "苦主", last - timedelta(hours=3), opening)
    for n, text in enumerate(REPLIES):
        forum.add_reply(thread.tid, f"网友{n}", last - timedelta(hours=2 - n), text)


def _alerted(app: App) -> set[str]:
    with app.sessions() as session:
        return set(session.scalars(select(Thread.title).join(Alert, Alert.thread_id == Thread.id)))


@pytest.fixture
def complaints() -> Iterator[Served]:
    """The board with two such threads (two stories): one quiet for 5 days (page 2), one live (page 1)."""
    forum = paged_forum(Forum(now=START))
    _complaint(forum, "途乐旅行强制购物（上周）", QUIET, START - timedelta(days=5))
    _complaint(forum, "途乐旅行不退款（今天）", LIVE, START - timedelta(minutes=20))
    yield from serve(forum)


def test_a_first_read_opens_no_alert_for_a_thread_quiet_for_days_but_does_for_a_live_one(
    tmp_path: Path, complaints: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor")
    app = board_app(tmp_path, complaints)
    try:
        _pass(app, START)
        titles = _stored(app)[0]
        alerted = _alerted(app)
    finally:
        app.close()
    assert {"途乐旅行强制购物（上周）", "途乐旅行不退款（今天）"} <= titles  # both read and stored
    assert alerted == {"途乐旅行不退款（今天）"}
    said = [r.getMessage() for r in caplog.records if "found by paging back" in r.getMessage()]
    assert len(said) == 1 and "quiet for longer than hot_for_hours" in said[0]


def test_a_backfill_opens_no_alert_for_a_long_quiet_thread_and_says_so(
    tmp_path: Path, complaints: Served
) -> None:
    app = board_app(tmp_path, complaints, "    first_read_pages: 1\n")  # its first read did not page back
    try:
        _pass(app, START)
        first = _alerted(app)
        [done] = _backfill(app, FirstRead.at(LATER, 10, 7), LATER)
        titles = _stored(app)[0]
        alerted = _alerted(app)
    finally:
        app.close()
    assert "途乐旅行强制购物（上周）" in titles
    assert first == alerted == {"途乐旅行不退款（今天）"}
    assert done.said().endswith("; 1 thread quiet for longer than hot_for_hours opened no alert")


# --- the command ---


def test_the_command_backfills_and_prints_one_line_per_board(
    tmp_path: Path, board_now: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = board_config(tmp_path, board_now, "    first_read_pages: 1\n")
    assert main(["crawl", "--once", "--config", str(directory)]) == 0
    board_now.board_pages[:] = []
    capsys.readouterr()
    assert main(["sources", "backfill", "bbs", "--config", str(directory)]) == 0
    out = capsys.readouterr().out.splitlines()
    # first_read_pages: 1 is the default; --pages and --days replace it
    assert out[0] == "bbs: 演示论坛 — 回溯 backfill, paging back up to 1 list page / 7 days"
    assert out[1].startswith(
        "  board 2 投诉维权: read 1 list page, 20 threads (0 new); stopped: the cap of 1 page"
    )
    board_now.board_pages[:] = []
    assert (
        main(["sources", "backfill", "bbs", "--pages", "10", "--board", "2", "--config", str(directory)]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert board_now.board_pages == [1, 2, 3, 4]
    assert out[0] == "bbs: 演示论坛 — 回溯 backfill, paging back up to 10 list pages / 7 days"
    assert out[1] == (
        "  board 2 投诉维权: read 4 list pages, 42 threads (22 new); stopped: page 4's rows are all older "
        "than 7 days; 38 older rows left; 1 older page left unread (the forum has 5)"
    )
    assert out[2] == (
        "26 pages read, 0 could not be read; 22 new posts, 0 alert changes; 0 deliveries sent, 0 queued"
    )


@pytest.mark.parametrize(
    ("asked", "error"),
    [
        (["nope"], "error: no source 'nope' in {config}/sources.yaml (known: bbs)"),
        (["bbs", "--board", "7", "--board", "2"], "error: source 'bbs' has no board '7' (its boards: 2)"),
    ],
)
def test_an_unknown_source_or_board_is_refused_naming_the_known_ones(
    tmp_path: Path, board_now: Served, capsys: pytest.CaptureFixture[str], asked: list[str], error: str
) -> None:
    directory = board_config(tmp_path, board_now)
    assert main(["sources", "backfill", *asked, "--config", str(directory)]) == 1
    assert capsys.readouterr().err.strip() == error.format(config=directory)
    assert board_now.board_pages == []


def test_a_resting_forum_is_not_asked_unless_woken(
    tmp_path: Path, board_now: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = board_config(tmp_path, board_now)
    app = build(load_config(directory, environ={}))
    until = datetime.now(UTC) + timedelta(hours=2)
    cause = "blocked by the forum's firewall (安全狗): 您的请求带有不合法参数 (HTTP 200); left alone for 2 h"
    StoredRests(app.sessions).save(urlsplit(board_now.url).netloc, SavedRest(until, cause, ()))
    app.close()
    assert main(["sources", "backfill", "bbs", "--config", str(directory)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: bbs ({urlsplit(board_now.url).netloc}) is resting: not asked anything before "
    )
    assert f"{cause}. A backfill asks it nothing meanwhile, as the crawl does; if its admin has let" in err
    assert "add --wake (or run `monitor sources wake bbs`)" in err
    assert main(["sources", "backfill", "bbs", "--dry-run", "--config", str(directory)]) == 1  # nor a dry run
    assert board_now.board_pages == []
    capsys.readouterr()
    assert main(["sources", "backfill", "bbs", "--wake", "--config", str(directory)]) == 0
    assert capsys.readouterr().out.startswith(
        f"bbs ({urlsplit(board_now.url).netloc}) woken: it was not to be asked"
    )
    assert board_now.board_pages[:1] == [1]


def test_it_refuses_while_a_crawl_holds_the_database_and_a_dry_run_goes_beside_it(
    tmp_path: Path, board_now: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = board_config(tmp_path, board_now)
    app = build(load_config(directory, environ={}))
    try:
        with run_lock(app.engine, "monitor run"):
            assert main(["sources", "backfill", "bbs", "--config", str(directory)]) == 1
            err = capsys.readouterr().err
            assert board_now.board_pages == []
            assert main(["sources", "backfill", "bbs", "--dry-run", "--config", str(directory)]) == 0
            out = capsys.readouterr().out
        with app.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(Thread))
    finally:
        app.close()
    assert err.startswith("error: `monitor sources backfill` not started: `monitor run` (pid ")
    assert err.rstrip().endswith(
        "A backfill is a crawl: stop `monitor run` (or let `monitor crawl --once` end), run the backfill, "
        "then start it again; `--dry-run` runs beside it."
    )
    assert out.splitlines()[0].endswith("(dry run: list pages only, nothing stored)")
    assert "would read 4 list pages, 42 threads (42 not stored yet)" in out
    assert stored == 0
