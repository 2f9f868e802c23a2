"""A board whose list is read but none of whose thread pages can be is *degraded*, not ok: in
`monitor sources status` (exit 1), the dashboard's forum health and the digest — and it is one
health event per kind however many polls meet it.

The forum is the demo's (monitor/demo/forum.py, pages from forum_pages.py and thread_page.py),
served over loopback by a handler here that puts a login wall in front of every thread page
while ``walled`` is set (Discuz!'s 200 提示信息 page). A board list page after the first that
fails is the fixture forum's (conftest.py), with an override.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from demo_forum_config import ForumSource, demo_forum_config
from forum_fixtures import FixtureForum
from loopback_server import LoopbackServer
from sqlalchemy import select

from monitor.admin.forum_health import forum_health
from monitor.app import App, build
from monitor.cli import main
from monitor.config.loader import MonitorConfig, load_config
from monitor.demo import forum_pages, thread_page
from monitor.demo.forum import Forum
from monitor.digest.model import DigestPeriod
from monitor.digest.reading import reading_health, reading_lines
from monitor.digest.said import Said
from monitor.store.models import Board, HealthEvent

START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
WALL = "抱歉，您需要登录后才能查看该主题"


@dataclass
class Walled:
    forum: Forum
    url: str = ""
    walled: set[int] = field(default_factory=set)  # tids whose pages answer with the login wall


def _handler(served: Walled) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            forum = served.forum
            with forum.lock:
                if parts.path == "/robots.txt":
                    body = resources.files("monitor.demo").joinpath("robots.txt").read_bytes()
                    self._send(body, "text/plain; charset=utf-8")
                    return
                page = int(query.get("page", "1"))
                if query.get("mod") == "forumdisplay":
                    html = forum_pages.render_board(forum, int(query["fid"]), page, served.url)
                elif query.get("mod") == "viewthread" and int(query["tid"]) in served.walled:
                    html = forum_pages.render_message(forum, WALL, served.url)
                elif query.get("mod") == "viewthread":
                    html = thread_page.render_thread(forum, int(query["tid"]), page, served.url)
                else:
                    html = forum_pages.render_index(forum, served.url)
                self._send(html.encode(), "text/html; charset=utf-8")

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def walled() -> Iterator[Walled]:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    for n in range(3):
        posted = START - timedelta(hours=5) + timedelta(minutes=n)
        thread = forum.add_thread(2, f"途乐旅行退款 {n}", f"用户{n}", posted, "途乐旅行不退款")
        forum.add_reply(thread.tid, "网友", posted + timedelta(minutes=30), "我也遇到了")
    served = Walled(forum)
    with LoopbackServer(_handler(served)) as server:
        served.url = server.url
        yield served


def _crawl(app: App, *times: datetime) -> None:
    async def run() -> None:
        async with app.pipeline() as pipeline:
            for now in times:
                await pipeline.crawl_pass(now)

    asyncio.run(run())


def _status(
    config: MonitorConfig, capsys: pytest.CaptureFixture[str], at: datetime | None = None
) -> tuple[int, str]:
    """``sources status``, as of ``at`` (the crawls here run on the test's clock, not the wall's)."""
    capsys.readouterr()
    when = ["--at", at.isoformat()] if at is not None else []
    code = main(["sources", "status", *when, "--config", str(config.directory)])
    return code, capsys.readouterr().out


def test_a_board_whose_every_thread_page_fails_is_degraded_until_they_are_read_again(
    tmp_path: Path,
    walled: Walled,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", walled.url, [2])])
    walled.walled = {thread.tid for thread in walled.forum.visible_threads(2)}
    app = build(config)
    try:
        polls = [START + timedelta(minutes=5 * n) for n in range(3)]
        _crawl(app, *polls)  # three polls behind the wall: every thread page tried again, each failing
        with app.sessions() as session:
            [board] = forum_health(session, config)[0].boards
            rows = session.scalars(select(HealthEvent)).all()
            period = DigestPeriod.week_ending(polls[-1] + timedelta(hours=1), "Asia/Shanghai")
            lines = reading_lines(reading_health(session, period), "Asia/Shanghai")
    finally:
        app.close()
    assert board.state == "degraded"
    events = [(e.kind, e.times, e.ended_at) for e in rows]
    assert (board.consecutive_failures, board.last_threads_seen) == (0, 3)
    assert board.last_error.startswith("3 thread pages tried, none read (login_wall ×3): ")
    assert WALL in board.last_error
    assert events == [("login_wall", 3, None)] * 3  # 3 polls: one event per thread page, still open
    degraded = [r.getMessage() for r in caplog.records if "degraded" in r.getMessage()]
    assert len(degraded) == 1 and "bbs board 2" in degraded[0]  # said once, when it began
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert sum(m.startswith("page skipped: ") for m in said) == 3  # each page once; again at DEBUG
    assert sum(m.startswith("source health: login_wall on bbs board 2") for m in said) == 3
    assert lines[1] == Said(
        "演示论坛 · 投诉维权：当前读不到帖子页（登录墙：1 次中断，持续 10 分钟）；最后读取 12-07 10:10",
        "thread pages not read now (login wall: 1 outage lasting 10 min); last read 12-07 10:10",
    )

    code, out = _status(config, capsys, at=START + timedelta(minutes=11))
    assert code == 1  # nothing of the board is being read: the status says so
    assert "  board 2 投诉维权: degraded since 2026-12-07 10:00; last success 2026-12-07 10:10; " in out
    assert "3 thread pages, 3 failed; last error: 3 thread pages tried, none read (login_wall ×3)" in out
    # one line for the wall: the three thread pages it stopped together are one problem of the board
    assert out.count("login_wall: ") == 1
    assert "— 9 times, last 2026-12-07 10:10 (on 3 pages, the newest shown)" in out

    walled.walled = set()
    app = build(load_config(config.directory, environ={}))
    try:
        _crawl(app, START + timedelta(minutes=15))
        with app.sessions() as session:
            [board] = forum_health(session, config, now=START + timedelta(minutes=16))[0].boards
            kinds = [
                (e.kind, e.detail) for e in session.scalars(select(HealthEvent).order_by(HealthEvent.id))
            ]
            row = session.scalars(select(Board)).one()
    finally:
        app.close()
    assert (board.state, board.last_error) == ("ok", "")
    assert (row.last_thread_pages_read, row.last_thread_pages_failed) == (3, 0)
    assert [kind for kind, _ in kinds] == ["login_wall"] * 3 + ["recovered"] and WALL in kinds[0][1]
    assert kinds[3] == ("recovered", "thread pages read again")
    code, out = _status(config, capsys, at=START + timedelta(minutes=16))
    assert code == 0 and "board 2 投诉维权: ok" in out


def test_a_board_with_some_thread_pages_read_is_ok_and_says_how_many_failed(
    tmp_path: Path, walled: Walled, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", walled.url, [2])])
    walled.walled = {thread.tid for thread in walled.forum.visible_threads(2)[:2]}
    app = build(config)
    try:
        _crawl(app, START)
    finally:
        app.close()
    code, out = _status(config, capsys, at=START + timedelta(minutes=5))
    assert code == 0
    assert "  board 2 投诉维权: ok; " in out and "3 thread pages, 2 failed" in out
    code, out = _status(config, capsys, at=START + timedelta(minutes=31))  # three passes of 10 min: none
    assert code == 1
    assert "  board 2 投诉维权: stale: not polled since 2026-12-07 10:00 (a pass every 10 min)" in out


def test_a_later_board_list_page_that_fails_is_not_a_failed_poll(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture_forum.overrides["/forum.php?mod=forumdisplay&fid=2&page=2"] = (503, b"")
    main(["crawl", "--once", "--config", str(fixture_config)])
    main(["crawl", "--once", "--config", str(fixture_config)])
    config = load_config(fixture_config, environ={})
    app = build(config)
    try:
        with app.sessions() as session:
            kinds = [e.kind for e in session.scalars(select(HealthEvent))]
            [board] = forum_health(session, config)[0].boards
    finally:
        app.close()
    assert board.state == "ok" and board.consecutive_failures == 0
    assert "recovered" not in kinds  # it never went down: page 1 was read each time
