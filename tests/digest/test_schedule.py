"""When the weekly digest is due, which week it covers, and when two digests are the same week (pure:
time is passed in)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from monitor.digest.model import DigestPeriod
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


def test_a_week_is_its_seven_local_days_whatever_time_its_last_day_ends_at() -> None:
    """``--until now`` at 10:00 and at 18:30 on 12-07, or ``--until 2026-12-08``: one week."""
    morning = DigestPeriod.days_to(_local("2026-12-07 10:00"), "Asia/Shanghai")
    evening = DigestPeriod.days_to(datetime(2026, 12, 7, 10, 30, tzinfo=UTC), "Asia/Shanghai")  # 18:30
    whole = DigestPeriod.week_ending(_local("2026-12-08 00:00"), "Asia/Shanghai")
    assert morning.week() == evening.week() == whole.week() == whole
    assert (whole.start, whole.end) == (_local("2026-12-01 00:00"), _local("2026-12-08 00:00"))
    slot_week = week_before(_local("2026-12-07 09:00"), "Asia/Shanghai")  # 11-30 – 12-06
    assert morning.week() != slot_week and slot_week.week() == slot_week
    assert morning.label() == "2026-12-01 – 2026-12-07 (until 10:00)"
    assert evening.label() == "2026-12-01 – 2026-12-07 (until 18:30)"
    assert whole.label() == "2026-12-01 – 2026-12-07"


def test_a_time_at_local_midnight_gives_the_seven_whole_days_before_it() -> None:
    """``--until '2026-12-07 00:00'`` is ``--until 2026-12-07``, not 6 days with an empty 7th."""
    at_midnight = DigestPeriod.days_to(_local("2026-12-07 00:00"), "Asia/Shanghai")
    assert at_midnight == DigestPeriod.week_ending(_local("2026-12-07 00:00"), "Asia/Shanghai")
    assert len(at_midnight.days()) == 7 and at_midnight.week() == at_midnight


def test_last_week_is_the_same_span_a_week_before() -> None:
    whole = DigestPeriod.week_ending(_local("2026-12-08 00:00"), "Asia/Shanghai")
    assert (whole.previous().start, whole.previous().end) == (_local("2026-11-24 00:00"), whole.start)
    partial = DigestPeriod.days_to(_local("2026-12-07 04:15"), "Asia/Shanghai")
    before = partial.previous()
    assert (before.start, before.end) == (_local("2026-11-24 00:00"), _local("2026-11-30 04:15"))
