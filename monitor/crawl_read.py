"""What one crawl of a board carries along: its report, whose pages it reads and its clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from monitor import health
from monitor.crawl_clock import pass_clock
from monitor.fetch.client import Page

T = TypeVar("T")


@dataclass
class CrawlReport:
    """What a crawl did; the pipeline adds the alert changes."""

    pages_fetched: int = 0
    pages_failed: int = 0
    threads_seen: int = 0
    posts_new: int = 0
    touched: list[int] = field(default_factory=list)  # ids of threads whose state was refreshed
    pages: dict[int, list[Page]] = field(default_factory=dict)  # thread id -> pages fetched (evidence)


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
