"""Who handled each alert, read from the alerts' trails: who acknowledged it and who made the first
contact (the spokesperson, the backup, leadership), whether the SLA clocks called the backup and
leadership because nobody acknowledged in time, and how the alert moved between spokespeople
(handed over, or routed anew at an escalation).

The alert's row says only who owns it now and when it was acknowledged and contacted; the trail
(``AlertEvent``) says who did it. The events of every alert in the digest come in one query and
are replayed in order: a reopening starts a new round, so acknowledgement, first contact and the
SLA calls are those of the round the alert's row describes.

The acknowledgement credited is the round's first: an escalation that gives an acknowledged alert
to another spokesperson withdraws it from the alert's row (the new owner must acknowledge afresh),
but the alert was in hand from then on, and the time to acknowledge runs to it. Whether the new
owner acknowledged since is said beside it (``acknowledged_again``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from monitor.alerting.lifecycle import HANDED_OVER, OWNER_CHANGED, actor_key
from monitor.digest.model import Actor, AskedAgain, OwnerChange, Role, SlaCall
from monitor.store.models import AlertEvent

__all__ = ["Handlers", "TrailEvent", "handlers", "read_trails"]

KINDS = (
    "opened",
    "escalated",
    HANDED_OVER,
    "to_backup",
    "to_leadership",
    "acknowledged",
    "contacted",
    "reopened",
    "resolved",
)
_KEY = r"[^\s;:]+"
_HANDOVER = re.compile(rf"^({_KEY}) -> ({_KEY})")
_ESCALATION_OWNER = re.compile(rf"; {OWNER_CHANGED} ({_KEY}) -> ({_KEY})")


@dataclass(frozen=True)
class TrailEvent:
    at: datetime
    kind: str
    actor: str
    detail: str


@dataclass(frozen=True)
class Handlers:
    """What the trail says about who handled an alert (names are display names)."""

    acknowledged_by: Actor | None = None  # the round's first acknowledgement
    acknowledged_at: datetime | None = None
    acknowledged_again: AskedAgain | None = None
    contacted_by: Actor | None = None
    owner_changes: tuple[OwnerChange, ...] = ()
    backup_called: SlaCall | None = None
    leadership_called: SlaCall | None = None
    reopenings: int = 0  # how many times it reopened
    resolved_before_reopening: datetime | None = None  # the close the latest reopening undid


def read_trails(session: Session, alert_ids: Select[int]) -> dict[int, list[TrailEvent]]:
    """The events that say who handled the alerts ``alert_ids`` selects, oldest first: one query."""
    query = (
        select(AlertEvent.alert_id, AlertEvent.at, AlertEvent.kind, AlertEvent.actor, AlertEvent.detail)
        .where(AlertEvent.alert_id.in_(alert_ids), AlertEvent.kind.in_(KINDS))
        .order_by(AlertEvent.alert_id, AlertEvent.id)
    )
    trails: dict[int, list[TrailEvent]] = defaultdict(list)
    for alert_id, at, kind, actor, detail in session.execute(query):
        trails[alert_id].append(TrailEvent(at, kind, actor or "", detail or ""))
    return trails


@dataclass
class _Replay:
    """The trail replayed up to some event: the owner then, and what the current round has seen."""

    owner: str | None = None
    changes: list[OwnerChange] = field(default_factory=list)
    escalated_at: datetime | None = None  # the latest escalation since the owner was last named
    acknowledged: tuple[str, str | None] | None = None  # the round's first: (actor key, owner then)
    acknowledged_at: datetime | None = None
    asked_again: tuple[str, datetime] | None = None  # acknowledged, then rerouted: (new owner key, when)
    again: tuple[tuple[str, str | None], datetime] | None = None  # the first acknowledgement since
    contacted: tuple[str, str | None] | None = None
    backup: list[TrailEvent] = field(default_factory=list)
    leadership: list[TrailEvent] = field(default_factory=list)
    resolved_at: datetime | None = None  # the latest close
    reopenings: int = 0
    resolved_before_reopening: datetime | None = None

    def see(self, event: TrailEvent, people: Mapping[str, str]) -> None:
        kind = event.kind
        if kind == "opened":
            self.owner = event.detail.rsplit(" -> ", 1)[-1].strip() or None
        elif kind == HANDED_OVER and (moved := _HANDOVER.match(event.detail)):
            by = _name(people, event.actor)
            self.changes.append(OwnerChange(_name(people, moved[1]), "handover", event.at, by))
            self.owner, self.escalated_at = moved[2], None
        elif kind == "escalated":
            if moved := _ESCALATION_OWNER.search(event.detail):
                self.changes.append(OwnerChange(_name(people, moved[1]), "escalation", event.at))
                self.owner, self.escalated_at = moved[2], None
                if self.acknowledged is not None:  # withdrawn: the new owner acknowledges afresh
                    self.asked_again, self.again = (moved[2], event.at), None
            else:
                self.escalated_at = event.at
        elif kind == "resolved":
            self.resolved_at = event.at
        elif kind == "reopened":  # a new round: acknowledged, contacted and called afresh
            self.reopenings += 1
            self.resolved_before_reopening, self.resolved_at = self.resolved_at, None
            self.acknowledged = self.contacted = self.acknowledged_at = None
            self.asked_again = self.again = None
            self.backup, self.leadership = [], []
        elif kind == "acknowledged":
            if self.acknowledged is None:
                self.acknowledged, self.acknowledged_at = (_key(event.actor), self.owner), event.at
            elif self.asked_again is not None and self.again is None:
                self.again = ((_key(event.actor), self.owner), event.at)
        elif kind == "contacted":
            self.contacted = (_key(event.actor), self.owner)
        elif kind == "to_backup":
            self.backup.append(event)
        elif kind == "to_leadership":
            self.leadership.append(event)


def handlers(
    trail: Sequence[TrailEvent],
    *,
    spokesperson: str,
    backup: str | None,
    acknowledged_by: str | None,
    people: Mapping[str, str],
) -> Handlers:
    """Who handled the alert whose trail this is: ``spokesperson`` and ``backup`` are its keys now,
    ``acknowledged_by`` as its row has it (when its trail has no acknowledgement)."""
    replay = _Replay()
    for event in trail:
        replay.see(event, people)
    changes = list(replay.changes)
    if replay.owner is not None and replay.owner != spokesperson and replay.escalated_at is not None:
        # a trail from before escalations named the new owner: it changed at the latest one
        changes.append(OwnerChange(_name(people, replay.owner), "escalation", replay.escalated_at))
    called = {
        "backup": {_recipient(e) for e in replay.backup} | ({backup} if backup else set()),
        "leadership": {_recipient(e) for e in replay.leadership},
    }
    acknowledged = replay.acknowledged or ((_key(acknowledged_by), None) if acknowledged_by else None)
    again = None
    # the row still holding an acknowledgement nobody made since: escalated before withdrawing was done
    if replay.asked_again is not None and (replay.again is not None or not acknowledged_by):
        owner, since = replay.asked_again
        by, at = replay.again if replay.again is not None else (None, None)
        again = AskedAgain(_name(people, owner), since, _actor(by, called, people), at)
    return Handlers(
        acknowledged_by=_actor(acknowledged, called, people),
        acknowledged_at=replay.acknowledged_at,
        acknowledged_again=again,
        contacted_by=_actor(replay.contacted, called, people),
        owner_changes=tuple(changes),
        backup_called=_call(replay.backup, people),
        leadership_called=_call(replay.leadership, people),
        reopenings=replay.reopenings,
        resolved_before_reopening=replay.resolved_before_reopening,
    )


def _actor(
    acted: tuple[str, str | None] | None, called: Mapping[str, set[str]], people: Mapping[str, str]
) -> Actor | None:
    """Who acted and who they were to the alert then: its spokesperson then is just named."""
    if acted is None:
        return None
    key, owner = acted
    role: Role = ""
    if key != owner:
        role = "backup" if key in called["backup"] else "leadership" if key in called["leadership"] else ""
    return Actor(_name(people, key), role)


def _call(events: Iterable[TrailEvent], people: Mapping[str, str]) -> SlaCall | None:
    """The first call of its kind in the round, and everyone told then (leadership: one event each)."""
    told = list(events)
    if not told:
        return None
    first = told[0].at
    names = [_name(people, _recipient(e)) for e in told if e.at == first]
    return SlaCall(first, tuple(dict.fromkeys(names)))


def _recipient(event: TrailEvent) -> str:
    return event.detail.removeprefix("to ").strip()


def _key(actor: str) -> str:
    return actor_key(actor)  # "li_na (web link)", "li_na (web)": li_na


def _name(people: Mapping[str, str], actor: str) -> str:
    key = _key(actor)
    return people.get(key, key)
