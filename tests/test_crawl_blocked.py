"""A forum whose firewall, anti-bot challenge or CAPTCHA answers instead of the page asked for
(tests/fixtures/blocked/, hand-made; see its README): a failed fetch of that page with a reason a
person understands, recorded as a health event of its kind on the board, its bytes kept, nothing
stored touched, and the forum left alone a while rather than asked again and again. Discuz!'s own
"thread deleted" message is not a block. Over loopback, a demo forum (tests/blocked_forum.py)
whose virtual clock moves; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from blocked_forum import BlockedForum, Server, answer
from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import select
from tieba_forum import NOW as TIEBA_NOW
from tieba_forum import TiebaForum, tieba_config, tieba_entry

from monitor.admin.forum_health import forum_health
from monitor.app import App, build
from monitor.cli import main
from monitor.config.loader import MonitorConfig, load_config
from monitor.demo.forum import Forum
from monitor.store.models import Board, HealthEvent, Post, Thread

START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
DELETED = "抱歉，指定的主题不存在或已被删除或正在被审核"

# fixture -> (health event kind, words its reason must hold)
KINDS = {
    "safedog": ("blocked", "blocked by the forum's firewall (安全狗)"),
    "baota": ("blocked", "blocked by the forum's firewall (宝塔)"),
    "yunsuo": ("blocked", "blocked by the forum's firewall (云锁)"),
    "aliyun": ("blocked", "blocked by the forum's firewall (阿里云盾)"),
    "tencent": ("blocked", "blocked by the forum's firewall (腾讯云 WAF)"),
    "cloudflare_blocked": ("blocked", "blocked by the forum's firewall (Cloudflare)"),
    "cloudflare_challenge": ("challenge", "a browser challenge (Cloudflare)"),
    "js_cookie": ("challenge", "a browser challenge (a JavaScript cookie check)"),
    "captcha": ("captcha", "a CAPTCHA"),
}


@pytest.fixture
def served() -> Iterator[BlockedForum]:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    for n in range(3):
        posted = START - timedelta(hours=5) + timedelta(minutes=n)
        thread = forum.add_thread(2, f"途乐旅行退款 {n}", f"用户{n}", posted, "途乐旅行不退款")
        forum.add_reply(thread.tid, "网友", posted + timedelta(minutes=30), "我也遇到了")
    blocked = BlockedForum(forum)
    server = Server(blocked)
    try:
        yield blocked
    finally:
        server.close()


def _config(tmp_path: Path, served: BlockedForum) -> MonitorConfig:
    return demo_forum_config(tmp_path / "config", [ForumSource("bbs", "演示论坛", served.url, [2])])


def _crawl(app: App, forum: Forum, *times: datetime) -> None:
    """A pass at each of ``times``, the forum's clock moved to it first."""

    async def run() -> None:
        async with app.pipeline() as pipeline:
            for now in times:
                forum.now = now
                await pipeline.crawl_pass(now)

    asyncio.run(run())


def _stored(app: App) -> tuple[list[tuple[str, int]], list[str]]:
    with app.sessions() as session:
        threads = [(t.title, t.replies) for t in session.scalars(select(Thread).order_by(Thread.id))]
        return threads, list(session.scalars(select(Post.text).order_by(Post.id)))


def _events(app: App) -> list[HealthEvent]:
    with app.sessions() as session:
        rows = list(session.scalars(select(HealthEvent).order_by(HealthEvent.id)))
        session.expunge_all()
        return rows


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_board_list_behind_a_firewall_is_a_failed_poll_with_its_reason_not_an_empty_board(
    tmp_path: Path, served: BlockedForum, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor.pipeline")  # the rest's refusal is a repeat: DEBUG
    config = _config(tmp_path, served)
    app = build(config)
    try:
        _crawl(app, served.forum, START)
        before = _stored(app)
        served.blocked["board"] = name
        asked = len(served.page_requests())
        _crawl(app, served.forum, START + timedelta(minutes=10))
        blocked_at = len(served.page_requests())
        _crawl(app, served.forum, START + timedelta(minutes=20))  # the forum is left alone meanwhile
        after = _stored(app)
        with app.sessions() as session:
            [board] = forum_health(session, config, now=START + timedelta(minutes=21))[0].boards
        events = _events(app)
    finally:
        app.close()
    kind, words = KINDS[name]
    assert after == before and len(before[1]) == 6  # nothing stored is touched
    assert blocked_at - asked == 1  # the blocked page was asked once: no retries
    assert len(served.page_requests()) == blocked_at  # and nothing more at the next pass
    assert board.state == "failing" and board.consecutive_failures == 2
    assert words in board.last_error
    # the block, then the rest's refusal (at the forum's robots.txt or home): one outage, counted twice
    assert [(e.kind, e.times, e.ended_at) for e in events] == [(kind, 2, None)]
    assert words in events[0].detail and "fid=2" in events[0].url
    said = [r.getMessage() for r in caplog.records if "board 2 not read" in r.getMessage()]
    assert said and all(m.startswith("source bbs refusing, board 2 not read: ") for m in said), said
    assert said[-1].endswith("; the forum is left alone for 30 min")  # the rest, counted on the block
    kept = Path(events[0].kept_as)
    assert kept.read_bytes() == (Path(__file__).parent / "fixtures" / "blocked" / f"{name}.html").read_bytes()


def test_a_thread_page_behind_a_firewall_keeps_its_stored_posts(tmp_path: Path, served: BlockedForum) -> None:
    forum = served.forum
    config = _config(tmp_path, served)
    app = build(config)
    try:
        _crawl(app, served.forum, START)
        [tid, *_] = [t.tid for t in forum.visible_threads(2)]
        forum.add_reply(tid, "新网友", START + timedelta(minutes=5), "准备投诉到消协")
        served.blocked[f"thread {tid}"] = "safedog"
        _crawl(app, served.forum, START + timedelta(minutes=10))
        _, texts = _stored(app)
        events = _events(app)
        with app.sessions() as session:
            board = session.scalars(select(Board)).one()
            pages_failed = board.last_thread_pages_failed
    finally:
        app.close()
    assert len(texts) == 6 and "准备投诉到消协" not in texts  # the stored posts as they were
    kinds = [(e.kind, e.url) for e in events]
    assert [k for k, _ in kinds] == ["blocked"]  # not "zero_posts", not parse_failed
    assert f"tid={tid}" in kinds[0][1] and "(安全狗)" in events[0].detail
    assert pages_failed == 1


def test_discuz_request_check_and_permission_messages_are_named(tmp_path: Path, served: BlockedForum) -> None:
    forum = served.forum
    config = _config(tmp_path, served)
    app = build(config)
    try:
        _crawl(app, served.forum, START)
        tids = [t.tid for t in forum.visible_threads(2)]
        for tid in tids:
            forum.add_reply(tid, "新网友", START + timedelta(minutes=5), "顶")
        served.blocked[f"thread {tids[0]}"] = "discuz:抱歉，您所在的用户组无法进行此操作"
        _crawl(app, served.forum, START + timedelta(minutes=10))
        served.blocked = {"board": "discuz:您的请求来路不正确或表单验证串不符，无法提交"}
        _crawl(app, served.forum, START + timedelta(minutes=20))
        events = _events(app)
    finally:
        app.close()
    kinds = [e.kind for e in events]
    assert kinds == ["login_wall", "blocked"]  # was parse_failed ×2
    assert "refused by the forum (Discuz! request check)" in events[1].detail


def test_a_deleted_thread_is_gone_not_blocked_and_the_other_threads_are_read(
    tmp_path: Path, served: BlockedForum
) -> None:
    forum = served.forum
    config = _config(tmp_path, served)
    app = build(config)
    try:
        _crawl(app, served.forum, START)
        tids = [t.tid for t in forum.visible_threads(2)]
        for tid in tids:
            forum.add_reply(tid, "新网友", START + timedelta(minutes=5), f"顶 {tid}")
        served.blocked[f"thread {tids[0]}"] = f"discuz:{DELETED}"
        _crawl(app, served.forum, START + timedelta(minutes=10))
        _, texts = _stored(app)
        events = _events(app)
        with app.sessions() as session:
            [board] = forum_health(session, config, now=START + timedelta(minutes=11))[0].boards
    finally:
        app.close()
    assert [(e.kind, DELETED in e.detail) for e in events] == [("thread_gone", True)]  # was parse_failed
    assert len(texts) == 6 + 2 and f"顶 {tids[0]}" not in texts  # the others read, the gone one's kept
    assert board.state == "ok"


def test_a_thread_about_a_firewall_is_read_as_a_thread(tmp_path: Path, served: BlockedForum) -> None:
    """Detection is conservative: a forum page that reads as one is one, whatever its words."""
    forum = served.forum
    said = "安全狗说您的请求带有不合法参数"
    posted = START - timedelta(minutes=30)
    thread = forum.add_thread(2, "网站防火墙拦截了我的退款申请", "维权小王", posted, said)
    forum.add_reply(
        thread.tid,
        "网友",
        START - timedelta(minutes=20),
        "我也是，Just a moment... 然后要输入验证码，document.cookie 什么的，已被网站管理员设置拦截",
    )
    config = _config(tmp_path, served)
    app = build(config)
    try:
        _crawl(app, served.forum, START)
        threads, texts = _stored(app)
        events = _events(app)
    finally:
        app.close()
    assert ("网站防火墙拦截了我的退款申请", 1) in threads and len(texts) == 8
    assert events == []


def test_sources_status_says_the_forum_is_blocked_and_left_alone(
    tmp_path: Path, served: BlockedForum, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, served)
    served.blocked["board"] = "cloudflare_challenge"
    app = build(config)
    try:
        _crawl(app, served.forum, START)
    finally:
        app.close()
    capsys.readouterr()
    code = main(["sources", "status", "--config", str(config.directory)])
    out = capsys.readouterr().out
    assert code == 1
    assert "not asked anything before " in out
    assert "a browser challenge (Cloudflare) — this forum cannot be read without a browser" in out
    assert "board 2: failing" in out or "board 2 : failing" in out or ": failing;" in out
    assert "challenge: http://127.0.0.1" in out and "(raw page kept: " in out


def test_a_generic_board_behind_a_firewall_is_failing_not_empty(tmp_path: Path) -> None:
    """The generic adapter read a firewall's 200 page as a board listing nothing: "empty"."""
    forum = TiebaForum()
    firewall = answer("safedog")
    forum.answers["/thread.php?fid=7&page=1"] = (firewall.status, firewall.headers, firewall.body)
    directory = tieba_config(tmp_path, tieba_entry() | {"base_url": forum.url})
    config = load_config(directory, environ={})
    app = build(config)
    try:

        async def run() -> None:
            async with app.pipeline() as pipeline:
                await pipeline.crawl_pass(TIEBA_NOW)

        asyncio.run(run())
        with app.sessions() as session:
            [board] = forum_health(session, config, now=TIEBA_NOW)[0].boards
        events = _events(app)
    finally:
        app.close()
        forum.close()
    assert board.state == "failing"  # was "empty"
    assert [e.kind for e in events] == ["blocked"] and "(安全狗)" in events[0].detail


def test_a_generic_thread_page_behind_a_challenge_is_named(tmp_path: Path) -> None:
    forum = TiebaForum()
    challenge = answer("js_cookie")
    forum.answers["/read.php?tid=5001&page=1"] = (challenge.status, challenge.headers, challenge.body)
    directory = tieba_config(tmp_path, tieba_entry() | {"base_url": forum.url})
    app = build(load_config(directory, environ={}))
    try:

        async def run() -> None:
            async with app.pipeline() as pipeline:
                await pipeline.crawl_pass(TIEBA_NOW)

        asyncio.run(run())
        events = _events(app)
    finally:
        app.close()
        forum.close()
    # was parse_failed (no complete post matches); the thread pages after it are not asked
    assert {e.kind for e in events} == {"challenge"} and "tid=5001" in events[0].url
    assert "a browser challenge (a JavaScript cookie check)" in events[0].detail
    assert all(e.detail.endswith("left alone for 30 min") for e in events[1:])
    assert not [
        r for r in forum.requests[forum.requests.index("/read.php?tid=5001&page=1") + 1 :] if "read.php" in r
    ]
