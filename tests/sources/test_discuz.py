"""DiscuzSource against real Discuz! X3.5 pages (UTF-8 and GBK) and their database ground truth.

Fixtures: tests/fixtures/discuz/{utf8,gbk,gbk/round3}/ (see the README there). Each test
names the page it reads; the parse clock is the page's own ``Date`` response header.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import ParseError
from monitor.fetch.decode import decode_page
from monitor.sources.base import Source, ThreadPage
from monitor.sources.discuz import DiscuzSource

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discuz"
SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE_URLS = {"utf8": "http://127.0.0.1:8081/", "gbk": "http://127.0.0.1:8082/"}
CHARSETS = ["utf8", "gbk"]
# Default Discuz smiley codes that ground truth keeps as text but pages render as <img smilieid>,
# which the parser drops (pids 3 ":)", 9 and 179 ":(").
SMILEY_CODES = (":)", ":(")


def source_for(folder: str) -> DiscuzSource:
    return DiscuzSource(BASE_URLS[folder.split("/")[0]])


def read_page(folder: str, name: str, cut: float = 1.0) -> tuple[str, datetime]:
    """Decode ``<folder>/<name>.html`` with the charset of its recorded header; the clock is its Date."""
    body = (FIXTURES / folder / f"{name}.html").read_bytes()
    headers = (FIXTURES / folder / f"{name}.html.headers.txt").read_text(encoding="latin-1")
    fields = dict(
        (key.strip().lower(), value.strip())
        for key, _, value in (line.partition(":") for line in headers.splitlines()[1:])
    )
    body = body[: int(len(body) * cut)]
    return decode_page(body, fields["content-type"]), parsedate_to_datetime(fields["date"])


@functools.cache
def ground_truth(folder: str) -> dict[str, Any]:
    return json.loads((FIXTURES / folder / "ground_truth.json").read_text(encoding="utf-8"))


def truth_thread(folder: str, tid: str) -> dict[str, Any]:
    return next(t for t in ground_truth(folder)["threads"] if str(t["tid"]) == tid)


def utc(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def squash(text: str) -> str:
    for code in SMILEY_CODES:
        text = text.replace(code, "")
    return " ".join(text.split())


def quoted_words(message_bbcode: str) -> str:
    """The first words inside [quote], after Discuz's '[size=2]… 发表于 …[/size]' attribution."""
    inner = re.search(r"\[quote\](.*?)\[/quote\]", message_bbcode, re.S)
    assert inner, message_bbcode
    body = re.sub(r"\[size=2\].*?\[/size\]", "", inner.group(1), count=1, flags=re.S)
    body = re.sub(r"\[/?\w+(?:=[^\]]*)?\]", "", body)
    return squash(body)[:10]


# ---------------------------------------------------------------- board lists

BOARD_PAGES = [
    # (page name, url path, fid, page, page_count)
    ("forumdisplay_fid2_p1", "forum.php?mod=forumdisplay&fid=2", "2", 1, 2),
    ("forumdisplay_fid2_p2", "forum.php?mod=forumdisplay&fid=2&page=2", "2", 2, 2),
    ("forumdisplay_fid3_p1", "forum.php?mod=forumdisplay&fid=3", "3", 1, 1),
    ("rewrite_forum-2-1", "forum-2-1.html", "2", 1, 2),
]


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize(("name", "path", "fid", "page", "page_count"), BOARD_PAGES)
def test_board_page_matches_ground_truth(
    charset: str, name: str, path: str, fid: str, page: int, page_count: int
) -> None:
    """Reads <charset>/<name>.html."""
    html, now = read_page(charset, name)
    source = source_for(charset)
    board = source.parse_board(html, BASE_URLS[charset] + path, now)
    forum = next(f for f in ground_truth(charset)["forums"] if str(f["fid"]) == fid)
    assert (board.board_id, board.board_name, board.page, board.page_count) == (
        fid,
        forum["name"],
        page,
        page_count,
    )
    assert board.threads
    for row in board.threads:
        assert_row_matches(row, truth_thread(charset, row.thread_id), source)
        assert truth_thread(charset, row.thread_id)["fid"] == int(fid)


def assert_row_matches(row: Any, truth: dict[str, Any], source: DiscuzSource) -> None:
    assert row.title == truth["subject"]
    assert (row.author, row.author_id) == (truth["author"], str(truth["authorid"]))
    assert (row.replies, row.sticky) == (truth["replies"], truth["sticky"])
    # The list shows the view counter as it was when the page was fetched; every later
    # guest hit on the thread (the captures themselves) raised it before the export.
    assert 0 < row.views <= truth["views_at_export"]
    assert row.url == source.thread_url(row.thread_id)
    # Last post: shown to the minute (absolute, or a relative text whose title has the minute).
    assert row.last_post_at == utc(truth["lastpost"]).replace(second=0)
    # Created: 'Y-m-d' or '前天 17:07' / 'N 天前' with a date-only title: the date is exact,
    # the time of day only when the text shows it (else local midnight).
    created = truth["dateline_local"]
    assert row.created_at is not None
    assert row.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d") == created[:10]
    assert timedelta(0) <= utc(truth["dateline"]) - row.created_at < timedelta(days=1)


@pytest.mark.parametrize("charset", CHARSETS)
def test_both_list_pages_of_a_board_hold_every_thread(charset: str) -> None:
    """Reads <charset>/forumdisplay_fid2_p1.html and forumdisplay_fid2_p2.html."""
    source = source_for(charset)
    seen: list[str] = []
    for name, path, *_ in BOARD_PAGES[:2]:
        html, now = read_page(charset, name)
        seen += [t.thread_id for t in source.parse_board(html, BASE_URLS[charset] + path, now).threads]
    expected = [str(t["tid"]) for t in ground_truth(charset)["threads"] if t["fid"] == 2]
    assert sorted(seen, key=int) == sorted(expected, key=int)
    assert len(seen) == len(set(seen)) == 21


def test_sticky_row_and_escaped_title_on_board_page() -> None:
    """Reads utf8/forumdisplay_fid2_p1.html: tid 1 is sticky, tid 4's title has & < >."""
    html, now = read_page("utf8", "forumdisplay_fid2_p1")
    rows = {t.thread_id: t for t in source_for("utf8").parse_board(html, "http://x/", now).threads}
    assert rows["1"].sticky and not rows["2"].sticky
    assert rows["4"].title == "快递丢件 & 赔偿只给 <3倍运费> ，合理吗？"


def test_board_page_nine_hours_later() -> None:
    """Reads gbk/round3/forumdisplay_fid2_p1.html (tid 2 grown to 95 replies, tid 31 new)."""
    html, now = read_page("gbk/round3", "forumdisplay_fid2_p1")
    source = source_for("gbk")
    board = source.parse_board(html, BASE_URLS["gbk"] + "forum.php?mod=forumdisplay&fid=2", now)
    rows = {t.thread_id: t for t in board.threads}
    for tid in ("2", "31"):
        assert_row_matches(rows[tid], truth_thread("gbk/round3", tid), source)
    assert rows["2"].replies == 95


# ---------------------------------------------------------------- thread pages

THREAD_PAGES = [
    # (folder or None for both charsets, page name, tid, page)
    *((None, f"viewthread_tid2_p{n}", "2", n) for n in (1, 2, 3, 4)),
    (None, "viewthread_tid4_p1", "4", 1),
    (None, "viewthread_tid27_p1", "27", 1),
    (None, "viewthread_tid30_p1", "30", 1),
    ("gbk/round3", "viewthread_tid2_p10", "2", 10),
]
THREAD_CASES = [
    (folder or charset, name, tid, page)
    for folder, name, tid, page in THREAD_PAGES
    for charset in ([folder] if folder else CHARSETS)
]


def parse_thread_page(folder: str, name: str, tid: str, page: int, cut: float = 1.0) -> ThreadPage:
    html, now = read_page(folder, name, cut)
    source = source_for(folder)
    return source.parse_thread(html, source.thread_url(tid, page), now)


@pytest.mark.parametrize(("folder", "name", "tid", "page"), THREAD_CASES)
def test_thread_page_matches_ground_truth(folder: str, name: str, tid: str, page: int) -> None:
    """Reads <folder>/<name>.html."""
    thread = parse_thread_page(folder, name, tid, page)
    truth = truth_thread(folder, tid)
    assert (thread.thread_id, thread.board_id, thread.title) == (tid, str(truth["fid"]), truth["subject"])
    assert (thread.page, thread.page_count) == (page, truth["pages"])
    expected = [p for p in truth["posts"] if p["page"] == page]
    assert [p.post_id for p in thread.posts] == [str(p["pid"]) for p in expected]
    for post, want in zip(thread.posts, expected, strict=True):
        assert post.floor == want["floor"]
        assert (post.author, post.author_id) == (want["author"], str(want["authorid"]))
        assert post.posted_at == utc(want["dateline"])  # thread pages show seconds
        assert squash(post.text).startswith(squash(want["first20_plain"])), post.text
        if want["has_quote"]:
            words = quoted_words(want["message_bbcode"])
            assert words in squash(post.quoted)
            assert words not in squash(post.text)
            assert "发表于" not in post.quoted
        else:
            assert post.quoted == ""
    if page == 1:
        assert thread.replies == truth["replies"]
        assert thread.views is not None and 0 < thread.views <= truth["views_at_export"]
    else:
        assert (thread.replies, thread.views) == (None, None)


@pytest.mark.parametrize("charset", CHARSETS)
def test_thread_title_and_text_unescape_html(charset: str) -> None:
    """Reads <charset>/viewthread_tid4_p1.html: '&amp; &lt; &gt;' in title and post text."""
    thread = parse_thread_page(charset, "viewthread_tid4_p1", "4", 1)
    assert thread.title == "快递丢件 & 赔偿只给 <3倍运费> ，合理吗？"
    assert "请问这种情况合理吗？<我该怎么维权？>" in thread.posts[0].text
    assert thread.posts[-1].text == "已经向邮政管理局申诉了，等结果 & 谢谢大家"


def test_post_text_keeps_line_breaks_and_drops_images_and_quotes() -> None:
    """Reads utf8/viewthread_tid2_p1.html (floor 1 has <br>s) and viewthread_tid30_p1.html
    (pid 179 quotes pid 178 and ends with a :( smiley image)."""
    first = parse_thread_page("utf8", "viewthread_tid2_p1", "2", 1).posts[0]
    assert first.floor == 1
    assert first.text.startswith("各位网友好，我实在没办法了才来发帖。\n\n今年8月")
    assert "\n时间线：\n8月12日 签合同、付全款\n" in first.text
    posts = {p.post_id: p for p in parse_thread_page("utf8", "viewthread_tid30_p1", "30", 1).posts}
    assert posts["179"].text == "换了信道还是一样"
    assert posts["179"].quoted == "先看看是不是信道干扰，换个信道试试"


# ---------------------------------------------------------------- truncated and foreign pages


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize(("name", "tid"), [("viewthread_tid2_p1", "2"), ("viewthread_tid27_p1", "27")])
def test_truncated_thread_page_never_returns_wrong_posts(charset: str, name: str, tid: str) -> None:
    """Reads <charset>/<name>.html cut at its half and at every 5% of its bytes."""
    full = parse_thread_page(charset, name, tid, 1)
    half = parse_thread_page(charset, name, tid, 1, cut=0.5)
    assert 0 < len(half.posts) < len(full.posts)
    assert half.posts == full.posts[: len(half.posts)]
    for step in range(1, 20):
        try:
            cut = parse_thread_page(charset, name, tid, 1, cut=step / 20)
        except ParseError:
            continue
        assert cut.posts == full.posts[: len(cut.posts)]
        assert (cut.thread_id, cut.board_id, cut.title, cut.page_count) == (
            full.thread_id,
            full.board_id,
            full.title,
            full.page_count,
        )
    with pytest.raises(ParseError):  # cut before the post list
        parse_thread_page(charset, name, tid, 1, cut=0.1)


@pytest.mark.parametrize("charset", CHARSETS)
def test_truncated_board_page_never_returns_wrong_rows(charset: str) -> None:
    """Reads <charset>/forumdisplay_fid2_p1.html cut at every 5% of its bytes."""
    source = source_for(charset)
    html, now = read_page(charset, "forumdisplay_fid2_p1")
    full = source.parse_board(html, "http://x/", now)
    for step in range(1, 20):
        html, now = read_page(charset, "forumdisplay_fid2_p1", cut=step / 20)
        try:
            board = source.parse_board(html, "http://x/", now)
        except ParseError:
            continue
        assert board.threads == full.threads[: len(board.threads)]


MESSAGE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8" /><title>提示信息 -  消费维权论坛 -  Powered by Discuz!</title></head>
<body id="nv_forum" class="pg_viewthread">
<div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm" title="首页">消费维权论坛</a>
<em>&raquo;</em><a href="forum.php">论坛</a> <em>&rsaquo;</em> 提示信息</div></div>
<div id="ct" class="wp cl w"><div class="nfl"><div class="f_c altw">
<div id="messagetext" class="alert_error">
<p>抱歉，指定的主题不存在或已被删除或正在被审核</p>
<script type="text/javascript">if(history.length > (BROWSER.ie ? 0 : 1)) document.write('...');</script>
<p class="alert_btnleft"><a href="javascript:history.back()">[ 点击这里返回上一页 ]</a></p>
</div></div></div></div></body></html>
"""
LOGIN_WALL = """<!DOCTYPE html>
<html><head><meta charset="utf-8" /><title>提示信息 -  消费维权论坛 -  Powered by Discuz!</title></head>
<body><div id="ct" class="wp cl w"><div class="nfl" id="main_succeed" style="display: none">
</div><div class="nfl" id="main_message"><div class="f_c altw">
<div id="messagetext" class="alert_info"><p>您无权进行当前操作，原因如下：</p>
<p>您需要登录才可以访问本版块</p></div>
<div id="messagelogin"><form method="post" action="member.php?mod=logging&amp;action=login">
<input type="text" name="username" /></form></div></div></div></div></body></html>
"""


@pytest.mark.parametrize(("page", "words"), [(MESSAGE_PAGE, "指定的主题不存在"), (LOGIN_WALL, "需要登录")])
def test_message_pages_are_parse_errors(page: str, words: str) -> None:
    """Handwritten Discuz '提示信息' pages: a deleted thread and a guest login wall."""
    source = source_for("utf8")
    now = datetime(2026, 11, 23, 12, 7, tzinfo=UTC)
    with pytest.raises(ParseError, match=words):
        source.parse_thread(page, "http://127.0.0.1:8081/forum.php?mod=viewthread&tid=99", now)
    with pytest.raises(ParseError, match=words):
        source.parse_board(page, "http://127.0.0.1:8081/forum.php?mod=forumdisplay&fid=9", now)


def test_board_and_thread_pages_are_not_each_other() -> None:
    """Reads utf8/forumdisplay_fid2_p1.html and utf8/viewthread_tid2_p1.html."""
    source = source_for("utf8")
    board_html, now = read_page("utf8", "forumdisplay_fid2_p1")
    thread_html, _ = read_page("utf8", "viewthread_tid2_p1")
    with pytest.raises(ParseError, match="postlist"):
        source.parse_thread(board_html, "http://x/", now)
    with pytest.raises(ParseError, match="threadlisttableid"):
        source.parse_board(thread_html, "http://x/", now)


# ---------------------------------------------------------------- minimal markup, URLs


MINIMAL_THREAD = """<html><body>
<div id="pt"><div class="z"><a href="forum.php?mod=forumdisplay&amp;fid=7">板块</a>
<a href="forum.php?mod=viewthread&amp;tid=42">主题</a></div></div>
<div id="pgt"><div class="pg"><a href="forum.php?mod=viewthread&amp;tid=42&amp;page=1">1</a>
<strong>2</strong><a href="forum.php?mod=viewthread&amp;tid=42&amp;page=3" class="last">... 3</a></div></div>
<div id="postlist"><span id="thread_subject">最小主题</span>
<div id="post_501"><table><tr><td class="pls"><div class="pi"><div class="authi">
<a href="home.php?mod=space&amp;uid=9" class="xw1">甲</a></div></div></td>
<td class="plc"><div class="pi"><strong><a id="postnum501"><em>11</em><sup>#</sup></a></strong>
<em id="authorposton501">发表于 <span title="2026-11-23 19:00:05">1&nbsp;小时前</span></em></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table><tr><td class="t_f" id="postmessage_501">
<i class="pstatus"> 本帖最后由 甲 于 2026-11-23 19:30 编辑 </i><br />
<br />
第一行<br />第二行   有   空格 <img src="static/image/smiley/default/sad.gif" smilieid="2" />
<ignore_js_op><img src="data/attachment/forum/a.jpg" />
<div class="tip">a.jpg (12 KB, 下载次数: 0)</div></ignore_js_op>
<font class="jammer">x9Qz</font><span style="display:none">隐藏</span>
</td></tr></table></div></div></div></td></tr></table></div>
<div id="post_502"><table><tr><td class="pls"><div class="pi">匿名</div></td>
<td class="plc"><div class="pi"><strong><a id="postnum502">12<sup>#</sup></a></strong>
<em id="authorposton502">发表于 昨天&nbsp;08:15</em></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table><tr><td class="t_f" id="postmessage_502">
<div class="quote"><blockquote><font size="2">
<a href="forum.php?mod=redirect&amp;goto=findpost&amp;pid=501&amp;ptid=42">
<font color="#999999">甲 发表于 2026-11-23 19:00</font></a></font><br />
第一行</blockquote></div>回复内容</td></tr></table></div></div></div></td></tr></table></div>
<div id="postlistreply" class="pl"></div>
</div></body></html>
"""


def test_minimal_thread_markup() -> None:
    """A handwritten page holding only the markup the parser reads (rendering contract for look-alikes)."""
    source = DiscuzSource("http://forum.example")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    thread = source.parse_thread(MINIMAL_THREAD, "http://forum.example/x", now)
    assert (thread.thread_id, thread.board_id, thread.title, thread.page, thread.page_count) == (
        "42",
        "7",
        "最小主题",
        2,
        3,
    )
    first, second = thread.posts
    assert (first.post_id, first.floor, first.author, first.author_id) == ("501", 11, "甲", "9")
    assert first.posted_at == datetime(2026, 11, 23, 11, 0, 5, tzinfo=UTC)
    assert first.text == "第一行\n第二行 有 空格"
    assert (second.floor, second.author, second.author_id) == (12, "匿名", None)
    assert second.posted_at == datetime(2026, 11, 22, 0, 15, tzinfo=UTC)
    assert (second.text, second.quoted) == ("回复内容", "第一行")


def test_urls_and_protocol() -> None:
    source: Source = DiscuzSource("http://127.0.0.1:8081")
    assert source.engine == "discuz"
    assert source.board_url("2", 3) == "http://127.0.0.1:8081/forum.php?mod=forumdisplay&fid=2&page=3"
    assert source.thread_url("4") == "http://127.0.0.1:8081/forum.php?mod=viewthread&tid=4&page=1"
