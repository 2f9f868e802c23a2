"""``monitor eval polling``: adaptive vs fixed-interval polling at the same request budget.

A simulated board on one host: ``threads`` real timelines from a growth data folder (its
report part, see :func:`~monitor.eval.detect_data.split_part`), one new thread every
``24 h / threads`` over a day, each followed for its first 24 h. The crawler may send
``budget`` requests per hour; one request reads one thread, and a thread is seen only when it
is read (then all its replies so far, with their times, as on a forum page). After every read
the product's detector scores the thread with the board baseline learned from the folder's
fit part; the thread is *detected* at the first read whose score reaches ``general_score``.

Its *crossing* is the first reply time at which the detector, watching continuously, would
have reached ``general_score`` (checked at reply times, at most ~150 per thread). Detection
delay = detection time − crossing time; a crossing thread never detected while followed
counts with its delay until it stops being followed.

* **fixed**: every thread in turn (least recently read first, new threads first), so each is
  read about every ``live threads / budget`` hours — the interval the budget affords;
* **adaptive**: :func:`monitor.detect.polling.plan_polls` on the detector's view.

The budget is set from ``interval_minutes``: the requests per hour that let fixed polling read
every live thread once per interval on average.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import BoardBaseline, learn_board_baseline
from monitor.detect.detector import Detection, detect_thread
from monitor.detect.features import DAY, HOUR
from monitor.detect.polling import PollPolicy, PollState, plan_polls, poll_state
from monitor.detect.timeline import timeline_from_offsets
from monitor.eval.detect_data import FIT, REPORT, GrowthThread, load_dataset, split_part
from monitor.eval.detect_metrics import median

ADAPTIVE, FIXED = "adaptive", "fixed"
_TICK = 60.0
_MAX_CHECKS = 150


@dataclass(frozen=True)
class BoardThread:
    key: str
    created_at: float
    offsets: tuple[float, ...]  # replies, seconds since the thread's first post (<= 24 h)


@dataclass(frozen=True)
class PollingResult:
    dataset: str
    policy: str
    threads: int
    crossings: int
    detected: int
    budget_per_hour: float
    median_delay_min: float


def make_board(threads: Sequence[GrowthThread], count: int) -> list[BoardThread]:
    """``count`` threads in a stable hash order, one arriving every ``24 h / count``."""
    chosen = sorted(threads, key=lambda t: hashlib.sha256(t.thread_id.encode("utf-8")).hexdigest())[:count]
    step = DAY / max(len(chosen), 1)
    return [
        BoardThread(t.thread_id, i * step, tuple(x for x in t.offsets if x <= DAY))
        for i, t in enumerate(chosen)
    ]


def crossing_age(thread: BoardThread, baseline: BoardBaseline, settings: DetectSettings) -> float | None:
    """First reply time (age, s) at which a continuous watcher's score reaches the alert threshold."""
    stride = max(1, len(thread.offsets) // _MAX_CHECKS)
    for index in range(0, len(thread.offsets), stride):
        age = thread.offsets[index]
        if _score(thread, age, baseline, settings).score.value >= settings.general_score:
            return age
    return None


def simulate(
    board: Sequence[BoardThread],
    baseline: BoardBaseline,
    settings: DetectSettings,
    budget_per_hour: float,
    policy: str,
    rules: PollPolicy | None = None,
) -> dict[str, float]:
    """Detection time (board clock, s) of every thread detected while followed."""
    end = max(t.created_at for t in board) + DAY
    states: dict[str, PollState] = {}
    detected: dict[str, float] = {}
    credit = 0.0
    now = 0.0
    by_key = {t.key: t for t in board}
    while now <= end:
        for thread in board:
            if thread.key not in states and thread.created_at <= now:
                states[thread.key] = PollState(thread.key, thread.created_at)
        live = [s for s in states.values() if now - s.created_at < DAY]
        credit += budget_per_hour * _TICK / HOUR
        spend = int(credit)
        credit -= spend
        if policy == ADAPTIVE:
            keys = plan_polls(live, now, spend, settings, rules)
        else:
            ordered = sorted(
                live, key=lambda s: (s.last_polled is not None, s.last_polled or 0.0, s.created_at, s.key)
            )
            keys = [s.key for s in ordered[:spend]]
        for key in keys:
            thread = by_key[key]
            found = _score(thread, now - thread.created_at, baseline, settings)
            states[key] = poll_state(key, thread.created_at, now, found.score.value, previous=states[key])
            if key not in detected and found.score.value >= settings.general_score:
                detected[key] = now
        now += _TICK
    return detected


def run_polling(
    data_dirs: Sequence[Path],
    settings: DetectSettings,
    out: TextIO,
    threads: int = 400,
    interval_minutes: float = 60.0,
) -> list[PollingResult]:
    results: list[PollingResult] = []
    for directory in data_dirs:
        dataset = load_dataset(directory)
        fit = [t for t in dataset.threads if split_part(t.thread_id) == FIT]
        baseline = learn_board_baseline([t.offsets for t in fit], settings)
        board = make_board([t for t in dataset.threads if split_part(t.thread_id) == REPORT], threads)
        crossings = {
            t.key: t.created_at + age
            for t in board
            if (age := crossing_age(t, baseline, settings)) is not None
        }
        live_average = len(board) * DAY / (max(t.created_at for t in board) + DAY)
        budget = live_average * 60.0 / interval_minutes
        print(
            f"\n## {dataset.name}: {len(board)} threads on one board (report part), "
            f"{len(crossings)} reach the alert threshold; budget {budget:.0f} requests/h "
            f"(fixed polling reads each live thread about every {interval_minutes:g} min)",
            file=out,
        )
        for policy in (FIXED, ADAPTIVE):
            found = simulate(board, baseline, settings, budget, policy)
            created = {t.key: t.created_at for t in board}
            delays = [
                max(0.0, found.get(key, created[key] + DAY) - crossed) / 60.0
                for key, crossed in crossings.items()
            ]
            result = PollingResult(
                dataset=dataset.name,
                policy=policy,
                threads=len(board),
                crossings=len(crossings),
                detected=sum(1 for key in crossings if key in found),
                budget_per_hour=budget,
                median_delay_min=median(delays),
            )
            results.append(result)
            print(
                f"  {policy:8s}: median detection delay {result.median_delay_min:.1f} min "
                f"({result.detected}/{result.crossings} detected while followed)",
                file=out,
            )
    for r in results:
        print(
            f"RESULT polling={r.policy} dataset={r.dataset} median_delay_min={r.median_delay_min:.1f} "
            f"budget_per_h={r.budget_per_hour:.0f} crossings={r.crossings} detected={r.detected}",
            file=out,
        )
    return results


def _score(thread: BoardThread, age: float, baseline: BoardBaseline, settings: DetectSettings) -> Detection:
    seen = [x for x in thread.offsets if x <= age]
    return detect_thread(timeline_from_offsets(seen, age), baseline, settings)
