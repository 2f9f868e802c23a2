"""The spread-velocity detector on synthetic timelines (no fixture: timelines built in the test)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from statistics import NormalDist

from monitor.config.settings import DetectSettings
from monitor.detect.assess import ThreadFacts, assess
from monitor.detect.baseline import learn_board_baseline, prior_baseline
from monitor.detect.detector import NO_BASELINE_NOTE, detect_thread
from monitor.detect.forecast import forecast_replies
from monitor.detect.hysteresis import score_tier
from monitor.detect.severity import Severity
from monitor.detect.timeline import build_timeline, timeline_from_offsets

SETTINGS = DetectSettings()
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MIN = 60.0


def _burst(n: int, every_s: float, start_s: float = 0.0) -> list[float]:
    return [start_s + every_s * (i + 1) for i in range(n)]


def _quiet_board(threads: int = 200) -> list[list[float]]:
    """Threads that get a handful of replies over their first day."""
    return [[3600.0 * (1 + (i % 5)) * k for k in range(1, 1 + i % 4)] for i in range(threads)]


def _busy_board(threads: int = 200) -> list[list[float]]:
    """Threads that get a reply every 2 minutes for hours: 40 replies in the first hour is normal."""
    return [_burst(300 + i % 50, 120.0 + (i % 7)) for i in range(threads)]


def test_escalating_thread_outscores_a_flat_one_and_alerts() -> None:
    baseline = learn_board_baseline(_quiet_board(), SETTINGS)
    hot = detect_thread(timeline_from_offsets(_burst(25, 2 * MIN), 3600), baseline, SETTINGS)
    flat = detect_thread(timeline_from_offsets([600, 1800, 3000], 3600), baseline, SETTINGS)
    assert hot.score.value > flat.score.value + 2
    assert hot.tier is not None and flat.tier is None
    assert hot.reasons[0].startswith("25 replies in the last 60 min (25/h)")
    assert "this board's usual" in hot.reasons[0]
    assert any(r.startswith("likely ~") and "within 24 h" in r for r in hot.reasons)


def test_same_thread_alarms_on_a_quiet_board_but_not_on_a_busy_one() -> None:
    thread = timeline_from_offsets(_burst(20, 3 * MIN), 3600)
    quiet = detect_thread(thread, learn_board_baseline(_quiet_board(), SETTINGS), SETTINGS)
    busy = detect_thread(thread, learn_board_baseline(_busy_board(), SETTINGS), SETTINGS)
    assert quiet.tier is not None
    assert busy.tier is None
    assert busy.baseline.escalation_replies > 10 * quiet.baseline.escalation_replies


def test_a_new_board_uses_the_prior_and_learns_as_history_grows() -> None:
    prior = prior_baseline(SETTINGS)
    assert learn_board_baseline([], SETTINGS) == prior
    few = learn_board_baseline(_busy_board(3), SETTINGS)
    many = learn_board_baseline(_busy_board(300), SETTINGS)
    assert prior.escalation_replies < few.escalation_replies < many.escalation_replies
    for model in many.models:
        assert min(model.weights) >= 0  # monotone forecast


def test_forecast_is_finite_on_tiny_timelines_and_monotone_in_activity() -> None:
    baseline = prior_baseline(SETTINGS)
    previous = -1.0
    for n in range(0, 30):
        timeline = timeline_from_offsets(_burst(n, 60.0), 1800.0)
        found = detect_thread(timeline, baseline, SETTINGS)
        expected = found.forecast.expected_day
        assert math.isfinite(expected) and math.isfinite(found.score.value)
        assert expected >= n and expected >= previous
        previous = expected
    one = detect_thread(timeline_from_offsets([5.0], 10.0), baseline, SETTINGS)
    two = detect_thread(timeline_from_offsets([5.0, 7.0], 7.0), baseline, SETTINGS)
    assert 1 <= one.forecast.expected_day <= two.forecast.expected_day < 1000
    recent = forecast_replies(
        detect_thread(timeline_from_offsets(_burst(10, 60, 3000), 3600), baseline, SETTINGS).features.growth,
        baseline,
    )
    early = forecast_replies(
        detect_thread(timeline_from_offsets(_burst(10, 60, 0), 3600), baseline, SETTINGS).features.growth,
        baseline,
    )
    assert recent.expected_day > early.expected_day  # the same replies, more recent: hotter


def test_old_threads_forecast_their_next_day() -> None:
    revived = timeline_from_offsets([*_burst(5, 3600), *_burst(30, 60, 3 * 86400 - 1800)], 3 * 86400)
    found = detect_thread(revived, prior_baseline(SETTINGS), SETTINGS)
    assert not found.forecast.first_day
    assert "more replies in the next 24 h" in found.forecast.describe()
    dead = detect_thread(
        timeline_from_offsets(_burst(35, 600), 3 * 86400), prior_baseline(SETTINGS), SETTINGS
    )
    assert dead.score.value < found.score.value


def test_hysteresis_keeps_a_tier_until_the_score_falls_clearly_below() -> None:
    assert score_tier(-0.1, None, SETTINGS) is None
    assert score_tier(0.0, None, SETTINGS) == Severity.GENERAL
    assert score_tier(-0.4, Severity.GENERAL, SETTINGS) == Severity.GENERAL
    assert score_tier(-0.6, Severity.GENERAL, SETTINGS) is None
    assert score_tier(1.6, Severity.VERY_URGENT, SETTINGS) == Severity.VERY_URGENT
    assert score_tier(1.2, Severity.VERY_URGENT, SETTINGS) == Severity.URGENT
    # a score wobbling around a threshold changes the tier once, not at every poll
    tier: Severity | None = None
    changes = 0
    for score in [-0.2, 0.1, -0.2, 0.05, -0.3, 0.2, -0.1, 0.9, 1.05, 0.8, 1.1, 0.7]:
        new = score_tier(score, tier, SETTINGS)
        changes += new != tier
        tier = new
    assert changes == 2 and tier == Severity.URGENT


def test_clock_jumps_are_repaired_and_said() -> None:
    now = START + timedelta(hours=1)
    replies = [START + timedelta(minutes=m) for m in (50, 5, 30)] + [now + timedelta(hours=3)]
    timeline = build_timeline(START, now, replies)
    assert timeline.offsets == (300.0, 1800.0, 3000.0, 3600.0)  # sorted, the future one clamped to now
    assert any("dated after now" in note for note in timeline.notes)
    backwards = build_timeline(START, START - timedelta(hours=2), replies[:2])
    assert backwards.age == 0.0 and any("before the first post" in n for n in backwards.notes)
    found = detect_thread(backwards, prior_baseline(SETTINGS), SETTINGS)
    assert math.isfinite(found.score.value) and "before the first post" in " ".join(found.notes)


def test_snapshots_out_of_order_and_deleted_posts() -> None:
    now = START + timedelta(hours=2)
    replies = [START + timedelta(minutes=m) for m in range(1, 11)]
    snapshots = [
        (START + timedelta(minutes=90), 14),
        (START + timedelta(minutes=30), 8),
        (START + timedelta(minutes=60), 16),
        (START + timedelta(minutes=120), 14),
    ]
    timeline = build_timeline(START, now, replies, snapshots=snapshots)
    notes = " ".join(timeline.notes)
    assert "went down (16 → 14" in notes
    assert "4 replies counted but not yet read" in notes
    assert len(timeline.offsets) == 14 and list(timeline.offsets) == sorted(timeline.offsets)
    assert all(30 * MIN <= t <= 120 * MIN for t in timeline.offsets[10:])


def test_a_count_that_came_back_after_a_deletion_is_no_longer_said_to_go_down() -> None:
    now = START + timedelta(hours=2)
    replies = [START + timedelta(minutes=m) for m in range(1, 17)]  # 16 read, one since deleted
    dropped = [(START + timedelta(minutes=60), 16), (START + timedelta(minutes=90), 15)]
    came_back = [*dropped, (START + timedelta(minutes=120), 17)]
    during = " ".join(build_timeline(START, now, replies, snapshots=dropped).notes)
    assert "went down (16 → 15" in during
    after = build_timeline(START, now, [*replies, START + timedelta(minutes=100)], snapshots=came_back)
    assert after.notes == ()  # 17 listed, 17 read: nothing to say any more
    # the count came back to 16 with one new reply: 17 read, one of them gone from the forum's count
    level = [*dropped, (START + timedelta(minutes=120), 16)]
    notes = " ".join(build_timeline(START, now, [*replies, now], snapshots=level).notes)
    assert "went down" not in notes
    assert "the forum lists 16 replies, 17 were read here (1 since deleted?)" in notes


def test_a_vanished_board_falls_back_to_the_prior_and_says_so() -> None:
    found = detect_thread(timeline_from_offsets(_burst(12, 120), 3600), None, SETTINGS)
    assert found.baseline == prior_baseline(SETTINGS)
    assert NO_BASELINE_NOTE in found.notes


def _facts(timeline_minutes: list[float], **changes: object) -> ThreadFacts:
    now = START + timedelta(hours=1)
    replies = [START + timedelta(minutes=m) for m in timeline_minutes]
    base: dict[str, object] = {
        "replies": len(replies),
        "replies_in_window": len(replies),
        "window_minutes": 60.0,
        "posts_scored": len(replies) + 1,
        "negative_share": 0.7,
        "distinct_authors": len(replies),
        "me_too_authors": 0,
        "timeline": build_timeline(START, now, replies, authors=[f"u{i}" for i in range(len(replies))]),
        "baseline": learn_board_baseline(_quiet_board(), SETTINGS),
    }
    base.update(changes)
    return ThreadFacts(**base)  # type: ignore[arg-type]


def test_assess_with_a_timeline_gives_score_forecast_and_reasons() -> None:
    result = assess(_facts([2.0 * i for i in range(1, 16)]), SETTINGS)
    assert result.escalating and result.score is not None and result.forecast is not None
    assert result.figures[0].startswith("15 replies in the last 60 min")
    assert any("15 distinct authors (15 new" in f for f in result.figures)
    assert any("posts read negative" in f for f in result.figures)
    assert result.replies_per_hour == 15.0


def test_assess_needs_negativity_and_keeps_an_alert_with_hysteresis() -> None:
    hot = [2.0 * i for i in range(1, 16)]
    assert not assess(_facts(hot, negative_share=0.45), SETTINGS).escalating
    kept = assess(_facts(hot, negative_share=0.45, previous_severity=Severity.GENERAL), SETTINGS)
    assert kept.escalating


def test_resonance_and_signals_raise_the_tier() -> None:
    hot = [2.0 * i for i in range(1, 16)]
    plain = assess(_facts(hot), SETTINGS)
    me_too = assess(_facts(hot, me_too_authors=4), SETTINGS)
    assert me_too.score is not None and plain.score is not None
    assert me_too.score == plain.score + SETTINGS.me_too_score_cap
    assert me_too.severity >= Severity.URGENT
    assert any("4 authors say 我也遇到了" in f for f in me_too.figures)
    lawyer = assess(_facts(hot, signal_floors={"lawyer": 31}), SETTINGS)
    assert lawyer.severity == Severity.VERY_URGENT
    assert lawyer.signals == ["lawyer (律师/诉讼) first at floor 31"]


def test_board_where_recent_replies_decide_learns_to_rank_by_them_not_by_count() -> None:
    # Each thread: a burst of `early` replies in its first minutes, `late` replies in the
    # half hour before 1 h, and 20 more per late reply over the rest of the day: the 24 h
    # size is set by the recent replies, as in a cascade that keeps spreading.
    board: list[list[float]] = []
    for i in range(240):
        early, late = 1 + i % 23, i % 11
        replies = _burst(early, 10.0) + _burst(late, 1500.0 / (late + 1), 2000.0)
        replies += _burst(20 * late, 80000.0 / (20 * late + 1), 4000.0)
        board.append(replies)
    baseline = learn_board_baseline(board, SETTINGS)
    model = baseline.model_at(3600)
    assert model.weight("recent_window") + model.weight("recent_short") > model.weight("replies")
    old_burst = timeline_from_offsets(_burst(22, 10.0) + _burst(1, 1000.0, 2000.0), 3600)
    still_going = timeline_from_offsets(_burst(2, 10.0) + _burst(9, 150.0, 2000.0), 3600)
    quiet, busy = (detect_thread(t, baseline, SETTINGS) for t in (old_burst, still_going))
    assert quiet.features.replies > busy.features.replies  # the naive count ranks them the other way
    assert busy.score.value > quiet.score.value + 1
    assert busy.forecast.expected_day > 100 > quiet.forecast.expected_day


def _lognormal_board(sigma: float) -> tuple[list[list[float]], dict[int, list[int]]]:
    """9 kinds of start (2..10 replies in the first hour); each kind's 24 h size is 3× its start
    times log-normal noise (laid out by quantile, so deterministic)."""
    spread = NormalDist(0.0, sigma)
    board: list[list[float]] = []
    finals: dict[int, list[int]] = {}
    for early in range(2, 11):
        for j in range(100):
            final = max(early, round(3 * early * math.exp(spread.inv_cdf((j + 0.5) / 100))))
            late = final - early
            board.append(_burst(early, 3000.0 / early) + _burst(late, 64800.0 / (late + 1), 7200.0))
            finals.setdefault(early, []).append(final)
    return board, finals


def test_forecast_range_holds_eight_in_ten_of_the_outcomes_it_was_learned_for() -> None:
    # the board's biggest starts (10 replies in the first hour) end between 30·e^(±1.28σ) in 8
    # cases out of 10; the range is learned from those errors, not assumed
    for sigma in (0.3, 0.9):
        board, finals = _lognormal_board(sigma)
        found = detect_thread(
            timeline_from_offsets(_burst(10, 300.0), 3600), learn_board_baseline(board, SETTINGS), SETTINGS
        )
        low, high = found.forecast.low_day, found.forecast.high_day
        assert low is not None and high is not None
        inside = sum(low <= final <= high for final in finals[10]) / len(finals[10])
        assert 0.7 <= inside <= 0.9, (sigma, low, high, inside)
        assert low < found.forecast.expected_day < high
        said = found.forecast.describe()
        assert f"(80 % range {low:.0f}–{high:.0f})" in said, said
    # a wider spread of outcomes, a wider range
    narrow = detect_thread(
        timeline_from_offsets(_burst(10, 300.0), 3600),
        learn_board_baseline(_lognormal_board(0.3)[0], SETTINGS),
        SETTINGS,
    ).forecast
    wide = detect_thread(
        timeline_from_offsets(_burst(10, 300.0), 3600),
        learn_board_baseline(_lognormal_board(0.9)[0], SETTINGS),
        SETTINGS,
    ).forecast
    assert narrow.high_day and wide.high_day and narrow.low_day is not None and wide.low_day is not None
    assert wide.high_day / (1 + wide.low_day) > 2 * narrow.high_day / (1 + narrow.low_day)


def test_forecast_is_the_expected_size_not_the_median() -> None:
    # 9 kinds of start (2..10 replies in the first hour); each kind's 24 h size is 3× its start
    # times log-normal noise (sigma 0.9, laid out by quantile, so deterministic): the median
    # day is 3× the start, the mean 3 · e^(0.9²/2) ≈ 4.5×.
    spread = NormalDist(0.0, 0.9)
    board: list[list[float]] = []
    finals: dict[int, list[int]] = {}
    for early in range(2, 11):
        for j in range(100):
            final = max(early, round(3 * early * math.exp(spread.inv_cdf((j + 0.5) / 100))))
            late = final - early
            board.append(_burst(early, 3000.0 / early) + _burst(late, 64800.0 / (late + 1), 7200.0))
            finals.setdefault(early, []).append(final)
    baseline = learn_board_baseline(board, SETTINGS)
    model = baseline.model_at(3600)
    assert model.mean_shift > 0
    start = timeline_from_offsets(_burst(10, 300.0), 3600)
    found = detect_thread(start, baseline, SETTINGS)
    mean = sum(finals[10]) / len(finals[10])
    median = math.expm1(model.predict_log(found.features.growth))
    assert abs(found.forecast.expected_day - mean) < 0.15 * mean
    assert median < 0.8 * mean


def test_a_thread_younger_than_the_window_says_its_replies_over_its_life() -> None:
    """'3 replies in the last 60 min (16/h)' on an 11-minute-old thread read as a contradiction."""
    baseline = prior_baseline(SETTINGS)
    young = detect_thread(timeline_from_offsets([120.0, 300.0, 600.0], 660.0), baseline, SETTINGS)
    assert young.reasons[0].startswith("3 replies in its first 11 min (16/h), ")
    older = detect_thread(timeline_from_offsets([3000.0, 3300.0, 3600.0], 4000.0), baseline, SETTINGS)
    assert older.reasons[0].startswith("3 replies in the last 60 min (3/h), ")


def test_me_too_floor_is_the_posts_floor_not_its_place_among_the_stored_replies() -> None:
    # floors 3 to 8 were deleted or never read: the first me-too is the third stored reply, at floor 9
    replies = [START + timedelta(minutes=m) for m in (5, 10, 15, 20)]
    timeline = build_timeline(
        START,
        START + timedelta(minutes=30),
        replies,
        authors=["a", "b", "c", "d"],
        me_too=[False, False, True, True],
        floors=[2, 3, 9, 10],
    )
    found = detect_thread(timeline, prior_baseline(SETTINGS), SETTINGS)
    assert found.features.me_too_floor == 9
    assert any("(first at floor 9)" in reason for reason in found.reasons), found.reasons
