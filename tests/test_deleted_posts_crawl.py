"""A post the forum deletes stays stored, and the replies after it are still read.

The crawler reads a thread's pages only when they can hold posts it has not stored. It had judged
that by the stored posts alone, so after a moderator deleted one reply the next reply went unread
for good (29 stored, and the forum back at 28 replies + the first post = 29): a live walkthrough
missed a 3·15晚会 threat that way. Over loopback, a demo forum (monitor/demo/forum.py) whose virtual
clock moves; nothing sleeps. Both the board pass and the hot refresh between passes are checked.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import select

from monitor.app import App, build
from monitor.crawl_pages import pages_to_fetch
from monitor.crawler import CrawlReport
from monitor.demo.forum import DemoForum, Forum
from monitor.store.models import Post

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
THREAT = "我也遇到了，一模一样的套路，准备投稿3·15晚会曝光他们。"


def _forum() -> tuple[Forum, int]:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    thread = forum.add_thread(2, "途乐旅行三个月不退款", "维权小王", START, "途乐旅行收了团费不退。")
    for n in range(28):  # 29 posts: pages of 10, 10 and 9
        forum.add_reply(thread.tid, f"网友{n}", START + timedelta(minutes=1 + n), "顶一下，同样遇到了。")
    return forum, thread.tid


def _texts(app: App) -> list[str]:
    with app.sessions() as session:
        return list(session.scalars(select(Post.text)))


def test_pages_after_a_deletion_are_read_when_the_thread_grows_again() -> None:
    # 30 stored (one of them deleted on the forum), the forum shows 29 replies: listed 28 before
    assert pages_to_fetch(30, 29, 10) == []  # by the stored posts alone: nothing new
    assert pages_to_fetch(30, 29, 10, listed_before=28) == [3]
    assert pages_to_fetch(30, 29, 10, listed_before=29) == []  # not grown: nothing to read
    assert pages_to_fetch(20, 25, 10, listed_before=19) == [3]  # no deletion: as before
    assert pages_to_fetch(15, 25, 10, listed_before=24) == [2, 3]  # unread pages first


def test_a_reply_after_a_deleted_post_is_read_by_the_board_pass(tmp_path: Path) -> None:
    forum, tid = _forum()
    with DemoForum(forum) as site:
        config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        app = build(config)
        try:

            async def play() -> None:
                async with app.pipeline() as pipeline:
                    forum.now = START + timedelta(minutes=40)
                    await pipeline.crawl_pass(forum.now)  # all 29 posts
                    forum.delete_post(tid, 6)
                    forum.now = START + timedelta(minutes=45)
                    await pipeline.crawl_pass(forum.now)  # 27 replies listed
                    forum.add_reply(tid, "新来的网友", START + timedelta(minutes=46), THREAT)
                    forum.now = START + timedelta(minutes=50)
                    await pipeline.crawl_pass(forum.now)  # 28 again

            asyncio.run(play())
            texts = _texts(app)
        finally:
            app.close()
    assert len(texts) == 30  # the deleted post is kept
    assert THREAT in texts


def test_a_reply_after_a_deleted_post_is_read_by_the_hot_refresh(tmp_path: Path) -> None:
    """The demo forum, like Discuz!, answers a page past the last with the last page, so this read
    worked before too; it guards the start page (from the posts the board last listed, not past
    them) for an engine that answers such a page with nothing."""
    forum, tid = _forum()
    with DemoForum(forum) as site:
        config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        app = build(config)
        try:

            async def play() -> None:
                async with app.pipeline() as pipeline:
                    forum.now = START + timedelta(minutes=40)
                    await pipeline.crawl_pass(forum.now)
                    for n in range(2):  # pages of 10, 10 and 10, then the deletion
                        forum.add_reply(tid, f"后来{n}", START + timedelta(minutes=41 + n), "顶")
                    forum.delete_post(tid, 6)
                    forum.now = START + timedelta(minutes=45)
                    await pipeline.crawl_pass(forum.now)  # 31 stored, 29 replies listed
                    forum.add_reply(tid, "新来的网友", START + timedelta(minutes=46), THREAT)
                    forum.now = START + timedelta(minutes=55)
                    # the re-read the hot refresh makes of a thread it picks (the pick is the polling
                    # policy's, tested in test_hot_refresh.py)
                    source = config.sources[0]
                    adapter = await pipeline.adapter(source)
                    await pipeline._crawler.refresh_thread(adapter, source, 1, forum.now, CrawlReport())

            asyncio.run(play())
            texts = _texts(app)
        finally:
            app.close()
    assert THREAT in texts
