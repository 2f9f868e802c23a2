"""Benchmark: a long-run soak — does ``monitor run`` stay healthy after weeks of polls?

    python -m monitor.bench_soak [--passes 400] [--minutes 60] [--every 25] [--threads-per-hour 1.0]
                                 [--output DIR] [--shipped-retention] [--real-sentiment]
                                 [--no-tracemalloc] [--profile]

A demo forum of 3 boards that keeps getting new threads and replies (about ``threads-per-hour``
new threads per board an hour, a third naming the watch group 途乐旅行, one complaint in twelve
escalating into an alert; :mod:`monitor.bench_soak_forum`) and a local SMTP server run in a child
process on loopback. The monitor's real parts run in this process for the whole soak, as in
``monitor run``: one event loop, one pipeline and HTTP client, the demo config's SQLite file. Each
pass stands for ``minutes`` of forum time (a simulated clock, passed in; nothing sleeps) and runs
what the scheduler's jobs run in that time: the crawl of every board, the hot threads and hot
boards, the SLA clocks, the sending, the weekly digest when due, and the retention prune when the
pass crosses 04:00 local time. A PR team acknowledges each alert (first contact) 20 minutes after
it opens and resolves it two days later.

Retention runs as configured; by default with the shortest ages the config accepts, so that
weeks of simulated time prune every table: ``detect.baseline_days = 2`` (the detector's learning
window, which ``snapshot_days`` must cover) and ``snapshot_days = 2``, ``delivery_days = 3``,
``evidence_days = 14``, 15 days for alerts, digests, health events and threads;
``--shipped-retention`` keeps the shipped ages (90 days and more: nothing goes in a shorter soak).

Every ``every`` passes it prints the window's mean wall and CPU seconds per pass, then the
process's RSS and the memory tracemalloc sees, open file descriptors, threads, the database file
(with its write-ahead log), rows per table, the entries of every per-process cache (the crawl plan,
the facts reader's baselines, the story check's boilerplate and indexes, the fetcher's hosts …,
:mod:`monitor.bench_soak_figures`), what the prunes deleted, and the lines of code whose memory grew
most since the first window. At the end, each figure's last window against the first and against
the window half-way: a figure still growing in the second half grows with the history.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from monitor.alerting import lifecycle
from monitor.app import App, build
from monitor.bench_soak_figures import measure
from monitor.bench_soak_forum import SoakForum
from monitor.bench_soak_report import Window, growth_lines, ratios, window_lines
from monitor.config.loader import MonitorConfig, load_config
from monitor.pipeline import Pipeline
from monitor.store.models import Alert

BOARDS = [2, 3, 4]  # the demo config's
ACK_AFTER = timedelta(minutes=20)
RESOLVE_AFTER = timedelta(days=2)
RESOLUTION = "已退款并致歉 refunded and apologised"
FIGURES = ("wall", "cpu", "pages", "failed", "posts_new", "alert_changes")
SHORT_RETENTION: dict[str, object] = {
    "snapshot_days": 2,
    "delivery_days": 3,
    "evidence_days": 14,
    "alert_days": 15,
    "digest_days": 15,
    "health_event_days": 15,
    "thread_days": 15,
}


class _KeywordScorer:
    """Sentiment by keyword (benchmark only): a complaint reads negative, anything else does not."""

    name = "keyword"
    negative_below = 0.5
    words = ("投诉", "不退款", "维权", "扩散")

    def score(self, text: str) -> float:
        return 0.1 if any(word in text for word in self.words) else 0.8


def soak_config(output: Path, forum_url: str, smtp_port: int, short_retention: bool) -> MonitorConfig:
    """The demo config on this soak's forum, SMTP sink and data directory, its retention as chosen."""
    overrides: dict[str, dict[str, object]] = {
        "general": {"data_dir": str(output)},
        "database": {"url": f"sqlite:///{(output / 'monitor.db').as_posix()}"},
        "smtp": {"host": "127.0.0.1", "port": smtp_port},
        "fetch": {"per_host_concurrency": 4},
    }
    if short_retention:
        overrides["detect"] = {"baseline_days": 2}
        overrides["retention"] = SHORT_RETENTION
    config = load_config(Path(str(resources.files("monitor.demo") / "config")), overrides=overrides)
    sources = [s.model_copy(update={"base_url": forum_url}) for s in config.sources]
    return replace(config, sources=sources)


class Soak:
    def __init__(
        self, app: App, pipeline: Pipeline, forum: SoakForum, start: datetime, step: timedelta
    ) -> None:
        self.app, self.pipeline, self.forum = app, pipeline, forum
        self.start, self.step = start, step
        self.zone = ZoneInfo(app.config.settings.general.timezone)

    async def run_pass(self, number: int, window: dict[str, float]) -> tuple[list[str], int, int]:
        """One pass at its moment: the forum moves on, then every job of the scheduler runs once."""
        now = self.start + self.step * number
        counts = self.forum.tick(now)
        wall, cpu = time.perf_counter(), time.process_time()
        app, pipeline = self.app, self.pipeline
        reports = [
            await pipeline.crawl_pass(now),
            await pipeline.refresh_hot(now),
            await pipeline.crawl_hot_boards(now),
        ]
        await asyncio.to_thread(_team_acts, app, now)
        await asyncio.to_thread(app.check_sla, now)
        await asyncio.to_thread(app.deliver, now)
        await asyncio.to_thread(app.send_due_digest, now)
        pruned: list[str] = []
        if self._crossed_four(now):
            deleted = await asyncio.to_thread(app.prune, now)
            pruned.append(f"{now.astimezone(self.zone):%m-%d}: {', '.join(deleted) or 'nothing'}")
        window["wall"] += time.perf_counter() - wall
        window["cpu"] += time.process_time() - cpu
        for report in reports:
            window["pages"] += report.pages_fetched
            window["failed"] += report.pages_failed
            window["posts_new"] += report.posts_new
            window["alert_changes"] += len(report.alert_changes)
        return pruned, counts.threads, counts.posts

    def _crossed_four(self, now: datetime) -> bool:
        """Whether 04:00 local time (the scheduler's prune) came in ``(now - step, now]``."""
        local = now.astimezone(self.zone)
        four = local.replace(hour=4, minute=0, second=0, microsecond=0)
        if four > local:
            four -= timedelta(days=1)
        return local - four < self.step


def _team_acts(app: App, now: datetime) -> None:
    """The PR team: first contact 20 min after an alert opens (or reopens), resolved two days later."""
    with app.sessions.begin() as session:
        for alert in session.scalars(select(Alert).where(Alert.status != "resolved")):
            began = alert.reopened_at or alert.opened_at
            if alert.contacted_at is None and now - began >= ACK_AFTER:
                lifecycle.contacted(session, alert, alert.spokesperson, now)
            elif now - began >= RESOLVE_AFTER:
                lifecycle.resolve(session, alert, alert.spokesperson, now, RESOLUTION)


async def soak(args: argparse.Namespace, output: Path, profile: cProfile.Profile | None) -> list[Window]:
    step = timedelta(minutes=args.minutes)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - step * args.passes
    windows: list[Window] = []
    baseline: tracemalloc.Snapshot | None = None
    with SoakForum(BOARDS, start, 20260601, output / "mail", args.threads_per_hour) as forum:
        config = soak_config(output, forum.base_url, forum.smtp_port, not args.shipped_retention)
        console = open(os.devnull, "w")  # noqa: SIM115 - the console channel's, closed below
        app = build(config, stream=console, scorer=None if args.real_sentiment else _KeywordScorer())
        try:
            print(_describe(app.config, args, forum.base_url), flush=True)
            async with app.pipeline() as pipeline:
                run = Soak(app, pipeline, forum, start, step)
                for first in range(1, args.passes + 1, args.every):
                    last = min(args.passes, first + args.every - 1)
                    totals = dict.fromkeys(FIGURES, 0.0)
                    pruned: list[str] = []
                    threads = posts = 0
                    if last == args.passes and profile is not None:
                        profile.enable()
                    for number in range(first, last + 1):
                        done, threads, posts = await run.run_pass(number, totals)
                        pruned += done
                    if profile is not None:
                        profile.disable()
                    figures = measure(app, pipeline, output / "monitor.db")
                    passes = last - first + 1
                    traced = tracemalloc.get_traced_memory()[0] / 1e6 if tracemalloc.is_tracing() else 0.0
                    window = Window(
                        first,
                        last,
                        step * last / timedelta(days=1),
                        totals["wall"] / passes,
                        totals["cpu"] / passes,
                        int(totals["pages"]),
                        int(totals["failed"]),
                        int(totals["posts_new"]),
                        int(totals["alert_changes"]),
                        threads,
                        posts,
                        pruned,
                        figures,
                        traced,
                    )
                    windows.append(window)
                    print(window_lines(window), flush=True)
                    if tracemalloc.is_tracing():
                        snapshot = tracemalloc.take_snapshot()
                        if baseline is None:
                            baseline = snapshot
                        else:
                            print(growth_lines(snapshot, baseline), flush=True)
        finally:
            app.close()
            console.close()
    return windows


def _describe(config: MonitorConfig, args: argparse.Namespace, url: str) -> str:
    days = args.passes * args.minutes / 1440
    retention = config.settings.retention_days()
    ages = ", ".join(f"{name} {days}" for name, days in retention.items())
    sentiment = config.settings.sentiment.model if args.real_sentiment else "by keyword"
    return (
        f"soak: {args.passes} passes, {args.minutes:g} min of forum time each ({days:.1f} days), figures "
        f"every {args.every} passes; forum {url} (3 boards, ~{args.threads_per_hour:g} new threads per "
        f"board an hour); sentiment {sentiment}\n"
        f"retention (days, 0 = forever): {ages}; detect.baseline_days "
        f"{config.settings.detect.baseline_days:g}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passes", type=int, default=400)
    parser.add_argument("--minutes", type=float, default=60.0, help="forum time per pass")
    parser.add_argument("--every", type=int, default=25, help="passes per window of figures")
    parser.add_argument("--threads-per-hour", type=float, default=1.0, help="new threads per board an hour")
    parser.add_argument("--output", type=Path, default=None, help="keep the database and mail here")
    parser.add_argument("--shipped-retention", action="store_true", help="the shipped retention ages")
    parser.add_argument("--real-sentiment", action="store_true", help="the shipped model (slower)")
    parser.add_argument("--profile", action="store_true", help="cProfile the last window")
    parser.add_argument("--no-tracemalloc", action="store_true", help="faster; no memory growth sites")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.no_tracemalloc:
        tracemalloc.start()
    with tempfile.TemporaryDirectory() as scratch:
        output = (args.output or Path(scratch)).resolve()
        output.mkdir(parents=True, exist_ok=True)
        for stale in ("monitor.db", "monitor.db-wal", "monitor.db-shm"):
            (output / stale).unlink(missing_ok=True)
        profile = cProfile.Profile() if args.profile else None
        windows = asyncio.run(soak(args, output, profile))
    if len(windows) >= 2:
        print("\n".join(ratios(windows)))
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        print(f"cProfile of the last window (this process):\n{out.getvalue()}")


if __name__ == "__main__":
    main()
