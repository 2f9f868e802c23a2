"""A resolved alert's story copies stay with it: a copy reopens the alert when it flares up, and does
not open an alert of its own at the next poll.

The refund complaint on 投诉维权 escalates; a copy of it (转帖, with a journalist among its replies:
a signal that alerts on its own) joins its alert as spread (story_copies.py). The PR team resolves
the alert. Before, the next poll opened a second, 非常紧迫 alert on the copy, with no new post
anywhere, and took the original in as its spread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select
from story_copies import OPENING, TITLE, alerts, app_for, at, complaint, trail, two_boards

from monitor.alerting import lifecycle
from monitor.app import App
from monitor.demo.forum import DemoForum, Forum
from monitor.store.models import Alert


def _forum(copy_board: int) -> tuple[Forum, int, int]:
    """The complaint on board 2 and its copy on ``copy_board``: (forum, complaint tid, copy tid)."""
    forum = two_boards()
    story = complaint(forum)
    copy = forum.add_thread(copy_board, "转：" + TITLE, "搬运", at(20), OPENING).tid
    for n in range(8):
        said = "我是都市晚报记者，想采访一下各位，请私信联系" if n == 5 else "太坑了，退款这么难"
        forum.add_reply(copy, f"路人{n}", at(22 + 3 * n), said)
    return forum, story, copy


def _play(app: App, forum: Forum, flare: list[int]) -> list[str]:
    """Board 2 read (the complaint's alert), a pass (the copy joins it), resolve, two quiet passes,
    then ``flare`` threads get six replies each and a last pass; the trail's reopenings."""

    async def play() -> None:
        async with app.pipeline() as pipeline:
            [source] = app.config.sources
            forum.now = at(50)
            await pipeline.crawl_board(source, "2", at(50))  # the complaint first: its alert
            forum.now = at(52)
            await pipeline.crawl_pass(at(52))  # the copy joins it
            assert [(status, roles) for status, roles, _ in alerts(app)] == [("open", ["origin", "spread"])]
            with app.sessions.begin() as session:
                [alert] = session.scalars(select(Alert))
                lifecycle.resolve(session, alert, "li_na", at(53), "退款已办理，客户确认")
            for minutes in (55, 60):
                forum.now = at(minutes)
                await pipeline.crawl_pass(at(minutes))
            assert [status for status, _, _ in alerts(app)] == ["resolved"]  # no alert on the copy
            for tid in flare:
                for n in range(6):
                    forum.add_reply(
                        tid, f"又来{n}", at(61 + n), "还是没退款！途乐旅行必须给个说法，我要去12315投诉"
                    )
            forum.now = at(70)
            await pipeline.crawl_pass(at(70))

    asyncio.run(play())
    return trail(app, "reopened")


def test_a_copy_on_another_board_waits_for_a_flare_up_and_then_reopens_the_alert(tmp_path: Path) -> None:
    forum, _, copy = _forum(copy_board=3)
    with DemoForum(forum) as site:
        app = app_for(tmp_path, site, [2, 3])
        try:
            reopened = _play(app, forum, flare=[copy])
            assert [(status, roles) for status, roles, _ in alerts(app)] == [("open", ["origin", "spread"])]
            [said] = reopened
            assert f"its story's copy, thread {copy} on board 旅游天地, flared up again" in said
        finally:
            app.close()


def test_a_copy_and_the_original_flaring_up_in_one_pass_reopen_one_alert(tmp_path: Path) -> None:
    """The copy on the same board is read in the same pass as the original: the copy reopens the
    alert, and the original, read after it, finds it open again instead of opening another."""
    forum, story, copy = _forum(copy_board=2)
    with DemoForum(forum) as site:
        app = app_for(tmp_path, site, [2])
        try:
            reopened = _play(app, forum, flare=[copy, story])
            assert [(status, roles) for status, roles, _ in alerts(app)] == [("open", ["origin", "spread"])]
            assert len(reopened) == 1
        finally:
            app.close()


def test_a_copy_told_while_the_alert_was_resolved_joins_it_when_it_reopens(tmp_path: Path) -> None:
    """A new copy posted after the resolve, read while quiet (no open alert to join then), is linked
    when the original's flare-up reopens the alert, not only at its own board's next read."""
    forum, story, _ = _forum(copy_board=3)
    with DemoForum(forum) as site:
        app = app_for(tmp_path, site, [2, 3])
        made: list[int] = []  # the new copy's tid
        try:

            async def play() -> None:
                async with app.pipeline() as pipeline:
                    [source] = app.config.sources
                    forum.now = at(50)
                    await pipeline.crawl_pass(at(50))
                    with app.sessions.begin() as session:
                        [alert] = session.scalars(select(Alert))
                        lifecycle.resolve(session, alert, "li_na", at(53), "退款已办理，客户确认")
                    later = forum.add_thread(3, "又一个：" + TITLE, "同团游客", at(55), OPENING).tid
                    made.append(later)
                    forum.add_reply(later, "路人", at(56), "太坑了，退款这么难")
                    forum.now = at(60)
                    await pipeline.crawl_pass(at(60))  # the new copy stored; nothing open to join
                    assert trail(app, "spread") and all(
                        f"thread {later} " not in t for t in trail(app, "spread")
                    )
                    for n in range(6):
                        forum.add_reply(story, f"又来{n}", at(61 + n), "还是没退款！途乐旅行必须给个说法")
                    forum.now = at(70)
                    await pipeline.crawl_board(source, "2", at(70))  # the original's board alone

            asyncio.run(play())
            [later] = made
            [(status, roles, _)] = alerts(app)
            assert (status, roles) == ("open", ["origin", "spread", "spread"])
            assert any(t.startswith(f"thread {later} on board 旅游天地") for t in trail(app, "spread"))
        finally:
            app.close()
