"""Where a thread is heading: "likely ~N replies within 24 h".

A thread younger than a day is forecast by its board's growth model at its age (see
:mod:`monitor.detect.baseline`): the expected size of its first day — the mean, not the
median, so a forecast at the board's top-5 % size means what it says. The median day is never
below the replies the thread already has, and the mean is the median times the board's
mean-over-median ratio at that age (``mean_shift``), never below the replies either. Its
80 % range is the median moved by the 10th and 90th percentiles of the board's big forecasts'
errors at that age (``low_shift``, ``high_shift``): the spread of outcomes behind "likely ~N".

A thread older than a day has no first day left to forecast; its next day is taken as half
the recency-weighted replies of its last day (old threads' activity decays), so a revived old
thread can still alarm and a long, dead one does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from monitor.detect.baseline import BoardBaseline
from monitor.detect.features import DAY, GrowthInputs

_OLD_THREAD_CARRY = 0.5


@dataclass(frozen=True)
class Forecast:
    """Expected replies over the thread's reference day."""

    replies_now: int
    expected_day: float  # replies in its first 24 h (young thread) or in the next 24 h (old one)
    first_day: bool  # True: expected_day is the first day's total, counting replies so far
    low_day: float | None = None  # the first day's 80 % range (young thread only)
    high_day: float | None = None

    @property
    def expected_total(self) -> float:
        """Replies the thread is expected to have at the end of the forecast day."""
        return self.expected_day if self.first_day else self.replies_now + self.expected_day

    def describe(self) -> str:
        count = _round(self.expected_day)
        replies = "reply" if count == "1" else "replies"
        if self.first_day:
            said = f"likely ~{count} {replies} within 24 h of the first post"
            if self.low_day is not None and self.high_day is not None and self.high_day > self.low_day:
                said += f" (80 % range {_round(self.low_day)}–{_round(self.high_day)})"
            return said
        return f"likely ~{count} more {replies} in the next 24 h"


def forecast_replies(growth: GrowthInputs, baseline: BoardBaseline) -> Forecast:
    if growth.age < DAY:
        model = baseline.model_at(growth.age)
        median_log = max(math.log1p(growth.replies), model.predict_log(growth))
        expected = max(float(growth.replies), math.expm1(median_log + model.mean_shift))
        return Forecast(
            replies_now=growth.replies,
            expected_day=expected,
            first_day=True,
            low_day=max(float(growth.replies), math.expm1(median_log + model.low_shift)),
            high_day=max(float(growth.replies), math.expm1(median_log + model.high_shift)),
        )
    return Forecast(
        replies_now=growth.replies, expected_day=_OLD_THREAD_CARRY * growth.recent_long, first_day=False
    )


def _round(value: float) -> str:
    """Forecasts are rough: 2 significant figures past 100."""
    if value < 100:
        return f"{value:.0f}"
    digits = 10 ** (int(math.log10(value)) - 1)
    return f"{round(value / digits) * digits:,.0f}"
