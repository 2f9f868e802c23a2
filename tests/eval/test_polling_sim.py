"""The polling simulation on a synthetic board: adaptive finds bursts sooner than fixed, same budget."""

from __future__ import annotations

import random

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import learn_board_baseline
from monitor.eval.detect_metrics import median
from monitor.eval.polling import ADAPTIVE, FIXED, BoardThread, crossing_age, simulate

SETTINGS = DetectSettings()
DAY = 86400.0


def _thread(rng: random.Random, hot: bool) -> tuple[float, ...]:
    if hot:  # a complaint that catches on: replies come faster and faster over a few hours
        start, span, n = rng.uniform(0, 3600), rng.uniform(2, 4) * 3600, rng.randint(150, 300)
        return tuple(start + span * ((k + 1) / n) ** 0.5 for k in range(n))
    return tuple(sorted(rng.uniform(0, DAY) for _ in range(rng.randint(0, 6))))


def test_adaptive_polling_detects_bursts_much_sooner_than_fixed_interval() -> None:
    rng = random.Random(5)
    history = [list(_thread(rng, hot=i % 25 == 0)) for i in range(300)]
    baseline = learn_board_baseline(history, SETTINGS)
    board = [BoardThread(f"t{i:03d}", i * DAY / 120, _thread(rng, hot=i % 12 == 5)) for i in range(120)]
    crossings = {
        t.key: t.created_at + a for t in board if (a := crossing_age(t, baseline, SETTINGS)) is not None
    }
    assert len(crossings) >= 8
    budget = 60.0  # requests per hour for ~60 live threads: fixed reads each about hourly
    delays = {}
    for policy in (FIXED, ADAPTIVE):
        found = simulate(board, baseline, SETTINGS, budget, policy)
        delays[policy] = median([found.get(k, c + DAY) - c for k, c in crossings.items()])
    assert delays[ADAPTIVE] * 2 <= delays[FIXED]
