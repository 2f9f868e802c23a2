"""Decide whether a watched thread is escalating and how severe it is.

The pipeline builds :class:`ThreadFacts` at every poll and calls :func:`assess`.

* With a ``timeline`` (reply times, authors, 我也遇到了 flags — see
  :func:`monitor.detect.timeline.build_timeline`) and the board's ``baseline``, the
  spread-velocity detector (:func:`monitor.detect.detector.detect_thread`) scores the thread
  against its board, forecasts its day and picks the tier with hysteresis (pass the tier the
  thread had at the last poll as ``previous_severity``).
* Without a timeline, the walking-skeleton rule still works: replies per hour over the
  window, negative share, resonance and crisis signals.

Either way a watched thread alerts only when it also reads negative, and crisis signals set a
floor on the tier: a regulator at least 紧迫, a journalist or lawyer 非常紧迫. A signal of
``alert_signals`` (media, by default) in an opening post that reads negative — a journalist's
investigation, a complaint already in the news — alerts on its own, however slowly the thread
grows; so does one of ``alert_signals_anywhere`` (journalist, by default: 我是XX晚报记者,
记者联系了我) in any post, a reply included, of a thread that reads negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import BoardBaseline
from monitor.detect.detector import detect_thread
from monitor.detect.forecast import Forecast
from monitor.detect.hysteresis import tier_thresholds
from monitor.detect.severity import Severity
from monitor.detect.spread import Spread, describe_spread
from monitor.detect.timeline import Timeline
from monitor.detect.velocity import counted, per_hour
from monitor.detect.views import views_figure
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
    negative_opening_signals: tuple[str, ...] = ()  # signals of the opening post, if it reads negative
    timeline: Timeline | None = None  # reply times etc.: enables the spread-velocity detector
    spread: Spread | None = None  # the same story on other boards and forums
    views_gained: int | None = None  # views gained since an earlier snapshot; None = unknown
    views_span_minutes: float = 0.0  # ... over this many minutes (the window, or more if polls were sparse)
    views_whole_life: bool = False  # a thread younger than the window: its views since its first post
    board_negative_share: float | None = None  # the board's median thread's negative share; None = unknown
    board_views_per_hour: float | None = None  # the board's median thread's first-day views/h; None = unknown
    baseline: BoardBaseline | None = None  # the board's; None = board unknown (prior is used)
    previous_severity: Severity | None = None  # tier at the last poll if alerting, else None
    first_floor: int = 1  # the number the forum shows on the opening post: 1 (1楼) or 0 (#0, NGA)

    def shown_floor(self, floor: int) -> int:
        """A stored floor (1 = the opening post) as the forum shows it, for the reasons."""
        return floor - 1 + self.first_floor


@dataclass(frozen=True)
class Assessment:
    escalating: bool
    severity: Severity
    figures: list[str]  # the reasons, for a person
    signals: list[str]
    negative_share: float
    replies_per_hour: float
    score: float | None = None  # escalation score (detector only)
    forecast: Forecast | None = None  # where the thread is heading (detector only)
    notes: list[str] = field(default_factory=list)  # data problems worked around (also in figures)
    spread: Spread | None = None  # the facts' copies of the story: an alert opening links them at once


def assess(facts: ThreadFacts, settings: DetectSettings) -> Assessment:
    if facts.timeline is not None:
        return _assess_timeline(facts, facts.timeline, settings)
    rate = per_hour(facts.replies_in_window, timedelta(minutes=facts.window_minutes))
    window = f"{facts.window_minutes:g} min"
    figures = [
        f"{counted(facts.replies_in_window, 'reply', 'replies')} in the last {window} "
        f"({rate:.0f}/h; alert at {settings.min_replies_per_hour:g}/h)",
        *_views_figure(facts),
        _negative_figure(facts, settings),
        f"{counted(facts.distinct_authors, 'distinct author', 'distinct authors')}, "
        f"{counted(facts.replies, 'reply', 'replies')} in all",
    ]
    if facts.me_too_authors:
        figures.append(f"{counted(facts.me_too_authors, 'author says', 'authors say')} 我也遇到了 (me too)")
    where_else = describe_spread(facts.spread) if facts.spread is not None else None
    if where_else:
        figures.append(where_else)
    figures.extend(_spread_floor_figure(facts, settings))
    alerting_signals = _alerting_signals(facts, settings)
    figures[:0] = alerting_signals
    escalating = bool(alerting_signals) or (
        facts.replies >= settings.min_replies
        and rate >= settings.min_replies_per_hour
        and facts.negative_share >= settings.min_negative_share
    )
    severity = Severity.GENERAL
    if rate >= settings.urgent_replies_per_hour:
        severity = Severity.URGENT
    if rate >= settings.very_urgent_replies_per_hour:
        severity = Severity.VERY_URGENT
    return Assessment(
        escalating=escalating,
        severity=max(severity, _signal_floor(facts, facts.me_too_authors, settings)),
        figures=figures,
        signals=_signals(facts),
        negative_share=facts.negative_share,
        replies_per_hour=rate,
        spread=facts.spread,
    )


def _assess_timeline(facts: ThreadFacts, timeline: Timeline, settings: DetectSettings) -> Assessment:
    found = detect_thread(
        timeline,
        facts.baseline,
        settings,
        previous=facts.previous_severity,
        me_too_authors=facts.me_too_authors,
        spread=facts.spread,
        first_floor=facts.first_floor,
    )
    replies = max(facts.replies, found.features.replies)
    negative_bar = settings.min_negative_share
    if facts.previous_severity is not None:
        negative_bar -= settings.negative_share_margin
    alerting_signals = _alerting_signals(facts, settings)
    escalating = bool(alerting_signals) or (
        found.tier is not None and replies >= settings.min_replies and facts.negative_share >= negative_bar
    )
    me_too = max(facts.me_too_authors, found.features.me_too_authors)
    figures = [
        *alerting_signals,
        *found.reasons[:1],
        *_views_figure(facts),
        *found.reasons[1:],
        *_spread_floor_figure(facts, settings),
        *_tier_figure(found.tier, found.score.value, facts, me_too, settings),
        _negative_figure(facts, settings),
        *_held_back(
            found.tier is not None and not escalating, replies, facts.negative_share, negative_bar, settings
        ),
        *found.notes,
    ]
    return Assessment(
        escalating=escalating,
        severity=max(found.tier or Severity.GENERAL, _signal_floor(facts, me_too, settings)),
        figures=figures,
        signals=_signals(facts),
        negative_share=facts.negative_share,
        replies_per_hour=found.features.replies_per_hour,
        score=found.score.value,
        forecast=found.forecast,
        notes=list(found.notes),
        spread=facts.spread,
    )


def _alerting_signals(facts: ThreadFacts, settings: DetectSettings) -> list[str]:
    """Why the thread alerts on its own, however slowly it grows (one figure each): a signal of
    ``alert_signals`` in an opening post that reads negative, one of ``alert_signals_anywhere`` in
    any post of a thread that reads negative (a journalist at work on the complaint, at any floor)."""
    figures = []
    opening = [name for name in facts.negative_opening_signals if name in settings.alert_signals]
    if opening:
        said = ", ".join(SIGNAL_LABELS.get(name, name) for name in opening)
        figures.append(f"{said} in the opening post, which reads negative: {_HOWEVER_SLOWLY}")
    for name in settings.alert_signals_anywhere:
        floor = facts.signal_floors.get(name)
        if floor is None or name in opening or facts.negative_share < settings.min_negative_share:
            continue  # a journalist after a travel feature on a thread of praise is no crisis
        where = "in the opening post" if floor == 1 else f"at floor {facts.shown_floor(floor)}"
        figures.append(f"{SIGNAL_LABELS.get(name, name)} {where}: {_HOWEVER_SLOWLY}")
    return figures


_HOWEVER_SLOWLY = "alerts however slowly the thread grows"


def _views_figure(facts: ThreadFacts) -> list[str]:
    """Views show readers arriving before they reply; shown when snapshots give them."""
    return views_figure(
        facts.views_gained, facts.views_span_minutes, facts.board_views_per_hour, facts.views_whole_life
    )


def _negative_figure(facts: ThreadFacts, settings: DetectSettings) -> str:
    usual = ""
    if facts.board_negative_share is not None:
        usual = f"; this board's threads usually {facts.board_negative_share:.0%}"
    return (
        f"{facts.negative_share:.0%} of {counted(facts.posts_scored, 'post', 'posts')} read negative "
        f"(alert at {settings.min_negative_share:.0%}{usual})"
    )


def _signal_floor(facts: ThreadFacts, me_too_authors: int, settings: DetectSettings) -> Severity:
    floor = Severity.GENERAL
    if me_too_authors >= settings.urgent_me_too_authors or any(
        name in facts.signal_floors for name in settings.urgent_signals
    ):
        floor = Severity.URGENT
    if _spread_to_forums(facts, settings):
        floor = Severity.URGENT
    if any(name in facts.signal_floors for name in settings.very_urgent_signals):
        floor = Severity.VERY_URGENT
    return floor


def _held_back(held: bool, replies: int, negative: float, bar: float, settings: DetectSettings) -> list[str]:
    """Why a thread whose score reached the alert threshold does not alert (yet)."""
    if not held:
        return []
    why = []
    if replies < settings.min_replies:
        why.append(f"{counted(replies, 'reply', 'replies')} (alerts from {settings.min_replies})")
    if negative < bar:
        why.append(f"{negative:.0%} read negative (alerts from {bar:.0%})")
    return [f"not alerting: {'; '.join(why)}"] if why else []


_TIERS = {
    Severity.GENERAL: "一般 general",
    Severity.URGENT: "紧迫 urgent",
    Severity.VERY_URGENT: "非常紧迫 very urgent",
}


def _tier_figure(
    tier: Severity | None, score: float, facts: ThreadFacts, me_too_authors: int, settings: DetectSettings
) -> list[str]:
    """Which rule set the thread's tier: a crisis signal or the me-too authors (a floor), or the
    escalation score against the tiers' thresholds (and what the next tier needs). None below the
    alert threshold, nor for the spread to other forums (its own line says so)."""
    floor, why = _floor_why(facts, me_too_authors, settings)
    thresholds = tier_thresholds(settings)
    # a floor sets the tier when the score does not reach it on its own (a tier kept by hysteresis
    # included: the signal holds it whatever the score does)
    if why and (tier is None or floor > tier or (floor == tier and score < thresholds[tier])):
        return [f"{_TIERS[floor]}: set by {why}"]
    if tier is None:
        return []
    reached = thresholds[tier]
    above = [t for t in thresholds if t > tier]
    beyond = f"{above[0].label_zh} from {thresholds[above[0]]:+.1f}" if above else f"from {reached:+.1f}"
    if score >= reached:
        also = f"; also set by {why}" if why and floor == tier else ""
        return [f"{_TIERS[tier]} by the escalation score {score:+.1f} ({beyond}){also}"]
    return [
        f"{_TIERS[tier]} kept while the escalation score ({score:+.1f}) stays within "
        f"{settings.hysteresis:g} of {reached:+.1f}" + (f" ({beyond})" if above else "")
    ]


def _floor_why(facts: ThreadFacts, me_too_authors: int, settings: DetectSettings) -> tuple[Severity, str]:
    """The tier the thread's signals and me-too authors make it at least, and why ("" if nothing)."""
    for tier, names in (
        (Severity.VERY_URGENT, settings.very_urgent_signals),
        (Severity.URGENT, settings.urgent_signals),
    ):
        found = sorted((facts.signal_floors[name], name) for name in names if name in facts.signal_floors)
        if found:
            floor, name = found[0]
            where = "the opening post" if floor == 1 else f"floor {facts.shown_floor(floor)}"
            return tier, f"{SIGNAL_LABELS.get(name, name)} at {where}"
    if me_too_authors >= settings.urgent_me_too_authors:
        says = counted(me_too_authors, "author saying", "authors saying")
        return Severity.URGENT, f"{says} 我也遇到了 (紧迫 from {settings.urgent_me_too_authors})"
    return Severity.GENERAL, ""


def _spread_to_forums(facts: ThreadFacts, settings: DetectSettings) -> bool:
    """The story is on enough other forums to call for urgent handling (the playbook's "first sign")."""
    wanted = settings.urgent_spread_forums
    return bool(wanted and facts.spread is not None and len(facts.spread.other_forums) >= wanted)


def _spread_floor_figure(facts: ThreadFacts, settings: DetectSettings) -> list[str]:
    if not _spread_to_forums(facts, settings) or facts.spread is None:
        return []
    forums = "、".join(facts.spread.other_forums)
    return [f"spread to other forums ({forums}): at least 紧迫 urgent"]


def _signals(facts: ThreadFacts) -> list[str]:
    return [
        f"{SIGNAL_LABELS.get(name, name)} first at floor {facts.shown_floor(floor)}"
        for name, floor in sorted(facts.signal_floors.items(), key=lambda item: item[1])
    ]
