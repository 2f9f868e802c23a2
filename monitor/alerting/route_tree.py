"""Routing as a declarative tree, Alertmanager-style: who owns an alert, who else hears of it.

::

    route:                       # the root: its receiver takes whatever no child takes
      receiver: wang_qiang
      routes:
        - match: {watch_groups: [途乐旅行]}
          receiver: li_na
          routes:
            - match: {signals: [lawyer, media]}
              receiver: li_na
              also: [ceo]        # told as well, at once
        - match: {categories: [product], min_severity: urgent}
          receiver: product_pr
          continue: true         # keep looking: later siblings may match too

An alert walks down from the root: at each level the first child whose matchers all hold
is entered (and, with ``continue``, the following siblings are tried as well); the deepest
matching node's receiver owns the alert. Routes are numbered depth-first from 1 (the root
is route 0) in messages such as "undefined spokesperson 'x' in route 3".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from itertools import pairwise
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitor.detect.severity import Severity


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _text_list(value: object) -> object:
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"must be text, got {type(item).__name__} {item!r} (quote it in YAML)")
    return value


class Matchers(_Strict):
    watch_groups: list[str] = Field(default_factory=list, description="Any of these watch groups.")
    categories: list[str] = Field(default_factory=list, description="Any of these complaint categories.")
    sources: list[str] = Field(default_factory=list, description="Any of these source keys.")
    boards: list[str] = Field(
        default_factory=list, description="Any of these board ids (source:board or board)."
    )
    signals: list[str] = Field(
        default_factory=list, description="Any of these crisis signals seen in the thread."
    )
    min_severity: Severity = Field(Severity.GENERAL, description="At least this severity.")

    _check_text = field_validator(
        "watch_groups", "categories", "sources", "boards", "signals", mode="before"
    )(_text_list)

    def holds(self, facts: AlertFacts) -> list[str]:
        """The reasons it matches, or an empty list when it does not."""
        why: list[str] = []
        for name, wanted, have in (
            ("watch group", self.watch_groups, {facts.watch_group}),
            ("category", self.categories, {facts.category}),
            ("source", self.sources, {facts.source}),
            ("board", self.boards, {facts.board, f"{facts.source}:{facts.board}"}),
            ("signal", self.signals, set(facts.signals)),
        ):
            if wanted:
                hit = sorted(have & set(wanted))
                if not hit:
                    return []
                why.append(f"{name} {', '.join(hit)}")
        if facts.severity < self.min_severity:
            return []
        if self.min_severity != Severity.GENERAL:
            why.append(f"severity ≥ {self.min_severity.value}")
        return why or ["matches everything"]


class RouteNode(_Strict):
    match: Matchers = Field(default_factory=Matchers)
    receiver: str | None = Field(
        None, description="Spokesperson who owns matching alerts (inherited if unset)."
    )
    also: list[str] = Field(default_factory=list, description="Spokespeople told as well.")
    continue_: bool = Field(
        False, alias="continue", description="After this route matches, try its siblings."
    )
    routes: list[RouteNode] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass(frozen=True)
class AlertFacts:
    """What routing may look at."""

    watch_group: str
    category: str
    severity: Severity
    source: str = ""
    board: str = ""
    signals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """Where an alert goes: the owner, who else is told, and the path of routes taken (with reasons)."""

    owner: str
    also: list[str]
    path: list[tuple[int, str]] = field(default_factory=list)  # (route number, why it matched)


def numbered(root: RouteNode) -> list[tuple[int, RouteNode]]:
    """Every route with its depth-first number (root = 0)."""
    out: list[tuple[int, RouteNode]] = []

    def visit(node: RouteNode) -> None:
        out.append((len(out), node))
        for child in node.routes:
            visit(child)

    visit(root)
    return out


def decide(root: RouteNode, facts: AlertFacts) -> Decision:
    numbers = {id(node): number for number, node in numbered(root)}
    owners: list[str] = []
    also: list[str] = []
    path: list[tuple[int, str]] = [(0, "root")]

    def walk(node: RouteNode, inherited: str) -> None:
        receiver = node.receiver or inherited
        took = False
        for child in node.routes:
            why = child.match.holds(facts)
            if not why:
                continue
            path.append((numbers[id(child)], "; ".join(why)))
            also.extend(child.also)
            walk(child, receiver)
            took = True
            if not child.continue_:
                break
        if not took:
            owners.append(receiver)

    if root.receiver is None:
        raise ValueError("the root route needs a receiver")
    also.extend(root.also)
    walk(root, root.receiver)
    owner, *others = owners
    everyone = [person for person in [*others, *also] if person != owner]
    return Decision(owner=owner, also=list(dict.fromkeys(everyone)), path=path)


class OnCall(_Strict):
    """When a spokesperson takes notifications, in the team's time zone. Very urgent alerts ignore it."""

    days: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5, 6, 7], description="ISO weekdays, 1 = Monday."
    )
    hours: list[str] = Field(
        default_factory=lambda: ["00:00-24:00"], description='Windows like "08:00-22:00".'
    )

    @field_validator("hours")
    @classmethod
    def _windows(cls, value: list[str]) -> list[str]:
        spans = sorted(_span(window) for window in value)
        for (_, end), (start, _) in pairwise(spans):
            if start < end:
                raise ValueError(f"on-call windows overlap: {value}")
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if not value or any(day not in range(1, 8) for day in value):
            raise ValueError("days are ISO weekdays 1 (Monday) to 7 (Sunday)")
        return value

    def covers(self, moment: datetime, zone: str) -> bool:
        local = moment.astimezone(ZoneInfo(zone))
        minute = local.hour * 60 + local.minute
        return local.isoweekday() in self.days and any(
            start <= minute < end for start, end in (_span(w) for w in self.hours)
        )


def _span(window: str) -> tuple[int, int]:
    try:
        start_text, end_text = window.split("-")
        start = _minutes(start_text)
        end = 24 * 60 if end_text.strip() == "24:00" else _minutes(end_text)
    except ValueError:
        raise ValueError(f"{window!r} is not a window like 08:00-22:00") from None
    if end <= start:
        raise ValueError(f"{window!r} ends before it starts (split a window across midnight in two)")
    return start, end


def _minutes(text: str) -> int:
    parsed = time.fromisoformat(text.strip())
    return parsed.hour * 60 + parsed.minute
