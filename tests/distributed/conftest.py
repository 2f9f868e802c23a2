"""A real Redis for the distributed tests: ``$MONITOR_TEST_REDIS_URL`` or redis://127.0.0.1:6379/15.

Each test gets its own namespace (every key the monitor and Dramatiq write is under it) and
loses its keys afterwards. Without a Redis server the tests skip, saying so; in CI they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

REDIS_URL = os.environ.get("MONITOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def redis_url() -> str:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError as exc:
        reason = f"no Redis server at {REDIS_URL} ({exc}); set MONITOR_TEST_REDIS_URL"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def namespace(redis_url: str) -> Iterator[str]:
    from redis import Redis

    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    client = Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()
