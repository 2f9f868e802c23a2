"""A poll that reads a thread unchanged adds no snapshot: the latest one is seen until it
(monitor/store/repo.py ``record_snapshot``, ``seen_until``), on SQLite and PostgreSQL (db_url). The
figures that read snapshots come out as a row per poll gave them (monitor/store/snapshot_span.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config.files import SourceConfig
from monitor.demo.runner import demo_config
from monitor.detect.views import first_day_pace
from monitor.facts import FactsReader
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import board_figures, repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Post, Snapshot, Thread

T0 = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
SOURCE = SourceConfig.model_validate(
    {"key": "bbs", "name": "BBS", "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["2"]}
)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    yield session_factory(engine)
    engine.dispose()


def _thread(session: Session, tid: str, replies: int = 2, posts: int = 3) -> tuple[Thread, list[Post]]:
    """A thread first posted at ``T0`` with ``posts`` posts stored (a reply every 5 min)."""
    source = repo.ensure_source(session, SOURCE)
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id=tid,
        title="途乐旅行不退款",
        author="维权小王",
        author_id="1",
        replies=replies,
        views=50,
        sticky=False,
        url=f"http://127.0.0.1:1/t{tid}",
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, T0)
    records = [
        PostRecord(
            post_id=f"{tid}-{floor}",
            floor=floor,
            author=f"u{floor}",
            author_id=str(floor),
            posted_at=_at(5 * (floor - 1)),
            text="途乐旅行不退款",
        )
        for floor in range(1, posts + 1)
    ]
    return thread, repo.save_posts(session, thread, records, T0)


def _rows(session: Session, thread: Thread) -> list[Snapshot]:
    return list(
        session.scalars(select(Snapshot).where(Snapshot.thread_id == thread.id).order_by(Snapshot.id))
    )


def test_three_unchanged_polls_store_one_snapshot_seen_until_the_last(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        thread, posts = _thread(session, "1")
        for minutes in (10, 20, 30):
            seen = repo.record_snapshot(session, thread, posts, _at(minutes), negative_below=0.5)
            assert (seen.replies, seen.views, seen.taken_at) == (2, 50, _at(10))
        assert [(s.taken_at, s.seen_until) for s in _rows(session, thread)] == [(_at(10), _at(30))]

        thread.views = 51  # a figure changed: a new snapshot
        repo.record_snapshot(session, thread, posts, _at(40), negative_below=0.5)
        posts[2].me_too = True  # so did this one (the 我也遇到了 authors)
        repo.record_snapshot(session, thread, posts, _at(50), negative_below=0.5)
        repo.record_snapshot(session, thread, posts, _at(60), negative_below=0.5)
        rows = _rows(session, thread)
        assert [(s.taken_at, s.seen_until, s.views, s.me_too_authors) for s in rows] == [
            (_at(10), _at(30), 50, 0),
            (_at(40), None, 51, 0),
            (_at(50), _at(60), 51, 1),
        ]
        assert repo.snapshot_before(session, thread, _at(35)) == rows[0]

        repo.record_snapshot(session, thread, posts, _at(55), negative_below=0.5)  # within what was seen
        assert len(_rows(session, thread)) == 3 and rows[2].seen_until == _at(60)
        repo.record_snapshot(
            session, thread, posts, _at(45), negative_below=0.5
        )  # before it: a clock gone back
        assert len(_rows(session, thread)) == 4  # stored as it came


def _figures(
    reader: FactsReader, session: Session, thread: Thread, posts: list[Post], now: datetime
) -> tuple:
    config_group = reader._config.watch_groups[0]
    snapshot = repo.snapshot_before(session, thread, now)
    assert snapshot is not None
    facts = reader.read(session, thread, posts, snapshot, config_group, now)
    assert facts.timeline is not None
    return (
        facts.replies_in_window,
        facts.views_gained,
        facts.views_span_minutes,
        facts.views_whole_life,
        facts.timeline.offsets,
        facts.timeline.notes,
    )


def test_views_and_replies_across_unchanged_polls_are_what_a_row_per_poll_gave(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Two twin threads polled every 10 min: one as the monitor stores it now, the other with a row
    at every poll (as before 0019). Read after each poll, with a 60 min window, their views, replies
    in the window and timeline (replies counted but not read placed between polls) are the same —
    across unchanged stretches, a stretch before a gap in the polling, and the gap."""
    reader = FactsReader(demo_config(tmp_path, "http://127.0.0.1:1/", smtp_port=1))
    polls = [*range(10, 100, 10), *range(150, 260, 10)]  # nobody polled from +1:30 to +2:30
    views = {10: 50, 20: 50, 30: 50, 40: 62, 150: 95, 160: 95, 220: 140}  # held until the next change
    replies = {10: 2, 30: 4, 150: 6, 200: 7}
    compared = []
    with sessions.begin() as session:
        skipped, posts = _thread(session, "1")
        full, full_posts = _thread(session, "2")
        count, seen = 2, 50
        for minutes in polls:
            now = _at(minutes)
            count, seen = replies.get(minutes, count), views.get(minutes, seen)
            for thread in (skipped, full):
                thread.replies, thread.views = count, seen
            repo.record_snapshot(session, skipped, posts, now, negative_below=0.5)
            session.add(
                Snapshot(thread_id=full.id, taken_at=now, replies=count, views=seen,
                         distinct_authors=3, negative_share=0.0, me_too_authors=0)
            )  # fmt: skip
            session.flush()
            compared.append(
                (
                    minutes,
                    _figures(reader, session, skipped, posts, now),
                    _figures(reader, session, full, full_posts, now),
                )
            )
        assert len(_rows(session, skipped)) == 6 < len(_rows(session, full)) == len(polls)
    for minutes, got, expected in compared:
        assert got == expected, minutes
    assert compared[-1][2][1:3] == (140 - 95, 60.0)  # the views in the last hour: from the 95 of +3:10


def test_a_boards_usual_views_pace_reads_a_snapshot_seen_past_the_first_day_as_the_rows_did(
    sessions: sessionmaker[Session],
) -> None:
    """Its last reading in the first day is where it was last seen within it (+24 h), not its
    ``taken_at``: the pace is a row per poll's, to within a poll (the rows' last was 5 min before)."""
    with sessions.begin() as session:
        skipped, posts = _thread(session, "1", posts=1)
        full, _ = _thread(session, "2", posts=1)
        for minutes in range(5, 30 * 60 + 1, 10):
            seen = 40 if minutes < 60 else 70 if minutes < 120 else 100
            skipped.views = seen
            repo.record_snapshot(session, skipped, posts, _at(minutes), negative_below=0.5)
            session.add(
                Snapshot(thread_id=full.id, taken_at=_at(minutes), replies=2, views=seen,
                         distinct_authors=1, negative_share=0.0, me_too_authors=0)
            )  # fmt: skip
        readings = board_figures.board_view_readings(
            session, skipped.board_id, T0 - timedelta(days=1), _at(3 * 1440)
        )
        assert len(_rows(session, skipped)) == 3
    paces = {thread_id: first_day_pace(first, views) for thread_id, (first, views) in readings.items()}
    assert paces[skipped.id] == pytest.approx(60 / (1435 / 60))  # from +0:05 to +24:00
    assert paces[full.id] == pytest.approx(60 / (1430 / 60))  # from +0:05 to +23:55
    assert paces[skipped.id] == pytest.approx(paces[full.id], rel=0.01)


def test_a_boards_usual_negativity_counts_a_snapshot_taken_before_the_span_and_seen_in_it(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        thread, posts = _thread(session, "1")
        posts[0].sentiment = 0.1
        for minutes in (10, 20, 30):
            repo.record_snapshot(session, thread, posts, _at(minutes), negative_below=0.5)
        assert len(_rows(session, thread)) == 1
        shares = board_figures.board_negative_shares(session, thread.board_id, _at(25), _at(40))
    assert shares == [1.0]  # read at +0:30 as at +0:10


def test_snapshots_since_a_moment_include_one_seen_then(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        thread, posts = _thread(session, "1")
        for minutes in (10, 20, 30):
            repo.record_snapshot(session, thread, posts, _at(minutes), negative_below=0.5)
        assert [s.taken_at for s in repo.snapshots_since(session, thread, _at(25))] == [_at(10)]
        assert repo.snapshots_since(session, thread, _at(35)) == []


def test_a_latest_snapshot_read_before_another_pass_wrote_one_is_not_extended(
    sessions: sessionmaker[Session],
) -> None:
    """The pipeline hands in the latest snapshot its pass read (``latest=``); when another pass took a
    newer one since, the old one's span is not stretched over it: the latest is read again."""
    with sessions.begin() as session:
        thread, posts = _thread(session, "9")
        read_by_the_pass = repo.record_snapshot(session, thread, posts, _at(10), negative_below=0.5)
        thread.views = 60
        repo.record_snapshot(session, thread, posts, _at(20), negative_below=0.5)  # another pass
        thread.views = 50  # back to what the pass read: the same figures as its stale latest
        seen = repo.record_snapshot(session, thread, posts, _at(30), 0.5, latest=read_by_the_pass)
        rows = _rows(session, thread)
        assert [(s.taken_at, s.seen_until, s.views) for s in rows] == [
            (_at(10), None, 50),
            (_at(20), None, 60),
            (_at(30), None, 50),
        ]
        assert (seen.taken_at, seen.views) == (_at(30), 50)

        fresh = rows[-1]
        repo.record_snapshot(session, thread, posts, _at(40), 0.5, latest=fresh)  # the pass's read holds
        assert [(s.taken_at, s.seen_until) for s in _rows(session, thread)][-1] == (_at(30), _at(40))


def test_a_span_another_pass_saw_later_is_not_shortened(sessions: sessionmaker[Session]) -> None:
    """The pass read the latest snapshot; before it writes, another pass (a later moment) sees the
    thread unchanged: this pass, at an earlier moment, leaves the later end as it is."""
    with sessions.begin() as session:
        thread, posts = _thread(session, "10")
        repo.record_snapshot(session, thread, posts, _at(10), negative_below=0.5)
        read_by_the_pass = repo.latest_snapshot(session, thread.id)
        assert read_by_the_pass is not None
        session.expunge(read_by_the_pass)  # as the pass holds it: read in a session of its own
        repo.record_snapshot(session, thread, posts, _at(30), negative_below=0.5)  # the other pass
        seen = repo.record_snapshot(session, thread, posts, _at(20), 0.5, latest=read_by_the_pass)
        assert [(s.taken_at, s.seen_until) for s in _rows(session, thread)] == [(_at(10), _at(30))]
        assert seen.seen_until == _at(30)
