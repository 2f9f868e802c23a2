"""A loopback forum serving the captured Discuz! pages (fixtures: tests/fixtures/discuz/gbk/).

Imported by tests/conftest.py (the ``fixture_forum`` and ``fixture_config`` fixtures) and by
tests that need its constants. A uniquely named module, so it never clashes with other conftests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "discuz"
FIXTURE_GBK = FIXTURES / "gbk"
DEMO_CONFIG = ROOT / "monitor" / "demo" / "config"


@dataclass
class FixtureForum:
    """The captured GBK pages served at the URLs the Discuz! adapter asks for."""

    url: str
    requests: list[str] = field(default_factory=list)
    overrides: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # path+query -> (status, body)
    round: int = 0  # 1-3: serve that later snapshot (gbk/roundN/) where it has the page
    etags: bool = False  # send an ETag per file and answer 304 to a matching If-None-Match

    def file_for(self, path: str, query: dict[str, list[str]]) -> Path | None:
        if path == "/robots.txt":
            return FIXTURES / "robots.txt"
        mod = query.get("mod", [""])[0]
        page = query.get("page", ["1"])[0]
        if mod == "forumdisplay":
            name = f"forumdisplay_fid{query['fid'][0]}_p{page}.html"
        elif mod == "viewthread":
            name = f"viewthread_tid{query['tid'][0]}_p{page}.html"
        else:
            return None
        later = FIXTURE_GBK / f"round{self.round}" / name
        return later if self.round and later.exists() else FIXTURE_GBK / name


def handler_for(forum: FixtureForum) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            forum.requests.append(self.path)
            if self.path in forum.overrides:
                status, body = forum.overrides[self.path]
                self._send(status, body, "text/html; charset=gbk")
                return
            parts = urlsplit(self.path)
            file = forum.file_for(parts.path, parse_qs(parts.query))
            if file is None or not file.exists():
                self._send(404, b"", "text/plain")
                return
            if forum.etags:
                tag = f'"{file.stat().st_size}-{file.name}"'
                if self.headers.get("If-None-Match") == tag:
                    self.send_response_only(304)
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            content_type, date = "text/plain", None
            headers = file.with_name(file.name + ".headers.txt")
            if headers.exists():
                for line in headers.read_text(encoding="latin-1").splitlines():
                    name, _, value = line.partition(":")
                    if name.lower() == "content-type":
                        content_type = value.strip()
                    elif name.lower() == "date":
                        date = value.strip()  # the captured Date: relative times on the page match it
            etag = f'"{file.stat().st_size}-{file.name}"' if forum.etags else None
            self._send(200, file.read_bytes(), content_type, date, etag)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str,
            date: str | None = None,
            etag: str | None = None,
        ) -> None:
            self.send_response_only(status)
            self.send_header("Date", date or self.date_time_string())
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
