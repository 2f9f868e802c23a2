"""Where an alert goes, asked with what its thread says now: every watch group it names, its complaint
category, its forum and board, and the crisis signals of its posts (:func:`route_thread`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.route_tree import AlertFacts
from monitor.alerting.routing import Routed, route_groups
from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.store.models import Post, Thread, WatchGroupRow, WatchMatch


def route_thread(
    session: Session, config: MonitorConfig, thread: Thread, group: WatchGroupConfig, severity: Severity
) -> Routed:
    """Where the alert goes, asked with every watch group the thread names (``group`` first): the
    routing tree's order decides who owns a thread naming two brands (see :func:`route_groups`)."""
    names: set[str] = set()
    for signals in session.scalars(select(Post.signals).where(Post.thread_id == thread.id)):
        for item in signals or []:
            names.add(str(item.get("name")) if isinstance(item, dict) else str(item))
    categories = {known.name: known.category for known in config.watch_groups}
    categories.setdefault(group.name, group.category)
    matched = named_groups(session, thread.id)
    groups = [group.name, *(name for name in matched if name != group.name and name in categories)]
    return route_groups(
        config.routing,
        [
            AlertFacts(
                watch_group=name,
                category=thread_category(thread, categories[name]),
                severity=severity,
                source=thread.source.key,
                board=thread.board.external_id,
                signals=tuple(sorted(names)),
            )
            for name in groups
        ],
    )


def thread_category(thread: Thread, group_category: str) -> str:
    """The thread's own complaint category, else its watch group's."""
    return thread.category if thread.category not in (None, "other") else group_category


def named_groups(session: Session, thread_id: int) -> list[str]:
    """The watch groups a thread has matched, in the order the monitor first met them."""
    return list(
        session.scalars(
            select(WatchGroupRow.name)
            .join(WatchMatch, WatchMatch.watch_group_id == WatchGroupRow.id)
            .where(WatchMatch.thread_id == thread_id)
            .order_by(WatchGroupRow.id)
        )
    )
