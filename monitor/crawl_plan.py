"""What to read next: the detector's view of which threads and boards are hot, for the crawler.

The pipeline tells a :class:`CrawlPlan` what each read found (:meth:`CrawlPlan.assessed`) and
when it read a board (:meth:`CrawlPlan.board_read`); the scheduler's jobs ask it:

* :meth:`CrawlPlan.threads_to_refresh` — at most ``hot_budget_per_host`` threads per source,
  picked by the polling policy (:func:`monitor.detect.polling.plan_polls`) from the scores of
  their last reads: a thread not scored yet first, then the ones whose score, extrapolated
  from their last two reads, is nearest their next tier threshold;
* :meth:`CrawlPlan.hot_boards_due` — boards that are hot (an alert of one of their threads
  changed, or a watched thread came within ``HOT_BOARD_MARGIN`` of the alert threshold, in
  the last ``hot_for_hours``) and whose list was not read in the last ``hot_board_minutes``.

State lives in the process; after a restart every candidate is "not scored yet" again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from monitor.config.files import SourceConfig
from monitor.config.settings import Settings
from monitor.detect.polling import PollState, plan_polls, poll_state

HOT_BOARD_MARGIN = 1.0  # a watched thread this close to the alert threshold makes its board hot

BoardKey = tuple[str, str]  # (source key, board id)


class CrawlPlan:
    def __init__(self, settings: Settings, sources: Mapping[str, SourceConfig]) -> None:
        self._settings = settings
        self._sources = sources
        self._polls: dict[int, PollState] = {}  # thread id -> what the polling policy knows of it
        self._hot_boards: dict[BoardKey, datetime] = {}  # -> hot until
        self._board_read: dict[BoardKey, datetime] = {}  # -> last read

    def board_read(self, board: BoardKey, now: datetime) -> None:
        self._board_read[board] = now

    def assessed(
        self,
        thread_id: int,
        board: BoardKey,
        first_post_at: datetime,
        score: float | None,
        alert_changed: bool,
        now: datetime,
    ) -> None:
        """A read of a watched thread gave ``score``; ``alert_changed``: its alert opened, rose, …"""
        if score is not None:
            previous = self._polls.get(thread_id)
            self._polls[thread_id] = poll_state(
                str(thread_id), first_post_at.timestamp(), now.timestamp(), score, previous
            )
        near = score is not None and score >= self._settings.detect.general_score - HOT_BOARD_MARGIN
        if alert_changed or near:
            self._hot_boards[board] = now + timedelta(hours=self._settings.schedule.hot_for_hours)

    def threads_to_refresh(
        self, candidates: Sequence[tuple[int, str, datetime]], now: datetime
    ) -> list[tuple[int, str]]:
        """``(thread id, source key)`` to re-read now among ``(thread id, source key, first post)``."""
        by_source: dict[str, list[PollState]] = {}
        for thread_id, key, first_post_at in candidates:
            source = self._sources.get(key)
            if source is None or not source.enabled:
                continue
            state = self._polls.get(thread_id) or PollState(str(thread_id), first_post_at.timestamp())
            by_source.setdefault(key, []).append(state)
        self._polls = {int(s.key): s for states in by_source.values() for s in states if s.last_polled}
        budget = self._settings.schedule.hot_budget_per_host
        return [
            (int(picked), key)
            for key, states in by_source.items()
            for picked in plan_polls(states, now.timestamp(), budget, self._settings.detect)
        ]

    def hot_boards_due(self, now: datetime) -> list[tuple[SourceConfig, str]]:
        """Hot boards whose list was not read in the last ``hot_board_minutes`` (give or take)."""
        self._hot_boards = {key: until for key, until in self._hot_boards.items() if until > now}
        wait = timedelta(minutes=self._settings.schedule.hot_board_minutes) * 0.9
        due = []
        for key, board_id in sorted(self._hot_boards):
            source = self._sources.get(key)
            last = self._board_read.get((key, board_id))
            if source is None or not source.enabled or board_id not in source.boards:
                continue
            if last is None or now - last >= wait:
                due.append((source, board_id))
        return due
