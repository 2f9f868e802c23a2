"""What a weekly digest says of the forums' reading and of the alerts open as it is made, as plain
values (:mod:`monitor.digest.model` holds the rest and names these too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class BoardTrouble:
    """A board that could not always be read in the period: its figures may be incomplete."""

    forum: str
    board: str
    status: str  # at the digest's time: ok, failing, degraded, empty, never polled (health.board_status)
    problems: tuple[tuple[str, int], ...]  # health event kind and how often in the period, most first
    last_success_at: datetime | None
    # per kind in ``problems``: minutes of outage within the period (first seen to the poll that no
    # longer met it, or its last sighting while it lasts); kinds without a length are left out
    down_minutes: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Reading:
    """How well the forums were read: a quiet week and a crawler that could not read must differ."""

    forums: int
    boards: int
    troubled: tuple[BoardTrouble, ...]  # most problems first
    watched_from: datetime | None = None  # the monitor's first read, when it came after the week began
    unwatched: bool = False  # nothing was read before the week ended: the figures are not a watch


@dataclass(frozen=True)
class OpenAlert:
    """An alert still open when the digest was composed (for "Needs attention now")."""

    alert_id: int
    severity: str
    title: str  # its thread's title (scraped)
    spokesperson: str  # its owner now (display name)
    acknowledged: bool  # someone acknowledged its current round (and it was not withdrawn since)
    contacted: bool  # the current round's first contact was made
    respond_by: datetime  # the first contact's deadline


@dataclass(frozen=True)
class NotDelivered:
    """Messages to one recipient on one channel not getting through as the digest is made
    (:mod:`monitor.alerting.undelivered`): being retried for an alert still open, or given up since
    the week began and not delivered another way."""

    channel: str  # email, wecom …
    recipient: str  # the spokesperson (display name)
    address: str  # the email address; "" for a chat channel (its target is a masked reference)
    alert_ids: tuple[int, ...]  # ascending
    severity: str  # the highest tier among the messages
    retrying: int  # messages the outbox still tries
    given_up: int  # messages it gave up on
    tries: int  # every try of these messages
    since: datetime  # when the first of them was queued
    next_attempt_at: datetime | None  # the earliest next try of those retried
    last_error: str  # the newest error as the channel said it (untrusted: cleaned, cut, escaped)


@dataclass(frozen=True)
class Attention:
    """What needs someone now, at the digest's ``generated_at``: the open alerts and the messages not
    getting through (the boards failing now come from :class:`Reading`)."""

    open_alerts: tuple[OpenAlert, ...]  # oldest first
    not_delivered: tuple[NotDelivered, ...] = ()  # one per channel and recipient, in no order

    def very_urgent_open(self) -> int:
        return sum(1 for alert in self.open_alerts if alert.severity == "very_urgent")
