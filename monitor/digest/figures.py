"""A digest's figures, read from the store: one :class:`~monitor.digest.model.WeekFigures` per week.

Every count covers watched threads (threads with a watch match) and their posts in ``[start, end)``.
The work is a handful of set-based queries that aggregate in SQL (per thread, per local day, per
alert), so memory follows the number of threads active in the week, not the number of posts. The
same SQL runs on SQLite and PostgreSQL: local days are bucketed by comparing ``posted_at`` with each
local midnight converted to UTC in Python, which needs no time-zone support in the database.

Complaint categories count complaints only: a watched thread whose opening post (the post its
category is read from) reads negative, or — that post not stored or not scored — most of whose
scored posts in the period do (:class:`~monitor.digest.model.CategoryCount`). A top thread shows
its alert only as it stood in the period: open then, opened after it, or resolved before it.

"What changed since last week" is :func:`monitor.digest.changes.what_changed`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from monitor.config.files import WatchGroupConfig
from monitor.digest.alerts import alert_reviews, thread_alerts
from monitor.digest.attention import attention_now
from monitor.digest.changes import what_changed
from monitor.digest.matched_terms import thread_terms
from monitor.digest.model import (
    CategoryCount,
    DaySentiment,
    Digest,
    DigestPeriod,
    GroupVolume,
    TopThread,
    WeekFigures,
)
from monitor.digest.people import without_titles
from monitor.digest.reading import reading_health
from monitor.store.models import (
    Board,
    Post,
    SourceRow,
    Thread,
    WatchGroupRow,
    WatchMatch,
)

__all__ = ["build_digest", "check_period", "week_figures", "what_changed"]

NO_CATEGORY = "other"  # what a thread not (yet) classified counts as


def check_period(period: DigestPeriod) -> ZoneInfo:
    """The period's time zone, after checking the period makes sense; ``ValueError`` says what does not."""
    if period.start.tzinfo is None or period.end.tzinfo is None:
        raise ValueError(
            f"digest period times must be timezone-aware (UTC), got {period.start!r} .. {period.end!r}"
        )
    if period.end <= period.start:
        raise ValueError(
            "digest period must end after it starts, "
            f"got {period.start.isoformat()} .. {period.end.isoformat()}"
        )
    try:
        return ZoneInfo(period.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        reason = exc.args[0] if exc.args else type(exc).__name__
        raise ValueError(f"unknown time zone {period.timezone!r}: {reason}") from exc


def _check_threshold(negative_below: float) -> None:
    if not (isinstance(negative_below, int | float) and 0.0 <= negative_below <= 1.0):
        raise ValueError(f"negative_below must be a sentiment score between 0 and 1, got {negative_below!r}")


@dataclass(frozen=True)
class _ThreadWeek:
    """A watched thread with posts in the period, and what they were."""

    thread_id: int
    title: str
    url: str
    replies: int
    category: str | None
    source: str
    board: str
    watch_groups: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]  # the terms each watch group matched it by, in the same order
    posts: int
    scored: int
    negative: int
    opened: bool  # its opening post falls in the period
    complaint: bool  # it reads as a complaint (CategoryCount says how)


def week_figures(
    session: Session,
    period: DigestPeriod,
    *,
    negative_below: float,
    people: Mapping[str, str] | None = None,
    top: int = 10,
    watch_groups: Sequence[WatchGroupConfig] = (),
) -> WeekFigures:
    """Everything the digest counts for ``period``.

    ``negative_below`` is the sentiment model's calibrated threshold (a post is negative when its
    score is below it); ``people`` maps spokesperson keys to display names; ``top`` is how many of
    the busiest threads to list; ``watch_groups`` (the configured ones) finds every term each thread
    matched (:mod:`monitor.digest.matched_terms`), not only the one recorded.
    """
    zone = check_period(period)
    _check_threshold(negative_below)
    if top < 0:
        raise ValueError(f"top must be 0 or more, got {top}")
    threads = _active_threads(session, period, negative_below, watch_groups)
    busiest = sorted(threads, key=lambda t: (-t.posts, -t.replies, t.thread_id))[:top]
    return WeekFigures(
        period=period,
        groups=_groups(threads),
        days=_days(session, period, zone, negative_below),
        top_threads=_top_threads(session, period, busiest),
        alerts=alert_reviews(session, period, people or {}),
        categories=_categories(threads),
        not_complaints=sum(1 for thread in threads if not thread.complaint),
    )


def build_digest(
    session: Session,
    period: DigestPeriod,
    now: datetime,
    *,
    negative_below: float,
    people: Mapping[str, str] | None = None,
    top: int = 10,
    watch_groups: Sequence[WatchGroupConfig] = (),
) -> Digest:
    """The digest for ``period``: its figures, the week before's, and what changed between them."""
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    shown, titles = without_titles(people or {})  # job titles said once, in the footer
    week, previous = (
        week_figures(
            session, days, negative_below=negative_below, people=shown, top=top, watch_groups=watch_groups
        )
        for days in (period, period.previous())
    )
    return Digest(
        week=week,
        previous=previous,
        changes=what_changed(week, previous, now=now),
        generated_at=now,
        reading=reading_health(session, period),
        attention=attention_now(session, now, shown, week_start=period.start),
        people=titles,
    )


def _in_period(period: DigestPeriod) -> tuple[ColumnElement[bool], ...]:
    """Posts of watched threads posted in the period (each post once, however many groups match it)."""
    return (
        Post.posted_at >= period.start,
        Post.posted_at < period.end,
        Post.thread_id.in_(select(WatchMatch.thread_id)),
    )


def _negative(sentiment: Any, negative_below: float) -> ColumnElement[int]:
    """1 for a post that reads negative, else 0 (an unscored post is not negative)."""
    return case((sentiment < negative_below, 1), else_=0)


def _reads_as_complaint(opening: float | None, scored: int, negative: int, negative_below: float) -> bool:
    """Its opening post reads negative; that post unknown or unscored: most scored posts in the period do."""
    if opening is not None:
        return opening < negative_below
    return 2 * negative > scored


def _active_threads(
    session: Session, period: DigestPeriod, negative_below: float, watch_groups: Sequence[WatchGroupConfig]
) -> list[_ThreadWeek]:
    """Watched threads with posts in the period: one query, one row per thread and watch group."""
    activity = (
        select(
            Post.thread_id.label("thread_id"),
            func.count().label("posts"),
            func.count(Post.sentiment).label("scored"),
            func.sum(_negative(Post.sentiment, negative_below)).label("negative"),
            func.sum(case((Post.floor == 1, 1), else_=0)).label("openings"),
        )
        .where(*_in_period(period))
        .group_by(Post.thread_id)
        .subquery()
    )
    opening = (  # the opening post's score, whenever it was posted (min: a feed may repeat floor 1)
        select(Post.thread_id.label("thread_id"), func.min(Post.sentiment).label("sentiment"))
        .where(Post.floor == 1, Post.thread_id.in_(select(activity.c.thread_id)))
        .group_by(Post.thread_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Thread.id,
            Thread.title,
            Thread.url,
            Thread.replies,
            Thread.category,
            SourceRow.name,
            Board.name,
            Board.external_id,
            WatchGroupRow.name,
            WatchMatch.term,
            activity.c.posts,
            activity.c.scored,
            activity.c.negative,
            activity.c.openings,
            opening.c.sentiment,
        )
        .join(activity, activity.c.thread_id == Thread.id)
        .outerjoin(opening, opening.c.thread_id == Thread.id)
        .join(Board, Board.id == Thread.board_id)
        .join(SourceRow, SourceRow.id == Thread.source_id)
        .join(WatchMatch, WatchMatch.thread_id == Thread.id)
        .join(WatchGroupRow, WatchGroupRow.id == WatchMatch.watch_group_id)
        .order_by(Thread.id, WatchGroupRow.name)
    )
    threads: dict[int, _ThreadWeek] = {}
    groups: dict[int, list[str]] = {}
    terms: dict[int, list[tuple[str, str]]] = {}
    for (
        thread_id,
        title,
        url,
        replies,
        category,
        source,
        board,
        board_id,
        group,
        term,
        posts,
        scored,
        negative,
        openings,
        opening_sentiment,
    ) in rows:
        groups.setdefault(thread_id, []).append(group)
        terms.setdefault(thread_id, []).append((group, term))
        if thread_id not in threads:
            scored, negative = int(scored), int(negative or 0)
            threads[thread_id] = _ThreadWeek(
                thread_id=thread_id,
                title=title,
                url=url,
                replies=replies,
                category=category,
                source=source,
                board=board or board_id,
                watch_groups=(),
                terms=(),
                posts=int(posts),
                scored=scored,
                negative=negative,
                opened=bool(openings),
                complaint=_reads_as_complaint(opening_sentiment, scored, negative, negative_below),
            )
    matched = thread_terms(session, terms, watch_groups, period.end)
    return [
        replace(
            thread,
            watch_groups=tuple(groups[thread_id]),
            terms=tuple(matched[thread_id, group] for group in groups[thread_id]),
        )
        for thread_id, thread in threads.items()
    ]


def _groups(threads: list[_ThreadWeek]) -> tuple[GroupVolume, ...]:
    """Per watch group: a thread in two groups counts in both. Each group also says how many of its
    threads do not read as complaints and which terms matched them — what tells ops a group catches
    noise (a game's "星耀段位" in a brand's group)."""
    # name -> [threads, new threads, posts, scored, negative, not complaints]
    totals: dict[str, list[int]] = {}
    terms: dict[str, Counter[str]] = {}
    for thread in threads:
        for name, matched_by in zip(thread.watch_groups, thread.terms, strict=True):
            total = totals.setdefault(name, [0, 0, 0, 0, 0, 0])
            noise = int(not thread.complaint)
            for index, value in enumerate(
                (1, int(thread.opened), thread.posts, thread.scored, thread.negative, noise)
            ):
                total[index] += value
            terms.setdefault(name, Counter()).update(matched_by)
    volumes = []
    for name, (count, new, posts, scored, negative, noise) in totals.items():
        matched = tuple(sorted(terms[name].items(), key=lambda kv: (-kv[1], kv[0])))
        volumes.append(GroupVolume(name, count, new, posts, scored, negative, noise, matched))
    return tuple(sorted(volumes, key=lambda g: (-g.posts, g.watch_group)))


def _local_midnights(period: DigestPeriod, zone: ZoneInfo) -> list[datetime]:
    """When each local day of the period after the first begins, in UTC (the day buckets' edges)."""
    return [datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) for day in period.days()[1:]]


def _days(
    session: Session, period: DigestPeriod, zone: ZoneInfo, negative_below: float
) -> tuple[DaySentiment, ...]:
    """One row per local day, zeros for a quiet day; bucketed in SQL by comparing with local midnights."""
    days = period.days()
    edges = _local_midnights(period, zone)
    bucket: ColumnElement[int] = (
        case(*((Post.posted_at < edge, index) for index, edge in enumerate(edges)), else_=len(edges))
        if edges
        else literal(0)
    )
    posts = (
        select(bucket.label("day"), Post.sentiment.label("sentiment")).where(*_in_period(period)).subquery()
    )
    rows = session.execute(
        select(
            posts.c.day,
            func.count(),
            func.count(posts.c.sentiment),
            func.sum(_negative(posts.c.sentiment, negative_below)),
        ).group_by(posts.c.day)
    )
    counted = {int(day): (int(n), int(scored), int(negative or 0)) for day, n, scored, negative in rows}
    return tuple(DaySentiment(day, *counted.get(index, (0, 0, 0))) for index, day in enumerate(days))


def _top_threads(session: Session, period: DigestPeriod, busiest: list[_ThreadWeek]) -> tuple[TopThread, ...]:
    """The busiest threads, each with its alert as it stood in the period (:func:`thread_alerts`)."""
    alerts = thread_alerts(session, period, [thread.thread_id for thread in busiest])
    top: list[TopThread] = []
    for thread in busiest:
        alert = alerts.get(thread.thread_id)
        top.append(
            TopThread(
                thread_id=thread.thread_id,
                title=thread.title,
                url=thread.url,
                source=thread.source,
                board=thread.board,
                watch_groups=thread.watch_groups,
                posts=thread.posts,
                replies=thread.replies,
                negative_share=thread.negative / thread.scored if thread.scored else None,
                category=thread.category,
                alert_id=alert.alert_id if alert else None,
                alert_severity=alert.severity if alert else None,
                alert_timing=alert.timing if alert else None,
                complaint=thread.complaint,
            )
        )
    return tuple(top)


def _categories(threads: list[_ThreadWeek]) -> tuple[CategoryCount, ...]:
    """Complaints by category: threads that do not read as complaints are left out."""
    counts = Counter(thread.category or NO_CATEGORY for thread in threads if thread.complaint)
    return tuple(CategoryCount(name, n) for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
