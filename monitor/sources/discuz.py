"""Discuz! X (X3.x) HTML adapter: board lists (``forumdisplay``) and thread pages (``viewthread``).

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

import dataclasses
import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from monitor.errors import ParseError
from monitor.sources.base import BoardPage, PostRecord, ThreadPage, ThreadSummary
from monitor.sources.discuz_text import post_text
from monitor.sources.timeparse import parse_forum_time

logger = logging.getLogger(__name__)

_THREAD_ROW = re.compile(r"^(stick|normal)thread_(\d+)$")
_POST_DIV = re.compile(r"^post_(\d+)$")
_UID = re.compile(r"(?:[?&;]uid=|space-uid-)(\d+)")
_TID = re.compile(r"(?:[?&;]tid=|\bthread-)(\d+)")
_FID = re.compile(r"(?:[?&;]fid=|\bforum-)(\d+)")
_SUMMARY_FID = re.compile(r"^forum_(\d+)$")
_PAGE = re.compile(r"(?:[?&;]page=|\bforum-\d+-|\bthread-\d+-)(\d+)")
_TOTAL_PAGES = re.compile(r"(?:共|/)\s*(\d+)\s*页")
# Discuz's default ``postno`` setting: how floors 1-4 are labelled instead of "N#".
_FLOOR_NAMES = {"楼主": 1, "沙发": 2, "板凳": 3, "地板": 4}


class DiscuzSource:
    """A Discuz! X forum at ``base_url`` (its root, where ``forum.php`` lives)."""

    engine = "discuz"

    def __init__(self, base_url: str, timezone: str = "Asia/Shanghai") -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.tz = ZoneInfo(timezone)

    def board_url(self, board_id: str, page: int = 1) -> str:
        return f"{self.base_url}forum.php?mod=forumdisplay&fid={board_id}&page={page}"

    def thread_url(self, thread_id: str, page: int = 1) -> str:
        return f"{self.base_url}forum.php?mod=viewthread&tid={thread_id}&page={page}"

    def parse_board(self, html: str, url: str, now: datetime) -> BoardPage:
        soup = _soup(html, url)
        table = soup.find("table", id="threadlisttableid")
        if not isinstance(table, Tag):
            raise ParseError(url, "not a Discuz board list: no table#threadlisttableid")
        rows = [r for r in table.find_all("tbody", id=_THREAD_ROW) if isinstance(r, Tag)]
        threads = [self._thread_row(row, url, now) for row in _complete(rows)]
        heading = soup.select_one("div.bm_h h1 a") or soup.select_one("h1.xs2 a")
        board_id = (
            _match(_SUMMARY_FID, str(table.get("summary", "")))
            or _match(_FID, _href(heading))
            or _match(_FID, url)
        )
        if board_id is None:
            raise ParseError(url, "board id not found (table summary, heading link or URL)")
        page, page_count = _pager(soup, url)
        name = heading.get_text(" ", strip=True) if heading else ""
        return BoardPage(board_id, name, page, page_count, threads)

    def parse_thread(self, html: str, url: str, now: datetime) -> ThreadPage:
        soup = _soup(html, url)
        postlist = soup.find(id="postlist")
        if not isinstance(postlist, Tag):
            raise ParseError(url, "not a Discuz thread page: no #postlist")
        divs = [d for d in postlist.find_all("div", id=_POST_DIV) if isinstance(d, Tag)]
        divs = _complete(divs)
        if not divs:
            raise ParseError(url, "no complete post in #postlist")
        subject = soup.find(id="thread_subject")
        if subject is None:
            raise ParseError(url, "thread title (#thread_subject) not found")
        breadcrumb = [_href(a) for a in soup.select("#pt a")]
        reply_links = [_href(a) for a in postlist.select("a.fastre")]
        thread_id = _first(_TID, [*reversed(breadcrumb), *reply_links, url])
        if thread_id is None:
            raise ParseError(url, "thread id not found (breadcrumb, reply links or URL)")
        board_id = _first(_FID, [*reversed(breadcrumb), *reply_links])
        page, page_count = _pager(soup, url)
        raw = [self._post(div, url, now) for div in divs]
        posts = _number_floors(raw, url)
        counts = _header_counts(postlist)
        return ThreadPage(
            thread_id=thread_id,
            board_id=board_id,
            title=subject.get_text(strip=True),
            page=page,
            page_count=page_count,
            posts=posts,
            replies=counts.get("回复"),
            views=counts.get("查看"),
        )

    def _thread_row(self, row: Tag, url: str, now: datetime) -> ThreadSummary:
        kind, tid = _id_parts(_THREAD_ROW, row)
        title = row.select_one("th a.xst")
        by = row.select("td.by")
        num = row.select_one("td.num")
        if title is None or not by or num is None:
            raise ParseError(url, f"thread row {tid}: missing title, author or counts cell")
        author, author_id = _author(by[0].find("cite"))
        return ThreadSummary(
            thread_id=tid,
            title=title.get_text(strip=True),
            author=author,
            author_id=author_id,
            replies=_count(num.find("a"), url, f"replies of thread {tid}"),
            views=_count(num.find("em"), url, f"views of thread {tid}"),
            sticky=kind == "stick",
            url=self.thread_url(tid),
            created_at=self._time_or_none(by[0].find("em"), now, url),
            last_post_at=self._time_or_none(by[-1].find("em") if len(by) > 1 else None, now, url),
        )

    def _post(self, div: Tag, url: str, now: datetime) -> tuple[PostRecord, str]:
        """The post in ``div`` with floor 0, and the floor label (``5``, ``楼主``...)."""
        (pid,) = _id_parts(_POST_DIV, div)
        sidebar = div.select_one("td.pls .authi") or div.select_one("td.pls .pi")
        if sidebar is None:
            raise ParseError(url, f"post {pid}: author not found")
        author, author_id = _author(sidebar)
        label = div.find(id=f"postnum{pid}")
        posted = div.find(id=f"authorposton{pid}")
        if not isinstance(posted, Tag):
            raise ParseError(url, f"post {pid}: no #authorposton{pid}")
        posted_at = self._time(posted, now, url)
        message = div.find(id=f"postmessage_{pid}")
        if isinstance(message, Tag):
            body = post_text(message)
            text, quoted = body.text, body.quoted
        elif div.select_one(".locked"):  # banned author or hidden post: no words to read
            text, quoted = "", ""
        else:
            raise ParseError(url, f"post {pid}: no #postmessage_{pid}")
        record = PostRecord(pid, 0, author, author_id, posted_at, text, quoted)
        return record, label.get_text(strip=True) if label else ""

    def _time(self, cell: Tag, now: datetime, url: str) -> datetime:
        span = cell.find("span", title=True)
        title = str(span["title"]) if isinstance(span, Tag) else None
        try:
            return parse_forum_time(cell.get_text(" ", strip=True), now, self.tz, title)
        except ValueError as exc:
            raise ParseError(url, str(exc)) from exc

    def _time_or_none(self, cell: object, now: datetime, url: str) -> datetime | None:
        """A list-page date, ``None`` when the cell is missing or unreadable (logged)."""
        if not isinstance(cell, Tag) or not cell.get_text(strip=True):
            return None
        try:
            return self._time(cell, now, url)
        except ParseError as exc:
            logger.debug("list date left empty", extra={"url": url, "reason": exc.reason})
            return None


def _soup(html: str, url: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "lxml")
    notice = soup.find(id="messagetext")
    if notice is not None:
        message = " ".join(notice.get_text(" ", strip=True).split())
        raise ParseError(url, f"Discuz message page: {message[:200]}")
    return soup


def _complete(items: list[Tag]) -> list[Tag]:
    """``items`` without the last one when nothing follows it (the page was cut off inside it)."""
    if items and not _followed(items[-1]):
        logger.debug("page ends inside its last item; dropping it")
        return items[:-1]
    return items


def _followed(tag: Tag) -> bool:
    node: Tag | None = tag
    while node is not None:
        if node.find_next_sibling() is not None:
            return True
        node = node.parent
    return False


def _pager(soup: BeautifulSoup, url: str) -> tuple[int, int]:
    """(current page, page count) from the first ``div.pg``; (1, 1) when there is none."""
    pager = soup.select_one("#pgt div.pg") or soup.select_one("div.pg")
    if pager is None:
        return 1, 1
    strong = pager.find("strong")
    current = int(strong.get_text(strip=True)) if strong and strong.get_text(strip=True).isdigit() else 0
    numbers = [current]
    for link in pager.find_all("a"):
        numbers += [int(n) for n in re.findall(r"\d+", link.get_text())]
    for caption in [pager.get_text(" "), *(str(t["title"]) for t in pager.find_all(title=True))]:
        numbers += [int(n) for n in _TOTAL_PAGES.findall(caption)]
    if not current:
        current = int(_match(_PAGE, url) or 1)
    return current, max(max(numbers), current)


def _number_floors(raw: list[tuple[PostRecord, str]], url: str) -> list[PostRecord]:
    """Floors from the labels; a label that is neither ``N#`` nor a known name is inferred
    from its neighbours on the page."""
    floors: list[int | None] = []
    for _, label in raw:
        digits = re.match(r"\d+", label)
        floors.append(int(digits.group()) if digits else _FLOOR_NAMES.get(label))
    for i in range(1, len(floors)):
        before = floors[i - 1]
        if floors[i] is None and before is not None:
            floors[i] = before + 1
    for i in range(len(floors) - 2, -1, -1):
        after = floors[i + 1]
        if floors[i] is None and after is not None:
            floors[i] = after - 1
    posts = []
    for (post, label), floor in zip(raw, floors, strict=True):
        if floor is None:
            raise ParseError(url, f"post {post.post_id}: unreadable floor label {label!r}")
        posts.append(dataclasses.replace(post, floor=floor))
    return posts


def _header_counts(postlist: Tag) -> dict[str, int]:
    """``{"查看": views, "回复": replies}`` from the box above the first post (page 1 only)."""
    counts: dict[str, int] = {}
    box = postlist.select_one("div.hm.ptn")
    if box is None:
        return counts
    for label in box.select("span.xg1"):
        value = label.find_next_sibling("span", class_="xi1")
        text = value.get_text(strip=True) if value else ""
        if text.isdigit():
            counts[label.get_text(strip=True).rstrip(":：")] = int(text)
    return counts


def _author(cell: Tag | None) -> tuple[str, str | None]:
    """(name, uid) from a cell holding the author's space link, or only a name (匿名)."""
    if cell is None:
        return "", None
    link = cell.find("a", href=_UID)
    if isinstance(link, Tag):
        return link.get_text(strip=True), _match(_UID, _href(link))
    return cell.get_text(" ", strip=True).split(" ")[0], None


def _count(cell: object, url: str, what: str) -> int:
    text = cell.get_text(strip=True) if isinstance(cell, Tag) else ""
    if text.isdigit():
        return int(text)
    wan = re.fullmatch(r"(\d+(?:\.\d+)?)万", text)
    if wan:
        return round(float(wan.group(1)) * 10_000)
    raise ParseError(url, f"{what}: not a number: {text!r}")


def _id_parts(pattern: re.Pattern[str], tag: Tag) -> tuple[str, ...]:
    """The groups of ``pattern`` in the ``id`` of a tag found by that same pattern."""
    found = pattern.fullmatch(str(tag.get("id", "")))
    assert found is not None, "tag selected by this pattern"
    return found.groups()


def _href(tag: Tag | None) -> str:
    return str(tag.get("href", "")) if isinstance(tag, Tag) else ""


def _match(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return found.group(1) if found else None


def _first(pattern: re.Pattern[str], texts: list[str]) -> str | None:
    return next((m for m in (_match(pattern, t) for t in texts) if m), None)
