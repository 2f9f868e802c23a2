"""The escalation score: one number per thread, relative to its board, with its parts.

``growth`` is ``log2`` of the thread's forecast day over the size of the board's top 5 %
threads: 0 means "heading for this board's biggest threads", +1 twice that, −3 an eighth of
it. ``resonance`` adds ``me_too_score`` per distinct author saying 我也遇到了 (capped at
``me_too_score_cap``): others recognising the same problem is how a complaint becomes a
crisis (seed 000). Crisis signals (media, lawyer, regulator) are not in the score; they set
a floor on the tier instead (see :mod:`monitor.detect.detector`).

In replayed data only reply times exist, so there the score is ``growth`` alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import BoardBaseline
from monitor.detect.forecast import Forecast
from monitor.detect.spread import Spread, spread_score


@dataclass(frozen=True)
class EscalationScore:
    value: float
    growth: float
    resonance: float
    spread: float = 0.0


def growth_score(forecast: Forecast, baseline: BoardBaseline) -> float:
    return math.log2((1.0 + forecast.expected_day) / (1.0 + baseline.escalation_replies))


def escalation_score(
    forecast: Forecast,
    baseline: BoardBaseline,
    me_too_authors: int,
    settings: DetectSettings,
    spread: Spread | None = None,
) -> EscalationScore:
    growth = growth_score(forecast, baseline)
    resonance = min(settings.me_too_score * me_too_authors, settings.me_too_score_cap)
    reach = spread_score(spread, settings)
    return EscalationScore(value=growth + resonance + reach, growth=growth, resonance=resonance, spread=reach)
