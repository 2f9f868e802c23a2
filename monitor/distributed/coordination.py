"""What the scheduler and the workers share in Redis: queued markers, lanes, crawl plans.

Keys, all under ``{namespace}:``:

* ``queued:{job key}`` — set (with an expiry) when the job is sent, to the time it was sent,
  cleared when a worker starts it: while it is set the scheduler does not send the job again, and
  one set for long says no worker is taking jobs (:meth:`Coordination.waiting`);
* ``lane:{lane}`` — a lease (:class:`~monitor.distributed.leader.Lease`) held by the worker
  running a job of the lane, renewed every few seconds while the job runs: one job of a lane at
  a time, and a worker killed mid-job (out of memory, the machine lost) frees it within
  :data:`LANE_LEASE_SECONDS`, not at the end of the job timeout;
* ``plan:{source}`` — the source's crawl plan (JSON), saved after every job of its lane.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dramatiq.errors import RateLimitExceeded

from monitor.distributed.jobs import Job
from monitor.distributed.leader import Lease

if TYPE_CHECKING:
    from redis import Redis


LANE_WAIT_SECONDS = 10.0  # how long a job waits for its lane before Dramatiq retries it later
LANE_LEASE_SECONDS = 30.0  # a killed worker's lane is free again this long after its last renewal
LANE_POLL_SECONDS = 0.1
_SENT_SINCE = 1_000_000_000.0  # a queued marker's time of sending is after 2001


log = logging.getLogger(__name__)


class LaneBusy(RateLimitExceeded):
    """Another worker is running a job of this lane; Dramatiq retries the job a little later."""


class Coordination:
    def __init__(
        self,
        client: Redis,
        namespace: str,
        job_timeout_seconds: float,
        lane_lease_seconds: float = 0.0,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.job_timeout_seconds = job_timeout_seconds
        self.lane_lease_seconds = lane_lease_seconds or LANE_LEASE_SECONDS

    def key(self, *parts: str) -> str:
        return ":".join((self.namespace, *parts))

    def mark_queued(self, job: Job) -> bool:
        """True when the job was not queued already (the caller sends it); False otherwise."""
        ttl = max(1, int(self.job_timeout_seconds * 2))  # a lost message does not block it for ever
        sent = f"{time.time():.3f}"
        return bool(self.client.set(self.key("queued", job.key), sent, nx=True, ex=ttl))

    def clear_queued(self, job: Job) -> None:
        self.client.delete(self.key("queued", job.key))

    def is_queued(self, job: Job) -> bool:
        return bool(self.client.exists(self.key("queued", job.key)))

    def waiting(self, now: float) -> list[tuple[float, str]]:
        """Jobs sent and not started yet: ``(seconds since sent, job key)``, the longest waiting first."""
        prefix = self.key("queued", "")
        keys = [
            k.decode() if isinstance(k, bytes) else str(k) for k in self.client.scan_iter(match=f"{prefix}*")
        ]
        if not keys:
            return []
        found: list[tuple[float, str]] = []
        for key, sent in zip(keys, self.client.mget(keys), strict=True):
            if sent is None:  # started (cleared) meanwhile
                continue
            try:
                when = float(sent)
            except ValueError:
                continue
            if when > _SENT_SINCE:  # not an older release's marker, "1", which has no time
                found.append((now - when, key[len(prefix) :]))
        return sorted(found, reverse=True)

    @contextmanager
    def lane(self, job: Job, wait: float = LANE_WAIT_SECONDS) -> Iterator[None]:
        """Hold the job's lane for the block, renewing its lease meanwhile. If another worker holds
        it, try again every :data:`LANE_POLL_SECONDS` for ``wait`` seconds (a forum's next board is
        usually read right after the last), then raise :class:`LaneBusy` (Dramatiq retries the job
        later)."""
        lease = Lease(self.client, self.key("lane", job.lane), self.lane_lease_seconds)
        deadline = time.monotonic() + wait
        while not lease.keep():
            if time.monotonic() >= deadline:
                raise LaneBusy(f"lane {job.lane} is busy")  # type: ignore[no-untyped-call]
            time.sleep(LANE_POLL_SECONDS)
        done = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(lease, job, done), daemon=True)
        renewer.start()
        try:
            yield
        finally:
            done.set()
            renewer.join()
            lease.release()

    def _renew(self, lease: Lease, job: Job, done: threading.Event) -> None:
        """Keep the lane's lease while the job runs; a renewal Redis does not answer is tried again."""
        from redis.exceptions import RedisError

        while not done.wait(self.lane_lease_seconds / 3):
            try:
                if not lease.keep():  # it expired meanwhile and another worker took it
                    log.warning("lane %s was taken by another worker while %s ran", job.lane, job.key)
                    return
            except RedisError as exc:
                log.warning("lane %s could not be renewed: %s", job.lane, exc)

    def load_plan(self, source: str) -> dict[str, Any] | None:
        raw = self.client.get(self.key("plan", source))
        if raw is None:
            return None
        try:
            state = json.loads(raw)
        except ValueError:
            return None
        return state if isinstance(state, dict) else None

    def save_plan(self, source: str, state: dict[str, object]) -> None:
        self.client.set(self.key("plan", source), json.dumps(state, ensure_ascii=False))


def redis_client(url: str) -> Redis:
    from redis import Redis

    return Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30)


def masked(url: str) -> str:
    """The broker URL without its password, for logs and messages."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at:
        return url
    user = credentials.partition(":")[0]
    return f"{scheme}://{user + ':' if user else ':'}****@{host}"
