"""How the forecast shown on alerts ("likely ~N replies within 24 h (80 % range a–b)") held up.

For the replayed threads the detector scores at the alert threshold — the ones a person would
see the forecast on — and for every open thread: the share whose real 24 h size fell in the
80 % range, the share within ×2 of "~N" (sizes counted as ``1 + replies``), and the median
real size over "~N" (below 1: the forecast ran high).
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import BoardBaseline
from monitor.detect.detector import detect_thread
from monitor.detect.forecast import Forecast
from monitor.detect.timeline import timeline_from_offsets
from monitor.detect.velocity import counted
from monitor.eval.detect_data import GrowthThread


@dataclass(frozen=True)
class ForecastFit:
    threads: int
    in_range: float  # share whose 24 h size fell in the forecast's 80 % range
    within_2x: float  # share within ×2 of the forecast
    median_ratio: float  # median (1 + real size) / (1 + forecast)

    def describe(self) -> str:
        if not self.threads:
            return "no threads"
        return (
            f"{counted(self.threads, 'thread', 'threads')}: {self.in_range:.0%} in the 80 % range, "
            f"{self.within_2x:.0%} within ×2 of ~N, median real/forecast {self.median_ratio:.2f}"
        )


@dataclass(frozen=True)
class ForecastCheck:
    alerted: ForecastFit  # threads at or above the alert threshold
    every: ForecastFit  # every open thread


def check_forecasts(
    threads: Sequence[GrowthThread], at: float, baseline: BoardBaseline, settings: DetectSettings
) -> ForecastCheck:
    alerted: list[tuple[Forecast, int]] = []
    every: list[tuple[Forecast, int]] = []
    for thread in threads:
        seen = thread.offsets[: bisect.bisect_right(thread.offsets, at)]
        found = detect_thread(timeline_from_offsets(seen, at), baseline, settings)
        every.append((found.forecast, thread.final_size))
        if found.score.value >= settings.general_score:
            alerted.append((found.forecast, thread.final_size))
    return ForecastCheck(alerted=_fit(alerted), every=_fit(every))


def _fit(pairs: Sequence[tuple[Forecast, int]]) -> ForecastFit:
    if not pairs:
        return ForecastFit(0, 0.0, 0.0, 0.0)
    ratios = [(1 + size) / (1 + forecast.expected_day) for forecast, size in pairs]
    in_range = [
        forecast.low_day is not None
        and forecast.high_day is not None
        and forecast.low_day <= size <= forecast.high_day
        for forecast, size in pairs
    ]
    return ForecastFit(
        threads=len(pairs),
        in_range=sum(in_range) / len(pairs),
        within_2x=sum(0.5 <= r <= 2.0 for r in ratios) / len(pairs),
        median_ratio=statistics.median(ratios),
    )
