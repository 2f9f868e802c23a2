"""DiscuzSource's other formats against the base capture's ground truth, both charsets: the
printable view, the mobile JSON API, RSS and the archiver.

Fixtures: tests/fixtures/discuz/{utf8,gbk}/ printable_tid{2,4}.html, mobileapi_*.json,
rss_*.xml, archiver_{fid,tid}-2.html and ground_truth.json. The parse clock is each page's
``Date`` header. What a format does not show is asserted to be named in ``missing``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.errors import ParseError
from monitor.fetch.decode import decode_page

CHARSETS = ["utf8", "gbk"]


def assert_posts_match(discuz, posts, folder, tid, *, pids=True, seconds=True, quotes=True):
    """Every post: floor, author, time, words (and pid, quote) as the database has them."""
    truth = {p["floor"]: p for p in discuz.thread(folder, tid)["posts"]}
    assert posts, "no posts"
    for post in posts:
        want = truth[post.floor]
        assert post.author == want["author"]
        expected_time = discuz.utc(want["dateline"])
        assert post.posted_at == (expected_time if seconds else expected_time.replace(second=0))
        assert discuz.squash(post.text).startswith(discuz.squash(want["first20_plain"])), post.text
        if pids:
            assert post.post_id == str(want["pid"])
            assert post.author_id == str(want["authorid"])
            assert "post_id" not in post.missing
        else:
            assert (post.post_id, post.author_id) == (f"#{post.floor}", None)
            assert "post_id" in post.missing
        if quotes and want["has_quote"]:
            assert post.quoted and discuz.squash(post.quoted) not in discuz.squash(post.text)
            assert "发表于" not in post.quoted
        elif quotes:
            assert post.quoted == ""


# ---------------------------------------------------------------- printable view


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("tid", ["2", "4"])
def test_printable_view_holds_every_post(discuz, charset: str, tid: str) -> None:
    """Reads <charset>/printable_tid<tid>.html: all posts of the thread on one page."""
    path = f"{charset}/printable_tid{tid}.html"
    html, now = discuz.page(path)
    source = discuz.source(path)
    thread = source.parse_printable(html, source.printable_url(tid), now)
    truth = discuz.thread(charset, tid)
    assert (thread.thread_id, thread.title, thread.page, thread.page_count) == (tid, truth["subject"], 1, 1)
    assert [p.floor for p in thread.posts] == list(range(1, truth["replies"] + 2))
    assert thread.replies == truth["replies"]
    assert (thread.board_id, thread.views) == (None, None)  # not on the page
    # dates to the minute only; no pids or uids
    assert_posts_match(discuz, thread.posts, charset, tid, pids=False, seconds=False)


@pytest.mark.parametrize("charset", CHARSETS)
def test_printable_exact_words(discuz, charset: str) -> None:
    """Reads <charset>/printable_tid4.html and printable_tid2.html."""
    source = discuz.source(charset)
    html, now = discuz.page(f"{charset}/printable_tid4.html")
    posts = source.parse_printable(html, source.printable_url("4"), now).posts
    assert "请问这种情况合理吗？<我该怎么维权？>" in posts[0].text
    assert not posts[0].text.startswith("快递丢件")  # the subject line is not part of the words
    assert posts[-1].text == "已经向邮政管理局申诉了，等结果 & 谢谢大家"
    html, now = discuz.page(f"{charset}/printable_tid2.html")
    posts = source.parse_printable(html, source.printable_url("2"), now).posts
    assert posts[0].text.startswith("各位网友好，我实在没办法了才来发帖。\n\n今年8月")
    assert posts[4].text == "合同有写，出发前7日内旅行社取消要赔团费的20%。证据都保存着。"
    assert posts[4].quoted.startswith("这种情况先别急，合同里有没有写违约条款？")


@pytest.mark.parametrize("charset", CHARSETS)
def test_printable_without_tid_in_url_reads_reporturl(discuz, charset: str) -> None:
    """Reads <charset>/printable_tid4.html under a URL that hides the tid (Discuz's REPORTURL has it)."""
    html, now = discuz.page(f"{charset}/printable_tid4.html")
    assert discuz.source(charset).parse_printable(html, "http://x/print", now).thread_id == "4"


def test_printable_cut_off_drops_the_last_post_and_the_reply_count(discuz) -> None:
    """Reads utf8/printable_tid2.html cut at 60 % of its bytes."""
    captured = discuz.captured("utf8/printable_tid2.html")
    source = discuz.source("utf8")
    full = source.parse_printable(captured.text(), source.printable_url("2"), captured.now)
    cut = captured.body[: int(len(captured.body) * 0.6)]
    part = source.parse_printable(
        decode_page(cut, captured.content_type), source.printable_url("2"), captured.now
    )
    assert 0 < len(part.posts) < len(full.posts)
    assert part.posts == full.posts[: len(part.posts)]
    assert part.replies is None


# ---------------------------------------------------------------- mobile JSON API


API_THREADS = [("mobileapi_viewthread_tid2_p1", "2", 1), ("mobileapi_viewthread_tid2_p2", "2", 2)]
API_THREADS += [("mobileapi_viewthread_tid4", "4", 1)]


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize(("name", "tid", "page"), API_THREADS)
def test_api_thread_matches_ground_truth(discuz, charset: str, name: str, tid: str, page: int) -> None:
    """Reads <charset>/<name>.json (GBK JSON is raw GBK bytes, no charset in the header)."""
    path = f"{charset}/{name}.json"
    captured = discuz.captured(path)
    assert captured.content_type == "application/json"
    source = discuz.source(path)
    thread = source.parse_api_thread(captured.text(), source.api_thread_url(tid, page), captured.now)
    truth = discuz.thread(charset, tid)
    assert (thread.thread_id, thread.board_id, thread.title) == (tid, str(truth["fid"]), truth["subject"])
    assert (thread.page, thread.page_count, thread.replies) == (page, truth["pages"], truth["replies"])
    assert thread.views is not None and 0 < thread.views <= truth["views_at_export"]  # on every page
    expected = [p for p in truth["posts"] if p["page"] == page]
    assert [p.post_id for p in thread.posts] == [str(p["pid"]) for p in expected]
    assert_posts_match(discuz, thread.posts, charset, tid)  # exact to the second (dbdateline)


@pytest.mark.parametrize("charset", CHARSETS)
def test_api_message_is_unescaped_once_more(discuz, charset: str) -> None:
    """Reads <charset>/mobileapi_viewthread_tid4.json: '&amp;lt;' in the message is '<' in the post."""
    source = discuz.source(charset)
    html, now = discuz.page(f"{charset}/mobileapi_viewthread_tid4.json")
    posts = source.parse_api_thread(html, source.api_thread_url("4"), now).posts
    assert "请问这种情况合理吗？<我该怎么维权？>" in posts[0].text
    assert posts[-1].text == "已经向邮政管理局申诉了，等结果 & 谢谢大家"


API_BOARDS = [("mobileapi_forumdisplay_fid2", 1), ("mobileapi_forumdisplay_fid2_p2", 2)]


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize(("name", "page"), API_BOARDS)
def test_api_board_matches_ground_truth(discuz, charset: str, name: str, page: int) -> None:
    """Reads <charset>/<name>.json: exact creation and last-post times (Unix times in the JSON)."""
    path = f"{charset}/{name}.json"
    html, now = discuz.page(path)
    source = discuz.source(path)
    board = source.parse_api_board(html, source.api_board_url("2", page), now)
    assert (board.board_id, board.board_name, board.page, board.page_count) == ("2", "投诉维权", page, 2)
    assert len(board.threads) == (20 if page == 1 else 1)
    for row in board.threads:
        truth = discuz.thread(charset, row.thread_id)
        assert (row.title, row.author, row.author_id) == (
            truth["subject"],
            truth["author"],
            str(truth["authorid"]),
        )
        assert (row.replies, row.sticky) == (truth["replies"], truth["sticky"])
        assert 0 < row.views <= truth["views_at_export"]
        assert row.created_at == discuz.utc(truth["dateline"])
        assert row.last_post_at is not None
        assert abs(row.last_post_at - discuz.utc(truth["lastpost"])) < timedelta(minutes=2)
        assert row.url == source.thread_url(row.thread_id)
        assert row.missing == frozenset()


def test_api_error_message_is_a_parse_error(discuz) -> None:
    """A Discuz API refusal (no permission) names its message."""
    source = discuz.source("utf8")
    reply = (
        '{"Version":"4","Charset":"UTF-8","Variables":{"cookiepre":"x","member_uid":"0"},'
        '"Message":{"messageval":"viewperm_login_nopermission//1","messagestr":"您需要登录才可以访问本版块"}}'
    )
    now = discuz.captured("utf8/mobileapi_viewthread_tid4.json").now
    with pytest.raises(ParseError, match="需要登录"):
        source.parse_api_thread(reply, source.api_thread_url("9"), now)
    with pytest.raises(ParseError, match="需要登录"):
        source.parse_api_board(reply, source.api_board_url("9"), now)
    with pytest.raises(ParseError, match="not JSON"):
        source.parse_api_thread("<html>502 Bad Gateway</html>", source.api_thread_url("9"), now)
    with pytest.raises(ParseError, match="unexpected viewthread JSON"):
        source.parse_api_thread('{"Variables":{"thread":{"tid":"x"}}}', source.api_thread_url("9"), now)


def test_api_lists_sent_as_objects_and_anonymous_posts(discuz) -> None:
    """PHP arrays with gaps arrive as JSON objects; an anonymous post has no author."""
    source = discuz.source("utf8")
    now = discuz.captured("utf8/mobileapi_viewthread_tid4.json").now
    reply = (
        '{"Variables":{"thread":{"tid":"7","fid":"2","subject":"a &amp; b","replies":"1","views":"9"},'
        '"ppp":"10","postlist":{"70":{"pid":"70","position":"1","author":"甲","authorid":"3",'
        '"dbdateline":"1795435656","message":"一"},"71":{"pid":"71","position":"2","author":"",'
        '"authorid":"0","anonymous":"1","dateline":"3&nbsp;小时前","message":"二"}}}}'
    )
    thread = source.parse_api_thread(reply, source.api_thread_url("7"), now)
    assert thread.title == "a & b"
    first, second = thread.posts
    assert (first.author, first.author_id, first.posted_at) == ("甲", "3", discuz.utc(1795435656))
    assert (second.author, second.author_id, second.floor) == ("匿名", None, 2)
    assert second.posted_at == now.replace(microsecond=0) - timedelta(hours=3)


# ---------------------------------------------------------------- RSS


RSS = [("rss_all", None, 20), ("rss_fid2", "2", 20), ("rss_fid3", "3", 4)]


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize(("name", "fid", "count"), RSS)
def test_rss_matches_ground_truth(discuz, charset: str, name: str, fid: str | None, count: int) -> None:
    """Reads <charset>/<name>.xml (a GBK feed says so only in its XML declaration)."""
    path = f"{charset}/{name}.xml"
    captured = discuz.captured(path)
    assert "charset" not in (captured.content_type or "")
    source = discuz.source(path)
    board = source.parse_rss(captured.text(), source.rss_url(fid), captured.now)
    assert (board.board_id, board.page, board.page_count, board.provisional) == (fid or "", 1, 1, False)
    if fid:
        forum = next(f for f in discuz.truth(charset)["forums"] if str(f["fid"]) == fid)
        assert board.board_name == forum["name"]
    assert len(board.threads) == count
    for row in board.threads:
        truth = discuz.thread(charset, row.thread_id)
        assert (row.title, row.author) == (truth["subject"], truth["author"])
        assert row.created_at == discuz.utc(truth["dateline"])  # pubDate: exact to the second
        assert fid is None or truth["fid"] == int(fid)
        assert row.missing == {"replies", "views", "sticky"}
        assert row.url == source.thread_url(row.thread_id)


@pytest.mark.parametrize("charset", CHARSETS)
def test_rss_cold_cache_is_provisional_not_empty(discuz, charset: str) -> None:
    """Reads <charset>/rss_all_firsthit.xml: the empty channel of the first hit after the cache expired."""
    path = f"{charset}/rss_all_firsthit.xml"
    html, now = discuz.page(path)
    board = discuz.source(path).parse_rss(html, discuz.source(path).rss_url(), now)
    assert board.threads == [] and board.provisional


# ---------------------------------------------------------------- archiver


@pytest.mark.parametrize("charset", CHARSETS)
def test_archiver_board(discuz, charset: str) -> None:
    """Reads <charset>/archiver_fid-2.html: titles and reply counts only."""
    path = f"{charset}/archiver_fid-2.html"
    html, now = discuz.page(path)
    source = discuz.source(path)
    board = source.parse_archiver_board(html, source.archiver_board_url("2"), now)
    assert (board.board_id, board.board_name, board.page, board.page_count) == ("2", "投诉维权", 1, 2)
    assert len(board.threads) == 20
    for row in board.threads:
        truth = discuz.thread(charset, row.thread_id)
        assert (row.title, row.replies) == (truth["subject"], truth["replies"])
        assert row.missing == {"author", "views", "sticky"}
        assert row.created_at is None and row.last_post_at is None


@pytest.mark.parametrize("charset", CHARSETS)
def test_archiver_thread(discuz, charset: str) -> None:
    """Reads <charset>/archiver_tid-2.html: page 1 of 4, exact dates (span titles), no pids."""
    path = f"{charset}/archiver_tid-2.html"
    html, now = discuz.page(path)
    source = discuz.source(path)
    thread = source.parse_archiver_thread(html, source.archiver_thread_url("2"), now)
    truth = discuz.thread(charset, "2")
    assert (thread.thread_id, thread.board_id, thread.title) == ("2", "2", truth["subject"])
    assert (thread.page, thread.page_count, thread.replies, thread.views) == (1, 4, None, None)
    assert [p.floor for p in thread.posts] == list(range(1, 11))
    assert_posts_match(discuz, thread.posts, charset, "2", pids=False)
    quoting = thread.posts[4]  # pid 8 quotes pid 7: the quote is only plain lines here
    assert quoting.text == "合同有写，出发前7日内旅行社取消要赔团费的20%。证据都保存着。"
    assert quoting.quoted.endswith("建议楼主把所有证 ...")


def test_archiver_later_page_numbers_floors_by_posts_per_page(discuz) -> None:
    """Reads utf8/archiver_tid-2.html as if it were page 3 of a forum with 10 posts per page."""
    html, now = discuz.page("utf8/archiver_tid-2.html")
    source = discuz.source("utf8")
    moved = html.replace("<strong>[1]</strong>", "<strong>[3]</strong>")
    thread = source.parse_archiver_thread(moved, source.archiver_thread_url("2", 3), now)
    assert thread.page == 3
    assert [p.floor for p in thread.posts] == list(range(21, 31))


# ---------------------------------------------------------------- rewritten thread URL


@pytest.mark.parametrize("charset", CHARSETS)
def test_rewritten_thread_url(discuz, charset: str) -> None:
    """Reads <charset>/rewrite_thread-4-1-1.html, fetched as /thread-4-1-1.html."""
    path = f"{charset}/rewrite_thread-4-1-1.html"
    html, now = discuz.page(path)
    source = discuz.source(path)
    thread = source.parse_thread(html, source.base_url + "thread-4-1-1.html", now)
    truth = discuz.thread(charset, "4")
    assert (thread.thread_id, thread.board_id, thread.title, thread.page) == ("4", "2", truth["subject"], 1)
    assert [p.post_id for p in thread.posts] == [str(p["pid"]) for p in truth["posts"]]
    assert_posts_match(discuz, thread.posts, charset, "4")


# ---------------------------------------------------------------- cut-off downloads, message pages

CUT = [
    ("printable_tid2.html", "parse_printable", "printable_url", "2"),
    ("mobileapi_viewthread_tid2_p1.json", "parse_api_thread", "api_thread_url", "2"),
    ("mobileapi_forumdisplay_fid2.json", "parse_api_board", "api_board_url", "2"),
    ("rss_fid2.xml", "parse_rss", "rss_url", "2"),
    ("archiver_tid-2.html", "parse_archiver_thread", "archiver_thread_url", "2"),
    ("archiver_fid-2.html", "parse_archiver_board", "archiver_board_url", "2"),
]


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize(("name", "parser", "url_of", "item"), CUT)
def test_cut_off_page_never_returns_wrong_items(
    discuz, charset: str, name: str, parser: str, url_of: str, item: str
) -> None:
    """Reads <charset>/<name> cut at every 10 % of its bytes: a ParseError, or a prefix of the items."""
    captured = discuz.captured(f"{charset}/{name}")
    source = discuz.source(charset)
    parse, url = getattr(source, parser), getattr(source, url_of)(item)
    full = parse(captured.text(), url, captured.now)
    items = full.posts if hasattr(full, "posts") else full.threads
    for step in range(1, 10):
        body = captured.body[: len(captured.body) * step // 10]
        try:
            part = parse(decode_page(body, captured.content_type), url, captured.now)
        except ParseError:
            continue
        got = part.posts if hasattr(part, "posts") else part.threads
        assert got == items[: len(got)], f"cut at {step * 10} %"


LOGIN_WALL = """<!DOCTYPE html>
<html><head><meta charset="utf-8" /><title>提示信息 -  消费维权论坛 -  Powered by Discuz!</title></head>
<body><div id="ct" class="wp cl w"><div class="nfl" id="main_message"><div class="f_c altw">
<div id="messagetext" class="alert_info"><p>您无权进行当前操作，原因如下：</p>
<p>您需要登录才可以访问本版块</p></div>
<div id="messagelogin"><form method="post" action="member.php?mod=logging&amp;action=login">
<input type="text" name="username" /><input type="password" name="password" /></form></div></div></div></div>
</body></html>
"""


@pytest.mark.parametrize(
    "parser",
    ["parse_printable", "parse_archiver_board", "parse_archiver_thread", "parse_rss", "parse_api_thread"],
)
def test_login_wall_instead_of_any_format_is_a_parse_error(discuz, parser: str) -> None:
    """A guest login notice served where a printable page, archiver page, feed or JSON was expected."""
    with pytest.raises(ParseError, match=r"需要登录|not an RSS|not JSON"):
        getattr(discuz.source("utf8"), parser)(
            LOGIN_WALL, "http://127.0.0.1:8081/x?tid=2&fid=2", discuz.utc(0)
        )
