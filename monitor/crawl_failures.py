"""What a page the crawler could not fetch or read leaves behind.

Its raw bytes are kept for diagnosis — the page as fetched, or the error page the forum sent
(:func:`keep_evidence`) — and a health event is recorded, or counted on the board's open one
(:func:`record_page_failure`); nothing stored is touched.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from monitor import health
from monitor.config.files import SourceConfig
from monitor.errors import DisallowedByRobots, FetchError, ParseError
from monitor.fetch.blocked import PageBlocked, kind_of_reason
from monitor.fetch.client import HTTPStatusError, Page
from monitor.fetch.failed_pages import keep_failed_page
from monitor.fetch.hosts import HostResting
from monitor.store import repo
from monitor.store.models import Board, HealthEvent, SourceRow

log = logging.getLogger(__name__)

THREAD_GONE = "thread_gone"
"""The kind of a thread page the forum answers 404 or 410 for (or Discuz!'s "deleted or under review"
message, :data:`GONE_MESSAGES`): a thread deleted or moved, as forums do
every day — listed in ``sources status`` but not a board read badly (a board whose every thread page
is gone, a changed URL template, still shows as degraded)."""
GONE_STATUSES = frozenset({404, 410})
GONE_MESSAGES = ("不存在或已被删除", "已被删除或正在被审核")
"""Words of Discuz!'s 200 提示信息 for a thread deleted or held for review (指定的主题不存在或已被删除或
正在被审核): gone, like a 404 — not a block, and not a board read badly."""


def page_skipped(
    session: Session,
    board: Board,
    url: str,
    exc: FetchError | ParseError,
    fetched: Page | None,
    now: datetime,
    failed_pages: Path,
    *,
    board_list: bool,
    pages: health.ThreadPages | None,
) -> None:
    """A page of ``board``'s poll at ``now`` failed: keep its bytes, record it
    (:func:`record_page_failure`) and log it with its URL — at DEBUG when it only repeats an outage
    of its kind a poll before this one met (the health log says when that goes on)."""
    kept = keep_evidence(failed_pages, url, exc, fetched, now)
    recorded = record_page_failure(
        session, board.source, board, exc, url, now, kept, board_list=board_list, pages=pages
    )
    level = logging.WARNING if recorded.at == now else logging.DEBUG
    log.log(level, "page skipped: %s: %s", url, exc.reason, extra={"url": url, "kept_as": kept})


def keep_evidence(
    failed_pages: Path, url: str, exc: FetchError | ParseError, fetched: Page | None, now: datetime
) -> str:
    """Keep the failed page's bytes under ``failed_pages``: the page fetched, else an error
    page's body; returns where they were kept (``""``: nothing kept)."""
    if fetched is not None:
        return str(keep_failed_page(failed_pages, url, fetched.body, exc.reason, now) or "")
    if isinstance(exc, HTTPStatusError) and exc.body:  # an error page: what the forum sent
        return str(keep_failed_page(failed_pages, url, exc.body, exc.reason, now) or "")
    return ""


def record_page_failure(
    session: Session,
    source: SourceRow,
    board: Board,
    exc: FetchError | ParseError,
    url: str,
    now: datetime,
    kept: str,
    *,
    board_list: bool,
    pages: health.ThreadPages | None = None,
) -> HealthEvent:
    """Record the failure: the board list's (its first page) is a failed poll of the board, any
    other page's a health event of its kind (``kept``: where its bytes were kept), counted in
    ``pages`` when it is one of the thread pages a board poll tried. Returns the event."""
    kind = health.failure_kind(exc)
    if not board_list and thread_gone(exc):
        kind = THREAD_GONE  # deleted or moved by the forum: not a problem reading the board
    if pages is not None:
        pages.page_failed(kind, exc.reason)
    if board_list:
        return health.board_failed(session, source, board, exc.reason, url, now, kept, kind=kind)
    return health.event(session, source, board, kind, now, url=url, detail=exc.reason, kept_as=kept)


def thread_gone(exc: FetchError | ParseError) -> bool:
    """Whether a thread page's failure says the thread is gone: HTTP 404/410, or Discuz!'s message."""
    if isinstance(exc, PageBlocked):
        return False
    if isinstance(exc, HTTPStatusError):
        return exc.status in GONE_STATUSES
    return isinstance(exc, ParseError) and any(words in exc.reason for words in GONE_MESSAGES)


def board_not_read(
    sessions: sessionmaker[Session], config: SourceConfig, board_id: str, error: FetchError, now: datetime
) -> bool:
    """The board could not be read at all — the forum is unreachable, or robots.txt allows no
    format it can be read in: a failed poll of the board, with the cause. True when this poll
    begins an outage (not one already going on)."""
    with sessions.begin() as session:
        source = repo.ensure_source(session, config)
        board = repo.ensure_board(session, source, board_id, "")
        kind = health.failure_kind(error)
        url = health.outage_url(session, board, kind, error)  # a rest's refusal: the outage it is in
        found = health.board_failed(session, source, board, error.reason, url, now, kind=kind)
        return found.times == 1  # a new outage, not one going on


def log_board_not_read(
    source: SourceConfig, board_id: str, error: FetchError, began: bool, logger: logging.Logger = log
) -> None:
    """At WARNING when the outage ``began`` with this poll; its repeats are counted on its health event
    (on ``logger``: the pipeline's, which has always said it)."""
    # a forum that answered (a firewall's page, a Retry-After rest, an HTTP error) is not unreachable
    answered = isinstance(error, HTTPStatusError | HostResting) or kind_of_reason(error.reason) is not None
    what = "refusing" if answered else "unreachable"
    what = "disallowed" if isinstance(error, DisallowedByRobots) else what
    logger.log(
        logging.WARNING if began else logging.DEBUG,
        "source %s %s, board %s not read: %s",
        source.key,
        what,
        board_id,
        error.reason,
        extra={"source": source.key, "url": error.url},
    )
