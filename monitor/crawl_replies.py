"""How many replies the crawler stores for a thread, when a board list claims more than the
thread's own pages show.

A hostile or broken forum cannot make the crawler count replies the thread does not have:
when the read reached the thread's last page, the reply count stored (and so the detector's
snapshot) is what the thread's own pages show — its own reply count, the floors read — not a
board list that claims more; and while the board keeps claiming the same number, the thread is
not read again for the difference (:class:`Overclaims`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.sources.base import Source, ThreadPage, ThreadSummary
from monitor.store import repo
from monitor.store.models import Post, Thread


@dataclass(frozen=True)
class ThreadRead:
    """What reading a thread's pages showed."""

    last: ThreadPage | None  # the last page read
    own_replies: int | None  # the reply count the thread's own pages showed (the latest one)
    reached_end: bool  # the read went up to the thread's last page


class Overclaims:
    """Board list reply counts a thread's pages were found not to have, remembered by this process."""

    def __init__(self) -> None:
        # (source id, thread external id) -> (the board's reply count, the count its pages showed)
        # for a thread whose board list claims more replies than the thread has
        self._known: dict[tuple[int, str], tuple[int, int]] = {}

    def believed(
        self, session: Session, adapter: Source, source_id: int, summary: ThreadSummary, thread: Thread | None
    ) -> int | None:
        """The reply count to believe instead of the board list's claim, ``None``: the claim
        (``thread``: the thread as stored, None when it is not).

        Not the claim when it is one the thread's pages were found not to have (remembered by
        this process), or — after a restart — when fewer replies are stored than the board
        claims, but every one the stored count promises is there and the board's own last-post
        time is that of the newest post stored: nothing was posted since. Only for Discuz!, whose
        lists show the last post to the minute (a list showing only its date could not tell).
        """
        claim = None if "replies" in summary.missing else summary.replies
        if claim is None:
            return None
        key = (source_id, summary.thread_id)
        known = self._known.get(key)
        if known is not None and known[0] == claim:
            return known[1]
        if getattr(adapter, "engine", "") != "discuz" or summary.last_post_at is None:
            return None
        if thread is None or thread.replies >= claim:
            return None
        posts, newest = session.execute(
            select(func.count(), func.max(Post.posted_at)).where(Post.thread_id == thread.id)
        ).one()
        if posts >= thread.replies + 1 and newest is not None and summary.last_post_at <= newest:
            self._known[key] = (claim, thread.replies)
            return int(thread.replies)
        return None

    def found(self, source_id: int, thread_id: str, claim: int, shown: int) -> None:
        """The thread's pages, read to its last, show ``shown`` replies where its board claims ``claim``."""
        self._known[(source_id, thread_id)] = (claim, shown)

    def settled(self, source_id: int, thread_id: str) -> None:
        """The thread's pages, read to its last, show at least the replies its board claims."""
        self._known.pop((source_id, thread_id), None)


def store_refreshed_replies(session: Session, thread: Thread, read: ThreadRead) -> None:
    """Store the replies a hot refresh of the thread found: when it read up to the thread's last
    page, what the thread's own pages show (what it has); otherwise no fewer than before."""
    shown = shown_replies(read, highest_floor(session, thread))
    if read.reached_end:  # the thread's own pages, up to its last: what it has
        thread.replies = shown
    else:
        thread.replies = max(thread.replies, shown)


def store_listed_replies(session: Session, thread: Thread, read: ThreadRead, claim: int | None) -> int:
    """Store the replies a read of a listed thread found, its board list claiming ``claim``
    (``None``: the list shows no reply count); returns the replies the thread's pages show.

    When the read reached the thread's last page and the board claims more (or nothing), what the
    pages show; otherwise no fewer than the thread's own count, when its pages showed one.
    """
    shown = shown_replies(read, highest_floor(session, thread))
    if read.reached_end and (claim is None or claim > shown):
        thread.replies = shown  # the board claims more than the thread has
    elif read.own_replies is not None:
        thread.replies = max(thread.replies, read.own_replies)
    return shown


def highest_floor(session: Session, thread: Thread) -> int:
    """The highest floor stored of the thread (1 when none is)."""
    return max((p.floor for p in repo.thread_posts(session, thread)), default=1)


def shown_replies(read: ThreadRead, highest_floor: int) -> int:
    """The replies a thread's own pages show: its own count (the latest page showing one) or,
    when that is lower or not shown, the floors stored (the first post is floor 1)."""
    return max(read.own_replies or 0, highest_floor - 1)
