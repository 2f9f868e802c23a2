"""Score → tier, with hysteresis so a thread does not flap between tiers.

A thread enters a tier when its score reaches the tier's threshold, and keeps a tier it
already has until the score falls ``hysteresis`` below that threshold. ``None`` means below
the alert threshold.
"""

from __future__ import annotations

from monitor.config.settings import DetectSettings
from monitor.detect.severity import Severity


def tier_thresholds(settings: DetectSettings) -> dict[Severity, float]:
    return {
        Severity.GENERAL: settings.general_score,
        Severity.URGENT: settings.urgent_score,
        Severity.VERY_URGENT: settings.very_urgent_score,
    }


def score_tier(score: float, previous: Severity | None, settings: DetectSettings) -> Severity | None:
    """The tier for ``score`` given the tier the thread had at the previous poll."""
    for tier, threshold in sorted(tier_thresholds(settings).items(), key=lambda kv: kv[0].rank, reverse=True):
        if score >= threshold:
            return tier
        if previous is not None and previous >= tier and score >= threshold - settings.hysteresis:
            return tier
    return None
