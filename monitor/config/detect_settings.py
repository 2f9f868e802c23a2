"""The ``[detect]`` settings: when a watched thread alerts, its tiers, and the detector's priors.

A section of :class:`monitor.config.settings.Settings` (read from ``monitor.toml``); explained for
people in ``docs/detection.md``.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from monitor.config.section import Section


class DetectSettings(Section):
    window_minutes: float = Field(60.0, gt=0, description="Window over which reply velocity is measured.")
    min_replies: int = Field(5, ge=0, description="A thread needs at least this many replies to alert.")
    min_replies_per_hour: float = Field(
        6.0,
        gt=0,
        description="Legacy rule (used only when no reply times are passed): velocity that opens an alert.",
    )
    min_negative_share: float = Field(
        0.5, ge=0, le=1, description="Share of posts read as negative needed to alert."
    )
    negative_share_margin: float = Field(
        0.1,
        ge=0,
        le=1,
        description="An alerting thread keeps alerting until its negative share is this far below the bar.",
    )
    urgent_replies_per_hour: float = Field(
        12.0, gt=0, description="Legacy rule (no reply times passed): velocity that makes an alert urgent."
    )
    urgent_me_too_authors: int = Field(
        3, ge=1, description="Distinct authors saying 我也遇到了 that make an alert urgent (紧迫)."
    )
    very_urgent_replies_per_hour: float = Field(
        30.0,
        gt=0,
        description="Legacy rule (no reply times passed): velocity that makes an alert very urgent.",
    )
    urgent_signals: tuple[str, ...] = Field(
        ("regulator", "consumer_day"),
        description="Crisis signals that make an alert at least urgent (紧迫).",
    )
    very_urgent_signals: tuple[str, ...] = Field(
        ("media", "lawyer", "journalist"),
        description="Crisis signals that make an alert very urgent (非常紧迫) on their own.",
    )
    alert_signals: tuple[str, ...] = Field(
        ("media",),
        description=(
            "Crisis signals that open an alert on their own, however slowly the thread grows, when "
            "they are in a watched thread's opening post and it reads negative: a journalist's "
            "investigation or a complaint already in the news. Its tier comes from the lists above."
        ),
    )
    alert_signals_anywhere: tuple[str, ...] = Field(
        ("journalist",),
        description=(
            "Crisis signals that open an alert on their own wherever they are in a watched thread "
            "(a reply too) and whatever the post reads: a journalist at work on the story "
            "(我是XX晚报记者, 记者联系了我, 接受了电视台的采访). Its tier comes from the lists above."
        ),
    )
    general_score: float = Field(
        0.0,
        description=(
            "Escalation score at which a watched, negative thread alerts (一般). The score is log2 of the "
            "24 h reply forecast over the board's top-5 % thread size, plus resonance: 0 = heading for "
            "the board's biggest threads."
        ),
    )
    urgent_score: float = Field(1.0, description="Escalation score that makes an alert urgent (紧迫).")
    very_urgent_score: float = Field(
        2.0, description="Escalation score that makes an alert very urgent (非常紧迫)."
    )
    hysteresis: float = Field(
        0.5,
        ge=0,
        description="A tier is kept until the score falls this far below its threshold (no flapping).",
    )
    me_too_score: float = Field(
        0.25, ge=0, description="Score added per distinct author saying 我也遇到了 (resonance)."
    )
    me_too_score_cap: float = Field(1.0, ge=0, description="Most score that resonance can add.")
    recent_window_minutes: float = Field(
        30.0,
        gt=0,
        description="Growth model input: replies in this many last minutes (besides the count and memories).",
    )
    memory_short: float = Field(
        0.25,
        gt=0,
        description="Short memory of the growth model: recent replies decay over this fraction of the age.",
    )
    memory_long: float = Field(
        1.0,
        gt=0,
        description="Long memory of the growth model: recent replies decay over this fraction of the age.",
    )
    prior_growth: tuple[float, float, float, float, float] = Field(
        (0.8, 0.1, 0.0, 0.3, 1.0),
        description=(
            "Growth model of a new or quiet board: log(1+replies at 24 h) = a + b*log(1+replies) + "
            "c*log(1+replies in the recent window) + d*log(1+short-memory replies) + "
            "e*log(1+long-memory replies); boards learn their own (b..e never negative). The default is "
            "close to what a real forum board (reddit_college) learns for threads 1-2 h old."
        ),
    )
    prior_growth_variance: float = Field(
        0.6,
        ge=0,
        description=(
            "Variance of log(1+replies at 24 h) around the growth model on a new or quiet board; boards "
            "learn their own per age, on their biggest forecasts. The forecast is the mean, not the "
            "median: exp(model + variance/2) - 1, so a forecast at the board's top-5 % size flags about "
            "as many threads as end there. The default lies between what real boards learn at 1-2 h "
            "(cascades, weibo_ced about 0.3-0.4; reddit_college 0.7-1.1)."
        ),
    )
    prior_escalation_replies: float = Field(
        40.0, gt=0, description="Top-5 % 24 h thread size assumed for a new or quiet board."
    )
    prior_usual_replies_per_hour: float = Field(
        1.0, gt=0, description="Replies in a thread's first hour assumed usual on a new or quiet board."
    )
    prior_weight_threads: float = Field(
        30.0,
        gt=0,
        description="How many threads' worth of weight the prior carries against a board's own history.",
    )
    baseline_days: float = Field(
        30.0, gt=1, description="Threads first posted within this many days feed a board's baseline."
    )
    story_window_hours: float = Field(
        72.0,
        gt=0,
        description=(
            "How long after its last update an alert still collects cross-posts, and how far back the "
            "spread check looks for the same story on other boards and forums."
        ),
    )
    story_similarity: float = Field(
        0.1,
        gt=0,
        le=1,
        description=(
            "Text similarity (0..1: share of the shorter text's character trigrams found in the other) at "
            "which another watched thread counts as the same story. A copy scores near 1, a retelling "
            "0.1-0.3, another complaint about the same company a few hundredths."
        ),
    )
    story_boilerplate_share: float = Field(
        0.3,
        gt=0,
        le=1,
        description=(
            "Character trigrams found in at least this share of a board's recent opening posts are the "
            "board's boilerplate (a posting template, stock phrases) and are left out when the story "
            "check compares a thread of that board: two complaints sharing a template are not one story."
        ),
    )
    story_boilerplate_threads: int = Field(
        10,
        ge=2,
        description=(
            "A board needs this many recent threads (of the last 100) before anything counts as its "
            "boilerplate."
        ),
    )
    spread_score: float = Field(
        0.5,
        ge=0,
        description="Score added per other board or forum where the same story is posted (spread).",
    )
    spread_score_cap: float = Field(1.0, ge=0, description="Most score that spread can add.")
    urgent_spread_forums: int = Field(
        1,
        ge=0,
        description=(
            "The same story on this many other forums makes an alert at least urgent (紧迫): the "
            "general playbook's 'escalate at the first sign of spread'. 0 turns this off."
        ),
    )

    @field_validator("urgent_signals", "very_urgent_signals", "alert_signals", "alert_signals_anywhere")
    @classmethod
    def _known_signals(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """A misspelt name would silently switch the severity floor off: name the known ones."""
        from monitor.enrich.signals import SIGNAL_LABELS

        known = list(SIGNAL_LABELS)
        for name in value:
            if name not in known:
                raise ValueError(f"unknown crisis signal {name!r} (known: {', '.join(known)})")
        return value

    @field_validator("prior_growth", mode="before")
    @classmethod
    def _five_numbers(cls, value: object) -> object:
        if isinstance(value, list | tuple) and len(value) != 5:
            raise ValueError(f"needs 5 numbers (a, b, c, d, e), got {len(value)}")
        return value

    @model_validator(mode="after")
    def _tiers_in_order(self) -> DetectSettings:
        if not self.general_score <= self.urgent_score <= self.very_urgent_score:
            raise ValueError(
                "general_score <= urgent_score <= very_urgent_score must hold; they are "
                f"{self.general_score:g}, {self.urgent_score:g} and {self.very_urgent_score:g}"
            )
        return self
