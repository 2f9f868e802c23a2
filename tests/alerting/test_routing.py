"""Routing an alert to a spokesperson (routes built in the test)."""

from __future__ import annotations

from monitor.alerting.routing import route
from monitor.config.files import RoutingFile
from monitor.detect.severity import Severity

ROUTING = RoutingFile.model_validate(
    {
        "spokespeople": [
            {"key": "li_na", "name": "李娜", "email": "li@example.com", "backup": "wang"},
            {"key": "wang", "name": "王强", "email": "wang@example.com"},
            {"key": "ceo", "name": "CEO", "email": "ceo@example.com"},
        ],
        "routes": [
            {"match": {"min_severity": "very_urgent", "categories": ["product"]}, "spokesperson": "ceo"},
            {"match": {"watch_groups": ["途乐旅行"]}, "spokesperson": "li_na"},
            {"spokesperson": "wang"},
        ],
    }
)


def test_first_matching_route_wins_with_backup() -> None:
    routed = route(ROUTING, "途乐旅行", "service", Severity.URGENT)
    assert (routed.spokesperson.key, routed.backup and routed.backup.key, routed.route_index) == (
        "li_na",
        "wang",
        1,
    )


def test_severity_and_category_matchers() -> None:
    assert route(ROUTING, "星耀Pro14", "product", Severity.VERY_URGENT).spokesperson.key == "ceo"
    assert route(ROUTING, "星耀Pro14", "product", Severity.URGENT).spokesperson.key == "wang"
    assert route(ROUTING, "other", "service", Severity.GENERAL).backup is None
