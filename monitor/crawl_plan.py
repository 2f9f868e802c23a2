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

State lives in the process; after a restart every candidate is "not scored yet" again. With
workers on several machines (:mod:`monitor.distributed`), each source's part of the state is
exported after a job and imported before the next (:meth:`CrawlPlan.export_source`,
:meth:`CrawlPlan.import_source`), so whichever worker reads a source next knows what the last
one learnt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
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
        self._thread_source: dict[int, str] = {}  # thread id -> source key (for per-source state)
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
        self._thread_source[thread_id] = board[0]
        if score is not None:
            previous = self._polls.get(thread_id)
            self._polls[thread_id] = poll_state(
                str(thread_id), first_post_at.timestamp(), now.timestamp(), score, previous
            )
        near = score is not None and score >= self._settings.detect.general_score - HOT_BOARD_MARGIN
        if alert_changed or near:
            self._hot_boards[board] = now + timedelta(hours=self._settings.schedule.hot_for_hours)

    def threads_to_refresh(
        self, candidates: Sequence[tuple[int, str, datetime]], now: datetime, source_key: str | None = None
    ) -> list[tuple[int, str]]:
        """``(thread id, source key)`` to re-read now among ``(thread id, source key, first post)``;
        ``source_key``: only that source's threads (the rest of the state is left as it is)."""
        by_source: dict[str, list[PollState]] = {}
        for thread_id, key, first_post_at in candidates:
            source = self._sources.get(key)
            if source is None or not source.enabled or (source_key is not None and key != source_key):
                continue
            state = self._polls.get(thread_id) or PollState(str(thread_id), first_post_at.timestamp())
            by_source.setdefault(key, []).append(state)
            self._thread_source[thread_id] = key
        kept = {int(s.key): s for states in by_source.values() for s in states if s.last_polled}
        if source_key is not None:  # the other sources' threads are not among the candidates here
            kept |= {t: s for t, s in self._polls.items() if self._thread_source.get(t) != source_key}
        self._polls = kept
        self._thread_source = {t: k for t, k in self._thread_source.items() if t in kept}
        budget = self._settings.schedule.hot_budget_per_host
        return [
            (int(picked), key)
            for key, states in by_source.items()
            for picked in plan_polls(states, now.timestamp(), budget, self._settings.detect)
        ]

    def hot_boards_due(self, now: datetime, source_key: str | None = None) -> list[tuple[SourceConfig, str]]:
        """Hot boards whose list was not read in the last ``hot_board_minutes`` (give or take);
        ``source_key``: only that source's."""
        self._hot_boards = {key: until for key, until in self._hot_boards.items() if until > now}
        wait = timedelta(minutes=self._settings.schedule.hot_board_minutes) * 0.9
        due = []
        for key, board_id in sorted(self._hot_boards):
            if source_key is not None and key != source_key:
                continue
            source = self._sources.get(key)
            last = self._board_read.get((key, board_id))
            if source is None or not source.enabled or board_id not in source.boards:
                continue
            if last is None or now - last >= wait:
                due.append((source, board_id))
        return due

    def export_source(self, source_key: str) -> dict[str, object]:
        """What the plan knows of one source, as JSON-ready data (see :meth:`import_source`)."""
        return {
            "polls": [
                asdict(state)
                for thread_id, state in sorted(self._polls.items())
                if self._thread_source.get(thread_id) == source_key
            ],
            "hot_boards": {b: t.isoformat() for (k, b), t in self._hot_boards.items() if k == source_key},
            "board_read": {b: t.isoformat() for (k, b), t in self._board_read.items() if k == source_key},
        }

    def import_source(self, source_key: str, state: Mapping[str, object]) -> None:
        """Replace what the plan knows of one source by ``state`` (from :meth:`export_source`).

        Data that does not read as a plan's (another version, a hand edit) is dropped, not
        trusted: the source then starts as after a restart.
        """
        polls: dict[int, PollState] = {}
        hot: dict[BoardKey, datetime] = {}
        read: dict[BoardKey, datetime] = {}
        try:
            for item in _items(state.get("polls")):
                last = item.get("last_polled")
                poll = PollState(
                    key=str(item["key"]),
                    created_at=float(str(item["created_at"])),
                    last_polled=None if last is None else float(str(last)),
                    score=float(str(item["score"])),
                    rise_per_hour=float(str(item["rise_per_hour"])),
                )
                polls[int(poll.key)] = poll
            for board, until in _pairs(state.get("hot_boards")):
                hot[(source_key, board)] = datetime.fromisoformat(until)
            for board, at in _pairs(state.get("board_read")):
                read[(source_key, board)] = datetime.fromisoformat(at)
        except (KeyError, TypeError, ValueError):
            polls, hot, read = {}, {}, {}
        mine = {t for t, k in self._thread_source.items() if k == source_key}
        self._polls = {t: s for t, s in self._polls.items() if t not in mine} | polls
        self._thread_source = {t: k for t, k in self._thread_source.items() if k != source_key} | {
            t: source_key for t in polls
        }
        self._hot_boards = {k: v for k, v in self._hot_boards.items() if k[0] != source_key} | hot
        self._board_read = {k: v for k, v in self._board_read.items() if k[0] != source_key} | read


def _items(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError("not a list of objects")
    return [dict(item) for item in value]


def _pairs(value: object) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        raise TypeError("not an object")
    return [(str(key), str(item)) for key, item in value.items()]
