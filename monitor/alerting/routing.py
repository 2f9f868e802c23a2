"""Route an alert through the routing tree to its owner (a spokesperson, with backup) and whoever else
must hear of it; say why, route by route (``monitor route test``)."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.alerting.route_tree import AlertFacts, Decision, decide
from monitor.config.files import RoutingFile, SpokespersonConfig
from monitor.errors import UnknownNameError


@dataclass(frozen=True)
class Routed:
    spokesperson: SpokespersonConfig
    backup: SpokespersonConfig | None
    also: list[SpokespersonConfig]
    decision: Decision


def route(routing: RoutingFile, facts: AlertFacts) -> Routed:
    people = {p.key: p for p in routing.spokespeople}
    decision = decide(routing.route, facts)

    def person(key: str) -> SpokespersonConfig:
        if key not in people:  # check-config refuses such a file; this guards hand-made objects
            raise UnknownNameError(f"undefined spokesperson {key!r}")
        return people[key]

    owner = person(decision.owner)
    return Routed(
        spokesperson=owner,
        backup=people.get(owner.backup) if owner.backup else None,
        also=[person(key) for key in decision.also],
        decision=decision,
    )
