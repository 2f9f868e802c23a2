"""A forum engine without an adapter of its own, read by the CSS selectors in its source entry
(:class:`~monitor.sources.generic_config.GenericSelectors`; examples in ``docs/sources.md``).

Board list: every ``board.row`` is a thread; its ``link`` gives the thread URL and id (by
``thread_id``'s regex, else by reading the ``thread_url`` template back, else the URL
itself). Thread page: every ``thread.post`` is a post; its body (``thread.text``) becomes
plain text with ``quote`` blocks kept apart and ``drop`` parts left out. Pages: ``pager``
selectors, else the page number in the URL and a ``next_page`` link.

Fields the selectors do not cover are named in ``missing`` (``replies``, ``views``,
``sticky`` on rows; ``post_id`` on posts, which then get ``#<floor>`` stand-ins). A page
matching a ``refuse`` selector, or with a password field and no content, is a login wall
or captcha: :class:`ParseError`. As everywhere, an item the page ends inside (a cut-off
download) is dropped.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from monitor.errors import ParseError
from monitor.sources import urltemplate
from monitor.sources.base import BoardPage, PostRecord, ThreadPage, ThreadSummary
from monitor.sources.generic_config import GenericSelectors
from monitor.sources.generic_extract import Extractor, largest_number, read_count
from monitor.sources.markup import Element, complete, css, first, parse_html, text_of
from monitor.sources.plaintext import TextRules, split_text
from monitor.sources.timeparse import parse_any_time

logger = logging.getLogger(__name__)

_PASSWORD = css("input[type=password]")


class GenericSource:
    """A forum at ``base_url`` read by ``selectors``; ``posts_per_page`` numbers floors."""

    engine = "generic"

    def __init__(
        self,
        base_url: str,
        selectors: GenericSelectors,
        timezone: str = "Asia/Shanghai",
        posts_per_page: int = 10,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.selectors = selectors
        self.tz = ZoneInfo(timezone)
        self.posts_per_page = posts_per_page
        self._told_undated = False  # a list date it cannot read is a warning once, then debug lines
        board, thread, pager = selectors.board, selectors.thread, selectors.pager
        self._thread_id = re.compile(selectors.thread_id) if selectors.thread_id else None
        self._refuse = [css(s) for s in selectors.refuse]
        self._row, self._post, self._body = css(board.row), css(thread.post), css(thread.text)
        self._sticky = css(board.sticky) if board.sticky else None
        self._quote = css(thread.quote) if thread.quote else None
        self._attribution = css(thread.quote_attribution) if thread.quote_attribution else None
        self._drop = [css(s) for s in thread.drop]
        self._x = {
            name: Extractor(getattr(part, name))
            for part, names in (
                (board, ("link", "title", "author", "author_id", "replies", "views", "created", "last_post")),
                (pager, ("current_page", "page_count")),
            )
            for name in names
        }
        self._board_name = Extractor(board.board_name)
        self._p = {
            name: Extractor(getattr(thread, name))
            for name in ("title", "post_id", "author", "author_id", "time", "floor", "replies", "views")
        }
        self._board_id = Extractor(thread.board_id)
        self._next = css(pager.next_page) if pager.next_page else None

    def board_url(self, board_id: str, page: int = 1) -> str:
        per_page = self.selectors.threads_per_page
        return urltemplate.fill(
            self.selectors.board_url, self.base_url, per_page=per_page, page=page, board=board_id
        )

    def thread_url(self, thread_id: str, page: int = 1) -> str:
        per_page = self.posts_per_page
        return urltemplate.fill(
            self.selectors.thread_url, self.base_url, per_page=per_page, page=page, thread=thread_id
        )

    def parse_board(self, html: str, url: str, now: datetime) -> BoardPage:
        root = self._root(html, url)
        rows = self._row(root)
        if not rows:
            self._refuse_login(root, url, "thread row")
        threads = [t for t in (self._thread_row(row, url, now) for row in complete(rows)) if t]
        where = urltemplate.extract(
            self.selectors.board_url, self.base_url, url, per_page=self.selectors.threads_per_page
        )
        page, page_count = self._pages(root, where)
        return BoardPage(where.get("board", ""), self._board_name.value(root), page, page_count, threads)

    def parse_thread(self, html: str, url: str, now: datetime) -> ThreadPage:
        root = self._root(html, url)
        blocks = complete(self._post(root))
        if not blocks:
            self._refuse_login(root, url, "complete post")
        title = self._p["title"].value(root)
        if not title:
            raise ParseError(url, "thread title not found (thread.title)")
        where = urltemplate.extract(
            self.selectors.thread_url, self.base_url, url, per_page=self.posts_per_page
        )
        thread_id = where.get("thread") or self._id_in_link(url)
        page, page_count = self._pages(root, where)
        posts = [self._post_record(block, i, page, url, now) for i, block in enumerate(blocks)]
        return ThreadPage(
            thread_id=thread_id,
            board_id=self._board_id.value(root) or None,
            title=title,
            page=page,
            page_count=page_count,
            posts=posts,
            replies=read_count(self._p["replies"].value(root)) if self._p["replies"] else None,
            views=read_count(self._p["views"].value(root)) if self._p["views"] else None,
        )

    # ------------------------------------------------------------------ rows and posts

    def _thread_row(self, row: Element, url: str, now: datetime) -> ThreadSummary | None:
        link = self._x["link"].element(row)
        href = (link.get("href") or "") if link is not None else ""
        if link is None or not href:
            logger.debug("row without a thread link skipped", extra={"url": url})
            return None
        thread_url = urljoin(url, href)
        missing = {name for name in ("replies", "views") if not self._x[name]}
        if self._sticky is None:
            missing.add("sticky")
        return ThreadSummary(
            thread_id=self._id_in_link(thread_url),
            title=self._x["title"].value(row) or text_of(link),
            author=self._x["author"].value(row),
            author_id=self._x["author_id"].value(row) or None,
            replies=read_count(self._x["replies"].value(row)) or 0,
            views=read_count(self._x["views"].value(row)) or 0,
            sticky=bool(self._sticky(row)) if self._sticky is not None else False,
            url=thread_url,
            created_at=self._time_or_none(self._x["created"].value(row), now, url),
            last_post_at=self._time_or_none(self._x["last_post"].value(row), now, url),
            missing=frozenset(missing),
        )

    def _post_record(self, block: Element, index: int, page: int, url: str, now: datetime) -> PostRecord:
        floor = self._floor(block, url)
        if floor is None:
            floor = (page - 1) * self.posts_per_page + index + 1
        post_id = self._p["post_id"].value(block)
        when = self._p["time"].value(block)
        try:
            posted_at = parse_any_time(when, now, self.tz, self.selectors.time_formats)
        except ValueError as exc:
            raise ParseError(url, f"post at floor {floor}: {exc}") from exc
        body = first(self._body, block)
        words = split_text(body, self._rules(body)) if body is not None else None
        return PostRecord(
            post_id=post_id or f"#{floor}",
            floor=floor,
            author=self._p["author"].value(block),
            author_id=self._p["author_id"].value(block) or None,
            posted_at=posted_at,
            text=words.text if words else "",
            quoted=words.quoted if words else "",
            missing=frozenset() if post_id else frozenset({"post_id"}),
        )

    def _floor(self, block: Element, url: str) -> int | None:
        """The floor the post shows, counted from 1 for the opening post; ``None`` when it shows none
        (``楼主``, or no ``floor`` selector)."""
        shown = read_count(self._p["floor"].value(block)) if self._p["floor"] else None
        if shown is None:
            return None
        first_floor = self.selectors.thread.first_floor
        if shown < first_floor:  # a "#0" read as the opening post's floor 1 would share it with "#1"
            why = "this forum numbers its opening post 0 (set thread.first_floor: 0)"
            raise ParseError(url, f"a post shows floor {shown}: {why}")
        return shown + 1 - first_floor

    def _rules(self, body: Element) -> TextRules:
        dropped = {e for selector in self._drop for e in selector(body) if e is not body}
        quotes = set(self._quote(body)) - {body} if self._quote is not None else set()
        lines = set(self._attribution(body)) if self._attribution is not None else set()
        return TextRules(drop=dropped.__contains__, quote=quotes.__contains__, attribution=lines.__contains__)

    # ------------------------------------------------------------------ helpers

    def _root(self, html: str, url: str) -> Element:
        root = parse_html(html, url)
        for selector in self._refuse:
            found = first(selector, root)
            if found is not None:
                raise ParseError(url, f"refused page (matches {selector.css!r}): {text_of(found)[:200]}")
        return root

    def _refuse_login(self, root: Element, url: str, what: str) -> None:
        if _PASSWORD(root):
            raise ParseError(url, f"login page (a password field and no {what})")
        if what == "complete post":
            raise ParseError(url, f"no {what} matches {self.selectors.thread.post!r}")

    def _id_in_link(self, link: str) -> str:
        if self._thread_id is not None:
            found = self._thread_id.search(link)
            if found:
                return found.group(1) if self._thread_id.groups else found.group(0)
        where = urltemplate.extract(
            self.selectors.thread_url, self.base_url, link, per_page=self.posts_per_page
        )
        return where.get("thread") or link

    def _pages(self, root: Element, where: dict[str, str]) -> tuple[int, int]:
        shown = read_count(self._x["current_page"].value(root)) if self._x["current_page"] else None
        in_url = where.get("page", "")
        page = max(shown or (int(in_url) if in_url.isdigit() else 1), 1)
        count = largest_number(self._x["page_count"].pieces(root)) if self._x["page_count"] else None
        if count is None:
            count = page + 1 if self._next is not None and self._next(root) else page
        return page, max(count, page)

    def _time_or_none(self, text: str, now: datetime, url: str) -> datetime | None:
        if not text:
            return None
        try:
            return parse_any_time(text, now, self.tz, self.selectors.time_formats)
        except ValueError as exc:
            if self._told_undated:
                logger.debug("list date left empty", extra={"url": url, "reason": str(exc)})
            else:  # said once: every row of every list page would say it again
                self._told_undated = True
                logger.warning(
                    "a list date is left empty: %s (add its form to selectors.time_formats, "
                    "see docs/sources.md); further ones are logged at debug level",
                    exc,
                    extra={"url": url},
                )
            return None
