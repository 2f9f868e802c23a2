"""What the detector knows of a stored thread: its facts, read from the store at one moment.

:class:`FactsReader` turns a thread's stored posts and snapshots into
:class:`~monitor.detect.assess.ThreadFacts`: the cleaned timeline of its replies, velocity and
views over the window, negativity, resonance, crisis signals, where else its story is told
(spread), its board's own baseline, usual negativity, usual views and boilerplate (each learned from the
board's recent threads and cached for ``BASELINE_TTL``), and the tier of its open alert. It only reads; the
pipeline assesses the facts and acts on them, and ``monitor threads rising`` shows them.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from monitor.alerting.service import alert_for_thread
from monitor.alerting.severity_at import alert_severity_at
from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.crawl_clock import describe_skew
from monitor.detect.assess import ThreadFacts
from monitor.detect.baseline import BoardBaseline, learn_board_baseline
from monitor.detect.spread import Spread
from monitor.detect.timeline import build_timeline
from monitor.detect.velocity import replies_in_window
from monitor.detect.views import first_day_pace, usual_views_per_hour, views_in_window
from monitor.detection_reads import KnownReads, snapshots_since_and_before
from monitor.enrich.sentiment_models import card_negative_below
from monitor.enrich.signals import signal_name
from monitor.facts_story import StoryReader
from monitor.store import board_figures, repo
from monitor.store.models import Post, Snapshot, Thread
from monitor.store.snapshot_span import reading_at, reply_readings

BASELINE_TTL = timedelta(hours=1)
BOARD_NEGATIVITY_THREADS = 5  # a board's usual negativity is shown once it has this many threads


class FactsReader:
    """Reads threads' facts for one process; boards' baselines are cached hourly."""

    def __init__(self, config: MonitorConfig) -> None:
        self._config = config
        sentiment = config.settings.sentiment
        # a post reads negative below this: the pipeline's own threshold (the model's card, or the override)
        self._negative_below = (
            sentiment.negative_threshold
            if sentiment.negative_threshold is not None
            else card_negative_below(sentiment.model)
        )
        self._baselines: dict[int, tuple[datetime, BoardBaseline]] = {}
        self._negativity: dict[int, tuple[datetime, float | None]] = {}  # board id -> (when, usual share)
        self._views: dict[int, tuple[datetime, float | None]] = {}  # board id -> (when, usual views/h)
        self._story = StoryReader(config, BASELINE_TTL)  # the story check: boilerplate, indexed groups
        self._held = threading.local()  # per thread (the dashboard's run side by side): see held_groups

    @contextmanager
    def held_groups(self) -> Iterator[None]:
        """Within the block (nested: the outer one), a watch group's recent threads are read once per
        moment: for readers of the store, and the detection after a crawl (it writes no thread or
        post; a thread joining a group calls :meth:`forget_group`)."""
        if getattr(self._held, "groups", None) is not None:
            yield
            return
        self._held.groups = {}
        self._held.stories = {}  # watch group -> its threads as the story check indexed them
        try:
            yield
        finally:
            self._held.groups = None
            self._held.stories = None

    def forget_group(self, group: str) -> None:
        """A thread joined ``group``: its held threads are read again."""
        held: dict[tuple[str, datetime], object] = getattr(self._held, "groups", None) or {}
        for key in [key for key in held if key[0] == group]:
            del held[key]

    def _group_threads(self, session: Session, group: str, since: datetime) -> list[repo.GroupThread]:
        held: dict[tuple[str, datetime], list[repo.GroupThread]] | None = getattr(self._held, "groups", None)
        if held is None:
            return repo.watch_group_threads(session, group, since)
        if (group, since) not in held:
            held[(group, since)] = repo.watch_group_threads(session, group, since)
        return held[(group, since)]

    def _baseline(self, session: Session, board_id: int, now: datetime) -> BoardBaseline:
        """The board's own baseline, learned from its threads 1 to ``baseline_days`` days old (hourly)."""
        cached = self._baselines.get(board_id)
        if cached is not None and now - cached[0] < BASELINE_TTL:
            return cached[1]
        settings = self._config.settings.detect
        histories = board_figures.board_histories(
            session, board_id, now - timedelta(days=settings.baseline_days), now - timedelta(days=1)
        )
        baseline = learn_board_baseline(histories, settings)
        self._baselines[board_id] = (now, baseline)
        return baseline

    def _board_negativity(self, session: Session, board_id: int, now: datetime) -> float | None:
        """The board's median thread's negative share over ``baseline_days``, hourly; None below 5 threads."""
        cached = self._negativity.get(board_id)
        if cached is not None and now - cached[0] < BASELINE_TTL:
            return cached[1]
        since = now - timedelta(days=self._config.settings.detect.baseline_days)
        shares = sorted(board_figures.board_negative_shares(session, board_id, since, now))
        usual = shares[(len(shares) - 1) // 2] if len(shares) >= BOARD_NEGATIVITY_THREADS else None
        self._negativity[board_id] = (now, usual)
        return usual

    def _board_views(self, session: Session, board_id: int, now: datetime) -> float | None:
        """The board's median thread's views per hour in its first day, hourly; None below 5 threads."""
        cached = self._views.get(board_id)
        if cached is not None and now - cached[0] < BASELINE_TTL:
            return cached[1]
        since = now - timedelta(days=self._config.settings.detect.baseline_days)
        readings = board_figures.board_view_readings(session, board_id, since, now)
        paces = [first_day_pace(first, views) for first, views in readings.values()]
        usual = usual_views_per_hour([p for p in paces if p is not None])
        self._views[board_id] = (now, usual)
        return usual

    def read(
        self,
        session: Session,
        thread: Thread,
        posts: list[Post],
        snapshot: Snapshot,
        group: WatchGroupConfig,
        now: datetime,
        known: KnownReads | None = None,
    ) -> ThreadFacts:
        """What the detector knows of ``thread`` at ``now``, from what is stored (reads only);
        ``known``: what the pipeline already read of it (see :mod:`monitor.detection_reads`).

        When the crawl last found the forum's clock more than 10 min from ours (its source's
        ``clock_skew_seconds``, see :class:`~monitor.crawl_clock.PageClock`), the thread's replies
        are timed against the forum's "now": the forum dates its posts on its clock, so a clock that
        jumped, ours or the forum's, does not make every reply look hours old (or in the future);
        the reasons say so.
        """
        settings = self._config.settings.detect
        skewed = thread.source.clock_skew_seconds
        clock_skew = timedelta(seconds=skewed) if skewed is not None else None
        forum_now = now + clock_skew if clock_skew is not None else now
        window = timedelta(minutes=settings.window_minutes)
        signal_floors: dict[str, int] = {}
        for post in posts:
            for entry in post.signals:
                signal_floors.setdefault(signal_name(entry), post.floor)
        replies = [p for p in posts if p.floor > 1]
        first = next((p for p in posts if p.floor == 1), None)
        opening_signals: tuple[str, ...] = ()
        if first is not None and first.sentiment is not None and first.sentiment < self._negative_below:
            opening_signals = tuple(dict.fromkeys(signal_name(entry) for entry in first.signals))
        timeline, before = None, None
        if first is not None:
            shift = forum_now - now  # snapshots are taken on our clock
            since, before = snapshots_since_and_before(session, thread, first.posted_at, now - window)
            timeline = build_timeline(
                first.posted_at,
                forum_now,
                [p.posted_at for p in replies],
                authors=[p.author for p in replies],
                me_too=[p.me_too for p in replies],
                floors=[p.floor for p in replies],
                # up to ``now``: at a past moment (threads rising --at), not what came after
                snapshots=[
                    (at + shift, replies) for at, replies in reply_readings(since, first.posted_at, now)
                ],
            )
            if clock_skew is not None:
                note = (
                    f"clock: this forum's clock is {describe_skew(clock_skew)} ours (its Date header): "
                    "its replies are timed on its clock"
                )
                timeline = dataclasses.replace(timeline, notes=(*timeline.notes, note))
        else:
            before = repo.snapshot_before(session, thread, now - window)
        # the views a window ago: the snapshot's, read at the window's start (or its last poll before a gap)
        then = (reading_at(before, now - window), before.views) if before is not None else None
        gained, views_minutes, views_whole_life = views_in_window(
            snapshot.views, then, first.posted_at if first is not None else None, now, forum_now, window
        )
        open_alert = known.open_alert if known is not None else alert_for_thread(session, thread)
        if open_alert is not None and open_alert.opened_at > now:  # a past moment: not open yet
            open_alert = None
        # the thread as ``snapshot`` saw it (at a poll, the thread itself; at a past moment, then)
        return ThreadFacts(
            replies=snapshot.replies,
            replies_in_window=replies_in_window(
                forum_now,
                window,
                snapshot.replies,
                before.replies if before is not None else None,
                [p.posted_at for p in posts if p.floor > 1],
            ),
            window_minutes=settings.window_minutes,
            views_gained=gained,
            views_span_minutes=views_minutes,
            views_whole_life=views_whole_life,
            posts_scored=sum(1 for p in posts if p.sentiment is not None),
            negative_share=snapshot.negative_share,
            distinct_authors=snapshot.distinct_authors,
            me_too_authors=snapshot.me_too_authors,
            signal_floors=signal_floors,
            negative_opening_signals=opening_signals,
            timeline=timeline,
            spread=self._spread(session, thread, first, group, now),
            baseline=self._baseline(session, thread.board_id, now),
            board_negative_share=self._board_negativity(session, thread.board_id, now),
            board_views_per_hour=self._board_views(session, thread.board_id, now),
            previous_severity=alert_severity_at(session, open_alert, now) if open_alert is not None else None,
            first_floor=self._first_floor(thread.source.key),
        )

    def _first_floor(self, source_key: str) -> int:
        """The number the source's forum shows on an opening post (``thread.first_floor``; 1 if unknown)."""
        source = next((s for s in self._config.sources if s.key == source_key), None)
        if source is None or source.selectors is None:
            return 1
        return source.selectors.thread.first_floor

    def _spread(
        self, session: Session, thread: Thread, first: Post | None, group: WatchGroupConfig, now: datetime
    ) -> Spread:
        """Where else the watch group's recent threads tell this thread's story."""
        since = now - timedelta(hours=self._config.settings.detect.story_window_hours)
        told = self._group_threads(session, group.name, since)
        held = getattr(self._held, "stories", None)  # indexed within a held block
        return self._story.spread(session, thread, first, group, now, told, held)

    def boilerplate(
        self, session: Session, board_id: int | None, group: WatchGroupConfig, now: datetime
    ) -> frozenset[int]:
        """The board's boilerplate trigrams, as the story check of ``group`` shingles them (hourly)."""
        return self._story.boilerplate(session, board_id, group, now)
