"""A resolved alert's story copies stay with it: a copy reopens the alert when it flares up, and does
not open an alert of its own at the next poll.

The demo forum (monitor/demo/forum.py) over loopback, crawled by the real pipeline into a SQLite
file at set virtual times. The refund complaint on 投诉维权 escalates; a copy of it (转帖, with a
journalist among its replies: a signal that alerts on its own) joins its alert as spread. The PR
team resolves the alert. Before, the next poll opened a second, 非常紧迫 alert on the copy, with no
new post anywhere, and took the original in as its spread.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import select

from monitor.alerting import lifecycle
from monitor.app import App, build
from monitor.demo.forum import DemoForum, Forum
from monitor.store.models import Alert, AlertEvent, AlertThread

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
TITLE = "途乐旅行收了我2万8团费，行程取消后三个月不退款！"
OPENING = "10月的北海道团，交了2万8，出发前三天通知取消，说30个工作日内退款，到现在三个月了一分没退。"


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def _forum(copy_board: int) -> tuple[Forum, int, int]:
    """The complaint on board 2 and its copy on ``copy_board``: (forum, complaint tid, copy tid)."""
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    forum.add_board(3, "旅游天地")
    story = forum.add_thread(2, TITLE, "北海道没去成", START, OPENING).tid
    for n in range(12):
        forum.add_reply(
            story, f"网友{n}", _at(5 + 3 * n), "我也遇到了，途乐旅行太过分了，钱到现在还没退，集体投诉！"
        )
    copy = forum.add_thread(copy_board, "转：" + TITLE, "搬运", _at(20), OPENING).tid
    for n in range(8):
        said = "我是都市晚报记者，想采访一下各位，请私信联系" if n == 5 else "太坑了，退款这么难"
        forum.add_reply(copy, f"路人{n}", _at(22 + 3 * n), said)
    return forum, story, copy


def _alerts(app: App) -> list[tuple[int, str, list[str]]]:
    """Each alert: (id, status, the roles of its threads)."""
    with app.sessions() as session:
        return [
            (
                alert.id,
                alert.status,
                sorted(session.scalars(select(AlertThread.role).where(AlertThread.alert_id == alert.id))),
            )
            for alert in session.scalars(select(Alert).order_by(Alert.id))
        ]


def _play(app: App, forum: Forum, flare: list[int]) -> list[str]:
    """Board 2 read (the complaint's alert), a pass (the copy joins it), resolve, two quiet passes,
    then ``flare`` threads get six replies each and a last pass; the trail's reopenings."""

    async def play() -> None:
        async with app.pipeline() as pipeline:
            [source] = app.config.sources
            forum.now = _at(50)
            await pipeline.crawl_board(source, "2", _at(50))  # the complaint first: its alert
            forum.now = _at(52)
            await pipeline.crawl_pass(_at(52))  # the copy joins it
            assert [(status, roles) for _, status, roles in _alerts(app)] == [("open", ["origin", "spread"])]
            with app.sessions.begin() as session:
                [alert] = session.scalars(select(Alert))
                lifecycle.resolve(session, alert, "li_na", _at(53), "退款已办理，客户确认")
            for minutes in (55, 60):
                forum.now = _at(minutes)
                await pipeline.crawl_pass(_at(minutes))
            assert [status for _, status, _ in _alerts(app)] == ["resolved"]  # no alert on the copy
            for tid in flare:
                for n in range(6):
                    forum.add_reply(
                        tid, f"又来{n}", _at(61 + n), "还是没退款！途乐旅行必须给个说法，我要去12315投诉"
                    )
            forum.now = _at(70)
            await pipeline.crawl_pass(_at(70))

    asyncio.run(play())
    with app.sessions() as session:
        return list(session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == "reopened")))


def test_a_copy_on_another_board_waits_for_a_flare_up_and_then_reopens_the_alert(tmp_path: Path) -> None:
    forum, _, copy = _forum(copy_board=3)
    with DemoForum(forum) as site:
        app = build(
            demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2, 3])])
        )
        try:
            reopened = _play(app, forum, flare=[copy])
            assert [(status, roles) for _, status, roles in _alerts(app)] == [("open", ["origin", "spread"])]
            [said] = reopened
            assert f"its story's copy, thread {copy} on board 旅游天地, flared up again" in said
        finally:
            app.close()


def test_a_copy_and_the_original_flaring_up_in_one_pass_reopen_one_alert(tmp_path: Path) -> None:
    """The copy on the same board is read in the same pass as the original: the copy reopens the
    alert, and the original, read after it, finds it open again instead of opening another."""
    forum, story, copy = _forum(copy_board=2)
    with DemoForum(forum) as site:
        app = build(
            demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        )
        try:
            reopened = _play(app, forum, flare=[copy, story])
            assert [(status, roles) for _, status, roles in _alerts(app)] == [("open", ["origin", "spread"])]
            assert len(reopened) == 1
        finally:
            app.close()
