"""Every captured Discuz! page in tests/fixtures/discuz/ parses with the parser its name says,
reads the same with its Content-Type charset stripped, and reads the same in both charsets.

The ground-truth checks per format are in test_discuz.py, test_discuz_formats.py and
test_discuz_rounds.py; this module makes sure no fixture file is left unread and that the
GBK site's pages (HTML with <meta charset>, JSON with "Charset":"GBK", RSS with an XML
declaration) decode without any help from the HTTP header.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from monitor.sources.base import BoardPage, ThreadPage

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "discuz"
# Read by other tests: the crawler's rounds test, board discovery, robots.txt, ground truth, the
# boilerplate tests' opening posts.
READ_ELSEWHERE = {
    "forum_index.html",
    "rounds_truth.json",
    "ground_truth.json",
    "openings.json",
    "robots.txt",
    "README.md",
}
PAGES = sorted(
    str(p.relative_to(ROOT))
    for p in ROOT.rglob("*")
    if p.is_file() and not p.name.endswith(".headers.txt") and p.name not in READ_ELSEWHERE
)


def parse(discuz, path: str, text: str, now) -> BoardPage | ThreadPage:
    name = Path(path).name
    source = discuz.source(path)
    number = re.findall(r"(?:fid|tid|thread-|forum-)-?(\d+)", name)
    item = number[0] if number else None
    page_match = re.search(r"_p(\d+)\.", name)
    page = int(page_match.group(1)) if page_match else 1
    if name.startswith(("forumdisplay_", "rewrite_forum-")):
        return source.parse_board(text, source.board_url(item or "", page), now)
    if name.startswith(("viewthread_", "rewrite_thread-")):
        return source.parse_thread(text, source.thread_url(item or "", page), now)
    if name.startswith("printable_"):
        return source.parse_printable(text, source.printable_url(item or ""), now)
    if name.startswith("mobileapi_forumdisplay_"):
        return source.parse_api_board(text, source.api_board_url(item or "", page), now)
    if name.startswith("mobileapi_viewthread_"):
        return source.parse_api_thread(text, source.api_thread_url(item or "", page), now)
    if name.startswith("rss_"):
        return source.parse_rss(text, source.rss_url(item), now)
    if name.startswith("archiver_fid-"):
        return source.parse_archiver_board(text, source.archiver_board_url(item or ""), now)
    if name.startswith("archiver_tid-"):
        return source.parse_archiver_thread(text, source.archiver_thread_url(item or ""), now)
    raise AssertionError(f"no parser for fixture {path}: add one here or to READ_ELSEWHERE")


def test_the_fixture_list_is_not_empty() -> None:
    assert len(PAGES) > 80


@pytest.mark.parametrize("path", PAGES)
def test_fixture_parses_with_and_without_its_header_charset(discuz, path: str) -> None:
    """Reads <path> decoded as served, and with no Content-Type at all."""
    captured = discuz.captured(path)
    served = parse(discuz, path, captured.text(), captured.now)
    if isinstance(served, BoardPage):
        assert served.threads or served.provisional
    else:
        assert served.posts
    headerless = parse(discuz, path, captured.text(content_type=None), captured.now)
    assert headerless == served


def _content(result: BoardPage | ThreadPage) -> object:
    """What both charsets share: everything but dates, view counts and the site's own URLs."""
    if isinstance(result, BoardPage):
        rows = [(t.thread_id, t.title, t.author, t.author_id, t.replies, t.sticky) for t in result.threads]
        return (result.board_id, result.board_name, result.page, result.page_count, rows)
    posts = [dataclasses.replace(p, posted_at=None) for p in result.posts]
    return (result.thread_id, result.board_id, result.title, result.page, result.page_count, posts)


BOTH = sorted(p.removeprefix("utf8/") for p in PAGES if p.startswith("utf8/") and f"gbk/{p[5:]}" in PAGES)


@pytest.mark.parametrize("path", BOTH)
def test_both_charsets_read_the_same(discuz, path: str) -> None:
    """Reads utf8/<path> and gbk/<path>: the same forum content, so the same words."""
    utf8, gbk = discuz.captured(f"utf8/{path}"), discuz.captured(f"gbk/{path}")
    a = parse(discuz, f"utf8/{path}", utf8.text(content_type=None), utf8.now)
    b = parse(discuz, f"gbk/{path}", gbk.text(content_type=None), gbk.now)
    assert _content(a) == _content(b)
