"""Pick the spokesperson who owns an alert: routes are tried in order, the first match wins."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config.files import RouteConfig, RoutingFile, SpokespersonConfig
from monitor.detect.severity import Severity
from monitor.errors import UnknownNameError


@dataclass(frozen=True)
class Routed:
    spokesperson: SpokespersonConfig
    backup: SpokespersonConfig | None
    route_index: int


def _matches(route: RouteConfig, watch_group: str, category: str, severity: Severity) -> bool:
    match = route.match
    if match.watch_groups and watch_group not in match.watch_groups:
        return False
    if match.categories and category not in match.categories:
        return False
    return severity >= match.min_severity


def route(routing: RoutingFile, watch_group: str, category: str, severity: Severity) -> Routed:
    people = {p.key: p for p in routing.spokespeople}
    for index, candidate in enumerate(routing.routes):
        if _matches(candidate, watch_group, category, severity):
            person = people.get(candidate.spokesperson)
            if person is None:
                raise UnknownNameError(
                    f"undefined spokesperson {candidate.spokesperson!r} in route {index + 1}"
                )
            backup = people.get(person.backup) if person.backup else None
            return Routed(spokesperson=person, backup=backup, route_index=index)
    raise UnknownNameError("no route matches (the last route must match everything)")
