"""Which of a thread's pages the crawler fetches: only the ones that can hold posts not yet
stored (incremental re-crawl)."""

from __future__ import annotations

from monitor.sources.base import Source, ThreadSummary


def thread_pages(
    adapter: Source, summary: ThreadSummary, stored: int, per_page: int, listed_before: int | None = None
) -> tuple[int | None, int | None]:
    """The first and last thread page to fetch (last ``None``: follow the pager); ``(None, None)``: none.

    ``listed_before``: the reply count the board listed at the thread's previous crawl (None: new).
    A feed-only source reads no thread pages; a format showing the whole thread on one page
    (the printable view) needs page 1 only; a board list without reply counts (RSS, archiver)
    cannot say which pages are new, so the pager decides from the first page that can hold
    unseen posts.
    """
    if getattr(adapter, "reads_threads", True) is False:
        return None, None
    unknown = "replies" in summary.missing
    grew = listed_before is not None and summary.replies > listed_before
    if getattr(adapter, "whole_thread_on_one_page", False):
        return (1, 1) if unknown or grew or stored < summary.replies + 1 else (None, None)
    if unknown:
        return stored // per_page + 1, None
    pages = pages_to_fetch(stored, summary.replies, per_page, listed_before)
    return (pages[0], pages[-1]) if pages else (None, None)


def pages_to_fetch(
    stored_posts: int, replies: int, per_page: int, listed_before: int | None = None
) -> list[int]:
    """Only the pages that can hold posts not yet stored (incremental re-crawl).

    Posts the forum deleted stay stored, so after a deletion the stored count overstates how far
    the thread has been read: 29 stored of a thread whose forum now shows 28 replies + the first
    post, then one new reply (29 again), would read as nothing new. A thread whose reply count grew
    since its previous listing (``listed_before``) has its new posts last, so the pages from the
    one holding post number ``listed_before + 2`` on are read as well.
    """
    total_posts = replies + 1
    first = stored_posts // per_page + 1 if stored_posts < total_posts else None
    if listed_before is not None and replies > listed_before:
        grown = (listed_before + 1) // per_page + 1
        first = grown if first is None else min(first, grown)
    if first is None:
        return []
    last = (total_posts - 1) // per_page + 1
    return list(range(first, last + 1))
