"""Record which watch groups a crawled thread matches: its title and posts against the watch terms.

A match is recorded once (the thread's first matching term, and when) and kept: the thread stays the
group's even when the post that named it is edited. The detection after a crawl calls
:func:`record_matches` for every listed thread; what the pass already read of the matches and the
groups' rows (:class:`~monitor.detection_reads.PassReads`) spares a query per thread and group.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config.files import WatchGroupConfig
from monitor.detection_reads import PassReads
from monitor.enrich.keywords import WatchMatcher
from monitor.store.models import Post, Thread, WatchGroupRow, WatchMatch


def record_matches(
    session: Session,
    matcher: WatchMatcher,
    thread: Thread,
    posts: list[Post],
    now: datetime,
    reads: PassReads | None,
    joined: Callable[[str], None],
) -> list[WatchGroupConfig]:
    """Record new watch-group matches of the thread's title and posts; return every group it matches.
    ``joined`` is told the name of each group the thread newly joins (its recent threads changed)."""
    text = "\n".join([thread.title, *(p.text for p in posts)])
    matched: list[WatchGroupConfig] = []
    for match in matcher.match(text):
        group = matcher.group(match.group)
        group_id = reads.group_id(group.name) if reads is not None else None
        if group_id is None:
            group_row = session.scalar(select(WatchGroupRow).where(WatchGroupRow.name == match.group))
            if group_row is None:
                group_row = WatchGroupRow(name=group.name, category=group.category)
                session.add(group_row)
                session.flush()
            group_id = group_row.id
        known = reads.is_matched(group_id, thread.id) if reads is not None else None
        if known is None:
            known = (
                session.scalar(
                    select(WatchMatch.id).where(
                        WatchMatch.watch_group_id == group_id, WatchMatch.thread_id == thread.id
                    )
                )
                is not None
            )
        if not known:
            session.add(
                WatchMatch(watch_group_id=group_id, thread_id=thread.id, term=match.term, matched_at=now)
            )
            joined(group.name)
        if reads is not None:
            reads.matched(group.name, group_id, thread.id)
        matched.append(group)
    return matched
