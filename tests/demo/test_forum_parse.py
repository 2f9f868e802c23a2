"""Round trip: the demo forum's pages, fetched over loopback and read by the real Discuz adapter,
give back exactly the forum's model — at several points of the scenario's clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from monitor.demo.forum import DemoForum, Forum, Thread
from monitor.demo.scenario import load_scenario
from monitor.errors import ParseError
from monitor.sources.discuz import DiscuzSource

START = datetime(2026, 11, 23, 12, 0, 17, tzinfo=UTC)  # 20:00:17 on the site's clock (UTC+8)
SITE = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def site() -> Iterator[DemoForum]:
    forum = Forum(now=START)
    load_scenario().populate(forum, START)
    with DemoForum(forum) as server:
        yield server


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


# 20:10 (the story starts), 21:40 (it accelerates), 23:50, 02:00 the next day (dates say 昨天),
# and nine days later (every date absolute)
CLOCK = [10, 100, 230, 360, 60 * 24 * 9]


@pytest.mark.parametrize("minutes", CLOCK)
def test_every_board_page_reads_back_as_the_model(
    site: DemoForum, client: httpx.Client, minutes: int
) -> None:
    forum = site.forum
    forum.now = now = START + timedelta(minutes=minutes)
    source = DiscuzSource(site.base_url)
    for board in forum.boards():
        expected = forum.visible_threads(board.fid)
        pages = max(1, -(-len(expected) // 20))
        read = []
        for page in range(1, pages + 1):
            url = source.board_url(str(board.fid), page)
            result = source.parse_board(client.get(url).text, url, now)
            assert (result.board_id, result.board_name) == (str(board.fid), board.name)
            assert (result.page, result.page_count) == (page, pages)
            read += result.threads
        assert [t.thread_id for t in read] == [str(t.tid) for t in expected]
        for summary, thread in zip(read, expected, strict=True):
            last = forum.last_post(thread.tid)
            assert summary.title == thread.subject
            assert (summary.author, summary.author_id) == (thread.author, str(thread.authorid))
            assert (summary.replies, summary.views) == (forum.replies(thread.tid), forum.views(thread.tid))
            assert summary.sticky is thread.sticky
            assert summary.url == source.thread_url(str(thread.tid))
            # the list shows the last post to the minute and the creation only to the day
            assert summary.last_post_at == last.posted_at.replace(second=0)
            assert summary.created_at is not None
            assert summary.created_at.astimezone(SITE).date() == thread.posted_at.astimezone(SITE).date()
            assert abs(summary.created_at - thread.posted_at) < timedelta(days=1)


@pytest.mark.parametrize("minutes", CLOCK)
def test_every_thread_page_reads_back_as_the_model(
    site: DemoForum, client: httpx.Client, minutes: int
) -> None:
    forum = site.forum
    forum.now = now = START + timedelta(minutes=minutes)
    source = DiscuzSource(site.base_url)
    threads = [t for board in forum.boards() for t in forum.visible_threads(board.fid)]
    assert len(threads) >= 25
    for thread in threads:
        _check_thread(forum, source, client, thread, now)


def _check_thread(
    forum: Forum, source: DiscuzSource, client: httpx.Client, thread: Thread, now: datetime
) -> None:
    expected = forum.visible_posts(thread.tid)
    pages = forum.page_count(thread.tid)
    read = []
    for page in range(1, pages + 1):
        url = source.thread_url(str(thread.tid), page)
        result = source.parse_thread(client.get(url).text, url, now)
        assert (result.thread_id, result.board_id, result.title) == (
            str(thread.tid),
            str(thread.fid),
            thread.subject,
        )
        assert (result.page, result.page_count) == (page, pages)
        if page == 1:
            assert (result.replies, result.views) == (forum.replies(thread.tid), forum.views(thread.tid))
        else:
            assert (result.replies, result.views) == (None, None)
        assert len(result.posts) == min(10, len(expected) - 10 * (page - 1))
        read += result.posts
    assert len(read) == len(expected)
    for record, post in zip(read, expected, strict=True):
        assert record.post_id == str(post.pid)
        assert record.floor == post.floor
        assert (record.author, record.author_id) == (post.author, str(post.authorid))
        assert record.posted_at == post.posted_at  # thread pages carry the second
        assert record.text == post.message
        assert record.quoted == (post.quote.text if post.quote else "")


def test_the_story_reads_back_with_its_quotes_and_crowd(site: DemoForum, client: httpx.Client) -> None:
    site.forum.now = now = START + timedelta(minutes=360)
    source = DiscuzSource(site.base_url)
    posts = []
    for page in range(1, 8):
        url = source.thread_url("26", page)
        posts += source.parse_thread(client.get(url).text, url, now).posts
    assert [p.floor for p in posts] == list(range(1, 69))
    assert len({p.author for p in posts}) >= 30
    official = [p for p in posts if p.author == "途乐旅行官方客服"]
    assert [p.floor for p in official] == [31, 58]
    angry = next(p for p in posts if p.floor == 32)
    assert angry.text.startswith("“耐心等待”？已经等了三个月了！")
    assert angry.quoted.startswith("尊敬的客户您好，我们已关注到相关反馈。") and angry.quoted.endswith(" ...")
    assert "尊敬的客户" not in angry.text


def test_escaped_subjects_read_back_unescaped(site: DemoForum, client: httpx.Client) -> None:
    site.forum.now = now = START + timedelta(minutes=360)
    source = DiscuzSource(site.base_url)
    url = source.board_url("2", 2)
    titles = {t.thread_id: t.title for t in source.parse_board(client.get(url).text, url, now).threads}
    url = source.board_url("2", 1)
    titles |= {t.thread_id: t.title for t in source.parse_board(client.get(url).text, url, now).threads}
    assert titles["7"] == "宽带合约到期被自动续约 & 违约金 <500元>，找谁说理？"
    url = source.thread_url("15")
    page = source.parse_thread(client.get(url).text, url, now)
    assert page.title == "路由器 & 光猫桥接后 IPv6 <不通> 怎么办"
    assert "测速 <10M 的时候也很奇怪" in page.posts[0].text


def test_a_thread_not_posted_yet_is_a_parse_error(site: DemoForum, client: httpx.Client) -> None:
    site.forum.now = now = START + timedelta(minutes=200)  # the cross-post (tid 30) comes at +242
    source = DiscuzSource(site.base_url)
    url = source.thread_url("30")
    with pytest.raises(ParseError, match="指定的主题不存在"):
        source.parse_thread(client.get(url).text, url, now)
