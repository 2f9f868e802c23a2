"""Old activity found by paging back opens no alert.

A board's first read (and the polls reading on from where it failed, :mod:`monitor.first_read_resume`)
and a backfill (``monitor sources backfill``) page back through older list pages
(:mod:`monitor.crawl_board_list`) and read threads the monitor never saw while they were
active. The detector judges each on its own timeline (its replies in the last hour are none, for
a thread quiet for days), but the rules that alert however slowly a thread grows — a journalist in
a reply, the media in a negative opening post — and a crisis signal's tier floor do not look at
when: without this rule a backfill of a complaints board would open an alert for every such thread
of the past week at once, about activity nobody can be first to any more.

So a thread read by such a read whose newest post (or the list's last-post time) is older than
``[schedule] hot_for_hours`` — the time a thread stays hot after it last grew — opens no alert,
reopens none and joins no story: it is stored, scored, matched and snapshotted as any thread, so
the digest and the board's baselines count it, and its next reply brings it to the detector as
any thread's does. A thread with an open alert is judged as at any poll.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from monitor.store.models import Post, Thread


def last_active(thread: Thread, posts: Iterable[Post]) -> datetime | None:
    """The thread's newest post, as stored, or the last-post time its list showed (None: unknown)."""
    times = [post.posted_at for post in posts if post.posted_at is not None]
    if thread.last_post_at is not None:
        times.append(thread.last_post_at)
    return max(times, default=None)


def quiet_too_long(thread: Thread, posts: Iterable[Post], now: datetime, hot_for_hours: float) -> bool:
    """Found by paging back and quiet for longer than a thread stays hot: it opens no alert.
    A thread whose activity is not dated is judged as any thread."""
    last = last_active(thread, posts)
    return last is not None and last < now - timedelta(hours=hot_for_hours)
