"""A forum that cannot be read is never a quiet forum: crawl, `sources status`, the digest's
"Forums read" and the dashboard's forum health, as the user sees them through the CLI.

A real refused connection (a closed loopback port, closed_port.py), the loopback fixture
forum (conftest.py) with its robots.txt replaced — one that disallows everything, one that
answers 503 and then comes back — and a demo forum (monitor/demo/forum.py) that goes away
after it was read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from closed_port import closed_port
from demo_forum_config import ForumSource, demo_forum_config
from forum_fixtures import FixtureForum
from sqlalchemy.orm import Session

from monitor.admin.forum_health import forum_health
from monitor.app import build
from monitor.cli import main
from monitor.config.loader import MonitorConfig, load_config
from monitor.demo.forum import DemoForum, Forum
from monitor.digest.model import BoardTrouble, DigestPeriod
from monitor.digest.reading import reading_health, reading_lines
from monitor.digest.said import Said
from monitor.store.db import make_engine, session_factory


@contextmanager
def _session(config: MonitorConfig) -> Iterator[Session]:
    engine = make_engine(config.settings.database_url())
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _status(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["sources", "status", "--config", str(config)])
    return code, capsys.readouterr().out


def test_an_unreachable_forum_is_failing_not_quiet(
    fixture_config: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    base = f"http://127.0.0.1:{closed_port()}/"
    (fixture_config / "sources.yaml").write_text(
        "sources:\n"
        f'  - {{key: y2, name: Y2, engine: discuz, base_url: "{base}", boards: ["2", "3"]}}\n'
        f'  - {{key: feeds, name: Feeds, engine: rss, base_url: "{base}", boards: [latest.rss]}}\n',
        encoding="utf-8",
    )
    assert main(["crawl", "--once", "--config", str(fixture_config)]) == 1
    summary = capsys.readouterr().out
    assert summary.startswith("0 pages read, 3 could not be read; 0 threads, 0 new posts, 0 alert changes; ")
    cause = f"connection refused at {base}robots.txt"
    assert f"source y2 unreachable, board 2 not read: {cause}" in caplog.text
    assert f"source health: fetch_failed on y2 board 2: {cause}" in caplog.text  # which board, and why
    assert "robots.txt allows no" not in caplog.text and "disallowed" not in caplog.text

    code, out = _status(fixture_config, capsys)
    assert code == 1
    assert "never polled" not in out
    for board in ("2", "3", "latest.rss"):
        assert f"  board {board}: failing; last success never; 1 failure in a row" in out
    assert out.count(f"fetch_failed: {base} {cause}") == 2  # the Discuz! boards: robots.txt, before any page
    assert "  recent health events:" in out
    assert f"board 3: fetch_failed: {base} {cause}" in out  # each event names its board
    assert f"fetch_failed: {base}latest.rss {cause}" in out  # the feed: its page, held by robots.txt

    config = load_config(fixture_config, environ={})
    now = datetime.now(UTC)
    with _session(config) as session:
        health = {source.key: source for source in forum_health(session, config)}
        reading = reading_health(session, DigestPeriod.week_ending(now + timedelta(hours=1), "Asia/Shanghai"))
    assert health["y2"].failing == 2 and health["feeds"].failing == 1
    assert health["y2"].boards[0].last_error == cause
    assert BoardTrouble("Y2", "2", "failing", (("fetch_failed", 1),), None) in reading.troubled
    lines = reading_lines(reading, "Asia/Shanghai")
    assert lines[0].en.startswith("2 forums, 3 boards, monitored only since ")  # it began this week
    assert lines[0].en.endswith(": 3 boards not always read — figures from these may be incomplete:")
    assert lines[0].zh.startswith("2 个论坛，3 个版块，")
    assert lines[0].zh.endswith("：3 个版块未能一直读取，其数据可能不完整：")
    assert (
        Said("Y2 · 2：当前读取失败（页面抓取失败：1 次中断）", "failing now (pages not fetched: 1 outage)")
        in lines
    )


def test_a_robots_txt_that_disallows_everything_is_reported_as_disallowed(
    fixture_config: Path,
    fixture_forum: FixtureForum,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fixture_forum.overrides["/robots.txt"] = (200, b"User-agent: *\nDisallow: /\n")
    assert main(["crawl", "--once", "--config", str(fixture_config)]) == 1
    reason = "robots.txt allows no Discuz format for board lists"
    assert f"source fixture-bbs disallowed, board 2 not read: {reason}" in caplog.text
    assert fixture_forum.requests == ["/robots.txt"]

    code, out = _status(fixture_config, capsys)
    assert code == 1
    assert (
        f"board 2: failing; last success never; 1 failure in a row; last poll 0 threads, 0 new posts; "
        f"last error: {reason}" in out
    )
    assert f"disallowed: {fixture_forum.url} {reason}" in out
    assert "fetch_failed" not in out and "unreachable" not in out


def test_a_forum_whose_robots_txt_fails_is_read_again_when_it_comes_back(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture_forum.overrides["/robots.txt"] = (503, b"")
    main(["crawl", "--once", "--config", str(fixture_config)])
    code, out = _status(fixture_config, capsys)
    assert code == 1
    assert f"fetch_failed: {fixture_forum.url} HTTP 503 at {fixture_forum.url}robots.txt" in out

    del fixture_forum.overrides["/robots.txt"]
    main(["crawl", "--once", "--config", str(fixture_config)])
    code, out = _status(fixture_config, capsys)
    assert code == 0
    assert "board 2 投诉维权: ok" in out and "recovered" in out


def test_a_forum_that_goes_away_after_it_was_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Read once, then the server is gone: a new process's hot refresh skips it (no crash), the
    next board poll records the cause, and the digest says when the board was last read."""
    start = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    forum = Forum(now=start)
    forum.add_board(2, "投诉维权")
    thread = forum.add_thread(2, "途乐旅行的海岛团临时改行程了", "楼主", start, "途乐旅行 想听听大家的经验。")
    forum.add_reply(thread.tid, "网友", start + timedelta(minutes=1), "我也遇到了。")
    with DemoForum(forum) as site:
        base = site.base_url
        config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", base, [2])])
        app = build(config)
        try:
            first = start + timedelta(minutes=10)
            forum.now = first

            async def crawl() -> None:
                async with app.pipeline() as pipeline:
                    await pipeline.crawl_pass(first)

            asyncio.run(crawl())
        except BaseException:
            app.close()
            raise
    try:  # the forum's server is shut down: its port refuses connections

        async def restarted() -> tuple[int, int]:
            async with app.pipeline() as pipeline:
                hot = await pipeline.refresh_hot(first + timedelta(minutes=10))
                board = await pipeline.crawl_pass(first + timedelta(minutes=20))
            return hot.pages_fetched, board.pages_failed

        assert asyncio.run(restarted()) == (0, 1)
        cause = f"connection refused at {base}robots.txt"
        assert f"source bbs: hot threads not read: {cause}" in caplog.text
        with app.sessions() as session:
            period = DigestPeriod.week_ending(first + timedelta(days=1), "Asia/Shanghai")
            lines = reading_lines(reading_health(session, period), "Asia/Shanghai")
            [board] = forum_health(session, config)[0].boards
    finally:
        app.close()
    assert (board.state, board.consecutive_failures, board.last_error) == ("failing", 1, cause)
    assert lines[1] == Said(
        "演示论坛 · 投诉维权：当前读取失败（页面抓取失败：1 次中断）；最后读取 12-06 09:10",
        "failing now (pages not fetched: 1 outage); last read 12-06 09:10",
    )


def test_a_forum_that_stays_down_is_logged_when_it_goes_down_not_at_every_poll(
    fixture_config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = f"http://127.0.0.1:{closed_port()}/"
    (fixture_config / "sources.yaml").write_text(
        f'sources:\n  - {{key: y3, name: Y3, engine: discuz, base_url: "{base}", boards: ["2"]}}\n',
        encoding="utf-8",
    )
    assert main(["crawl", "--once", "--config", str(fixture_config)]) == 1
    first = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("source y3 unreachable, board 2 not read" in m for m in first)
    caplog.clear()
    assert main(["crawl", "--once", "--config", str(fixture_config)]) == 1
    again = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not any("board 2 not read" in m or "source health" in m for m in again), again
