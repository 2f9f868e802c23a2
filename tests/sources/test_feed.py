"""RSS/Atom: read_feed on every feed dialect and on broken or hostile XML; FeedSource (engine
``rss``) reading a Discourse-style board feed and thread feed and a phpBB Atom feed.

Fixtures: tests/fixtures/generic/discourse_latest.rss, discourse_topic_42.rss,
phpbb_feed_f2.atom (handwritten after those engines' feeds; see the README there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.sources.feed import FeedSource, read_feed
from monitor.sources.generic_config import FeedOptions

GENERIC = Path(__file__).resolve().parent.parent / "fixtures" / "generic"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DISCOURSE = FeedSource(
    "https://talk.example.org",
    FeedOptions(thread_feed="t/{thread}.rss", thread_id=r"/t/[^/]+/(\d+)", floor=r"/t/[^/]+/\d+/(\d+)$"),
)


def fixture(name: str) -> str:
    return (GENERIC / name).read_text(encoding="utf-8")


def test_discourse_board_feed() -> None:
    """Reads discourse_latest.rss."""
    board = DISCOURSE.parse_board(fixture("discourse_latest.rss"), DISCOURSE.board_url("latest.rss"), NOW)
    assert (board.board_id, board.board_name, board.page, board.page_count) == (
        "latest.rss",
        "示例社区 - 最新话题",
        1,
        1,
    )
    first, second = board.threads
    assert (first.thread_id, first.title, first.author) == (
        "42",
        "途乐旅行退款难，大家怎么处理的？",
        "tuile_victim",
    )
    assert first.url == "https://talk.example.org/t/topic/42"
    assert first.created_at == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert first.missing == {"replies", "views", "sticky"}
    assert (second.thread_id, second.title) == ("41", "Router R300 keeps dropping Wi-Fi & needs a reboot")


def test_discourse_thread_feed_oldest_first_with_quotes() -> None:
    """Reads discourse_topic_42.rss: newest-first items become posts by floor; the quote
    (<aside class=quote>) is kept apart."""
    assert DISCOURSE.reads_threads
    url = DISCOURSE.thread_url("42")
    assert url == "https://talk.example.org/t/42.rss"
    thread = DISCOURSE.parse_thread(fixture("discourse_topic_42.rss"), url, NOW)
    assert (thread.thread_id, thread.title, thread.page_count) == (
        "42",
        "途乐旅行退款难，大家怎么处理的？",
        1,
    )
    assert [(p.floor, p.author) for p in thread.posts] == [
        (1, "tuile_victim"),
        (2, "metoo_2026"),
        (3, "lawyer_chen"),
    ]
    assert thread.posts[1].text == "我也遇到了，交了一万二 & 客服不接电话。"
    lawyer = thread.posts[2]
    assert lawyer.text == "可以依据《旅游法》要求全额退款，并向文旅局投诉质量保证金。"
    assert lawyer.quoted == "行程取消后一直不退款。"
    assert lawyer.post_id == "talk.example.org-post-42-3" and lawyer.missing == frozenset()
    assert lawyer.posted_at == datetime(2026, 11, 23, 3, 20, tzinfo=UTC)


def test_thread_feed_without_floor_pattern_names_floor_missing() -> None:
    """Reads discourse_topic_42.rss with no floor pattern: feed order, and 'floor' in missing."""
    source = FeedSource("https://talk.example.org/", FeedOptions(thread_feed="t/{thread}.rss"))
    thread = source.parse_thread(fixture("discourse_topic_42.rss"), source.thread_url("42"), NOW)
    assert [p.floor for p in thread.posts] == [1, 2, 3]
    assert all(p.missing == {"floor"} for p in thread.posts)


def test_phpbb_atom_feed() -> None:
    """Reads phpbb_feed_f2.atom: Atom entries, +08:00 dates, thread ids from the links."""
    source = FeedSource("https://bbs.example.org/forum/", FeedOptions(thread_id=r"[?&]t=(\d+)"))
    assert not source.reads_threads
    board = source.parse_board(fixture("phpbb_feed_f2.atom"), source.board_url("app.php/feed/forum/2"), NOW)
    assert board.board_id == "app.php/feed/forum/2"
    first, second = board.threads
    assert (first.thread_id, first.author) == ("12", "退款无门")
    assert first.created_at == datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
    assert first.last_post_at == datetime(2026, 11, 23, 11, 40, tzinfo=UTC)
    assert second.title == "消费投诉 • 路由器 <R300> 总是掉线"


def test_read_feed_details() -> None:
    """Reads phpbb_feed_f2.atom and discourse_latest.rss through read_feed."""
    atom = read_feed(fixture("phpbb_feed_f2.atom"), "https://bbs.example.org/forum/app.php/feed/forum/2")
    assert atom.title == "示例生活社区" and atom.link == "https://bbs.example.org/forum/index.php"
    assert atom.entries[0].categories == ("消费投诉",)
    assert "三个月了一分没退。\n<p>统计" in atom.entries[0].summary_html
    rss = read_feed(fixture("discourse_latest.rss"), "https://talk.example.org/latest.rss")
    assert rss.entries[0].guid == "talk.example.org-topic-42"
    assert rss.entries[0].categories == ("消费维权",)


RSS1 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://bbs.example.net/"><title>旧论坛</title><link>https://bbs.example.net/</link></channel>
<item rdf:about="https://bbs.example.net/t/5"><title>第五帖</title><link>https://bbs.example.net/t/5</link>
<dc:creator>老王</dc:creator><dc:date>2026-11-23T08:00:00+08:00</dc:date><description>内容</description></item>
</rdf:RDF>"""


def test_rss_1_0() -> None:
    feed = read_feed(RSS1, "https://bbs.example.net/index.rdf")
    (entry,) = feed.entries
    assert (entry.title, entry.author, entry.link) == ("第五帖", "老王", "https://bbs.example.net/t/5")
    assert entry.published == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


BROKEN = """<?xml version="1.0" encoding="gbk"?>
<rss version="2.0"><channel><title>坏掉的 & 源</title>
<item><title>标题&nbsp;一</title><link>/thread-9-1-1.html</link><author>a@b.c (张三)</author>
<pubDate>not a date</pubDate><description>正文 &amp; <b>粗</b></description></item>
<item><title>截断的"""


def test_malformed_feed_is_read_as_far_as_it_goes() -> None:
    """A bare &, an undefined HTML entity, a bad date, an e-mail author and a cut-off end."""
    feed = read_feed(BROKEN, "https://bbs.example.com/forum.php?mod=rss")
    assert feed.title.startswith("坏掉的")
    first = feed.entries[0]
    assert first.title.startswith("标题")
    assert first.link == "https://bbs.example.com/thread-9-1-1.html"
    assert (first.author, first.published) == ("张三", None)


XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>&lol3;</title><link>/t/1</link></item></channel></rss>"""


def test_external_entities_and_entity_bombs_are_not_expanded() -> None:
    feed = read_feed(XXE, "https://evil.example/feed")
    assert "root:" not in feed.title
    assert len(feed.entries[0].title) < 100


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty feed"),
        ("   ", "empty feed"),
        ("<html><body>登录</body></html>", "not an RSS or Atom feed"),
        ("<rss version='2.0'></rss>", "without <channel>"),
        ("not xml at all", "not XML"),
    ],
)
def test_not_a_feed_is_a_parse_error(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        read_feed(text, "https://x/feed")


def test_thread_feed_entry_without_date_is_an_error() -> None:
    feed = "<rss><channel><title>t</title><item><title>x</title><link>https://talk.example.org/t/a/1/2</link></item></channel></rss>"
    with pytest.raises(ParseError, match="without a date"):
        DISCOURSE.parse_thread(feed, DISCOURSE.thread_url("1"), NOW)


def test_feed_source_without_thread_feed() -> None:
    source = FeedSource("https://bbs.example.org/forum")
    assert source.board_url("feed.php?f=2") == "https://bbs.example.org/forum/feed.php?f=2"
    assert source.thread_url("https://bbs.example.org/forum/viewtopic.php?t=12") == (
        "https://bbs.example.org/forum/viewtopic.php?t=12"
    )
    board = source.parse_board(fixture("discourse_latest.rss"), "https://elsewhere/latest.rss", NOW)
    assert board.board_id == "https://elsewhere/latest.rss"
    assert board.threads[0].thread_id == "https://talk.example.org/t/topic/42"
