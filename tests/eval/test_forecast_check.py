"""How the forecast held up in ``monitor eval detect``: its range, ×2 and bias figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import learn_board_baseline
from monitor.detect.detector import detect_thread
from monitor.detect.timeline import timeline_from_offsets
from monitor.eval.detect import DETECTOR, evaluate
from monitor.eval.detect_data import FIT, REPORT, GrowthThread, load_dataset, split_part
from monitor.eval.forecast_check import check_forecasts

SETTINGS = DetectSettings()
GROWTH = Path(__file__).resolve().parents[1] / "fixtures" / "growth"


def _burst(n: int, every_s: float, start_s: float = 0.0) -> list[float]:
    return [start_s + every_s * (i + 1) for i in range(n)]


def _thread(key: str, first_hour: int, final: int) -> GrowthThread:
    offsets = _burst(first_hour, 3000.0 / first_hour) + _burst(final - first_hour, 60.0, 7200.0)
    return GrowthThread(key, tuple(offsets), "test", False, None, final)


def test_each_thread_is_judged_against_its_own_forecast_and_range() -> None:
    board = [_burst(2 + i % 9, 3000.0 / (2 + i % 9)) + _burst(20, 3000.0, 7200.0) for i in range(300)]
    baseline = learn_board_baseline(board, SETTINGS)
    forecast = detect_thread(timeline_from_offsets(_burst(10, 300.0), 3600), baseline, SETTINGS).forecast
    assert forecast.low_day is not None and forecast.high_day is not None
    inside = round((forecast.low_day + forecast.high_day) / 2)
    threads = [_thread("in", 10, inside), _thread("far", 10, round(forecast.high_day * 10))]
    found = check_forecasts(threads, 3600, baseline, SETTINGS)
    assert found.every.threads == 2
    assert found.every.in_range == pytest.approx(0.5)
    ratios = [(1 + t.final_size) / (1 + forecast.expected_day) for t in threads]
    assert found.every.median_ratio == pytest.approx(sum(ratios) / 2)  # the median of two
    assert found.every.within_2x == pytest.approx(0.5 if 0.5 <= ratios[0] <= 2 else 0.0)
    assert "2 threads: 50% in the 80 % range" in found.every.describe()


@pytest.mark.parametrize("name", ["cascades", "reddit_college", "weibo_ced"])
def test_the_eval_counts_the_forecasts_of_exactly_the_threads_at_the_alert_threshold(name: str) -> None:
    dataset = load_dataset(GROWTH / name)
    fit = [t for t in dataset.threads if split_part(t.thread_id) == FIT]
    report = [t for t in dataset.threads if split_part(t.thread_id) == REPORT]
    rows = [r for r in evaluate(dataset, fit, report, [0.5, 1.0, 2.0], SETTINGS) if r.detector == DETECTOR]
    assert len(rows) == 3
    for row in rows:
        assert row.forecast is not None and row.alert_recall is not None and row.alert_fpr is not None
        alerted = row.alert_recall * row.positives + row.alert_fpr * (row.n - row.positives)
        assert row.forecast.alerted.threads == round(alerted)
        assert row.forecast.every.threads == row.n
        for fit_ in (row.forecast.alerted, row.forecast.every):
            assert 0.0 <= fit_.in_range <= 1.0 and 0.0 <= fit_.within_2x <= 1.0
            assert fit_.median_ratio > 0 or fit_.threads == 0
