"""A clock jump between us and the forum: the detector times the thread's replies on the forum's
clock (the forum dates its posts by it) and says so in the reasons.

A live walkthrough ran ``monitor run`` 2 h ahead (faketime): every reply then looked 2 h old, the
reasons read "0 replies in the last 60 min … steady", the escalating thread looked dead, and
nothing said why. Over loopback, a demo forum (monitor/demo/forum.py; its Date header is its own
virtual clock) 2 h behind the crawl's clock; nothing sleeps.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import select

from monitor.admin.rising import rising_threads
from monitor.app import build
from monitor.demo.forum import DemoForum, Forum
from monitor.facts import FactsReader
from monitor.store.models import Alert

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
AHEAD = timedelta(hours=2)


def _play(tmp_path: Path, ahead: timedelta) -> list[str]:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    tid = forum.add_thread(
        2, "途乐旅行收了团费三个月不退款", "维权小王", START, "途乐旅行一直拖着不退款，太坑了。"
    ).tid
    for n in range(24):
        forum.add_reply(
            tid, f"网友{n}", START + timedelta(minutes=1 + n), "我也遇到了，途乐旅行也不给我退款，投诉无门。"
        )
    with DemoForum(forum) as site:
        config = demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        app = build(config)
        try:

            async def play() -> None:
                async with app.pipeline() as pipeline:
                    for minutes in (10, 20, 30):
                        forum.now = START + timedelta(minutes=minutes)
                        await pipeline.crawl_pass(forum.now + ahead)  # our clock, ahead of the forum's

            asyncio.run(play())
            with app.sessions() as session:
                alert = session.scalars(select(Alert)).first()
                # what another process reads (threads rising, the dashboard): the same facts
                now = START + timedelta(minutes=30) + ahead
                rows = rising_threads(config, FactsReader(config), session, now, 6)
                assert [row.figures for row in rows] == [tuple(alert.figures)] if alert else True
                return list(alert.figures) if alert is not None else []
        finally:
            app.close()


def test_replies_are_timed_on_the_forums_clock_when_ours_jumped_ahead(tmp_path: Path) -> None:
    figures = _play(tmp_path / "ahead", AHEAD)
    assert figures, "the escalating thread did not alert"
    assert any(f.startswith("24 replies in its first 30 min") for f in figures), figures
    assert (
        "clock: this forum's clock is 2 h behind ours (its Date header): its replies are timed on its clock"
        in figures
    )


def test_no_clock_note_when_the_clocks_agree(tmp_path: Path) -> None:
    figures = _play(tmp_path / "same", timedelta(0))
    assert any(f.startswith("24 replies in its first 30 min") for f in figures), figures
    assert not any(f.startswith("clock:") for f in figures)
