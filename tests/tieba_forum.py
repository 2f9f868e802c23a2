"""A loopback 贴吧/NGA-style forum serving tests/fixtures/generic/tieba_*.html (GBK, charset only in
the pages' ``<meta>``, a fixed ``Date``), and docs/sources.md's ``tieba`` entry that reads it.

Imported by tests/sources/test_generic_tieba.py and tests/test_sources_test_cli.py; a uniquely named
module, so it never clashes with other conftests.
"""

from __future__ import annotations

import re
import shutil
import ssl
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import yaml
from loopback_server import LoopbackServer

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "generic"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 20, 7, 38, tzinfo=SHANGHAI).astimezone(UTC)


def tieba_entry() -> dict[str, Any]:
    doc = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- example: tieba -->\n```yaml\n(.*?)```", doc, re.S)
    assert found, "example tieba not in docs/sources.md"
    entry: dict[str, Any] = yaml.safe_load(found.group(1))["sources"][0]
    return entry


def tieba_config(tmp_path: Path, entry: dict[str, Any]) -> Path:
    """A config directory (the demo's, SMTP off, data in ``tmp_path``) whose only source is ``entry``."""
    directory = tmp_path / "config"
    shutil.copytree(Path(str(resources.files("monitor.demo") / "config")), directory)
    (directory / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [entry]}, allow_unicode=True), encoding="utf-8"
    )
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
        "[fetch]\nper_host_delay_seconds = 0.0\nretries = 0\n[smtp]\nenabled = false\n",
        encoding="utf-8",
    )
    return directory


class TiebaForum:
    """Serves /thread.php?fid=F&page=P and /read.php?tid=T&page=P from the fixture files."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        """``tls``: served over HTTPS with this server context (``https://127.0.0.1:PORT/``)."""
        self.requests: list[str] = []
        self.answers: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {}  # path -> what answers
        forum = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                forum.requests.append(self.path)
                if self.path in forum.answers:  # a firewall's page instead: (status, headers, body)
                    status, headers, body = forum.answers[self.path]
                    self.send_response(status)
                    for name, value in headers:
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                page = query.get("page", "1")
                name = {
                    "/thread.php": f"tieba_board_fid{query.get('fid')}_p{page}.html",
                    "/read.php": f"tieba_thread_{query.get('tid')}_p{page}.html",
                }.get(parts.path)
                file = PAGES / name if name else None
                body = file.read_bytes() if file is not None and file.exists() else b""
                self.send_response(200 if body else 404)  # its Date header is date_time_string's
                self.send_header("Content-Type", "text/html")  # the charset is only in the page's <meta>
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def date_time_string(self, timestamp: float | None = None) -> str:
                return format_datetime(NOW, usegmt=True)  # the one Date header: the forum's clock is NOW

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = LoopbackServer(Handler, tls)
        self.url = self.server.url

    def close(self) -> None:
        self.server.close()
