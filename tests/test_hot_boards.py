"""Hot boards: a board where a watched thread nears the alert line has its list read more often.

Over loopback: a demo forum (monitor/demo/forum.py) with two boards, config from the packaged
demo config (watch group 途乐旅行) with both boards as one source. Board 2 carries a fast-growing
watched thread (8 replies in its first 10 minutes: an escalation score within 1 point of the
alert threshold on a board with no history); board 3 a quiet one. Time is the forum's virtual
clock; nothing sleeps. Also: the scheduler's jobs, read back without starting it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import select

from monitor.app import App, build
from monitor.config.loader import MonitorConfig
from monitor.demo.forum import DemoForum, Forum
from monitor.scheduling import add_jobs
from monitor.store.models import Thread

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)


def _config(directory: Path, url: str) -> MonitorConfig:
    source = ForumSource("bbs", "演示论坛", url, [2, 3])
    schedule = {"hot_board_minutes": 3, "crawl_interval_minutes": 10}
    return demo_forum_config(directory, [source], {"schedule": schedule})


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def _forum() -> Forum:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    forum.add_board(3, "旅游天地")
    fast = forum.add_thread(2, "途乐旅行的海岛团临时改行程了，大家怎么看？", "楼主", START, "求经验。")
    for n in range(8):
        forum.add_reply(fast.tid, f"网友{n}", START + timedelta(minutes=1 + n), "路过看看。")
    forum.add_thread(3, "请问途乐旅行的门店周末开门吗", "游客", START, "想去咨询一下。")
    # posted after the first pass: each board's list shows them only when it is read again
    forum.add_thread(2, "途乐旅行改行程后怎么退差价", "新帖甲", _at(11), "有人知道吗？")
    forum.add_thread(3, "周末去哪儿玩比较好", "新帖乙", _at(11), "求推荐。")
    return forum


def _titles(app: App) -> set[str]:
    with app.sessions() as session:
        return {t.title for t in session.scalars(select(Thread))}


def test_a_hot_boards_list_is_read_every_few_minutes_a_cold_one_is_not(tmp_path: Path) -> None:
    forum = _forum()
    with DemoForum(forum) as site:
        app = build(_config(tmp_path / "config", site.base_url))
        try:

            async def play() -> dict[str, set[str]]:
                seen: dict[str, set[str]] = {}
                async with app.pipeline() as pipeline:
                    for label, minutes, crawl in (
                        ("pass", 10.0, pipeline.crawl_pass),
                        ("1 min later", 11.5, pipeline.crawl_hot_boards),
                        ("4 min later", 14.0, pipeline.crawl_hot_boards),
                        ("after hot_for_hours", 10.0 + 6 * 60 + 1, pipeline.crawl_hot_boards),
                    ):
                        forum.now = _at(minutes)
                        before = _titles(app)
                        await crawl(_at(minutes))
                        seen[label] = _titles(app) - before
                return seen

            seen = asyncio.run(play())
        finally:
            app.close()
    assert seen["pass"] == {"途乐旅行的海岛团临时改行程了，大家怎么看？", "请问途乐旅行的门店周末开门吗"}
    assert seen["1 min later"] == set()  # board 2 is hot but was read a minute ago
    assert seen["4 min later"] == {"途乐旅行改行程后怎么退差价"}  # board 2 again; cold board 3 waits
    assert seen["after hot_for_hours"] == set()  # no longer hot: back to the regular poll


def test_the_scheduler_runs_board_hot_board_hot_thread_sla_and_delivery_jobs(tmp_path: Path) -> None:
    app = build(_config(tmp_path / "config", "http://127.0.0.1:9/"))
    try:
        scheduler = AsyncIOScheduler(timezone="UTC")
        add_jobs(scheduler, app, pipeline=None)  # type: ignore[arg-type]  # jobs are only listed here
        minutes = {}
        for job in scheduler.get_jobs():
            if job.id == "prune":  # daily at 04:00 (tests/store/test_retention.py)
                continue
            assert isinstance(job.trigger, IntervalTrigger)
            minutes[job.id] = job.trigger.interval.total_seconds() / 60
    finally:
        app.close()
    assert minutes == {
        "crawl:bbs:2": 10,
        "crawl:bbs:3": 10,
        "hot-boards": 3,
        "hot": app.config.settings.schedule.hot_refresh_minutes,
        "sla": 1,
        "deliver": app.config.settings.schedule.delivery_retry_minutes,
    }
