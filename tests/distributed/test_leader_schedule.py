"""The leading scheduler sends every job, on time: none is added paused (no Redis needed)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis import Redis

from monitor.config.loader import load_config
from monitor.distributed.coordination import Coordination
from monitor.distributed.jobs import Job, schedule_of
from monitor.distributed.scheduler import add_jobs

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"


def test_every_job_has_its_next_run_within_one_interval() -> None:
    config = load_config(DEMO_CONFIG, environ={})
    unused = Coordination(Redis.from_url("redis://127.0.0.1:1/0"), "never-connected", 60)  # no command runs
    sent: list[Job] = []

    async def scheduled() -> dict[str, datetime | None]:
        scheduler = AsyncIOScheduler(timezone="UTC")
        add_jobs(scheduler, config, unused, sent.append)
        scheduler.start(paused=True)
        scheduler.resume()  # as when this scheduler takes the lead
        runs = {job.id: job.next_run_time for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
        return runs

    now = datetime.now(UTC)
    runs = asyncio.run(scheduled())
    planned = {p.job.key: p for p in schedule_of(config)}
    assert set(runs) == set(planned) and {"sla", "hot:demo-bbs", "hot_boards:demo-bbs"} <= set(runs)
    for key, when in runs.items():
        assert when is not None, f"{key} was added paused: it would never be sent"
        latest = now + timedelta(minutes=planned[key].minutes, seconds=planned[key].jitter_seconds + 5)
        assert when <= latest, key
