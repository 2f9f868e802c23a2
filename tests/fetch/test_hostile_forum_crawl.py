"""A crawl pass goes on past a hostile page: the loopback fixture forum (forum_fixtures.py) with
one thread page that redirects to itself and another that claims gzip but is not, read through
the app's own HTTP client (monitor/app.py, which follows redirects itself if let). Each is a
``fetch_failed`` event naming its cause; every other page is read and stored.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from forum_fixtures import FIXTURE_GBK, FixtureForum, handler_for
from sqlalchemy import func, select

from monitor.app import build
from monitor.config.loader import load_config
from monitor.pipeline import PassReport
from monitor.store.models import HealthEvent, Post, Thread

CAPTURED_AT = datetime.fromtimestamp(
    json.loads((FIXTURE_GBK / "ground_truth.json").read_text(encoding="utf-8"))["generated_at_unix"], UTC
)
LOOP = "/forum.php?mod=viewthread&tid=2&page=4"
GZIP_LIE = "/forum.php?mod=viewthread&tid=4&page=1"


@pytest.fixture
def hostile_url() -> Iterator[str]:
    forum = FixtureForum(url="")

    class Hostile(handler_for(forum)):  # type: ignore[misc,valid-type]
        def do_GET(self) -> None:
            if self.path == LOOP:
                forum.requests.append(self.path)
                self.send_response_only(302)
                self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}{LOOP}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == GZIP_LIE:
                forum.requests.append(self.path)
                body = b"<html>not gzip at all</html>"
                self.send_response_only(200)
                self.send_header("Content-Type", "text/html; charset=gbk")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_redirect_loop_and_a_gzip_lie_fail_their_pages_and_the_pass_goes_on(
    fixture_config: Path, hostile_url: str
) -> None:
    (fixture_config / "sources.yaml").write_text(
        "sources:\n  - key: hostile-bbs\n    name: Hostile\n    engine: discuz\n"
        f'    base_url: {hostile_url}\n    boards: ["2"]\n    pages_per_board: 2\n',
        encoding="utf-8",
    )
    app = build(load_config(fixture_config, environ={}))
    try:

        async def crawl() -> PassReport:
            async with app.pipeline() as pipeline:
                return await pipeline.crawl_pass(CAPTURED_AT)

        report = asyncio.run(crawl())
        assert report.threads_seen == 21
        with app.sessions() as session:
            events = {e.url: (e.kind, e.detail) for e in session.scalars(select(HealthEvent))}
            assert events[f"{hostile_url}{LOOP[1:]}"] == (
                "fetch_failed",
                f"redirect loop at {hostile_url}{LOOP[1:]}",
            )
            assert events[f"{hostile_url}{GZIP_LIE[1:]}"] == ("fetch_failed", "page claims gzip but is not")
            tid2 = session.scalars(select(Thread).where(Thread.external_id == "2")).one()
            stored = session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == tid2.id))
            assert stored == 30  # pages 1-3 of tid 2 read; page 4 is the loop
    finally:
        app.close()
