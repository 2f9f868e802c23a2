"""One leading scheduler at a time: a lease in Redis, taken with SET NX and renewed by its holder."""

from __future__ import annotations

import contextlib
import secrets
import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis import Redis

# Renew or release only a lease we still hold (another scheduler may hold it since ours expired).
_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return "
_RENEW = _OURS + "redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = _OURS + "redis.call('del', KEYS[1]) end return 0"


class Lease:
    def __init__(self, client: Redis, key: str, seconds: float) -> None:
        self.client = client
        self.key = key
        self.millis = int(seconds * 1000)
        self.token = f"{socket.gethostname()}:{secrets.token_hex(8)}"
        self.held = False

    def keep(self) -> bool:
        """Take the lease if it is free, renew it if it is ours; True while we lead.

        Raises :class:`redis.exceptions.RedisError` when Redis does not answer, having let go of
        the lead: a scheduler that cannot renew must not go on sending as if it still held it.
        """
        from redis.exceptions import RedisError

        try:
            if self.held:
                self.held = bool(self.client.eval(_RENEW, 1, self.key, self.token, self.millis))
            if not self.held:
                self.held = bool(self.client.set(self.key, self.token, nx=True, px=self.millis))
        except RedisError:
            self.held = False
            raise
        return self.held

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def release(self) -> None:
        """Give the lease back (best effort: with Redis gone, it expires by itself)."""
        from redis.exceptions import RedisError

        if self.held:
            self.held = False
            with contextlib.suppress(RedisError):
                self.client.eval(_RELEASE, 1, self.key, self.token)
