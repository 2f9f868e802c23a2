"""What one crawl of a board carries along: its report, whose pages it reads and its clock; the
threads being read now (:class:`ThreadsBeingRead`); and :func:`off_site_thread`, which keeps a
forum's thread links from sending the crawler elsewhere."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from monitor import health
from monitor.crawl_board_list import BoardList
from monitor.crawl_clock import pass_clock
from monitor.errors import FetchError
from monitor.fetch.client import Page
from monitor.fetch.redirects import same_site
from monitor.sources.base import Source

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class CrawlReport:
    """What a crawl did; the pipeline adds the alert changes."""

    pages_fetched: int = 0
    pages_failed: int = 0
    threads_seen: int = 0
    posts_new: int = 0
    threads_new: int = 0  # listed threads not stored before
    touched: list[int] = field(default_factory=list)  # ids of threads whose state was refreshed
    pages: dict[int, list[Page]] = field(default_factory=dict)  # thread id -> pages fetched (evidence)
    paged_back: BoardList | None = None  # a first read's or a backfill's list: how far it paged back


@dataclass(frozen=True)
class BoardRead:
    """Whose pages a crawl reads, and its clock: ``now`` when it started (``started``, monotonic)."""

    source_id: int
    board_row_id: int
    source_key: str
    now: datetime
    started: float
    pages: health.ThreadPages = field(default_factory=health.ThreadPages, compare=False)  # those tried

    def clock(self) -> datetime:
        """The crawl's clock now: its ``now`` plus the time it has run."""
        return pass_clock(self.now, self.started)


class NotModified(Exception):
    """A conditional GET answered 304: nothing on the page changed."""


def row_of(session: Session, model: type[T], row_id: int) -> T:
    """The row ``row_id`` of ``model``, which a crawl read earlier and which must still be there."""
    row = session.get(model, row_id)
    if row is None:  # pragma: no cover - rows are never deleted during a crawl
        raise LookupError(f"{model.__name__} {row_id} vanished during the crawl")
    return row


def off_site_thread(adapter: Source, url: str, page: int) -> FetchError | None:
    """The error for a thread page ``url`` that the forum's thread id moved off the site the
    source's own URLs name (None when it is on it), so that it is never fetched.

    A thread id comes from the forum: a feed item's link, or a generic board's thread link when
    ``thread_id`` does not match it, is the id itself, and a template that starts with it
    (``thread_feed: "{thread}.rss"``) would otherwise fetch whatever host the forum names —
    ``http://169.254.169.254/…``, ``http://127.0.0.1:6379/``. The site is what the same template
    gives for a plain id; as for redirects, ``www.`` and ``http``/``https`` do not count."""
    expected = adapter.thread_url("0", page)
    if same_site(url, expected):
        return None
    host = urlsplit(url).netloc or url[:100]
    return FetchError(url, f"not fetched: the forum's thread link leads to another site ({host})")


class ThreadsBeingRead:
    """The threads being read now, by (source id, thread external id): a thread is read by one
    reader at a time — not while another board's list (a moved thread's marker lists it on its old
    board too) or a hot refresh is reading it."""

    def __init__(self) -> None:
        self._reading: set[tuple[int, str]] = set()

    def claim(self, where: BoardRead, thread_id: str) -> bool:
        """Whether the thread may be read now; claims it. Release with :meth:`release`."""
        key = (where.source_id, thread_id)
        if key in self._reading:
            log.debug("thread %s is being read already", thread_id, extra={"source": where.source_key})
            return False
        self._reading.add(key)
        return True

    def release(self, where: BoardRead, thread_id: str) -> None:
        self._reading.discard((where.source_id, thread_id))
