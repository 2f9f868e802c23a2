"""When the weekly digest is due and which week it covers (pure: time is passed in)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from monitor.digest.schedule import latest_slot, week_before

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        ("2026-12-07 09:00", "2026-12-07 09:00"),  # Monday at the hour: due now
        ("2026-12-07 08:59", "2026-11-30 09:00"),  # a minute early: last week's
        ("2026-12-06 23:00", "2026-11-30 09:00"),  # Sunday night
        ("2026-12-09 12:00", "2026-12-07 09:00"),  # Wednesday
    ],
)
def test_latest_slot_is_the_last_monday_9am_on_the_teams_clock(now: str, slot: str) -> None:
    assert latest_slot(_local(now), "mon", 9, "Asia/Shanghai") == _local(slot)


def test_latest_slot_reads_a_utc_moment_on_the_teams_clock() -> None:
    # 2026-12-07 01:30 UTC is Monday 09:30 in Shanghai (but still Sunday night in New York)
    moment = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert latest_slot(moment, "mon", 9, "Asia/Shanghai") == _local("2026-12-07 09:00")
    new_york = latest_slot(moment, "mon", 9, "America/New_York")
    assert new_york == datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def test_the_week_covered_is_the_seven_whole_local_days_before_the_slots_day() -> None:
    period = week_before(_local("2026-12-07 09:00"), "Asia/Shanghai")
    assert (period.start, period.end) == (_local("2026-11-30 00:00"), _local("2026-12-07 00:00"))
    assert period.end.astimezone(UTC) == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    assert [d.isoformat() for d in period.days()][::6] == ["2026-11-30", "2026-12-06"]
    assert len(period.days()) == 7
