"""What a weekly digest says, as plain values: read from the store by :mod:`monitor.digest.figures`,
turned into text and HTML by :mod:`monitor.digest.render`, sent by :mod:`monitor.digest.send`.

The contents follow DESIGN.md ("volume, sentiment trend, top threads, alerts and how fast they
were handled, categories, and what changed since last week") and seed 002's 投诉总结: the team
regularly gathers the complaints, makes statistics, judges how each was handled and learns from
it. Every figure covers the threads matched by a watch group ("watched threads"); times are UTC
here and shown in the team's time zone. What it says of the forums' reading and of the alerts open
as it is made is in :mod:`monitor.digest.now_model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from monitor.digest.now_model import Attention as Attention
from monitor.digest.now_model import BoardTrouble as BoardTrouble
from monitor.digest.now_model import NotDelivered as NotDelivered
from monitor.digest.now_model import OpenAlert as OpenAlert
from monitor.digest.now_model import Reading as Reading
from monitor.digest.said import Said

WEEK = timedelta(days=7)

AlertTiming = Literal["open", "opened_after", "resolved_before"]
"""When a top thread's alert was open, against the period: ``open`` at some time in it (so it is
listed under the alerts too), ``opened_after`` its end, or ``resolved_before`` its start."""


@dataclass(frozen=True)
class DigestPeriod:
    """The week a digest covers: ``[start, end)`` in UTC, whole days in ``timezone``."""

    start: datetime
    end: datetime
    timezone: str

    @classmethod
    def week_ending(cls, end: datetime, timezone: str) -> DigestPeriod:
        """The 7 days before ``end`` (aware; usually the local midnight that starts the digest's day)."""
        return cls(start=end - WEEK, end=end, timezone=timezone)

    @classmethod
    def days_to(cls, end: datetime, timezone: str) -> DigestPeriod:
        """Seven local days up to ``end``, the last one partial: from the midnight six days before
        ``end``'s day (a digest of "this week so far"). At a local midnight, the 7 whole days before."""
        zone = ZoneInfo(timezone)
        local = end.astimezone(zone)
        if local.time() == time(0):
            return cls.week_ending(local, timezone)
        day = local.date() - timedelta(days=6)
        return cls(start=datetime.combine(day, time(0), tzinfo=zone), end=end, timezone=timezone)

    def week(self) -> DigestPeriod:
        """The 7 whole local days this period covers, its last day completed: what makes two digests
        "the same week". ``--until now`` at 10:00 and at 18:00 on 12-07 are both the week 12-01 –
        12-07 (the week that ends at midnight on 12-08), and so is ``--until 2026-12-08``."""
        zone = ZoneInfo(self.timezone)
        local = self.end.astimezone(zone)
        day = local.date() if local.time() == time(0) else local.date() + timedelta(days=1)
        return DigestPeriod.week_ending(datetime.combine(day, time(0), tzinfo=zone), self.timezone)

    def label(self) -> str:
        """``2026-12-01 – 2026-12-07``, local days; ``(until 10:05)`` when the last day is partial."""
        zone = ZoneInfo(self.timezone)
        first = self.start.astimezone(zone).date()
        end = self.end.astimezone(zone)
        last = (end - timedelta(microseconds=1)).date()
        until = "" if end.time() == time(0) else f" (until {end:%H:%M})"
        return f"{first.isoformat()} – {last.isoformat()}{until}"

    def previous(self) -> DigestPeriod:
        """The same span a week before, for "what changed since last week": a whole week's is the 7
        days before; a partial one's (``--until now`` on Monday morning) stops at the same hour a
        week earlier, so 6 days and a morning are not compared with 7 whole days."""
        return DigestPeriod(start=self.start - WEEK, end=self.end - WEEK, timezone=self.timezone)

    def days(self) -> list[date]:
        """The local calendar days the period covers, oldest first."""
        zone = ZoneInfo(self.timezone)
        first = self.start.astimezone(zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class GroupVolume:
    """One watch group's week: how much was said on its threads, and how negatively."""

    watch_group: str
    threads: int  # watched threads with at least one post in the period
    new_threads: int  # ... whose opening post falls in the period
    posts: int  # posts in the period on its threads (opening posts included)
    scored: int  # ... of which have a sentiment score
    negative: int  # ... of which read negative
    not_complaints: int = 0  # of ``threads``, those that do not read as complaints (CategoryCount)
    # the term recorded when each of its threads was matched (WatchMatch.term: the include term or
    # alias that decided it), with how many of ``threads`` it matched, most first
    terms: tuple[tuple[str, int], ...] = ()

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.scored if self.scored else None


@dataclass(frozen=True)
class DaySentiment:
    """One local day of posts on watched threads."""

    day: date
    posts: int
    scored: int
    negative: int

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.scored if self.scored else None


@dataclass(frozen=True)
class TopThread:
    """A watched thread among the week's busiest (by posts in the period)."""

    thread_id: int
    title: str  # scraped: escape it wherever it is shown
    url: str
    source: str
    board: str
    watch_groups: tuple[str, ...]
    posts: int  # posts in the period
    replies: int  # all replies, as the forum last showed them
    negative_share: float | None  # of the period's scored posts
    category: str | None  # complaint category of the thread (product, service, dealer, policy, other)
    alert_id: int | None  # its alert, if it has or had one: one open in the period first, else the newest
    alert_severity: str | None
    alert_timing: AlertTiming | None = None  # None: no alert
    complaint: bool = True  # it reads as a complaint (see CategoryCount): counted under its category


Role = Literal["", "backup", "leadership"]
"""Who someone was to the alert when they acted: its spokesperson then or anyone else (``""``), the
backup (the alert's, or one the SLA clocks called), or leadership the SLA clocks called."""


@dataclass(frozen=True)
class Actor:
    """Who acknowledged an alert or made the first contact, from its trail."""

    name: str  # the person's display name (or key when no longer configured)
    role: Role = ""


@dataclass(frozen=True)
class OwnerChange:
    """The alert went to another spokesperson: handed over by someone, or routed anew at an escalation."""

    previous: str  # the spokesperson it came from (display name)
    how: Literal["handover", "escalation"]
    at: datetime | None  # None: an escalation before the trail named the new owner (the latest one)
    by: str = ""  # who handed it over (display name); empty for an escalation


@dataclass(frozen=True)
class AskedAgain:
    """An escalation gave an acknowledged alert to another spokesperson, who had to acknowledge it
    afresh (the earlier acknowledgement still counts for the time to acknowledge)."""

    owner: str  # the new owner (display name)
    since: datetime  # when it changed hands
    by: Actor | None = None  # who acknowledged it since, if anyone
    at: datetime | None = None

    @property
    def minutes(self) -> float | None:
        return (self.at - self.since).total_seconds() / 60 if self.at is not None else None


@dataclass(frozen=True)
class SlaCall:
    """Nobody acknowledged in time, so the SLA clocks told someone: the backup, then leadership."""

    at: datetime
    people: tuple[str, ...]  # display names


@dataclass(frozen=True)
class AlertReview:
    """One alert that was open at some time in the period, and how it was handled."""

    alert_id: int
    title: str  # the alert's thread's title (scraped)
    url: str
    watch_group: str
    severity: str  # its tier now (general, urgent, very_urgent)
    status: str  # open, acknowledged, resolved ...
    spokesperson: str  # the person's display name (or key when no longer configured)
    opened_at: datetime
    respond_by: datetime
    acknowledged_at: datetime | None  # the round's first (the trail's; the row's when it has none)
    contacted_at: datetime | None
    resolved_at: datetime | None
    checklist_done: int
    checklist_total: int
    opened_in_period: bool
    notes: int = 0  # progress notes written in the period (持续反馈: what the customer was told)
    # who did what, from the alert's trail (the current round, after a reopening); None: not known
    acknowledged_by: Actor | None = None  # the round's first acknowledgement, like ``acknowledged_at``
    acknowledged_again: AskedAgain | None = None  # an escalation gave it to someone else since
    acknowledged_by_contact: bool = False  # no acknowledgement of its own: the first contact counted as one
    contacted_by: Actor | None = None
    owner_changes: tuple[OwnerChange, ...] = ()  # oldest first; ``spokesperson`` is the owner now
    backup_called: SlaCall | None = None
    leadership_called: SlaCall | None = None
    # a reopened alert (resolved, then the thread flared up again) is a new round: the acknowledgement,
    # first contact and calls above are the round's; these say when it began and what it did so far
    reopened_at: datetime | None = None  # the latest reopening (None: never reopened)
    resolved_before_reopening: datetime | None = None  # the close the latest reopening undid (trail)
    reopenings: int = 0  # how many times the trail says it reopened
    checklist_done_since_reopening: int = 0  # of ``checklist_done``, steps done in the round
    notes_since_reopening: int = 0  # of ``notes``, written in the round
    reopened_in_period: bool = False  # the latest reopening fell in the period

    @property
    def round_in_period(self) -> bool:
        """The round the figures describe began in the period: the alert opened in it and was not
        reopened since, or its latest reopening fell in it. The week's handling figures count these."""
        return self.reopened_in_period if self.reopened_at is not None else self.opened_in_period

    @property
    def round_started_at(self) -> datetime:
        """When the round the figures describe began: the opening, or the latest reopening."""
        return self.reopened_at or self.opened_at

    @property
    def minutes_to_acknowledge(self) -> float | None:
        """From the round's start (the opening, or the reopening) to its first acknowledgement
        (``acknowledged_at``): one an escalation withdrew when the alert changed hands counts — the
        alert was in hand then."""
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.round_started_at).total_seconds() / 60

    @property
    def closed_uncontacted(self) -> bool:
        """Resolved with no first contact recorded (a false alarm, or handled without one)."""
        return self.contacted_at is None and self.status == "resolved" and self.resolved_at is not None

    def contact_on_time(self, now: datetime) -> bool | None:
        """True: first contact within the tier's SLA; False: late, or overdue now (or at the close);
        None: still in time, or resolved before it was due without one (:attr:`closed_uncontacted`)."""
        if self.contacted_at is not None:
            return self.contacted_at <= self.respond_by
        if self.closed_uncontacted and self.resolved_at is not None:
            now = min(now, self.resolved_at)  # judged at the close: no contact is due after it
        return False if now > self.respond_by else None


@dataclass(frozen=True)
class CategoryCount:
    """Complaints — watched threads with posts in the period that read as complaints — by complaint
    category (seed 003). A thread reads as a complaint when its opening post, the post its category
    is read from, reads negative (sentiment below the digest's threshold); when that post is not
    stored or not scored, when most of its scored posts in the period do. A travel guide or a
    question is no complaint, whatever words it uses."""

    category: str
    threads: int


@dataclass(frozen=True)
class WeekFigures:
    """Everything counted for one period (the digest compares two of these)."""

    period: DigestPeriod
    groups: tuple[GroupVolume, ...]  # by posts, busiest first
    days: tuple[DaySentiment, ...]  # one per local day of the period, oldest first
    top_threads: tuple[TopThread, ...]  # busiest first, at most ``top`` of them
    alerts: tuple[AlertReview, ...]  # open at some time in the period: open, highest tier, newest first
    categories: tuple[CategoryCount, ...]  # complaints only, most threads first
    not_complaints: int = 0  # watched threads with posts in the period that do not read as complaints

    @property
    def posts(self) -> int:
        return sum(d.posts for d in self.days)

    @property
    def negative_share(self) -> float | None:
        scored = sum(d.scored for d in self.days)
        return sum(d.negative for d in self.days) / scored if scored else None

    @property
    def alerts_opened(self) -> int:
        return sum(1 for a in self.alerts if a.opened_in_period)

    @property
    def alert_rounds(self) -> int:
        """Alerts whose current round began in the period (:attr:`AlertReview.round_in_period`)."""
        return sum(1 for a in self.alerts if a.round_in_period)

    @property
    def alerts_reopened(self) -> int:
        """Alerts opened before the period and reopened in it."""
        return sum(1 for a in self.alerts if a.round_in_period and not a.opened_in_period)


@dataclass(frozen=True)
class Digest:
    """A week and the week before it, plus the lines saying what changed between them."""

    week: WeekFigures
    previous: WeekFigures
    changes: tuple[Said, ...]  # "what changed since last week", most important first
    generated_at: datetime
    reading: Reading | None = None  # None: not known (the forums' health is not in the store)
    attention: Attention | None = None  # None: not known (no "Needs attention now" block)
    people: tuple[tuple[str, str], ...] = ()  # (name as shown, job title): said once, in the footer
