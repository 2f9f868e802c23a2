"""The sign-in email throttle shared by every ``monitor web`` process through Redis, when a broker
is configured.

Without it each web process keeps its own throttle (:mod:`monitor.web.session`), so behind a
load balancer a person could be sent one sign-in email a minute per process. With
``[distributed] broker_url`` set, ``{namespace}:signin:throttle:{key}`` is set (NX) for a minute
when a sign-in email is sent. (Spent sign-in links are in the database:
:mod:`monitor.web.signin_store`.)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.config.settings import DistributedSettings
from monitor.distributed.coordination import masked, redis_client
from monitor.errors import MonitorError

if TYPE_CHECKING:
    from redis import Redis


class RedisThrottle:
    def __init__(self, client: Redis, namespace: str, every: timedelta) -> None:
        self.client = client
        self.prefix = f"{namespace}:signin:throttle:"
        self.every = every

    def allow(self, key: str, now: datetime) -> bool:
        """True when no web process has sent ``key`` a sign-in email within ``every``."""
        ttl = max(1, int(self.every.total_seconds() * 1000))
        return bool(self.client.set(self.prefix + key, "1", nx=True, px=ttl))


def shared_signin_throttle(settings: DistributedSettings, every: timedelta) -> RedisThrottle:
    """The throttle on the configured Redis; a clear error at start if it does not answer."""
    from redis.exceptions import RedisError

    client = redis_client(settings.broker_url)
    try:
        client.ping()
    except RedisError as exc:
        raise MonitorError(f"Redis at {masked(settings.broker_url)} does not answer: {exc}") from None
    return RedisThrottle(client, settings.namespace, every)
