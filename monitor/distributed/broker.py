"""The Dramatiq broker over Redis and the one actor every job travels through."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from monitor.config.settings import DistributedSettings
from monitor.distributed.coordination import Coordination, LaneBusy, masked, redis_client
from monitor.distributed.jobs import Job
from monitor.errors import MonitorError

if TYPE_CHECKING:
    from dramatiq import Actor, Worker
    from dramatiq.brokers.redis import RedisBroker
    from redis import Redis

ACTOR = "monitor_job"
QUEUE = "jobs"
RETRY_MIN_MS = 2_000  # a job is tried again after 2 s, 4 s, … at most 60 s
RETRY_MAX_MS = 60_000
BUSY_RETRIES = 60  # its lane was busy: another worker runs the source's (or the outbox's) job
FAILED_RETRIES = 3  # it failed (the database away, say): the next scheduled run will try again anyway
# A worker that dies (SIGKILL, out of memory) leaves the messages it had taken unacknowledged;
# Dramatiq gives them back once the worker's heartbeat is HEARTBEAT_TIMEOUT_MS old, in the
# "maintenance" a live worker runs on that chance in a million of its broker commands. Dramatiq's
# default, 1,000 (0.1 %), left a dead worker's crawl of a board waiting 14.6 min in a
# walkthrough (and its queued marker kept the scheduler from sending it again); at 10 % an idle
# worker, which asks the broker about twice a second, runs it every few seconds. It costs two
# sorted-set lookups when no worker is dead.
MAINTENANCE_CHANCE = 100_000
HEARTBEAT_TIMEOUT_MS = 60_000  # Dramatiq's default


def retry_when(retries: int, exception: Exception) -> bool:
    """Retry a job whose lane is busy for a good while; one that failed only a few times."""
    return retries < (BUSY_RETRIES if isinstance(exception, LaneBusy) else FAILED_RETRIES)


def make_broker(
    settings: DistributedSettings, client: Redis, heartbeat_timeout_ms: int = HEARTBEAT_TIMEOUT_MS
) -> RedisBroker:
    from dramatiq.brokers.redis import RedisBroker

    # Dramatiq's queues live under the installation's namespace, beside the monitor's own keys.
    return RedisBroker(  # type: ignore[no-untyped-call]
        client=client,
        namespace=f"{settings.namespace}:dramatiq",
        maintenance_chance=MAINTENANCE_CHANCE,
        heartbeat_timeout=heartbeat_timeout_ms,
    )


def make_worker(broker: RedisBroker, threads: int) -> Worker:
    """A Dramatiq worker that takes no more messages than it has threads to run them.

    Dramatiq's default takes twice as many: a worker whose threads are all busy with long crawls
    would hold a board's next crawl back from an idle worker, and lose it if it died.
    """
    from dramatiq import Worker

    worker = Worker(broker, queues={QUEUE}, worker_threads=threads)
    worker.queue_prefetch = threads
    return worker


def job_actor(broker: RedisBroker, run: Callable[[str, str, str], None], timeout_ms: int) -> Actor[..., None]:
    """The actor on ``broker`` that hands each message's job to ``run`` (the scheduler's never runs)."""
    import dramatiq

    declare = dramatiq.actor(
        broker=broker,
        actor_name=ACTOR,
        queue_name=QUEUE,
        retry_when=retry_when,
        min_backoff=RETRY_MIN_MS,
        max_backoff=RETRY_MAX_MS,
        time_limit=timeout_ms,
    )
    return declare(run)


def send(actor: Actor[..., None], job: Job) -> None:
    actor.send(*job.as_args())


def connect(settings: DistributedSettings) -> tuple[Coordination, RedisBroker]:
    """Reach Redis (an error now, not at the first job, if it does not answer) and make the broker."""
    from redis.exceptions import RedisError

    client = redis_client(settings.broker_url)
    try:
        client.ping()
    except RedisError as exc:
        raise MonitorError(
            f"Redis at {masked(settings.broker_url)} does not answer: {exc} "
            "(the broker is [distributed] broker_url in monitor.toml, or $MONITOR_BROKER_URL)"
        ) from None
    coordination = Coordination(client, settings.namespace, settings.job_timeout_minutes * 60)
    return coordination, make_broker(settings, client)


Sender = Callable[[Job], None]


def scheduler_sender(settings: DistributedSettings) -> tuple[Coordination, RedisBroker, Sender]:
    """What a scheduler needs: the coordination, the broker (to close) and a way to send a job."""
    coordination, broker = connect(settings)
    actor = job_actor(broker, _never_here, int(settings.job_timeout_minutes * 60_000))
    return coordination, broker, lambda job: send(actor, job)


def _never_here(kind: str, source: str = "", board: str = "") -> None:
    raise RuntimeError("a scheduler does not run jobs")
