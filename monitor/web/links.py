"""Signed, expiring action links: "acknowledge alert 7", sent to one person, valid until a moment.

A link is ``{base_url}/l/{token}``. The token carries the alert id, the action, the recipient
(the spokesperson the message went to, who becomes the actor in the alert's trail) and the
expiry time, signed with HMAC-SHA256 under the key in ``$MONITOR_WEB_SECRET``::

    eyJhIjo3LCJkIjoiYWNrIiwiciI6ImxpX25hIiwieCI6MTc2NDE1NjQwMH0.Xq3…   (payload . signature)

Nothing is stored per link: changing the key invalidates every link sent. Time is passed in,
so tests control expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from monitor.web.sealed import SealError, seal, unseal

Action = Literal["view", "ack", "contacted"]
ACTIONS: tuple[str, ...] = get_args(Action)
_DOMAIN = b"monitor-action-link-v1:"


class LinkError(Exception):
    """A link that cannot be honoured; ``expired`` tells a stale link from a forged one."""

    def __init__(
        self,
        message: str,
        *,
        expired: bool = False,
        expired_at: datetime | None = None,
        alert_id: int | None = None,  # a genuine link's, expired: which alert it was for
    ) -> None:
        super().__init__(message)
        self.expired = expired
        self.expired_at = expired_at
        self.alert_id = alert_id


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
        return seal(self.secret, _DOMAIN, {"a": alert_id, "d": action, "r": recipient, "x": expires})

    def url(self, alert_id: int, action: Action, recipient: str, now: datetime) -> str:
        return f"{self.base_url.rstrip('/')}/l/{self.token(alert_id, action, recipient, now)}"

    def expires_at(self, now: datetime) -> datetime:
        """When a link made at ``now`` stops working (to the second)."""
        return datetime.fromtimestamp(int((now + self.ttl).timestamp()), UTC)

    def verify(self, token: str, now: datetime) -> LinkClaim:
        """The claim of a genuine, unexpired token; :class:`LinkError` otherwise."""
        try:
            data = unseal(self.secret, _DOMAIN, token)
        except SealError as exc:
            raise LinkError(f"this link is {exc}") from None
        try:
            claim = LinkClaim(
                alert_id=int(str(data["a"])),
                action=_action(data["d"]),
                recipient=str(data["r"]),
                expires_at=datetime.fromtimestamp(int(str(data["x"])), UTC),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise LinkError("this link is not valid: its contents cannot be read") from exc
        if now >= claim.expires_at:
            raise LinkError(
                "this link has expired", expired=True, expired_at=claim.expires_at, alert_id=claim.alert_id
            )
        return claim


def _action(value: object) -> Action:
    if value == "view":
        return "view"
    if value == "ack":
        return "ack"
    if value == "contacted":
        return "contacted"
    raise ValueError(f"unknown action {value!r}")
