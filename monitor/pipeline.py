"""The pipeline: crawl (fetch -> parse -> store -> enrich), then detect -> alert for every thread touched.

``monitor run`` (APScheduler: one job per board, one for hot boards, one for hot threads),
``monitor crawl --once`` and ``monitor demo`` all drive the same :class:`Pipeline` methods. A
pipeline lives as long as its process's single ``httpx.AsyncClient`` (see
:meth:`monitor.app.App.pipeline`). What the detector knows of a stored thread is read by
:mod:`monitor.facts`; which threads and boards to read next is kept by :mod:`monitor.crawl_plan`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import httpx
from sqlalchemy.orm import Session, joinedload, sessionmaker

from monitor.alerting.evidence import keep_evidence
from monitor.alerting.service import AlertChange, alert_for_thread, consider_with
from monitor.catch_up import quiet_too_long
from monitor.config.files import SourceConfig, WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.crawl_board_list import BoardList, FirstRead
from monitor.crawl_failures import board_not_read, log_board_not_read
from monitor.crawl_fetcher import fetcher_for
from monitor.crawl_plan import CrawlPlan
from monitor.crawler import Crawler, CrawlReport
from monitor.detect.assess import assess
from monitor.detection_reads import KnownReads, PassReads
from monitor.enrich.sentiment import Scorer, negative_threshold
from monitor.enrich.stored_posts import categorise_thread, enrich_posts
from monitor.enrich.watch_admin import WatchGroupsReloader
from monitor.errors import FetchError
from monitor.facts import FactsReader
from monitor.sources.base import Source
from monitor.sources.discuz import DiscuzSource
from monitor.sources.registry import make_source
from monitor.store import repo
from monitor.store.models import Alert, Post, Snapshot, Thread
from monitor.watch_matches import record_matches

log = logging.getLogger(__name__)

EVIDENCE_ON = frozenset({"opened", "escalated", "band", "reopened"})


@dataclass
class PassReport:
    """What one crawl (a pass, a board, or a hot-thread refresh) did."""

    pages_fetched: int = 0
    pages_failed: int = 0
    threads_seen: int = 0
    posts_new: int = 0
    alert_changes: list[AlertChange] = field(default_factory=list)
    threads_new: int = 0  # listed threads not stored before
    held_quiet: list[int] = field(default_factory=list)  # paged back to, long quiet: no alert (catch_up)
    paged_back: BoardList | None = None  # one board's first read or backfill: how far it paged back

    def add(self, other: PassReport) -> None:
        self.pages_fetched += other.pages_fetched
        self.pages_failed += other.pages_failed
        self.threads_seen += other.threads_seen
        self.posts_new += other.posts_new
        self.alert_changes.extend(other.alert_changes)
        self.threads_new += other.threads_new
        self.held_quiet.extend(other.held_quiet)


class Pipeline:
    def __init__(
        self,
        config: MonitorConfig,
        sessions: sessionmaker[Session],
        scorer: Scorer,
        client: httpx.AsyncClient,
    ) -> None:
        self.config = config
        self._sessions = sessions
        self._scorer = scorer
        self._negative_below = negative_threshold(scorer, config.settings.sentiment.negative_threshold)
        settings = config.settings
        self.fetcher = fetcher_for(config, client, sessions)
        self._crawler = Crawler(
            self.fetcher, sessions, self._enrich, settings.general.data_dir / "failed-pages"
        )
        self._adapters: dict[str, Source] = {
            s.key: make_source(s, settings.general.timezone) for s in config.sources
        }
        self._sources = {s.key: s for s in config.sources}
        self._planned: dict[str, Source] = {}
        self._watch = WatchGroupsReloader(config.directory / "watch_groups.yaml", config.watch_groups)
        self.facts = FactsReader(config)  # what the detector knows of a stored thread
        self._plan = CrawlPlan(settings, self._sources)

    async def crawl_pass(self, now: datetime) -> PassReport:
        """Every board of every enabled source; hosts are crawled side by side, each politely."""
        boards = [(s, b) for s in self.config.sources if s.enabled for b in s.boards]
        report = PassReport()
        for part in await asyncio.gather(*(self.crawl_board(s, b, now) for s, b in boards)):
            report.add(part)
        return report

    async def crawl_board(
        self, source: SourceConfig, board_id: str, now: datetime, backfill: FirstRead | None = None
    ) -> PassReport:
        """Read the board's list and threads, detect and alert; ``backfill``: page back that far
        (``monitor sources backfill``, :mod:`monitor.backfill`)."""
        self._plan.board_read((source.key, board_id), now)
        crawl = CrawlReport()
        try:
            adapter = await self.adapter(source)
        except FetchError as exc:  # unreachable, or robots.txt allows none of its formats
            began = board_not_read(self._sessions, source, board_id, exc, now)
            log_board_not_read(source, board_id, exc, began, log)
            return PassReport(pages_failed=1)
        await self._crawler.crawl_board(adapter, source, board_id, now, crawl, backfill)
        return self._after_crawl(crawl, now)

    async def adapter(self, source: SourceConfig) -> Source:
        """The source's adapter; for engines with several formats (Discuz!: JSON API, web pages,
        printable view, archiver), the plan robots.txt allows, chosen once per process.

        Raises :class:`FetchError` naming the cause when the forum's robots.txt cannot be read
        (unreachable), :class:`DisallowedByRobots` when it allows none of the formats."""
        planned = self._planned.get(source.key)
        if planned is not None:
            return planned
        adapter = self._adapters[source.key]
        if isinstance(adapter, DiscuzSource):
            await self.fetcher.allowed(str(source.base_url))  # loads the forum's robots.txt
            plan = adapter.plan(self.fetcher.robots_allows)  # it says which formats, once per forum
            self._planned[source.key] = plan
            return plan
        self._planned[source.key] = adapter
        return adapter

    @property
    def plan(self) -> CrawlPlan:
        """Which threads and boards are hot (state shared between workers by :mod:`monitor.distributed`)."""
        return self._plan

    async def crawl_hot_boards(self, now: datetime, source_key: str | None = None) -> PassReport:
        """Read the thread lists of hot boards not read lately (see :mod:`monitor.crawl_plan`);
        ``source_key``: only that source's."""
        report = PassReport()
        due = self._plan.hot_boards_due(now, source_key)
        for part in await asyncio.gather(*(self.crawl_board(s, b, now) for s, b in due)):
            report.add(part)
        return report

    async def refresh_hot(self, now: datetime, source_key: str | None = None) -> PassReport:
        """Re-read threads between board passes, from their last stored page on.

        At most ``hot_budget_per_host`` threads per source, picked by the detector's polling
        policy (:func:`monitor.detect.polling.plan_polls`) among the hot threads and the watched
        threads seen lately: a thread not read yet first, then the ones whose escalation score,
        extrapolated from their last two reads, is nearest their next tier threshold.
        ``source_key``: only that source's threads.
        """
        schedule = self.config.settings.schedule
        with self._sessions() as session:
            candidates = repo.refresh_candidates(session, now, now - timedelta(hours=schedule.hot_for_hours))
        crawl = CrawlReport()
        not_read: set[str] = set()
        for thread_id, key in self._plan.threads_to_refresh(candidates, now, source_key):
            if key in not_read:
                continue
            source = self._sources[key]
            try:
                adapter = await self.adapter(source)
            except FetchError as exc:  # recorded on its boards by the next board poll
                log.warning("source %s: hot threads not read: %s", key, exc.reason, extra={"source": key})
                not_read.add(key)
                continue
            await self._crawler.refresh_thread(adapter, source, thread_id, now, crawl)
        return self._after_crawl(crawl, now)

    def _after_crawl(self, crawl: CrawlReport, now: datetime) -> PassReport:
        report = PassReport(crawl.pages_fetched, crawl.pages_failed, crawl.threads_seen, crawl.posts_new)
        report.threads_new, report.paged_back = crawl.threads_new, crawl.paged_back
        touched = list(dict.fromkeys(crawl.touched))
        reads = PassReads(self._sessions, touched)  # posts, matches, open alerts: a query per 50 threads
        with self.facts.held_groups():  # a group's recent threads read once, until a thread joins it
            for thread_id in touched:
                self._detect_touched(thread_id, crawl, now, report, reads)
        return report

    def _detect_touched(
        self, thread_id: int, crawl: CrawlReport, now: datetime, report: PassReport, reads: PassReads
    ) -> None:
        """Snapshot the thread, record its watch-group matches, assess it in each group and act."""
        posts = reads.posts(thread_id)
        with self._sessions.begin() as session:
            thread = session.get(
                Thread, thread_id, options=[joinedload(Thread.source), joinedload(Thread.board)]
            )
            if thread is None or posts is None:  # pragma: no cover - never deleted; always listed
                return
            categorise_thread(thread, posts)
            negative_below = self._negative_below
            latest = reads.latest_snapshot(thread_id)
            snapshot = repo.record_snapshot(session, thread, posts, now, negative_below, latest)
            matcher = self._watch.current(now)  # re-read when ops edited watch_groups.yaml
            hot_for = self.config.settings.schedule.hot_for_hours  # paged back to, long quiet: no alert
            quiet = crawl.paged_back is not None and quiet_too_long(thread, posts, now, hot_for)
            for group in record_matches(session, matcher, thread, posts, now, reads, self.facts.forget_group):
                held = report.held_quiet if quiet else None
                change = self._detect(session, thread, posts, snapshot, group, now, reads, held)
                if change is not None and change.kind != "updated":
                    report.alert_changes.append(change)
                if change is not None and change.kind in EVIDENCE_ON:
                    keep_evidence(session, change.alert_id, change.kind, crawl.pages.get(thread_id, []))
                if change is not None and change.kind == "spread":
                    origin = self._reassess_origin(session, change.alert_id, now, reads)
                    if origin is not None and origin.kind != "updated":
                        report.alert_changes.append(origin)

    def _reassess_origin(
        self, session: Session, alert_id: int, now: datetime, reads: PassReads
    ) -> AlertChange | None:
        """A copy just joined the story: assess the story's own thread again now, not at its next poll.

        Boards are crawled side by side, so the origin may have been assessed earlier in this pass,
        before the copy was stored; its spread (score, reasons, the urgent floor for another
        forum) must not wait for the next poll.
        """
        alert = session.get(Alert, alert_id)
        if alert is None:  # pragma: no cover - the change was made in this transaction
            return None
        origin = alert.thread
        snapshot = repo.snapshot_before(session, origin, now)
        try:
            group = self._watch.current(now).group(alert.watch_group)
        except LookupError:  # the group was removed since the alert opened: nothing to assess against
            return None
        if snapshot is None:
            return None
        reads.alert_changed(origin.id)
        return self._detect(session, origin, repo.thread_posts(session, origin), snapshot, group, now, None)

    def _enrich(self, posts: list[Post]) -> None:
        enrich_posts(self._scorer, posts)

    def _detect(
        self,
        session: Session,
        thread: Thread,
        posts: list[Post],
        snapshot: Snapshot,
        group: WatchGroupConfig,
        now: datetime,
        reads: PassReads | None,
        quiet: list[int] | None = None,
    ) -> AlertChange | None:
        """Assess the thread in ``group`` and act; ``reads``: the pass's (None: a thread it did not list);
        ``quiet``: found by paging back and long quiet (:mod:`monitor.catch_up`), it opens no alert (the
        thread is listed there when it would have)."""
        settings = self.config.settings.detect
        alert = reads.open_alert(session, thread) if reads is not None else alert_for_thread(session, thread)
        facts = self.facts.read(session, thread, posts, snapshot, group, now, KnownReads(alert))
        assessment = assess(facts, settings)
        boilerplate = partial(self.facts.boilerplate, session, group=group, now=now)
        config = self._watch.config_now(self.config, now)  # routing reads the groups as edited
        change = None
        if alert is not None or quiet is None:
            change = consider_with(session, config, thread, group, assessment, now, alert, boilerplate)
        elif assessment.escalating and thread.id not in quiet:
            quiet.append(thread.id)
            log.info("no alert for %s: found by paging back, quiet for longer than hot_for_hours", thread.url)
        if change is not None and reads is not None:
            reads.alert_changed(thread.id, *change.joined, reopened=change.kind == "reopened")
        if change is not None or assessment.replies_per_hour >= settings.min_replies_per_hour / 2:
            thread.hot_until = now + timedelta(hours=self.config.settings.schedule.hot_for_hours)
        first = next((p for p in posts if p.floor == 1), None)
        self._plan.assessed(
            thread.id,
            (thread.source.key, thread.board.external_id),
            first.posted_at if first is not None else (thread.created_at or thread.first_seen_at),
            assessment.score,
            change is not None and change.kind != "updated",
            now,
        )
        return change
