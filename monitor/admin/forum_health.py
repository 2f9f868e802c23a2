"""How each configured forum's boards are being read: for ``monitor sources status`` and the dashboard.

Per source, in ``sources.yaml`` order: each configured board's state (ok, failing, degraded,
empty, never polled — :func:`monitor.health.board_status` — or stale: not polled for
:func:`stale_after`, the crawl has stopped), its last success, failures in a row,
what the last poll found (threads, new posts, thread pages read and failed) and the last error;
a first read cut short by a failed page, still read on or given up (:mod:`monitor.first_read_resume`);
whether the forum asked (a long Retry-After) not to be asked anything before a time; then the
source's health events (login wall, captcha, a page that stopped yielding posts …), the most
lately seen first — each an outage, with how many times it was seen. Reads only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config.loader import MonitorConfig
from monitor.first_read_resume import first_read_left
from monitor.health import board_status
from monitor.store.models import Board, HealthEvent, HostRest, SourceRow


@dataclass(frozen=True)
class BoardHealth:
    board_id: str
    name: str
    state: str  # ok, failing, degraded, empty, never polled, stale (never polled: ``stored`` False)
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    last_threads_seen: int = 0
    last_posts_new: int = 0
    last_error: str = ""
    thread_pages_read: int = 0  # at the last good poll
    thread_pages_failed: int = 0
    degraded_since: datetime | None = None  # degraded: since when no thread page is read
    stored: bool = True  # False: the monitor has never stored this board (not polled yet)
    last_polled_at: datetime | None = None  # its last poll, read or not
    first_read_left: str = ""  # a first read cut short by a failed page: reading on, or given up


@dataclass(frozen=True)
class HealthNote:
    at: datetime
    kind: str
    url: str
    detail: str
    kept_as: str
    times: int = 1  # an outage: seen at this many polls or pages, the last time at ``last_at``
    last_at: datetime | None = None
    board: str = ""  # the board's id on the forum ("": the forum as a whole)
    pages: int = 1  # pages of the board met the same problem at the same time (a login wall on 20 threads)


@dataclass(frozen=True)
class SourceHealth:
    key: str
    name: str
    base_url: str
    enabled: bool
    boards: tuple[BoardHealth, ...]
    events: tuple[HealthNote, ...]
    resting_until: datetime | None = None  # the forum asked (Retry-After) not to be asked before then
    resting_cause: str = ""

    @property
    def failing(self) -> int:
        return sum(1 for board in self.boards if board.state == "failing")

    @property
    def stale(self) -> int:
        """Boards not polled for :func:`stale_after`: nothing is crawling them."""
        return sum(1 for board in self.boards if board.state == "stale")

    @property
    def degraded(self) -> int:
        """Boards whose list is read but none of their thread pages: their posts are not being read."""
        return sum(1 for board in self.boards if board.state == "degraded")


def forum_health(
    session: Session, config: MonitorConfig, events: int = 10, now: datetime | None = None
) -> list[SourceHealth]:
    """``now``: when a forum's rest (a long Retry-After) is still on (default: the clock)."""
    now = now or datetime.now(UTC)
    found: list[SourceHealth] = []
    for source in config.sources:
        row = session.scalar(select(SourceRow).where(SourceRow.key == source.key))
        stored = (
            {b.external_id: b for b in session.scalars(select(Board).where(Board.source_id == row.id))}
            if row is not None
            else {}
        )
        boards = tuple(_board(source.key, board_id, stored.get(board_id)) for board_id in source.boards)
        if source.enabled:
            since = now - stale_after(config)
            boards = tuple(  # failing and degraded call for ops already: they stay as they were
                replace(board, state="stale")
                if board.state in ("ok", "empty")
                and board.last_polled_at is not None
                and board.last_polled_at < since
                else board
                for board in boards
            )
        notes: tuple[HealthNote, ...] = ()
        if row is not None and events > 0:
            recent = session.scalars(
                select(HealthEvent)
                .where(HealthEvent.source_id == row.id)
                .order_by(HealthEvent.last_at.desc(), HealthEvent.id.desc())
                .limit(events * PAGES_READ_PER_NOTE)
            )
            notes = tuple(_grouped(recent)[:events])
        url = str(source.base_url)
        health = SourceHealth(source.key, source.name, url, source.enabled, boards, notes)
        rest = session.get(HostRest, urlsplit(url).netloc)
        if rest is not None and rest.resting_until is not None and rest.resting_until > now:
            health = replace(health, resting_until=rest.resting_until, resting_cause=rest.cause)
        found.append(health)
    return _unpolled_stale(found, config, now)


def _unpolled_stale(found: list[SourceHealth], config: MonitorConfig, now: datetime) -> list[SourceHealth]:
    """A board never polled is stale when ``sources.yaml`` has been as it is for longer than
    :func:`stale_after` and either the crawl polls other boards — the running service was started
    before the board was added (``sources add`` asks for a restart), so it will never poll it — or
    no board has ever been polled: nothing is crawling (the service never started, or failed to)."""
    since = now - stale_after(config)
    crawling = any(
        b.last_polled_at is not None and b.last_polled_at >= since for s in found for b in s.boards
    )
    never_crawled = not any(b.stored for s in found for b in s.boards)
    try:
        changed = datetime.fromtimestamp((config.directory / "sources.yaml").stat().st_mtime, UTC)
    except OSError:
        return found
    if not (crawling or never_crawled) or changed > since:
        return found
    return [
        replace(
            source,
            boards=tuple(
                replace(board, state="stale") if not board.stored else board for board in source.boards
            ),
        )
        if source.enabled
        else source
        for source in found
    ]


PAGES_READ_PER_NOTE = 50  # events read per note shown: enough to group a board's pages walled together


def _grouped(events: Iterable[HealthEvent]) -> list[HealthNote]:
    """One note per problem of a board at a time, newest first: events of one kind on one board whose
    times overlap — the thread pages a login wall or a dead forum stopped together — are one note
    (``pages`` of them, seen ``times`` in all), the newest page and detail standing for the rest."""
    notes: list[HealthNote] = []
    for event in events:
        board = event.board.external_id if event.board else ""
        end = event.ended_at or event.last_at
        last = notes[-1] if notes else None
        if last is not None and (last.board, last.kind) == (board, event.kind) and end >= last.at:
            notes[-1] = replace(
                last, at=min(last.at, event.at), times=last.times + event.times, pages=last.pages + 1
            )
            continue
        notes.append(
            HealthNote(
                event.at,
                event.kind,
                event.url,
                event.detail,
                event.kept_as,
                event.times,
                event.last_at,
                board,
            )
        )
    return notes


def stale_after(config: MonitorConfig) -> timedelta:
    """How long a board may go unpolled before it is said to be stale: three passes, and at least a
    quarter of an hour more than one (jitter, a slow pass, a worker taking over)."""
    every = timedelta(minutes=config.settings.schedule.crawl_interval_minutes)
    return max(3 * every, every + timedelta(minutes=15))


def _board(source_key: str, board_id: str, board: Board | None) -> BoardHealth:
    if board is None:
        return BoardHealth(board_id, "", "never polled", stored=False)
    return BoardHealth(
        board_id=board_id,
        name=board.name,
        state=board_status(board),
        last_success_at=board.last_success_at,
        consecutive_failures=board.consecutive_failures,
        last_threads_seen=board.last_threads_seen,
        last_posts_new=board.last_posts_new,
        last_error=board.last_error,
        thread_pages_read=board.last_thread_pages_read,
        thread_pages_failed=board.last_thread_pages_failed,
        degraded_since=board.degraded_since,
        last_polled_at=max((t for t in (board.last_success_at, board.last_failure_at) if t), default=None),
        first_read_left=first_read_left(board, source_key),
    )
