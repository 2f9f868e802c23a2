"""The demo forum over real HTTP on loopback: what a visitor sees as its clock moves.

Markup expectations come from the real Discuz! X3.5 pages in ``tests/fixtures/discuz/utf8``
(``forumdisplay_fid2_p1.html``, ``viewthread_tid2_p1.html``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from importlib import resources

import httpx
import pytest

from monitor.demo.discuz_format import dgmdate, discuz_cut, multi
from monitor.demo.forum import DemoForum, Forum
from monitor.demo.scenario import load_scenario

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 20:00 on the site's clock (UTC+8)
STORY = 26


@pytest.fixture(scope="module")
def site() -> Iterator[DemoForum]:
    forum = Forum(now=START)
    load_scenario().populate(forum, START)
    with DemoForum(forum) as server:
        yield server


@pytest.fixture(scope="module")
def client(site: DemoForum) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.base_url, timeout=10) as http:
        yield http


def at(site: DemoForum, minutes: float) -> None:
    site.forum.now = START + timedelta(minutes=minutes)


def rows(html: str) -> dict[int, str]:
    return {
        int(m[2]): m[3]
        for m in re.finditer(r'<tbody id="(stick|normal)thread_(\d+)">(.*?)</tbody>', html, re.S)
    }


def replies_in_row(row: str) -> int:
    match = re.search(r'<td class="num"><a href="[^"]+" class="xi2">(\d+)</a><em>(\d+)</em></td>', row)
    assert match, row
    return int(match[1])


def floors(html: str) -> list[int]:
    names = {"楼主": 1, "沙发": 2, "板凳": 3, "地板": 4}
    labels = re.findall(r'id="postnum\d+"[^>]*>\n(.*?)</a>', html)
    return [names.get(label) or int(label.removeprefix("<em>").split("<")[0]) for label in labels]


def test_board_list_shows_the_story_with_its_reply_count_as_the_clock_moves(
    site: DemoForum, client: httpx.Client
) -> None:
    at(site, 5)
    assert STORY not in rows(client.get("/forum.php?mod=forumdisplay&fid=2").text)
    for minutes, replies in [(10, 0), (60, 2), (120, 9), (240, 36), (360, 67)]:
        at(site, minutes)
        board = rows(client.get("/forum.php?mod=forumdisplay&fid=2").text)
        assert replies_in_row(board[STORY]) == replies, minutes
        assert list(board)[:2] == [1, STORY]  # the sticky 版规 thread, then the newest activity


def test_board_rows_follow_the_real_markup(site: DemoForum, client: httpx.Client) -> None:
    at(site, 360)
    html = client.get("/forum.php?mod=forumdisplay&fid=2").text
    row = rows(html)[STORY]
    assert ' <a href="thread-26-1-1.html" onclick="atarget(this)" class="s xst">途乐旅行收了我2万8团费' in row
    assert '<a href="home.php?mod=space&amp;uid=' in row and ">维权小王</a></cite>" in row
    # +360 min is 02:00 next day on the site clock: created 20:10 "yesterday", last post at 01:55
    assert '<em><span><span title="2026-11-23">昨天&nbsp;20:10</span></span></em>' in row
    assert '<span class="tps">&nbsp;...<a href="thread-26-2-1.html"' in row  # 7 pages of posts
    assert 'thread-26-6-1.html" onclick="atarget(this)">6</a>..<a href="thread-26-7-1.html"' in row
    assert '<span title="2026-11-24 01:55">5&nbsp;分钟前</span>' in row
    assert '<tbody id="stickthread_1">' in html and '<tbody id="separatorline">' in html
    assert '<table summary="forum_2" cellspacing="0" cellpadding="0" id="threadlisttableid">' in html


def test_a_board_with_more_than_twenty_threads_has_a_second_page(
    site: DemoForum, client: httpx.Client
) -> None:
    at(site, 360)
    first = client.get("/forum.php?mod=forumdisplay&fid=2").text
    second = client.get("/forum.php?mod=forumdisplay&fid=2&page=2").text
    assert len(rows(first)) == 20 and len(rows(second)) == 1
    assert '<span title="共 2 页"> / 2 页</span>' in first
    assert '<a href="forum-2-2.html" class="nxt">下一页</a>' in first
    prev = '<a href="forum-2-1.html" class="prev">&nbsp;&nbsp;</a>'
    assert f'{prev}<a href="forum-2-1.html">1</a><strong>2</strong>' in second
    assert client.get("/forum-2-2.html").text == second  # the rewritten URL the pages link to
    fid3 = client.get("/forum.php?mod=forumdisplay&fid=3").text
    assert '<span id="fd_page_top"></span>' in fid3  # one page: no pager
    assert '<tbody id="separatorline" class="emptb">' in fid3  # no sticky thread


def test_thread_pages_hold_ten_floors_each_in_order(site: DemoForum, client: httpx.Client) -> None:
    at(site, 360)  # 68 posts: 7 pages
    seen = []
    for page in range(1, 8):
        html = client.get(f"/forum.php?mod=viewthread&tid={STORY}&page={page}").text
        assert '<span title="共 7 页"> / 7 页</span>' in html
        assert f"<strong>{page}</strong>" in html
        seen.append(floors(html))
    assert seen == [list(range(n, min(n + 10, 69))) for n in range(1, 69, 10)]
    first = client.get(f"/forum.php?mod=viewthread&tid={STORY}").text
    assert first.count('class="plhin"') == 10
    assert '<span class="xg1">回复:</span> <span class="xi1">67</span>' in first
    assert '<span id="thread_subject">途乐旅行收了我2万8团费，行程取消后三个月不退款！</span>' in first
    assert '<a href="forum-2-1.html">投诉维权</a> <em>&rsaquo;</em> <a href="thread-26-1-1.html">' in first
    assert '<div id="tath" class="cl">' in client.get(f"/forum.php?mod=viewthread&tid={STORY}&page=2").text
    # past the last page Discuz shows the last page, as does the rewritten URL
    assert floors(client.get(f"/forum.php?mod=viewthread&tid={STORY}&page=99").text) == list(range(61, 69))
    assert floors(client.get(f"/thread-{STORY}-7-1.html").text) == list(range(61, 69))


def test_posts_dated_after_now_are_not_there_yet(site: DemoForum, client: httpx.Client) -> None:
    at(site, 100)  # floor 5 was posted at +96, floor 6 at +101
    html = client.get(f"/forum.php?mod=viewthread&tid={STORY}").text
    assert floors(html) == [1, 2, 3, 4, 5]
    assert "北海道团" in html and "海南团" not in html
    assert '<div class="pg">' not in html  # a single page
    at(site, 101)
    assert floors(client.get(f"/forum.php?mod=viewthread&tid={STORY}").text) == [1, 2, 3, 4, 5, 6]


def test_post_dates_and_floor_names_follow_discuz(site: DemoForum, client: httpx.Client) -> None:
    at(site, 230)  # 23:50 on the site clock
    html = client.get(f"/forum.php?mod=viewthread&tid={STORY}").text
    assert '发表于 <span title="2026-11-23 20:10:00">3&nbsp;小时前</span></em>' in html
    at(site, 360)  # 02:00 next day on the site clock
    html = client.get(f"/forum.php?mod=viewthread&tid={STORY}").text
    assert '发表于 <span title="2026-11-23 20:10:00">昨天&nbsp;20:10</span></em>' in html
    assert re.search(r'id="postnum\d+" onclick="[^"]+">\n楼主</a>', html)
    assert re.search(r'id="postnum\d+" onclick="[^"]+">\n沙发</a>', html)
    assert re.search(r'id="postnum\d+" onclick="[^"]+">\n<em>5</em><sup>#</sup></a>', html)
    # floor 4 quotes floor 3 the way Discuz renders [quote]
    assert re.search(
        r'<div class="quote"><blockquote><font size="2"><a href="http://127\.0\.0\.1:\d+/forum\.php\?mod=redirect'
        r'&amp;goto=findpost&amp;pid=\d+&amp;ptid=26" target="_blank"><font color="#999999">老张说事 发表于 '
        r"2026-11-23 20:51</font></a></font><br />\n旅行社单方面取消行程，",
        html,
    )
    at(site, 60 * 24 * 9)  # nine days later the dates are absolute, with seconds on thread pages
    html = client.get(f"/forum.php?mod=viewthread&tid={STORY}").text
    assert '<em id="authorposton' in html and "发表于 2026-11-23 20:10:00</em>" in html


def test_forum_text_is_escaped() -> None:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    thread = forum.add_thread(
        2,
        '<script>alert("x")</script> 退款 & 赔偿',
        "<b>坏人</b>",
        START,
        "第一行 <img src=x onerror=alert(1)>\n第二行 & 结束",
    )
    forum.add_reply(thread.tid, "路人", START, "引用一下", quote_pid=forum.all_posts(thread.tid)[0].pid)
    with DemoForum(forum) as server, httpx.Client(base_url=server.base_url) as http:
        board = http.get("/forum.php?mod=forumdisplay&fid=2").text
        page = http.get(f"/forum.php?mod=viewthread&tid={thread.tid}").text
    for html in (board, page):
        assert "<script>alert" not in html and "<b>坏人" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 退款 &amp; 赔偿" in html
        assert "&lt;b&gt;坏人&lt;/b&gt;" in html
    assert "<img src=x" not in page
    assert "第一行 &lt;img src=x onerror=alert(1)&gt;<br />\n第二行 &amp; 结束" in page
    quote = re.search(r'<div class="quote"><blockquote>.*?</blockquote></div>', page, re.S)
    assert quote and "第一行 &lt;img src=x onerror=alert(1)&gt;<br />" in quote[0]


def test_unknown_or_future_thread_gets_the_discuz_message_page(site: DemoForum, client: httpx.Client) -> None:
    at(site, 200)  # the cross-post on 旅游天地 (tid 30) appears at +242
    for url in (
        "/forum.php?mod=viewthread&tid=999",
        "/forum.php?mod=viewthread&tid=30",
        "/forum.php?mod=viewthread",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "<title>提示信息 -  消费维权论坛 -  Powered by Discuz!</title>" in response.text
        notice = (
            '<div id="messagetext" class="alert_error">\n<p>抱歉，指定的主题不存在或已被删除或正在被审核</p>'
        )
        assert notice in response.text
    assert "指定的版块不存在" in client.get("/forum.php?mod=forumdisplay&fid=99").text
    assert client.get("/home.php?mod=space&uid=2").status_code == 404
    assert client.get("/forum.php?mod=viewthread&tid=30").status_code == 200


def test_robots_txt_is_the_real_discuz_one(client: httpx.Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.content == resources.files("monitor.demo").joinpath("robots.txt").read_bytes()
    assert "# robots.txt for Discuz! X3.5" in response.text
    assert "Disallow: /forum.php?mod=post*" in response.text.splitlines()


def test_headers_carry_the_charset_and_the_virtual_clock(site: DemoForum, client: httpx.Client) -> None:
    at(site, 61.5)
    response = client.get(f"/forum.php?mod=viewthread&tid={STORY}")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert parsedate_to_datetime(response.headers["date"]) == START + timedelta(minutes=61, seconds=30)
    assert '<head>\n<meta charset="utf-8" />' in response.text
    assert "GMT+8, 2026-11-23 21:01" in response.text
    assert response.headers["connection"] == "close"


def test_views_grow_with_time_and_replies_and_never_shrink(site: DemoForum) -> None:
    forum, seen = site.forum, []
    for minutes in range(10, 361, 10):
        at(site, minutes)
        seen.append(forum.views(STORY))
        assert forum.views(STORY) >= forum.replies(STORY)
    assert seen == sorted(seen) and seen[-1] > 10 * seen[0]
    at(site, 360)
    assert forum.views(STORY) > forum.views(28) > forum.replies(28)  # the hot story vs a help thread


def test_close_stops_the_server() -> None:
    server = DemoForum(Forum(now=START)).start()
    url = server.base_url
    assert httpx.get(url + "robots.txt").status_code == 200
    server.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "robots.txt", timeout=2)


def test_replies_must_come_in_time_order() -> None:
    forum = Forum(now=START)
    forum.add_board(2, "投诉维权")
    thread = forum.add_thread(2, "标题", "甲", START, "正文")
    with pytest.raises(ValueError, match="older"):
        forum.add_reply(thread.tid, "乙", START - timedelta(minutes=1), "早了")
    with pytest.raises(ValueError, match="timezone-aware"):
        forum.now = datetime(2026, 11, 23, 12, 0)


# --- Discuz's formatting helpers, against what the real pages show ----------------------

SITE = timezone(timedelta(hours=8))
REAL_NOW = datetime(2026, 11, 23, 20, 7, 34, tzinfo=SITE)  # Date: of viewthread_tid2_p1.html


@pytest.mark.parametrize(
    ("posted", "uformat", "shown"),
    [
        ((2026, 11, 23, 19, 27, 0), "Y-n-j H:i", '<span title="2026-11-23 19:27">半小时前</span>'),
        ((2026, 11, 23, 17, 7, 0), "Y-n-j H:i", '<span title="2026-11-23 17:07">3&nbsp;小时前</span>'),
        ((2026, 11, 23, 20, 4, 0), "Y-n-j H:i", '<span title="2026-11-23 20:04">3&nbsp;分钟前</span>'),
        ((2026, 11, 23, 20, 7, 30), "Y-n-j H:i", '<span title="2026-11-23 20:07">4&nbsp;秒前</span>'),
        ((2026, 11, 22, 18, 7, 0), "Y-n-j H:i", '<span title="2026-11-22 18:07">昨天&nbsp;18:07</span>'),
        (
            (2026, 11, 21, 17, 7, 26),
            "Y-n-j H:i:s",
            '<span title="2026-11-21 17:07:26">前天&nbsp;17:07</span>',
        ),
        ((2026, 11, 17, 9, 0, 0), "Y-n-j", '<span title="2026-11-17">6&nbsp;天前</span>'),
        ((2026, 11, 16, 20, 7, 0), "Y-n-j H:i", '<span title="2026-11-16 20:07">7&nbsp;天前</span>'),
        ((2026, 11, 15, 20, 7, 26), "Y-n-j H:i:s", "2026-11-15 20:07:26"),
        ((2026, 11, 4, 1, 7, 0), "Y-n-j H:i", "2026-11-4 01:07"),
    ],
)
def test_dgmdate_matches_the_real_pages(
    posted: tuple[int, int, int, int, int, int], uformat: str, shown: str
) -> None:
    assert dgmdate(datetime(*posted, tzinfo=SITE), REAL_NOW, uformat) == shown


def test_cutstr_and_pager_match_the_real_pages() -> None:
    # breadcrumbs of the real thread pages (cutstr to 52)
    assert discuz_cut("途乐旅行收了我2万8团费，行程取消后三个月不退款！", 52).endswith("不退款！ ...")
    assert discuz_cut("星耀Pro14笔记本用了两个月屏幕出现亮线，售后说是人为损坏拒绝保修", 52) == (
        "星耀Pro14笔记本用了两个月屏幕出现亮线，售后说是人为 ..."
    )
    assert discuz_cut("【版规】投诉维权版发帖须知（必读）", 52) == "【版规】投诉维权版发帖须知（必读）"
    url = "forum.php?mod=viewthread&tid=2&extra=&amp;page="
    last = multi(10, 10, lambda n: f"{url}{n}", url)
    assert last.startswith(
        f'<div class="pg"><a href="{url}1" class="first">1 ...</a><a href="{url}9" class="prev">'
    )
    assert f'<a href="{url}2">2</a>' in last and "<strong>10</strong><label>" in last
    assert multi(1, 1, str, url) == ""
