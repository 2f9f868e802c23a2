"""A demo Discuz! forum over loopback (monitor/demo/forum.py) that answers chosen pages with the
hand-made firewall, challenge and CAPTCHA pages of tests/fixtures/blocked/ (their status and
headers from the ``.headers.txt`` beside each), or with one of Discuz!'s own 提示信息 messages.

A uniquely named module, imported by tests/test_crawl_blocked.py and tests/fetch/test_blocked_pages.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from loopback_server import LoopbackServer

from monitor.demo import forum_pages, thread_page
from monitor.demo.forum import Forum

BLOCKED = Path(__file__).resolve().parent / "fixtures" / "blocked"
NAMES = (
    "safedog",
    "baota",
    "yunsuo",
    "aliyun",
    "tencent",
    "cloudflare_challenge",
    "cloudflare_blocked",
    "js_cookie",
    "captcha",
)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def answer(name: str) -> Answer:
    """The fixture page ``name`` as a forum's firewall sends it."""
    lines = (BLOCKED / f"{name}.headers.txt").read_text(encoding="utf-8").splitlines()
    status = int(lines[0].split()[1])
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:] if line)]
    return Answer(status, headers, (BLOCKED / f"{name}.html").read_bytes())


@dataclass
class BlockedForum:
    """``blocked``: what answers instead of a page — ``"board"`` (every board list page) or
    ``"thread <tid>"`` — a fixture name, or ``"discuz:<message>"`` for a Discuz! 提示信息 page."""

    forum: Forum
    url: str = ""
    blocked: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def page_requests(self) -> list[str]:
        return [r for r in self.requests if r != "/robots.txt"]


def _handler(served: BlockedForum) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            forum = served.forum
            with forum.lock:
                if parts.path == "/robots.txt":
                    body = resources.files("monitor.demo").joinpath("robots.txt").read_bytes()
                    self._send(Answer(200, [("Content-Type", "text/plain")], body))
                    return
                page = int(query.get("page", "1"))
                mod = query.get("mod")
                what = "board" if mod == "forumdisplay" else f"thread {query.get('tid')}"
                instead = served.blocked.get(what)
                if instead is not None and instead.startswith("discuz:"):
                    html = forum_pages.render_message(forum, instead.removeprefix("discuz:"), served.url)
                elif instead is not None:
                    self._send(answer(instead))
                    return
                elif mod == "forumdisplay":
                    html = forum_pages.render_board(forum, int(query["fid"]), page, served.url)
                elif mod == "viewthread":
                    html = thread_page.render_thread(forum, int(query["tid"]), page, served.url)
                else:
                    html = forum_pages.render_index(forum, served.url)
            self._send(Answer(200, [("Content-Type", "text/html; charset=utf-8")], html.encode()))

        def _send(self, answer: Answer) -> None:
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(served.forum.now, usegmt=True)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class Server(LoopbackServer):
    """Serves ``served`` on a free loopback port until closed."""

    def __init__(self, served: BlockedForum) -> None:
        super().__init__(_handler(served))
        served.url = self.url
