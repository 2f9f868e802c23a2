"""The spread-velocity detector: one thread, one moment, one board → score, tier, reasons.

:func:`detect_thread` is the single scoring function: the pipeline calls it (through
:func:`monitor.detect.assess.assess`) for live threads and ``monitor eval detect`` calls it
for replayed ones. It is pure: time comes in as the timeline's age, nothing sleeps, the same
input gives the same output.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import BoardBaseline, prior_baseline
from monitor.detect.features import HOUR, SHORTEST_RATE_SPAN, ThreadFeatures, thread_features
from monitor.detect.forecast import Forecast, forecast_replies
from monitor.detect.hysteresis import score_tier
from monitor.detect.score import EscalationScore, escalation_score
from monitor.detect.severity import Severity
from monitor.detect.spread import Spread, describe_spread
from monitor.detect.timeline import Timeline
from monitor.detect.velocity import counted, times

NO_BASELINE_NOTE = "board baseline unavailable (board gone or unknown): compared with the default board"


@dataclass(frozen=True)
class Detection:
    score: EscalationScore
    tier: Severity | None  # by score, with hysteresis; None = below the alert threshold
    features: ThreadFeatures
    forecast: Forecast
    baseline: BoardBaseline
    reasons: tuple[str, ...]  # for a person, most telling first
    notes: tuple[str, ...]  # data problems worked around


def detect_thread(
    timeline: Timeline,
    baseline: BoardBaseline | None,
    settings: DetectSettings,
    previous: Severity | None = None,
    me_too_authors: int = 0,
    spread: Spread | None = None,
    first_floor: int = 1,
) -> Detection:
    """Score a thread; ``previous`` is its tier at the last poll (None: not alerting).

    ``me_too_authors`` counts 我也遇到了 authors known from elsewhere (e.g. a snapshot) when
    the timeline carries no per-reply flags; the larger of the two counts is used. ``spread``
    is where else the thread's story is told (:func:`monitor.detect.spread.find_spread`);
    ``first_floor`` the number the forum shows on the opening post (1, or 0 as NGA), for the reasons.
    """
    notes = list(timeline.notes)
    if baseline is None:
        notes.append(NO_BASELINE_NOTE)
        baseline = prior_baseline(settings)
    features = thread_features(timeline, settings)
    forecast = forecast_replies(features.growth, baseline)
    resonance = max(features.me_too_authors, me_too_authors)
    score = escalation_score(forecast, baseline, resonance, settings, spread)
    tier = score_tier(score.value, previous, settings)
    return Detection(
        score=score,
        tier=tier,
        features=features,
        forecast=forecast,
        baseline=baseline,
        reasons=tuple(
            _reasons(features, forecast, baseline, score, resonance, spread, settings, first_floor)
        ),
        notes=tuple(notes),
    )


def _reasons(
    f: ThreadFeatures,
    forecast: Forecast,
    baseline: BoardBaseline,
    score: EscalationScore,
    me_too_authors: int,
    spread: Spread | None,
    settings: DetectSettings,
    first_floor: int,
) -> list[str]:
    window = f"{settings.window_minutes:g} min"
    usual = baseline.usual_replies_per_hour
    ratio = f.replies_per_hour / usual if usual > 0 else 0.0
    age_minutes = f.age_hours * 60
    # a thread younger than the window: its replies so far, over its life ("3 in its first 11 min")
    span = (
        f"in its first {max(age_minutes, 1):.0f} min"
        if age_minutes < settings.window_minutes
        else f"in the last {window}"
    )
    # a rate is never taken over less than SHORTEST_RATE_SPAN: said, or "5 in 4 min (30/h)" reads as a slip
    floored = f.age_hours * HOUR < SHORTEST_RATE_SPAN
    over = f", taken over {SHORTEST_RATE_SPAN / 60:.0f} min" if floored else ""
    reasons = [
        f"{counted(f.window_replies, 'reply', 'replies')} {span} ({f.replies_per_hour:.0f}/h{over}), "
        f"{times(ratio)} this board's usual ({usual:.1f}/h)"
    ]
    if f.previous_window_replies or f.age_hours * 60 > 2 * settings.window_minutes:
        trend = "accelerating" if f.acceleration > 0 else "slowing" if f.acceleration < 0 else "steady"
        reasons.append(
            f"{trend}: {counted(f.window_replies, 'reply', 'replies')} vs {f.previous_window_replies} "
            f"the {window} before"
        )
    if f.distinct_authors:
        reasons.append(
            f"{counted(f.distinct_authors, 'distinct author', 'distinct authors')} ({f.new_authors} new in "
            f"the last {window}), {counted(f.replies, 'reply', 'replies')} in all"
        )
    if me_too_authors:
        shown = f.me_too_floor - 1 + first_floor if f.me_too_floor is not None else None
        where = f" (first at floor {shown})" if shown is not None else ""
        says = counted(me_too_authors, "author says", "authors say")
        reasons.append(f"{says} 我也遇到了 (me too){where}")
    where_else = describe_spread(spread) if spread is not None else None
    if where_else:
        reasons.append(where_else)
    reasons.append(
        f"{forecast.describe()}; this board's top 5 % reach {baseline.escalation_replies:.0f} "
        f"(escalation score {score.value:+.1f}, alert at {settings.general_score:+.1f})"
    )
    return reasons
