"""Who may sign in to the dashboard: spokespeople (they act on alerts) and viewers (they read)."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config.loader import MonitorConfig

VIEWER = "viewer:"  # the key of a viewer (web.viewers) is this and their address, lower case


@dataclass(frozen=True)
class Member:
    """Someone who may sign in: a spokesperson (acts on alerts) or a viewer (``web.viewers``, reads)."""

    key: str  # spokesperson key, or VIEWER + address
    name: str
    email: str
    can_act: bool


def find_member(config: MonitorConfig, key: str) -> Member | None:
    """The spokesperson or viewer ``key`` names, if still configured."""
    if key.startswith(VIEWER):
        address = key.removeprefix(VIEWER)
        listed = next((v for v in config.settings.web.viewers if v.lower() == address), None)
        return Member(key, listed, listed, can_act=False) if listed else None
    person = next((p for p in config.routing.spokespeople if p.key == key), None)
    return Member(person.key, person.name, person.email, can_act=True) if person else None


def member_by_address(config: MonitorConfig, address: str) -> Member | None:
    """The spokesperson (first) or viewer whose address this is, matched without regard to case."""
    wanted = address.strip().lower()
    for person in config.routing.spokespeople:
        if person.email.strip().lower() == wanted:
            return Member(person.key, person.name, person.email, can_act=True)
    for viewer in config.settings.web.viewers:
        if viewer.lower() == wanted:
            return Member(VIEWER + viewer.lower(), viewer, viewer, can_act=False)
    return None
