"""Sign-in state shared by every ``monitor web`` process through Redis, when a broker is configured.

Without it each web process keeps its own spent sign-in links and its own email throttle
(:mod:`monitor.web.session`), so behind a load balancer a link could be used once per process.
With ``[distributed] broker_url`` set, the web processes share both:

* ``{namespace}:signin:nonce:{nonce}`` — set (NX) when a sign-in link is used, until it would
  have expired anyway;
* ``{namespace}:signin:throttle:{key}`` — set (NX) for a minute when a sign-in email is sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.config.settings import DistributedSettings
from monitor.distributed.coordination import masked, redis_client
from monitor.errors import MonitorError
from monitor.web.session import SignIn

if TYPE_CHECKING:
    from redis import Redis


class RedisNonces:
    def __init__(self, client: Redis, namespace: str) -> None:
        self.client = client
        self.prefix = f"{namespace}:signin:nonce:"

    def spend(self, signin: SignIn, now: datetime) -> bool:
        """True the first time a link is used, by any web process; False after."""
        ttl = max(1, int((signin.expires_at - now).total_seconds() * 1000))
        return bool(self.client.set(self.prefix + signin.nonce, "1", nx=True, px=ttl))


class RedisThrottle:
    def __init__(self, client: Redis, namespace: str, every: timedelta) -> None:
        self.client = client
        self.prefix = f"{namespace}:signin:throttle:"
        self.every = every

    def allow(self, key: str, now: datetime) -> bool:
        """True when no web process has sent ``key`` a sign-in email within ``every``."""
        ttl = max(1, int(self.every.total_seconds() * 1000))
        return bool(self.client.set(self.prefix + key, "1", nx=True, px=ttl))


def shared_signin_state(settings: DistributedSettings, every: timedelta) -> tuple[RedisNonces, RedisThrottle]:
    """Both stores on the configured Redis; a clear error at start if it does not answer."""
    from redis.exceptions import RedisError

    client = redis_client(settings.broker_url)
    try:
        client.ping()
    except RedisError as exc:
        raise MonitorError(f"Redis at {masked(settings.broker_url)} does not answer: {exc}") from None
    return RedisNonces(client, settings.namespace), RedisThrottle(client, settings.namespace, every)
