"""``monitor worker`` (run the jobs sent through Redis) and ``monitor run`` with a broker (schedule them).

See :mod:`monitor.distributed`. Both need ``[distributed] broker_url``; both stop cleanly on
Ctrl-C or SIGTERM (a worker lets the jobs it is running finish).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import threading
from pathlib import Path

from monitor.config.loader import MonitorConfig, load_config
from monitor.errors import MonitorError
from monitor.log_format import use_zone

log = logging.getLogger(__name__)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = commands.add_parser(
        "worker", help="run the jobs a scheduler sends through Redis ([distributed] broker_url)"
    )
    worker.add_argument(
        "--config", type=Path, default=None, help="config directory (default $MONITOR_CONFIG, else ./config)"
    )
    worker.add_argument(
        "--threads", type=int, default=4, help="jobs run at the same time by this process (default 4)"
    )
    worker.set_defaults(handler=_work)


def _distributed(config: MonitorConfig, command: str) -> str:
    url = config.settings.distributed.broker_url
    if not url:
        raise MonitorError(
            f"{command} needs [distributed] broker_url in monitor.toml (or $MONITOR_BROKER_URL), "
            "e.g. redis://127.0.0.1:6379/0"
        )
    if config.settings.database_url().startswith("sqlite"):
        log.warning(
            "the database is a SQLite file: only processes on this machine share it; "
            "use PostgreSQL for workers on several machines"
        )
    return url


def _work(args: argparse.Namespace) -> int:
    from monitor.distributed.coordination import masked
    from monitor.distributed.worker import start_worker

    if args.threads < 1:
        raise MonitorError("--threads must be at least 1")
    config = load_config(args.config, environ=os.environ)
    url = _distributed(config, "monitor worker")
    use_zone(config.settings.general.timezone)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    running = start_worker(config, args.threads)
    where = f"{masked(url)} (namespace {config.settings.distributed.namespace})"
    threads = f"{args.threads} thread" if args.threads == 1 else f"{args.threads} threads"
    print(f"monitor worker: {threads} on {where}; Ctrl-C stops", flush=True)
    try:
        stop.wait()
    finally:
        log.info("stopping: letting running jobs finish")
        running.stop()
    return 0


def schedule(config: MonitorConfig) -> int:
    """``monitor run`` with a broker: schedule the jobs for the workers while this process leads."""
    from monitor.distributed.broker import scheduler_sender
    from monitor.distributed.coordination import masked
    from monitor.distributed.scheduler import run_scheduler

    url = _distributed(config, "monitor run")
    coordination, broker, send = scheduler_sender(config.settings.distributed)
    where = f"{masked(url)} (namespace {config.settings.distributed.namespace})"
    print(f"monitor run: scheduling for workers on {where}; Ctrl-C stops", flush=True)

    def told(leading: bool, holder: str | None) -> None:
        state = (
            "leading: jobs are being sent"
            if leading
            else f"standing by: {holder or 'another scheduler'} leads"
        )
        print(state, flush=True)

    try:
        asyncio.run(run_scheduler(config, coordination, send, on_change=told))
    finally:
        broker.close()
    return 0
