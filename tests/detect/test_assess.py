"""Velocity and the skeleton's severity rule (no fixture: figures built in the test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.config.settings import DetectSettings
from monitor.detect.assess import ThreadFacts, assess
from monitor.detect.severity import Severity
from monitor.detect.velocity import replies_in_window

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SETTINGS = DetectSettings()


def _facts(**changes: object) -> ThreadFacts:
    base: dict[str, object] = {
        "replies": 20,
        "replies_in_window": 8,
        "window_minutes": 60.0,
        "posts_scored": 21,
        "negative_share": 0.7,
        "distinct_authors": 12,
        "me_too_authors": 1,
        "signal_floors": {},
    }
    base.update(changes)
    return ThreadFacts(**base)  # type: ignore[arg-type]


def test_window_count_prefers_snapshot_and_falls_back_to_post_times() -> None:
    window = timedelta(hours=1)
    times = [NOW - timedelta(minutes=m) for m in (5, 30, 59, 61, 300)]
    assert replies_in_window(NOW, window, 40, 31, times) == 9
    assert replies_in_window(NOW, window, 40, None, times) == 3
    assert replies_in_window(NOW, window, 10, 12, times) == 0  # a deleted reply never counts negative


def test_fast_negative_thread_escalates_as_general() -> None:
    result = assess(_facts(), SETTINGS)
    assert result.escalating and result.severity == Severity.GENERAL
    assert result.figures[0].startswith("8 replies in the last 60 min (8/h")


def test_slow_or_positive_thread_does_not_escalate() -> None:
    assert not assess(_facts(replies_in_window=5), SETTINGS).escalating
    assert not assess(_facts(negative_share=0.3), SETTINGS).escalating
    assert not assess(_facts(replies=4, replies_in_window=4, window_minutes=30.0), SETTINGS).escalating


def test_resonance_makes_it_urgent_and_a_lawyer_very_urgent() -> None:
    assert assess(_facts(me_too_authors=3), SETTINGS).severity == Severity.URGENT
    assert assess(_facts(replies_in_window=12), SETTINGS).severity == Severity.URGENT
    lawyer = assess(_facts(signal_floors={"lawyer": 31, "rights": 1}), SETTINGS)
    assert lawyer.severity == Severity.VERY_URGENT
    assert lawyer.signals == ["rights (维权) first at floor 1", "lawyer (律师/诉讼) first at floor 31"]
    assert assess(_facts(signal_floors={"rights": 1}), SETTINGS).severity == Severity.GENERAL


def test_severity_order_and_sla() -> None:
    assert Severity.GENERAL < Severity.URGENT < Severity.VERY_URGENT
    assert max([Severity.URGENT, Severity.VERY_URGENT, Severity.GENERAL]) == Severity.VERY_URGENT
    assert [s.first_contact.total_seconds() / 3600 for s in Severity] == [24, 8, 4]
    assert Severity.VERY_URGENT.label_zh == "非常紧迫"


def test_views_gained_over_the_window_are_shown_when_snapshots_give_them() -> None:
    shown = assess(_facts(views_gained=1240, views_span_minutes=30.0), SETTINGS)
    assert "1,240 views in the last 30 min (2,480/h)" in shown.figures
    sparse = assess(_facts(views_gained=1240, views_span_minutes=120.0), SETTINGS)  # polls 2 h apart
    assert "1,240 views in the last 120 min (620/h)" in sparse.figures
    for unknown in ({"views_gained": None}, {"views_gained": 0, "views_span_minutes": 60.0}):
        assert not any("views" in f for f in assess(_facts(**unknown), SETTINGS).figures)


def test_negativity_is_shown_against_the_boards_usual_when_known() -> None:
    known = assess(_facts(negative_share=0.7, board_negative_share=0.35), SETTINGS).figures
    assert "70% of 21 posts read negative (alert at 50%; this board's threads usually 35%)" in known
    unknown = assess(_facts(negative_share=0.7), SETTINGS).figures
    assert "70% of 21 posts read negative (alert at 50%)" in unknown
