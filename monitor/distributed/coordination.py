"""What the scheduler and the workers share in Redis: queued markers, lanes, crawl plans.

Keys, all under ``{namespace}:``:

* ``queued:{job key}`` — set (with an expiry) when the job is sent, cleared when a worker
  starts it: while it is set the scheduler does not send the job again;
* ``lane:{lane}`` — a Dramatiq concurrent rate limiter of limit 1: one job of a lane at a time;
* ``plan:{source}`` — the source's crawl plan (JSON), saved after every job of its lane.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dramatiq.errors import RateLimitExceeded

from monitor.distributed.jobs import Job

if TYPE_CHECKING:
    from redis import Redis


LANE_WAIT_SECONDS = 10.0  # how long a job waits for its lane before Dramatiq retries it later
LANE_POLL_SECONDS = 0.1


class LaneBusy(RateLimitExceeded):
    """Another worker is running a job of this lane; Dramatiq retries the job a little later."""


class Coordination:
    def __init__(self, client: Redis, namespace: str, job_timeout_seconds: float) -> None:
        from dramatiq.rate_limits.backends import RedisBackend

        self.client = client
        self.namespace = namespace
        self.job_timeout_seconds = job_timeout_seconds
        self._backend = RedisBackend(client=client)

    def key(self, *parts: str) -> str:
        return ":".join((self.namespace, *parts))

    def mark_queued(self, job: Job) -> bool:
        """True when the job was not queued already (the caller sends it); False otherwise."""
        ttl = max(1, int(self.job_timeout_seconds * 2))  # a lost message does not block it for ever
        return bool(self.client.set(self.key("queued", job.key), "1", nx=True, ex=ttl))

    def clear_queued(self, job: Job) -> None:
        self.client.delete(self.key("queued", job.key))

    def is_queued(self, job: Job) -> bool:
        return bool(self.client.exists(self.key("queued", job.key)))

    @contextmanager
    def lane(self, job: Job, wait: float = LANE_WAIT_SECONDS) -> Iterator[None]:
        """Hold the job's lane for the block. If another worker holds it, try again every
        :data:`LANE_POLL_SECONDS` for ``wait`` seconds (a forum's next board is usually read
        right after the last), then raise :class:`LaneBusy` (Dramatiq retries the job later)."""
        from dramatiq.rate_limits import ConcurrentRateLimiter

        limiter = ConcurrentRateLimiter(  # type: ignore[no-untyped-call]
            self._backend, self.key("lane", job.lane), limit=1, ttl=int(self.job_timeout_seconds * 1000)
        )
        deadline = time.monotonic() + wait
        while True:
            with limiter.acquire(raise_on_failure=False) as acquired:
                if acquired:
                    yield
                    return
            if time.monotonic() >= deadline:
                raise LaneBusy(f"lane {job.lane} is busy")  # type: ignore[no-untyped-call]
            time.sleep(LANE_POLL_SECONDS)

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
