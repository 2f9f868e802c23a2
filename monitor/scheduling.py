"""Recurring jobs under APScheduler, in one asyncio loop with one HTTP client.

One job per source/board (with jitter, so boards don't all poll at once), one that reads hot
boards' lists more often, one for hot threads, one for the SLA clocks (every minute), one that
retries queued deliveries, one that sends the weekly digest when it is due, and one that prunes
what ``[retention]`` says is old enough, daily at 04:00 local time. A job
never runs twice at once (``max_instances=1``), and runs missed while busy are coalesced.
Sending (SMTP, chat) and the SLA and digest jobs run in worker threads (:func:`asyncio.to_thread`),
and a crawl or the SLA clocks start the sending of what they queued without waiting for it, so a
mail server that hangs up to its timeout holds up only the sending, never a crawl: each
delivery is claimed in the database before it is sent (:mod:`monitor.alerting.outbox`), so two
sends running side by side never send the same message.
SIGINT/SIGTERM stop the scheduler: no job starts again, no new message is sent, running jobs
get :data:`STOP_GRACE_SECONDS` to end; a crawl still running then is stopped between two writes
(each write is its own transaction) and says so in the log — no error — and the process closes.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import ParamSpec

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.app import App
from monitor.config.files import SourceConfig
from monitor.config.on_disk import ConfigWatch
from monitor.digest.wording import counted
from monitor.pipeline import PassReport, Pipeline
from monitor.store.outage import DatabaseOutage, database_unreachable

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
STOP_GRACE_SECONDS = 20.0  # what running jobs get to end at a stop before they are cancelled
P = ParamSpec("P")


DATABASE = DatabaseOutage()  # the database going away and coming back, said once each


def _stops_quietly(
    job: Callable[P, Awaitable[None]], *, always_asks_database: bool = False
) -> Callable[P, Awaitable[None]]:
    """``job``, cancelled at a stop, ends with a log line instead of an error and its traceback
    (APScheduler cancels the jobs still running when it shuts down); one the database failed
    (down, unreachable) ends too, the outage said once for all jobs (:mod:`monitor.store.outage`).
    Only a job that ``always_asks_database`` (the SLA clocks, every minute) says it is back: another
    may end well without having asked it anything."""

    @functools.wraps(job)
    async def run(*args: P.args, **kwargs: P.kwargs) -> None:
        name = job.__name__.replace("_", " ")
        try:
            await job(*args, **kwargs)
        except asyncio.CancelledError:
            log.info("%s stopped by the shutdown", name)
        except Exception as exc:
            if not database_unreachable(exc):
                raise
            DATABASE.failed(name, exc)
        else:
            if always_asks_database:
                DATABASE.answered()

    return run


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _log_report(what: str, report: PassReport) -> None:
    log.info(
        "%s: %d pages (%d failed), %d threads, %d new posts, %d alert changes",
        what,
        report.pages_fetched,
        report.pages_failed,
        report.threads_seen,
        report.posts_new,
        len(report.alert_changes),
    )


async def board_job(app: App, pipeline: Pipeline, source: SourceConfig, board: str, clock: Clock) -> None:
    report = await pipeline.crawl_board(source, board, clock())
    _log_report(f"crawled {source.key} board {board}", report)
    if report.alert_changes:
        _deliver_soon(app, clock)


_sending: set[asyncio.Task[object]] = set()  # deliveries started by a crawl, until they end


def _deliver_soon(app: App, clock: Clock) -> None:
    """Send what a crawl just queued, in a worker thread, without holding up the crawl's job: a mail
    server that hangs must not keep that board's next poll from running (the job would be skipped)."""
    sending = asyncio.to_thread(app.deliver, clock())
    task: asyncio.Task[object] = asyncio.get_running_loop().create_task(sending)
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def hot_job(app: App, pipeline: Pipeline, clock: Clock) -> None:
    _after_extra_read(app, "hot threads refreshed", await pipeline.refresh_hot(clock()), clock)


async def hot_boards_job(app: App, pipeline: Pipeline, clock: Clock) -> None:
    _after_extra_read(app, "hot boards crawled", await pipeline.crawl_hot_boards(clock()), clock)


def _after_extra_read(app: App, what: str, report: PassReport, clock: Clock) -> None:
    """Log a between-polls read only when it read something; send what it changed at once."""
    if report.pages_fetched or report.pages_failed:
        _log_report(what, report)
    if report.alert_changes:
        _deliver_soon(app, clock)


async def sla_job(app: App, clock: Clock) -> None:
    """Acknowledgement, first-contact and progress clocks; whatever they queue is sent at once."""
    actions = await asyncio.to_thread(app.check_sla, clock())
    if actions:
        log.info("SLA: %s", ", ".join(f"alert #{a.alert_id} {a.kind} -> {a.recipient}" for a in actions))
        _deliver_soon(app, clock)


async def digest_job(app: App, clock: Clock) -> None:
    """The weekly digest: composed once its slot has come, sent (and retried) until it is sent."""
    await asyncio.to_thread(app.send_due_digest, clock())


async def prune_job(app: App, clock: Clock) -> None:
    """Delete old snapshots, health events, deliveries… as ``[retention]`` says (a batch at a time)."""
    pruned = await asyncio.to_thread(app.prune, clock())
    log.info("retention: %s", f"deleted {', '.join(pruned)}" if pruned else "nothing old enough to delete")


async def delivery_job(app: App, clock: Clock) -> None:
    outbox = await asyncio.to_thread(app.deliver, clock())
    if outbox.sent or outbox.failed:
        log.info("outbox: %d sent, %d failed, %d queued", outbox.sent, outbox.failed, outbox.pending)


def add_jobs(scheduler: AsyncIOScheduler, app: App, pipeline: Pipeline, clock: Clock = _utcnow) -> None:
    schedule = app.config.settings.schedule
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 60}
    for source in app.config.sources:
        if not source.enabled:
            continue
        for board in source.boards:
            scheduler.add_job(
                _stops_quietly(board_job),
                "interval",
                args=[app, pipeline, source, board, clock],
                minutes=schedule.crawl_interval_minutes,
                jitter=schedule.jitter_seconds or None,
                id=f"crawl:{source.key}:{board}",
                next_run_time=datetime.now(UTC),
                **common,
            )
    scheduler.add_job(
        _stops_quietly(hot_boards_job),
        "interval",
        args=[app, pipeline, clock],
        minutes=schedule.hot_board_minutes,
        id="hot-boards",
        **common,
    )
    scheduler.add_job(
        _stops_quietly(hot_job),
        "interval",
        args=[app, pipeline, clock],
        minutes=schedule.hot_refresh_minutes,
        id="hot",
        **common,
    )
    sla = _stops_quietly(sla_job, always_asks_database=True)
    scheduler.add_job(sla, "interval", args=[app, clock], minutes=1, id="sla", **common)
    if app.config.settings.digest.enabled and app.config.settings.smtp.enabled:
        scheduler.add_job(
            _stops_quietly(digest_job),
            "interval",
            args=[app, clock],
            minutes=schedule.delivery_retry_minutes,
            id="digest",
            next_run_time=datetime.now(UTC),
            **common,
        )
    # at 04:00, or as soon as it can within 6 h of it (the loop was busy, the machine asleep)
    daily = common | {"misfire_grace_time": 6 * 3600}
    scheduler.add_job(
        _stops_quietly(prune_job), "cron", args=[app, clock], hour=4, minute=0, id="prune", **daily
    )
    scheduler.add_job(
        _stops_quietly(delivery_job),
        "interval",
        args=[app, clock],
        minutes=schedule.delivery_retry_minutes,
        id="deliver",
        next_run_time=datetime.now(UTC),
        **common,
    )


async def run_until_stopped(app: App, stop: asyncio.Event | None = None) -> None:
    """Run every job until SIGINT/SIGTERM (or ``stop`` is set), then shut down cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with app.pipeline() as pipeline:
        scheduler = AsyncIOScheduler(timezone=app.config.settings.general.timezone)
        add_jobs(scheduler, app, pipeline)
        watch = ConfigWatch(app.config.directory)
        scheduler.add_job(
            asyncio.to_thread, "interval", args=[watch.check], minutes=1, id="config-watch", max_instances=1
        )
        scheduler.start()
        for line in _starting(app, len(scheduler.get_jobs())):
            log.info(line)
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            app.stopping.set()  # a send in progress ends; no other message is started
            scheduler.pause()  # no job starts again
            await _wait_for_running_jobs(STOP_GRACE_SECONDS)
            scheduler.shutdown(wait=False)  # cancels the jobs still running
            await _wait_for_running_jobs()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)


def _starting(app: App, jobs: int) -> list[str]:
    """What the log says at start: where the config and the data are, what is watched, how it sends."""
    config = app.config
    settings = config.settings
    forums = [f"{s.key} ({counted(len(s.boards), 'board', 'boards')})" for s in config.sources if s.enabled]
    smtp = settings.smtp
    email = f"email via {smtp.host}:{smtp.port} as {smtp.sender}" if smtp.enabled else "email off"
    chat = f", {len(config.chat_targets)} chat targets" if config.chat_targets else ""
    return [
        f"monitor running: {jobs} jobs; config {config.directory}; "
        f"database {app.engine.url.render_as_string(hide_password=True)}",
        f"watching {', '.join(forums) or 'no forum'} for {len(config.watch_groups)} watch groups; "
        f"crawl every {settings.schedule.crawl_interval_minutes:g} min; {email}{chat}; "
        f"{len(config.routing.spokespeople)} spokespeople",
    ]


async def _wait_for_running_jobs(timeout: float = 60.0) -> None:
    """Let job coroutines still in flight finish (their writes are whole transactions)."""
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    if pending:
        await asyncio.wait(pending, timeout=timeout)
