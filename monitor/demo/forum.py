"""An in-memory Discuz! X3.5 forum on loopback, driven by a virtual clock.

``monitor demo`` plays a scripted scenario against it: every thread and post carries its
``posted_at`` up front, and :attr:`Forum.now` decides what a visitor sees — posts dated after
``now`` do not exist yet, reply and view counts are those at ``now``. :class:`DemoForum`
serves the pages (rendered by :mod:`monitor.demo.forum_pages` and :mod:`monitor.demo.thread_page`
after the real markup in ``fixtures/discuz/utf8``) over HTTP on ``127.0.0.1``::

    forum = Forum()
    forum.add_board(2, "投诉维权")
    thread = forum.add_thread(2, "标题", "维权小王", posted_at, "正文")
    with DemoForum(forum) as site:
        forum.now = posted_at + timedelta(minutes=5)
        httpx.get(site.base_url + f"forum.php?mod=viewthread&tid={thread.tid}")
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from monitor.demo import forum_pages, thread_page
from monitor.demo.discuz_format import POSTS_PER_PAGE, THREADS_PER_PAGE, discuz_cut

__all__ = [
    "POSTS_PER_PAGE",
    "THREADS_PER_PAGE",
    "Board",
    "DemoForum",
    "Forum",
    "Post",
    "Quote",
    "Thread",
    "discuz_cut",
]

logger = logging.getLogger(__name__)

SITE_NAME = "消费维权论坛"


@dataclass(frozen=True)
class Board:
    fid: int
    name: str


@dataclass(frozen=True)
class Thread:
    tid: int
    fid: int
    subject: str
    author: str
    authorid: int
    posted_at: datetime
    sticky: bool = False


@dataclass(frozen=True)
class Quote:
    """The part of another post a reply quotes, as Discuz cuts it (``text`` may end in `` ...``)."""

    author: str
    text: str
    pid: int | None = None
    posted_at: datetime | None = None


@dataclass(frozen=True)
class Post:
    pid: int
    tid: int
    floor: int
    author: str
    authorid: int
    posted_at: datetime
    message: str
    quote: Quote | None = None


class Forum:
    """Boards, threads and posts, and the virtual clock ``now`` (aware UTC) that reveals them.

    Ids follow Discuz: ``tid`` and ``pid`` count up across the whole forum, user ids are handed
    out on a user's first post (``admin`` is uid 1), floors count up inside a thread. Posts
    must be added in time order within a thread.
    """

    def __init__(self, now: datetime | None = None, site_name: str = SITE_NAME) -> None:
        self.site_name = site_name
        self._lock = threading.RLock()
        self._now = _utc(now or datetime.now(UTC))
        self._boards: dict[int, Board] = {}
        self._threads: dict[int, Thread] = {}
        self._posts: dict[int, list[Post]] = {}
        self._post_by_pid: dict[int, Post] = {}
        self._users: dict[str, int] = {"admin": 1}
        self._next_pid = 1

    @property
    def now(self) -> datetime:
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        with self._lock:  # never in the middle of rendering a page
            self._now = _utc(value)

    @property
    def lock(self) -> threading.RLock:
        """Held while a page renders, so a page never mixes two clock readings."""
        return self._lock

    # --- building -------------------------------------------------------------------------

    def add_board(self, fid: int, name: str) -> Board:
        with self._lock:
            board = Board(fid, name)
            self._boards[fid] = board
            return board

    def user_id(self, name: str) -> int:
        """The uid of ``name``, registering the user if new."""
        with self._lock:
            return self._users.setdefault(name, max(self._users.values()) + 1)

    def add_thread(
        self,
        fid: int,
        subject: str,
        author: str,
        posted_at: datetime,
        message: str,
        *,
        tid: int | None = None,
        sticky: bool = False,
    ) -> Thread:
        """A new thread with its first post (floor 1) dated ``posted_at``."""
        with self._lock:
            if fid not in self._boards:
                raise KeyError(f"no board fid={fid}")
            tid = tid if tid is not None else max(self._threads, default=0) + 1
            if tid in self._threads:
                raise ValueError(f"tid {tid} already exists")
            thread = Thread(tid, fid, subject, author, self.user_id(author), _utc(posted_at), sticky)
            self._threads[tid] = thread
            self._posts[tid] = []
            self._append(thread, author, thread.posted_at, message, None)
            return thread

    def add_reply(
        self, tid: int, author: str, posted_at: datetime, message: str, *, quote_pid: int | None = None
    ) -> Post:
        """A reply at the next floor; ``quote_pid`` quotes an earlier post of the same thread."""
        with self._lock:
            thread = self.thread(tid)
            posted_at = _utc(posted_at)
            if posted_at < self._posts[tid][-1].posted_at:
                raise ValueError(f"reply to tid {tid} at {posted_at} is older than the thread's last post")
            quote = None
            if quote_pid is not None:
                quoted = self._post_by_pid[quote_pid]
                if quoted.tid != tid:
                    raise ValueError(f"pid {quote_pid} is not in tid {tid}")
                quote = Quote(quoted.author, discuz_cut(quoted.message, 100), quoted.pid, quoted.posted_at)
            return self._append(thread, author, posted_at, message, quote)

    def _append(
        self, thread: Thread, author: str, posted_at: datetime, message: str, quote: Quote | None
    ) -> Post:
        posts = self._posts[thread.tid]
        uid = self.user_id(author)
        floor = posts[-1].floor + 1 if posts else 1  # as Discuz: a deleted post's floor is not given again
        post = Post(self._next_pid, thread.tid, floor, author, uid, posted_at, message, quote)
        self._next_pid += 1
        posts.append(post)
        self._post_by_pid[post.pid] = post
        return post

    def delete_post(self, tid: int, floor: int) -> Post:
        """A moderator deletes a reply: it is gone from the thread's pages and its reply count, and the
        posts after it move up a place (Discuz pages by position among the posts that remain)."""
        with self._lock:
            posts = self._posts[tid]
            post = next(p for p in posts if p.floor == floor)
            if post.floor == 1:
                raise ValueError("the opening post is deleted with its thread, not alone")
            posts.remove(post)
            return post

    # --- what a visitor sees at ``now`` -----------------------------------------------------

    def has_board(self, fid: int) -> bool:
        return fid in self._boards

    def board(self, fid: int) -> Board:
        return self._boards[fid]

    def boards(self) -> list[Board]:
        return sorted(self._boards.values(), key=lambda b: b.fid)

    def thread(self, tid: int) -> Thread:
        return self._threads[tid]

    def is_visible(self, tid: int) -> bool:
        thread = self._threads.get(tid)
        return thread is not None and thread.posted_at <= self._now

    def visible_posts(self, tid: int) -> list[Post]:
        return [p for p in self._posts[tid] if p.posted_at <= self._now]

    def all_posts(self, tid: int) -> list[Post]:
        """Every post of a thread, future ones included (for tests and the scenario)."""
        return list(self._posts[tid])

    def visible_threads(self, fid: int) -> list[Thread]:
        """A board's threads as Discuz lists them: sticky first, then by last post, newest first."""
        threads = [t for t in self._threads.values() if t.fid == fid and t.posted_at <= self._now]

        def order(thread: Thread) -> tuple[bool, float, int]:
            return (not thread.sticky, -self.last_post(thread.tid).posted_at.timestamp(), -thread.tid)

        return sorted(threads, key=order)

    def replies(self, tid: int) -> int:
        return len(self.visible_posts(tid)) - 1

    def last_post(self, tid: int) -> Post:
        return self.visible_posts(tid)[-1]

    def views(self, tid: int) -> int:
        """查看 at ``now``: a slow trickle of readers over the thread's age plus a burst after each
        reply. Deterministic and never decreasing as ``now`` moves forward."""
        posts = self.visible_posts(tid)
        age = _minutes(self._now - posts[0].posted_at)
        readers = min(age, 1440) * 8 // 60 + max(0, age - 1440) // 60
        bursts = sum(1 + min(29, _minutes(self._now - p.posted_at) // 2) for p in posts[1:])
        return 3 + tid * 7 % 17 + readers + bursts

    def page_count(self, tid: int) -> int:
        return max(1, -(-len(self.visible_posts(tid)) // POSTS_PER_PAGE))


class DemoForum:
    """Serves a :class:`Forum` on ``127.0.0.1`` (a free port) from a daemon thread.

    Routes, as Discuz X3.5 answers them: ``/forum.php?mod=forumdisplay&fid=N[&page=P]``,
    ``/forum.php?mod=viewthread&tid=T[&page=P]``, their rewritten forms ``/forum-N-P.html`` and
    ``/thread-T-P-1.html`` (the pages link those), ``/robots.txt``; an unknown or not yet
    posted board/thread gets Discuz's 200 "提示信息" page, any other path a 404.
    """

    def __init__(self, forum: Forum | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.forum = forum if forum is not None else Forum()
        self._server = _ForumServer((host, port), _Handler, self.forum)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/`` — the forum root, where ``forum.php`` lives."""
        return self._server.base_url

    def start(self) -> DemoForum:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, name="demo-forum", daemon=True)
            self._thread.start()
            logger.debug("demo forum serving at %s", self.base_url)
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> DemoForum:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _ForumServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], forum: Forum) -> None:
        self.forum = forum
        self.robots_txt = resources.files("monitor.demo").joinpath("robots.txt").read_bytes()
        super().__init__(address, handler)
        host, port = self.server_address[:2]
        self.base_url = f"http://{host!s}:{port}/"

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up mid-response is no news: log it quietly instead of printing to stderr."""
        logger.debug("demo forum: connection from %s failed", client_address, exc_info=True)


_REWRITE_FORUM = re.compile(r"/forum-(\d+)-(\d+)\.html")
_REWRITE_THREAD = re.compile(r"/thread-(\d+)-(\d+)-\d+\.html")


class _Handler(BaseHTTPRequestHandler):
    server: _ForumServer
    _clock: datetime | None = None
    protocol_version = "HTTP/1.1"
    server_version = "DemoForum"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        try:
            status, content_type, body = self._route()
        except Exception:
            logger.exception("demo forum: could not answer %s", self.path)
            status, content_type, body = 500, "text/plain; charset=utf-8", b"500 Internal Server Error"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if send_body:
            self.wfile.write(body)

    def _route(self) -> tuple[int, str, bytes]:
        url = urlsplit(self.path)
        forum = self.server.forum
        with forum.lock:
            self._clock = forum.now  # the Date: header tells the same time as the page
            if url.path == "/robots.txt":
                return 200, "text/plain; charset=utf-8", self.server.robots_txt
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if match := _REWRITE_FORUM.fullmatch(url.path):
                query = {"mod": "forumdisplay", "fid": match[1], "page": match[2]}
            elif match := _REWRITE_THREAD.fullmatch(url.path):
                query = {"mod": "viewthread", "tid": match[1], "page": match[2]}
            elif url.path == "/" and not query:
                query = {}  # the site's home: the forum index, as a Discuz! installed at the root
            elif url.path != "/forum.php":
                return 404, "text/html; charset=utf-8", b"<html><body><h1>404 Not Found</h1></body></html>"
            return 200, "text/html; charset=utf-8", _page(forum, query, self.server.base_url).encode()

    def date_time_string(self, timestamp: float | None = None) -> str:
        return format_datetime(self._clock or self.server.forum.now, usegmt=True)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("demo forum: " + format, *args)


def _page(forum: Forum, query: dict[str, str], base: str) -> str:
    mod, page = query.get("mod", ""), _int(query.get("page", "1")) or 1
    if mod == "forumdisplay":
        fid = _int(query.get("fid", ""))
        if forum.has_board(fid):
            return forum_pages.render_board(forum, fid, page, base)
        return forum_pages.render_message(forum, "抱歉，指定的版块不存在", base, "pg_forumdisplay")
    if mod == "viewthread":
        tid = _int(query.get("tid", ""))
        if forum.is_visible(tid):
            return thread_page.render_thread(forum, tid, page, base)
        return forum_pages.render_message(forum, "抱歉，指定的主题不存在或已被删除或正在被审核", base)
    if not mod:
        return forum_pages.render_index(forum, base)
    return forum_pages.render_message(forum, "抱歉，您的请求来路不正确或表单验证串不符，无法提交", base)


def _int(text: str) -> int:
    """PHP ``intval``: leading digits, else 0."""
    match = re.match(r"\d+", text.strip())
    return int(match[0]) if match else 0


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()) // 60)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"forum times must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)
