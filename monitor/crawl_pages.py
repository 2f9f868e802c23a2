"""Which of a thread's pages the crawler fetches: only the ones that can hold posts not yet
stored (incremental re-crawl)."""

from __future__ import annotations

from monitor.sources.base import Source, ThreadSummary


def thread_pages(
    adapter: Source, summary: ThreadSummary, stored: int, per_page: int
) -> tuple[int | None, int | None]:
    """The first and last thread page to fetch (last ``None``: follow the pager); ``(None, None)``: none.

    A feed-only source reads no thread pages; a format showing the whole thread on one page
    (the printable view) needs page 1 only; a board list without reply counts (RSS, archiver)
    cannot say which pages are new, so the pager decides from the first page that can hold
    unseen posts.
    """
    if getattr(adapter, "reads_threads", True) is False:
        return None, None
    unknown = "replies" in summary.missing
    if getattr(adapter, "whole_thread_on_one_page", False):
        return (1, 1) if unknown or stored < summary.replies + 1 else (None, None)
    if unknown:
        return stored // per_page + 1, None
    pages = pages_to_fetch(stored, summary.replies, per_page)
    return (pages[0], pages[-1]) if pages else (None, None)


def pages_to_fetch(stored_posts: int, replies: int, per_page: int) -> list[int]:
    """Only the pages that can hold posts not yet stored (incremental re-crawl)."""
    total_posts = replies + 1
    if stored_posts >= total_posts:
        return []
    first = stored_posts // per_page + 1
    last = (total_posts - 1) // per_page + 1
    return list(range(first, last + 1))
