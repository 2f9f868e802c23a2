"""What the soak benchmark measures of the monitor's process between passes: memory, open files,
threads, the database file and its rows, and the size of every cache a long-lived part keeps.

The caches are read from the parts' own attributes (benchmark only: a name that is gone reads as
``-1``, so a refactor shows in the figures instead of breaking the benchmark).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sized
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from monitor.app import App
from monitor.detect import story
from monitor.pipeline import Pipeline
from monitor.sources import discuz_plan
from monitor.store.models import Base


@dataclass(frozen=True)
class Figures:
    rss_mb: float
    fds: int
    threads: int
    database_mb: float  # the file and its write-ahead log
    rows: dict[str, int]
    caches: dict[str, int]


def rss_mb() -> float:
    """The process's resident memory now (Linux: /proc; elsewhere 0)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds() -> int:
    """Open file descriptors (Linux: /proc/self/fd; elsewhere -1)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


def database_mb(path: Path) -> float:
    files = [path, path.with_name(path.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the monitor's schema."""
    with engine.connect() as connection:
        return {
            name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in sorted(Base.metadata.tables.items())
        }


def _length(root: object, path: str) -> int:
    """``len`` of the attribute at the dotted ``path`` under ``root``; -1 when it is not there."""
    found: object = root
    for name in path.split("."):
        if not hasattr(found, name):
            return -1
        found = getattr(found, name)
    return len(found) if isinstance(found, Sized) else -1


def cache_sizes(app: App, pipeline: Pipeline) -> dict[str, int]:
    """Entries in every per-process cache that a thread, board, host or watch group adds to."""
    sizes = {
        name: _length(pipeline, path)
        for name, path in {
            "plan.polls": "_plan._polls",
            "plan.thread_source": "_plan._thread_source",
            "plan.hot_boards": "_plan._hot_boards",
            "plan.board_read": "_plan._board_read",
            "facts.baselines": "facts._baselines",
            "facts.negativity": "facts._negativity",
            "facts.views": "facts._views",
            "story.boilerplate": "facts._story._boilerplate",
            "story.indexes": "facts._story._indexes",
            "crawler.overclaims": "_crawler._overclaims._known",
            "crawler.reading": "_crawler._reading._reading",
            "crawler.clock_skews": "_crawler._page_clock.skews",
            "fetcher.hosts": "fetcher._hosts",
            "fetcher.rests_read": "fetcher._rests_read",
            "fetcher.validators": "fetcher._validators._by_url",
            "fetcher.redirects_logged": "fetcher._redirects_logged._seen",
            "pipeline.planned": "_planned",
        }.items()
    }
    indexes = getattr(getattr(getattr(pipeline, "facts", None), "_story", None), "_indexes", {})
    sizes["story.index_texts"] = sum(getattr(index, "texts", 0) for index in indexes.values())
    sizes["story.index_trigrams"] = sum(len(getattr(index, "_postings", ())) for index in indexes.values())
    sizes["story.shingles_lru"] = story._shingles.cache_info().currsize
    sizes["discuz_plan.said"] = len(discuz_plan._said)
    sizes["watch.pipeline_groups"] = len(pipeline._watch.current().groups)
    sizes["watch.app_groups"] = _length(app, "_watch._matcher.groups")
    pool: Callable[[], int] | None = getattr(app.engine.pool, "checkedout", None)
    sizes["db.pool_checked_out"] = pool() if pool is not None else -1
    return sizes


def measure(app: App, pipeline: Pipeline, database: Path) -> Figures:
    return Figures(
        rss_mb(),
        open_fds(),
        threading.active_count(),
        database_mb(database),
        row_counts(app.engine),
        cache_sizes(app, pipeline),
    )
