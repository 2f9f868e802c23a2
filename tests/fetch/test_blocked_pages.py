"""Telling a forum's page from its firewall's (tests/fixtures/blocked/, hand-made, and the captured
Discuz! pages of tests/fixtures/discuz/), and what the fetcher does with a firewall's answer: no
retries, the host left alone a while. Over loopback (tests/blocked_forum.py); sleeps are recorded,
the clock is the test's.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from blocked_forum import NAMES, BlockedForum, Server, answer

from monitor.demo import forum_pages
from monitor.demo.forum import Forum
from monitor.errors import FetchError
from monitor.fetch.blocked import PageBlocked, find_block
from monitor.fetch.client import Fetcher, Politeness
from monitor.fetch.decode import decode_page
from monitor.fetch.hosts import HostResting
from monitor.fetch.resting import BlockRests
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.host_rests import StoredRests

DISCUZ = Path(__file__).resolve().parents[1] / "fixtures" / "discuz"
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
EXPECTED = {
    "safedog": ("blocked", "安全狗", 200),
    "baota": ("blocked", "宝塔", 403),
    "yunsuo": ("blocked", "云锁", 403),
    "aliyun": ("blocked", "阿里云盾", 405),
    "tencent": ("blocked", "腾讯云 WAF", 501),
    "cloudflare_blocked": ("blocked", "Cloudflare", 403),
    "cloudflare_challenge": ("challenge", "Cloudflare", 503),
    "js_cookie": ("challenge", "a JavaScript cookie check", 200),
    "captcha": ("captcha", "验证码", 200),
}


@pytest.mark.parametrize("name", NAMES)
def test_each_guard_is_named(name: str) -> None:
    page = answer(name)
    headers = httpx.Headers(page.headers)
    block = find_block(page.status, headers, decode_page(page.body, headers.get("content-type")))
    assert block is not None
    assert (block.kind, block.guard, block.status) == EXPECTED[name]


def test_the_request_id_is_given_for_the_forums_admin() -> None:
    def reason(name: str) -> str:
        page = answer(name)
        headers = httpx.Headers(page.headers)
        block = find_block(page.status, headers, page.body.decode())
        assert block is not None
        return block.reason

    assert reason("cloudflare_challenge") == (
        "a browser challenge (Cloudflare) — this forum cannot be read without a browser "
        "(HTTP 503, cf-ray 8f1e2d3c4b5a6978-HKG)"
    )
    assert reason("safedog") == (
        "blocked by the forum's firewall (安全狗): 您的请求带有不合法参数，已被网站管理员设置拦截 (HTTP 200)"
    )
    assert reason("tencent").endswith("(HTTP 501, request id 7d3c2b1a-4e5f-6789-abcd-ef0123456789)")
    assert "request id 0bc1a92a17954357272281003e8f51" in reason("aliyun")


@pytest.mark.parametrize(
    "path", sorted((DISCUZ / "gbk").glob("*.html")) + sorted((DISCUZ / "utf8").glob("*.html"))
)
def test_a_forums_own_pages_are_not_blocks(path: Path) -> None:
    text = decode_page(path.read_bytes(), None)
    assert find_block(200, {}, text) is None


@pytest.mark.parametrize(
    "message",
    [
        "抱歉，指定的主题不存在或已被删除或正在被审核",
        "抱歉，您所在的用户组无法进行此操作",
        "抱歉，本帖要求阅读权限高于 10 才能浏览",
    ],
)
def test_discuz_messages_that_are_not_blocks(message: str) -> None:
    forum = Forum(now=NOW)
    assert find_block(200, {}, forum_pages.render_message(forum, message, "http://bbs.test/")) is None


def test_a_challenge_answered_with_503_is_not_retried_and_the_forum_is_left_alone() -> None:
    forum = Forum(now=NOW)
    forum.add_board(2, "投诉维权")
    served = BlockedForum(forum, blocked={"board": "cloudflare_challenge"})
    server = Server(served)
    sleeps: list[float] = []
    clock = [NOW]

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def go() -> list[str]:
        said = []
        async with httpx.AsyncClient() as client:
            fetcher = Fetcher(
                client,
                user_agent="test-agent",
                politeness=Politeness(concurrency=1, min_interval=0.0),
                retries=3,
                sleep=sleep,
                clock=lambda: clock[0],
                rng=random.Random(1),
            )
            board = f"{served.url}forum.php?mod=forumdisplay&fid=2&page=1"
            with pytest.raises(PageBlocked) as blocked:
                await fetcher.get(board)
            said.append(blocked.value.reason)
            assert blocked.value.body == answer("cloudflare_challenge").body  # kept for diagnosis
            clock[0] = NOW + timedelta(minutes=29)
            with pytest.raises(FetchError) as resting:
                await fetcher.get(f"{served.url}forum.php?mod=viewthread&tid=1&page=1")
            said.append(resting.value.reason)
            clock[0] = NOW + timedelta(minutes=31)
            served.blocked = {}
            page = await fetcher.get(board)
            said.append(str(page.status))
        return said

    try:
        said = asyncio.run(go())
    finally:
        server.close()
    pages = served.page_requests()
    assert sleeps == []  # was three retries after 1, 2 and 4 s
    assert len(pages) == 2 and all("forumdisplay" in p for p in pages)  # the thread page was not asked
    assert said[0].startswith("a browser challenge (Cloudflare)")
    assert said[1] == f"{said[0]}; the forum is left alone for 30 min"
    assert said[2] == "200"


def test_block_rests_double_up_to_the_longest() -> None:
    assert [BlockRests().seconds(n) for n in range(1, 8)] == [1800, 3600, 7200, 14400, 28800, 43200, 43200]
    assert [BlockRests(600, 3000).seconds(n) for n in range(1, 5)] == [600, 1200, 2400, 3000]
    assert BlockRests(3600, 60).seconds(3) == 3600  # a longest shorter than the first rest: the first
    assert BlockRests().seconds(10_000) == 43200  # no overflow after years of blocks


def test_blocks_in_a_row_rest_the_forum_longer_each_time_until_a_page_is_read_or_it_is_woken(
    tmp_path: Path,
) -> None:
    """Each pass a new fetcher (``monitor crawl --once`` from cron) on one database: the count of
    blocks in a row outlives the process."""
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, True)
    sessions = session_factory(engine)
    forum = Forum(now=NOW)
    forum.add_board(2, "投诉维权")
    served = BlockedForum(forum, blocked={"board": "cloudflare_blocked"})
    server = Server(served)
    board = f"{served.url}forum.php?mod=forumdisplay&fid=2&page=1"
    netloc = urlsplit(served.url).netloc

    async def get(at: datetime) -> str:
        async with httpx.AsyncClient() as client:
            fetcher = Fetcher(
                client,
                user_agent="test-agent",
                politeness=Politeness(concurrency=1, min_interval=0.0),
                clock=lambda: at,
                rests=StoredRests(sessions, clock=lambda: at),
            )
            try:
                return str((await fetcher.get(board)).status)
            except PageBlocked:
                try:
                    await fetcher.get(board)  # refused at once, saying how long the forum rests
                except HostResting as refused:
                    return refused.reason.rpartition("; ")[2]
                return "asked again"
            except HostResting:
                return "resting"

    def passes(*minutes: int) -> list[str]:
        return [asyncio.run(get(NOW + timedelta(minutes=m))) for m in minutes]

    try:
        grown = passes(0, 29, 31, 31 + 59, 31 + 61, 92 + 119, 92 + 121)
        asked = len(served.page_requests())
        served.blocked = {}
        read = passes(213 + 239, 213 + 241)
        served.blocked = {"board": "cloudflare_blocked"}
        after_read = passes(460, 461 + 30)
        StoredRests(sessions).lift(netloc, NOW + timedelta(minutes=500))
        after_wake = passes(501)
    finally:
        server.close()
        engine.dispose()
    assert grown == [
        "the forum is left alone for 30 min",
        "resting",
        "blocked 2 times in a row, the forum is left alone for 1 h",
        "resting",
        "blocked 3 times in a row, the forum is left alone for 2 h",
        "resting",
        "blocked 4 times in a row, the forum is left alone for 4 h",
    ]
    assert asked == 4  # the forum was asked only when each rest was over
    assert read == ["resting", "200"]  # 4 h after the fourth block, a page read as the forum's
    assert after_read == [
        "the forum is left alone for 30 min",
        "blocked 2 times in a row, the forum is left alone for 1 h",
    ]
    assert after_wake == ["the forum is left alone for 30 min"]  # woken by hand: the count starts over
