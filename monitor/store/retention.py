"""Retention: delete what ``[retention]`` says is old enough, a batch per transaction.

What goes, and what stays whatever its age (docs/retention.md explains it for ops):

* ``thread_snapshots`` last read (``seen_until``, else ``taken_at``) more than ``snapshot_days`` (90)
  ago — except each thread's newest one (the thread's last known state: ``threads rising``, the
  reassessment of a story's origin and a resolved alert's reopening read "the snapshot before now")
  and every snapshot of a thread that belongs to an alert, as its origin or a cross-post (how the
  story grew);
* ``health_events`` last seen more than ``health_event_days`` (90) ago — an event is an outage of
  many polls: it goes whole once it is over that long, and one still going on stays whole;
* ``deliveries`` (the outbox) sent, failed or dropped more than ``delivery_days`` (365) ago — never a pending
  one, and never an alert's first sent delivery (the first-hour timeline's "delivered"); the
  alert's trail keeps a ``delivered`` event for each;
* opt-in (0 by default): the ``evidence`` of alerts resolved more than ``evidence_days`` ago; whole
  alerts resolved more than ``alert_days`` ago (trail, checklist, deliveries, evidence and story
  links with them); digests whose week ended more than ``digest_days`` ago; threads not seen for
  ``thread_days`` and not part of any (kept) alert, with their posts, snapshots and watch matches.

Posts, threads, alerts, their trail and evidence, and digests are kept by default: they are the
record. Dashboard sessions (``signin_uses``) clear themselves at the next sign-in.

Each batch is its own transaction (``session.commit()`` after each), so a first prune of a large
database never holds a long lock — SQLite's writers wait for at most one batch. Batches walk the
ids upwards and each delete repeats its condition, so a row that stopped qualifying meanwhile
(a thread that joined an alert) is not deleted. A dry run only counts, with the same conditions:
it reports exactly what the prune would delete at the same moment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, false, func, not_, or_, select, union
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from monitor.config.settings import Settings
from monitor.store.models import (
    Alert,
    AlertEvent,
    AlertThread,
    ChecklistItem,
    Delivery,
    DigestRow,
    Evidence,
    HealthEvent,
    Post,
    Snapshot,
    Thread,
    WatchMatch,
)

log = logging.getLogger(__name__)

TABLES: tuple[str, ...] = (
    "thread_snapshots",
    "health_events",
    "deliveries",
    "evidence",
    "alerts",
    "alert_events",
    "checklist_items",
    "alert_threads",
    "digests",
    "threads",
    "posts",
    "watch_matches",
)
"""The tables a prune may delete from, in the order the report lists them."""

PARENT_BATCH_DIVISOR = 50
"""Threads and alerts go ``batch_size / 50`` at a time, each with all its rows (posts, trail …)."""

EVIDENCE_BATCH_DIVISOR = 10
"""Evidence rows are whole pages (~17 KB): ``batch_size / 10`` at a time."""


@dataclass
class PruneReport:
    """What a prune deleted (or, for a dry run, would delete), per table."""

    now: datetime
    dry_run: bool
    days: dict[str, int]  # [retention] setting -> the age it pruned at (0: kept forever)
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    batches: int = 0  # transactions committed (0 for a dry run)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def prune(session: Session, settings: Settings, now: datetime, *, dry_run: bool = False) -> PruneReport:
    """Delete every row older than ``[retention]``'s ages at ``now`` (aware); see the module's doc.

    Commits after each batch: pass a session with nothing of the caller's pending in it. With
    ``dry_run`` nothing is deleted and nothing committed; the report counts what would be.
    """
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    started = time.monotonic()
    days = settings.retention_days()
    report = PruneReport(now=now, dry_run=dry_run, days=days)
    run = _Run(session, report, settings.retention.batch_size)

    def cutoff(name: str) -> datetime | None:
        return now - timedelta(days=days[name]) if days[name] else None

    alert_cutoff = cutoff("alert_days")
    doomed_alert = _resolved_before(alert_cutoff) if alert_cutoff is not None else false()
    kept_alerts = select(Alert.id).where(not_(doomed_alert))
    # Threads of an alert that stays: its origin and its cross-posts.
    alert_threads = union(
        select(AlertThread.thread_id).where(AlertThread.alert_id.in_(kept_alerts)),
        select(Alert.thread_id).where(Alert.id.in_(kept_alerts)),
    )

    if alert_cutoff is not None:
        run.parents(
            Alert.id,
            doomed_alert,
            "alerts",
            children=[
                ("evidence", Evidence.alert_id),
                ("alert_events", AlertEvent.alert_id),
                ("checklist_items", ChecklistItem.alert_id),
                ("deliveries", Delivery.alert_id),
                ("alert_threads", AlertThread.alert_id),
            ],
        )

    evidence_cutoff = cutoff("evidence_days")
    if evidence_cutoff is not None:
        resolved = select(Alert.id).where(_resolved_before(evidence_cutoff), Alert.id.in_(kept_alerts))
        run.rows(
            Evidence.id,
            Evidence.alert_id.in_(resolved),
            "evidence",
            size=max(1, run.size // EVIDENCE_BATCH_DIVISOR),
        )

    delivery_cutoff = cutoff("delivery_days")
    if delivery_cutoff is not None:
        run.rows(
            Delivery.id,
            and_(
                Delivery.status.in_(("sent", "failed", "dropped")),
                Delivery.created_at < delivery_cutoff,
                Delivery.alert_id.in_(kept_alerts),
                not_(_first_sent()),
            ),
            "deliveries",
        )

    snapshot_cutoff = cutoff("snapshot_days")
    doomed_snapshot: ColumnElement[bool] = false()
    if snapshot_cutoff is not None:
        newer = aliased(Snapshot)
        doomed_snapshot = and_(
            Snapshot.taken_at < snapshot_cutoff,  # and last seen before it too (a poll read it unchanged)
            or_(Snapshot.seen_until.is_(None), Snapshot.seen_until < snapshot_cutoff),
            # a later snapshot of the thread exists (by the time it was taken: rows restored or imported
            # out of order keep the newest), so each thread keeps its last known state
            exists().where(
                newer.thread_id == Snapshot.thread_id,
                or_(
                    newer.taken_at > Snapshot.taken_at,
                    and_(newer.taken_at == Snapshot.taken_at, newer.id > Snapshot.id),
                ),
            ),
            Snapshot.thread_id.not_in(alert_threads),
        )
        run.rows(Snapshot.id, doomed_snapshot, "thread_snapshots")

    thread_cutoff = cutoff("thread_days")
    if thread_cutoff is not None:
        run.parents(
            Thread.id,
            and_(Thread.last_seen_at < thread_cutoff, Thread.id.not_in(alert_threads)),
            "threads",
            children=[
                # A dry run counts only the snapshots the snapshot step would leave.
                ("thread_snapshots", Snapshot.thread_id, not_(doomed_snapshot)),
                ("posts", Post.thread_id),
                ("watch_matches", WatchMatch.thread_id),
            ],
        )

    health_cutoff = cutoff("health_event_days")
    if health_cutoff is not None:
        run.rows(HealthEvent.id, HealthEvent.last_at < health_cutoff, "health_events")

    digest_cutoff = cutoff("digest_days")
    if digest_cutoff is not None:
        run.rows(DigestRow.id, DigestRow.period_end < digest_cutoff, "digests")

    report.seconds = time.monotonic() - started
    log.info(
        "database pruned" if not dry_run else "database prune (dry run)",
        extra={"rows": report.total, "batches": report.batches, "seconds": round(report.seconds, 2)}
        | {table: count for table, count in report.deleted.items() if count},
    )
    return report


def _resolved_before(cutoff: datetime) -> ColumnElement[bool]:
    return and_(Alert.status == "resolved", Alert.resolved_at.is_not(None), Alert.resolved_at < cutoff)


def _first_sent() -> ColumnElement[bool]:
    """The delivery is its alert's first sent one off the console (see lifecycle.first_hour)."""
    earlier = aliased(Delivery)
    return and_(
        Delivery.status == "sent",
        Delivery.channel != "console",
        not_(
            exists().where(
                earlier.alert_id == Delivery.alert_id,
                earlier.status == "sent",
                earlier.channel != "console",
                or_(
                    earlier.sent_at < Delivery.sent_at,
                    and_(earlier.sent_at == Delivery.sent_at, earlier.id < Delivery.id),
                ),
            )
        ),
    )


Child = tuple[str, InstrumentedAttribute[int]] | tuple[str, InstrumentedAttribute[int], ColumnElement[bool]]


class _Run:
    """Deletes (or counts) batch by batch into one report."""

    def __init__(self, session: Session, report: PruneReport, size: int) -> None:
        self.session, self.report, self.size = session, report, size

    def rows(
        self, key: InstrumentedAttribute[int], condition: ColumnElement[bool], table: str, size: int = 0
    ) -> None:
        """Delete the rows of ``key``'s table that meet ``condition``."""
        if self.report.dry_run:
            self.report.deleted[table] += self._count(key, condition)
            return
        for ids in self._batches(key, condition, size or self.size, lock=False):
            result = self.session.execute(
                delete(key.class_).where(key.in_(ids), condition).execution_options(synchronize_session=False)
            )
            self._done(table, _rowcount(result))

    def parents(
        self,
        key: InstrumentedAttribute[int],
        condition: ColumnElement[bool],
        table: str,
        children: Sequence[Child],
    ) -> None:
        """Delete the rows of ``key``'s table that meet ``condition``, each with its children's rows."""
        if self.report.dry_run:
            doomed = select(key).where(condition)
            for child in children:
                self.report.deleted[child[0]] += self._count(child[1], and_(child[1].in_(doomed), *child[2:]))
            self.report.deleted[table] += self._count(key, condition)
            return
        size = max(1, self.size // PARENT_BATCH_DIVISOR)
        for ids in self._batches(key, condition, size, lock=True):
            for child in children:
                result = self.session.execute(
                    delete(child[1].class_)
                    .where(child[1].in_(ids))
                    .execution_options(synchronize_session=False)
                )
                self.report.deleted[child[0]] += _rowcount(result)
            result = self.session.execute(
                delete(key.class_).where(key.in_(ids)).execution_options(synchronize_session=False)
            )
            self._done(table, _rowcount(result))

    def _count(self, key: InstrumentedAttribute[int], condition: ColumnElement[bool]) -> int:
        return int(self.session.scalar(select(func.count(key)).where(condition)) or 0)

    def _batches(
        self, key: InstrumentedAttribute[int], condition: ColumnElement[bool], size: int, *, lock: bool
    ) -> Iterator[list[int]]:
        """Ids meeting ``condition``, ``size`` at a time, upwards (rows kept are read once)."""
        after: int | None = None
        while True:
            query = select(key).where(condition).order_by(key).limit(size)
            if after is not None:
                query = query.where(key > after)
            if lock:  # PostgreSQL: nothing changes the parents between this read and their delete
                query = query.with_for_update()
            ids = list(self.session.scalars(query))
            if not ids:
                self.session.rollback()  # ends the read (and its locks)
                return
            yield ids
            after = ids[-1]

    def _done(self, table: str, deleted: int) -> None:
        self.session.commit()
        self.report.deleted[table] += deleted
        self.report.batches += 1


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


SETTING_OF: dict[str, str] = {
    "thread_snapshots": "snapshot_days",
    "health_events": "health_event_days",
    "deliveries": "delivery_days",
    "evidence": "evidence_days",
    "alerts": "alert_days",
    "alert_events": "alert_days",
    "checklist_items": "alert_days",
    "alert_threads": "alert_days",
    "digests": "digest_days",
    "threads": "thread_days",
    "posts": "thread_days",
    "watch_matches": "thread_days",
}


def describe(report: PruneReport) -> list[str]:
    """The report as lines for people: per table, what went (or would go) and under which setting."""
    verb = "would delete" if report.dry_run else "deleted"
    width = max(len(table) for table in TABLES)
    lines = []
    for table in TABLES:
        count = report.deleted[table]
        setting = SETTING_OF[table]
        age = report.days[setting]
        rule = f"retention.{setting} = {age}" if age else f"kept forever (retention.{setting} = 0)"
        if table in ("alert_events", "checklist_items", "alert_threads") and age:
            rule = "with their alerts"
        elif table in ("posts", "watch_matches") and age:
            rule = "with their threads"
        elif table == "thread_snapshots" and report.days["thread_days"] and age:
            rule += ", and with their threads"
        lines.append(f"  {table:<{width}}  {count:>9,}  {rule}")
    summary = f"{verb} {report.total:,} rows"
    if not report.dry_run:
        summary += f" in {report.batches:,} transactions, {report.seconds:.1f} s"
    return [f"{summary}:", *lines]
