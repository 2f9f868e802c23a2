"""The routing tree: matchers, depth, continue, also, on-call hours (trees built in the test)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from monitor.alerting.route_tree import AlertFacts, OnCall
from monitor.alerting.routing import route
from monitor.config.files import RoutingFile
from monitor.detect.severity import Severity

ROUTING = RoutingFile.model_validate(
    {
        "spokespeople": [
            {"key": "li_na", "name": "李娜", "email": "li@example.com", "backup": "wang"},
            {"key": "wang", "name": "王强", "email": "wang@example.com"},
            {"key": "ceo", "name": "CEO", "email": "ceo@example.com"},
            {"key": "product", "name": "产品公关", "email": "p@example.com"},
        ],
        "route": {
            "receiver": "wang",
            "routes": [
                {
                    "match": {"watch_groups": ["途乐旅行"]},
                    "receiver": "li_na",
                    "routes": [
                        {
                            "match": {"signals": ["lawyer", "media"], "min_severity": "very_urgent"},
                            "also": ["ceo"],
                        }
                    ],
                },
                {"match": {"categories": ["product"]}, "receiver": "product", "continue": True},
                {"match": {"boards": ["bbs:4"]}, "receiver": "wang", "also": ["li_na"]},
            ],
        },
    }
)


def _facts(**changes: object) -> AlertFacts:
    base: dict[str, object] = {
        "watch_group": "x",
        "category": "service",
        "severity": Severity.GENERAL,
        "source": "bbs",
        "board": "2",
    }
    base.update(changes)
    return AlertFacts(**base)  # type: ignore[arg-type]


def test_first_match_wins_with_backup_and_path() -> None:
    routed = route(ROUTING, _facts(watch_group="途乐旅行", severity=Severity.URGENT))
    assert (routed.spokesperson.key, routed.backup and routed.backup.key, routed.also) == (
        "li_na",
        "wang",
        [],
    )
    assert routed.decision.path == [(0, "root"), (1, "watch group 途乐旅行")]


def test_child_inherits_receiver_and_adds_also() -> None:
    routed = route(
        ROUTING, _facts(watch_group="途乐旅行", severity=Severity.VERY_URGENT, signals=("lawyer",))
    )
    assert routed.spokesperson.key == "li_na" and [p.key for p in routed.also] == ["ceo"]
    assert routed.decision.path[-1] == (2, "signal lawyer; severity ≥ very_urgent")
    # the same signals below the severity bar do not reach the CEO
    assert route(ROUTING, _facts(watch_group="途乐旅行", signals=("lawyer",))).also == []


def test_continue_notifies_later_siblings_too() -> None:
    routed = route(ROUTING, _facts(category="product", board="4"))
    assert routed.spokesperson.key == "product"
    assert [p.key for p in routed.also] == ["wang", "li_na"]  # the board route matched as well


def test_nothing_matches_goes_to_the_root_receiver() -> None:
    routed = route(ROUTING, _facts())
    assert routed.spokesperson.key == "wang" and routed.decision.path == [(0, "root")]


def test_on_call_hours_in_the_team_zone() -> None:
    hours = OnCall(days=[1, 2, 3, 4, 5], hours=["08:00-12:00", "13:00-22:00"])
    monday_0730_shanghai = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    monday_0830_shanghai = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    assert not hours.covers(monday_0730_shanghai, "Asia/Shanghai")
    assert hours.covers(monday_0830_shanghai, "Asia/Shanghai")
    assert not hours.covers(datetime(2026, 11, 23, 4, 30, tzinfo=UTC), "Asia/Shanghai")  # 12:30 lunch
    assert not hours.covers(datetime(2026, 11, 28, 2, 0, tzinfo=UTC), "Asia/Shanghai")  # Saturday
    with pytest.raises(ValidationError, match="overlap"):
        OnCall(hours=["08:00-12:00", "11:00-13:00"])
    with pytest.raises(ValidationError, match="ends before it starts"):
        OnCall(hours=["22:00-06:00"])
