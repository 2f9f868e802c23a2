"""Paging a board's thread list: which list pages a poll reads and the threads they list.

Every poll reads the first ``pages_per_board`` pages. The first page is read conditionally: a
304 (:class:`~monitor.crawl_read.NotModified`) goes up to the crawler, which then only tries
again the threads still missing posts. A later page that fails ends the paging, not the poll. A
board whose pager always offers one more page and serves its last page for any higher number
lists the same threads again: paging stops at the first page that lists no thread not listed
already, and a thread listed twice is kept once.

A board's first read (:class:`FirstRead`: no good poll of it recorded yet) pages back further,
so that threads still active on older pages are read now rather than when they next bump: up
to ``first_read_pages``, and no further than the first page whose rows, stickies aside, all had
their last post before the lookback (``first_read_days``). Rows of the pages it pages back that
are older than the lookback are left out; a row without a last-post time counts as recent (the
cap bounds it). Stickies stop nothing: they are skipped when judging a page, and stickies
repeated on top of every page are nothing new. The lookback is judged on the forum's clock, which
dates the rows: its first page's ``Date`` header (:class:`ListPage` ``ahead``), or ours without one.

A first read whose older page fails stops there like any poll; the board's next polls read on
from that page (:mod:`monitor.first_read_resume`: a :class:`FirstRead` with ``start``, the same
cutoff moment): each reads its first ``pages`` pages (``pages_per_board``), then from page
``start`` on by the same rules, up to page ``FirstRead.pages`` (``first_read_pages``) at most.

A backfill (``monitor sources backfill``, :mod:`monitor.backfill`) pages back by the same rules on
request, with the same :class:`FirstRead` (its pages and days from the command line or the source's
``first_read_pages`` / ``first_read_days``), whether or not the board was read before.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitor.detect.velocity import counted
from monitor.sources.base import BoardPage, Source, ThreadSummary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListPage:
    """A list page read, and how far the forum's clock (its ``Date`` header) was ahead of ours when it
    was (negative: behind; 0 without a ``Date`` header, or within minutes)."""

    page: BoardPage
    ahead: timedelta = timedelta(0)


ReadListPage = Callable[[str, bool], Awaitable[ListPage | None]]
"""Reads one list page: ``(url, first)`` → the page, or ``None`` when it failed (recorded)."""


@dataclass(frozen=True)
class FirstRead:
    """How far a board's first read (or a backfill) pages back: ``pages`` at most, rows active since
    ``since`` — on our clock until the first page tells the forum's (:meth:`on_forum_clock`), unless
    ``settled``. ``start``: a first read cut short by a failed page, read on from that page."""

    pages: int
    days: int
    since: datetime
    start: int = 0  # 0: paging back from the pages every poll reads
    settled: bool = False  # ``since`` is on the forum's clock already

    @classmethod
    def at(cls, now: datetime, pages: int, days: int) -> FirstRead:
        return cls(pages, days, now - timedelta(days=days))

    def on_forum_clock(self, ahead: timedelta) -> FirstRead:
        """The lookback moved to the forum's clock, ``ahead`` of ours: it dates the rows."""
        return self if self.settled else replace(self, since=self.since + ahead, settled=True)

    def older(self, row: ThreadSummary) -> bool:
        """The row's last post (as the list shows it) came before the lookback."""
        return row.last_post_at is not None and row.last_post_at < self.since


@dataclass
class BoardList:
    """What a poll read of a board's list: its threads in list order, and the board's name; for a
    first read, why its paging stopped (``stop``) and what it left."""

    summaries: list[ThreadSummary] = field(default_factory=list)
    board_name: str = ""
    pages_read: int = 0  # the last page read
    page_count: int = 1  # as the last page read tells
    list_pages: int = 0  # pages read (fewer than ``pages_read`` when a first read read on from a page)
    stop: str = ""
    older_rows_left: int = 0  # rows of pages paged back whose last post came before the lookback
    failed_page: int = 0  # the page whose failure stopped the paging (0: none did)
    since: datetime | None = None  # a first read's lookback, on the forum's clock as judged


async def read_board_list(
    adapter: Source, board_id: str, pages: int, read_page: ReadListPage, first_read: FirstRead | None = None
) -> BoardList | None:
    """The threads listed on the board's first ``pages`` pages, or as far as ``first_read`` pages
    back; ``None`` when the first page failed or is not ready yet (stored threads stay as they are)."""
    found = BoardList()
    listed: set[str] = set()
    limit = max(pages, first_read.pages) if first_read is not None else pages
    for page_number in page_numbers(pages, limit, first_read):
        if page_number > found.page_count:  # a first read read on from a page the board no longer has
            found.stop = f"the board has {counted(found.page_count, 'page', 'pages')} now"
            break
        url = adapter.board_url(board_id, page_number)
        read = await read_page(url, page_number == 1)
        if read is None:
            if page_number == 1:
                return None  # the failure is recorded
            found.stop, found.failed_page = f"page {page_number} failed", page_number
            break
        board_page = read.page
        if board_page.provisional:  # e.g. Discuz!'s first RSS hit after its cache expired: ask later
            log.info("board page not ready yet: %s", url, extra={"url": url})
            return None
        if first_read is not None and page_number == 1:  # the rows are dated on the forum's clock
            first_read = first_read.on_forum_clock(read.ahead)
            found.since = first_read.since
        found.board_name = board_page.board_name or found.board_name
        found.pages_read, found.page_count = page_number, board_page.page_count
        found.list_pages += 1
        new = [t for t in board_page.threads if t.thread_id not in listed]
        if page_number > 1 and not new:  # past the last page: the forum serves one already read
            log.debug("board page lists nothing new, paging stops: %s", url, extra={"url": url})
            found.stop = f"page {page_number} listed nothing new"
            break
        for summary in new:
            if summary.thread_id in listed:  # a page listing a thread twice
                continue
            listed.add(summary.thread_id)
            if (
                page_number > pages
                and first_read is not None
                and not summary.sticky
                and first_read.older(summary)
            ):
                found.older_rows_left += 1  # paged back past it: inactive for the lookback
                continue
            found.summaries.append(summary)
        if page_number >= board_page.page_count:
            found.stop = f"page {page_number} is the board's last"
            break
        if first_read is not None and page_number >= pages and all_older(board_page, first_read):
            found.stop = (
                f"page {page_number}'s rows are all older than {counted(first_read.days, 'day', 'days')}"
            )
            break
    else:
        found.stop = f"the cap of {counted(limit, 'page', 'pages')}"
    return found


def page_numbers(pages: int, limit: int, first_read: FirstRead | None) -> list[int]:
    """The list pages to read, in order: the first ``pages``, then on to ``limit``; a first read read
    on (``start``) skips the pages before ``start`` that its first poll read."""
    start = first_read.start if first_read is not None else 0
    return [*range(1, pages + 1), *range(max(pages + 1, start), limit + 1)]


def all_older(page: BoardPage, first_read: FirstRead) -> bool:
    """Every row of the page, stickies aside, had its last post before the lookback (a page of
    stickies alone says nothing)."""
    rows = [row for row in page.threads if not row.sticky]
    return bool(rows) and all(first_read.older(row) for row in rows)


def first_read_said(found: BoardList, first_read: FirstRead) -> str:
    """The log line's words for a first read: pages and threads read, and why it stopped."""
    said = (
        f"{counted(found.list_pages, 'list page', 'list pages')}, "
        f"{counted(len(found.summaries), 'thread', 'threads')} (paging back up to "
        f"{counted(first_read.pages, 'page', 'pages')} / {counted(first_read.days, 'day', 'days')}); "
        f"stopped: {found.stop}"
    )
    said += rows_left_said(found)
    if found.stop.startswith("the cap"):
        said += pages_left_said(found)
    return said


def rows_left_said(found: BoardList) -> str:
    """``; 38 older rows left``: rows of the pages paged back that were too old to read ("" if none)."""
    return (
        f"; {counted(found.older_rows_left, 'older row', 'older rows')} left" if found.older_rows_left else ""
    )


def pages_left_said(found: BoardList) -> str:
    """``; 3 older pages left unread (the forum has 5)`` ("" when the last page was read)."""
    if found.page_count <= found.pages_read:
        return ""
    left = counted(found.page_count - found.pages_read, "older page", "older pages")
    return f"; {left} left unread (the forum has {found.page_count})"
