"""An alert links the story's copies its thread's spread check found when it opens, not when each
copy's board is read next.

The demo forum (monitor/demo/forum.py) over loopback, crawled by the real pipeline into a SQLite
file at set virtual times. A copy (转帖) of the refund complaint is stored by an early read of its
board, before the complaint escalates; reading the complaint's board alone then opens the alert.
Before, the copy joined only at its own board's next read: the alert's header and the dashboard did
not list it, and an alert resolved before then left the copy to open a second alert of its own when a
journalist turned up on it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from story_copies import OPENING, START, TITLE, alerts, app_for, at, complaint, trail, two_boards

from monitor.alerting import lifecycle
from monitor.demo.forum import DemoForum, Forum
from monitor.pipeline import PassReport
from monitor.store.models import Alert, Delivery


def _forum(copy_board: int) -> tuple[Forum, int]:
    """The complaint on board 2 (its last reply at 38 min) and a quiet copy on ``copy_board`` (three
    replies by 28 min, then a journalist's at 40 min: a signal that alerts on its own; two replies
    in all after 30 min, fewer than ``reopen_after_replies``): (forum, the copy's tid)."""
    forum = two_boards()
    complaint(forum)
    copy = forum.add_thread(copy_board, "转：" + TITLE, "搬运", at(20), OPENING).tid
    for n in range(3):
        forum.add_reply(copy, f"路人{n}", at(22 + 3 * n), "太坑了，退款这么难")
    forum.add_reply(copy, "记者", at(40), "我是都市晚报记者，想采访一下各位，请私信联系")
    forum.add_reply(copy, "路人9", at(42), "太坑了，退款这么难")
    return forum, copy


def _kinds(report: PassReport) -> list[str]:
    return [change.kind for change in report.alert_changes]


def test_the_copy_on_another_board_joins_at_the_opening_and_stays_with_the_resolved_alert(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.alerting.service")
    forum, copy = _forum(copy_board=3)
    with DemoForum(forum) as site:
        app = app_for(tmp_path, site, [2, 3])
        try:

            async def play() -> None:
                async with app.pipeline() as pipeline:
                    [source] = app.config.sources
                    forum.now = at(30)
                    await pipeline.crawl_board(source, "3", at(30))  # the copy, stored while quiet
                    assert alerts(app) == []
                    forum.now = at(50)
                    opened = await pipeline.crawl_board(source, "2", at(50))  # the complaint's board alone
                    assert _kinds(opened) == ["opened"]  # one change: the opening, not a spread as well
                    assert alerts(app) == [("open", ["origin", "spread"], ["旅游天地"])]
                    assert trail(app, "spread") == [f"thread {copy} on board 旅游天地"]
                    with app.sessions() as session:  # the opening's messages only: the join sends none
                        kinds = set(session.scalars(select(Delivery.kind)))
                    assert kinds <= {"alert", "copy"}, kinds
                    with app.sessions.begin() as session:
                        [alert] = session.scalars(select(Alert))
                        lifecycle.resolve(session, alert, "li_na", at(53), "退款已办理，客户确认")
                    for minutes in (55, 60):  # board 3 read again: the copy has its journalist now
                        forum.now = at(minutes)
                        quiet = await pipeline.crawl_pass(at(minutes))
                        assert _kinds(quiet) == []

            asyncio.run(play())
            assert alerts(app) == [("resolved", ["origin", "spread"], ["旅游天地"])]  # no alert on the copy
            assert len(trail(app, "spread")) == 1
            # the log names the copy as the trail and the forum do (tid), besides the database's id
            [spread] = [r for r in caplog.records if r.getMessage() == "story spread"]
            assert spread.__dict__["tid"] == str(copy)
            assert isinstance(spread.__dict__["thread_id"], int)
        finally:
            app.close()


def test_a_repost_read_with_the_original_joins_once(tmp_path: Path) -> None:
    """A repost on the complaint's own board, stored by an earlier read, joins too, as it would at its
    next read. Read again in the same board read after the original (the original's one page is
    fetched first, the repost's new page after it), it finds the alert it joined instead of joining
    it a second time: the pass had read that it had no open alert."""
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    posted = START - timedelta(hours=7)
    repost = forum.add_thread(2, "再发一次：" + TITLE, "北海道没去成", posted, OPENING).tid
    for n in range(22):
        forum.add_reply(repost, f"路人{n}", posted + timedelta(minutes=15 * (n + 1)), "顶")
    forum.add_reply(repost, "路人99", at(10), "顶")
    complaint(forum, replies=9)
    with DemoForum(forum) as site:
        app = app_for(tmp_path, site, [2])
        try:

            async def play() -> None:
                async with app.pipeline() as pipeline:
                    [source] = app.config.sources
                    forum.now = START - timedelta(minutes=10)
                    await pipeline.crawl_board(source, "2", forum.now)  # the repost, stored while quiet
                    forum.now = at(35)
                    opened = await pipeline.crawl_board(source, "2", at(35))
                    assert _kinds(opened) == ["opened"]
                    forum.now = at(40)
                    later = await pipeline.crawl_pass(at(40))
                    assert "spread" not in _kinds(later)

            asyncio.run(play())
            assert alerts(app) == [("open", ["origin", "spread"], ["投诉维权"])]
            assert trail(app, "spread") == [f"thread {repost} on board 投诉维权"]
        finally:
            app.close()
