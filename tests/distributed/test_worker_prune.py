"""With workers, retention runs as a job too: scheduled every 24 h, run by a worker like any other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from monitor.app import build
from monitor.config.loader import load_config
from monitor.distributed.jobs import Job, schedule_of
from monitor.distributed.worker import WorkerRuntime
from monitor.store import repo
from monitor.store.models import HealthEvent

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_the_prune_job_is_scheduled_daily_and_a_worker_runs_it(tmp_path: Path) -> None:
    config = load_config(DEMO_CONFIG, environ={}, overrides={"general": {"data_dir": str(tmp_path)}})
    [prune] = [s for s in schedule_of(config) if s.job.kind == "prune"]
    assert prune.minutes == 24 * 60 and prune.job.lane == "job:prune"
    app = build(config)
    try:
        with app.sessions.begin() as session:
            source = repo.ensure_source(session, config.sources[0])
            for days in (200, 1):
                session.add(
                    HealthEvent(source_id=source.id, at=NOW - timedelta(days=days), kind="fetch_failed")
                )
        runtime = WorkerRuntime(app, coordination=None, queue=lambda job: None, clock=lambda: NOW)  # type: ignore[arg-type]
        try:
            runtime._run(Job.from_args("prune"))
        finally:
            runtime._loop.close()  # never started: no pipeline is needed to prune
        with app.sessions() as session:
            left = session.scalar(select(func.count()).select_from(HealthEvent))
    finally:
        app.close()
    assert left == 1  # the 200-day-old event went, yesterday's stayed
