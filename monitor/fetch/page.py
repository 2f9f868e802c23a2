"""A page as the fetcher got it (:class:`~monitor.fetch.client.Fetcher`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Page:
    """A fetched page. ``not_modified`` pages (HTTP 304) carry no body."""

    url: str
    status: int
    text: str
    body: bytes
    fetched_at: datetime
    server_date: datetime | None = None
    not_modified: bool = False

    @property
    def now(self) -> datetime:
        """What relative dates on the page ("3 小时前") are relative to: the server renders them
        from its own clock, so its Date header, else the time we received the page."""
        return self.server_date or self.fetched_at
