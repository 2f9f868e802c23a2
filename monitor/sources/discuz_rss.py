"""Discuz! RSS (``forum.php?mod=rss`` for the whole forum, ``&fid=N`` for one board).

RSS 2.0, the latest 20 threads, newest first: per ``<item>`` the title, the rewritten link
``thread-T-1-1.html`` (or ``forum.php?mod=viewthread&tid=T``), the board name as
``<category>``, the author's name, ``<pubDate>`` = when the thread was started (exact to the
second) and the first post cut to ~200 characters as ``<description>``.

Lacks: reply and view counts, sticky marks (``missing`` on every thread), uids, the last post
time, pages. So RSS tells the crawler *which threads exist and are new*, cheaply and with
conditional GET, never whether a thread grew.

A cold cache: Discuz builds the feed from a cache it refreshes at most every ``<ttl>``
minutes (60), and the first request after the cache went stale gets a channel with no
items while the rebuild runs; the next request has them. An empty channel is therefore
returned as a ``provisional`` page (fetch it again), never as "this board has no threads".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.errors import ParseError
from monitor.sources import discuz_common as common
from monitor.sources.base import BoardPage, ThreadSummary
from monitor.sources.feed import read_feed

MISSING = frozenset({"replies", "views", "sticky"})


def parse_rss(
    text: str, url: str, now: datetime, tz: ZoneInfo, thread_url: Callable[[str], str]
) -> BoardPage:
    """The threads in a Discuz RSS feed; ``board_id`` is ``""`` for the whole-forum feed."""
    feed = read_feed(text, url, tz)
    threads = []
    for entry in feed.entries:
        tid = common.first_match(common.TID, [entry.link, entry.guid])
        if tid is None:
            raise ParseError(url, f"RSS item without a thread id in its link: {entry.link[:100]!r}")
        threads.append(
            ThreadSummary(
                thread_id=tid,
                title=entry.title,
                author=entry.author,
                author_id=None,
                replies=0,
                views=0,
                sticky=False,
                url=thread_url(tid),
                created_at=entry.published,
                missing=MISSING,
            )
        )
    board_id = common.match(common.FID, url) or ""
    categories = {c for entry in feed.entries for c in entry.categories}
    if len(categories) == 1 and board_id:
        board_name = categories.pop()
    elif board_id and " - " in feed.title:
        board_name = feed.title.rsplit(" - ", 1)[-1]
    else:
        board_name = ""
    return BoardPage(board_id, board_name, 1, 1, threads, provisional=not threads)
