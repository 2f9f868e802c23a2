"""Benchmark: pages/s crawled, parsed and stored from a loopback forum, at concurrency 1 and 16.

    python -m monitor.bench_crawl [--boards 3] [--threads 40] [--replies 29]

Then the same pass with every thread watched (its title names the demo config's watch group
途乐旅行), so each is also assessed by the detector — timeline, board baseline, the spread
check against every other watched thread, alerting — and the ratio to the unwatched pass is
the cost of detection per pass.

Builds a Discuz!-style demo forum on loopback (the product's own server), then runs a full
crawl pass into a fresh SQLite file at each concurrency, politeness off (benchmark only).
Sentiment scoring is replaced by a constant so the figure is the crawl's own cost; the
parse-vs-SnowNLP comparison is ``python -m monitor.sources.bench_parse``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.app import build
from monitor.demo.forum import DemoForum, Forum
from monitor.demo.runner import demo_config


class _ConstantScorer:
    name = "constant"
    negative_below = 0.5

    def score(self, text: str) -> float:
        return 0.5


def bench_forum(boards: int, threads: int, replies: int, start: datetime, watched: bool = False) -> Forum:
    forum = Forum(now=start)
    topic = "途乐旅行" if watched else "测试主题"
    for fid in range(2, 2 + boards):
        forum.add_board(fid, f"版块{fid}")
        for t in range(threads):
            opened = start - timedelta(hours=6, minutes=t)
            first = f"第{fid}版第{t}帖：" + "首帖内容，" * 20
            thread = forum.add_thread(fid, f"{topic} {fid}-{t}", f"作者{t}", opened, first)
            for r in range(replies):
                forum.add_reply(
                    thread.tid, f"网友{r}", opened + timedelta(minutes=r + 1), f"第{r + 2}楼回复。" * 5
                )
    return forum


async def _crawl(forum_url: str, concurrency: int, now: datetime) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as data:
        config = demo_config(Path(data), forum_url, smtp_port=2525)
        fetch = config.settings.fetch.model_copy(
            update={"per_host_concurrency": concurrency, "per_host_delay_seconds": 0.0}
        )
        settings = config.settings.model_copy(
            update={"fetch": fetch, "smtp": config.settings.smtp.model_copy(update={"enabled": False})}
        )
        sources = [s.model_copy(update={"pages_per_board": 5}) for s in config.sources]
        app = build(replace(config, settings=settings, sources=sources), scorer=_ConstantScorer())
        try:
            started = time.perf_counter()
            async with app.pipeline() as pipeline:
                report = await pipeline.crawl_pass(now)
            return report.pages_fetched, time.perf_counter() - started
        finally:
            app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--boards", type=int, default=3)
    parser.add_argument("--threads", type=int, default=40)
    parser.add_argument("--replies", type=int, default=29)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    forum = bench_forum(args.boards, args.threads, args.replies, now)
    posts = args.boards * args.threads * (args.replies + 1)
    print(f"forum: {args.boards} boards × {args.threads} threads × {args.replies + 1} posts = {posts} posts")
    results: dict[int, float] = {}
    with DemoForum(forum) as server:
        for concurrency in (1, 16):
            pages, seconds = asyncio.run(_crawl(server.base_url, concurrency, now))
            results[concurrency] = pages / seconds
            rate = pages / seconds
            print(
                f"concurrency {concurrency:>2}: {pages} pages in {seconds:.2f} s = {rate:.1f} pages/s, "
                f"{posts / seconds:.0f} posts/s"
            )
    print(f"ratio 16/1: {results[16] / results[1]:.2f}×")
    with DemoForum(bench_forum(args.boards, args.threads, args.replies, now, watched=True)) as server:
        pages, seconds = asyncio.run(_crawl(server.base_url, 1, now))
    watched = args.boards * args.threads
    print(
        f"all {watched} threads watched (detector, spread check, alerting), concurrency  1: "
        f"{pages} pages in {seconds:.2f} s = {pages / seconds:.1f} pages/s; "
        f"{results[1] / (pages / seconds):.2f}× the unwatched pass's time"
    )


if __name__ == "__main__":
    main()
