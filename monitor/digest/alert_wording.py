"""How both digest bodies say how each alert was handled: who owns it and who it came from, who
acknowledged it (or that only the first contact did), whether the backup and leadership had to be
called, the first contact and its verdict — and the week's figures under them.

Everything here returns plain, cleaned text; the HTML body escapes it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from monitor.alerting.render import clean_text
from monitor.digest.model import Actor, AlertReview, AskedAgain, OwnerChange, SlaCall, WeekFigures
from monitor.digest.wording import NOTHING, counted, duration, name_of, share, short_time


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


def within_sla(figures: Handling) -> str:
    """``2 of 3, 67 %``, plus how many are still within their SLA; ``—`` when none is decided."""
    shown = NOTHING
    if figures.decided:
        shown = f"{figures.on_time} of {figures.decided}, {share(figures.on_time_share)}"
    if figures.pending:
        shown += f", {figures.pending} still within SLA"
    if figures.closed_uncontacted:
        shown += f", {figures.closed_uncontacted} resolved before it was due without one"
    return shown


def opened_count(figures: Handling) -> str:
    """``3``; ``3, and 1 reopened`` when alerts opened before the period were reopened in it."""
    return f"{figures.opened}, and {figures.reopened} reopened" if figures.reopened else str(figures.opened)


def called(figures: Handling) -> str:
    """``backup called for 2 of 6 alerts, leadership for 2``; ``—`` when no alert opened. Said beside
    the median time to acknowledge, which a quick acknowledgement by someone else would flatter."""
    if not figures.rounds:
        return NOTHING
    shown = (
        f"backup called for {figures.backup_called} of {counted(figures.rounds, 'alert', 'alerts')}, "
        f"leadership for {figures.leadership_called}"
    )
    if figures.acknowledged_by_contact:
        shown += f", {figures.acknowledged_by_contact} acknowledged only by the first contact"
    return shown


def hands(figures: Handling) -> str:
    """``2 of 6 alerts (1 handed over, 1 at an escalation)``; ``—`` when no alert opened. An alert
    that changed hands twice had two people speak for the company on one story: worth a look."""
    if not figures.rounds:
        return NOTHING
    how = [
        f"{count} {said}"
        for count, said in ((figures.handed_over, "handed over"), (figures.rerouted, "at an escalation"))
        if count
    ]
    shown = f"{figures.changed_hands} of {counted(figures.rounds, 'alert', 'alerts')}"
    return f"{shown} ({', '.join(how)})" if how else shown


def moved_hands(*weeks: Handling) -> bool:
    """Whether any alert of these weeks changed hands (the summary's line is left out otherwise)."""
    return any(week.changed_hands for week in weeks)


def first_contact(review: AlertReview, now: datetime, timezone: str) -> tuple[bool | None, str]:
    """The verdict (see :meth:`AlertReview.contact_on_time`) and how to say it, with who made it."""
    verdict = review.contact_on_time(now)
    due = short_time(review.respond_by, timezone)  # an escalation may have brought it forward
    if review.contacted_at is not None:
        after = duration((review.contacted_at - review.round_started_at).total_seconds() / 60)
        by = f" by {actor(review.contacted_by)}" if review.contacted_by else ""
        if verdict:
            since = f"{after} after the reopening" if review.reopened_at else after
            return verdict, f"first contact{by} on time ({since})"
        since = "the reopening" if review.reopened_at else "opening"
        return verdict, f"first contact{by} late ({after} after {since}, due by {due})"
    if verdict is False:
        return verdict, f"no first contact, overdue since {due}"
    if review.closed_uncontacted:
        return verdict, f"resolved without a first contact, before it was due ({due})"
    return verdict, f"no first contact yet, still within SLA (due {short_time(review.respond_by, timezone)})"


def actor(who: Actor) -> str:
    """``李娜`` for the spokesperson then (or anyone else), ``李娜 (backup)``, ``赵敏 (leadership)``."""
    return name_of(who.name) + (f" ({who.role})" if who.role else "")


def acknowledged(review: AlertReview, timezone: str) -> str:
    """``acknowledged by 李娜 (backup) in 5 min``; ``acknowledged only by the first contact, after 13 min``
    when nobody pressed acknowledge (recording the first contact counts as one). The time is to the
    first acknowledgement; when an escalation gave the alert to someone else since, who had to
    acknowledge it afresh, whether they did: ``, then by 陈洁 5 min after the change of hands`` or
    ``; 陈洁 has not acknowledged it since the change of hands 12-02 10:30``."""
    minutes = review.minutes_to_acknowledge
    reopened = review.reopened_at is not None  # the round's: timed from the reopening, and said so
    if minutes is None:
        return "not acknowledged since the reopening" if reopened else "not acknowledged"
    took = f"{duration(minutes)} after the reopening" if reopened else ""
    if review.acknowledged_by_contact:  # nobody pressed acknowledge: who made the contact is said with it
        said = f"acknowledged only by the first contact, {took or f'after {duration(minutes)}'}"
    else:
        by = f" by {actor(review.acknowledged_by)}" if review.acknowledged_by else ""
        said = f"acknowledged{by} {took or f'in {duration(minutes)}'}"
    return said + _again(review.acknowledged_again, timezone)


def _again(asked: AskedAgain | None, timezone: str) -> str:
    if asked is None:
        return ""
    if asked.by is None or asked.minutes is None:
        since = short_time(asked.since, timezone)
        return f"; {name_of(asked.owner)} has not acknowledged it since the change of hands {since}"
    return f", then by {actor(asked.by)} {duration(asked.minutes)} after the change of hands"


def sla_calls(review: AlertReview, timezone: str) -> str:
    """``not acknowledged in time: backup 王强 called 12-01 10:30, leadership 赵敏 12-01 11:00``; empty
    when the SLA clocks called nobody."""
    calls = [
        _call(kind, call, timezone, _owner_then(review, call.at) if kind == "backup" else None)
        for kind, call in (("backup", review.backup_called), ("leadership", review.leadership_called))
        if call is not None
    ]
    return "not acknowledged in time: " + ", ".join(calls) if calls else ""


def _owner_then(review: AlertReview, at: datetime) -> str | None:
    """Whose the alert was at ``at`` when it has changed hands since (``None``: the owner now's)."""
    later = [change for change in review.owner_changes if change.at is not None and change.at > at]
    return later[0].previous if later else None


def _call(kind: str, call: SlaCall, timezone: str, owner_then: str | None = None) -> str:
    """``backup 陈洁 called 12-01 10:30``; ``(李娜's backup then)`` after the names when the alert has
    changed hands since — its spokesperson now may be the very backup called then."""
    then = f" ({name_of(owner_then)}'s backup then)" if owner_then else ""
    people = ", ".join(name_of(name) for name in call.people)
    return f"{kind} {people}{then} called {short_time(call.at, timezone)}"


def spokesperson(review: AlertReview, timezone: str) -> str:
    """``spokesperson 陈洁 (from 李娜 at the escalation 12-01 10:30)``: who owns it now, and each
    spokesperson it came from, oldest first."""
    moves = ", then ".join(_moved(change, timezone) for change in review.owner_changes)
    return f"spokesperson {name_of(review.spokesperson)}" + (f" ({moves})" if moves else "")


def _moved(change: OwnerChange, timezone: str) -> str:
    when = f" {short_time(change.at, timezone)}" if change.at else ""
    if change.how == "escalation":
        return f"from {name_of(change.previous)} at the escalation{when}"
    by = "" if not change.by or change.by == change.previous else f" by {name_of(change.by)}"
    return f"handed over from {name_of(change.previous)}{by}{when}"


def opened(review: AlertReview, timezone: str) -> str:
    when = f"opened {short_time(review.opened_at, timezone)}"
    return when if review.opened_in_period else f"{when} (before this week)"


def alert_facts(review: AlertReview, now: datetime, timezone: str) -> list[list[str]]:
    """The facts, a line each: who (spokesperson, opened, acknowledged); the SLA's calls, when it
    made any; how far (first contact, checklist, notes, status)."""
    reopening = reopened(review, timezone)
    who = [
        spokesperson(review, timezone),
        opened(review, timezone),
        *([reopening] if reopening else []),
        acknowledged(review, timezone),
    ]
    calls = sla_calls(review, timezone)
    progress = [
        first_contact(review, now, timezone)[1],
        checklist(review),
        notes(review),
        clean_text(review.status) or NOTHING,
    ]
    return [who, [calls], progress] if calls else [who, progress]


def reopened(review: AlertReview, timezone: str) -> str:
    """``resolved 12-05 10:00, reopened 12-06 15:00`` (``(its 2nd reopening)`` after more than one);
    empty for an alert never reopened. The figures beside it are the new round's."""
    if review.reopened_at is None:
        return ""
    closed = review.resolved_before_reopening
    said = f"resolved {short_time(closed, timezone)}, " if closed is not None else ""
    said += f"reopened {short_time(review.reopened_at, timezone)}"
    if review.reopenings > 1:
        said += f" (its {_ordinal(review.reopenings)} reopening)"
    return said


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def checklist(review: AlertReview) -> str:
    """``checklist 3/16``; a reopened alert's steps stay done across rounds, so it says how many the
    new round did: ``checklist 3/16 (0 done since the reopening)``."""
    said = f"checklist {review.checklist_done}/{review.checklist_total}"
    if review.reopened_at is not None:
        said += f" ({review.checklist_done_since_reopening} done since the reopening)"
    return said


def notes(review: AlertReview) -> str:
    """``2 progress notes`` written in the week; a reopened alert's are the new round's, with the week's
    earlier ones said apart: ``no progress note since the reopening (1 before it)``."""
    if review.reopened_at is None:
        return _notes(review.notes)
    since = review.notes_since_reopening
    before = review.notes - since
    return f"{_notes(since)} since the reopening" + (f" ({before:,} before it)" if before else "")


def _notes(n: int) -> str:
    return counted(n, "progress note", "progress notes") if n else "no progress note"
