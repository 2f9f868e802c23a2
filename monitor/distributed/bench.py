"""Benchmark: one crawl pass of several forums, in one process against ``monitor worker`` processes.

    python -m monitor.distributed.bench --redis redis://127.0.0.1:6379/15 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/test [--forums 4] [--workers 1,2]

Builds ``--forums`` Discuz!-style demo forums on loopback (the product's own server, as
``python -m monitor.bench_crawl``), each with ``--boards`` boards of ``--threads`` threads of
``--replies`` replies, politeness off. The baseline is one pass of ``monitor run``'s pipeline in
this process (every forum side by side, one event loop); then, for each worker count, that many
``monitor worker`` subprocesses are started and one crawl job per board is sent through Redis,
timed from the first job sent to the last post stored. Each run writes into a fresh PostgreSQL
schema, dropped afterwards; posts are scored by the shipped sentiment model, as in production,
since scoring is the CPU work that more processes share. Worker start-up (loading the model) is
not timed: workers run for days.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from monitor.app import build
from monitor.bench_crawl import bench_forum
from monitor.config.loader import load_config
from monitor.demo.forum import DemoForum
from monitor.distributed.broker import scheduler_sender
from monitor.distributed.jobs import Job
from monitor.distributed.scheduler import enqueue
from monitor.store.db import ensure_schema, make_engine
from monitor.store.models import Post

if TYPE_CHECKING:
    from redis import Redis


@contextmanager
def _schema(database: str) -> Iterator[str]:
    """A fresh schema on the server; yields a URL whose connections use it."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(database)
    with admin.begin() as connection:
        connection.execute(sa.text(f'create schema "{name}"'))
    separator = "&" if "?" in database else "?"
    try:
        yield f"{database}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{name}" cascade'))
        admin.dispose()


def _config_dir(directory: Path, forums: list[str], boards: int, database: str, redis: str) -> Path:
    shutil.copytree(Path(str(resources.files("monitor.demo") / "config")), directory)
    board_ids = ", ".join(f'"{fid}"' for fid in range(2, 2 + boards))
    lines = ["sources:"]
    for n, url in enumerate(forums):
        lines += [
            f"  - key: forum{n}",
            f"    name: forum {n}",
            "    engine: discuz",
            f"    base_url: {url}",
            f"    boards: [{board_ids}]",
            "    pages_per_board: 5",
        ]
    (directory / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{(directory.parent / "data").as_posix()}"\n'
        f'[database]\nurl = "{database}"\n'
        "[fetch]\nper_host_delay_seconds = 0.0\nretries = 0\n"
        "[smtp]\nenabled = false\n[digest]\nenabled = false\n"
        f'[distributed]\nbroker_url = "{redis}"\nnamespace = "bench-{uuid.uuid4().hex[:8]}"\n',
        encoding="utf-8",
    )
    return directory


def _posts(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(Post)).scalar_one())
    finally:
        engine.dispose()


def _single_process(config_dir: Path, url: str, now: datetime) -> float:
    config = load_config(config_dir, environ={"MONITOR_DATABASE_URL": url})
    app = build(config)
    try:
        started = time.perf_counter()

        async def one_pass() -> None:
            async with app.pipeline() as pipeline:
                await pipeline.crawl_pass(now)

        asyncio.run(one_pass())
        return time.perf_counter() - started
    finally:
        app.close()


def _workers(config_dir: Path, url: str, count: int, expected: int) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = url
    config = load_config(config_dir, environ=env)
    ensure_schema(make_engine(url), auto_migrate=True)
    command = [sys.executable, "-m", "monitor.cli", "worker", "--threads", "4", "--config", str(config_dir)]
    with ExitStack() as stack:
        processes = []
        for _ in range(count):
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
            )
            stack.callback(_stop, process)
            processes.append(process)
        for process in processes:  # ready once it says so (its model is loaded)
            assert process.stdout is not None
            if not process.stdout.readline().startswith("monitor worker:"):
                raise RuntimeError("a worker did not start")
        coordination, broker, send = scheduler_sender(config.settings.distributed)
        stack.callback(broker.close)
        stack.callback(_forget, coordination.client, config.settings.distributed.namespace)
        started = time.perf_counter()
        for source in config.sources:
            for board in source.boards:
                enqueue(coordination, send, Job("crawl", source.key, board))
        while _posts(url) < expected:
            time.sleep(0.05)
        return time.perf_counter() - started


def _forget(client: Redis, namespace: str) -> None:
    """Leave Redis as it was: the next run starts with no crawl plan, marker or queue of this one."""
    keys = list(client.scan_iter(match=f"{namespace}:*"))
    if keys:
        client.delete(*keys)


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", required=True, help="Redis URL, e.g. redis://127.0.0.1:6379/15")
    parser.add_argument("--database", required=True, help="PostgreSQL URL (a schema is made and dropped)")
    parser.add_argument("--forums", type=int, default=4)
    parser.add_argument("--boards", type=int, default=2)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--replies", type=int, default=29)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    posts = args.forums * args.boards * args.threads * (args.replies + 1)
    print(
        f"{args.forums} forums × {args.boards} boards × {args.threads} threads × {args.replies + 1} posts "
        f"= {posts} posts; {os.cpu_count()} CPUs"
    )
    with ExitStack() as stack, tempfile.TemporaryDirectory() as scratch:
        urls = []
        for _ in range(args.forums):
            forum = bench_forum(args.boards, args.threads, args.replies, now)
            urls.append(stack.enter_context(DemoForum(forum)).base_url)
        config_dir = _config_dir(Path(scratch) / "config", urls, args.boards, args.database, args.redis)
        with _schema(args.database) as url:
            baseline = _single_process(config_dir, url, now)
            stored = _posts(url)
        print(f"one process (monitor run's pass):  {baseline:6.2f} s, {stored / baseline:6.0f} posts/s")
        for count in (int(n) for n in args.workers.split(",")):
            with _schema(args.database) as url:
                seconds = _workers(config_dir, url, count, stored)
            print(
                f"{count} worker process(es), 4 threads: {seconds:6.2f} s, {stored / seconds:6.0f} posts/s "
                f"= {baseline / seconds:.2f}× the one process"
            )


if __name__ == "__main__":
    main()
