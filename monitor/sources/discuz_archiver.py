"""Discuz! archiver (``archiver/?fid-N.html``, ``archiver/?tid-T.html``): the plain "lite"
pages Discuz serves for search engines.

* board list: ``#content li > a[href^=tid-]`` with ``(N篇回复)`` after it; the board name is
  the last step of ``#nav``; pager ``div.page`` (``<strong>[1]</strong>``, page links).
  Lacks authors, views, sticky marks and dates (``missing``).
* thread: ``#content`` holds, per post, ``p.author`` (``<strong>`` name, ``发表于 <span
  title="Y-m-d H:i:s">``, so dates are exact), an ``<h3>`` subject and the message as text
  with ``<br />``. Lacks post ids (stand-in ``#<floor>``), uids, views and replies; floors
  follow from the page number and the forum's posts per page.

Quotes: the archiver strips bbcode, so a quote is only the text ``XX 发表于 Y-m-d H:i`` on the
first line followed by the quoted lines. Discuz quotes at most three lines, the last cut with
`` ...``; the quote is read as the lines up to that mark, or the one line after the
attribution when no line carries it (a heuristic: a quoted short post of several lines
leaks its later lines into ``text``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.errors import ParseError
from monitor.sources import discuz_common as common
from monitor.sources.base import BoardPage, PostRecord, ThreadPage, ThreadSummary
from monitor.sources.markup import (
    Element,
    by_id,
    css,
    first,
    hrefs,
    is_element,
    parse_html,
    text_content,
    text_of,
)
from monitor.sources.plaintext import PostText, TextRules, split_text

BOARD_MISSING = frozenset({"author", "views", "sticky"})
POST_MISSING = frozenset({"post_id"})
_REPLIES = re.compile(r"\(\s*(\d+)\s*[^)]{0,20}\)")
_ATTRIBUTION = re.compile(r"^.{1,40}? 发表于 \d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}$")
_LINKS = css("#content li a[href]")
_NAV = css("#nav")
_NAV_LINKS = css("#nav a[href]")
_PAGER = css("div.page")
_CANONICAL = css("link[rel=canonical]")
_END_LINKS = css("#end a[href]")


def parse_archiver_board(
    html: str, url: str, now: datetime, tz: ZoneInfo, thread_url: Callable[[str], str]
) -> BoardPage:
    root = parse_html(html, url)
    common.refuse_notice(root, url)
    content = by_id(root, "content")
    if content is None or first(_NAV, root) is None:
        raise ParseError(url, "not a Discuz archiver page: no #nav/#content")
    threads = []
    for link in _LINKS(root):
        tid = common.match(common.TID, link.get("href") or "")
        if tid is None:
            continue
        replies = _REPLIES.search(link.tail or "")
        if replies is None:  # cut off after the title: the row is incomplete
            continue
        threads.append(
            ThreadSummary(
                thread_id=tid,
                title=text_content(link).strip(),
                author="",
                author_id=None,
                replies=int(replies.group(1)),
                views=0,
                sticky=False,
                url=thread_url(tid),
                missing=BOARD_MISSING,
            )
        )
    board_id = common.first_match(common.FID, [url, *hrefs(_END_LINKS(root))])
    if board_id is None:
        raise ParseError(url, "board id not found (URL or full-version link)")
    page, page_count = _pager(root, url)
    return BoardPage(board_id, _nav_last(root), page, page_count, threads)


def parse_archiver_thread(
    html: str, url: str, now: datetime, tz: ZoneInfo, posts_per_page: int
) -> ThreadPage:
    root = parse_html(html, url)
    common.refuse_notice(root, url)
    content = by_id(root, "content")
    if content is None:
        raise ParseError(url, "not a Discuz archiver page: no #content")
    thread_id = common.first_match(common.TID, [url, *hrefs(_CANONICAL(root)), *hrefs(_END_LINKS(root))])
    if thread_id is None:
        raise ParseError(url, "thread id not found (URL, canonical or full-version link)")
    heads = [e for e in content if e.tag == "p" and "author" in (e.get("class") or "").split()]
    if not heads:
        raise ParseError(url, "no post (p.author) on the archiver page")
    page, page_count = _pager(root, url)
    whole = by_id(root, "end") is not None
    posts = []
    for index, head in enumerate(heads):
        body = _message(head, whole)
        if body is None:  # the page ends inside this post
            break
        name, posted = head.find("strong"), head.find(".//span[@title]")
        cell = posted if posted is not None else head
        words = _split_quote(split_text(body, TextRules()))
        floor = (page - 1) * posts_per_page + index + 1
        author = text_of(name)
        posts.append(
            PostRecord(
                post_id=f"#{floor}",
                floor=floor,
                author="匿名" if author in ("", "Anonymous") else author,
                author_id=None,
                posted_at=common.cell_time(cell, now, tz, url),
                text=words.text,
                quoted=words.quoted,
                missing=POST_MISSING,
            )
        )
    if not posts:
        raise ParseError(url, "no complete post on the archiver page")
    nav = _NAV_LINKS(root)
    board_id = common.first_match(common.FID, hrefs(nav))
    return ThreadPage(thread_id, board_id, _nav_last(root), page, page_count, posts)


def _message(head: Element, whole: bool) -> Element | None:
    """The message after ``head`` (up to the next post or the pager) in a new ``<div>``;
    ``None`` when nothing follows it on a page that is not ``whole`` (cut off inside the post)."""
    box = head.makeelement("div", {})
    box.text = head.tail
    node = head.getnext()
    while node is not None:
        if is_element(node) and (node.tag in ("p", "div") and node.get("class") in ("author", "page")):
            return box
        if node.tag == "h3":
            box.text = node.tail
        else:
            box.append(copy.deepcopy(node))
        node = node.getnext()
    return box if whole else None


def _split_quote(words: PostText) -> PostText:
    lines = words.text.split("\n")
    if len(lines) < 3 or not _ATTRIBUTION.match(lines[0]):
        return words
    end = next((i for i in range(1, min(len(lines), 4)) if lines[i].rstrip().endswith("...")), 1)
    return PostText(text="\n".join(lines[end + 1 :]).strip("\n"), quoted="\n".join(lines[1 : end + 1]))


def _nav_last(root: Element) -> str:
    """The last step of the ``论坛 › 板块 › 主题`` trail."""
    return text_of(first(_NAV, root)).split("›")[-1].strip()


def _pager(root: Element, url: str) -> tuple[int, int]:
    box = first(_PAGER, root)
    if box is None:
        return 1, 1
    current_text = text_of(box.find(".//strong")).strip("[]")
    current = int(current_text) if current_text.isdigit() else int(common.match(common.PAGE, url) or 1)
    numbers = [int(n) for a in box.iter("a") for n in re.findall(r"\d+", text_content(a))]
    return current, max([current, *numbers])
