"""``monitor watch backtest``: what proposed watch groups would have matched in the posts stored
over the last days — read only, each thread matched as the pipeline matches it (title and posts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config.files import WatchGroupConfig
from monitor.enrich.keywords import WatchMatcher
from monitor.store.models import Post, Thread


@dataclass(frozen=True)
class BacktestHit:
    thread_id: int
    title: str
    url: str
    floor: int  # 0: the title
    term: str
    reason: str


@dataclass
class BacktestReport:
    since: datetime
    threads: int = 0
    posts: int = 0
    hits: dict[str, list[BacktestHit]] = field(default_factory=dict)  # group -> threads matched


def backtest(session: Session, groups: Sequence[WatchGroupConfig], since: datetime) -> BacktestReport:
    """What ``groups`` would have matched in the posts stored since ``since`` (read only).

    Each thread is matched as the pipeline matches it: its title and the posts, joined."""
    matcher = WatchMatcher(groups)
    report = BacktestReport(since=since, hits={g.name: [] for g in groups})
    rows = session.execute(
        select(Post.floor, Post.text, Thread.id, Thread.title, Thread.url)
        .join(Thread, Post.thread_id == Thread.id)
        .where(Post.posted_at >= since)
        .order_by(Thread.id, Post.floor)
        .execution_options(yield_per=500)
    )
    batch: list[tuple[int, str]] = []
    thread: tuple[int, str, str] | None = None
    for floor, text, thread_id, title, url in rows:
        if thread is not None and thread[0] != thread_id:
            _backtest_thread(matcher, thread, batch, report)
            batch = []
        thread = (thread_id, title, url)
        batch.append((floor, text))
    if thread is not None:
        _backtest_thread(matcher, thread, batch, report)
    return report


def _backtest_thread(
    matcher: WatchMatcher, thread: tuple[int, str, str], posts: list[tuple[int, str]], report: BacktestReport
) -> None:
    report.threads += 1
    report.posts += len(posts)
    thread_id, title, url = thread
    parts = [(0, title), *posts]
    starts: list[tuple[int, int]] = []
    offset = 0
    for floor, text in parts:
        starts.append((offset, floor))
        offset += len(text) + 1
    for match in matcher.match("\n".join(text for _, text in parts)):
        floor = max((s for s in starts if s[0] <= match.start), default=(0, 0))[1]
        report.hits[match.group].append(BacktestHit(thread_id, title, url, floor, match.term, match.reason))
