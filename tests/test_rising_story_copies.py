"""``monitor threads rising --at`` a past moment shows the story's copies on other boards as they
were then: each copy's reply count from its last snapshot at or before that moment, and a copy not
read by then not at all (it used to show the counts of now).

A demo forum (monitor/demo/forum.py) over loopback: the story on board 2 (投诉维权), a copy on
board 3 (旅游天地) that keeps growing, and a late copy on board 4 (自由讨论) posted before the moment
but first read after it. Crawled by the real pipeline into a SQLite file at set virtual times.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from demo_forum_config import ForumSource, demo_forum_config

from monitor.admin.rising import RisingThread, rising_threads
from monitor.app import build
from monitor.demo.forum import DemoForum, Forum

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
TITLE = "途乐旅行收了我2万8团费，行程取消后三个月不退款！"
OPENING = "10月的北海道团，交了2万8，出发前三天通知取消，说30个工作日内退款，到现在三个月了一分没退。"


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def _story_rows(tmp_path: Path) -> dict[int, RisingThread]:
    forum = Forum(now=START)
    for fid, name in ((2, "投诉维权"), (3, "旅游天地"), (4, "自由讨论")):
        forum.add_board(fid, name)
    story = forum.add_thread(2, TITLE, "北海道没去成", START, OPENING).tid
    copy = forum.add_thread(3, TITLE, "北海道没去成", _at(5), OPENING).tid
    forum.add_thread(4, TITLE, "北海道没去成", _at(15), OPENING)  # the late copy
    forum.add_reply(story, "小鱼儿2019", _at(8), "同样被途乐坑了，海南团6500，到现在没退。")
    for n, minutes in enumerate([10, 12, 25, 27, 29, 31, 33, 35, 37]):  # 2 replies by +0:20, 9 by +0:50
        forum.add_reply(copy, f"网友{n}", _at(minutes), "途乐旅行太过分了，钱到现在还没退。")
    with DemoForum(forum) as site:
        boards = [ForumSource("bbs", "演示论坛", site.base_url, [2, 3, 4])]
        config = demo_forum_config(tmp_path / "config", boards)
        [source] = config.sources
        app = build(config)
        try:

            async def play() -> dict[int, RisingThread]:
                async with app.pipeline() as pipeline:
                    forum.now = _at(20)
                    for board in ("2", "3"):  # board 4 (the late copy) not read at +0:20
                        await pipeline.crawl_board(source, board, _at(20))
                    forum.now = _at(50)
                    await pipeline.crawl_pass(_at(50))
                    with app.sessions() as session:
                        return {
                            minutes: next(
                                row
                                for row in rising_threads(config, pipeline.facts, session, _at(minutes), 6)
                                if row.board == "投诉维权"
                            )
                            for minutes in (20, 50)
                        }

            return asyncio.run(play())
        finally:
            app.close()


def _spread(row: RisingThread) -> str:
    return next(f for f in row.figures if f.startswith("same story also posted on"))


def test_story_copies_show_their_reply_counts_at_the_moment_asked(tmp_path: Path) -> None:
    rows = _story_rows(tmp_path)
    then, now = _spread(rows[20]), _spread(rows[50])
    assert then == "same story also posted on the 旅游天地 board (2 replies, 5 min later)", then
    assert now.startswith("same story also posted on the 旅游天地 board (9 replies, 5 min later); "), now
    assert "the 自由讨论 board (0 replies, 15 min later)" in now
    assert rows[20].score is not None and rows[50].score is not None
    assert rows[20].score < rows[50].score  # one place then, two now


def test_a_reader_of_what_is_stored_reads_a_groups_recent_threads_once_per_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """threads rising assessed 165 threads of a few groups; each read its group's threads again."""
    from monitor.facts import FactsReader
    from monitor.store import repo

    asked: list[tuple[str, datetime]] = []

    def read(session: object, group: str, since: datetime) -> list[object]:
        asked.append((group, since))
        return []

    monkeypatch.setattr(repo, "watch_group_threads", read)
    forum = [ForumSource("bbs", "演示论坛", "http://127.0.0.1:9/", [2])]
    reader = FactsReader(demo_forum_config(tmp_path / "config", forum))
    with reader.held_groups():
        for _ in range(3):
            reader._group_threads(None, "途乐旅行", START)  # type: ignore[arg-type]
        reader._group_threads(None, "途乐旅行", _at(5))  # type: ignore[arg-type]
    reader._group_threads(None, "途乐旅行", START)  # type: ignore[arg-type]  # a crawl pass: read fresh
    assert asked == [("途乐旅行", START), ("途乐旅行", _at(5)), ("途乐旅行", START)]
