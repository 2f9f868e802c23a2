"""Route an alert through the routing tree to its owner (a spokesperson, with backup) and whoever else
must hear of it; say why, route by route (``monitor route test``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitor.alerting.route_tree import AlertFacts, Decision, decide
from monitor.config.files import RoutingFile, SpokespersonConfig
from monitor.errors import UnknownNameError


@dataclass(frozen=True)
class Routed:
    spokesperson: SpokespersonConfig
    backup: SpokespersonConfig | None
    also: list[SpokespersonConfig]
    decision: Decision
    watch_group: str = ""  # the watch group whose way through the tree this is


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
        watch_group=facts.watch_group,
    )


def route_groups(routing: RoutingFile, facts: Sequence[AlertFacts]) -> Routed:
    """Route an alert whose thread names several watch groups (``facts``: one per group, the alert's
    own first): each group goes its own way through the tree, and the way that reaches the earliest
    route — the tree's order, first match wins, as for one group — owns the alert. The other groups'
    owners and their ``also`` are told for information: a thread naming two brands reaches both
    brands' people, and the PR lead's order of the routes says who speaks."""
    ways = [route(routing, one) for one in facts]
    chosen = min(ways, key=_precedence)  # the first of equals: the alert's own group
    # a group no route takes falls to the root's receiver, the catch-all: nobody of its own to tell
    others = [
        person
        for way in ways
        if way is not chosen and not _precedence(way)[0]
        for person in (way.spokesperson, *way.also)
    ]
    told: dict[str, SpokespersonConfig] = {}
    for person in [*chosen.also, *others]:
        if person.key != chosen.spokesperson.key:
            told.setdefault(person.key, person)
    return replace(chosen, also=list(told.values()))


def _precedence(way: Routed) -> tuple[bool, list[int]]:
    """Earlier in the tree first; a way that took no route (the root's receiver) last."""
    numbers = [number for number, _ in way.decision.path if number != 0]
    return (not numbers, numbers)
