"""Recurring jobs under APScheduler: crawl passes and retries of queued deliveries.

Both jobs call the same functions as ``monitor crawl --once``. Jobs never overlap
(``max_instances=1``) and a pass that overran is coalesced, not run twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler

from monitor.app import App

log = logging.getLogger(__name__)


def crawl_job(app: App, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
    """One crawl pass followed by delivery of whatever it queued."""
    now = clock()
    report = asyncio.run(app.pipeline.crawl_pass(now))
    outbox = app.pipeline.deliver(app.channels, clock())
    log.info(
        "crawl pass done: %d pages (%d failed), %d threads, %d new posts, %d alert changes; "
        "%d sent, %d queued",
        report.pages_fetched,
        report.pages_failed,
        report.threads_seen,
        report.posts_new,
        len(report.alert_changes),
        outbox.sent,
        outbox.pending,
    )


def delivery_job(app: App, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
    """Retry deliveries still queued because a channel was down."""
    outbox = app.pipeline.deliver(app.channels, clock())
    if outbox.sent or outbox.failed:
        log.info("outbox: %d sent, %d failed, %d queued", outbox.sent, outbox.failed, outbox.pending)


def make_scheduler(app: App) -> BlockingScheduler:
    schedule = app.config.settings.schedule
    scheduler = BlockingScheduler(timezone=app.config.settings.general.timezone)
    scheduler.add_job(
        crawl_job,
        "interval",
        args=[app],
        minutes=schedule.crawl_interval_minutes,
        id="crawl",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        delivery_job,
        "interval",
        args=[app],
        minutes=schedule.delivery_retry_minutes,
        id="deliver",
        max_instances=1,
        coalesce=True,
    )
    return scheduler


def run_forever(app: App) -> None:
    """Run the jobs until Ctrl-C / SIGTERM."""
    scheduler = make_scheduler(app)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping")
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
