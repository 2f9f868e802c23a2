"""The week's figures under the alerts, in both digest bodies and both languages: alerts opened,
whether the backup and leadership had to be called, how many changed hands, first contacts within
SLA. Each alert's own facts are :mod:`monitor.digest.alert_facts`.

Everything here returns plain, cleaned text; the HTML body escapes it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from monitor.digest import headings as h
from monitor.digest.model import WeekFigures
from monitor.digest.said import Said
from monitor.digest.sentences import took
from monitor.digest.wording import NOTHING, counted, share


@dataclass(frozen=True)
class Handling:
    """How the alerts opened in one period were handled — and those opened before it and reopened in it,
    on their new round."""

    opened: int
    median_minutes_to_acknowledge: float | None  # None: none of them acknowledged
    on_time: int  # first contact within the tier's SLA
    decided: int  # contacted, or overdue without contact
    pending: int  # not contacted yet, still within the SLA
    closed_uncontacted: int = 0  # resolved before the SLA ran out, with no first contact
    backup_called: int = 0  # nobody acknowledged in time: the backup was told
    leadership_called: int = 0  # ... and then leadership
    acknowledged_by_contact: int = 0  # acknowledged only by recording the first contact
    handed_over: int = 0  # handed to another spokesperson by someone (or taken over by the backup)
    rerouted: int = 0  # given to another spokesperson by the routing tree at an escalation
    changed_hands: int = 0  # either (an alert with both counts once)
    reopened: int = 0  # opened before the period, reopened in it (not in ``opened``; in the figures)
    rounds: int = 0  # the alerts the figures count: opened or reopened in the period (see handling)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.decided if self.decided else None


def handling(figures: WeekFigures, now: datetime) -> Handling:
    """Figures for the alerts whose current round began in the period (opened, or reopened, in it);
    first contact judged at ``now``."""
    opened = [review for review in figures.alerts if review.round_in_period]
    minutes = [m for m in (review.minutes_to_acknowledge for review in opened) if m is not None]
    verdicts = [review.contact_on_time(now) for review in opened]
    return Handling(
        opened=figures.alerts_opened,
        reopened=figures.alerts_reopened,
        rounds=len(opened),
        median_minutes_to_acknowledge=statistics.median(minutes) if minutes else None,
        on_time=sum(1 for verdict in verdicts if verdict is True),
        decided=sum(1 for verdict in verdicts if verdict is not None),
        pending=sum(
            1
            for review, verdict in zip(opened, verdicts, strict=True)
            if verdict is None and not review.closed_uncontacted
        ),
        closed_uncontacted=sum(
            1
            for review, verdict in zip(opened, verdicts, strict=True)
            if verdict is None and review.closed_uncontacted
        ),
        backup_called=sum(1 for review in opened if review.backup_called is not None),
        leadership_called=sum(1 for review in opened if review.leadership_called is not None),
        acknowledged_by_contact=sum(1 for review in opened if review.acknowledged_by_contact),
        handed_over=sum(1 for review in opened if any(c.how == "handover" for c in review.owner_changes)),
        rerouted=sum(1 for review in opened if any(c.how == "escalation" for c in review.owner_changes)),
        changed_hands=sum(1 for review in opened if review.owner_changes),
    )


def within_sla(figures: Handling) -> Said:
    """``3 个中 2 个，67 %`` / ``2 of 3, 67 %``, plus how many are still within their SLA; ``—`` when
    none is decided."""
    zh = en = NOTHING
    if figures.pending or figures.closed_uncontacted:
        zh = en = ""  # "1 个仍在时限内" / "1 still within SLA" read better than "—，1 …" / "—, 1 …"
    if figures.decided:
        zh = f"{figures.decided} 个中 {figures.on_time} 个，{share(figures.on_time_share)}"
        en = f"{figures.on_time} of {figures.decided}, {share(figures.on_time_share)}"
    if figures.pending:
        zh += f"{'，' if zh else ''}{figures.pending} 个仍在时限内"
        en += f"{', ' if en else ''}{figures.pending} still within SLA"
    if figures.closed_uncontacted:
        zh += f"{'，' if zh else ''}{figures.closed_uncontacted} 个到期前已解决、未联系"
        en += f"{', ' if en else ''}{figures.closed_uncontacted} resolved before it was due without one"
    return Said(zh, en)


def opened_count(figures: Handling) -> Said:
    """``3 个`` / ``3``; ``3 个，另有 1 个重开`` / ``3, and 1 reopened`` when alerts opened before the
    period were reopened in it."""
    if figures.reopened:
        return Said(
            f"{figures.opened} 个，另有 {figures.reopened} 个重开",
            f"{figures.opened}, and {figures.reopened} reopened",
        )
    return Said(f"{figures.opened} 个", str(figures.opened))


def called(figures: Handling) -> Said:
    """``6 个告警中 2 个通知了备岗，2 个通知了领导`` / ``backup called for 2 of 6 alerts, leadership for
    2``; ``—`` when no alert opened. Said beside the median time to acknowledge, which a quick
    acknowledgement by someone else would flatter."""
    if not figures.rounds:
        return Said(NOTHING, NOTHING)
    zh = (
        f"{figures.rounds} 个告警中 {figures.backup_called} 个通知了备岗，"
        f"{figures.leadership_called} 个通知了领导"
    )
    en = (
        f"backup called for {figures.backup_called} of {counted(figures.rounds, 'alert', 'alerts')}, "
        f"leadership for {figures.leadership_called}"
    )
    if figures.acknowledged_by_contact:
        zh += f"，{figures.acknowledged_by_contact} 个仅由首次联系确认"
        en += f", {figures.acknowledged_by_contact} acknowledged only by the first contact"
    return Said(zh, en)


def hands(figures: Handling) -> Said:
    """``6 个告警中 2 个（转交 1 个，升级换人 1 个）`` / ``2 of 6 alerts (1 handed over, 1 at an
    escalation)``; ``—`` when no alert opened. An alert that changed hands twice had two people speak
    for the company on one story: worth a look."""
    if not figures.rounds:
        return Said(NOTHING, NOTHING)
    how = [
        (count, zh, en)
        for count, zh, en in (
            (figures.handed_over, "转交", "handed over"),
            (figures.rerouted, "升级换人", "at an escalation"),
        )
        if count
    ]
    zh = f"{figures.rounds} 个告警中 {figures.changed_hands} 个"
    en = f"{figures.changed_hands} of {counted(figures.rounds, 'alert', 'alerts')}"
    if how:
        zh += "（" + "，".join(f"{said} {count} 个" for count, said, _ in how) + "）"
        en += " (" + ", ".join(f"{count} {said}" for count, _, said in how) + ")"
    return Said(zh, en)


def moved_hands(*weeks: Handling) -> bool:
    """Whether any alert of these weeks changed hands (the summary's line is left out otherwise)."""
    return any(week.changed_hands for week in weeks)


def summary_rows(week: WeekFigures, previous: WeekFigures, now: datetime) -> list[tuple[str, Said, Said]]:
    """The alerts section's summary, ``(label, this week, last week)`` a row: alerts opened, median
    time to acknowledge, how often the backup and leadership had to be called, how many changed
    hands (when any did, this week or last), and first contacts within SLA."""
    this, last = handling(week, now), handling(previous, now)
    rows = [
        (h.OPENED, opened_count(this), opened_count(last)),
        (h.MEDIAN_ACK, took(this.median_minutes_to_acknowledge), took(last.median_minutes_to_acknowledge)),
        (h.NOT_ACKED, called(this), called(last)),
        *([(h.CHANGED_HANDS, hands(this), hands(last))] if moved_hands(this, last) else []),
        (h.WITHIN_SLA, within_sla(this), within_sla(last)),
    ]
    return rows


def beside_last_week(this: Said, last: Said) -> Said:
    """``2 个（上周 1 个）`` / ``2 (last week 1)``."""
    return Said(f"{this.zh}（上周 {last.zh}）", f"{this.en} (last week {last.en})")
