"""A forum's thread links cannot send the crawler to another host (SSRF): a feed whose item links
to "internal" addresses, read by the real pipeline over loopback.

An ``rss`` source whose ``thread_feed`` starts with ``{thread}`` (a Discourse topic's link plus
``.rss``) takes the item's link as the thread id; a hostile item linking to another host (here a
second loopback server on another port, standing in for ``http://169.254.169.254/`` or an
internal service) must not be fetched, and the refusal shows in the board's health. An item on
the source's own site is read as before. Fixture: the feeds are written here.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from importlib import resources
from pathlib import Path

import pytest
from loopback_server import LoopbackServer
from sqlalchemy import select

from monitor.app import build
from monitor.config.loader import load_config
from monitor.pipeline import PassReport
from monitor.store.models import HealthEvent, Post

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
DATE = "Mon, 23 Nov 2026 04:00:00 GMT"


def _item(title: str, link: str) -> str:
    said = f"<title>{title}</title><description>{title}</description>"
    return f"<item>{said}<link>{link}</link><guid>{link}</guid><pubDate>{DATE}</pubDate></item>"


def _feed(*items: str) -> bytes:
    body = "".join(items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


class _Server:
    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.requests: list[str] = []
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.requests.append(self.path)
                body = served.routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = LoopbackServer(Handler)
        self.url = self.server.url

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def servers() -> Iterator[tuple[_Server, _Server]]:
    forum, internal = _Server(), _Server()
    try:
        yield forum, internal
    finally:
        forum.close()
        internal.close()


def _crawl(tmp_path: Path, forum_url: str) -> tuple[PassReport, list[str], list[str]]:
    directory = tmp_path / "config"
    shutil.copytree(Path(str(resources.files("monitor.demo") / "config")), directory)
    (directory / "sources.yaml").write_text(
        "sources:\n  - key: talk\n    name: Talk\n    engine: rss\n"
        f'    base_url: {forum_url}\n    boards: ["latest.rss"]\n'
        '    feed:\n      thread_feed: "{thread}.rss"\n',
        encoding="utf-8",
    )
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
        "[fetch]\nper_host_delay_seconds = 0.0\nretries = 0\n[smtp]\nenabled = false\n",
        encoding="utf-8",
    )
    app = build(load_config(directory, environ={}))

    async def run() -> PassReport:
        async with app.pipeline() as pipeline:
            return await pipeline.crawl_pass(NOW)

    try:
        report = asyncio.run(run())
        with app.sessions() as session:
            posts = [p.text for p in session.scalars(select(Post))]
            health = [e.detail for e in session.scalars(select(HealthEvent))]
    finally:
        app.close()
    return report, posts, health


def test_a_feed_item_linking_to_another_host_is_not_fetched(
    tmp_path: Path, servers: tuple[_Server, _Server]
) -> None:
    forum, internal = servers
    secret = f"{internal.url}latest/meta-data/iam"
    internal.routes["/latest/meta-data/iam.rss"] = _feed(_item("secret", secret))
    own = f"{forum.url}t/refund/26"
    forum.routes["/latest.rss"] = _feed(_item("途乐旅行 退款", own), _item("途乐旅行 内部", secret))
    forum.routes["/t/refund/26.rss"] = _feed(_item("途乐旅行三个月不退款", f"{own}/1"))
    report, posts, health = _crawl(tmp_path, forum.url)
    assert internal.requests == []  # not the page, not its robots.txt
    assert "/t/refund/26.rss" in forum.requests and posts == ["途乐旅行三个月不退款"]  # the own site's: read
    assert report.pages_failed == 1
    port = internal.server.httpd.server_address[1]
    refused = f"not fetched: the forum's thread link leads to another site (127.0.0.1:{port})"
    assert any(refused in detail for detail in health), health
