"""Fetch, parse and store: board lists and the thread pages that can hold new posts.

Incremental: a known thread is fetched only when its reply count grew, and only from the
first page that can hold posts not yet stored. A page that cannot be fetched or read is
logged with its URL, its raw bytes are kept for diagnosis, a health event is recorded,
and nothing stored is touched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from monitor import health
from monitor.config.files import SourceConfig
from monitor.errors import FetchError, ParseError
from monitor.fetch.client import Fetcher, Page
from monitor.fetch.failed_pages import keep_failed_page
from monitor.sources.base import BoardPage, Source, ThreadPage, ThreadSummary
from monitor.store import repo
from monitor.store.models import Board, Post, SourceRow, Thread

log = logging.getLogger(__name__)

P = TypeVar("P", BoardPage, ThreadPage)
T = TypeVar("T")


@dataclass
class CrawlReport:
    """What a crawl did; the pipeline adds the alert changes."""

    pages_fetched: int = 0
    pages_failed: int = 0
    threads_seen: int = 0
    posts_new: int = 0
    touched: list[int] = field(default_factory=list)  # ids of threads whose state was refreshed
    pages: dict[int, list[Page]] = field(default_factory=dict)  # thread id -> pages fetched (evidence)


class Crawler:
    """Reads one forum's boards and threads into the store. ``enrich`` scores new or edited posts."""

    def __init__(
        self,
        fetcher: Fetcher,
        sessions: sessionmaker[Session],
        enrich: Callable[[list[Post]], None],
        failed_pages: Path,
    ) -> None:
        self._fetcher = fetcher
        self._sessions = sessions
        self._enrich = enrich
        self._failed_pages = failed_pages

    async def crawl_board(
        self, adapter: Source, config: SourceConfig, board_id: str, now: datetime, report: CrawlReport
    ) -> None:
        """Read the board's first pages, then every listed thread that can have new posts."""
        with self._sessions.begin() as session:
            source = repo.ensure_source(session, config)
            board = repo.ensure_board(session, source, board_id, "")
            source_id, board_row_id = source.id, board.id
        summaries: list[ThreadSummary] = []
        board_name = ""
        unchanged = False
        for page_number in range(1, config.pages_per_board + 1):
            url = adapter.board_url(board_id, page_number)
            try:
                read = await self._read(
                    url,
                    adapter.parse_board,
                    source_id,
                    board_row_id,
                    now,
                    report,
                    board_list=True,
                    conditional=page_number == 1,
                )
            except _NotModified:  # conditional GET: the first list page is as it was, so is the board;
                # only threads still missing posts (a page that failed last time) are tried again
                with self._sessions() as session:
                    summaries = repo.incomplete_threads(session, board_row_id)
                unchanged = True
                break
            if read is None:
                if page_number == 1:
                    return  # the failure is recorded; stored threads stay as they are
                break
            board_page = read[0]
            if board_page.provisional:  # e.g. Discuz!'s first RSS hit after its cache expired: ask later
                log.info("board page not ready yet: %s", url, extra={"url": url})
                return
            board_name = board_page.board_name or board_name
            summaries.extend(board_page.threads)
            if page_number >= board_page.page_count:
                break
        posts_before = report.posts_new
        # Threads are read side by side; the fetcher's per-host limit decides how many at once.
        await asyncio.gather(
            *(
                self._crawl_listed_thread(adapter, config, source_id, board_row_id, summary, now, report)
                for summary in summaries
            )
        )
        with self._sessions.begin() as session:
            board = _get(session, Board, board_row_id)
            if board_name:
                board.name = board_name
            seen = board.last_threads_seen if unchanged else len(summaries)
            health.board_succeeded(session, board.source, board, seen, report.posts_new - posts_before, now)

    def board_not_read(self, config: SourceConfig, board_id: str, error: FetchError, now: datetime) -> None:
        """The board could not be read at all — the forum is unreachable, or robots.txt allows no
        format it can be read in: a failed poll of the board, with the cause."""
        with self._sessions.begin() as session:
            source = repo.ensure_source(session, config)
            board = repo.ensure_board(session, source, board_id, "")
            kind = health.failure_kind(error)
            health.board_failed(session, source, board, error.reason, error.url, now, kind=kind)

    async def refresh_thread(
        self, adapter: Source, config: SourceConfig, thread_id: int, now: datetime, report: CrawlReport
    ) -> None:
        """Fetch a known thread from its last stored page on (hot threads, between board polls)."""
        with self._sessions.begin() as session:
            thread = _get(session, Thread, thread_id)
            external_id, board_row_id, source_id = thread.external_id, thread.board_id, thread.source_id
            first = repo.stored_post_count(session, thread) // config.posts_per_page + 1
        last_seen = await self._fetch_thread_pages(
            adapter, external_id, thread_id, source_id, board_row_id, first, None, now, report
        )
        with self._sessions.begin() as session:
            thread = _get(session, Thread, thread_id)
            if last_seen is not None and last_seen.replies is not None:
                thread.replies = max(thread.replies, last_seen.replies)
            highest = max((p.floor for p in repo.thread_posts(session, thread)), default=1)
            thread.replies = max(thread.replies, highest - 1)
            thread.last_seen_at = now
        report.touched.append(thread_id)

    async def _crawl_listed_thread(
        self,
        adapter: Source,
        config: SourceConfig,
        source_id: int,
        board_row_id: int,
        summary: ThreadSummary,
        now: datetime,
        report: CrawlReport,
    ) -> None:
        report.threads_seen += 1
        with self._sessions.begin() as session:
            source = _get(session, SourceRow, source_id)
            board = _get(session, Board, board_row_id)
            thread, _previous = repo.upsert_thread(session, source, board, summary, now)
            stored = repo.stored_post_count(session, thread)
            thread_id = thread.id
        first, last = _thread_pages(adapter, summary, stored, config.posts_per_page)
        if first is not None:
            await self._fetch_thread_pages(
                adapter, summary.thread_id, thread_id, source_id, board_row_id, first, last, now, report
            )
        report.touched.append(thread_id)

    async def _fetch_thread_pages(
        self,
        adapter: Source,
        external_id: str,
        thread_id: int,
        source_id: int,
        board_row_id: int,
        first: int,
        last: int | None,
        now: datetime,
        report: CrawlReport,
    ) -> ThreadPage | None:
        """Pages ``first``..``last`` (``None``: up to the last page the pager shows)."""
        page_number, seen = first, None
        while last is None or page_number <= last:
            url = adapter.thread_url(external_id, page_number)
            read = await self._read(url, adapter.parse_thread, source_id, board_row_id, now, report)
            if read is None:
                break
            page, fetched = read
            report.pages.setdefault(thread_id, []).append(fetched)
            seen = page
            with self._sessions.begin() as session:
                changed = repo.save_posts(session, _get(session, Thread, thread_id), page.posts, now)
                self._enrich(changed)
                report.posts_new += len(changed)
            if not page.posts:
                with self._sessions.begin() as session:
                    source, board = _get(session, SourceRow, source_id), _get(session, Board, board_row_id)
                    health.event(
                        session, source, board, "zero_posts", now, url=url, detail="page had no posts"
                    )
            if last is None and page_number >= page.page_count:
                break
            page_number += 1
        return seen

    async def _read(
        self,
        url: str,
        parse: Callable[[str, str, datetime], P],
        source_id: int,
        board_row_id: int,
        now: datetime,
        report: CrawlReport,
        *,
        board_list: bool = False,
        conditional: bool = False,
    ) -> tuple[P, Page] | None:
        fetched: Page | None = None
        try:
            fetched = await self._fetcher.get(url, conditional=conditional)
            report.pages_fetched += 1
            if fetched.not_modified:
                raise _NotModified(url)
            return parse(fetched.text, url, fetched.now), fetched
        except (FetchError, ParseError) as exc:
            report.pages_failed += 1
            reason = exc.reason
            kept = ""
            if fetched is not None:
                kept = str(keep_failed_page(self._failed_pages, url, fetched.body, reason, now) or "")
            log.warning("page skipped: %s: %s", url, reason, extra={"url": url, "kept_as": kept})
            kind = health.failure_kind(exc)
            with self._sessions.begin() as session:
                source, board = _get(session, SourceRow, source_id), _get(session, Board, board_row_id)
                if board_list:
                    health.board_failed(session, source, board, reason, url, now, kept, kind=kind)
                else:
                    health.event(session, source, board, kind, now, url=url, detail=reason, kept_as=kept)
            return None


class _NotModified(Exception):
    """A conditional GET answered 304: nothing on the page changed."""


def _thread_pages(
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
    pages = _pages_to_fetch(stored, summary.replies, per_page)
    return (pages[0], pages[-1]) if pages else (None, None)


def _pages_to_fetch(stored_posts: int, replies: int, per_page: int) -> list[int]:
    """Only the pages that can hold posts not yet stored (incremental re-crawl)."""
    total_posts = replies + 1
    if stored_posts >= total_posts:
        return []
    first = stored_posts // per_page + 1
    last = (total_posts - 1) // per_page + 1
    return list(range(first, last + 1))


def _get(session: Session, model: type[T], row_id: int) -> T:
    row = session.get(model, row_id)
    if row is None:  # pragma: no cover - rows are never deleted during a crawl
        raise LookupError(f"{model.__name__} {row_id} vanished during the crawl")
    return row
