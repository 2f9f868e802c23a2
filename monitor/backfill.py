"""A backfill: page back through a source's boards once more, on request (``monitor sources backfill``).

A board's first read pages back through its older list pages once (:mod:`monitor.crawl_board_list`).
A board read before that existed, or whose first read gave up at an older page that kept failing
(:mod:`monitor.first_read_resume`), never does again; a backfill does it by hand (and a board's first
read still to be read on, or given up, is then done with), with the same paging and stopping rules
(:class:`~monitor.crawl_board_list.FirstRead`: up to ``pages`` list pages, stopping at a page whose
rows, stickies aside, all had their last post more than ``days`` ago) and through the same pipeline
as a poll (:meth:`monitor.pipeline.Pipeline.crawl_board`): the same fetcher — robots.txt, the
host's pacing, its rests after a block or a long ``Retry-After`` — and the same store, so a thread
already stored is read incrementally (only the pages that can hold posts it lacks) and never
duplicated, and a snapshot, sentiment, crisis signals, detection and alerts follow as at any poll.
A thread it finds long quiet opens no alert (:mod:`monitor.catch_up`).

:func:`dry_run` pages back the same way through the list pages alone, storing nothing, to say what
a backfill would read.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config.files import SourceConfig
from monitor.crawl_blocked import parsed_unless_blocked
from monitor.crawl_board_list import (
    BoardList,
    FirstRead,
    ListPage,
    pages_left_said,
    read_board_list,
    rows_left_said,
)
from monitor.crawl_clock import PageClock, pass_clock
from monitor.detect.velocity import counted
from monitor.display_text import clean_text
from monitor.errors import FetchError, ParseError
from monitor.pipeline import PassReport, Pipeline
from monitor.sources.base import Source
from monitor.store.models import Board, SourceRow, Thread

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoardBackfill:
    """What a backfill did (or a dry run would do) on one board."""

    board_id: str
    board_name: str = ""
    found: BoardList | None = None  # None: the board's list could not be read
    threads_new: int = 0  # listed threads not stored before
    held_quiet: int = 0  # long quiet threads that would have alerted (monitor.catch_up)
    error: str = ""  # why the list could not be read, or why its paging stopped at a failed page

    def said(self, *, dry_run: bool = False) -> str:
        """One line: pages read, threads found and new, why it stopped, older pages left."""
        # the forum's words (board name, error pages' reasons): no terminal codes
        name = f"board {self.board_id}" + (f" {clean_text(self.board_name)}" if self.board_name else "")
        found = self.found
        if found is None:
            return f"{name}: not read: {clean_text(self.error) or 'see `monitor sources status`'}"
        pages = counted(found.pages_read, "list page", "list pages")
        threads = counted(len(found.summaries), "thread", "threads")
        new = "not stored yet" if dry_run else "new"
        said = (
            f"{name}: {'would read' if dry_run else 'read'} {pages}, {threads} ({self.threads_new} {new}); "
            f"stopped: {found.stop}{rows_left_said(found)}{pages_left_said(found)}"
        )
        if found.stop.endswith("failed"):
            said += f" ({clean_text(self.error)})" if self.error else " (see `monitor sources status`)"
            said += "; run the backfill again later to read past it"
        if self.held_quiet:
            quiet = counted(self.held_quiet, "thread", "threads")
            said += f"; {quiet} quiet for longer than hot_for_hours opened no alert"
        return said


async def backfill(
    pipeline: Pipeline,
    sessions: sessionmaker[Session],
    source: SourceConfig,
    boards: list[str],
    lookback: FirstRead,
    now: datetime,
) -> tuple[list[BoardBackfill], PassReport]:
    """Page back through ``boards`` one after another and read the threads found, as a poll does."""
    done: list[BoardBackfill] = []
    total = PassReport()
    for board_id in boards:
        report = await pipeline.crawl_board(source, board_id, now, lookback)
        total.add(report)
        with sessions() as session:
            board = _board(session, source.key, board_id)
        name = board.name if board is not None else ""
        found = report.paged_back
        error = board.last_error if found is None and board is not None else ""
        held = len(set(report.held_quiet))
        done.append(BoardBackfill(board_id, name, found, report.threads_new, held, error))
    return done, total


async def dry_run(
    pipeline: Pipeline,
    sessions: sessionmaker[Session],
    source: SourceConfig,
    boards: list[str],
    lookback: FirstRead,
    now: datetime,
) -> list[BoardBackfill]:
    """What :func:`backfill` would read at ``now``: its list pages, fetched and read (politely, as a
    poll does), their threads counted against those stored; nothing is stored, no thread page fetched."""
    try:
        adapter = await pipeline.adapter(source)
    except FetchError as exc:
        return [BoardBackfill(board_id, error=exc.reason) for board_id in boards]
    with sessions() as session:
        stored = set(
            session.scalars(
                select(Thread.external_id)
                .join(SourceRow, SourceRow.id == Thread.source_id)
                .where(SourceRow.key == source.key)
            )
        )
    done = []
    for board_id in boards:
        found, error = await _list_only(pipeline, adapter, source, board_id, lookback, now)
        new = 0 if found is None else sum(1 for row in found.summaries if row.thread_id not in stored)
        name = found.board_name if found is not None else ""
        done.append(BoardBackfill(board_id, name, found, new, error=error))
    return done


async def _list_only(
    pipeline: Pipeline,
    adapter: Source,
    source: SourceConfig,
    board_id: str,
    lookback: FirstRead,
    now: datetime,
) -> tuple[BoardList | None, str]:
    """The board's list paged back as a backfill would, and the last page's error ("" if none)."""
    errors: list[str] = []
    clock = PageClock(log)  # the page's clock, and the forum's for the lookback, as the crawler judges them
    started = time.monotonic()

    async def read_page(url: str, first: bool) -> ListPage | None:
        try:
            fetched = await pipeline.fetcher.get(url)
            page_now = clock.of(fetched, source.key, lambda: pass_clock(now, started))
            parsed = parsed_unless_blocked(adapter.parse_board, fetched, url, page_now, pipeline.fetcher)
        except (FetchError, ParseError) as exc:
            errors.append(exc.reason)
            return None
        return ListPage(parsed, clock.ahead(fetched, source.key))

    found = await read_board_list(adapter, board_id, source.pages_per_board, read_page, lookback)
    return found, errors[-1] if errors else ""


def _board(session: Session, source_key: str, board_id: str) -> Board | None:
    return session.scalar(
        select(Board)
        .join(SourceRow, SourceRow.id == Board.source_id)
        .where(SourceRow.key == source_key, Board.external_id == board_id)
    )
