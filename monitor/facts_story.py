"""The story check's reads for :class:`~monitor.facts.FactsReader`: where else a thread's story is told.

A thread's spread is read from its watch group's recent threads (read by the facts reader, once per
moment within its ``held_groups`` block) without each board's boilerplate (learned from the board's
recent threads and cached for the facts reader's ``BASELINE_TTL``). Within a held block, the group's
threads are turned into :class:`~monitor.detect.spread.StoryThread` once per read and indexed
(:class:`~monitor.detect.story_index.StoryIndex`): a board read checks each of its threads against
the group in the time of what they share, not of the whole group. A single check (no block) compares
pairwise: building an index for one check would cost more than comparing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.boilerplate import board_boilerplate
from monitor.detect.spread import Spread, StoryThread, find_spread
from monitor.detect.story_index import StoryIndex
from monitor.store import repo
from monitor.store.models import Post, Thread


@dataclass(frozen=True)
class HeldStories:
    """A watch group's recent threads as the story check holds them within a held block."""

    told: Sequence[repo.GroupThread]  # the read of the group they were made from
    now: datetime  # … for a check at this moment (threads first posted later left out)
    candidates: list[StoryThread]


class StoryReader:
    """The story check of one facts reader: boards' boilerplate cached for ``cache_for`` (all threads
    share it)."""

    def __init__(
        self, config: MonitorConfig, cache_for: timedelta, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._config = config
        self._clock = clock  # seconds, for when an index was last used (a past moment's check uses it too)
        self._cache_for = cache_for
        # (board id, watch group) -> (when, the board's boilerplate trigrams without the group's terms)
        self._boilerplate: dict[tuple[int, str], tuple[datetime, frozenset[int]]] = {}
        # watch group -> its threads' index, kept between held blocks (a board read each): it follows
        # the group's reads, so only threads joining it are indexed; shared by the reader's threads
        self._indexes: dict[str, StoryIndex] = {}
        self._used: dict[str, float] = {}  # watch group -> when its index was last used (``clock``)
        self._indexing = threading.Lock()

    def spread(
        self,
        session: Session,
        thread: Thread,
        first: Post | None,
        group: WatchGroupConfig,
        now: datetime,
        told: Sequence[repo.GroupThread],
        held: dict[str, HeldStories] | None,
    ) -> Spread:
        """Where else ``told`` (the watch group's recent threads) tell this thread's story; ``held``:
        the block's indexed groups (None outside a held block)."""
        settings = self._config.settings.detect
        terms = story_terms(group)
        stories = held.get(group.name) if held is not None else None
        if stories is not None and stories.told is told and stories.now == now:
            candidates = stories.candidates
        else:
            candidates = [
                StoryThread(
                    o.thread_id,
                    o.forum,
                    o.board,
                    o.title,
                    f"{o.title}\n{o.opening}",
                    o.replies,
                    o.first_post_at,
                    o.board_id,
                )
                for o in told
                if o.first_post_at is None or o.first_post_at <= now  # at a past moment: not what came later
            ]
            if held is not None:
                held[group.name] = HeldStories(told, now, candidates)
        own = StoryThread(
            thread_id=thread.id,
            forum=thread.source.name,
            board=thread.board.name or thread.board.external_id,
            title=thread.title,
            text=f"{thread.title}\n{first.text if first else ''}",
            replies=thread.replies,
            first_post_at=first.posted_at if first else None,
            board_id=thread.board_id,
        )

        def drop(other: StoryThread) -> frozenset[int]:
            return self.boilerplate(session, other.board_id, group, now)

        if held is None:
            return find_spread(own, candidates, terms, settings.story_similarity, drop)
        with self._indexing:
            index = self._indexes.get(group.name)
            if index is None or index.ignore != tuple(terms):
                index = self._indexes[group.name] = StoryIndex(terms)
            self._drop_unused(group.name, timedelta(hours=settings.story_window_hours))
            return index.find_spread(own, candidates, settings.story_similarity, drop)

    def _drop_unused(self, using: str, window: timedelta) -> None:
        """Frees the index of a group not checked for a story window (removed from the config, or
        gone quiet): every text in it would be stale by then, so a later check loses only the time
        of indexing the group again."""
        clock = self._clock()
        self._used[using] = clock
        for name in [name for name, used in self._used.items() if clock - used > window.total_seconds()]:
            del self._used[name]
            self._indexes.pop(name, None)

    def indexed_groups(self) -> list[str]:
        """The watch groups whose index is held, by name."""
        with self._indexing:
            return sorted(self._indexes)

    def boilerplate(
        self, session: Session, board_id: int | None, group: WatchGroupConfig, now: datetime
    ) -> frozenset[int]:
        """The board's boilerplate trigrams, as the story check of ``group`` shingles them (cached)."""
        if board_id is None:
            return frozenset()
        key = (board_id, group.name)
        cached = self._boilerplate.get(key)
        if cached is not None and timedelta(0) <= now - cached[0] < self._cache_for:
            return cached[1]
        settings = self._config.settings.detect
        found = board_boilerplate(
            repo.board_openings(session, board_id, now),
            story_terms(group),
            settings.story_boilerplate_share,
            settings.story_boilerplate_threads,
        )
        self._boilerplate[key] = (now, found)
        return found


def story_terms(group: WatchGroupConfig) -> list[str]:
    """The watch terms the story check removes: every thread of the group shares them."""
    return [*group.include, *group.aliases]
