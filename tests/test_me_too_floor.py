"""The alert's "N authors say 我也遇到了 (first at floor N)" and its signal list "me too … first at
floor N" name the same post, and it is one that counts: a praise me-too (refused by
:mod:`monitor.enrich.me_too`) before the first me-too complaint is named by neither.

A demo forum (monitor/demo/forum.py) over loopback, crawled by the real pipeline into a SQLite
file; the thread's facts are then read and assessed as a poll would.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import select

from monitor.app import build
from monitor.demo.forum import DemoForum, Forum
from monitor.detect.assess import Assessment, assess
from monitor.facts import FactsReader
from monitor.store import repo
from monitor.store.models import Thread

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
REPLIES = [
    ("路过的小张", "我也遇到了很热情的店员，服务特别好，点赞"),  # floor 2: praise (forum-v1 0.67)
    ("路过的小王", "我也遇到了很热情的店员，点赞"),  # floor 3: praise the model reads 0.58
    ("北海道没去成", "我也遇到了！！10月的北海道团，交了9800，到现在没退，太气人了。"),  # floor 4
    ("小鱼儿2019", "同样被途乐坑了。国庆的海南团，6500，取消后说退款要三到六个月。"),
    ("深圳打工人", "+1，我爸妈报的老年团，一万二，到现在没退。"),
]


def _assessed(tmp_path: Path) -> tuple[Assessment, dict[int, list[str]]]:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    tid = forum.add_thread(2, "途乐旅行退款三个月没到账", "维权人", START, "交了钱三个月不退，怎么办？").tid
    for minutes, (author, text) in enumerate(REPLIES, start=1):
        forum.add_reply(tid, author, START + timedelta(minutes=5 * minutes), text)
    now = START + timedelta(minutes=40)
    forum.now = now
    with DemoForum(forum) as site:
        config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        app = build(config)
        try:

            async def crawl() -> None:
                async with app.pipeline() as pipeline:
                    await pipeline.crawl_pass(now)

            asyncio.run(crawl())
            with app.sessions() as session:
                thread = session.scalars(select(Thread)).one()
                posts = repo.thread_posts(session, thread)
                snapshot = repo.snapshot_before(session, thread, now)
                assert snapshot is not None
                group = next(g for g in config.watch_groups if g.name == "途乐旅行")
                facts = FactsReader(config).read(session, thread, posts, snapshot, group, now)
                stored = {p.floor: [s["name"] for s in p.signals] for p in posts}
                return assess(facts, config.settings.detect), stored
        finally:
            app.close()


def test_me_too_count_reason_and_signal_name_the_first_me_too_that_counts(tmp_path: Path) -> None:
    found, stored = _assessed(tmp_path)
    assert "3 authors say 我也遇到了 (me too) (first at floor 4)" in found.figures, found.figures
    assert "me too (我也遇到了/+1) first at floor 4" in found.signals, found.signals
    assert "resonance" not in stored[2] and "resonance" not in stored[3]  # nor routed by it
