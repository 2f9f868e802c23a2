"""Benchmark: ``monitor run``'s crawl pass at a PR team's scale, poll after poll.

    python -m monitor.bench_scale [--boards 15] [--threads 200] [--watched 0.33] [--polls 5]
                                  [--changed 5] [--pages-per-board N] [--database URL] [--profile]

A Discuz!-style demo forum on loopback (the product's own server) with ``boards`` boards of
``threads`` threads each, first posted over the last 30 days with 3 to 14 posts each; a share
``watched`` of them name the demo config's watch group 途乐旅行 (a third of those read as
complaints). Every board page is read at each pass (``pages_per_board`` covers the board), so
every thread is listed at every poll; ``--pages-per-board`` reads fewer, as a source configured
with the default 1 does. Poll 1 reads it all into an empty database; each later poll comes 10
minutes after the one before, with ``changed`` threads having one new reply each — the steady
state of a monitor polling a busy forum. Per poll: wall and CPU seconds, pages fetched and
failed, threads listed, SQL statements, alert changes; then the rows in the snapshot table after
poll 1 and after the last (a steady poll writes one per thread whose reading changed), the
steady polls' mean and its ratio to poll 1, and the process's peak RSS. ``--profile`` prints
cProfile's top functions of the steady polls. SQLite file by default; ``--database`` takes a
PostgreSQL URL (its tables are dropped first: give it a scratch database). Politeness is off and
sentiment is a constant by keyword (benchmark only), so the figures are the crawl's and the
detector's own cost.

"Threads listed" counts the threads on the list pages the poll read. A list page that fails ends
its board's paging for the poll (the crawler's rule), so fewer than ``boards`` × ``threads``
listed goes with failed pages, which the poll's line names: the forum runs in this process, and
the detection after each board read holds the event loop, so on a busy machine a list page
fetch of another board can outlast its deadline (``fetch.timeout_seconds`` × 3). Those threads
are read at the next poll.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, select

from monitor.app import App, build
from monitor.demo.forum import THREADS_PER_PAGE, DemoForum, Forum
from monitor.demo.runner import demo_config
from monitor.store.models import Base, Snapshot

_WORDS = "".join(chr(code) for code in range(0x4E00, 0x4E00 + 2000))  # CJK ideographs
_COMPLAINT = "投诉退款不退，客服推诿，要找律师和记者，去12315维权！"


class _KeywordScorer:
    """Sentiment by keyword (benchmark only): a complaint reads negative, anything else does not."""

    name = "keyword"
    negative_below = 0.5

    def score(self, text: str) -> float:
        return 0.1 if "投诉" in text else 0.8


@dataclass
class PollFigures:
    seconds: float
    cpu_seconds: float
    pages: int
    failed: int
    threads: int
    statements: int
    alert_changes: int


def scale_forum(boards: int, threads: int, watched: float, now: datetime, rng: random.Random) -> Forum:
    """``boards`` × ``threads`` threads first posted over the 30 days up to ``now``."""
    forum = Forum(now=now)
    for fid in range(2, 2 + boards):
        forum.add_board(fid, f"版块{fid}")
        for t in range(threads):
            opened = now - timedelta(days=30) * ((t + 0.5) / threads) - timedelta(minutes=fid)
            story = "".join(rng.choices(_WORDS, k=120))
            if rng.random() < watched:
                complaint = rng.random() < 1 / 3
                title = f"途乐旅行 {'投诉' if complaint else '体验'} {fid}-{t}"
                first = story + (_COMPLAINT if complaint else "")
            else:
                title, first = f"主题 {fid}-{t}", story
            thread = forum.add_thread(fid, title, f"作者{t % 97}", opened, first)
            for r in range(rng.randint(2, 13)):
                author = f"网友{rng.randint(1, 400)}"
                forum.add_reply(thread.tid, author, opened + timedelta(minutes=7 * r + 3), _reply(rng))
    return forum


def _reply(rng: random.Random) -> str:
    return "".join(rng.choices(_WORDS, k=rng.randint(10, 60)))


def _app(forum_url: str, data: Path, database: str | None, pages_per_board: int, boards: list[str]) -> App:
    config = demo_config(data, forum_url, smtp_port=2525)
    settings = config.settings
    fetch = settings.fetch.model_copy(update={"per_host_concurrency": 8, "per_host_delay_seconds": 0.0})
    updates: dict[str, object] = {
        "fetch": fetch,
        "smtp": settings.smtp.model_copy(update={"enabled": False}),
    }
    if database is not None:
        updates["database"] = settings.database.model_copy(update={"url": database})
    settings = settings.model_copy(update=updates)
    sources = [
        s.model_copy(update={"pages_per_board": pages_per_board, "boards": boards}) for s in config.sources
    ]
    return build(replace(config, settings=settings, sources=sources), scorer=_KeywordScorer())


def _poll(app: App, now: datetime, statements: list[int]) -> PollFigures:
    before, started, cpu = statements[0], time.perf_counter(), time.process_time()

    async def one_pass() -> tuple[int, int, int, int]:
        async with app.pipeline() as pipeline:
            report = await pipeline.crawl_pass(now)
        return report.pages_fetched, report.pages_failed, report.threads_seen, len(report.alert_changes)

    pages, failed, threads, changes = asyncio.run(one_pass())
    return PollFigures(
        time.perf_counter() - started,
        time.process_time() - cpu,
        pages,
        failed,
        threads,
        statements[0] - before,
        changes,
    )


def _snapshot_rows(app: App) -> int:
    with app.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Snapshot)) or 0


def _drop_tables(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--boards", type=int, default=15)
    parser.add_argument("--threads", type=int, default=200, help="threads per board")
    parser.add_argument("--watched", type=float, default=0.33, help="share of threads naming the watch group")
    parser.add_argument("--polls", type=int, default=5)
    parser.add_argument("--changed", type=int, default=5, help="threads with a new reply at each later poll")
    parser.add_argument("--pages-per-board", type=int, default=None, help="list pages per pass (all)")
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (scratch: tables are dropped)")
    parser.add_argument("--profile", action="store_true", help="cProfile the steady polls")
    args = parser.parse_args()
    rng = random.Random(20240601)
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    forum = scale_forum(args.boards, args.threads, args.watched, now, rng)
    tids = sorted(t.tid for b in forum.boards() for t in forum.visible_threads(b.fid))
    posts = sum(len(forum.visible_posts(tid)) for tid in tids)
    pages_per_board = args.pages_per_board or -(-args.threads // THREADS_PER_PAGE)
    print(
        f"forum: {args.boards} boards × {args.threads} threads over 30 days = {len(tids)} threads, "
        f"{posts} posts; {args.watched:.0%} watched; {pages_per_board} list pages per board; "
        f"{args.changed} threads change between polls"
    )
    if args.database is not None:
        _drop_tables(args.database)
    statements = [0]
    stored: list[int] = []  # rows in the snapshot table after poll 1 and after the last
    figures: list[PollFigures] = []
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as data, DemoForum(forum) as server:
        boards = [str(b.fid) for b in forum.boards()]
        app = _app(server.base_url, Path(data), args.database, pages_per_board, boards)

        @event.listens_for(app.engine, "before_cursor_execute")
        def count(*_: object) -> None:
            statements[0] += 1

        try:
            for number in range(1, args.polls + 1):
                when = now + timedelta(minutes=10 * (number - 1))
                if number > 1:
                    forum.now = when
                    for tid in rng.sample(tids, args.changed):
                        author = f"网友{rng.randint(1, 400)}"
                        forum.add_reply(tid, author, when - timedelta(minutes=1), _reply(rng))
                    if args.profile:
                        profile.enable()
                figures.append(_poll(app, when, statements))
                profile.disable()
                if number == 1:
                    stored.append(_snapshot_rows(app))  # between polls: not counted in either
                f = figures[-1]
                print(
                    f"poll {number}: {f.seconds:7.2f} s wall, {f.cpu_seconds:7.2f} s CPU, "
                    f"{f.pages:5d} pages ({f.failed} failed), {f.threads:5d} threads listed, "
                    f"{f.statements:7d} SQL statements, {f.alert_changes} alert changes"
                )
                if f.threads < len(tids) and f.failed:
                    print(
                        f"  {len(tids) - f.threads} of {len(tids)} threads not listed: "
                        f"{f.failed} pages failed (logged as 'page skipped'), and a failed list page "
                        "ends its board's paging for this poll"
                    )
            stored.append(_snapshot_rows(app))
        finally:
            event.remove(app.engine, "before_cursor_execute", count)
            app.close()
    print(
        f"snapshot rows: {stored[0]} after poll 1, {stored[-1]} after poll {len(figures)} "
        f"({stored[-1] - stored[0]} written by the {len(figures) - 1} steady polls)"
    )
    steady = figures[1:]
    if steady:
        wall = sum(f.seconds for f in steady) / len(steady)
        cpu = sum(f.cpu_seconds for f in steady) / len(steady)
        sql = sum(f.statements for f in steady) / len(steady)
        print(
            f"steady polls (mean of {len(steady)}): {wall:.2f} s wall, {cpu:.2f} s CPU, "
            f"{sql:.0f} SQL statements; {wall / figures[0].seconds:.2f}× poll 1's time, "
            f"{sql / figures[0].statements:.2f}× its statements"
        )
    print(f"peak RSS: {_peak_rss_mb():.0f} MB")
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(35)
        print(out.getvalue())


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


if __name__ == "__main__":
    main()
