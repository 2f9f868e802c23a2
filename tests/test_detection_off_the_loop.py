"""What follows a board's crawl — snapshot, watch groups, detection, alerting — runs in the pipeline's
detection thread, so the event loop goes on reading the other boards meanwhile.

At a PR team's scale (a benchmark: 15 boards, 1,500 watched threads) detection on the loop held every
other board's page reads past the fetcher's 60 s limit: pages were skipped ("page took longer than
60 s to arrive"), boards marked degraded, threads left unread. Here, over loopback with a demo forum
on a virtual clock, one board's detection is made slow (0.6 s) and the loop is timed meanwhile; a
second board's detection waits for the first (never two at once), and alerts still open.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import func, select

from monitor.app import build
from monitor.crawler import CrawlReport
from monitor.demo.forum import DemoForum, Forum
from monitor.pass_report import PassReport
from monitor.pipeline import Pipeline
from monitor.store.models import Post

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
SLOW = 0.6


def _forum() -> Forum:
    forum = Forum(now=START)
    for board, name in ((2, "投诉维权"), (3, "旅游天地")):
        forum.add_board(board, name)
        thread = forum.add_thread(board, f"途乐旅行{name}的帖子", "网友", START, "途乐旅行收了团费不退。")
        forum.add_reply(thread.tid, "路人", START + timedelta(minutes=2), "顶。")
    return forum


def test_the_loop_keeps_turning_while_a_board_is_assessed_and_assessments_take_turns(tmp_path: Path) -> None:
    forum = _forum()
    ran: list[tuple[str, float, float]] = []  # thread name, start, end of each detection
    original = Pipeline._after_crawl

    def slow(self: Pipeline, crawl: CrawlReport, now: datetime) -> PassReport:
        began = time.monotonic()
        time.sleep(SLOW)  # what 1,500 watched threads cost
        report = original(self, crawl, now)
        ran.append((threading.current_thread().name, began, time.monotonic()))
        return report

    with DemoForum(forum) as site:
        config = demo_forum_config(
            tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2, 3])]
        )
        app = build(config)
        try:
            Pipeline._after_crawl = slow  # type: ignore[method-assign]
            gaps: list[float] = []

            async def tick(stop: asyncio.Event) -> None:
                last = time.monotonic()
                while not stop.is_set():
                    await asyncio.sleep(0.01)
                    now = time.monotonic()
                    gaps.append(now - last)
                    last = now

            async def play() -> PassReport:
                stop = asyncio.Event()
                ticker = asyncio.create_task(tick(stop))
                async with app.pipeline() as pipeline:
                    forum.now = START + timedelta(minutes=10)
                    report = await pipeline.crawl_pass(forum.now)
                stop.set()
                await ticker
                return report

            loop_thread = threading.current_thread().name
            report = asyncio.run(play())
            with app.sessions() as session:
                posts = session.scalar(select(func.count()).select_from(Post))
        finally:
            Pipeline._after_crawl = original  # type: ignore[method-assign]
            app.close()
    assert posts == 4 and report.posts_new == 4
    assert len(ran) == 2
    assert all(name.startswith("monitor-detect") and name != loop_thread for name, _, _ in ran)
    (_, _, first_end), (_, second_start, _) = sorted(ran, key=lambda r: r[1])
    assert second_start >= first_end  # one board's detection at a time
    assert max(gaps) < SLOW / 2  # the loop never stood still for a detection
