"""The ``[retention]`` settings: what ``monitor db prune`` (and the daily prune of ``monitor run``)
deletes, by age, and the least age each can have given what the detector, the digest and the
alerts read back.

A section of :class:`monitor.config.settings.Settings` (read from ``monitor.toml``); explained for
people in ``docs/retention.md``; the deleting is :mod:`monitor.store.retention`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from monitor.config.section import Section as _Section

if TYPE_CHECKING:
    from monitor.config.detect_settings import DetectSettings
    from monitor.config.settings import AlertingSettings, WebSettings


DIGEST_NEEDS_DAYS = 15
"""Days of data the weekly digest reads: the week it covers and the week before, composed up to a day
late (and a kept digest holds its week, so it is never sent twice)."""


class RetentionSettings(_Section):
    """``[retention]``: what ``monitor db prune`` deletes, by age. 0 = keep forever. See docs/retention.md."""

    snapshot_days: int = Field(
        90,
        ge=0,
        description=(
            "`monitor db prune` deletes thread snapshots (a row per thread when its reading changed) "
            "last seen more than this many days ago. Kept whatever their age: each thread's newest "
            "snapshot, and every snapshot of a thread that belongs to an alert (its origin or a "
            "cross-post). At least detect.baseline_days (the detector learns each board's usual "
            "negativity and views from them); left unset, it is raised to that. 0 = keep forever."
        ),
    )
    health_event_days: int = Field(
        90,
        ge=0,
        description=(
            "Delete forums' health events (login wall, captcha, fetch failed …; one per outage, "
            f"counting its polls) last seen more than this many days ago. At least {DIGEST_NEEDS_DAYS} (the "
            "weekly digest reports the boards that could not be read). 0 = keep forever."
        ),
    )
    delivery_days: int = Field(
        365,
        ge=0,
        description=(
            "Delete sent, failed or dropped deliveries (the outbox: one row per message per recipient and "
            "channel) created more than this many days ago; pending ones are never deleted, and each "
            "alert keeps its first sent delivery (the first-hour timeline's 'delivered'). The alert's "
            "trail still says what was sent. At least web.link_ttl_hours (a signed link's rights are "
            "read from the deliveries that carried it). 0 = keep forever."
        ),
    )
    evidence_days: int = Field(
        0,
        ge=0,
        description=(
            "Delete the evidence (raw thread pages kept when an alert opened or grew) of alerts "
            "resolved more than this many days ago; open alerts keep theirs. At least "
            "alerting.reopen_within_days. 0 = keep forever (the default: it is the record if a post "
            "is deleted or disputed)."
        ),
    )
    alert_days: int = Field(
        0,
        ge=0,
        description=(
            "Delete whole alerts resolved more than this many days ago: the alert, its trail, "
            "checklist, deliveries, evidence and story links (its threads stay, as ordinary threads). "
            f"At least alerting.reopen_within_days and {DIGEST_NEEDS_DAYS} (the digest). 0 = keep "
            "forever (the default)."
        ),
    )
    digest_days: int = Field(
        0,
        ge=0,
        description=(
            "Delete kept weekly digests whose week ended more than this many days ago (the dashboard's "
            f"/digests lists every one kept). At least {DIGEST_NEEDS_DAYS}. 0 = keep forever (the default)."
        ),
    )
    thread_days: int = Field(
        0,
        ge=0,
        description=(
            "Delete threads not seen on their board for this many days and never part of an alert, "
            "with their posts, snapshots and watch matches (a thread seen again later is stored "
            "afresh). At least detect.baseline_days, detect.story_window_hours and "
            f"{DIGEST_NEEDS_DAYS} (the digest). 0 = keep forever (the default: threads and posts are "
            "the record)."
        ),
    )
    batch_size: int = Field(
        2000,
        ge=1,
        le=10_000,
        description=(
            "Rows deleted per transaction (threads and alerts: a fiftieth of this, with their rows), "
            "so a first, big prune never holds a long lock on the database."
        ),
    )

    AGES: ClassVar[tuple[str, ...]] = (
        "snapshot_days",
        "health_event_days",
        "delivery_days",
        "evidence_days",
        "alert_days",
        "digest_days",
        "thread_days",
    )

    def needs(
        self, detect: DetectSettings, alerting: AlertingSettings, web: WebSettings
    ) -> dict[str, list[tuple[float, str]]]:
        """Per age setting, the days other parts read back, each with who reads them and why."""
        digest = (
            float(DIGEST_NEEDS_DAYS),
            f"the weekly digest ({DIGEST_NEEDS_DAYS} days: its week and the one before)",
        )
        baseline = (
            detect.baseline_days,
            f"detect.baseline_days ({detect.baseline_days:g} days: the detector learns each board's baseline "
            "from threads that old)",
        )
        reopen = (
            alerting.reopen_within_days,
            f"alerting.reopen_within_days ({alerting.reopen_within_days:g} days: a resolved alert can reopen "
            "within it)",
        )
        return {
            "snapshot_days": [baseline],
            "health_event_days": [digest],
            "delivery_days": [
                (
                    web.link_ttl_hours / 24,
                    f"web.link_ttl_hours ({web.link_ttl_hours:g} h: a signed link's rights are read from the "
                    "deliveries that carried it)",
                )
            ],
            "evidence_days": [reopen],
            "alert_days": [reopen, digest],
            "digest_days": [digest],
            "thread_days": [
                baseline,
                (
                    detect.story_window_hours / 24,
                    f"detect.story_window_hours ({detect.story_window_hours:g} h: the spread check compares "
                    "threads that old)",
                ),
                digest,
            ],
        }

    def problems(self, detect: DetectSettings, alerting: AlertingSettings, web: WebSettings) -> list[str]:
        """Each age set shorter than what another part reads back (0, keep forever, is always fine)."""
        found = []
        for name, needs in self.needs(detect, alerting, web).items():
            value = getattr(self, name)
            if value == 0 or name not in self.model_fields_set:
                continue
            unmet = [(days, why) for days, why in needs if value < days]
            if unmet:
                least = math.ceil(max(days for days, _ in unmet))
                whys = " and ".join(why for _, why in unmet)
                found.append(
                    f"{name} = {value} is shorter than {whys}; set at least {least}, or 0 to keep forever"
                )
        return found

    def days(self, detect: DetectSettings, alerting: AlertingSettings, web: WebSettings) -> dict[str, int]:
        """The age each setting prunes at (0: never): as set, or a default raised to what is read back."""
        found = {}
        for name, needs in self.needs(detect, alerting, web).items():
            value = getattr(self, name)
            if value and name not in self.model_fields_set:
                value = max([value, *(math.ceil(days) for days, _ in needs)])
            found[name] = value
        return found
