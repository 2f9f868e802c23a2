"""GenericSource (engine ``generic``) configured with the example entries of docs/sources.md:
a phpBB-style forum (tests/fixtures/generic/phpbb_*.html, handwritten after phpBB 3.3
prosilver) and Discuz! itself (tests/fixtures/discuz/, where it must read exactly what the
Discuz! adapter reads). The examples are taken from the doc, so the doc cannot drift.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from monitor.errors import ParseError
from monitor.sources.discuz import DiscuzSource
from monitor.sources.generic import GenericSource
from monitor.sources.generic_config import Extract, GenericSelectors

ROOT = Path(__file__).resolve().parents[2]
GENERIC = ROOT / "tests" / "fixtures" / "generic"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def doc_example(name: str) -> dict[str, Any]:
    """The source entry under ``<!-- example: name -->`` in docs/sources.md."""
    doc = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- example: {re.escape(name)} -->\n```yaml\n(.*?)```", doc, re.S)
    assert found, f"example {name} not in docs/sources.md"
    (entry,) = yaml.safe_load(found.group(1))["sources"]
    return entry


def source_from(entry: dict[str, Any]) -> GenericSource:
    selectors = GenericSelectors.model_validate(entry["selectors"])
    return GenericSource(entry["base_url"], selectors, posts_per_page=entry.get("posts_per_page", 10))


PHPBB = source_from(doc_example("phpbb"))


def page(name: str) -> str:
    return (GENERIC / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- phpBB-style forum


def test_phpbb_board_list() -> None:
    """Reads phpbb_viewforum_f2.html: a sticky announcement and two topics, page 1 of 2."""
    url = PHPBB.board_url("2")
    assert url == "https://bbs.example.org/forum/viewforum.php?f=2&start=0"
    board = PHPBB.parse_board(page("phpbb_viewforum_f2.html"), url, NOW)
    assert (board.board_id, board.board_name, board.page, board.page_count) == ("2", "消费投诉", 1, 2)
    sticky, hot, quiet = board.threads
    assert (sticky.thread_id, sticky.title, sticky.sticky, sticky.replies, sticky.views) == (
        "3",
        "【置顶】发帖须知 & 版规",
        True,
        0,
        1520,
    )
    assert (hot.thread_id, hot.author, hot.author_id, hot.replies, hot.views, hot.sticky) == (
        "12",
        "退款无门",
        "57",
        4,
        1200,
        False,
    )
    assert hot.url == "https://bbs.example.org/forum/viewtopic.php?t=12"
    assert hot.created_at == datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
    assert hot.last_post_at == datetime(2026, 11, 23, 11, 40, tzinfo=UTC)
    assert quiet.title == "路由器 <R300> 总是掉线"
    assert all(t.missing == frozenset() for t in board.threads)
    assert PHPBB.board_url("2", 2) == "https://bbs.example.org/forum/viewforum.php?f=2&start=20"


def test_phpbb_topic_pages() -> None:
    """Reads phpbb_viewtopic_t12.html (posts 1-3) and phpbb_viewtopic_t12_start3.html (posts 4-5)."""
    first = PHPBB.parse_thread(page("phpbb_viewtopic_t12.html"), PHPBB.thread_url("12"), NOW)
    assert (first.thread_id, first.board_id, first.title, first.page, first.page_count) == (
        "12",
        "2",
        "途乐旅行退款拖了三个月，有人一起维权吗？",
        1,
        2,
    )
    opening, metoo, advice = first.posts
    assert (opening.post_id, opening.floor, opening.author, opening.author_id) == ("101", 1, "退款无门", "57")
    assert opening.text == (
        "8月报了途乐旅行的日本团，团费 2万8，行程取消后说15个工作日退款。\n"
        "现在三个月了一分没退，客服电话打不通。\n\n有同样情况的吗？一起去12315投诉。"
    )  # the signature is outside div.content
    assert (metoo.text, metoo.quoted) == (
        "我也遇到了！交了9800，一样不退。",
        "有同样情况的吗？一起去12315投诉。",
    )
    assert advice.text == "建议先整理合同和付款记录 & 聊天截图。"  # the attachment box is dropped
    assert advice.posted_at == datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    url = PHPBB.thread_url("12", 2)
    assert url == "https://bbs.example.org/forum/viewtopic.php?t=12&start=3"
    second = PHPBB.parse_thread(page("phpbb_viewtopic_t12_start3.html"), url, NOW)
    assert (second.page, second.page_count) == (2, 2)
    assert [(p.post_id, p.floor, p.author) for p in second.posts] == [
        ("104", 4, "记者小周"),
        ("105", 5, "老李"),
    ]


def test_phpbb_login_page_is_a_parse_error() -> None:
    """Reads phpbb_login.html where a topic was expected (the example's refuse: form#login)."""
    with pytest.raises(ParseError, match="refused page"):
        PHPBB.parse_thread(page("phpbb_login.html"), PHPBB.thread_url("12"), NOW)
    with pytest.raises(ParseError, match="refused page"):
        PHPBB.parse_board(page("phpbb_login.html"), PHPBB.board_url("2"), NOW)


def test_login_page_without_refuse_selector_is_still_an_error() -> None:
    """Reads phpbb_login.html with no refuse selectors: a password field and no content."""
    entry = doc_example("phpbb")
    entry["selectors"]["refuse"] = []
    source = source_from(entry)
    with pytest.raises(ParseError, match="login page"):
        source.parse_thread(page("phpbb_login.html"), source.thread_url("12"), NOW)
    with pytest.raises(ParseError, match="login page"):
        source.parse_board(page("phpbb_login.html"), source.board_url("2"), NOW)


def test_minimal_selectors_name_what_is_missing() -> None:
    """Reads phpbb_viewforum_f2.html and phpbb_viewtopic_t12.html with only the required selectors."""
    selectors = GenericSelectors.model_validate(
        {
            "board_url": "viewforum.php?f={board}&start={start}",
            "thread_url": "viewtopic.php?t={thread}&start={start}",
            "board": {"row": "li.row", "link": "a.topictitle"},
            "thread": {
                "post": "div.post",
                "title": "h2",
                "author": "a.username",
                "time": "time @datetime",
                "text": "div.content",
            },
        }
    )
    source = GenericSource("https://bbs.example.org/forum/", selectors, posts_per_page=3)
    board = source.parse_board(page("phpbb_viewforum_f2.html"), source.board_url("2"), NOW)
    assert [t.thread_id for t in board.threads] == ["3", "12", "11"]  # read back from the template
    assert all(t.missing == {"replies", "views", "sticky"} for t in board.threads)
    thread = source.parse_thread(page("phpbb_viewtopic_t12_start3.html"), source.thread_url("12", 2), NOW)
    assert thread.page == 2  # from start=3 in the URL
    assert [(p.post_id, p.floor) for p in thread.posts] == [("#4", 4), ("#5", 5)]
    assert all(p.missing == {"post_id"} for p in thread.posts)


# ---------------------------------------------------------------- Discuz! by selectors

DISCUZ_PAGES = [
    "forumdisplay_fid2_p1",
    "forumdisplay_fid2_p2",
    "forumdisplay_fid3_p1",
    "viewthread_tid2_p1",
    "viewthread_tid2_p4",
    "viewthread_tid27_p1",
    "viewthread_tid30_p1",
    "viewthread_tid4_p1",
]


@pytest.mark.parametrize("charset", ["utf8", "gbk"])
@pytest.mark.parametrize("name", DISCUZ_PAGES)
def test_discuz_by_selectors_reads_what_the_discuz_adapter_reads(discuz, charset: str, name: str) -> None:
    """Reads tests/fixtures/discuz/<charset>/<name>.html with docs/sources.md's discuz-generic entry."""
    entry = doc_example("discuz-generic")
    source = source_from({**entry, "base_url": "http://127.0.0.1:8081/"})
    reference = DiscuzSource("http://127.0.0.1:8081/")
    html, now = discuz.page(f"{charset}/{name}.html")
    number, page_number = (int(n) for n in re.findall(r"\d+", name))
    if name.startswith("forumdisplay"):
        url = source.board_url(str(number), page_number)
        got, want = source.parse_board(html, url, now), reference.parse_board(html, url, now)
        assert (got.board_id, got.board_name, got.page, got.page_count) == (
            want.board_id,
            want.board_name,
            want.page,
            want.page_count,
        )
        strip = [dataclasses.replace(t, url="") for t in want.threads]
        assert [dataclasses.replace(t, url="") for t in got.threads] == strip
    else:
        url = source.thread_url(str(number), page_number)
        got, want = source.parse_thread(html, url, now), reference.parse_thread(html, url, now)
        assert dataclasses.replace(got, posts=[]) == dataclasses.replace(want, posts=[])
        assert got.posts == want.posts


def test_discuz_message_page_refused_by_selector(discuz) -> None:
    """The discuz-generic entry's refuse: #messagetext on a handwritten Discuz login notice."""
    source = source_from(doc_example("discuz-generic"))
    notice = (
        '<html><body><div id="messagetext" class="alert_info">'
        "<p>您需要登录才可以访问本版块</p></div></body></html>"
    )
    with pytest.raises(ParseError, match="需要登录"):
        source.parse_thread(notice, source.thread_url("9"), NOW)


# ---------------------------------------------------------------- configuration


def test_extract_shorthands() -> None:
    selectors = GenericSelectors.model_validate(
        {
            "board_url": "b/{board}",
            "thread_url": "t/{thread}",
            "board": {
                "row": "li",
                "link": "a",
                "author": "span.by @title",
                "views": ["em", {"attr": "data-v"}],
            },
            "thread": {"post": "div", "title": "h1", "author": "b", "time": "@data-time", "text": "p"},
        }
    )
    assert selectors.board.author == (Extract(css="span.by", attr="title"),)
    assert selectors.board.views == (Extract(css="em"), Extract(attr="data-v"))
    assert selectors.thread.time == (Extract(css="", attr="data-time"),)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"board_url": "f/{forum}"}, "unknown placeholder {forum}"),
        ({"thread_id": "t=(\\d+"}, "bad regular expression"),
        ({"thread_id": "(a)(b)"}, "at most one group"),
        ({"board": {"row": "li[", "link": "a"}}, "bad CSS selector"),
        ({"board": {"row": "li", "link": {"css": "a", "colour": "red"}}}, "Extra inputs"),
    ],
)
def test_bad_selectors_are_reported_at_load(change: dict[str, Any], message: str) -> None:
    entry = doc_example("phpbb")["selectors"]
    with pytest.raises(ValidationError, match=re.escape(message)):
        GenericSelectors.model_validate({**entry, **change})


def test_doc_examples_load_as_sources_file_entries() -> None:
    """docs/sources.md's examples validate as entries of the sources file itself."""
    from monitor.config.files import SourceConfig, SourcesFile

    if "selectors" not in SourceConfig.model_fields:
        pytest.skip(
            "SourceConfig has no 'selectors'/'feed' fields yet (GenericSelectors/FeedOptions to hook in)"
        )
    entries = [doc_example(name) for name in ("phpbb", "discuz-generic", "discourse")]
    assert len(SourcesFile.model_validate({"sources": entries}).sources) == 3


def test_an_unreadable_list_date_is_a_warning_once_and_the_row_kept(caplog: pytest.LogCaptureFixture) -> None:
    """A list date the entry cannot read leaves the row's date empty; ops are told once (a warning
    naming ``time_formats``), not by a debug line per row they never see."""
    source = source_from(doc_example("phpbb"))
    html = re.sub(r'datetime="[^"]+"', 'datetime="bald nach Mitternacht"', page("phpbb_viewforum_f2.html"))
    with caplog.at_level(logging.DEBUG, logger="monitor.sources.generic"):
        first = source.parse_board(html, source.board_url("2"), NOW)
        again = source.parse_board(html, source.board_url("2"), NOW)
    assert [t.thread_id for t in first.threads] == ["3", "12", "11"] == [t.thread_id for t in again.threads]
    assert all(t.created_at is None and t.last_post_at is None for t in first.threads)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1
    assert "bald nach Mitternacht" in warned[0] and "selectors.time_formats" in warned[0]
    assert sum(r.levelno == logging.DEBUG and "list date" in r.getMessage() for r in caplog.records) == 11
