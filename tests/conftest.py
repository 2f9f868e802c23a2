"""Shared fixtures: a clean environment for every test, and one database per backend.

The ``db_url`` fixture runs each storage test on SQLite and on PostgreSQL. PostgreSQL
tests skip with the reason when no server answers, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

POSTGRES_URL = os.environ.get(
    "MONITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MONITOR_") and name != "MONITOR_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


def _postgres_or_skip() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        reason = f"psycopg not installed ({exc}); pip install -e '.[postgres]'"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except sa.exc.OperationalError as exc:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.orig}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'create schema "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


# --- a loopback forum serving the captured Discuz! pages -------------------------------------

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


def _handler(forum: FixtureForum) -> type[BaseHTTPRequestHandler]:
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
            content_type, date = "text/plain", None
            headers = file.with_name(file.name + ".headers.txt")
            if headers.exists():
                for line in headers.read_text(encoding="latin-1").splitlines():
                    name, _, value = line.partition(":")
                    if name.lower() == "content-type":
                        content_type = value.strip()
                    elif name.lower() == "date":
                        date = value.strip()  # the captured Date: relative times on the page match it
            self._send(200, file.read_bytes(), content_type, date)

        def _send(self, status: int, body: bytes, content_type: str, date: str | None = None) -> None:
            self.send_response_only(status)
            self.send_header("Date", date or self.date_time_string())
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def fixture_forum() -> Iterator[FixtureForum]:
    forum = FixtureForum(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(forum))
    forum.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield forum
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def fixture_config(tmp_path: Path, fixture_forum: FixtureForum) -> Path:
    """A config directory watching board fid=2 of the fixture forum; SMTP off, data in tmp_path."""
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "sources.yaml").write_text(
        "sources:\n  - key: fixture-bbs\n    name: Discuz fixture\n    engine: discuz\n"
        f'    base_url: {fixture_forum.url}\n    boards: ["2"]\n    pages_per_board: 2\n',
        encoding="utf-8",
    )
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n[fetch]\nper_host_delay_seconds = 0.0\nretries = 0\n'
        "[smtp]\nenabled = false\n",
        encoding="utf-8",
    )
    return directory
