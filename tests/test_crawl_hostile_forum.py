"""A hostile Discuz! forum over loopback: pagers that always offer one more page, a board list that
claims more replies than a thread has, a server clock years off. The forum is the demo's
(monitor/demo/forum.py, its pages rendered by monitor/demo/forum_pages.py and thread_page.py),
served by a handler here that bends what it answers.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from demo_forum_config import ForumSource, demo_forum_config
from loopback_server import LoopbackServer
from sqlalchemy import select

from monitor.app import App, build
from monitor.config.loader import load_config
from monitor.demo import forum_pages, thread_page
from monitor.demo.discuz_format import multi
from monitor.demo.forum import Forum
from monitor.pipeline import PassReport
from monitor.store.models import Snapshot, Thread
from monitor.store.snapshot_span import seen_end

START = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # noon in Shanghai


@dataclass
class Hostile:
    forum: Forum
    url: str = ""
    requests: list[str] = field(default_factory=list)
    pager_always_next: bool = False  # every board and thread page offers page + 1, as the current one
    board_claims: dict[int, int] = field(default_factory=dict)  # tid -> replies the board list shows
    date_offset: timedelta = timedelta(0)  # the server's Date header is this far off its pages' clock


def _handler(hostile: Hostile) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hostile.requests.append(self.path)
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            forum = hostile.forum
            with forum.lock:
                if parts.path == "/robots.txt":
                    body = resources.files("monitor.demo").joinpath("robots.txt").read_bytes()
                    self._send(body, "text/plain; charset=utf-8")
                    return
                page = int(query.get("page", "1"))
                if query.get("mod") == "forumdisplay":
                    html = _board(hostile, int(query["fid"]), page)
                elif query.get("mod") == "viewthread":
                    html = _thread(hostile, int(query["tid"]), page)
                else:
                    html = forum_pages.render_index(forum, hostile.url)
                self._send(html.encode(), "text/html; charset=utf-8")

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(hostile.forum.now + hostile.date_offset, usegmt=True)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _board(hostile: Hostile, fid: int, page: int) -> str:
    forum = hostile.forum
    pages = max(1, -(-len(forum.visible_threads(fid)) // 20))
    html = forum_pages.render_board(forum, fid, page, hostile.url)  # a page past the last: the last
    for tid, claim in hostile.board_claims.items():
        html = re.sub(
            rf'(<tbody id="normalthread_{tid}">.*?class="xi2">)\d+(</a>)',
            rf"\g<1>{claim}\g<2>",
            html,
            flags=re.S,
        )
    if hostile.pager_always_next and pages > 1:  # (a one-page list has no pager to bend)
        shown = min(page, pages)

        def href(n: int) -> str:
            return f"forum-{fid}-{n}.html"

        jump = f"forum.php?mod=forumdisplay&fid={fid}&amp;page="
        html = html.replace(multi(pages, shown, href, jump), multi(page + 1, page, href, jump))
    return html


def _thread(hostile: Hostile, tid: int, page: int) -> str:
    forum = hostile.forum
    pages = forum.page_count(tid)
    html = thread_page.render_thread(forum, tid, page, hostile.url)  # a page past the last: the last
    if hostile.pager_always_next and pages > 1:
        shown = min(page, pages)
        mpurl = f"forum.php?mod=viewthread&tid={tid}&extra=&amp;page="

        def href(n: int) -> str:
            return f"{mpurl}{n}"

        html = html.replace(multi(pages, shown, href, mpurl), multi(page + 1, page, href, mpurl))
    return html


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    served = Hostile(forum)
    with LoopbackServer(_handler(served)) as server:
        served.url = server.url
        yield served


def _app(tmp_path: Path, hostile: Hostile, pages_per_board: int = 2) -> App:
    directory = tmp_path / "config"
    demo_forum_config(directory, [ForumSource("hostile", "Hostile BBS", hostile.url, [2])])
    sources = directory / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + f"    pages_per_board: {pages_per_board}\n")
    return build(load_config(directory, environ={}))


def _pass(app: App, now: datetime, *later: tuple[Forum, datetime]) -> PassReport:
    """A pass at ``now``; each of ``later`` sets its forum's clock and runs another in the same pipeline."""

    async def run() -> PassReport:
        async with app.pipeline() as pipeline:
            report = await pipeline.crawl_pass(now)
            for forum, at in later:
                forum.now = at
                report = await pipeline.crawl_pass(at)
            return report

    return asyncio.run(run())


def _thread_requests(hostile: Hostile, since: int = 0) -> list[str]:
    return [r for r in hostile.requests[since:] if "mod=viewthread" in r]


def test_pager_offering_one_more_page_for_ever_reads_each_thread_once(
    tmp_path: Path, hostile: Hostile
) -> None:
    forum = hostile.forum
    for n in range(35):
        posted = START - timedelta(hours=40) + timedelta(minutes=n)
        thread = forum.add_thread(2, f"主题 {n}", f"用户{n}", posted, "内容")
        for floor in range(n % 5):
            forum.add_reply(thread.tid, f"回复者{floor}", posted + timedelta(minutes=30 + floor), "顶")
    hostile.pager_always_next = True
    app = _app(tmp_path, hostile, pages_per_board=50)
    try:
        report = _pass(app, START)
        threads = _thread_requests(hostile)
        assert len(threads) == 35 == len(set(threads))  # was 35 x 15: every copy of the last list page
        boards = [r for r in hostile.requests if "mod=forumdisplay" in r]
        assert len(boards) == 3  # pages 1, 2 and a "page 3" that is page 2 again: nothing new, paging stops
        assert report.threads_seen == 35 and report.pages_failed == 0
        with app.sessions() as session:
            assert len(session.scalars(select(Thread)).all()) == 35
    finally:
        app.close()


def test_board_claiming_more_replies_than_the_thread_has(tmp_path: Path, hostile: Hostile) -> None:
    """The board says 97, the thread has 68 posts (its page 1 says 回复: 67); pages 8-10 are page 7 again."""
    forum = hostile.forum
    posted = START - timedelta(hours=30)
    thread = forum.add_thread(2, "退款三个月没到账", "维权小王", posted, "投诉途乐旅行")
    for floor in range(67):
        forum.add_reply(
            thread.tid, f"网友{floor % 9}", posted + timedelta(minutes=20 * (floor + 1)), "我也遇到了"
        )
    hostile.board_claims[thread.tid] = 97
    hostile.pager_always_next = True  # the thread's pages offer page + 1 too: only their posts tell
    app = _app(tmp_path, hostile)
    try:
        _pass(app, START)
        assert _thread_requests(hostile) == [
            f"/forum.php?mod=viewthread&tid={thread.tid}&page={p}" for p in range(1, 9)
        ]  # page 8 served page 7 again: the read stops there
        # nothing new, the board still claims 97: after a restart (a new pipeline: what is stored
        # tells), and pass after pass in one process
        before = len(hostile.requests)
        forum.now = START + timedelta(minutes=15)
        assert _pass(app, forum.now).alert_changes == []
        later = [(forum, START + timedelta(minutes=m)) for m in (45, 60, 75)]
        forum.now = START + timedelta(minutes=30)
        assert _pass(app, forum.now, *later).alert_changes == []
        assert _thread_requests(hostile, before) == []
        with app.sessions() as session:
            row = session.scalars(select(Thread)).one()
            snapshots = session.scalars(select(Snapshot).order_by(Snapshot.id)).all()
            assert row.replies == 67
            assert {s.replies for s in snapshots} == {67}  # never the board's 97
            # six polls, the last at +1:15 (one read unchanged writes no snapshot: it is seen until then)
            assert max(seen_end(s) for s in snapshots) == START + timedelta(minutes=75)

        forum.now = START + timedelta(minutes=90)
        forum.add_reply(thread.tid, "新网友", forum.now - timedelta(minutes=1), "+1")
        hostile.board_claims[thread.tid] = 98  # the board's count moves: the thread is read again
        before = len(hostile.requests)
        _pass(app, forum.now)
        assert _thread_requests(hostile, before) == [
            f"/forum.php?mod=viewthread&tid={thread.tid}&page={p}" for p in (7, 8)
        ]
        with app.sessions() as session:
            assert session.scalars(select(Thread)).one().replies == 68
    finally:
        app.close()


def test_server_clock_years_ahead_does_not_move_relative_dates(
    tmp_path: Path, hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    forum = hostile.forum
    posted = START - timedelta(hours=3, minutes=10)  # listed as "3 小时前"
    thread = forum.add_thread(2, "屏幕亮线拒绝保修", "杭州小陈", posted, "售后说是人为损坏")
    forum.add_reply(thread.tid, "数码控Leo", START - timedelta(minutes=40), "我也遇到了")
    hostile.date_offset = timedelta(days=3650)  # the server says 2036
    app = _app(tmp_path, hostile)
    try:
        with caplog.at_level(logging.WARNING, logger="monitor.crawler"):
            _pass(app, START, (forum, START + timedelta(minutes=15)))  # one process: one pipeline
        with app.sessions() as session:
            row = session.scalars(select(Thread)).one()
            assert row.created_at is not None
            assert abs(row.created_at - posted) < timedelta(hours=1)  # "3 小时前" at hour precision
            assert row.last_post_at is not None and abs(
                row.last_post_at - (START - timedelta(minutes=40))
            ) < (timedelta(minutes=1))
        warnings = [r.getMessage() for r in caplog.records if "Date header" in r.getMessage()]
        assert len(warnings) == 1  # once per source
        assert "hostile" in warnings[0] and "3,650 days ahead of" in warnings[0]
    finally:
        app.close()


def test_server_clock_a_few_minutes_off_is_still_the_clock_of_its_relative_dates(
    tmp_path: Path, hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    forum = hostile.forum
    posted = START - timedelta(minutes=20)
    forum.add_thread(2, "新帖", "杭州小陈", posted, "内容")  # "20 分钟前" on the server's clock
    hostile.date_offset = timedelta(minutes=4)  # ... which is 4 minutes ahead
    forum.now = START + hostile.date_offset  # the pages are rendered on the server's clock too
    hostile.date_offset = timedelta(0)
    app = _app(tmp_path, hostile)
    try:
        with caplog.at_level(logging.WARNING, logger="monitor.crawler"):
            _pass(app, START)
        with app.sessions() as session:
            row = session.scalars(select(Thread)).one()
            assert row.created_at == posted  # "24 分钟前" at the server's 12:04, not at ours
        assert not [r for r in caplog.records if "Date header" in r.getMessage()]
    finally:
        app.close()
