"""An alert's trail as people read it (monitor/alerting/trail.py): people's lines one by one, the
monitor's long runs summed up, on the terminal and the page; every event still stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.alerting.trail import LONGEST_RUN, readable_trail
from monitor.store.models import AlertEvent

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _event(hours: float, kind: str, detail: str, actor: str = "monitor") -> AlertEvent:
    return AlertEvent(alert_id=1, at=T0 + timedelta(hours=hours), kind=kind, detail=detail, actor=actor)


def test_the_monitors_long_runs_are_summed_up_and_peoples_lines_kept() -> None:
    events = [_event(0, "opened", "very_urgent; route 1 -> li_na"), _event(0.2, "acknowledged", "", "李娜")]
    for n in range(10):  # ten prompts, each carried by two messages
        events += [
            _event(4 + 4 * n, "progress", "to li_na"),
            _event(4 + 4 * n, "delivered", "email -> li_na@x"),
        ]
    events.append(_event(50, "note", "已致电客户", "李娜"))
    events += [_event(54, "progress", "to li_na")]
    lines = readable_trail(events)
    assert [(line.kind, line.actor) for line in lines] == [
        ("opened", "monitor"),
        ("acknowledged", "李娜"),
        ("…", "monitor"),
        ("note", "李娜"),
        ("progress", "monitor"),
    ]
    run = lines[2]
    assert run.detail == "progress ×10: to li_na; delivered ×10: email -> li_na@x"
    assert (run.at, run.until, run.events) == (T0 + timedelta(hours=4), T0 + timedelta(hours=40), 20)


def test_a_short_run_of_the_monitors_lines_is_shown_line_by_line() -> None:
    events = [_event(n, "progress", "to li_na") for n in range(LONGEST_RUN)]
    assert [line.until for line in readable_trail(events)] == [None] * LONGEST_RUN
    assert len(readable_trail([*events, _event(9, "progress", "to li_na")])) == 1
