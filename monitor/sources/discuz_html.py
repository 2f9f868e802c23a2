"""Discuz! X web pages: board lists (``forumdisplay``) and thread pages (``viewthread``).

What it reads (guest view of the default template, plain and rewritten URLs alike):

* both pages: the pager ``div.pg`` (``<strong>`` = current page, links and ``共 N 页`` give
  the count; no pager = one page); a ``#messagetext`` notice (deleted thread, login wall,
  no permission) is a :class:`ParseError`.
* board list: ``table#threadlisttableid`` (``summary="forum_<fid>"``) with one ``tbody`` per
  thread, ``stickthread_<tid>`` or ``normalthread_<tid>``: title ``a.xst``, first ``td.by``
  (author ``cite a`` with ``uid``, created date ``em``), ``td.num`` (replies ``a``, views
  ``em``), second ``td.by`` (last post time); board name ``h1.xs2 > a``.
* thread page: ``#thread_subject``, the breadcrumb ``#pt`` (board and thread ids),
  ``#postlist .hm.ptn`` (查看/回复, page 1 only) and one ``div#post_<pid>`` per post: author
  in ``td.pls .authi``, floor in ``a#postnum<pid>`` (``<em>N</em><sup>#</sup>``, or the
  ``postno`` names 楼主/沙发/板凳/地板 for floors 1-4), date in ``em#authorposton<pid>``,
  words in ``td#postmessage_<pid>`` (see :mod:`monitor.sources.discuz_text`).

A page cut off mid-download keeps only the items that something follows in the markup, so
a half-read last row or post is dropped instead of returned with missing words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.errors import ParseError
from monitor.sources import discuz_common as common
from monitor.sources.base import BoardPage, PostRecord, ThreadPage, ThreadSummary
from monitor.sources.discuz_text import post_text
from monitor.sources.markup import (
    Element,
    by_id,
    by_ids,
    complete,
    css,
    first,
    hrefs,
    inside,
    parse_html,
    text_content,
    text_of,
)

_THREAD_ROW = re.compile(r"^(stick|normal)thread_(\d+)$")
_POST_DIV = re.compile(r"^post_(\d+)$")
_SUMMARY_FID = re.compile(r"^forum_(\d+)$")
# The ids of a post's parts, each followed by the pid: sidebar, floor label, date, words.
_POST_PARTS = ("favatar", "postnum", "authorposton", "postmessage_")

_ROW_TITLE = css("th a.xst")
_ROW_BY = css("td.by")
_ROW_NUM = css("td.num")
_HEADINGS = (css("div.bm_h h1 a"), css("h1.xs2 a"))
_POST_DIVS = css("div[id^='post_']")
_SIDEBARS = (css("td.pls .authi"), css("td.pls .pi"))
_LOCKED = css(".locked")
_REPLY_LINKS = css("a.fastre")
_HEADER_COUNTS = css("div.hm.ptn")
_COUNT_LABELS = css("span.xg1")


def parse_forumdisplay(
    html: str, url: str, now: datetime, tz: ZoneInfo, thread_url: Callable[[str], str]
) -> BoardPage:
    root = parse_html(html, url)
    common.refuse_notice(root, url)
    table = by_id(root, "threadlisttableid")
    if table is None or table.tag != "table":
        raise ParseError(url, "not a Discuz board list: no table#threadlisttableid")
    rows = [row for row in table.iterchildren("tbody") if _THREAD_ROW.fullmatch(row.get("id") or "")]
    threads = [_thread_row(row, url, now, tz, thread_url) for row in complete(rows)]
    heading = first(_HEADINGS[0], root)
    if heading is None:
        heading = first(_HEADINGS[1], root)
    board_id = (
        common.match(_SUMMARY_FID, table.get("summary") or "")
        or common.match(common.FID, heading.get("href") or "" if heading is not None else "")
        or common.match(common.FID, url)
    )
    if board_id is None:
        raise ParseError(url, "board id not found (table summary, heading link or URL)")
    page, page_count = common.pager(root, url)
    return BoardPage(board_id, text_of(heading), page, page_count, threads)


def _thread_row(
    row: Element, url: str, now: datetime, tz: ZoneInfo, thread_url: Callable[[str], str]
) -> ThreadSummary:
    found = _THREAD_ROW.fullmatch(row.get("id") or "")
    assert found is not None, "rows are selected by this pattern"
    kind, tid = found.groups()
    title = first(_ROW_TITLE, row)
    by = _ROW_BY(row)
    num = first(_ROW_NUM, row)
    if title is None or not by or num is None:
        raise ParseError(url, f"thread row {tid}: missing title, author or counts cell")
    name, uid = common.author(by[0].find(".//cite"))
    return ThreadSummary(
        thread_id=tid,
        title=text_content(title).strip(),
        author=name,
        author_id=uid,
        replies=common.count(text_of(num.find(".//a")), url, f"replies of thread {tid}"),
        views=common.count(text_of(num.find(".//em")), url, f"views of thread {tid}"),
        sticky=kind == "stick",
        url=thread_url(tid),
        created_at=common.cell_time_or_none(by[0].find(".//em"), now, tz, url),
        last_post_at=common.cell_time_or_none(by[-1].find(".//em") if len(by) > 1 else None, now, tz, url),
    )


def parse_viewthread(html: str, url: str, now: datetime, tz: ZoneInfo) -> ThreadPage:
    root = parse_html(html, url)
    common.refuse_notice(root, url)
    postlist = by_id(root, "postlist")
    if postlist is None:
        raise ParseError(url, "not a Discuz thread page: no #postlist")
    divs = [d for d in postlist.iterchildren("div") if _POST_DIV.fullmatch(d.get("id") or "")]
    if not divs:  # a template that wraps the posts: search deeper
        divs = [d for d in _POST_DIVS(postlist) if _POST_DIV.fullmatch(d.get("id") or "")]
    divs = complete(divs)
    if not divs:
        raise ParseError(url, "no complete post in #postlist")
    subject = by_id(root, "thread_subject")
    if subject is None:
        raise ParseError(url, "thread title (#thread_subject) not found")
    crumbs = by_id(root, "pt")
    breadcrumb = list(reversed(hrefs(crumbs.iter("a")))) if crumbs is not None else []
    thread_id = common.first_match(common.TID, [*breadcrumb, url])
    board_id = common.first_match(common.FID, breadcrumb)
    if thread_id is None or board_id is None:  # reply links carry both
        reply_links = hrefs(_REPLY_LINKS(postlist))
        thread_id = thread_id or common.first_match(common.TID, reply_links)
        board_id = board_id or common.first_match(common.FID, reply_links)
    if thread_id is None:
        raise ParseError(url, "thread id not found (breadcrumb, URL or reply links)")
    page, page_count = common.pager(root, url)
    # A post block the page repeats (the same ``div#post_<pid>`` twice) is one post: the first is read.
    first_of: dict[str, Element] = {}
    for div in divs:
        first_of.setdefault((div.get("id") or "").removeprefix("post_"), div)
    pids, divs = list(first_of), list(first_of.values())
    parts = by_ids(root, (f"{kind}{pid}" for pid in pids for kind in _POST_PARTS))
    raw = [_post(div, pid, parts, url, now, tz) for div, pid in zip(divs, pids, strict=True)]
    posts = common.number_floors(raw, url)
    counts = _header_counts(postlist)
    return ThreadPage(
        thread_id=thread_id,
        board_id=board_id,
        title=text_content(subject).strip(),
        page=page,
        page_count=page_count,
        posts=posts,
        replies=counts.get("回复"),
        views=counts.get("查看"),
    )


def _post(
    div: Element, pid: str, parts: dict[str, Element], url: str, now: datetime, tz: ZoneInfo
) -> tuple[PostRecord, str]:
    """The post in ``div`` with floor 0, and the floor label (``5``, ``楼主``...). ``parts``
    holds the page's elements by id; one that is not inside ``div`` is not this post's."""

    def part(kind: str) -> Element | None:
        element = parts.get(f"{kind}{pid}")
        if element is None or inside(element, div):
            return element
        # The page repeats the id elsewhere first (a duplicated block): look inside this post only.
        return next((e for e in div.iterdescendants() if e.get("id") == f"{kind}{pid}"), None)

    avatar = part("favatar")
    sidebar = avatar.find(".//div[@class='authi']") if avatar is not None else None
    for fallback in _SIDEBARS:
        if sidebar is None:
            sidebar = first(fallback, div)
    if sidebar is None:
        raise ParseError(url, f"post {pid}: author not found")
    name, uid = common.author(sidebar)
    label = part("postnum")
    posted = part("authorposton")
    if posted is None:
        raise ParseError(url, f"post {pid}: no #authorposton{pid}")
    posted_at = common.cell_time(posted, now, tz, url)
    message = part("postmessage_")
    if message is not None:
        body = post_text(message)
        text, quoted = body.text, body.quoted
    elif _LOCKED(div):  # banned author or hidden post: no words to read
        text, quoted = "", ""
    else:
        raise ParseError(url, f"post {pid}: no #postmessage_{pid}")
    record = PostRecord(pid, 0, name, uid, posted_at, text, quoted)
    return record, text_of(label).replace(" ", "")


def _header_counts(postlist: Element) -> dict[str, int]:
    """``{"查看": views, "回复": replies}`` from the box above the first post (page 1 only)."""
    counts: dict[str, int] = {}
    head = next(postlist.iterchildren("table"), None)  # the box sits in the table before the posts
    box = first(_HEADER_COUNTS, head) if head is not None else None
    if box is None:
        return counts
    for label in _COUNT_LABELS(box):
        value = next((s for s in label.itersiblings("span") if "xi1" in (s.get("class") or "").split()), None)
        text = text_of(value)
        if text.isdigit():
            counts[text_of(label).rstrip(":：")] = int(text)
    return counts
