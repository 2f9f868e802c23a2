"""Routing and the weekly digest read the watch groups as ops last saved them, as matching does,
while the service runs.

An ops walkthrough saw ``watch_groups.yaml`` reloaded for matching, but the alert's routing still
took each group's category from the file as it was at start: a group moved to the ``product``
category kept going to the service route until a restart. A demo forum (monitor/demo/forum.py)
over loopback, the real pipeline on a SQLite file at set virtual times; routing.yaml sends
``product`` alerts to 王强 and everything else to 李娜.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import select

from monitor.app import build
from monitor.config.loader import load_config
from monitor.demo.forum import DemoForum, Forum
from monitor.demo.smtp_sink import MailSink
from monitor.store.models import Alert, DigestRow

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
ROUTING = """spokespeople:
  - {key: li_na, name: 李娜, email: li.na@pr.demo.invalid, backup: wang_qiang}
  - {key: wang_qiang, name: 王强, email: wang.qiang@pr.demo.invalid, backup: li_na}
leadership: [wang_qiang]
route:
  receiver: li_na
  routes:
    - match: {categories: [product]}
      receiver: wang_qiang
"""


def test_an_alert_is_routed_by_the_category_its_group_was_given_after_the_start(tmp_path: Path) -> None:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    forum.add_thread(2, "途乐旅行的发票", "小李", START - timedelta(minutes=20), "请问途乐旅行的发票怎么开")
    with DemoForum(forum) as site:
        directory = tmp_path / "config"
        demo_forum_config(directory, [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        (directory / "routing.yaml").write_text(ROUTING, encoding="utf-8")
        groups = directory / "watch_groups.yaml"
        assert "category: service" in groups.read_text(encoding="utf-8")
        config = load_config(directory, environ={})
        [source] = config.sources
        app = build(config)
        try:

            async def play() -> None:
                async with app.pipeline() as pipeline:
                    await pipeline.crawl_board(source, "2", START)  # the groups as at start are read
                    text = groups.read_text(encoding="utf-8")
                    groups.write_text(text.replace("category: service", "category: product", 1), "utf-8")
                    later = START + timedelta(minutes=15)
                    forum.now = later
                    # no complaint words of any category: the thread takes its group's category
                    opening = "途乐旅行太坑了，我已经联系了电视台记者，准备曝光"
                    forum.add_thread(2, "途乐旅行太坑了", "老王", later - timedelta(minutes=2), opening)
                    await pipeline.crawl_board(source, "2", later)

            asyncio.run(play())
            with app.sessions() as session:
                alerts = [(a.watch_group, a.category, a.spokesperson) for a in session.scalars(select(Alert))]
        finally:
            app.close()
    assert alerts == [("途乐旅行", "product", "wang_qiang")]


def test_the_weekly_digest_of_a_running_service_names_the_terms_of_a_group_added_since_its_start(
    tmp_path: Path,
) -> None:
    """The scheduler's digest job composes with the groups as last saved: "matched by 曝光, 电视台" for
    a group ops added on Sunday, in the digest a service started before it sends on Monday (the store
    keeps the first term only; the digest matches the thread again for the others)."""
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    forum.add_thread(2, "途乐旅行的发票", "小李", START - timedelta(minutes=20), "请问途乐旅行的发票怎么开")
    with DemoForum(forum) as site, MailSink(tmp_path / "mail") as sink:
        directory = tmp_path / "config"
        demo_forum_config(directory, [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        toml = directory / "monitor.toml"
        smtp = f'[smtp]\nenabled = true\nhost = "127.0.0.1"\nport = {sink.port}\nsender = "m@demo.invalid"'
        toml.write_text(toml.read_text(encoding="utf-8").replace("[smtp]\nenabled = false", smtp), "utf-8")
        groups = directory / "watch_groups.yaml"
        app = build(load_config(directory, environ={}))
        [source] = app.config.sources
        try:

            async def play() -> None:
                async with app.pipeline() as pipeline:
                    await pipeline.crawl_board(source, "2", START)
                    added = "  - name: 曝光监测\n    category: other\n    include: [曝光, 电视台]\n"
                    groups.write_text(groups.read_text(encoding="utf-8") + added, encoding="utf-8")
                    later = START + timedelta(minutes=15)
                    forum.now = later
                    opening = "途乐旅行太坑了，我已经联系了电视台记者，准备曝光"
                    forum.add_thread(2, "途乐旅行太坑了", "老王", later - timedelta(minutes=2), opening)
                    await pipeline.crawl_board(source, "2", later)

            asyncio.run(play())
            monday_morning = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai: the digest is due
            app.send_due_digest(monday_morning)
            with app.sessions() as session:
                texts = list(session.scalars(select(DigestRow.text)))
        finally:
            app.close()
    assert len(texts) == 1 and len(sink.messages) == 1
    assert "曝光监测" in texts[0]
    assert "曝光 ×1" in texts[0] and "电视台 ×1" in texts[0], texts[0]
