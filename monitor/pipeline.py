"""One crawl pass through the whole pipeline: fetch -> parse -> store -> enrich -> detect -> alert.

``monitor run`` (every few minutes, from APScheduler), ``monitor crawl --once`` and
``monitor demo`` all call :meth:`Pipeline.crawl_pass` and :meth:`Pipeline.deliver`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerting.outbox import Channels, OutboxReport, deliver_pending
from monitor.alerting.service import AlertChange, consider
from monitor.config.files import SourceConfig, WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import ThreadFacts, assess
from monitor.detect.velocity import replies_in_window
from monitor.enrich.keywords import WatchMatcher
from monitor.enrich.sentiment import Scorer
from monitor.enrich.signals import detect_signals, is_me_too
from monitor.errors import FetchError, ParseError
from monitor.fetch.client import Fetcher
from monitor.sources.base import Source, ThreadSummary
from monitor.sources.registry import make_source
from monitor.store import repo
from monitor.store.models import Post, Snapshot, SourceRow, Thread, WatchGroupRow, WatchMatch

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    """What one crawl pass did."""

    pages_fetched: int = 0
    pages_failed: int = 0
    threads_seen: int = 0
    posts_new: int = 0
    alert_changes: list[AlertChange] = field(default_factory=list)


class Pipeline:
    def __init__(
        self,
        config: MonitorConfig,
        sessions: sessionmaker[Session],
        scorer: Scorer,
        client_factory: Callable[[], httpx.AsyncClient],
    ) -> None:
        self.config = config
        self._sessions = sessions
        self._scorer = scorer
        self._client_factory = client_factory
        self._matcher = WatchMatcher(config.watch_groups)
        self._groups = {g.name: g for g in config.watch_groups}

    async def crawl_pass(self, now: datetime) -> PassReport:
        report = PassReport()
        fetch = self.config.settings.fetch
        async with self._client_factory() as client:
            fetcher = Fetcher(
                client,
                user_agent=fetch.user_agent,
                per_host_concurrency=fetch.per_host_concurrency,
                per_host_delay=fetch.per_host_delay_seconds,
                retries=fetch.retries,
                respect_robots=fetch.respect_robots_txt,
            )
            for source_config in self.config.sources:
                if source_config.enabled:
                    await self._crawl_source(fetcher, source_config, now, report)
        return report

    def deliver(self, channels: Channels, now: datetime) -> OutboxReport:
        with self._sessions.begin() as session:
            return deliver_pending(session, self.config, channels, now)

    async def _crawl_source(
        self, fetcher: Fetcher, source_config: SourceConfig, now: datetime, report: PassReport
    ) -> None:
        adapter = make_source(source_config, self.config.settings.general.timezone)
        with self._sessions.begin() as session:
            source_id = repo.ensure_source(session, source_config).id
        for board_id in source_config.boards:
            for page in range(1, source_config.pages_per_board + 1):
                url = adapter.board_url(board_id, page)
                board_page = None
                try:
                    fetched = await fetcher.get(url)
                    report.pages_fetched += 1
                    board_page = adapter.parse_board(fetched.text, url, now)
                except (FetchError, ParseError) as exc:
                    report.pages_failed += 1
                    log.warning("board page skipped: %s", exc, extra={"url": url})
                    break
                for summary in board_page.threads:
                    await self._crawl_thread(
                        fetcher,
                        adapter,
                        source_config,
                        source_id,
                        board_page.board_id,
                        board_page.board_name,
                        summary,
                        now,
                        report,
                    )
                if page >= board_page.page_count:
                    break

    async def _crawl_thread(
        self,
        fetcher: Fetcher,
        adapter: Source,
        source_config: SourceConfig,
        source_id: int,
        board_external_id: str,
        board_name: str,
        summary: ThreadSummary,
        now: datetime,
        report: PassReport,
    ) -> None:
        report.threads_seen += 1
        with self._sessions.begin() as session:
            source = session.get(SourceRow, source_id)
            assert source is not None
            board = repo.ensure_board(session, source, board_external_id, board_name)
            thread, _previous = repo.upsert_thread(session, source, board, summary, now)
            stored = repo.stored_post_count(session, thread)
            thread_id = thread.id
        pages = _pages_to_fetch(stored, summary.replies, source_config.posts_per_page)
        for page in pages:
            url = adapter.thread_url(summary.thread_id, page)
            try:
                fetched = await fetcher.get(url)
                report.pages_fetched += 1
                thread_page = adapter.parse_thread(fetched.text, url, now)
            except (FetchError, ParseError) as exc:
                report.pages_failed += 1
                log.warning("thread page skipped: %s", exc, extra={"url": url})
                break
            with self._sessions.begin() as session:
                changed = repo.save_posts(session, _thread(session, thread_id), thread_page.posts, now)
                self._enrich(changed)
                report.posts_new += len(changed)
        with self._sessions.begin() as session:
            current = _thread(session, thread_id)
            posts = repo.thread_posts(session, current)
            negative_below = self.config.settings.detect.negative_below
            snapshot = repo.record_snapshot(session, current, posts, now, negative_below)
            for group in self._match(session, current, posts, now):
                change = self._detect(session, current, posts, snapshot, group, now)
                if change is not None and change.kind != "updated":
                    report.alert_changes.append(change)

    def _enrich(self, posts: list[Post]) -> None:
        for post in posts:
            post.sentiment = self._scorer.score(post.text) if post.text.strip() else None
            post.signals = detect_signals(post.text)
            post.me_too = is_me_too(post.text)

    def _match(
        self, session: Session, thread: Thread, posts: list[Post], now: datetime
    ) -> list[WatchGroupConfig]:
        """Record new watch-group matches of the thread's title and posts; return every group it matches."""
        text = "\n".join([thread.title, *(p.text for p in posts)])
        matched: list[WatchGroupConfig] = []
        for match in self._matcher.match(text):
            group_row = session.scalar(select(WatchGroupRow).where(WatchGroupRow.name == match.group))
            group = self._groups[match.group]
            if group_row is None:
                group_row = WatchGroupRow(name=group.name, category=group.category)
                session.add(group_row)
                session.flush()
            exists = session.scalar(
                select(WatchMatch).where(
                    WatchMatch.watch_group_id == group_row.id, WatchMatch.thread_id == thread.id
                )
            )
            if exists is None:
                session.add(
                    WatchMatch(
                        watch_group_id=group_row.id, thread_id=thread.id, term=match.term, matched_at=now
                    )
                )
            matched.append(group)
        return matched

    def _detect(
        self,
        session: Session,
        thread: Thread,
        posts: list[Post],
        snapshot: Snapshot,
        group: WatchGroupConfig,
        now: datetime,
    ) -> AlertChange | None:
        settings = self.config.settings.detect
        window = timedelta(minutes=settings.window_minutes)
        before = repo.snapshot_before(session, thread, now - window)
        signal_floors: dict[str, int] = {}
        for post in posts:
            for name in post.signals:
                signal_floors.setdefault(name, post.floor)
        facts = ThreadFacts(
            replies=thread.replies,
            replies_in_window=replies_in_window(
                now,
                window,
                thread.replies,
                before.replies if before is not None else None,
                [p.posted_at for p in posts if p.floor > 1],
            ),
            window_minutes=settings.window_minutes,
            posts_scored=sum(1 for p in posts if p.sentiment is not None),
            negative_share=snapshot.negative_share,
            distinct_authors=snapshot.distinct_authors,
            me_too_authors=snapshot.me_too_authors,
            signal_floors=signal_floors,
        )
        return consider(session, self.config, thread, group, assess(facts, settings), now)


def _pages_to_fetch(stored_posts: int, replies: int, per_page: int) -> list[int]:
    """Only the pages that can hold posts not yet stored (incremental re-crawl)."""
    total_posts = replies + 1
    if stored_posts >= total_posts:
        return []
    first = stored_posts // per_page + 1
    last = (total_posts - 1) // per_page + 1
    return list(range(first, last + 1))


def _thread(session: Session, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:  # pragma: no cover - rows are never deleted during a pass
        raise LookupError(f"thread {thread_id} vanished during the pass")
    return thread
