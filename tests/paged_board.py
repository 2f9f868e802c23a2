"""A Discuz!-style board of many list pages over loopback, for the tests that page back through it:
a board's first read (tests/test_board_first_read.py) and a backfill (tests/test_sources_backfill.py).

The demo forum (monitor/demo/forum.py, pages from forum_pages.py and thread_page.py) served by a
handler that records which board list pages were asked for and can fail some. Board 2 holds
``NORMAL`` threads whose last posts are 1 h, 5 h, 9 h … (4 h apart) before the forum's ``now``
(``START`` by default), so threads 0–41 are within a 7-day lookback and the rest older; 20 rows a
page (``Forum.visible_threads`` in Discuz!'s order: sticky first, then by last post). Its ``Date``
header is the forum's ``now``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from demo_forum_config import ForumSource, demo_forum_config
from loopback_server import LoopbackServer

from monitor.app import App, build
from monitor.config.loader import load_config
from monitor.demo import forum_pages, thread_page
from monitor.demo.forum import THREADS_PER_PAGE, Forum
from monitor.demo.forum import Thread as ForumThread

START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
NORMAL = 100  # threads other than stickies: 5 list pages


class StickiesOnEveryPage(Forum):
    """Discuz! lists the board's stickies on top of every list page, not only the first."""

    def visible_threads(self, fid: int) -> list[ForumThread]:
        threads = super().visible_threads(fid)
        stickies = [t for t in threads if t.sticky]
        others = [t for t in threads if not t.sticky]
        per_page = THREADS_PER_PAGE - len(stickies)
        listed: list[ForumThread] = []
        for start in range(0, len(others), per_page):
            listed += stickies + others[start : start + per_page]
        return listed


@dataclass
class Served:
    forum: Forum
    url: str = ""
    board_pages: list[int] = field(default_factory=list)  # list pages asked for, in order
    failing: set[int] = field(default_factory=set)  # list pages that answer 500
    threads_read: list[int] = field(default_factory=list)  # tids of the thread pages asked for, in order
    dated: bool = True  # answers carry a Date header (the forum's clock)


def handler(served: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            forum = served.forum
            with forum.lock:
                if parts.path == "/robots.txt":
                    body = resources.files("monitor.demo").joinpath("robots.txt").read_bytes()
                    self._send(200, body, "text/plain; charset=utf-8")
                    return
                page = int(query.get("page", "1"))
                if query.get("mod") == "forumdisplay":
                    served.board_pages.append(page)
                    if page in served.failing:
                        self._send(500, b"busy", "text/plain")
                        return
                    html = forum_pages.render_board(forum, int(query["fid"]), page, served.url)
                elif query.get("mod") == "viewthread":
                    served.threads_read.append(int(query["tid"]))
                    html = thread_page.render_thread(forum, int(query["tid"]), page, served.url)
                else:
                    html = forum_pages.render_index(forum, served.url)
                self._send(200, html.encode(), "text/html; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            if served.dated:
                self.send_response(status)
            else:
                self.send_response_only(status)  # no Date header
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(served.forum.now, usegmt=True)  # the forum's clock, which dates its rows

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def paged_forum(forum: Forum, start: datetime = START) -> Forum:
    forum.add_board(2, "投诉维权")
    for n in reversed(range(NORMAL)):  # tids count up with time, as on a forum
        forum.add_thread(2, f"帖子 {n}", f"用户{n}", start - timedelta(hours=1 + 4 * n), "正文")
    return forum


def serve(forum: Forum) -> Iterator[Served]:
    served = Served(forum)
    with LoopbackServer(handler(served)) as server:
        served.url = server.url
        yield served


def board_config(tmp_path: Path, served: Served, extra: str = "") -> Path:
    """A config directory watching board 2 of ``served``, one list page a poll; ``extra``: more of
    the source's lines (``    first_read_pages: 4``)."""
    directory = tmp_path / "config"
    demo_forum_config(directory, [ForumSource("bbs", "演示论坛", served.url, [2])])
    sources = directory / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + "    pages_per_board: 1\n" + extra)
    return directory


def board_app(tmp_path: Path, served: Served, extra: str = "") -> App:
    return build(load_config(board_config(tmp_path, served, extra), environ={}))
