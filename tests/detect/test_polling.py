"""Adaptive polling policy (no fixture: thread states built in the test)."""

from __future__ import annotations

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import prior_baseline
from monitor.detect.detector import detect_thread
from monitor.detect.polling import PollPolicy, PollState, next_threshold, plan_polls, poll_state
from monitor.detect.timeline import timeline_from_offsets

SETTINGS = DetectSettings()
HOUR = 3600.0


def test_new_threads_come_first_oldest_first_and_budget_is_kept() -> None:
    states = [
        PollState("hot", 0.0, last_polled=HOUR, score=-0.2, rise_per_hour=3.0),
        PollState("new-b", 2 * HOUR, None),
        PollState("new-a", HOUR, None),
    ]
    assert plan_polls(states, 2 * HOUR, 2, SETTINGS) == ["new-a", "new-b"]
    assert plan_polls(states, 2 * HOUR, 3, SETTINGS) == ["new-a", "new-b", "hot"]
    assert plan_polls(states, 2 * HOUR, 0, SETTINGS) == []


def test_rising_threads_before_flat_ones_and_recent_reads_wait() -> None:
    now = 10 * HOUR
    rising = PollState("rising", 0.0, last_polled=now - 600, score=-1.0, rise_per_hour=4.0)
    flat = PollState("flat", 0.0, last_polled=now - 3 * HOUR, score=-2.0, rise_per_hour=0.0)
    just_read = PollState("just-read", 0.0, last_polled=now - 30, score=-0.1, rise_per_hour=9.0)
    assert plan_polls([flat, just_read, rising], now, 3, SETTINGS) == ["rising", "flat"]


def test_every_thread_is_read_at_least_every_max_interval() -> None:
    policy = PollPolicy(max_interval=2 * HOUR)
    dead = PollState("dead", 0.0, last_polled=HOUR, score=-8.0, rise_per_hour=-1.0)
    warm = PollState("warm", 0.0, last_polled=2.9 * HOUR, score=-0.5, rise_per_hour=1.0)
    assert plan_polls([warm, dead], 3.05 * HOUR, 1, SETTINGS, policy) == ["dead"]
    assert plan_polls([warm, dead], 2.95 * HOUR, 1, SETTINGS, policy) == ["warm"]


def test_alerting_threads_are_watched_for_the_next_tier() -> None:
    assert next_threshold(-3.0, SETTINGS) == SETTINGS.general_score
    assert next_threshold(0.5, SETTINGS) == SETTINGS.urgent_score
    assert next_threshold(5.0, SETTINGS) == 6.0


def test_poll_state_measures_the_score_rise_between_reads() -> None:
    baseline = prior_baseline(SETTINGS)
    first = detect_thread(timeline_from_offsets([60.0 * i for i in range(1, 5)], 1800), baseline, SETTINGS)
    second = detect_thread(timeline_from_offsets([60.0 * i for i in range(1, 40)], 3600), baseline, SETTINGS)
    before = poll_state("t", 0.0, 1800.0, first.score.value)
    after = poll_state("t", 0.0, 3600.0, second.score.value, previous=before)
    assert before.rise_per_hour == 0.0
    assert after.rise_per_hour == (second.score.value - first.score.value) * 2
    assert after.rise_per_hour > 0


def test_a_second_read_at_the_same_moment_keeps_the_higher_score_and_the_rise() -> None:
    before = poll_state("t", 0.0, 1800.0, -2.0)
    first = poll_state("t", 0.0, 3600.0, -1.0, previous=before)  # watch group A
    again = poll_state("t", 0.0, 3600.0, -0.5, previous=first)  # watch group B: the same read
    assert (again.score, again.rise_per_hour, again.last_polled) == (-0.5, 2.0, 3600.0)
    assert poll_state("t", 0.0, 3600.0, -3.0, previous=again) == again
