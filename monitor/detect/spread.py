"""Spread: the same story told on other boards or other forums.

Seed 000: a BBS complaint turns into a crisis when it spreads — reposted to other boards and
forums, then picked up by the media. The general (一般) playbook says "escalate at the first
sign of spread". So at every poll a watched thread is compared with the recent threads of the
same watch group on every board and forum (:func:`find_spread`, by
:func:`~monitor.detect.story.story_similarity` of title and opening post), and the places it
has reached:

* add ``spread_score`` per other board or forum to the escalation score (capped at
  ``spread_score_cap``), like resonance does;
* make the alert at least urgent (紧迫) once the story is on ``urgent_spread_forums`` other
  forums (see :mod:`monitor.detect.assess`);
* are named in the reasons: "same story also posted on the 旅游天地 board (6 replies, 2.5 h
  later)".

A copy on the thread's own board (the author posting again) is listed but does not count as
spread. Candidates are limited to the watch group's threads: a cross-post of a complaint about
the company names it too. Each pair is compared without the two boards' boilerplate
(:mod:`monitor.detect.boilerplate`), exactly: an approximate index (MinHash/LSH) would miss some
retellings, which share only a tenth of their trigrams. :func:`find_spread` compares one thread with
each candidate; a board read, checking each of its threads against the whole group, goes through an
exact inverted index of the group's trigrams instead (:mod:`monitor.detect.story_index`: the same
results, in the time of what the threads share).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from monitor.config.settings import DetectSettings
from monitor.detect.story import story_shingles, without
from monitor.detect.velocity import counted

_NAMED_PLACES = 3  # the reason names at most this many places, then "and N more"


@dataclass(frozen=True)
class StoryThread:
    """A thread as the spread check sees it: where it is and what it says."""

    thread_id: int
    forum: str  # the source's name
    board: str  # the board's name
    title: str
    text: str  # title and opening post
    replies: int = 0
    first_post_at: datetime | None = None
    board_id: int | None = None  # the stored board's id (its boilerplate), when known


@dataclass(frozen=True)
class StoryCopy:
    """Another thread telling the same story."""

    thread: StoryThread
    similarity: float


@dataclass(frozen=True)
class Spread:
    """Where else a thread's story is told; empty when nowhere."""

    own_forum: str
    own_board: str
    copies: tuple[StoryCopy, ...] = ()  # most similar first
    own_first_post_at: datetime | None = None

    @property
    def other_boards(self) -> tuple[str, ...]:
        """Other boards of the thread's own forum carrying the story."""
        return _distinct(
            c.thread.board for c in self.copies if self._same_forum(c) and not self._same_board(c)
        )

    @property
    def other_forums(self) -> tuple[str, ...]:
        """Other forums carrying the story."""
        return _distinct(c.thread.forum for c in self.copies if not self._same_forum(c))

    @property
    def places(self) -> int:
        """Other boards or forums carrying the story (each other board of another forum counts once)."""
        return len({(c.thread.forum, c.thread.board) for c in self.copies if not self._same_board(c)})

    @property
    def reposts(self) -> int:
        """Copies on the thread's own board (posted again), not counted as spread."""
        return sum(1 for c in self.copies if self._same_board(c))

    def as_of(self, replies: Mapping[int, int]) -> Spread:
        """The copies as they were at a past moment: ``replies`` gives each copy read by then
        (thread id) its reply count then; copies not read by then are left out."""
        copies = tuple(
            StoryCopy(replace(c.thread, replies=replies[c.thread.thread_id]), c.similarity)
            for c in self.copies
            if c.thread.thread_id in replies
        )
        return replace(self, copies=copies)

    def _same_forum(self, copy: StoryCopy) -> bool:
        return copy.thread.forum == self.own_forum

    def _same_board(self, copy: StoryCopy) -> bool:
        return self._same_forum(copy) and copy.thread.board == self.own_board


def find_spread(
    own: StoryThread,
    candidates: Iterable[StoryThread],
    ignore: Sequence[str],
    threshold: float,
    boilerplate: Callable[[StoryThread], frozenset[int]] | None = None,
) -> Spread:
    """The candidates telling ``own``'s story (similarity >= ``threshold``); ``ignore`` = watch terms;
    ``boilerplate`` gives a thread's board's boilerplate, left out of each comparison."""
    terms = tuple(ignore)
    mine = frozenset(story_shingles(own.text, terms))
    own_drop = boilerplate(own) if boilerplate is not None else frozenset()
    # ``mine`` less each pair's boilerplate, once per distinct boilerplate (a board's), not per pair
    kept: dict[frozenset[int], tuple[frozenset[int], frozenset[int]]] = {}
    copies = []
    for other in candidates:
        if other.thread_id == own.thread_id:
            continue
        their_drop = boilerplate(other) if boilerplate is not None else frozenset()
        pair = kept.get(their_drop)
        if pair is None:
            drop = own_drop | their_drop
            pair = kept[their_drop] = (frozenset(without(mine, drop)), drop)
        similarity = _containment_without(pair[0], story_shingles(other.text, terms), pair[1])
        if similarity >= threshold:
            copies.append(StoryCopy(other, similarity))
    copies.sort(key=lambda c: (-c.similarity, c.thread.thread_id))
    return Spread(own.forum, own.board, tuple(copies), own.first_post_at)


def _containment_without(mine: frozenset[int], theirs: Collection[int], drop: frozenset[int]) -> float:
    """``containment(mine, theirs less drop)``, ``mine`` having nothing of ``drop`` already and
    ``theirs`` being distinct shingles: counted without building a set of ``theirs`` (less ``drop``)."""
    shared = len(mine.intersection(theirs))
    their_size = len(theirs) - len(drop.intersection(theirs)) if drop else len(theirs)
    if not mine or not their_size:
        return 0.0
    return shared / min(len(mine), their_size)


def spread_score(spread: Spread | None, settings: DetectSettings) -> float:
    if spread is None:
        return 0.0
    return min(settings.spread_score * spread.places, settings.spread_score_cap)


def describe_spread(spread: Spread) -> str | None:
    """One reason line: the places the story has reached, biggest copy first; None if nowhere."""
    when = spread.own_first_post_at
    best: dict[tuple[str, str], StoryCopy] = {}
    for copy in spread.copies:
        key = (copy.thread.forum, copy.thread.board)
        if key == (spread.own_forum, spread.own_board):
            continue
        held = best.get(key)
        if held is None or copy.thread.replies > held.thread.replies:
            best[key] = copy
    parts = []
    for (forum, board), copy in sorted(best.items(), key=lambda kv: -kv[1].thread.replies):
        where = f"the {board} board" if forum == spread.own_forum else f"{forum}'s {board} board"
        replies = counted(copy.thread.replies, "reply", "replies")
        parts.append(f"{where} ({replies}{_relative(copy.thread.first_post_at, when)})")
    reposts = spread.reposts
    if not parts and not reposts:
        return None
    text = ""
    if parts:
        shown = parts[:_NAMED_PLACES]
        more = len(parts) - len(shown)
        text = "same story also posted on " + "; ".join(shown) + (f"; and {more} more" if more else "")
    if reposts:
        again = f"posted {reposts} more time{'s' if reposts > 1 else ''} on this board"
        text = f"{text}; {again}" if text else f"same story {again}"
    return text


def place_name(board: str, forum: str | None = None) -> str:
    """A board as an alert names it: alone on the alert's own forum (``forum`` None), with its forum
    on another (``投诉维权 (消费维权论坛 GBK)``) — two forums may both have a 投诉维权 board."""
    return f"{board} ({forum})" if forum else board


def _relative(then: datetime | None, when: datetime | None) -> str:
    if then is None or when is None:
        return ""
    hours = (then - when).total_seconds() / 3600.0
    if abs(hours) < 1 / 60:
        return ", at the same time"
    span = f"{abs(hours) * 60:.0f} min" if abs(hours) < 1 else f"{abs(hours):.1f} h"
    return f", {span} {'later' if hours > 0 else 'earlier'}"


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
