"""One leading scheduler at a time: a lease in Redis, taken with SET NX and renewed by its holder."""

from __future__ import annotations

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
        """Take the lease if it is free, renew it if it is ours; True while we lead."""
        if self.held:
            self.held = bool(self.client.eval(_RENEW, 1, self.key, self.token, self.millis))
        if not self.held:
            self.held = bool(self.client.set(self.key, self.token, nx=True, px=self.millis))
        return self.held

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def release(self) -> None:
        if self.held:
            self.client.eval(_RELEASE, 1, self.key, self.token)
            self.held = False
