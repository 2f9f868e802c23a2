"""Benchmark: the store's per-pass queries on a long history (``python -m monitor.bench_history``).

A monitor that keeps threads for ever (``[retention] thread_days = 0``, the default) holds a year of
threads after a year. Two queries run at every pass look at the recent ones only — the hot refresh's
candidates (:func:`~monitor.store.repo.refresh_candidates`) and a watch group's recent threads for
the story check (:func:`~monitor.store.repo.watch_group_threads`) — and must not slow down as the
history grows; a third, a board's latest openings for its boilerplate
(:func:`~monitor.store.repo.board_openings`), reads the board's threads but is cached an hour per
board and group. This fills a scratch SQLite file with ``--threads`` threads seen over ``--days``
days (a forum's pace: most of them long gone from their board's list), times each query against
the same file with and without ``ix_threads_last_seen_at`` (dropped, then made again: the baseline
in the same process), and prints the figures.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from monitor.store import repo
from monitor.store.db import make_engine, session_factory, upgrade
from monitor.store.models import Board, Post, SourceRow, Thread, WatchGroupRow, WatchMatch

GROUPS = ("途乐旅行", "退款监控", "售后")
INDEXES = {"ix_threads_last_seen_at": "CREATE INDEX ix_threads_last_seen_at ON threads (last_seen_at)"}


def fill(session: Session, threads: int, days: int, boards: int, now: datetime, rng: random.Random) -> None:
    """``threads`` threads evenly over ``days`` days on ``boards`` boards, each with its opening post; a
    third watched by one of :data:`GROUPS`."""
    source = {"id": 1, "key": "bbs", "name": "BBS", "engine": "discuz", "base_url": ""}
    session.execute(insert(SourceRow), [source])
    session.execute(
        insert(Board), [{"id": b, "source_id": 1, "external_id": str(b)} for b in range(1, boards + 1)]
    )
    session.execute(insert(WatchGroupRow), [{"id": i + 1, "name": name} for i, name in enumerate(GROUPS)])
    for start in range(0, threads, 5000):
        rows, posts, matches = [], [], []
        for tid in range(start + 1, min(threads, start + 5000) + 1):
            first = now - timedelta(days=days * (1 - tid / threads), minutes=rng.randint(0, 600))
            last = first + timedelta(hours=rng.choice((1, 2, 6, 24, 48)))
            rows.append(
                {
                    "id": tid,
                    "source_id": 1,
                    "board_id": 1 + tid % boards,
                    "external_id": str(tid),
                    "title": f"帖子 {tid}",
                    "url": f"http://bbs.example/t/{tid}",
                    "first_seen_at": first,
                    "last_seen_at": min(last, now),
                    "hot_until": None,
                }
            )
            posts.append(
                {
                    "thread_id": tid,
                    "external_id": "1",
                    "floor": 1,
                    "author": "a",
                    "posted_at": first,
                    "text": f"开帖内容 {tid} " + "投诉" * rng.randint(5, 40),
                    "content_hash": f"{tid:064x}",
                    "first_seen_at": first,
                }
            )
            if tid % 3 == 0:
                group = 1 + tid % len(GROUPS)
                matches.append({"watch_group_id": group, "thread_id": tid, "term": "x", "matched_at": first})
        session.execute(insert(Thread), rows)
        session.execute(insert(Post), posts)
        session.execute(insert(WatchMatch), matches)
    session.commit()


def timed(call: Callable[[Session], object], session: Session, repeats: int) -> tuple[float, int]:
    """The best of ``repeats`` runs, in milliseconds, and how many rows the call gave."""
    best, rows = float("inf"), 0
    for _ in range(repeats):
        began = time.perf_counter()
        found = call(session)
        best = min(best, (time.perf_counter() - began) * 1000)
        rows = len(found) if isinstance(found, list) else 0
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'history.db'}")
        upgrade(engine)
        sessions = session_factory(engine)
        began = time.perf_counter()
        with sessions() as session:
            fill(session, args.threads, args.days, args.boards, now, random.Random(7))
        print(
            f"{args.threads:,} threads over {args.days} days on {args.boards} boards, filled in "
            f"{time.perf_counter() - began:.1f} s; times are the best of {args.repeats}"
        )
        hot_since, story_since = now - timedelta(hours=6), now - timedelta(hours=72)
        queries: dict[str, Callable[[Session], object]] = {
            "refresh_candidates (seen 6 h)": lambda s: repo.refresh_candidates(s, now, hot_since),
            "watch_group_threads (72 h)": lambda s: repo.watch_group_threads(s, GROUPS[0], story_since),
            "board_openings (100)": lambda s: repo.board_openings(s, 1, now),
        }
        figures: dict[str, dict[bool, tuple[float, int]]] = {name: {} for name in queries}
        for indexed in (True, False):
            with engine.begin() as connection:
                for name, ddl in INDEXES.items():
                    connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
                    if indexed:
                        connection.execute(text(ddl))
                connection.execute(text("ANALYZE"))
            with sessions() as session:
                for name, query in queries.items():
                    figures[name][indexed] = timed(query, session, args.repeats)
        print(f"{'query':<32} {'rows':>6} {'no index ms':>12} {'index ms':>10} {'ratio':>7}")
        for name, by in figures.items():
            (with_ms, rows), (without_ms, _) = by[True], by[False]
            print(f"{name:<32} {rows:>6} {without_ms:>12.1f} {with_ms:>10.1f} {without_ms / with_ms:>6.1f}×")
        engine.dispose()


if __name__ == "__main__":
    main()
