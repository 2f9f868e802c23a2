"""Open on each spokesperson: one line per spokesperson with open alerts at the digest's making — the
alerts' numbers and tiers, and their next deadline (the earliest first contact not yet made, due or
overdue) — so each reader finds at a glance what is on them. It reads the open alerts
:mod:`monitor.digest.attention` read from the store (``Digest.attention``), and is left out when none
is open — or when it would only repeat "Needs attention now": every open alert is listed there (none
has had its first contact, and they fit in the block) and no spokesperson has more than one.

    各发言人未结告警 Open on each spokesperson（截至 as of 12-07 09:00）
      ! 王强：#2 [紧迫 urgent], #4 [一般 general] · 下一项：#2 首次联系 12-02 18:00 起已超时
        next: #2 first contact overdue since 12-02 18:00
      - 李娜：#5 [紧迫 urgent] · 下一项：#5 首次联系截止 12-07 16:00 / next: #5 first contact due 12-07 16:00
      - 陈洁：#1 [非常紧迫 very urgent] · 首次联系均已完成 / first contacts made

People come overdue first, then by their next deadline, then those with every first contact made; a
person's alerts the highest tier first, at most :data:`ALERTS_SHOWN` of them, then ``另 2 个 +2 more``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.digest.attention import MOST, tier_rank
from monitor.digest.headings import OPEN_ON
from monitor.digest.model import Digest, OpenAlert
from monitor.digest.said import Said
from monitor.digest.sentences import as_of
from monitor.digest.wording import name_of, short_time, tier

__all__ = ["ALERTS_SHOWN", "OpenOn", "open_on", "open_on_heading"]

ALERTS_SHOWN = 5  # a spokesperson's alerts on their line, then "+N more"


@dataclass(frozen=True)
class OpenOn:
    """One spokesperson's line, in parts (cleaned; the HTML body escapes them): ``who``, ``alerts``
    (tier labels, in both languages) and ``next`` (a sentence); ``overdue`` when a first contact of
    theirs is overdue now."""

    who: str
    alerts: str
    next: Said
    overdue: bool

    @property
    def said(self) -> Said:
        """The whole line: the name and alerts once, before the Chinese."""
        return Said(f"{self.who}：{self.alerts} · {self.next.zh}", self.next.en)


def open_on_heading(digest: Digest) -> str:
    """``各发言人未结告警 Open on each spokesperson（截至 as of 12-07 09:00）``: like the block above it,
    as of the making."""
    return as_of(OPEN_ON, short_time(digest.generated_at, digest.week.period.timezone))


def open_on(digest: Digest) -> list[OpenOn]:
    """One line per spokesperson with open alerts; empty when no alert is open (or it is not known)."""
    alerts = digest.attention.open_alerts if digest.attention is not None else ()
    mine: dict[str, list[OpenAlert]] = {}
    for alert in alerts:
        mine.setdefault(alert.spokesperson, []).append(alert)
    if _repeats_attention(alerts, mine):
        return []
    now, timezone = digest.generated_at, digest.week.period.timezone
    ordered = sorted(mine.items(), key=lambda item: _order(item[0], item[1], now))
    return [_line(person, theirs, now, timezone) for person, theirs in ordered]


def _repeats_attention(alerts: Sequence[OpenAlert], mine: dict[str, list[OpenAlert]]) -> bool:
    """Every open alert is a line of "Needs attention now" (no first contact made yet, all within its
    :data:`~monitor.digest.attention.MOST` lines) and each spokesperson has one: this block adds nothing."""
    waiting = all(not alert.contacted for alert in alerts)
    return waiting and len(alerts) < MOST and all(len(theirs) == 1 for theirs in mine.values())


def _order(person: str, alerts: list[OpenAlert], now: datetime) -> tuple[bool, datetime, str]:
    """Overdue first, then by the next deadline (both: the earliest first contact not made), then
    the people with every first contact made, by name."""
    waiting = [alert.respond_by for alert in alerts if not alert.contacted]
    return (not waiting, min(waiting, default=now), person)


def _line(person: str, alerts: list[OpenAlert], now: datetime, timezone: str) -> OpenOn:
    ranked = sorted(alerts, key=lambda alert: (-tier_rank(alert.severity), alert.alert_id))
    listed = ", ".join(f"#{alert.alert_id} [{tier(alert.severity)}]" for alert in ranked[:ALERTS_SHOWN])
    if len(ranked) > ALERTS_SHOWN:
        listed += f" 另 {len(ranked) - ALERTS_SHOWN} 个 +{len(ranked) - ALERTS_SHOWN} more"
    waiting = sorted(
        (alert for alert in alerts if not alert.contacted), key=lambda a: (a.respond_by, a.alert_id)
    )
    if not waiting:
        return OpenOn(name_of(person), listed, Said("首次联系均已完成", "first contacts made"), False)
    first = waiting[0]
    due = short_time(first.respond_by, timezone)
    overdue = sum(1 for alert in waiting if alert.respond_by < now)
    if first.respond_by < now:
        said = Said(
            f"下一项：#{first.alert_id} 首次联系 {due} 起已超时",
            f"next: #{first.alert_id} first contact overdue since {due}",
        )
        if overdue > 1:
            said += Said(f"（共 {overdue} 个超时）", f" ({overdue} overdue)")
    else:
        said = Said(
            f"下一项：#{first.alert_id} 首次联系截止 {due}",
            f"next: #{first.alert_id} first contact due {due}",
        )
    return OpenOn(name_of(person), listed, said, overdue > 0)
