"""Views against the board's usual pace, end to end: crawled over loopback, stored, read back.

A demo forum (monitor/demo/forum.py) whose board 2 carries six quiet threads and one watched
thread (watch group 途乐旅行 of the packaged demo config), all posted at the start; the watched
one draws replies, and each reply brings a burst of readers. Crawl passes every 10 virtual
minutes store a snapshot of every listed thread; ``monitor threads rising`` (which reads the
same facts an alert does) then shows the watched thread's views next to the board's usual
pace: the median of the threads' first-day paces, computed here from the forum's own counter.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config

from monitor.admin.rising import rising_threads
from monitor.app import build
from monitor.demo.forum import DemoForum, Forum

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
PASSES = [10 * n for n in range(1, 8)]  # +0:10 .. +1:10


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_rising_thread_shows_its_views_as_a_multiple_of_the_boards_usual_pace(tmp_path: Path) -> None:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    quiet = [forum.add_thread(2, f"小区停车问题{n}", f"业主{n}", START, "物业怎么管？").tid for n in range(6)]
    watched = forum.add_thread(2, "途乐旅行退款三个月没到账", "维权人", START, "我也遇到了，怎么办？").tid
    for n in range(12):
        forum.add_reply(watched, f"网友{n}", _at(20 + 3 * n), "我也遇到了，途乐旅行一直拖着不退。")
    with DemoForum(forum) as site:
        config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        app = build(config)
        try:

            async def play() -> list[tuple[str, ...]]:
                async with app.pipeline() as pipeline:
                    for minutes in PASSES:
                        forum.now = _at(minutes)
                        await pipeline.crawl_pass(_at(minutes))
                    with app.sessions() as session:
                        rows = rising_threads(config, pipeline.facts, session, _at(PASSES[-1]), 6)
                        return [row.figures for row in rows]

            figures = asyncio.run(play())
        finally:
            app.close()

    def views(tid: int, minutes: int) -> int:
        forum.now = _at(minutes)
        return forum.views(tid)

    # the usual pace was learned during the last pass, from the snapshots taken before it
    first, last = PASSES[0], PASSES[-2]
    hours = (last - first) / 60
    paces = sorted((views(t, last) - views(t, first)) / hours for t in [*quiet, watched])
    usual = paces[(len(paces) - 1) // 2]
    gained = views(watched, PASSES[-1]) - views(watched, PASSES[-1] - 60)
    assert len(figures) == 1, figures
    expected = f"{gained} views in the last 60 min ({gained}/h), "
    expected += f"{gained / usual:.0f}× this board's usual ({usual:.1f}/h)"
    assert gained / usual >= 10 and expected in figures[0], figures[0]


def test_a_thread_younger_than_the_window_shows_its_views_since_its_first_post(tmp_path: Path) -> None:
    """The first hour is when an early warning matters: no snapshot is an hour old yet, so the views
    line had been left out of every message sent in it (live walkthrough: 5 of 5)."""
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    for n in range(6):
        forum.add_thread(2, f"小区停车问题{n}", f"业主{n}", START, "物业怎么管？")
    watched = forum.add_thread(2, "途乐旅行退款三个月没到账", "维权人", START, "我也遇到了，怎么办？").tid
    for n in range(12):
        forum.add_reply(watched, f"网友{n}", _at(5 + 2 * n), "我也遇到了，途乐旅行一直拖着不退。")
    with DemoForum(forum) as site:
        config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        app = build(config)
        try:

            async def play() -> list[tuple[str, ...]]:
                async with app.pipeline() as pipeline:
                    for minutes in (10, 20, 30, 40):
                        forum.now = _at(minutes)
                        await pipeline.crawl_pass(_at(minutes))
                    with app.sessions() as session:
                        rows = rising_threads(config, pipeline.facts, session, _at(40), 6)
                        return [row.figures for row in rows]

            figures = asyncio.run(play())
        finally:
            app.close()
    forum.now = _at(40)
    seen = forum.views(watched)
    assert len(figures) == 1, figures
    assert f"{seen} views in its first 40 min ({seen * 60 / 40:,.0f}/h)" in figures[0][1], figures[0]
