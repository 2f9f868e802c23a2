"""The story check of a whole board read at once: an exact index of a watch group's trigrams.

At each poll every listed watched thread is compared with every recent thread of its watch group
(:mod:`monitor.detect.spread`). Pairwise, a board read costs the board's threads × the group's
recent threads × their trigrams: 15 boards of 100 watched threads took 40-60 s a poll. Yet two
different stories share few trigrams — a retelling shares a tenth of them, two complaints about
the same company a few hundredths — so counting, for each trigram of the thread, the threads having
it touches only what the thread actually shares. :class:`StoryIndex` maps each trigram of the
group's recent threads (its watch terms removed, as :func:`~monitor.detect.story.story_shingles`
does) to the threads having it; a thread sharing none with the one checked has similarity 0, below
any ``story_similarity`` (which must be above 0), so it is never looked at.

The results are exactly :func:`~monitor.detect.spread.find_spread`'s — the same copies, the same
similarities to the float (the same two counts divided), in the same order — and a test compares
the two on random texts. Each pair's boilerplate (both boards') is left out as there: shared
trigrams in the other board's boilerplate are taken off per board (the thread's own board's never
entered the count), and each thread's size less both boards' boilerplate is kept for the next check
(a board read checks its threads in turn: the same two boards). A threshold of 0 (every thread a
copy) takes the pairwise path.

The facts reader keeps one index per watch group (:mod:`monitor.facts_story`), used within its
``held_groups`` blocks (a board read each, ``threads rising``), one check at a time: each block
reads the group's threads again, and the index follows the read — a text not indexed yet (a thread
joining the group, an opening post stored since) is added, the others are found by board id and
text; texts no longer read stay until they outnumber those read, when the index is built again.
Its memory is about 95 bytes per distinct trigram (a dict entry and its key): 18 MB for the 1,500
threads of 120 characters of ``bench_scale --watched 1.0`` (180,000 trigrams), 35 MB for 400
threads of 1,000 characters; the texts' trigram arrays are the story cache's. Built in 40 ms and
150 ms there; a check then took 0.4 ms and 1 ms, against 18 ms and 36 ms comparing pairwise.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import chain

from monitor.detect.spread import Spread, StoryCopy, StoryThread, find_spread
from monitor.detect.story import story_shingles

_NOTHING: frozenset[int] = frozenset()


class StoryIndex:
    """The trigrams of a watch group's recent threads, each to the threads telling it.

    ``ignore`` = the group's watch terms. The boilerplate asked for must be one per board id (as
    :meth:`~monitor.facts.FactsReader.boilerplate` is): it is asked once per board, not per thread.
    """

    def __init__(self, ignore: Sequence[str]) -> None:
        self.ignore = tuple(ignore)
        self._clear()

    def _clear(self) -> None:
        self._slots: dict[tuple[int | None, str], int] = {}  # (board id, text) -> its slot
        self._told: list[tuple[int | None, array[int]]] = []  # slot -> (board id, its trigrams)
        # trigram -> the slot having it, or the slots when more than one (most trigrams have one)
        self._postings: dict[int, int | list[int]] = {}
        self._candidates: Sequence[StoryThread] = ()  # the threads of the last check
        self._at: dict[int, list[int]] = {}  # slot -> the candidates' positions telling it
        self._boards: dict[int | None, StoryThread] = {}  # board id -> one of its candidates
        # slot -> (own board's boilerplate, its board's, its size less both): of the last check (a
        # board read checks its threads in turn: the same own board)
        self._sizes: dict[int, tuple[frozenset[int], frozenset[int], int]] = {}

    @property
    def texts(self) -> int:
        """Distinct texts indexed (each a board id and a title and opening post)."""
        return len(self._told)

    def find_spread(
        self,
        own: StoryThread,
        candidates: Sequence[StoryThread],
        threshold: float,
        boilerplate: Callable[[StoryThread], frozenset[int]] | None = None,
    ) -> Spread:
        """:func:`~monitor.detect.spread.find_spread` of ``own`` among ``candidates`` (the group's
        recent threads: a list given again must be unchanged), reading only the threads sharing a
        trigram with ``own``."""
        if threshold <= 0:  # every thread is a copy, sharing nothing or not
            return find_spread(own, candidates, self.ignore, threshold, boilerplate)
        self._follow(candidates)
        own_drop = boilerplate(own) if boilerplate is not None else _NOTHING
        drops = {
            board: boilerplate(told) if boilerplate is not None else _NOTHING
            for board, told in self._boards.items()
        }
        mine = frozenset(story_shingles(own.text, self.ignore)).difference(own_drop)
        in_drop: dict[int | None, frozenset[int]] = {}  # board id -> its boilerplate in ``mine``
        found: list[tuple[float, int, int]] = []  # (similarity, thread id, position)
        for slot, shared in self._shared(mine).items():
            at = self._at.get(slot)
            if at is None:  # a text no longer read
                continue
            board, theirs = self._told[slot]
            drop = drops[board]
            mine_dropped = in_drop.get(board)
            if mine_dropped is None:
                mine_dropped = in_drop[board] = mine.intersection(drop)
            if mine_dropped:  # shared trigrams of the other board's boilerplate do not count
                shared -= len(mine_dropped.intersection(theirs))
                if not shared:
                    continue
            similarity = shared / min(len(mine) - len(mine_dropped), self._size(slot, own_drop, drop))
            if similarity >= threshold:
                found.extend(
                    (similarity, candidates[i].thread_id, i)
                    for i in at
                    if candidates[i].thread_id != own.thread_id
                )
        found.sort(key=lambda f: (-f[0], f[1], f[2]))  # find_spread's order: its sort is stable
        copies = tuple(StoryCopy(candidates[i], similarity) for similarity, _, i in found)
        return Spread(own.forum, own.board, copies, own.first_post_at)

    def _shared(self, mine: frozenset[int]) -> Counter[int]:
        """Slot -> the trigrams of ``mine`` its text has (boilerplate of its board included)."""
        single: list[int] = []
        several: list[list[int]] = []
        postings = self._postings
        for shingle in mine:
            held = postings.get(shingle)
            if held is None:
                continue
            if isinstance(held, int):
                single.append(held)
            else:
                several.append(held)
        shared = Counter(single)
        shared.update(chain.from_iterable(several))
        return shared

    def _size(self, slot: int, own_drop: frozenset[int], drop: frozenset[int]) -> int:
        """The slot's trigrams less both boards' boilerplate (kept for the next check)."""
        held = self._sizes.get(slot)
        if held is not None and (held[0], held[1]) == (own_drop, drop):  # the same sets, mostly
            return held[2]
        theirs = self._told[slot][1]
        both = own_drop | drop
        size = len(theirs) - len(both.intersection(theirs)) if both else len(theirs)
        self._sizes[slot] = (own_drop, drop, size)
        return size

    def _follow(self, candidates: Sequence[StoryThread]) -> None:
        """Index the candidates' texts not indexed yet and map each text to its candidates."""
        if candidates is self._candidates:
            return
        at: dict[int, list[int]] = {}
        boards: dict[int | None, StoryThread] = {}
        for position, told in enumerate(candidates):
            key = (told.board_id, told.text)
            slot = self._slots.get(key)
            if slot is None:
                slot = self._add(key)
            at.setdefault(slot, []).append(position)
            boards.setdefault(told.board_id, told)
        self._candidates, self._at, self._boards = candidates, at, boards
        if len(self._told) > 2 * len(at) + 64:  # texts no longer read: start again
            self._clear()
            self._follow(candidates)

    def _add(self, key: tuple[int | None, str]) -> int:
        slot = self._slots[key] = len(self._told)
        shingles = story_shingles(key[1], self.ignore)
        self._told.append((key[0], shingles))
        postings = self._postings
        for shingle in shingles:
            held = postings.get(shingle)
            if held is None:
                postings[shingle] = slot
            elif isinstance(held, int):
                postings[shingle] = [held, slot]
            else:
                held.append(slot)
        return slot
