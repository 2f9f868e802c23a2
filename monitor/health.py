"""Source health: per board, last success, consecutive failures, threads and posts per poll,
and health events — a login wall, a captcha, a firewall's block page or browser challenge
(:mod:`monitor.fetch.blocked`), a page that stopped yielding posts — never silence.

A board's state (:func:`board_status`): *failing* while its list cannot be read, *degraded* while
its list is read but none of the thread pages its polls try — new or grown threads' among them —
(nothing it posts is being read), *empty* when its list lists nothing, else *ok*.

An event is an outage, not a poll: while a board keeps meeting the same problem on the same page
(its list, or a thread page) each further time counts on its open event (``times``, ``last_at``)
and is logged at DEBUG — at WARNING when it began and once an hour while it goes on; the first
good poll that no longer meets it ends the event (``ended_at``). Pages that fail differently, or
other pages, are events of their own. A board read again after failing records ``recovered``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.detect.velocity import counted
from monitor.errors import DisallowedByRobots, FetchError, ParseError
from monitor.fetch.blocked import PageBlocked, kind_of_reason
from monitor.fetch.hosts import HostResting
from monitor.store.models import Board, HealthEvent, SourceRow

log = logging.getLogger(__name__)

_LOGIN = ("登录", "login", "请先登", "没有权限", "无权", "用户组无法")  # 用户组: Discuz!'s "no permission"
_CAPTCHA = ("验证码", "captcha", "seccode", "人机验证", "安全验证")
_DISALLOWED = ("disallowed by robots.txt", "robots.txt allows no", "robots.txt disallows")
_NOT_FETCHED = ("error", "timeout", "timed out", "too large")
ONE_OFF = frozenset({"recovered", "zero_threads"})
"""Kinds that tell of a change, not a state: each is an event of its own, over when recorded."""
REMINDER = timedelta(hours=1)
"""How often an outage that goes on is logged again at WARNING."""


@dataclass
class ThreadPages:
    """The thread pages one poll of a board tried: how many were read, the kinds of those that failed,
    and how many of the threads tried were new or grown on its list (not only tried again because
    posts are missing)."""

    read: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    last_error: str = ""
    fresh_threads: int = 0

    def page_failed(self, kind: str, reason: str) -> None:
        self.failed[kind] += 1
        self.last_error = reason

    def cause(self) -> str:
        """``3 thread pages tried, none read (login_wall ×2, fetch_failed ×1): <the last error>``."""
        kinds = ", ".join(
            f"{kind} ×{n}" for kind, n in sorted(self.failed.items(), key=lambda i: (-i[1], i[0]))
        )
        return f"{_pages(self.failed.total())} tried, none read ({kinds}): {self.last_error}"


def failure_kind(error: FetchError | ParseError) -> str:
    """Name a failed page's problem from the error itself: a page the fetcher could not get is
    ``fetch_failed`` (whatever words its URL holds), one robots.txt forbids is ``disallowed``;
    what a parser refused is named from its reason (:func:`classify_failure`)."""
    if isinstance(error, DisallowedByRobots):
        return "disallowed"
    if isinstance(error, PageBlocked):
        return error.block.kind
    if isinstance(error, FetchError):  # a resting host's refusal repeats why it rests
        return kind_of_reason(error.reason) or "fetch_failed"
    return classify_failure(error.reason)


def classify_failure(reason: str) -> str:
    """Name a failed page's problem from the parser's or fetcher's reason (prefer
    :func:`failure_kind` where the error is at hand)."""
    lowered = reason.lower()
    blocked = kind_of_reason(reason)  # a firewall, a challenge, a CAPTCHA (monitor.fetch.blocked)
    if blocked:
        return blocked
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
    """Record a problem met at ``now``: counted on the board's open event of its kind at ``url`` if
    there is one (an outage going on; ``detail`` and ``kept_as`` stay the first time's), else a new
    event."""
    where = f"{source.key} board {board.external_id}" if board else source.key
    said = f": {detail[:200]}" if detail else ""
    extra = {"source": source.key, "url": url}
    going_on = _open_event(session, board, kind, url) if board is not None and kind not in ONE_OFF else None
    if going_on is not None:
        previous = going_on.last_at
        going_on.times += 1
        going_on.last_at = max(previous, now)
        hourly = (now - going_on.at) // REMINDER > (previous - going_on.at) // REMINDER
        since = going_on.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        log.log(
            logging.WARNING if hourly else logging.DEBUG,
            "source health: %s on %s still, %d times since %s%s",
            kind,
            where,
            going_on.times,
            since,
            said,
            extra=extra,
        )
        return going_on
    row = HealthEvent(
        source_id=source.id,
        board_id=board.id if board else None,
        at=now,
        last_at=now,
        times=1,
        ended_at=now if kind in ONE_OFF or board is None else None,  # nothing would end it later
        kind=kind,
        url=url[:1000],
        detail=detail[:2000],
        kept_as=kept_as,
    )
    session.add(row)
    # a recovery is good news: said at INFO, the problems at WARNING
    level = logging.INFO if kind == "recovered" else logging.WARNING
    log.log(level, "source health: %s on %s%s", kind, where, said, extra=extra)
    return row


def outage_url(session: Session, board: Board, kind: str, error: FetchError) -> str:
    """Where a board not read is counted: a refusal while its forum rests (:class:`HostResting`,
    naming whatever URL was asked first: the forum's robots.txt or home) on the board's open event
    of its kind — the block or Retry-After that began the rest, at its list page — as one outage
    going on; any other failure at its own URL."""
    if isinstance(error, HostResting):
        going_on = session.scalar(
            select(HealthEvent.url)
            .where(HealthEvent.board_id == board.id, HealthEvent.kind == kind, HealthEvent.ended_at.is_(None))
            .order_by(HealthEvent.last_at.desc(), HealthEvent.id.desc())
            .limit(1)
        )
        if going_on is not None:
            return going_on
    return error.url


def _open_event(session: Session, board: Board, kind: str, url: str) -> HealthEvent | None:
    return session.scalar(
        select(HealthEvent)
        .where(HealthEvent.board_id == board.id, HealthEvent.kind == kind, HealthEvent.url == url[:1000])
        .where(HealthEvent.ended_at.is_(None))
        .order_by(HealthEvent.id.desc())
        .limit(1)
    )


def board_succeeded(
    session: Session,
    source: SourceRow,
    board: Board,
    threads_seen: int,
    posts_new: int,
    now: datetime,
    pages: ThreadPages | None = None,
) -> None:
    """Record a good poll of a board's list at ``now`` and the thread pages it tried (``pages``).

    Every open event of the board this poll did not meet (last seen before ``now``) ends. The board
    is degraded from a poll that could read none of the thread pages it tried, among them pages of
    threads new or grown on its list, until a poll reads one (or finds none left to read): a poll
    that only tried again threads that already failed tells nothing new, and leaves the state as
    it was. A board that used to list threads and now lists none is an event; one read again after
    failing, or whose thread pages are read again, records ``recovered``."""
    pages = pages if pages is not None else ThreadPages()
    for going_on in session.scalars(
        select(HealthEvent).where(HealthEvent.board_id == board.id, HealthEvent.ended_at.is_(None))
    ):
        if going_on.last_at < now:
            going_on.ended_at = now
    if threads_seen == 0 and board.last_threads_seen > 0:
        event(
            session,
            source,
            board,
            "zero_threads",
            now,
            detail="board list yielded no threads (template change?)",
        )
    degraded = board.degraded_since is not None
    if pages.read or not pages.failed:
        board.degraded_since = None
    elif pages.fresh_threads and not degraded:
        board.degraded_since = now
        log.warning(
            "source health: %s board %s degraded, its posts are not being read: %s",
            source.key,
            board.external_id,
            pages.cause(),
            extra={"source": source.key},
        )
    if board.consecutive_failures > 0:
        failures = counted(board.consecutive_failures, "failure", "failures")
        event(session, source, board, "recovered", now, detail=f"after {failures}")
    elif degraded and pages.read:
        event(session, source, board, "recovered", now, detail="thread pages read again")
    board.last_success_at = now
    board.consecutive_failures = 0
    board.last_threads_seen = threads_seen
    board.last_posts_new = posts_new
    board.last_thread_pages_read = pages.read
    board.last_thread_pages_failed = pages.failed.total()
    board.last_error = pages.cause()[:2000] if board.degraded_since is not None else ""


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
) -> HealthEvent:
    """Record a failed poll of a board: ``kind`` names the problem (default: from ``reason``)."""
    board.last_failure_at = now
    board.consecutive_failures += 1
    board.last_error = reason[:2000]
    kind = kind or classify_failure(reason)
    return event(session, source, board, kind, now, url=url, detail=reason, kept_as=kept_as)


def board_status(board: Board) -> str:
    """failing (last poll could not read the list), never polled, degraded (the list is read, none of
    the thread pages: see :func:`board_succeeded`), empty (polls succeed but list nothing) or ok."""
    if board.consecutive_failures:
        return "failing"
    if board.last_success_at is None:
        return "never polled"
    if board.degraded_since is not None:
        return "degraded"
    if board.last_threads_seen == 0:
        return "empty"
    return "ok"


def _pages(n: int) -> str:
    return counted(n, "thread page", "thread pages")
