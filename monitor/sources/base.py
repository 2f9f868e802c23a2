"""What every forum adapter returns, and the protocol it implements.

Adapters turn the bytes a forum serves into these value objects; they never touch
the database or the network themselves (the crawler fetches, the store writes).
All datetimes are timezone-aware UTC.

Not every format a forum serves shows every field (an RSS item has no reply count, a
printable thread page no post ids). A field of a non-optional type that the format lacks
holds a placeholder and is named in the record's ``missing`` set, so a crawler never
mistakes "not shown" for "zero": e.g. it must not conclude from ``replies=0`` with
``"replies" in missing`` that a thread has no new posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ThreadSummary:
    """One row of a board's thread list."""

    thread_id: str
    title: str
    author: str
    author_id: str | None
    replies: int
    views: int
    sticky: bool
    url: str
    created_at: datetime | None = None
    last_post_at: datetime | None = None
    missing: frozenset[str] = frozenset()  # fields this format does not show ("replies", "views", "sticky")


@dataclass(frozen=True)
class BoardPage:
    """One page of a board's thread list."""

    board_id: str
    board_name: str
    page: int
    page_count: int
    threads: list[ThreadSummary] = field(default_factory=list)
    # A placeholder the forum serves while it rebuilds a cache (Discuz! RSS on a cold cache:
    # an empty channel). Its emptiness means nothing: fetch the page again, don't record "empty".
    provisional: bool = False


@dataclass(frozen=True)
class PostRecord:
    """One post (floor) of a thread. ``text`` is the author's own words; ``quoted`` is quoted text."""

    post_id: str
    floor: int
    author: str
    author_id: str | None
    posted_at: datetime
    text: str
    quoted: str = ""
    # Fields this format does not show. "post_id": the id is a stand-in (``#<floor>``), not the
    # forum's own, so posts read from such a format must not be mixed with ones that have ids.
    missing: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ThreadPage:
    """One page of a thread."""

    thread_id: str
    board_id: str | None
    title: str
    page: int
    page_count: int
    posts: list[PostRecord] = field(default_factory=list)
    replies: int | None = None
    views: int | None = None


class Source(Protocol):
    """A forum engine adapter: where its pages are and how to read them."""

    engine: str

    def board_url(self, board_id: str, page: int = 1) -> str:
        """Absolute URL of a board's thread list page."""
        ...

    def thread_url(self, thread_id: str, page: int = 1) -> str:
        """Absolute URL of a thread page."""
        ...

    def parse_board(self, html: str, url: str, now: datetime) -> BoardPage:
        """Read a board list page; ``now`` resolves relative times. Raises ParseError."""
        ...

    def parse_thread(self, html: str, url: str, now: datetime) -> ThreadPage:
        """Read a thread page; ``now`` resolves relative times. Raises ParseError."""
        ...
