"""The refund complaint and its copies on a demo forum, for the tests of a story told on several
threads (test_story_copies_at_opening.py, test_resolved_story_copies.py).

The demo forum (monitor/demo/forum.py) over loopback, crawled by the real pipeline into a SQLite file
at set virtual times: the complaint on 投诉维权 (board 2) escalates with "me too" replies; each test
adds the copy it needs. A uniquely named module, imported by those tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import select

from monitor.app import App, build
from monitor.demo.forum import DemoForum, Forum
from monitor.store.models import Alert, AlertEvent, AlertThread

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
TITLE = "途乐旅行收了我2万8团费，行程取消后三个月不退款！"
OPENING = "10月的北海道团，交了2万8，出发前三天通知取消，说30个工作日内退款，到现在三个月了一分没退。"
ME_TOO = "我也遇到了，途乐旅行太过分了，钱到现在还没退，集体投诉！"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def complaint(forum: Forum, replies: int = 12) -> int:
    """The complaint on board 2, first posted at START with a "me too" every 3 min from 5 min: its tid."""
    story = forum.add_thread(2, TITLE, "北海道没去成", START, OPENING).tid
    for n in range(replies):
        forum.add_reply(story, f"网友{n}", at(5 + 3 * n), ME_TOO)
    return story


def two_boards() -> Forum:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    forum.add_board(3, "旅游天地")
    return forum


def app_for(tmp_path: Path, site: DemoForum, boards: Sequence[int]) -> App:
    """The monitor, its demo config reading ``boards`` of the forum at ``site``."""
    source = ForumSource("bbs", "演示论坛", site.base_url, list(boards))
    return build(demo_forum_config(tmp_path / "config", [source]))


def alerts(app: App) -> list[tuple[str, list[str], list[str]]]:
    """Each alert: (status, the roles of its threads, also_on)."""
    with app.sessions() as session:
        return [
            (
                alert.status,
                sorted(session.scalars(select(AlertThread.role).where(AlertThread.alert_id == alert.id))),
                list(alert.also_on),
            )
            for alert in session.scalars(select(Alert).order_by(Alert.id))
        ]


def trail(app: App, kind: str) -> list[str]:
    """The details of the trail's events of ``kind``, every alert's."""
    with app.sessions() as session:
        return list(session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == kind)))
