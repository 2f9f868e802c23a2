"""A crawl pass over loopback against the real Discuz! pages (fixtures: tests/fixtures/discuz/gbk/).

A small HTTP server serves the captured GBK bytes with their captured Content-Type at
the URLs the adapter asks for; pages that were not captured answer 404, which the
pipeline must log and skip without losing anything.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from monitor.app import build
from monitor.config.loader import load_config
from monitor.store.models import Post, Snapshot, Thread, WatchMatch

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "discuz"
GBK = FIXTURES / "gbk"
DEMO_CONFIG = Path(__file__).resolve().parents[1] / "monitor" / "demo" / "config"
GROUND_TRUTH = json.loads((GBK / "ground_truth.json").read_text(encoding="utf-8"))
CAPTURED_AT = datetime.fromtimestamp(GROUND_TRUTH["generated_at_unix"], UTC)


def _file_for(path: str, query: dict[str, list[str]]) -> Path | None:
    if path == "/robots.txt":
        return FIXTURES / "robots.txt"
    mod = query.get("mod", [""])[0]
    page = query.get("page", ["1"])[0]
    if mod == "forumdisplay":
        return GBK / f"forumdisplay_fid{query['fid'][0]}_p{page}.html"
    if mod == "viewthread":
        return GBK / f"viewthread_tid{query['tid'][0]}_p{page}.html"
    return None


class _Handler(BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - shared log of request paths, reset per test

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.requests.append(self.path)
        file = _file_for(parts.path, parse_qs(parts.query))
        if file is None or not file.exists():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = file.read_bytes()
        content_type = "text/plain"
        headers = file.with_name(file.name + ".headers.txt")
        if headers.exists():
            for line in headers.read_text(encoding="latin-1").splitlines():
                if line.lower().startswith("content-type:"):
                    content_type = line.split(":", 1)[1].strip()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def forum_url() -> Iterator[str]:
    _Handler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def config_dir(tmp_path: Path, forum_url: str) -> Path:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "sources.yaml").write_text(
        "sources:\n  - key: fixture-bbs\n    name: Discuz fixture\n    engine: discuz\n"
        f'    base_url: {forum_url}\n    boards: ["2"]\n    pages_per_board: 2\n',
        encoding="utf-8",
    )
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n[fetch]\nper_host_delay_seconds = 0.0\nretries = 0\n'
        "[smtp]\nenabled = false\n",
        encoding="utf-8",
    )
    return directory


def test_crawl_pass_stores_real_pages_once_and_skips_missing_ones(
    config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = build(load_config(config_dir, environ={}))
    try:
        first = asyncio.run(app.pipeline.crawl_pass(CAPTURED_AT))
        board_threads = {t["tid"]: t for t in GROUND_TRUTH["threads"] if t["fid"] == 2}
        assert first.threads_seen == len(board_threads) == 21
        # tid 2 (4 pages) and tid 4 (1 page) were captured; every other thread page is a 404
        assert first.pages_failed == 21 - 2
        assert "thread page skipped" in caplog.text and "tid=7&page=1" in caplog.text
        with app.sessions() as session:
            stored = {t.external_id: t for t in session.scalars(select(Thread))}
            assert {int(k) for k in stored} == set(board_threads)
            for tid, truth in board_threads.items():
                thread = stored[str(tid)]
                assert (thread.title, thread.author, thread.replies, thread.sticky) == (
                    truth["subject"],
                    truth["author"],
                    truth["replies"],
                    truth["sticky"],
                )
            tid2 = stored["2"]
            posts = list(session.scalars(select(Post).where(Post.thread_id == tid2.id).order_by(Post.floor)))
            truth_posts = next(t for t in GROUND_TRUTH["threads"] if t["tid"] == 2)["posts"]
            assert [(p.external_id, p.floor, p.author) for p in posts] == [
                (str(t["pid"]), t["floor"], t["author"]) for t in truth_posts
            ]
            assert all(p.sentiment is not None for p in posts)
            assert session.scalar(select(func.count()).select_from(Snapshot)) == 21
            matched = session.scalars(select(WatchMatch.thread_id)).all()
            assert tid2.id in matched

        requests_before = len(_Handler.requests)
        second = asyncio.run(app.pipeline.crawl_pass(CAPTURED_AT))
        assert second.posts_new == 0
        with app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Post)) == 36 + 7
            assert session.scalar(select(func.count()).select_from(Thread)) == 21
        # incremental: complete threads are not fetched again, only board lists and the missing pages
        refetched = [r for r in _Handler.requests[requests_before:] if "tid=2&" in r]
        assert refetched == []
    finally:
        app.close()
