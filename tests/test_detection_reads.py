"""What the detection after a crawl reads of its threads together (monitor/detection_reads.py) is
read again at every pass, and kept right within a pass: a new reply, an alert the pass opens, an
alert closed by hand.

A demo forum (monitor/demo/forum.py) over loopback, crawled by the real pipeline into a SQLite file
at set virtual times. Its thread names both watch groups of the demo config (途乐旅行, 星耀Pro14) in a
journalist's opening post that reads negative: a media signal, which alerts on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import event, func, select

from monitor.alerting import lifecycle
from monitor.app import App, build
from monitor.demo.forum import DemoForum, Forum
from monitor.detection_reads import PassReads, snapshots_since_and_before
from monitor.pipeline import PassReport
from monitor.store import repo
from monitor.store.models import Alert, AlertThread, Snapshot, Thread, WatchMatch

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
TITLE = "【记者调查】途乐旅行和星耀Pro14退款难，消费者投诉无门"
OPENING = "记者调查发现，途乐旅行和星耀Pro14的多名消费者投诉退款被拒，客服推诿，维权无门，非常气愤！"


@pytest.fixture
def forum() -> Forum:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    thread = forum.add_thread(2, TITLE, "记者林晓", START - timedelta(minutes=20), OPENING)
    forum.add_reply(thread.tid, "网友1", START - timedelta(minutes=10), "太过分了，退款拖了三个月")
    return forum


def _polls(
    app: App, forum: Forum, times: list[datetime], between: Callable[[int], None] = lambda n: None
) -> list[PassReport]:
    """Board 2 read at each of ``times`` by one pipeline (as ``monitor run`` keeps one);
    ``between(n)`` runs before poll n (from 1)."""
    [source] = app.config.sources

    async def play() -> list[PassReport]:
        reports = []
        async with app.pipeline() as pipeline:
            for n, at in enumerate(times):
                if n:
                    between(n)
                forum.now = at
                reports.append(await pipeline.crawl_board(source, "2", at))
        return reports

    return asyncio.run(play())


def _app(tmp_path: Path, site: DemoForum) -> App:
    return build(demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", site.base_url, [2])]))


def _alerts_of_thread(app: App) -> list[Alert]:
    with app.sessions() as session:
        return list(
            session.scalars(
                select(Alert).join(AlertThread, AlertThread.alert_id == Alert.id).order_by(Alert.id)
            )
        )


def test_a_thread_of_two_groups_sees_the_alert_its_first_group_opened(tmp_path: Path, forum: Forum) -> None:
    """The pass read that the thread had no open alert; the first group's detection opens one, and the
    second group's must find it (an update), not open a second."""
    with DemoForum(forum) as site:
        app = _app(tmp_path, site)
        try:
            [report] = _polls(app, forum, [START])
            with app.sessions() as session:
                assert session.scalar(select(func.count()).select_from(WatchMatch)) == 2  # both groups
            [alert] = _alerts_of_thread(app)
            assert [change.kind for change in report.alert_changes] == ["opened"]
            assert alert.status == "open"
        finally:
            app.close()


def test_an_alert_closed_by_hand_between_polls_is_not_updated_by_the_next(
    tmp_path: Path, forum: Forum
) -> None:
    with DemoForum(forum) as site:
        app = _app(tmp_path, site)
        try:
            updated: list[datetime] = []

            def resolve_by_hand(_: int) -> None:
                with app.sessions.begin() as session:
                    [alert] = session.scalars(select(Alert)).all()
                    assert lifecycle.resolve(
                        session, alert, "li_na", START + timedelta(minutes=5), "退款已到账"
                    )
                    updated.append(alert.updated_at)

            _polls(app, forum, [START, START + timedelta(minutes=10)], resolve_by_hand)
            updated_at = updated[0]
            [alert] = _alerts_of_thread(app)
            assert (alert.status, alert.updated_at) == ("resolved", updated_at)  # not updated by the poll
        finally:
            app.close()


def test_a_reply_posted_between_polls_is_in_the_next_polls_snapshot(tmp_path: Path, forum: Forum) -> None:
    with DemoForum(forum) as site:
        app = _app(tmp_path, site)
        try:
            [tid] = [t.tid for t in forum.visible_threads(2)]

            def reply(_: int) -> None:
                forum.add_reply(tid, "网友2", START + timedelta(minutes=8), "我也遇到了，一样不退款")

            _polls(app, forum, [START, START + timedelta(minutes=10)], reply)
            with app.sessions() as session:
                snapshots = session.scalars(select(Snapshot).order_by(Snapshot.taken_at)).all()
            assert [(s.replies, s.distinct_authors) for s in snapshots] == [(1, 2), (2, 3)]
        finally:
            app.close()


def _statements(app: App) -> list[str]:
    seen: list[str] = []

    @event.listens_for(app.engine, "before_cursor_execute")
    def count(_conn, _cursor, statement, *_: object) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    return seen


def test_an_open_alert_is_looked_up_only_for_a_thread_that_had_one_or_whose_alert_the_pass_changed(
    tmp_path: Path, forum: Forum
) -> None:
    with DemoForum(forum) as site:
        app = _app(tmp_path, site)
        try:
            _polls(app, forum, [START])
            with app.sessions() as session:
                thread = session.scalars(select(Thread)).one()
                [alert] = _alerts_of_thread(app)
            # a pass that read the alert open: looked up in the transaction, so closed by hand meanwhile
            # it is not taken for open
            reads = PassReads(app.sessions, [thread.id])
            assert reads.posts(thread.id)
            with app.sessions.begin() as session:
                lifecycle.resolve(session, session.get(Alert, alert.id), "li_na", START, "已处理")  # type: ignore[arg-type]
            with app.sessions() as session:
                assert reads.open_alert(session, session.get(Thread, thread.id)) is None  # type: ignore[arg-type]
            # a pass that read it closed does not look it up ...
            reads = PassReads(app.sessions, [thread.id])
            reads.posts(thread.id)
            seen = _statements(app)
            with app.sessions.begin() as session:
                own = session.get(Thread, thread.id)
                assert own is not None
                before = len(seen)
                assert reads.open_alert(session, own) is None
                assert len(seen) == before
                # ... until the pass changes the thread's alerts (here: reopened by hand, as a stand-in)
                reopened = session.get(Alert, alert.id)
                assert reopened is not None
                reopened.status = "open"
                session.flush()
                assert reads.open_alert(session, own) is None  # what the pass read
                reads.alert_changed(thread.id)
                assert reads.open_alert(session, own) is reopened
        finally:
            app.close()


def test_a_threads_snapshots_and_the_one_a_window_ago_are_read_as_apart(tmp_path: Path, forum: Forum) -> None:
    with DemoForum(forum) as site:
        app = _app(tmp_path, site)
        try:
            _polls(app, forum, [START])
            with app.sessions.begin() as session:
                thread = session.scalars(select(Thread)).one()
                for minutes in (-300, -200, 30, 60, 90):  # two taken before its first post (a forum clock)
                    at = START + timedelta(minutes=minutes)
                    session.add(
                        Snapshot(thread_id=thread.id, taken_at=at, replies=1, views=minutes + 400,
                                 distinct_authors=2, negative_share=0.5, me_too_authors=0)
                    )  # fmt: skip
            with app.sessions() as session:
                own = session.get(Thread, thread.id)
                assert own is not None
                since = START - timedelta(minutes=20)
                for at_minutes in (-400, -250, -100, 0, 45, 200):
                    at = START + timedelta(minutes=at_minutes)
                    listed, before = snapshots_since_and_before(session, own, since, at)
                    assert [s.id for s in listed] == [s.id for s in repo.snapshots_since(session, own, since)]
                    expected = repo.snapshot_before(session, own, at)
                    assert (before.id if before else None) == (expected.id if expected else None), at_minutes
        finally:
            app.close()
