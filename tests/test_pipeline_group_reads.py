"""The detection after a crawl reads a watch group's recent threads once per board read, and again
as soon as a thread joins the group, so a thread joining sees itself and every thread before it.

A demo forum (monitor/demo/forum.py) over loopback: three different complaints about 途乐旅行 on
board 2, then a copy of the first posted between two polls. Crawled by the real pipeline into a
SQLite file at set virtual times; ``repo.watch_group_threads`` is wrapped to see what each read returned.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from demo_forum_config import ForumSource, demo_forum_config

from monitor.app import build
from monitor.demo.forum import DemoForum, Forum
from monitor.store import repo

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
STORIES = [
    (
        "途乐旅行收了我2万8团费，行程取消后三个月不退款！",
        "北海道团交了2万8，出发前三天通知取消，三个月了一分没退。",
    ),
    ("途乐旅行的云南团导游强制购物", "导游每天带我们进玉石店和茶叶店，不消费就不让上车。"),
    ("途乐旅行海南团酒店货不对板", "说好的海景房变成了看不到海的标间，前台说合同没写。"),
]


def test_a_group_is_read_once_per_board_read_and_again_when_a_thread_joins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[set[int]] = []
    real = repo.watch_group_threads

    def spy(session, group, since):  # type: ignore[no-untyped-def]
        rows = real(session, group, since)
        reads.append({row.thread_id for row in rows})
        return rows

    monkeypatch.setattr(repo, "watch_group_threads", spy)
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    for n, (title, opening) in enumerate(STORIES):
        forum.add_thread(2, title, f"作者{n}", START - timedelta(minutes=30 - n), opening)
    with DemoForum(forum) as site:
        config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        [source] = config.sources
        app = build(config)
        try:

            async def play() -> tuple[list[set[int]], list[set[int]]]:
                async with app.pipeline() as pipeline:
                    await pipeline.crawl_board(source, "2", START)
                    first = list(reads)
                    reads.clear()
                    later = START + timedelta(minutes=10)
                    forum.now = later
                    title, opening = STORIES[0]
                    forum.add_thread(2, "转帖：" + title, "路人", later - timedelta(minutes=1), opening)
                    await pipeline.crawl_board(source, "2", later)
                    return first, list(reads)

            first, second = asyncio.run(play())
        finally:
            app.close()
    # first poll: each thread joins the group in turn and reads it again, itself included
    assert [len(ids) for ids in first] == [1, 2, 3]
    assert first[0] < first[1] < first[2]
    # second poll: the three unchanged threads share one read; the copy (read last: its pages were
    # fetched) joins the group and reads it again, itself included
    assert second == [first[2], first[2] | {max(first[2]) + 1}]


def test_a_held_block_within_a_held_block_keeps_what_is_held(tmp_path: Path) -> None:
    from monitor.facts import FactsReader

    forum = [ForumSource("bbs", "演示论坛", "http://127.0.0.1:9/", [2])]
    reader = FactsReader(demo_forum_config(tmp_path / "config", forum))
    with reader.held_groups():
        reader._held.groups[("途乐旅行", START)] = []
        with reader.held_groups():
            assert ("途乐旅行", START) in reader._held.groups
        assert ("途乐旅行", START) in reader._held.groups  # the inner block did not end the outer one
        reader.forget_group("途乐旅行")
        assert reader._held.groups == {}
    assert reader._held.groups is None
    reader.forget_group("途乐旅行")  # outside a block: nothing held, nothing to forget
