"""Fetch, parse and store: board lists and the thread pages that can hold new posts.

Incremental: a known thread is fetched only when its reply count grew, and only from the
first page that can hold posts not yet stored (:mod:`monitor.crawl_pages`). A page that
cannot be fetched or read is logged with its URL, its raw bytes are kept for diagnosis, a
health event is recorded, and nothing stored is touched (:mod:`monitor.crawl_failures`).

What a hostile or broken forum cannot make it do:

* read a thread twice in one pass: a board whose pager always offers one more page and serves
  its last page for any higher number lists the same threads again (board paging stops at the
  first page that lists nothing new, :mod:`monitor.crawl_board_list`; a thread listed twice is
  read once),
  and a thread another board's list or a hot refresh is reading is left to that read (a moved
  thread's marker lists it on two boards). A thread read again later in a pass is read
  incrementally, so its pages are not fetched again.
* read past a thread's last page: a page number beyond it is served as the last page again
  (Discuz! does so); such a page (an earlier page number in its pager, or only posts already
  read) ends the read.
* count replies the thread does not have (:mod:`monitor.crawl_replies`).
* misdate relative dates (``3 小时前``) by a server clock far off (:mod:`monitor.crawl_clock`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from monitor import health
from monitor.config.files import SourceConfig
from monitor.crawl_blocked import parsed_unless_blocked
from monitor.crawl_board_list import FirstRead, ListPage, read_board_list
from monitor.crawl_clock import PageClock
from monitor.crawl_failures import page_skipped
from monitor.crawl_pages import thread_pages
from monitor.crawl_read import BoardRead, NotModified, ThreadsBeingRead, off_site_thread, row_of
from monitor.crawl_read import CrawlReport as CrawlReport  # re-exported
from monitor.crawl_replies import Overclaims, ThreadRead, store_listed_replies, store_refreshed_replies
from monitor.errors import FetchError, ParseError
from monitor.fetch.client import Fetcher, Page
from monitor.first_read_resume import first_read_for, first_read_kept
from monitor.sources.base import BoardPage, Source, ThreadPage, ThreadSummary
from monitor.store import repo
from monitor.store.models import Board, Post, Thread

log = logging.getLogger(__name__)

P = TypeVar("P", BoardPage, ThreadPage)


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
        self._reading = ThreadsBeingRead()
        self._overclaims = Overclaims()  # board list reply counts the threads were found not to have
        self._page_clock = PageClock(log)

    async def crawl_board(
        self,
        adapter: Source,
        config: SourceConfig,
        board_id: str,
        now: datetime,
        report: CrawlReport,
        backfill: FirstRead | None = None,
    ) -> None:
        """Read the board's first pages, then every listed thread that can have new posts; paging
        back as ``backfill`` says (``monitor sources backfill``), or as a first read does."""
        with self._sessions.begin() as session:
            source = repo.ensure_source(session, config)
            board = repo.ensure_board(session, source, board_id, "")
            where = BoardRead(source.id, board.id, config.key, now, time.monotonic())
            first_read = first_read_for(board, config, now, backfill)  # page back: monitor.crawl_board_list
        summaries: list[ThreadSummary] = []
        board_name, unchanged, found = "", False, None

        async def read_page(url: str, first: bool) -> ListPage | None:
            # only the first page is read conditionally (not at a first read), its failure fails the poll
            conditional = first and first_read is None
            read = await self._read(
                url, adapter.parse_board, where, report, board_list=first, conditional=conditional
            )
            return None if read is None else ListPage(read[0], self._page_clock.ahead(read[1], config.key))

        try:
            found = await read_board_list(adapter, board_id, config.pages_per_board, read_page, first_read)
        except NotModified:  # conditional GET: the first list page is as it was, so is the board;
            # only threads still missing posts (a page that failed last time) are tried again
            with self._sessions() as session:
                summaries = repo.incomplete_threads(session, where.board_row_id)
            unchanged = True
        else:
            if found is None:
                return  # the failure is recorded; stored threads stay as they are
            summaries, board_name = found.summaries, found.board_name
            report.paged_back = found if first_read is not None else None
        posts_before = report.posts_new
        # Threads are read side by side; the fetcher's per-host limit decides how many at once.
        await asyncio.gather(
            *(self._crawl_listed_thread(adapter, config, where, summary, report) for summary in summaries)
        )
        with self._sessions.begin() as session:
            board = row_of(session, Board, where.board_row_id)
            if board_name:
                board.name = board_name
            skew = self._page_clock.skews.get(config.key)  # kept for every reader of the thread's facts
            board.source.clock_skew_seconds = skew.total_seconds() if skew is not None else None
            seen = board.last_threads_seen if unchanged else len(summaries)
            posts_new = report.posts_new - posts_before
            health.board_succeeded(session, board.source, board, seen, posts_new, now, where.pages)
            if first_read is not None and found is not None:  # where a first read stopped; its log line
                first_read_kept(board, found, first_read, config.key, backfill=backfill is not None)

    async def refresh_thread(
        self, adapter: Source, config: SourceConfig, thread_id: int, now: datetime, report: CrawlReport
    ) -> None:
        """Fetch a known thread from its last stored page on (hot threads, between board polls).
        ``last_seen_at`` stays when its board listed it (repo.refresh_candidates)."""
        with self._sessions.begin() as session:
            thread = row_of(session, Thread, thread_id)
            external_id = thread.external_id
            where = BoardRead(thread.source_id, thread.board_id, config.key, now, time.monotonic())
            # posts the forum deleted stay stored: past the posts the board last listed, start there
            read_up_to = min(repo.stored_post_count(session, thread), thread.replies + 1)
            first = read_up_to // config.posts_per_page + 1
        if not self._reading.claim(where, external_id):
            return
        try:
            read = await self._fetch_thread_pages(adapter, external_id, thread_id, where, first, None, report)
        finally:
            self._reading.release(where, external_id)
        with self._sessions.begin() as session:
            # last_seen_at not moved: a refresh moving it kept every watched thread ever a candidate
            store_refreshed_replies(session, row_of(session, Thread, thread_id), read)
        report.touched.append(thread_id)

    async def _crawl_listed_thread(
        self,
        adapter: Source,
        config: SourceConfig,
        where: BoardRead,
        summary: ThreadSummary,
        report: CrawlReport,
    ) -> None:
        if not self._reading.claim(where, summary.thread_id):
            return
        try:
            await self._read_listed_thread(adapter, config, where, summary, report)
        finally:
            self._reading.release(where, summary.thread_id)

    async def _read_listed_thread(
        self,
        adapter: Source,
        config: SourceConfig,
        where: BoardRead,
        summary: ThreadSummary,
        report: CrawlReport,
    ) -> None:
        report.threads_seen += 1
        claim = None if "replies" in summary.missing else summary.replies
        with self._sessions.begin() as session:
            found, stored = repo.listed_thread(session, where.source_id, summary.thread_id)
            believed = self._overclaims.believed(session, adapter, where.source_id, summary, found)
            if believed is not None:  # the thread's pages showed fewer replies than the board claims
                summary = dataclasses.replace(summary, replies=believed)
            ids = where.source_id, where.board_row_id
            thread, previous = repo.store_listed_thread(session, found, *ids, summary, where.now)
            thread_id, fresh = thread.id, thread.replies != previous  # new or grown: not only a retry
            report.threads_new += found is None
        first, last = thread_pages(adapter, summary, stored, config.posts_per_page, previous)
        if first is not None:
            where.pages.fresh_threads += fresh
            read = await self._fetch_thread_pages(
                adapter, summary.thread_id, thread_id, where, first, last, report
            )
            with self._sessions.begin() as session:
                thread = row_of(session, Thread, thread_id)
                shown = store_listed_replies(session, thread, read, claim)
            if read.reached_end and claim is not None and claim > shown:
                log.info(
                    "thread %s: the board lists %d replies, its pages show %d",
                    summary.thread_id,
                    claim,
                    shown,
                    extra={"source": where.source_key, "url": summary.url},
                )
                self._overclaims.found(where.source_id, summary.thread_id, claim, shown)
            elif read.reached_end:
                self._overclaims.settled(where.source_id, summary.thread_id)
        report.touched.append(thread_id)

    async def _fetch_thread_pages(
        self,
        adapter: Source,
        external_id: str,
        thread_id: int,
        where: BoardRead,
        first: int,
        last: int | None,
        report: CrawlReport,
    ) -> ThreadRead:
        """Pages ``first``..``last`` (``None``: up to the last page the pager shows), stopping early
        at a page number past the thread's last page (the forum serves a page already read)."""
        now = where.now
        page_number, seen, own, reached_end = first, None, None, False
        read_ids: set[str] = set()
        while last is None or page_number <= last:
            url = adapter.thread_url(external_id, page_number)
            refused = off_site_thread(adapter, url, page_number)
            read = await self._read(
                url, adapter.parse_thread, where, report, pages=where.pages, refused=refused
            )
            if read is None:
                reached_end = False  # whether more pages follow is not known
                break
            page, fetched = read
            ids = {post.post_id for post in page.posts}
            if page.page < page_number or (ids and ids <= read_ids):
                # past the last page: the forum served an earlier page (Discuz! serves its last)
                log.debug("thread page past the last one: %s", url, extra={"url": url})
                reached_end = True
                break
            read_ids |= ids
            report.pages.setdefault(thread_id, []).append(fetched)
            seen = page
            own = page.replies if page.replies is not None else own
            with self._sessions.begin() as session:
                changed = repo.save_posts(session, row_of(session, Thread, thread_id), page.posts, now)
                self._enrich(changed)
                report.posts_new += len(changed)
            if not page.posts:
                with self._sessions.begin() as session:
                    board = row_of(session, Board, where.board_row_id)
                    health.event(
                        session, board.source, board, "zero_posts", now, url=url, detail="page had no posts"
                    )
            reached_end = page_number >= page.page_count  # as far as this page's pager tells
            if reached_end and last is None:
                break
            page_number += 1
        return ThreadRead(seen, own, reached_end)

    async def _read(
        self,
        url: str,
        parse: Callable[[str, str, datetime], P],
        where: BoardRead,
        report: CrawlReport,
        *,
        board_list: bool = False,
        conditional: bool = False,
        pages: health.ThreadPages | None = None,
        refused: FetchError | None = None,
    ) -> tuple[P, Page] | None:
        """The page, or ``None`` if it failed (:func:`page_skipped`); counted in ``pages`` if given.
        A ``refused`` page is not fetched: it fails with that error."""
        now = where.now
        fetched: Page | None = None
        try:
            if refused is not None:
                raise refused
            fetched = await self._fetcher.get(url, conditional=conditional)
            report.pages_fetched += 1
            if fetched.not_modified:
                raise NotModified(url)
            page_now = self._page_clock.of(fetched, where.source_key, where.clock)
            parsed = parsed_unless_blocked(parse, fetched, url, page_now, self._fetcher)  # or a firewall's
        except (FetchError, ParseError) as exc:
            report.pages_failed += 1
            with self._sessions.begin() as session:
                board = row_of(session, Board, where.board_row_id)
                page_skipped(
                    session,
                    board,
                    url,
                    exc,
                    fetched,
                    now,
                    self._failed_pages,
                    board_list=board_list,
                    pages=pages,
                )
            return None
        if pages is not None:
            pages.read += 1
        return parsed, fetched
