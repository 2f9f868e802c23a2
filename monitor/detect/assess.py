"""Decide whether a watched thread is escalating and how severe it is.

The walking-skeleton rule: a watched thread alerts when it grows fast (replies per
hour over the window) and reads negative; its tier comes from velocity, resonance
(distinct authors saying 我也遇到了) and crisis signals (media, lawyer, regulator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from monitor.config.settings import DetectSettings
from monitor.detect.severity import Severity
from monitor.detect.velocity import per_hour
from monitor.enrich.signals import SIGNAL_LABELS


@dataclass(frozen=True)
class ThreadFacts:
    """What the detector knows about a thread at one poll."""

    replies: int
    replies_in_window: int
    window_minutes: float
    posts_scored: int
    negative_share: float
    distinct_authors: int
    me_too_authors: int
    signal_floors: dict[str, int] = field(default_factory=dict)  # signal -> first floor seen


@dataclass(frozen=True)
class Assessment:
    escalating: bool
    severity: Severity
    figures: list[str]
    signals: list[str]
    negative_share: float
    replies_per_hour: float


def assess(facts: ThreadFacts, settings: DetectSettings) -> Assessment:
    rate = per_hour(facts.replies_in_window, timedelta(minutes=facts.window_minutes))
    window = f"{facts.window_minutes:g} min"
    figures = [
        f"{facts.replies_in_window} replies in the last {window} ({rate:.0f}/h; alert at "
        f"{settings.min_replies_per_hour:g}/h)",
        f"{facts.negative_share:.0%} of {facts.posts_scored} posts read negative "
        f"(alert at {settings.min_negative_share:.0%})",
        f"{facts.distinct_authors} distinct authors, {facts.replies} replies in all",
    ]
    if facts.me_too_authors:
        figures.append(f"{facts.me_too_authors} authors say 我也遇到了 (me too)")
    signals = [
        f"{SIGNAL_LABELS.get(name, name)} first at floor {floor}"
        for name, floor in sorted(facts.signal_floors.items(), key=lambda item: item[1])
    ]
    escalating = (
        facts.replies >= settings.min_replies
        and rate >= settings.min_replies_per_hour
        and facts.negative_share >= settings.min_negative_share
    )
    severity = Severity.GENERAL
    if (
        rate >= settings.urgent_replies_per_hour
        or facts.me_too_authors >= settings.urgent_me_too_authors
        or any(name in facts.signal_floors for name in settings.urgent_signals)
    ):
        severity = Severity.URGENT
    if rate >= settings.very_urgent_replies_per_hour or any(
        name in facts.signal_floors for name in settings.very_urgent_signals
    ):
        severity = Severity.VERY_URGENT
    return Assessment(
        escalating=escalating,
        severity=severity,
        figures=figures,
        signals=signals,
        negative_share=facts.negative_share,
        replies_per_hour=rate,
    )
