"""Source health: per board, last success, consecutive failures, threads and posts per poll,
and health events — a login wall, a captcha, a page that stopped yielding posts — never silence.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from monitor.errors import DisallowedByRobots, FetchError, ParseError
from monitor.store.models import Board, HealthEvent, SourceRow

log = logging.getLogger(__name__)

_LOGIN = ("登录", "login", "请先登", "没有权限", "无权")
_CAPTCHA = ("验证码", "captcha", "seccode", "人机验证", "安全验证")
_DISALLOWED = ("disallowed by robots.txt", "robots.txt allows no", "robots.txt disallows")
_NOT_FETCHED = ("error", "timeout", "timed out", "too large")


def failure_kind(error: FetchError | ParseError) -> str:
    """Name a failed page's problem from the error itself: a page the fetcher could not get is
    ``fetch_failed`` (whatever words its URL holds), one robots.txt forbids is ``disallowed``;
    what a parser refused is named from its reason (:func:`classify_failure`)."""
    if isinstance(error, DisallowedByRobots):
        return "disallowed"
    if isinstance(error, FetchError):
        return "fetch_failed"
    return classify_failure(error.reason)


def classify_failure(reason: str) -> str:
    """Name a failed page's problem from the parser's or fetcher's reason (prefer
    :func:`failure_kind` where the error is at hand)."""
    lowered = reason.lower()
    if any(word in lowered for word in _CAPTCHA):
        return "captcha"
    if any(word in lowered for word in _LOGIN):
        return "login_wall"
    if any(words in lowered for words in _DISALLOWED):
        return "disallowed"
    if lowered.startswith("http ") or any(word in lowered for word in _NOT_FETCHED):
        return "fetch_failed"
    return "parse_failed"


def event(
    session: Session,
    source: SourceRow,
    board: Board | None,
    kind: str,
    now: datetime,
    *,
    url: str = "",
    detail: str = "",
    kept_as: str = "",
) -> HealthEvent:
    row = HealthEvent(
        source_id=source.id,
        board_id=board.id if board else None,
        at=now,
        kind=kind,
        url=url,
        detail=detail[:2000],
        kept_as=kept_as,
    )
    session.add(row)
    where = f"{source.key} board {board.external_id}" if board else source.key
    said = f": {detail[:200]}" if detail else ""
    log.warning("source health: %s on %s%s", kind, where, said, extra={"source": source.key, "url": url})
    return row


def board_succeeded(
    session: Session, source: SourceRow, board: Board, threads_seen: int, posts_new: int, now: datetime
) -> None:
    """Record a good poll of a board; a board that used to list threads and now lists none is an event."""
    if threads_seen == 0 and board.last_threads_seen > 0:
        event(
            session,
            source,
            board,
            "zero_threads",
            now,
            detail="board list yielded no threads (template change?)",
        )
    if board.consecutive_failures > 0:
        event(session, source, board, "recovered", now, detail=f"after {board.consecutive_failures} failures")
    board.last_success_at = now
    board.consecutive_failures = 0
    board.last_threads_seen = threads_seen
    board.last_posts_new = posts_new
    board.last_error = ""


def board_failed(
    session: Session,
    source: SourceRow,
    board: Board,
    reason: str,
    url: str,
    now: datetime,
    kept_as: str = "",
    *,
    kind: str = "",
) -> None:
    """Record a failed poll of a board: ``kind`` names the problem (default: from ``reason``)."""
    board.last_failure_at = now
    board.consecutive_failures += 1
    board.last_error = reason[:2000]
    kind = kind or classify_failure(reason)
    event(session, source, board, kind, now, url=url, detail=reason, kept_as=kept_as)


def board_status(board: Board) -> str:
    """ok, failing (last poll failed), empty (polls succeed but list nothing) or never polled."""
    if board.consecutive_failures:
        return "failing"
    if board.last_success_at is None:
        return "never polled"
    if board.last_threads_seen == 0:
        return "empty"
    return "ok"
