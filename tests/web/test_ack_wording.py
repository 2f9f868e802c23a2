"""What pressing 确认 says to its owner when the SLA clocks called people before: never themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.store.models import Alert, AlertEvent
from monitor.web.ack_wording import Acker, acknowledged

NAMES = {"li_na": "李娜", "wang_qiang": "王强", "zhao_min": "赵敏"}
OPENED = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def _alert(called: list[str]) -> Alert:
    events = [
        AlertEvent(kind=kind, detail=f"to {key}", at=OPENED + timedelta(hours=1 + i))
        for i, (kind, key) in enumerate(_calls(called))
    ]
    return Alert(
        spokesperson="li_na",
        backup="chen_jie",
        acknowledged_by="li_na (web link)",
        opened_at=OPENED,
        events=events,
    )


def _calls(called: list[str]) -> list[tuple[str, str]]:
    return [("to_backup" if i == 0 else "to_leadership", key) for i, key in enumerate(called)]


def test_a_backup_who_took_the_alert_over_is_not_told_they_were_called() -> None:
    """li_na, called as the backup, took the alert over and acknowledged it: the page had told her
    "the backup was told already: tell them you have it" — herself (PR-team re-verification)."""
    acker = Acker(me="li_na", names=NAMES, leadership=True)
    assert "told already" not in acknowledged(_alert(["li_na"]), acker, "16:10")
    said = acknowledged(_alert(["li_na", "zhao_min"]), acker, "16:10")
    assert "you own this alert now; 赵敏 was told already: tell them you have it." in said
    said = acknowledged(_alert(["wang_qiang", "zhao_min"]), acker, "16:10")
    assert "王强 and 赵敏 were told already" in said
