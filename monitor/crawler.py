"""Fetch, parse and store: board lists and the thread pages that can hold new posts.

Incremental: a known thread is fetched only when its reply count grew, and only from the
first page that can hold posts not yet stored. A page that cannot be fetched or read is
logged with its URL, its raw bytes are kept for diagnosis, a health event is recorded,
and nothing stored is touched.

What a hostile or broken forum cannot make it do:

* read a thread twice in one pass: a board whose pager always offers one more page and serves
  its last page for any higher number lists the same threads again (board paging stops at the
  first page that lists no thread not listed already, and a thread listed twice is read once),
  and a thread another board's list or a hot refresh is reading is left to that read (a moved
  thread's marker lists it on two boards). A thread read again later in a pass is read
  incrementally, so its pages are not fetched again.
* read past a thread's last page: a page number beyond it is served as the last page again
  (Discuz! does so); such a page (an earlier page number in its pager, or only posts already
  read) ends the read.
* count replies the thread does not have: when the read reached the thread's last page, the
  reply count stored (and so the detector's snapshot) is what the thread's own pages show — its
  own reply count, the floors read — not a board list that claims more; and while the board
  keeps claiming the same number, the thread is not read again for the difference.
* misdate relative dates (``3 小时前``) by a server clock far off: they are read against the
  server's ``Date`` header, unless that is more than :data:`CLOCK_SKEW_TOLERANCE` off this
  pass's clock, when the pass's clock is used instead (logged once per source).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor import health
from monitor.config.files import SourceConfig
from monitor.errors import FetchError, ParseError
from monitor.fetch.client import Fetcher, HTTPStatusError, Page
from monitor.fetch.failed_pages import keep_failed_page
from monitor.sources.base import BoardPage, Source, ThreadPage, ThreadSummary
from monitor.store import repo
from monitor.store.models import Board, Post, SourceRow, Thread

log = logging.getLogger(__name__)

P = TypeVar("P", BoardPage, ThreadPage)
T = TypeVar("T")

# A server whose Date header is further than this from the pass's clock has a wrong clock: the
# relative dates it prints ("3 小时前") are read against the pass's clock instead.
CLOCK_SKEW_TOLERANCE = timedelta(minutes=10)


@dataclass
class CrawlReport:
    """What a crawl did; the pipeline adds the alert changes."""

    pages_fetched: int = 0
    pages_failed: int = 0
    threads_seen: int = 0
    posts_new: int = 0
    touched: list[int] = field(default_factory=list)  # ids of threads whose state was refreshed
    pages: dict[int, list[Page]] = field(default_factory=dict)  # thread id -> pages fetched (evidence)


@dataclass(frozen=True)
class _Where:
    """Whose pages a crawl reads, and its clock: ``now`` when it started (``started``, monotonic)."""

    source_id: int
    board_row_id: int
    source_key: str
    now: datetime
    started: float

    def clock(self) -> datetime:
        """The crawl's clock now: its ``now`` plus the time it has run."""
        return self.now + timedelta(seconds=time.monotonic() - self.started)


@dataclass(frozen=True)
class _ThreadRead:
    """What reading a thread's pages showed."""

    last: ThreadPage | None  # the last page read
    own_replies: int | None  # the reply count the thread's own pages showed (the latest one)
    reached_end: bool  # the read went up to the thread's last page


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
        self._reading: set[tuple[int, str]] = set()  # (source id, thread external id) being read now
        # (source id, thread external id) -> (the board's reply count, the count its pages showed)
        # for a thread whose board list claims more replies than the thread has
        self._overclaims: dict[tuple[int, str], tuple[int, int]] = {}
        self._skew_warned: set[str] = set()

    async def crawl_board(
        self, adapter: Source, config: SourceConfig, board_id: str, now: datetime, report: CrawlReport
    ) -> None:
        """Read the board's first pages, then every listed thread that can have new posts."""
        with self._sessions.begin() as session:
            source = repo.ensure_source(session, config)
            board = repo.ensure_board(session, source, board_id, "")
            where = _Where(source.id, board.id, config.key, now, time.monotonic())
        summaries: list[ThreadSummary] = []
        listed: set[str] = set()
        board_name = ""
        unchanged = False
        for page_number in range(1, config.pages_per_board + 1):
            url = adapter.board_url(board_id, page_number)
            try:
                read = await self._read(
                    url, adapter.parse_board, where, report, board_list=True, conditional=page_number == 1
                )
            except _NotModified:  # conditional GET: the first list page is as it was, so is the board;
                # only threads still missing posts (a page that failed last time) are tried again
                with self._sessions() as session:
                    summaries = repo.incomplete_threads(session, where.board_row_id)
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
            new = [t for t in board_page.threads if t.thread_id not in listed]
            if page_number > 1 and not new:  # past the last page: the forum serves one already read
                log.debug("board page lists nothing new, paging stops: %s", url, extra={"url": url})
                break
            for summary in new:
                if summary.thread_id not in listed:  # a page listing a thread twice
                    listed.add(summary.thread_id)
                    summaries.append(summary)
            if page_number >= board_page.page_count:
                break
        posts_before = report.posts_new
        # Threads are read side by side; the fetcher's per-host limit decides how many at once.
        await asyncio.gather(
            *(self._crawl_listed_thread(adapter, config, where, summary, report) for summary in summaries)
        )
        with self._sessions.begin() as session:
            board = _get(session, Board, where.board_row_id)
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
            external_id = thread.external_id
            where = _Where(thread.source_id, thread.board_id, config.key, now, time.monotonic())
            first = repo.stored_post_count(session, thread) // config.posts_per_page + 1
        if not self._claim(where, external_id):
            return
        try:
            read = await self._fetch_thread_pages(adapter, external_id, thread_id, where, first, None, report)
        finally:
            self._release(where, external_id)
        with self._sessions.begin() as session:
            thread = _get(session, Thread, thread_id)
            shown = _shown_replies(read, _highest_floor(session, thread))
            if read.reached_end:  # the thread's own pages, up to its last: what it has
                thread.replies = shown
            else:
                thread.replies = max(thread.replies, shown)
            thread.last_seen_at = now
        report.touched.append(thread_id)

    def _claim(self, where: _Where, thread_id: str) -> bool:
        """Whether the thread may be read now: not while another board's list (a moved thread's
        marker lists it on its old board too) or a hot refresh is reading it; claims it.
        Release with :meth:`_release`."""
        key = (where.source_id, thread_id)
        if key in self._reading:
            log.debug("thread %s is being read already", thread_id, extra={"source": where.source_key})
            return False
        self._reading.add(key)
        return True

    def _release(self, where: _Where, thread_id: str) -> None:
        self._reading.discard((where.source_id, thread_id))

    async def _crawl_listed_thread(
        self,
        adapter: Source,
        config: SourceConfig,
        where: _Where,
        summary: ThreadSummary,
        report: CrawlReport,
    ) -> None:
        if not self._claim(where, summary.thread_id):
            return
        try:
            await self._read_listed_thread(adapter, config, where, summary, report)
        finally:
            self._release(where, summary.thread_id)

    async def _read_listed_thread(
        self,
        adapter: Source,
        config: SourceConfig,
        where: _Where,
        summary: ThreadSummary,
        report: CrawlReport,
    ) -> None:
        report.threads_seen += 1
        key = (where.source_id, summary.thread_id)
        claim = None if "replies" in summary.missing else summary.replies
        with self._sessions.begin() as session:
            believed = self._believed_replies(session, adapter, where, summary)
            if believed is not None:  # the thread's pages showed fewer replies than the board claims
                summary = dataclasses.replace(summary, replies=believed)
            source = _get(session, SourceRow, where.source_id)
            board = _get(session, Board, where.board_row_id)
            thread, _previous = repo.upsert_thread(session, source, board, summary, where.now)
            stored = repo.stored_post_count(session, thread)
            thread_id = thread.id
        first, last = _thread_pages(adapter, summary, stored, config.posts_per_page)
        if first is not None:
            read = await self._fetch_thread_pages(
                adapter, summary.thread_id, thread_id, where, first, last, report
            )
            with self._sessions.begin() as session:
                thread = _get(session, Thread, thread_id)
                shown = _shown_replies(read, _highest_floor(session, thread))
                if read.reached_end and (claim is None or claim > shown):
                    thread.replies = shown  # the board claims more than the thread has
                elif read.own_replies is not None:
                    thread.replies = max(thread.replies, read.own_replies)
            if read.reached_end and claim is not None and claim > shown:
                log.info(
                    "thread %s: the board lists %d replies, its pages show %d",
                    summary.thread_id,
                    claim,
                    shown,
                    extra={"source": where.source_key, "url": summary.url},
                )
                self._overclaims[key] = (claim, shown)
            elif read.reached_end:
                self._overclaims.pop(key, None)
        report.touched.append(thread_id)

    def _believed_replies(
        self, session: Session, adapter: Source, where: _Where, summary: ThreadSummary
    ) -> int | None:
        """The reply count to believe instead of the board list's claim, ``None``: the claim.

        Not the claim when it is one the thread's pages were found not to have (remembered by
        this process), or — after a restart — when fewer replies are stored than the board
        claims, but every one the stored count promises is there and the board's own last-post
        time is that of the newest post stored: nothing was posted since. Only for Discuz!, whose
        lists show the last post to the minute (a list showing only its date could not tell).
        """
        claim = None if "replies" in summary.missing else summary.replies
        if claim is None:
            return None
        key = (where.source_id, summary.thread_id)
        known = self._overclaims.get(key)
        if known is not None and known[0] == claim:
            return known[1]
        if getattr(adapter, "engine", "") != "discuz" or summary.last_post_at is None:
            return None
        thread = session.scalar(
            select(Thread).where(Thread.source_id == where.source_id, Thread.external_id == summary.thread_id)
        )
        if thread is None or thread.replies >= claim:
            return None
        posts, newest = session.execute(
            select(func.count(), func.max(Post.posted_at)).where(Post.thread_id == thread.id)
        ).one()
        if posts >= thread.replies + 1 and newest is not None and summary.last_post_at <= newest:
            self._overclaims[key] = (claim, thread.replies)
            return int(thread.replies)
        return None

    async def _fetch_thread_pages(
        self,
        adapter: Source,
        external_id: str,
        thread_id: int,
        where: _Where,
        first: int,
        last: int | None,
        report: CrawlReport,
    ) -> _ThreadRead:
        """Pages ``first``..``last`` (``None``: up to the last page the pager shows), stopping early
        at a page number past the thread's last page (the forum serves a page already read)."""
        now = where.now
        page_number, seen, own, reached_end = first, None, None, False
        read_ids: set[str] = set()
        while last is None or page_number <= last:
            url = adapter.thread_url(external_id, page_number)
            read = await self._read(url, adapter.parse_thread, where, report)
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
                changed = repo.save_posts(session, _get(session, Thread, thread_id), page.posts, now)
                self._enrich(changed)
                report.posts_new += len(changed)
            if not page.posts:
                with self._sessions.begin() as session:
                    source = _get(session, SourceRow, where.source_id)
                    board = _get(session, Board, where.board_row_id)
                    health.event(
                        session, source, board, "zero_posts", now, url=url, detail="page had no posts"
                    )
            reached_end = page_number >= page.page_count  # as far as this page's pager tells
            if reached_end and last is None:
                break
            page_number += 1
        return _ThreadRead(seen, own, reached_end)

    async def _read(
        self,
        url: str,
        parse: Callable[[str, str, datetime], P],
        where: _Where,
        report: CrawlReport,
        *,
        board_list: bool = False,
        conditional: bool = False,
    ) -> tuple[P, Page] | None:
        now = where.now
        fetched: Page | None = None
        try:
            fetched = await self._fetcher.get(url, conditional=conditional)
            report.pages_fetched += 1
            if fetched.not_modified:
                raise _NotModified(url)
            return parse(fetched.text, url, self._page_clock(fetched, where)), fetched
        except (FetchError, ParseError) as exc:
            report.pages_failed += 1
            reason = exc.reason
            kept = ""
            if fetched is not None:
                kept = str(keep_failed_page(self._failed_pages, url, fetched.body, reason, now) or "")
            elif isinstance(exc, HTTPStatusError) and exc.body:  # an error page: what the forum sent
                kept = str(keep_failed_page(self._failed_pages, url, exc.body, reason, now) or "")
            log.warning("page skipped: %s: %s", url, reason, extra={"url": url, "kept_as": kept})
            kind = health.failure_kind(exc)
            with self._sessions.begin() as session:
                source = _get(session, SourceRow, where.source_id)
                board = _get(session, Board, where.board_row_id)
                if board_list:
                    health.board_failed(session, source, board, reason, url, now, kept, kind=kind)
                else:
                    health.event(session, source, board, kind, now, url=url, detail=reason, kept_as=kept)
            return None

    def _page_clock(self, fetched: Page, where: _Where) -> datetime:
        """What the page's relative dates are relative to: the server's clock (its ``Date``
        header), unless that is more than :data:`CLOCK_SKEW_TOLERANCE` off the crawl's clock —
        a wrong server clock, whose "3 小时前" would land hours or years off — then the crawl's."""
        if fetched.server_date is None:
            return fetched.now
        ours = where.clock()
        skew = fetched.server_date - ours
        if abs(skew) <= CLOCK_SKEW_TOLERANCE:
            return fetched.server_date
        if where.source_key not in self._skew_warned:
            self._skew_warned.add(where.source_key)
            log.warning(
                "source %s: the forum's clock (its Date header, %s) is %s our clock (%s); "
                "relative dates such as 3 小时前 are read against our clock",
                where.source_key,
                fetched.server_date.isoformat(timespec="seconds"),
                _describe_skew(skew),
                ours.isoformat(timespec="seconds"),
                extra={"source": where.source_key, "url": fetched.url},
            )
        return ours


class _NotModified(Exception):
    """A conditional GET answered 304: nothing on the page changed."""


def _describe_skew(skew: timedelta) -> str:
    """``3 days 2 h ahead of``, ``25 min behind``."""
    days, rest = divmod(round(abs(skew.total_seconds()) / 60), 1440)  # to the minute
    hours, minutes = divmod(rest, 60)
    parts = [f"{days:,} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes and not days else []
    return f"{' '.join(parts) or '0 min'} {'ahead of' if skew > timedelta(0) else 'behind'}"


def _highest_floor(session: Session, thread: Thread) -> int:
    return max((p.floor for p in repo.thread_posts(session, thread)), default=1)


def _shown_replies(read: _ThreadRead, highest_floor: int) -> int:
    """The replies a thread's own pages show: its own count (the latest page showing one) or,
    when that is lower or not shown, the floors stored (the first post is floor 1)."""
    return max(read.own_replies or 0, highest_floor - 1)


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
