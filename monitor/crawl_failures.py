"""What a page the crawler could not fetch or read leaves behind.

Its raw bytes are kept for diagnosis — the page as fetched, or the error page the forum sent
(:func:`keep_evidence`) — and a health event is recorded (:func:`record_page_failure`); nothing
stored is touched.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from monitor import health
from monitor.errors import FetchError, ParseError
from monitor.fetch.client import HTTPStatusError, Page
from monitor.fetch.failed_pages import keep_failed_page
from monitor.store.models import Board, SourceRow


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
) -> None:
    """Record the failure: a board list page's is a failed poll of the board, any other page's a
    health event of its kind (``kept``: where its bytes were kept)."""
    kind = health.failure_kind(exc)
    if board_list:
        health.board_failed(session, source, board, exc.reason, url, now, kept, kind=kind)
    else:
        health.event(session, source, board, kind, now, url=url, detail=exc.reason, kept_as=kept)
