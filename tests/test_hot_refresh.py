"""The hot refresh between board passes spends a per-source budget where the detector points.

Over loopback: a demo forum (monitor/demo/forum.py) with one board of five watched threads (they
name 途乐旅行, the packaged demo config's watch group) posted at the same time, each with a
different pace, and a config with ``hot_budget_per_host = 2``. Time is the forum's virtual
clock; nothing sleeps. Which threads were re-read is read back from their snapshots (a read
takes one, or moves the latest one's ``seen_until``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import func, or_, select

from monitor.app import App, build
from monitor.config.loader import MonitorConfig
from monitor.demo.forum import DemoForum, Forum
from monitor.store.models import Snapshot, Thread

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
BUDGET = 2
# (subject, replies in the first 10 minutes), in posting order, 5 s apart: "fast" grows quickest,
# then "steady"; the quiet ones are older (so a policy that went by age would pick them first).
THREADS = {
    "quiet1": ("途乐旅行的签证材料要准备多久？", 0),
    "quiet2": ("请问途乐旅行的门店周末开门吗", 0),
    "quiet3": ("途乐旅行APP怎么修改出行人信息", 0),
    "fast": ("途乐旅行的海岛团临时改行程了，大家怎么看？", 8),
    "steady": ("途乐旅行报团的朋友进来交流一下", 2),
}


def _config(directory: Path, url: str) -> MonitorConfig:
    source = ForumSource("bbs", "演示论坛", url, [2])
    return demo_forum_config(directory, [source], {"schedule": {"hot_budget_per_host": BUDGET}})


def _forum() -> tuple[Forum, dict[int, str]]:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    names = {}
    for offset, (key, (subject, replies)) in enumerate(THREADS.items()):
        posted = START + timedelta(seconds=offset * 5)
        thread = forum.add_thread(2, subject, f"楼主{offset}", posted, f"{subject} 想听听大家的经验。")
        for n in range(replies):
            forum.add_reply(thread.tid, f"网友{offset}_{n}", posted + timedelta(minutes=1 + n), "路过看看。")
        names[thread.tid] = key
    return forum, names


def _read_at(app: App, names: dict[int, str], when: datetime) -> set[str]:
    """The threads read at ``when``: a read snapshots the thread (or moves its latest snapshot's end)."""
    read = (
        select(Thread.external_id)
        .join(Snapshot, Snapshot.thread_id == Thread.id)
        .where(or_(Snapshot.taken_at == when, Snapshot.seen_until == when))
    )
    with app.sessions() as session:
        return {names[int(tid)] for tid in session.scalars(read.distinct())}


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_hot_refresh_reads_the_fastest_threads_within_the_budget(tmp_path: Path) -> None:
    forum, names = _forum()
    with DemoForum(forum) as site:
        app = build(_config(tmp_path / "config", site.base_url))
        try:

            async def play() -> dict[str, set[str]]:
                read: dict[str, set[str]] = {}
                async with app.pipeline() as pipeline:
                    forum.now = _at(10)
                    await pipeline.crawl_pass(_at(10))  # every thread read and scored once
                    read["pass"] = _read_at(app, names, _at(10))
                    for label, minutes in (("refresh", 20.0), ("a minute later", 21.0)):
                        forum.now = _at(minutes)
                        await pipeline.refresh_hot(_at(minutes))
                        read[label] = _read_at(app, names, _at(minutes))
                return read

            read = asyncio.run(play())
        finally:
            app.close()
    assert read["pass"] == set(THREADS)
    assert read["refresh"] == {"fast", "steady"}  # the budget, on the threads nearest their threshold
    # those two were read too recently; the budget goes to the next ones
    assert len(read["a minute later"]) == BUDGET
    assert not read["a minute later"] & {"fast", "steady"}


def test_after_a_restart_threads_never_scored_come_first_oldest_first(tmp_path: Path) -> None:
    forum, names = _forum()
    with DemoForum(forum) as site:
        app = build(_config(tmp_path / "config", site.base_url))
        try:

            async def crawl() -> None:
                async with app.pipeline() as pipeline:
                    forum.now = _at(10)
                    await pipeline.crawl_pass(_at(10))

            async def refresh() -> set[str]:
                async with app.pipeline() as restarted:  # a new process knows no scores yet
                    forum.now = _at(20)
                    await restarted.refresh_hot(_at(20))
                return _read_at(app, names, _at(20))

            asyncio.run(crawl())
            assert asyncio.run(refresh()) == {"quiet1", "quiet2"}  # the oldest two: posted first
        finally:
            app.close()


def test_a_refresh_does_not_keep_a_thread_no_board_lists_a_candidate_for_ever(tmp_path: Path) -> None:
    """A watched thread is re-read while its board listed it within ``hot_for_hours`` (6 h); a
    refresh is not a listing. It used to be: each refresh made the thread "seen" again, so every
    watched thread ever stayed a candidate (re-read for ever, a page each, the budget filling with
    dead threads as the soak benchmark found), in the story window, and out of ``thread_days``."""
    forum, _ = _forum()
    with DemoForum(forum) as site:
        app = build(_config(tmp_path / "config", site.base_url))
        try:

            async def play() -> dict[int, int]:
                fetched: dict[int, int] = {}
                async with app.pipeline() as pipeline:
                    forum.now = _at(10)
                    await pipeline.crawl_pass(_at(10))  # the five watched threads, listed and read
                    for n in range(21):  # newer threads push them off the board's first page
                        forum.add_thread(2, f"闲聊 {n}", f"路人{n}", _at(20 + n), "今天天气不错。")
                    for hour in range(1, 9):  # the board crawled and the hot threads refreshed hourly
                        forum.now = _at(10 + 60 * hour)
                        await pipeline.crawl_pass(_at(10 + 60 * hour))
                        report = await pipeline.refresh_hot(_at(10 + 60 * hour + 5))
                        fetched[hour] = report.pages_fetched
                return fetched

            fetched = asyncio.run(play())
            with app.sessions() as session:
                seen = session.scalar(select(func.max(Thread.last_seen_at)).where(Thread.title.like("途乐%")))
        finally:
            app.close()
    assert fetched[1] == BUDGET  # listed an hour ago: still a candidate
    assert fetched[7] == fetched[8] == 0  # listed more than 6 h ago, and not hot: left alone
    assert seen == _at(10)  # when the board last listed them, not when a refresh read them
