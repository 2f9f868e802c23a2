"""Retention (`monitor db prune`): what is deleted, what is kept, on SQLite and PostgreSQL (db_url)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from forum_fixtures import DEMO_CONFIG
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.cli import main
from monitor.config.files import SourceConfig
from monitor.config.settings import Settings
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import (
    Alert,
    AlertEvent,
    AlertThread,
    Base,
    ChecklistItem,
    Delivery,
    DigestRow,
    Evidence,
    HealthEvent,
    Post,
    Snapshot,
    Thread,
    WatchGroupRow,
    WatchMatch,
)
from monitor.store.retention import TABLES, PruneReport, describe, prune

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SOURCE = SourceConfig.model_validate(
    {"key": "bbs", "name": "BBS", "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["2"]}
)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def settings(**retention: int) -> Settings:
    return Settings.model_validate({"retention": retention})


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    yield session_factory(engine)
    engine.dispose()


def make_thread(session: Session, tid: str, seen_days_ago: float = 0, posts: int = 0) -> Thread:
    """A thread first seen and last seen ``seen_days_ago``, with ``posts`` posts."""
    source = repo.ensure_source(session, SOURCE)
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id=tid,
        title=f"thread {tid}",
        author="a",
        author_id="1",
        replies=max(posts - 1, 0),
        views=10,
        sticky=False,
        url=f"http://127.0.0.1:1/t{tid}",
    )
    seen = ago(seen_days_ago)
    thread, _ = repo.upsert_thread(session, source, board, summary, seen)
    records = [
        PostRecord(
            post_id=f"{tid}-{floor}",
            floor=floor,
            author=f"u{floor}",
            author_id=str(floor),
            posted_at=seen - timedelta(hours=1),
            text="途乐旅行不退款",
        )
        for floor in range(1, posts + 1)
    ]
    repo.save_posts(session, thread, records, seen)
    return thread


def snap(session: Session, thread: Thread, *days_ago: float) -> list[int]:
    """Snapshots of ``thread`` taken that many days ago, in the order given (ids ascending)."""
    rows = [
        Snapshot(
            thread_id=thread.id,
            taken_at=ago(days),
            replies=1,
            views=1,
            distinct_authors=1,
            negative_share=0.5,
            me_too_authors=0,
        )
        for days in days_ago
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def make_alert(
    session: Session, thread: Thread, opened_days_ago: float, resolved_days_ago: float | None = None
) -> Alert:
    alert = Alert(
        thread_id=thread.id,
        watch_group="途乐旅行",
        severity="urgent",
        status="resolved" if resolved_days_ago is not None else "open",
        spokesperson="li_na",
        playbook="urgent",
        opened_at=ago(opened_days_ago),
        updated_at=ago(opened_days_ago),
        respond_by=ago(opened_days_ago),
        resolved_at=ago(resolved_days_ago) if resolved_days_ago is not None else None,
    )
    session.add(alert)
    session.flush()
    session.add(AlertThread(alert_id=alert.id, thread_id=thread.id, role="origin", linked_at=alert.opened_at))
    session.add(AlertEvent(alert_id=alert.id, at=alert.opened_at, kind="opened"))
    session.add(ChecklistItem(alert_id=alert.id, position=1, title="甄别", severity="urgent"))
    session.add(
        Evidence(
            alert_id=alert.id,
            reason="opened",
            url=thread.url,
            fetched_at=alert.opened_at,
            sha256="0" * 64,
            body=b"<html>" + b"x" * 17_000,
        )
    )
    session.flush()
    return alert


def deliver(
    session: Session,
    alert: Alert,
    created_days_ago: float,
    status: str = "sent",
    channel: str = "email",
) -> int:
    row = Delivery(
        alert_id=alert.id,
        channel=channel,
        target="li.na@example.com",
        severity="urgent",
        status=status,
        created_at=ago(created_days_ago),
        sent_at=ago(created_days_ago) if status == "sent" else None,
    )
    session.add(row)
    session.flush()
    return row.id


def health(session: Session, days_ago: float) -> int:
    source = repo.ensure_source(session, SOURCE)
    row = HealthEvent(source_id=source.id, at=ago(days_ago), kind="fetch_failed", url="http://127.0.0.1:1/")
    session.add(row)
    session.flush()
    return row.id


def digest(session: Session, week_ended_days_ago: float) -> int:
    end = ago(week_ended_days_ago)
    row = DigestRow(
        period_start=end - timedelta(days=7),
        week_start=end - timedelta(days=7),
        period_end=end,
        created_at=end,
        subject="周报",
        text="…",
        html="<p>…</p>",
        status="sent",
    )
    session.add(row)
    session.flush()
    return row.id


def ids(session: Session, model: type[Base]) -> set[int]:
    return set(session.scalars(select(model.id)))  # type: ignore[attr-defined]


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            table: session.scalar(select(func.count()).select_from(Base.metadata.tables[table])) or 0
            for table in TABLES
        }


def only(report: PruneReport) -> dict[str, int]:
    return {table: count for table, count in report.deleted.items() if count}


# --- defaults: snapshots, health events, deliveries ------------------------------------------------


def test_old_snapshots_go_but_each_threads_newest_and_alert_threads_stay(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        plain = make_thread(session, "1")
        origin = make_thread(session, "2")
        copy = make_thread(session, "3")
        lone = make_thread(session, "4", seen_days_ago=200)
        plain_old = snap(session, plain, 200, 100, 90.5)
        plain_kept = snap(session, plain, 89, 1)
        origin_ids = snap(session, origin, 300, 120, 1)
        copy_ids = snap(session, copy, 300, 150)
        lone_ids = snap(session, lone, 200)  # its only snapshot, however old: the thread's last state
        alert = make_alert(session, origin, opened_days_ago=300)
        session.add(AlertThread(alert_id=alert.id, thread_id=copy.id, role="spread", linked_at=ago(300)))

    with sessions() as session:
        report = prune(session, Settings(), NOW)
        kept = ids(session, Snapshot)

    assert only(report) == {"thread_snapshots": 3}
    assert report.days["snapshot_days"] == 90
    assert kept == set(plain_kept + origin_ids + copy_ids + lone_ids)
    assert not kept & set(plain_old)


def test_a_thread_keeps_its_latest_snapshot_by_time_even_stored_out_of_order(
    sessions: sessionmaker[Session],
) -> None:
    """Rows restored or imported out of order: the snapshot taken last is the one kept."""
    with sessions.begin() as session:
        thread = make_thread(session, "1", seen_days_ago=150)
        latest = snap(session, thread, 150)  # stored first, taken last
        older = snap(session, thread, 300, 200)
    with sessions() as session:
        prune(session, Settings(), NOW)
        kept = ids(session, Snapshot)
    assert kept == set(latest) and not kept & set(older)


def test_health_events_and_deliveries_by_age_keeping_pending_and_each_alerts_first_delivery(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        old_events = [health(session, 91), health(session, 400)]
        new_events = [health(session, 89), health(session, 1)]
        alert = make_alert(session, make_thread(session, "1"), opened_days_ago=500)
        console_first = deliver(session, alert, 500, channel="console")  # the console is not "delivered"
        first_sent = deliver(session, alert, 499)
        later_sent = deliver(session, alert, 498)
        failed = deliver(session, alert, 497, status="failed")
        pending = deliver(session, alert, 496, status="pending")
        recent = deliver(session, alert, 364)

    with sessions() as session:
        report = prune(session, Settings(), NOW)
        assert ids(session, HealthEvent) == set(new_events)
        assert ids(session, Delivery) == {first_sent, pending, recent}
        assert not ids(session, HealthEvent) & set(old_events)
        assert {console_first, later_sent, failed}.isdisjoint(ids(session, Delivery))
    assert only(report) == {"health_events": 2, "deliveries": 3}
    after = counts(sessions)
    assert (after["alerts"], after["alert_events"], after["checklist_items"], after["evidence"]) == (
        1,
        1,
        1,
        1,
    )


def test_zero_keeps_forever(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        thread = make_thread(session, "1", seen_days_ago=5000, posts=3)
        snap(session, thread, 5000, 4000, 3000)
        health(session, 5000)
        alert = make_alert(session, make_thread(session, "2"), opened_days_ago=5000, resolved_days_ago=4999)
        deliver(session, alert, 5000)
        deliver(session, alert, 4999)
        digest(session, 5000)
    before = counts(sessions)
    forever = settings(snapshot_days=0, health_event_days=0, delivery_days=0)
    assert forever.retention_days() == dict.fromkeys(forever.retention_days(), 0)

    with sessions() as session:
        report = prune(session, forever, NOW)

    assert report.total == 0 and report.batches == 0
    assert counts(sessions) == before


def test_recent_rows_stay_whatever_is_opted_in(sessions: sessionmaker[Session]) -> None:
    every = settings(
        snapshot_days=30, health_event_days=15, delivery_days=3, evidence_days=14, alert_days=15,
        digest_days=15, thread_days=30,
    )  # fmt: skip
    with sessions.begin() as session:
        thread = make_thread(session, "1", seen_days_ago=29, posts=2)
        snap(session, thread, 29, 2)
        health(session, 14)
        alert = make_alert(session, make_thread(session, "2"), opened_days_ago=20, resolved_days_ago=13)
        deliver(session, alert, 20)
        deliver(session, alert, 2)
        digest(session, 14)
    before = counts(sessions)

    with sessions() as session:
        report = prune(session, every, NOW)

    assert report.total == 0
    assert counts(sessions) == before


# --- opt-in: threads, alerts, evidence, digests -----------------------------------------------------


def test_threads_not_seen_for_thread_days_go_with_their_posts_snapshots_and_matches(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        group = WatchGroupRow(name="途乐旅行")
        session.add(group)
        session.flush()
        stale = make_thread(session, "1", seen_days_ago=61, posts=3)
        snap(session, stale, 100, 61)
        session.add(WatchMatch(watch_group_id=group.id, thread_id=stale.id, term="途乐", matched_at=ago(100)))
        alerted = make_thread(session, "2", seen_days_ago=400, posts=2)  # part of an alert: the record
        snap(session, alerted, 400)
        make_alert(session, alerted, opened_days_ago=400, resolved_days_ago=399)
        fresh = make_thread(session, "3", seen_days_ago=59, posts=2)
        snap(session, fresh, 59)
        kept_threads = {alerted.id, fresh.id}

    with sessions() as session:
        report = prune(session, settings(thread_days=60), NOW)
        assert ids(session, Thread) == kept_threads
        assert set(session.scalars(select(Post.thread_id))) == kept_threads
        assert set(session.scalars(select(Snapshot.thread_id))) == kept_threads
        assert ids(session, WatchMatch) == set()

    # the stale thread's older snapshot went by snapshot_days (90), its newest with the thread
    assert only(report) == {"threads": 1, "posts": 3, "thread_snapshots": 2, "watch_matches": 1}


def test_alerts_resolved_before_alert_days_go_whole_and_their_threads_become_ordinary(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        old_thread = make_thread(session, "1", seen_days_ago=200)
        old = make_alert(session, old_thread, opened_days_ago=210, resolved_days_ago=200)
        deliver(session, old, 210)
        deliver(session, old, 209)
        old_snapshots = snap(session, old_thread, 210, 205, 200)
        recent = make_alert(session, make_thread(session, "2"), opened_days_ago=40, resolved_days_ago=29)
        still_open = make_alert(session, make_thread(session, "3"), opened_days_ago=900)
        old_id = old.id

    with sessions() as session:
        report = prune(session, settings(alert_days=30), NOW)
        assert ids(session, Alert) == {recent.id, still_open.id}
        assert session.scalar(select(func.count()).where(Evidence.alert_id == old_id)) == 0
        assert ids(session, Thread) == {old_thread.id, recent.thread_id, still_open.thread_id}
        # no longer an alert's thread: its old snapshots go too, in the same prune
        assert ids(session, Snapshot) == {old_snapshots[-1]}

    assert only(report) == {
        "alerts": 1,
        "alert_events": 1,
        "checklist_items": 1,
        "evidence": 1,
        "deliveries": 2,
        "alert_threads": 1,
        "thread_snapshots": 2,
    }


def test_evidence_of_alerts_resolved_before_evidence_days_goes_and_the_alert_stays(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        resolved = make_alert(session, make_thread(session, "1"), opened_days_ago=50, resolved_days_ago=31)
        fresh = make_alert(session, make_thread(session, "2"), opened_days_ago=50, resolved_days_ago=29)
        still_open = make_alert(session, make_thread(session, "3"), opened_days_ago=500)

    with sessions() as session:
        report = prune(session, settings(evidence_days=30), NOW)
        assert set(session.scalars(select(Evidence.alert_id))) == {fresh.id, still_open.id}
        assert ids(session, Alert) == {resolved.id, fresh.id, still_open.id}
    assert only(report) == {"evidence": 1}


def test_digests_older_than_digest_days_go(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        gone = [digest(session, 400), digest(session, 366)]
        kept = [digest(session, 364), digest(session, 7)]

    with sessions() as session:
        report = prune(session, settings(digest_days=365), NOW)
        assert ids(session, DigestRow) == set(kept)
        assert not ids(session, DigestRow) & set(gone)
    assert only(report) == {"digests": 2}


# --- dry run, batches, idempotence ---------------------------------------------------------------


def _everything(sessions: sessionmaker[Session]) -> None:
    """Rows of every kind, old and new, where the steps interact (an alert's going frees its thread)."""
    with sessions.begin() as session:
        group = WatchGroupRow(name="途乐旅行")
        session.add(group)
        session.flush()
        for n in range(6):
            thread = make_thread(session, f"s{n}", seen_days_ago=100 + n, posts=2)
            snap(session, thread, 200, 150, 100 + n)
            session.add(
                WatchMatch(watch_group_id=group.id, thread_id=thread.id, term="途乐", matched_at=ago(200))
            )
        live = make_thread(session, "live", posts=4)
        snap(session, live, *range(130, -1, -10))
        old_thread = make_thread(session, "a-old", seen_days_ago=300, posts=3)
        snap(session, old_thread, 320, 310, 300)
        old = make_alert(session, old_thread, opened_days_ago=320, resolved_days_ago=300)
        deliver(session, old, 320)
        kept_thread = make_thread(session, "a-kept", seen_days_ago=300, posts=3)
        snap(session, kept_thread, 320, 310, 300)
        kept = make_alert(session, kept_thread, opened_days_ago=420, resolved_days_ago=100)
        deliver(session, kept, 420)  # its first: kept
        deliver(session, kept, 419)
        deliver(session, kept, 418, status="failed")
        for days in (400, 200, 100, 10):
            health(session, days)
        for days in (500, 400, 20):
            digest(session, days)


EVERYTHING = dict(
    snapshot_days=90, health_event_days=90, delivery_days=365, evidence_days=60, alert_days=200,
    digest_days=365, thread_days=90,
)  # fmt: skip


def test_dry_run_deletes_nothing_and_counts_exactly_what_the_prune_deletes(
    sessions: sessionmaker[Session],
) -> None:
    _everything(sessions)
    before = counts(sessions)
    chosen = settings(**EVERYTHING)

    with sessions() as session:
        dry = prune(session, chosen, NOW, dry_run=True)
    assert counts(sessions) == before
    assert dry.dry_run and dry.batches == 0

    with sessions() as session:
        real = prune(session, chosen, NOW)
    after = counts(sessions)

    assert dry.deleted == real.deleted
    assert {table: before[table] - after[table] for table in TABLES} == real.deleted
    assert real.deleted == {
        # alert_days: the old alert whole, its delivery with it; its thread becomes ordinary
        "alerts": 1,
        "alert_events": 1,
        "checklist_items": 1,
        "alert_threads": 1,
        # evidence_days: the kept alert's too (resolved 100 days ago)
        "evidence": 1 + 1,
        # the old alert's, then the kept alert's second sent and its failed one (its first stays)
        "deliveries": 1 + 2,
        # 6 stale × 2 + the live thread's 4 older than 90 days + the freed thread's 2; then, with
        # their threads, the newest of the 6 stale and the freed one (the kept alert's 3 stay)
        "thread_snapshots": 12 + 4 + 2 + 7,
        "threads": 7,
        "posts": 6 * 2 + 3,
        "watch_matches": 6,
        "health_events": 3,
        "digests": 2,
    }

    with sessions() as session:
        again = prune(session, chosen, NOW)
    assert again.total == 0 and again.batches == 0
    assert counts(sessions) == after


@pytest.mark.parametrize(("batch_size", "batches"), [(4, 3), (5, 2), (9, 2), (10, 1), (11, 1)])
def test_each_batch_is_its_own_transaction_and_none_is_skipped(
    sessions: sessionmaker[Session], batch_size: int, batches: int
) -> None:
    with sessions.begin() as session:
        plain = make_thread(session, "1")
        alerted = make_thread(session, "2")
        make_alert(session, alerted, opened_days_ago=400)
        doomed: list[int] = []
        kept: list[int] = []
        for n in range(10):  # ids interleave: kept rows sit between doomed ones in every batch
            doomed += snap(session, plain, 300 - n)
            kept += snap(session, alerted, 300 - n)
        kept += snap(session, plain, 1)
    engine = sessions.kw["bind"]
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    sa.event.listen(engine, "commit", committed)
    try:
        with sessions() as session:
            report = prune(session, settings(batch_size=batch_size), NOW)
    finally:
        sa.event.remove(engine, "commit", committed)
    with sessions() as session:
        assert ids(session, Snapshot) == set(kept)
    assert only(report) == {"thread_snapshots": 10}
    assert report.batches == batches
    assert len(commits) == batches


# --- settings ----------------------------------------------------------------------------------------


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        settings(health_event_days=-1)
    assert caught.value.errors()[0]["loc"] == ("retention", "health_event_days")
    assert "greater than or equal to 0" in str(caught.value)


def test_an_age_shorter_than_what_is_read_back_is_refused_naming_the_dependency() -> None:
    with pytest.raises(ValidationError, match=r"snapshot_days = 20 is shorter than detect\.baseline_days"):
        settings(snapshot_days=20)
    with pytest.raises(ValidationError, match=r"thread_days = 35 is shorter than detect\.story_window_hours"):
        Settings.model_validate({"detect": {"story_window_hours": 40 * 24}, "retention": {"thread_days": 35}})
    with pytest.raises(ValidationError, match=r"alert_days = 14 is shorter than the weekly digest"):
        settings(alert_days=14)
    with pytest.raises(ValidationError, match=r"delivery_days = 2 is shorter than web\.link_ttl_hours"):
        settings(delivery_days=2)
    assert settings(snapshot_days=30, thread_days=30, alert_days=15).retention.snapshot_days == 30


def test_an_unset_age_is_raised_to_what_is_read_back_and_a_set_one_is_checked() -> None:
    longer = Settings.model_validate({"detect": {"baseline_days": 120}})
    assert longer.retention_days()["snapshot_days"] == 120
    with pytest.raises(ValidationError, match=r"set at least 120, or 0 to keep forever"):
        Settings.model_validate({"detect": {"baseline_days": 120}, "retention": {"snapshot_days": 90}})


def test_an_unset_age_raised_keeps_what_the_detector_reads(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        thread = make_thread(session, "1")
        gone, kept = snap(session, thread, 121), snap(session, thread, 119, 1)
    with sessions() as session:
        prune(session, Settings.model_validate({"detect": {"baseline_days": 120}}), NOW)
        assert ids(session, Snapshot) == set(kept)
        assert not ids(session, Snapshot) & set(gone)


# --- the command -------------------------------------------------------------------------------------


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n[smtp]\nenabled = false\n', encoding="utf-8"
    )
    return directory


def test_monitor_db_prune_dry_run_then_prune_and_vacuum(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with sessions.begin() as session:
        thread = make_thread(session, "1")
        session.add_all(
            Snapshot(
                thread_id=thread.id,
                taken_at=now - timedelta(days=days),
                replies=1,
                views=1,
                distinct_authors=1,
                negative_share=0.0,
                me_too_authors=0,
            )
            for days in (300, 200, 100, 1)
        )
        session.add(HealthEvent(source_id=thread.source_id, at=now - timedelta(days=100), kind="captcha"))
    before = counts(sessions)

    assert main(["db", "prune", "--dry-run", "--vacuum", "--config", str(config_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("would delete 4 rows:\n")
    assert "thread_snapshots          3  retention.snapshot_days = 90" in out
    assert "health_events             1  retention.health_event_days = 90" in out
    assert "threads                   0  kept forever (retention.thread_days = 0)" in out
    assert "not vacuumed: dry run" in out
    assert counts(sessions) == before

    assert main(["db", "prune", "--vacuum", "--config", str(config_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("deleted 4 rows in 2 transactions")
    assert "vacuumed in" in out and " MB -> " in out
    after = counts(sessions)
    assert (after["thread_snapshots"], after["health_events"]) == (1, 0)

    assert main(["db", "prune", "--config", str(config_dir)]) == 0
    assert capsys.readouterr().out.startswith("deleted 0 rows in 0 transactions")

    assert main(["db", "upgrade", "--config", str(config_dir)]) == 0  # unchanged
    assert capsys.readouterr().out.startswith("database at revision ")
    engine.dispose()


def test_monitor_db_prune_refuses_a_config_that_would_starve_the_detector(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "[retention]\nsnapshot_days = 7\n", encoding="utf-8")

    assert main(["db", "prune", "--config", str(config_dir)]) == 2

    err = capsys.readouterr().err
    assert f"{toml}: retention: snapshot_days = 7 is shorter than detect.baseline_days (30 days" in err


def test_describe_says_what_goes_with_what() -> None:
    report = PruneReport(now=NOW, dry_run=False, days=settings(alert_days=30).retention_days())
    report.deleted["alert_events"] = 5
    lines = describe(report)
    assert "  alert_events              5  with their alerts" in lines
    assert any(
        line.startswith("  posts ") and line.endswith("kept forever (retention.thread_days = 0)")
        for line in lines
    )


def test_the_service_prunes_daily_at_four_and_logs_what_went(tmp_path: Path) -> None:
    """`monitor run` has a prune job at 04:00 local time; App.prune deletes as `[retention]` says."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from monitor.app import build
    from monitor.config.loader import load_config
    from monitor.scheduling import add_jobs

    config = load_config(DEMO_CONFIG, environ={}, overrides={"general": {"data_dir": str(tmp_path)}})
    app = build(config)
    try:
        scheduler = AsyncIOScheduler(timezone=config.settings.general.timezone)
        add_jobs(scheduler, app, pipeline=None, clock=lambda: NOW)  # type: ignore[arg-type]
        job = scheduler.get_job("prune")
        assert job is not None and str(job.trigger) == "cron[hour='4', minute='0']"
        with app.sessions.begin() as session:
            source = repo.ensure_source(session, config.sources[0])
            board = repo.ensure_board(session, source, "2", "投诉维权")
            old = NOW - timedelta(days=200)
            session.add(HealthEvent(source_id=source.id, board_id=board.id, at=old, kind="fetch_failed"))
        assert app.prune(NOW) == ["health_events 1"]
        assert app.prune(NOW) == []
    finally:
        app.close()


def test_a_snapshot_taken_before_the_cutoff_and_seen_after_it_stays(sessions: sessionmaker[Session]) -> None:
    """An unchanged poll adds no snapshot but moves the latest's ``seen_until``: a snapshot taken 200
    days ago and seen again 10 days ago stands for the polls of the last 90 days too."""
    with sessions.begin() as session:
        thread = make_thread(session, "1")
        old, seen, newest = snap(session, thread, 200, 150, 1)
        session.get_one(Snapshot, seen).seen_until = ago(10)
        session.get_one(Snapshot, old).seen_until = ago(95)

    with sessions() as session:
        report = prune(session, Settings(), NOW)
        kept = ids(session, Snapshot)

    assert only(report) == {"thread_snapshots": 1}
    assert kept == {seen, newest}
