"""The reasons say which rule set the tier: a crisis signal or the me-too authors (a floor), or the
escalation score against the tiers' thresholds, with what the next tier needs.

A live walkthrough's 紧迫 email had said only "escalation score +1.4, alert at +0.0": nothing told
the reader that the third 我也遇到了 author, or the score passing +1.0, had made it urgent.
"""

from __future__ import annotations

from monitor.config.settings import DetectSettings
from monitor.detect.assess import ThreadFacts, assess
from monitor.detect.baseline import prior_baseline
from monitor.detect.severity import Severity
from monitor.detect.timeline import timeline_from_offsets

SETTINGS = DetectSettings()
_NAMES = {Severity.GENERAL: "一般 general", Severity.URGENT: "紧迫 urgent"}


def _facts(minutes: list[float], age_minutes: float, **changes: object) -> ThreadFacts:
    base = dict(
        replies=len(minutes), replies_in_window=len(minutes), window_minutes=60.0,
        posts_scored=len(minutes) + 1, negative_share=0.8, distinct_authors=len(minutes), me_too_authors=0,
        timeline=timeline_from_offsets([60.0 * m for m in minutes], 60.0 * age_minutes),
        baseline=prior_baseline(SETTINGS),
    )  # fmt: skip
    base.update(changes)
    return ThreadFacts(**base)  # type: ignore[arg-type]


def _tier_line(figures: list[str]) -> list[str]:
    return [f for f in figures if "by the escalation score" in f or ": set by" in f or " kept while" in f]


def test_very_urgent_by_the_score_names_its_threshold() -> None:
    settings = DetectSettings(general_score=-2.0, urgent_score=-1.0, very_urgent_score=-0.5)
    found = assess(_facts([2.0 * i for i in range(1, 16)], 31), settings)
    assert found.severity == Severity.VERY_URGENT and found.score is not None
    assert _tier_line(found.figures) == [
        f"非常紧迫 very urgent by the escalation score {found.score:+.1f} (from -0.5)"
    ]


def test_the_score_sets_the_tier_and_the_next_tiers_threshold_is_named() -> None:
    found = assess(_facts([2.0 * i for i in range(1, 16)], 31), SETTINGS)
    assert found.score is not None and found.escalating
    [line] = _tier_line(found.figures)
    tier = found.severity
    assert tier != Severity.VERY_URGENT  # so a next tier exists
    nxt = {Severity.GENERAL: "紧迫 from +1.0", Severity.URGENT: "非常紧迫 from +2.0"}[tier]
    assert line == f"{_NAMES[tier]} by the escalation score {found.score:+.1f} ({nxt})"


def test_a_lawyer_sets_very_urgent_and_me_too_authors_urgent() -> None:
    quiet = [10.0, 25.0, 40.0, 55.0, 70.0]
    lawyer = assess(_facts(quiet, 80, signal_floors={"lawyer": 4}), SETTINGS)
    assert lawyer.severity == Severity.VERY_URGENT
    assert _tier_line(lawyer.figures) == ["非常紧迫 very urgent: set by lawyer (律师/诉讼) at floor 4"]
    me_too = assess(_facts(quiet, 80, me_too_authors=3), SETTINGS)
    assert me_too.severity == Severity.URGENT
    assert _tier_line(me_too.figures) == ["紧迫 urgent: set by 3 authors saying 我也遇到了 (紧迫 from 3)"]


def test_a_tier_kept_by_hysteresis_says_so() -> None:
    facts = _facts([2.0 * i for i in range(1, 16)], 31)
    score = assess(facts, SETTINGS).score
    assert score is not None
    # thresholds just above the score, the thread urgent at the previous poll: kept within the hysteresis
    settings = DetectSettings(urgent_score=score + 0.1, very_urgent_score=score + 5)
    kept = assess(_facts([2.0 * i for i in range(1, 16)], 31, previous_severity=Severity.URGENT), settings)
    assert kept.severity == Severity.URGENT
    assert _tier_line(kept.figures) == [
        f"紧迫 urgent kept while the escalation score ({score:+.1f}) stays within "
        f"{settings.hysteresis:g} of {score + 0.1:+.1f} (非常紧迫 from {score + 5:+.1f})"
    ]


def test_a_thread_over_the_score_but_held_back_says_why() -> None:
    """A walkthrough's `threads rising` showed '+0.0 below … (escalation score +0.0, alert at +0.0)'
    for a thread with 4 replies: nothing said 5 are needed."""
    more = DetectSettings(min_replies=20)
    held = assess(_facts([2.0 * i for i in range(1, 16)], 31), more)
    assert held.score is not None and held.score >= more.general_score and not held.escalating
    assert "not alerting: 15 replies (alerts from 20)" in held.figures
    calm = assess(_facts([2.0 * i for i in range(1, 16)], 31, negative_share=0.2), SETTINGS)
    assert not calm.escalating
    assert "not alerting: 20% read negative (alerts from 50%)" in calm.figures
    alerting = assess(_facts([2.0 * i for i in range(1, 16)], 31), SETTINGS)
    assert alerting.escalating and not [f for f in alerting.figures if f.startswith("not alerting")]


def test_a_signal_holding_the_tier_the_score_also_gives_is_named_too() -> None:
    """A re-verification: a lawyer at floor 12 held 非常紧迫 while the score sat just under +2.0, and
    the line said the tier was 'kept while the escalation score … stays within 0.5'."""
    fast = [2.0 * i for i in range(1, 16)]
    score = assess(_facts(fast, 31), SETTINGS).score
    assert score is not None
    under = DetectSettings(general_score=score - 2, urgent_score=score - 1, very_urgent_score=score + 0.2)
    held = assess(
        _facts(fast, 31, signal_floors={"lawyer": 12}, previous_severity=Severity.VERY_URGENT), under
    )
    assert held.severity == Severity.VERY_URGENT
    assert _tier_line(held.figures) == ["非常紧迫 very urgent: set by lawyer (律师/诉讼) at floor 12"]
    over = DetectSettings(general_score=score - 2, urgent_score=score - 1, very_urgent_score=score - 0.2)
    both = assess(_facts(fast, 31, signal_floors={"lawyer": 12}), over)
    assert _tier_line(both.figures) == [
        f"非常紧迫 very urgent by the escalation score {score:+.1f} (from {score - 0.2:+.1f}); "
        "also set by lawyer (律师/诉讼) at floor 12"
    ]


def test_a_rate_taken_over_more_than_the_threads_age_says_so() -> None:
    """'5 replies in its first 4 min (30/h)' read as a slip (5 in 4 min is 75/h): rates are taken
    over at least 10 min, and the reason now says so."""
    young = assess(_facts([0.5, 1.0, 2.0, 3.0, 3.5], 4), SETTINGS)
    assert young.figures[0].startswith("5 replies in its first 4 min (30/h, taken over 10 min), ")
    older = assess(_facts([2.0 * i for i in range(1, 16)], 31), SETTINGS)
    assert older.figures[0].startswith("15 replies in its first 31 min (29/h), ")
