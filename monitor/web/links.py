"""Signed, expiring action links: "acknowledge alert 7", sent to one person, valid until a moment.

A link is ``{base_url}/l/{token}``. The token carries the alert id, the action, the recipient
(the spokesperson the message went to, who becomes the actor in the alert's trail) and the
expiry time, signed with HMAC-SHA256 under the key in ``$MONITOR_WEB_SECRET``::

    eyJhIjo3LCJkIjoiYWNrIiwiciI6ImxpX25hIiwieCI6MTc2NDE1NjQwMH0.Xq3…   (payload . signature)

Nothing is stored per link: changing the key invalidates every link sent. Time is passed in,
so tests control expiry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

Action = Literal["view", "ack", "contacted"]
ACTIONS: tuple[str, ...] = get_args(Action)
_DOMAIN = b"monitor-action-link-v1:"
_SIGNATURE_CHARS = 32  # 192 bits of the HMAC, base64url


class LinkError(Exception):
    """A link that cannot be honoured; ``expired`` tells a stale link from a forged one."""

    def __init__(self, message: str, *, expired: bool = False, expired_at: datetime | None = None) -> None:
        super().__init__(message)
        self.expired = expired
        self.expired_at = expired_at


@dataclass(frozen=True)
class LinkClaim:
    """What a valid link grants: ``recipient`` may do ``action`` (and view) on ``alert_id``."""

    alert_id: int
    action: Action
    recipient: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkSigner:
    secret: str
    base_url: str
    ttl: timedelta

    def token(self, alert_id: int, action: Action, recipient: str, now: datetime) -> str:
        expires = int((now + self.ttl).timestamp())
        payload = json.dumps(
            {"a": alert_id, "d": action, "r": recipient, "x": expires},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode("utf-8")
        body = _b64(payload)
        return f"{body}.{self._sign(body)}"

    def url(self, alert_id: int, action: Action, recipient: str, now: datetime) -> str:
        return f"{self.base_url.rstrip('/')}/l/{self.token(alert_id, action, recipient, now)}"

    def expires_at(self, now: datetime) -> datetime:
        """When a link made at ``now`` stops working (to the second)."""
        return datetime.fromtimestamp(int((now + self.ttl).timestamp()), UTC)

    def verify(self, token: str, now: datetime) -> LinkClaim:
        """The claim of a genuine, unexpired token; :class:`LinkError` otherwise."""
        body, dot, signature = token.partition(".")
        if not dot or not body or not hmac.compare_digest(self._sign(body), signature):
            raise LinkError("this link is not valid: it was cut short, altered, or signed with another key")
        try:
            data = json.loads(_unb64(body))
            claim = LinkClaim(
                alert_id=int(data["a"]),
                action=_action(data["d"]),
                recipient=str(data["r"]),
                expires_at=datetime.fromtimestamp(int(data["x"]), UTC),
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise LinkError("this link is not valid: its contents cannot be read") from exc
        if now >= claim.expires_at:
            raise LinkError("this link has expired", expired=True, expired_at=claim.expires_at)
        return claim

    def _sign(self, body: str) -> str:
        digest = hmac.new(
            self.secret.encode("utf-8"), _DOMAIN + body.encode("ascii"), hashlib.sha256
        ).digest()
        return _b64(digest)[:_SIGNATURE_CHARS]


def _action(value: object) -> Action:
    if value == "view":
        return "view"
    if value == "ack":
        return "ack"
    if value == "contacted":
        return "contacted"
    raise ValueError(f"unknown action {value!r}")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
