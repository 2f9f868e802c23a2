"""Property tests: no input crashes or hangs a parser. Arbitrary bytes through decode_page and
then every parser, arbitrary text, and captured pages mutated (cut, spliced, duplicated,
garbage inserted) — each parser returns its value object or raises ParseError, nothing
else, within the deadline.

Fixtures: a sample of tests/fixtures/discuz/ (each format, both charsets) and
tests/fixtures/generic/ pages, mutated.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.fetch.decode import decode_page
from monitor.sources.base import BoardPage, ThreadPage
from monitor.sources.discuz import DiscuzSource
from monitor.sources.feed import FeedSource, read_feed
from monitor.sources.generic import GenericSource
from monitor.sources.generic_config import FeedOptions, GenericSelectors
from monitor.sources.timeparse import parse_any_time, parse_forum_time

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOW = datetime(2026, 11, 23, 12, 7, 38, tzinfo=UTC)
DISCUZ = DiscuzSource("http://127.0.0.1:8081/")
PHPBB = GenericSource(
    "https://bbs.example.org/forum/",
    GenericSelectors.model_validate(
        {
            "board_url": "viewforum.php?f={board}&start={start}",
            "thread_url": "viewtopic.php?t={thread}&start={start}",
            "thread_id": r"[?&]t=(\d+)",
            "board": {
                "row": "li.row",
                "link": "a.topictitle",
                "replies": "dd.posts",
                "views": "dd.views",
                "last_post": "dd.lastpost time @datetime",
                "sticky": "li.sticky",
            },
            "thread": {
                "post": "div.post",
                "title": "h2",
                "post_id": {"attr": "id", "pattern": r"p(\d+)"},
                "author": "a.username",
                "time": "time @datetime",
                "text": "div.content",
                "quote": "blockquote",
                "quote_attribution": "cite",
                "floor": "span.floor",
            },
            "pager": {"page_count": ".pagination ul", "next_page": "a[rel=next]"},
        }
    ),
    posts_per_page=3,
)
FEEDS = FeedSource("https://talk.example.org/", FeedOptions(thread_feed="t/{thread}.rss", floor=r"/(\d+)$"))

PARSERS: list[Callable[[str, str, datetime], BoardPage | ThreadPage]] = [
    DISCUZ.parse_board,
    DISCUZ.parse_thread,
    DISCUZ.parse_printable,
    DISCUZ.parse_api_board,
    DISCUZ.parse_api_thread,
    DISCUZ.parse_rss,
    DISCUZ.parse_archiver_board,
    DISCUZ.parse_archiver_thread,
    PHPBB.parse_board,
    PHPBB.parse_thread,
    FEEDS.parse_board,
    FEEDS.parse_thread,
]
URLS = [
    "http://127.0.0.1:8081/forum.php?mod=viewthread&tid=2&page=2",
    "https://bbs.example.org/forum/viewtopic.php?t=12&start=3",
]
SAMPLES = [
    "discuz/utf8/forumdisplay_fid2_p1.html",
    "discuz/gbk/viewthread_tid2_p1.html",
    "discuz/utf8/printable_tid2.html",
    "discuz/gbk/mobileapi_viewthread_tid2_p1.json",
    "discuz/utf8/mobileapi_forumdisplay_fid2.json",
    "discuz/gbk/rss_fid2.xml",
    "discuz/utf8/archiver_tid-2.html",
    "discuz/gbk/archiver_fid-2.html",
    "generic/phpbb_viewforum_f2.html",
    "generic/phpbb_viewtopic_t12.html",
    "generic/discourse_topic_42.rss",
    "generic/phpbb_feed_f2.atom",
]
PAGES = {name: decode_page((FIXTURES / name).read_bytes(), None) for name in SAMPLES}
FUZZ = settings(
    max_examples=60,
    database=None,  # no .hypothesis/ folder in the work tree; a failure prints its seed
    deadline=timedelta(seconds=3),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def every_parser_survives(text: str) -> None:
    for parse in PARSERS:
        for url in URLS:
            try:
                result = parse(text, url, NOW)
            except ParseError:
                continue
            assert isinstance(result, BoardPage | ThreadPage)


CONTENT_TYPES = st.sampled_from(
    [
        None,
        "text/html",
        "text/html; charset=gbk",
        "text/html; charset=utf-8",
        "application/json",
        "text/html; charset=big5",
        "text/html; charset=x-unknown",
        "application/xml; charset=utf-16",
    ]
)


@FUZZ
@given(body=st.binary(max_size=4096), content_type=CONTENT_TYPES)
def test_arbitrary_bytes(body: bytes, content_type: str | None) -> None:
    text = decode_page(body, content_type)
    assert isinstance(text, str)
    every_parser_survives(text)


MARKUP = st.sampled_from(
    [
        '<div id="postlist">',
        '<div id="post_1">',
        '<table id="threadlisttableid">',
        '<tbody id="normalthread_5">',
        '<td class="t_f" id="postmessage_1">',
        '<em id="authorposton1">',
        "<hr noshade>",
        "<b>作者: </b>",
        "<br />",
        "<rss><channel>",
        "<item>",
        "<entry>",
        "<feed>",
        '{"Variables":{"thread":',
        '"postlist":[',
        "</div>",
        "]}}",
        '<li class="row">',
        '<a class="topictitle" href="?t=1">',
        '<div class="post" id="p1">',
        '<time datetime="x">',
        "&amp;",
        "&#0;",
        "\x00",
        "前天 17:07",
        "2026-13-45 25:61",
        "99999999999 天前",
        '<p class="author">',
        "<h3>",
    ]
)


@FUZZ
@given(pieces=st.lists(st.one_of(st.text(max_size=40), MARKUP), max_size=60))
def test_arbitrary_text_with_forum_markup(pieces: list[str]) -> None:
    every_parser_survives("".join(pieces))


@st.composite
def mutated_page(draw: st.DrawFn) -> str:
    text = PAGES[draw(st.sampled_from(SAMPLES))]
    for _ in range(draw(st.integers(1, 4))):
        size = len(text)
        start = draw(st.integers(0, size))
        end = draw(st.integers(start, min(size, start + 2000)))
        action = draw(st.sampled_from(["cut", "delete", "insert", "duplicate", "replace"]))
        if action == "cut":
            text = text[:start]
        elif action == "delete":
            text = text[:start] + text[end:]
        elif action == "insert":
            text = text[:start] + draw(st.one_of(st.text(max_size=50), MARKUP)) + text[start:]
        elif action == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        else:
            text = text[:start] + draw(st.text(max_size=20)) + text[end:]
    return text


@FUZZ
@given(text=mutated_page())
def test_mutated_captured_pages(text: str) -> None:
    every_parser_survives(text)


@FUZZ
@given(text=st.text(max_size=200))
def test_read_feed_and_times_only_raise_their_errors(text: str) -> None:
    with contextlib.suppress(ParseError):
        read_feed(text, "https://x/feed")
    for parse_time in (parse_forum_time, parse_any_time):
        with contextlib.suppress(ValueError):
            parse_time(text, NOW, DISCUZ.tz)


def test_pathological_inputs_finish_quickly() -> None:
    """Inputs that make naive regexes or recursion blow up: deep nesting, runs without '>'."""
    hostile = [
        "<div>" * 50_000 + "x",
        "<hr " * 20_000,
        "<b>作者: </b>" * 10_000,
        "<hr noshade>" + "<b>a:</b>" * 5_000,
        "<title>" * 20_000,
        "(" * 50_000,
        '{"Variables":' * 5_000,
        "[" * 100_000,
        "<rss><channel>" + "<item>" * 20_000,
    ]
    for text in hostile:
        started = datetime.now(UTC)
        every_parser_survives(text)
        assert datetime.now(UTC) - started < timedelta(seconds=10), text[:40]
