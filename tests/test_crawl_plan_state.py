"""A crawl plan's state per source survives a trip through JSON, so another worker can go on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from monitor.config.files import SourceConfig
from monitor.config.settings import Settings
from monitor.crawl_plan import CrawlPlan

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
SOURCES = {
    key: SourceConfig(key=key, name=key, engine="discuz", base_url=f"http://{key}.test/", boards=["2", "7"])
    for key in ("bbs", "other")
}
SETTINGS = Settings()


def _plan() -> CrawlPlan:
    return CrawlPlan(SETTINGS, SOURCES)


def _learn(plan: CrawlPlan) -> list[tuple[int, str, datetime]]:
    """Two reads of a few threads on both sources; a board of each made hot. Returns the candidates."""
    candidates = []
    for thread_id, key, score in ((1, "bbs", -0.5), (2, "bbs", -4.0), (3, "other", -0.2), (4, "bbs", -2.0)):
        first = NOW - timedelta(hours=2)
        plan.assessed(thread_id, (key, "2"), first, score - 1.0, False, NOW - timedelta(minutes=30))
        plan.assessed(thread_id, (key, "2"), first, score, thread_id == 3, NOW - timedelta(minutes=10))
        candidates.append((thread_id, key, first))
    candidates.append((5, "bbs", NOW - timedelta(minutes=5)))  # never read: comes first
    plan.board_read(("bbs", "2"), NOW - timedelta(minutes=20))
    plan.board_read(("other", "2"), NOW - timedelta(minutes=1))
    return candidates


def test_a_source_exported_and_imported_elsewhere_plans_the_same_reads() -> None:
    first = _plan()
    candidates = _learn(first)
    state = json.loads(json.dumps(first.export_source("bbs")))
    assert [p["key"] for p in state["polls"]] == ["1", "2", "4"]  # only this source's threads
    assert state["board_read"] == {"2": (NOW - timedelta(minutes=20)).isoformat()}

    second = _plan()
    second.import_source("bbs", state)
    assert second.hot_boards_due(NOW, "bbs") == first.hot_boards_due(NOW, "bbs")
    assert second.hot_boards_due(NOW, "bbs") == [(SOURCES["bbs"], "2")]  # thread 1 came within 1 point
    expected = first.threads_to_refresh(candidates, NOW, "bbs")
    assert second.threads_to_refresh(candidates, NOW, "bbs") == expected
    assert expected[0] == (5, "bbs") and {key for _, key in expected} == {"bbs"}
    assert second.hot_boards_due(NOW, "other") == []  # nothing of the other source came along


def test_importing_one_source_leaves_the_others_alone() -> None:
    plan = _plan()
    _learn(plan)
    other_before = plan.export_source("other")
    plan.import_source("bbs", {"polls": [], "hot_boards": {}, "board_read": {}})
    assert plan.export_source("bbs") == {"polls": [], "hot_boards": {}, "board_read": {}}
    assert plan.export_source("other") == other_before
    # bbs's hot board is forgotten; other's (thread 3's alert changed) is due once 2.7 min have passed
    assert plan.hot_boards_due(NOW) == []
    assert plan.hot_boards_due(NOW + timedelta(minutes=3)) == [(SOURCES["other"], "2")]


def test_state_that_does_not_read_as_a_plan_starts_the_source_afresh() -> None:
    plan = _plan()
    _learn(plan)
    other = plan.export_source("other")
    for junk in ({"polls": "x"}, {"polls": [{"key": "1"}]}, {"hot_boards": {"2": "yesterday"}}, {}):
        _learn(plan)
        assert len(plan.export_source("bbs")["polls"]) == 3  # type: ignore[arg-type]
        plan.import_source("bbs", junk)
        assert plan.export_source("bbs") == {"polls": [], "hot_boards": {}, "board_read": {}}
    assert plan.export_source("other")["polls"] == other["polls"]
