"""Paging a board's thread list: which list pages a poll reads and the threads they list.

The first page is read conditionally: a 304 (:class:`~monitor.crawl_read.NotModified`) goes up
to the crawler, which then only tries again the threads still missing posts. A later page that
fails ends the paging, not the poll. A board whose pager always offers one more page and serves
its last page for any higher number lists the same threads again: paging stops at the first page
that lists no thread not listed already, and a thread listed twice is kept once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from monitor.sources.base import BoardPage, Source, ThreadSummary

log = logging.getLogger(__name__)

ReadListPage = Callable[[str, bool], Awaitable[BoardPage | None]]
"""Reads one list page: ``(url, first)`` → the page, or ``None`` when it failed (recorded)."""


@dataclass
class BoardList:
    """What a poll read of a board's list: its threads in list order, and the board's name."""

    summaries: list[ThreadSummary] = field(default_factory=list)
    board_name: str = ""


async def read_board_list(
    adapter: Source, board_id: str, pages: int, read_page: ReadListPage
) -> BoardList | None:
    """The threads listed on the board's first ``pages`` pages; ``None`` when the first page
    failed or is not ready yet (stored threads stay as they are)."""
    found = BoardList()
    listed: set[str] = set()
    for page_number in range(1, pages + 1):
        url = adapter.board_url(board_id, page_number)
        board_page = await read_page(url, page_number == 1)
        if board_page is None:
            if page_number == 1:
                return None  # the failure is recorded
            break
        if board_page.provisional:  # e.g. Discuz!'s first RSS hit after its cache expired: ask later
            log.info("board page not ready yet: %s", url, extra={"url": url})
            return None
        found.board_name = board_page.board_name or found.board_name
        new = [t for t in board_page.threads if t.thread_id not in listed]
        if page_number > 1 and not new:  # past the last page: the forum serves one already read
            log.debug("board page lists nothing new, paging stops: %s", url, extra={"url": url})
            break
        for summary in new:
            if summary.thread_id not in listed:  # a page listing a thread twice
                listed.add(summary.thread_id)
                found.summaries.append(summary)
        if page_number >= board_page.page_count:
            break
    return found
