"""A board's first read cut short by a failed older page reads on by itself at the board's next polls.

A board's first read pages back through its older list pages once (:mod:`monitor.crawl_board_list`).
When one of them fails (page 3 of 10, say), the board remembers that page and the lookback's cutoff
moment (``boards.first_read_page`` / ``first_read_since``), and each of its next polls reads its
first ``pages_per_board`` pages as usual, then pages on from that page — by the same stopping rules,
with the same cutoff as the first read, to ``first_read_pages`` list pages at most in all. Threads
found so that are long quiet open no alert, as at a first read (:mod:`monitor.catch_up`).

A poll that reads on to a stop other than a failed page finishes the first read: the state is
cleared. One that stops at a failed page again keeps the page it failed at (the first one not read
yet) and counts a try; after :data:`RESUME_TRIES` such polls the board gives up, logs a warning once,
and ``monitor sources status`` names the page and the backfill to run, until one runs
(``monitor sources backfill``, which also clears a first read still to be read on).
"""

from __future__ import annotations

import logging
from datetime import datetime

from monitor.config.files import SourceConfig
from monitor.crawl_board_list import BoardList, FirstRead, first_read_said
from monitor.store.models import Board

log = logging.getLogger(__name__)

RESUME_TRIES = 3  # polls that read on from the failed page before the board gives up


def first_read_for(
    board: Board, config: SourceConfig, now: datetime, backfill: FirstRead | None
) -> FirstRead | None:
    """How far this poll of the board pages back: as ``backfill`` says; a first read when the board
    has had no good poll; reading on from the page a first read's failed at; else not at all."""
    if backfill is not None:
        return backfill
    if board.last_success_at is None:
        return FirstRead.at(now, config.first_read_cap, config.first_read_days)
    if board.first_read_page is not None and board.first_read_since is not None:
        since = board.first_read_since
        return FirstRead(config.first_read_cap, config.first_read_days, since, board.first_read_page, True)
    return None


def first_read_kept(
    board: Board, found: BoardList, first_read: FirstRead, source_key: str, *, backfill: bool
) -> None:
    """After a poll that paged back: remember where a first read stopped at a failed page, or clear
    it (finished, given up, or paged back by a backfill); log what the first read did."""
    if backfill:
        _clear(board)
        return
    where = f"{source_key} board {board.external_id}"
    extra = {"source": source_key}
    resumed = first_read.start > 0
    heading = f"{where} first read" + (f", read on from page {first_read.start}" if resumed else "")
    said = first_read_said(found, first_read)
    if not found.failed_page:
        _clear(board)
        log.info("%s: %s", heading, said, extra=extra)
        return
    page = max(found.failed_page, first_read.start)  # the first page not read yet
    tries = board.first_read_tries + 1 if resumed else 0
    board.first_read_page, board.first_read_tries = page, tries
    board.first_read_since = found.since or first_read.since
    if tries < RESUME_TRIES:
        log.info("%s: %s; the next poll reads on from page %d (%s)", heading, said, page, tries_said(tries))
        return
    board.first_read_since = None  # given up: nothing reads on; the page stays for `sources status`
    log.warning(
        "%s: %s; given up after %d polls read on: the threads on page %d and older are read when they "
        "bump — run `%s` to read them",
        heading,
        said,
        tries,
        page,
        backfill_command(source_key, board.external_id),
        extra=extra,
    )


def first_read_left(board: Board, source_key: str) -> str:
    """What ``monitor sources status`` says of a first read cut short ("" when none is)."""
    page = board.first_read_page
    if page is None:
        return ""
    if board.first_read_since is not None:
        return (
            f"首次回溯中断 first read cut short at page {page}: the next poll reads on from it "
            f"({tries_said(board.first_read_tries)})"
        )
    return (
        f"首次回溯已放弃 first read given up at page {page} after {board.first_read_tries} polls: the "
        f"threads there and older are read when they bump — run "
        f"`{backfill_command(source_key, board.external_id)}`"
    )


def tries_said(tries: int) -> str:
    """``try 2 of 3``: the try the next poll makes."""
    return f"try {tries + 1} of {RESUME_TRIES}"


def backfill_command(source_key: str, board_id: str) -> str:
    return f"monitor sources backfill {source_key} --board {board_id}"


def _clear(board: Board) -> None:
    board.first_read_page, board.first_read_since, board.first_read_tries = None, None, 0
