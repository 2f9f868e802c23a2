"""``monitor run`` with a broker: schedule the jobs for the workers, while this scheduler leads.

The same intervals as the single-process scheduler (:func:`monitor.distributed.jobs.schedule_of`);
when a job is due it is sent unless the same job is still queued. Only the scheduler holding
the lease (:class:`~monitor.distributed.leader.Lease`) sends: the others keep their jobs paused
and try for the lease every third of ``leader_seconds``.

While it leads it also watches the jobs it sent: one that no worker has started within
:data:`WAITING_WARN_SECONDS` means no worker is running, or none reaches Redis, or all are stuck —
nothing is crawled meanwhile — so it logs a warning once, naming the job, and says when workers take
jobs again (:func:`watch_backlog`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.exceptions import RedisError

from monitor.config.loader import MonitorConfig
from monitor.distributed.coordination import Coordination, masked
from monitor.distributed.jobs import Job, schedule_of
from monitor.distributed.leader import Lease

log = logging.getLogger(__name__)

WAITING_WARN_SECONDS = 300.0  # a job sent this long ago and not started: no worker is taking jobs


def enqueue(coordination: Coordination, send: Callable[[Job], None], job: Job) -> bool:
    """Send ``job`` unless it is still queued; True when sent."""
    if not coordination.mark_queued(job):
        log.debug("job %s still queued; not sent again", job.key)
        return False
    try:
        send(job)
    except Exception:
        coordination.clear_queued(job)  # not sent: the next run may try again
        raise
    return True


def watch_backlog(coordination: Coordination, now: float, warned: bool, broker_url: str) -> bool:
    """Warn (once) when a job sent has waited :data:`WAITING_WARN_SECONDS` for a worker; say when
    none waits that long any more. Returns whether the warning stands."""
    waiting = coordination.waiting(now)
    late = [(age, key) for age, key in waiting if age >= WAITING_WARN_SECONDS]
    if late and not warned:
        age, key = late[0]
        log.warning(
            "%d job%s sent and not started by any worker for %d min or more (the longest: %s, %d min): "
            "is `monitor worker` running, does it reach Redis at %s, and are its threads not all busy?",
            len(late),
            "" if len(late) == 1 else "s",
            WAITING_WARN_SECONDS // 60,
            key,
            age // 60,
            masked(broker_url),
        )
        return True
    if warned and not late:
        log.info(
            "workers take jobs again: %d queued, none waiting %d min",
            len(waiting),
            WAITING_WARN_SECONDS // 60,
        )
        return False
    return warned


def add_jobs(
    scheduler: AsyncIOScheduler,
    config: MonitorConfig,
    coordination: Coordination,
    send: Callable[[Job], None],
) -> None:
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 60}
    for planned in schedule_of(config):
        # Only a job due at once names its first run: `next_run_time=None` would add it paused, for
        # good (the SLA clocks and hot refreshes never ran on workers), not "after one interval".
        first = {"next_run_time": datetime.now(UTC)} if planned.at_start else {}
        scheduler.add_job(
            enqueue,
            "interval",
            args=[coordination, send, planned.job],
            minutes=planned.minutes,
            jitter=planned.jitter_seconds or None,
            id=planned.job.key,
            **first,
            **common,
        )


async def run_scheduler(
    config: MonitorConfig,
    coordination: Coordination,
    send: Callable[[Job], None],
    stop: asyncio.Event | None = None,
    on_change: Callable[[bool, str | None], None] | None = None,
) -> None:
    """Schedule until SIGINT/SIGTERM (or ``stop``); ``on_change(leading, holder)`` hears every change
    of lead, with who leads instead (``nobody (Redis does not answer)`` during an outage)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    installed = threading_main()
    if installed:
        for signum in signals:
            loop.add_signal_handler(signum, stop.set)
    settings = config.settings.distributed
    lease = Lease(coordination.client, coordination.key("scheduler"), settings.leader_seconds)
    scheduler = AsyncIOScheduler(timezone=config.settings.general.timezone)
    add_jobs(scheduler, config, coordination, send)
    scheduler.start(paused=True)
    leading, unreachable, first, backlog = False, False, True, False
    try:
        while not stop.is_set():
            try:
                now_leading = await asyncio.to_thread(lease.keep)
                if now_leading:
                    backlog = await asyncio.to_thread(
                        watch_backlog, coordination, time.time(), backlog, settings.broker_url
                    )
                asked = not now_leading and (leading or first)
                holder = await asyncio.to_thread(lease.holder) if asked else None
                if unreachable:
                    log.warning("Redis answers again at %s", masked(settings.broker_url))
                unreachable = False
            except RedisError as exc:  # stand by and try again: never die with the broker's outage
                now_leading, holder = False, "nobody (Redis does not answer)"
                if not unreachable:
                    log.warning(
                        "Redis at %s does not answer (%s); standing by until it does",
                        masked(settings.broker_url),
                        exc,
                    )
                unreachable = True
            if first and not now_leading:  # a standby says so at its start, or nothing would
                log.info("scheduler standing by: %s leads", holder or "another scheduler")
                if on_change is not None:
                    on_change(False, holder)
            first = False
            if now_leading != leading:
                leading = now_leading
                if leading:
                    scheduler.resume()
                    log.info("scheduler leads: %d jobs", len(scheduler.get_jobs()))
                else:
                    scheduler.pause()
                    log.warning("scheduler lost the lead to %s; standing by", holder)
                if on_change is not None:
                    on_change(leading, holder)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.leader_seconds / 3)
    finally:
        log.info("scheduler stopping: no more jobs are sent%s", "; the lead is let go" if leading else "")
        scheduler.shutdown(wait=False)
        lease.release()
        if installed:
            for signum in signals:
                loop.remove_signal_handler(signum)


def threading_main() -> bool:
    """Signal handlers can only be set from the main thread (tests run schedulers in others)."""
    import threading

    return threading.current_thread() is threading.main_thread()
