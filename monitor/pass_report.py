"""What one crawl (a pass, a board, or a hot-thread refresh) did: pages, threads, posts, alert changes."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.alerting.service import AlertChange


@dataclass
class PassReport:
    """What one crawl (a pass, a board, or a hot-thread refresh) did."""

    pages_fetched: int = 0
    pages_failed: int = 0
    threads_seen: int = 0
    posts_new: int = 0
    alert_changes: list[AlertChange] = field(default_factory=list)

    def add(self, other: PassReport) -> None:
        self.pages_fetched += other.pages_fetched
        self.pages_failed += other.pages_failed
        self.threads_seen += other.threads_seen
        self.posts_new += other.posts_new
        self.alert_changes.extend(other.alert_changes)
