"""``monitor worker``: run the jobs that arrive through Redis, with the same pipeline as ``monitor run``.

A worker process holds one :class:`~monitor.app.App` and one pipeline (one HTTP client) on an
event loop in its own thread, as ``monitor run`` does; Dramatiq's worker threads hand it the
jobs. A job first takes its lane (:class:`~monitor.distributed.coordination.Coordination`):
if another worker holds it, the message is retried a little later. Then its queued marker is
cleared (the scheduler may queue the next one), a forum job loads its source's crawl plan,
runs, saves the plan and, when alerts changed, queues a delivery. A forum job keeps the lane
for ``per_host_delay_seconds`` more, so the next worker's first request is as far from this
one's last as two requests of one process.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.app import App, build
from monitor.config.loader import MonitorConfig
from monitor.distributed.broker import connect, job_actor, make_worker, send
from monitor.distributed.coordination import Coordination, LaneBusy
from monitor.distributed.jobs import SOURCE_KINDS, Job
from monitor.pipeline import PassReport, Pipeline

if TYPE_CHECKING:
    from dramatiq import Worker
    from dramatiq.brokers.redis import RedisBroker

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class WorkerRuntime:
    def __init__(
        self,
        app: App,
        coordination: Coordination,
        queue: Callable[[Job], None],
        clock: Clock = _utcnow,
    ) -> None:
        self.app = app
        self.coordination = coordination
        self.queue = queue  # sends a job (used for the delivery after a crawl changed alerts)
        self.clock = clock
        self._loop = asyncio.new_event_loop()
        self._pipeline: Pipeline | None = None
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._serve, name="monitor-pipeline", daemon=True)

    def start(self) -> WorkerRuntime:
        self._thread.start()
        if not self._ready.wait(timeout=60):
            raise RuntimeError("the worker's pipeline did not start")
        return self

    def stop(self) -> None:
        if self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=60)

    def run(self, kind: str, source: str = "", board: str = "") -> None:
        """The actor's body: run one job (called on a Dramatiq worker thread)."""
        job = Job.from_args(kind, source, board)
        try:
            with self.coordination.lane(job):
                self.coordination.clear_queued(job)
                started = time.monotonic()
                self._run(job)
                log.info("job %s done in %.1f s", job.key, time.monotonic() - started)
        except LaneBusy:
            log.debug("job %s waits: its lane is busy", job.key)
            raise

    def _run(self, job: Job) -> None:
        app, now = self.app, self.clock()
        if job.kind == "sla":
            actions = app.check_sla(now)
            if actions:
                told = ", ".join(f"alert #{a.alert_id} {a.kind} -> {a.recipient}" for a in actions)
                log.info("SLA: %s", told)
                self._queue_delivery()
            return
        if job.kind == "deliver":
            outbox = app.deliver(now)
            if outbox.sent or outbox.failed:
                log.info("outbox: %d sent, %d failed, %d queued", outbox.sent, outbox.failed, outbox.pending)
            return
        if job.kind == "digest":
            app.send_due_digest(now)
            return
        if job.kind == "prune":
            pruned = app.prune(now)
            said = f"deleted {', '.join(pruned)}" if pruned else "nothing old enough to delete"
            log.info("retention: %s", said)
            return
        assert job.kind in SOURCE_KINDS
        source = next((s for s in app.config.sources if s.key == job.source and s.enabled), None)
        if source is None or (job.kind == "crawl" and job.board not in source.boards):
            log.warning("job %s names a source or board no longer configured; skipped", job.key)
            return
        report = self._on_loop(self._read_forum(job, now))
        if report.pages_fetched or report.pages_failed:
            log.info(
                "%s: %d pages (%d failed), %d new posts, %d alert changes",
                job.key,
                report.pages_fetched,
                report.pages_failed,
                report.posts_new,
                len(report.alert_changes),
            )
        if report.alert_changes:
            self._queue_delivery()
        time.sleep(self._pause(source.min_interval_seconds))

    async def _read_forum(self, job: Job, now: datetime) -> PassReport:
        pipeline = self._pipeline
        assert pipeline is not None
        state = self.coordination.load_plan(job.source)
        if state is not None:
            pipeline.plan.import_source(job.source, state)
        try:
            if job.kind == "crawl":
                source = next(s for s in self.app.config.sources if s.key == job.source)
                return await pipeline.crawl_board(source, job.board, now)
            if job.kind == "hot_boards":
                return await pipeline.crawl_hot_boards(now, job.source)
            return await pipeline.refresh_hot(now, job.source)
        finally:
            self.coordination.save_plan(job.source, pipeline.plan.export_source(job.source))

    def _queue_delivery(self) -> None:
        job = Job("deliver")
        if self.coordination.mark_queued(job):
            self.queue(job)

    def _pause(self, source_interval: float | None) -> float:
        if source_interval is not None:
            return source_interval
        return self.app.config.settings.fetch.per_host_delay_seconds

    def _on_loop(self, work: Coroutine[Any, Any, PassReport]) -> PassReport:
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        return future.result(timeout=self.coordination.job_timeout_seconds)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._hold_pipeline())
        self._loop.close()

    async def _hold_pipeline(self) -> None:
        self._stopping = asyncio.Event()
        async with self.app.pipeline() as pipeline:
            self._pipeline = pipeline
            self._ready.set()
            await self._stopping.wait()


@dataclass
class RunningWorker:
    """A worker process's parts, started; :meth:`stop` lets running jobs finish, then closes."""

    runtime: WorkerRuntime
    worker: Worker
    broker: RedisBroker
    timeout_ms: int

    def stop(self) -> None:
        self.runtime.app.stopping.set()  # a send in progress ends; no other message is started
        self.worker.stop(timeout=self.timeout_ms)
        self.broker.close()
        self.runtime.stop()
        self.runtime.app.close()


def start_worker(config: MonitorConfig, threads: int, clock: Clock = _utcnow) -> RunningWorker:
    """Connect to the broker, build the app and its pipeline, and start ``threads`` job threads."""
    coordination, broker = connect(config.settings.distributed)
    timeout_ms = int(config.settings.distributed.job_timeout_minutes * 60_000)
    # Workers starting together must not migrate the shared database at the same time.
    with coordination.client.lock(coordination.key("migrate"), timeout=600, blocking_timeout=600):
        app = build(config)
    holder: list[WorkerRuntime] = []
    actor = job_actor(broker, lambda *job: holder[0].run(*job), timeout_ms)
    runtime = WorkerRuntime(app, coordination, lambda job: send(actor, job), clock).start()
    holder.append(runtime)
    worker = make_worker(broker, threads)
    worker.start()
    return RunningWorker(runtime, worker, broker, timeout_ms)
