"""Views against the board's usual pace: first-day paces, their median, the reasons' line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.detect.views import first_day_pace, usual_views_per_hour, views_figure

POSTED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return POSTED + timedelta(minutes=minutes)


def test_first_day_pace_spans_the_first_and_last_reading_of_the_first_day() -> None:
    readings = [
        (_at(120), 260),
        (_at(0), 20),
        (_at(60), 100),
        (_at(25 * 60), 9000),
    ]  # unordered; last too late
    assert first_day_pace(POSTED, readings) == 120.0  # 240 views over 2 h
    before_post = [(_at(-30), 0), (_at(30), 50)]  # a reading before the first post is a clock error
    assert first_day_pace(POSTED, before_post) is None


def test_no_pace_from_one_reading_or_readings_minutes_apart_and_a_reset_counter_gains_nothing() -> None:
    assert first_day_pace(POSTED, [(_at(5), 40)]) is None
    assert first_day_pace(POSTED, [(_at(5), 40), (_at(9), 90)]) is None
    assert first_day_pace(POSTED, [(_at(0), 500), (_at(30), 10)]) == 0.0


def test_usual_pace_is_the_median_once_five_threads_give_one() -> None:
    assert usual_views_per_hour([10.0, 20.0, 30.0, 40.0]) is None
    assert usual_views_per_hour([50.0, 10.0, 400.0, 30.0, 20.0]) == 30.0
    assert usual_views_per_hour([10.0, 20.0, 30.0, 40.0, 50.0, 60.0]) == 30.0  # the lower median


def test_views_line_names_the_multiple_of_the_usual_pace() -> None:
    assert views_figure(543, 60.0, 60.0) == [
        "543 views in the last 60 min (543/h), 9.1× this board's usual (60/h)"
    ]
    assert views_figure(1240, 30.0, 4.5) == [
        "1,240 views in the last 30 min (2,480/h), 551× this board's usual (4.5/h)"
    ]
    assert views_figure(1, 60.0, None) == ["1 view in the last 60 min (1/h)"]
    assert views_figure(30, 60.0, 0.0) == [
        "30 views in the last 60 min (30/h), where this board's threads usually gain none"
    ]
    assert views_figure(0, 60.0, 60.0) == [] and views_figure(None, 60.0, 60.0) == []
    assert views_figure(10, 0.0, 60.0) == []


def test_a_young_threads_views_are_since_its_first_post_and_never_per_two_minutes() -> None:
    assert views_figure(120, 17.0, 60.0, whole_life=True) == [
        "120 views in its first 17 min (424/h), 7.1× this board's usual (60/h)"
    ]
    # two minutes old: the rate is over at least 10 minutes, not 40 views × 30
    assert views_figure(40, 2.0, None, whole_life=True) == [
        "40 views in its first 2 min (240/h, taken over 10 min)"
    ]
