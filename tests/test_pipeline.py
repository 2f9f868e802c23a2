"""A crawl pass over loopback against the real Discuz! pages (fixtures: tests/fixtures/discuz/gbk/,
served by the ``fixture_forum`` server in conftest.py). Pages that were not captured answer
404, which the pipeline must log and skip without losing anything.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from forum_fixtures import FIXTURE_GBK, FixtureForum
from sqlalchemy import func, select

from monitor import health
from monitor.app import App, build
from monitor.config.loader import load_config
from monitor.pipeline import PassReport
from monitor.store.models import Board, HealthEvent, Post, Snapshot, Thread, WatchMatch

GROUND_TRUTH = json.loads((FIXTURE_GBK / "ground_truth.json").read_text(encoding="utf-8"))
CAPTURED_AT = datetime.fromtimestamp(GROUND_TRUTH["generated_at_unix"], UTC)


def test_crawl_pass_stores_real_pages_once_and_skips_missing_ones(
    fixture_config: Path, fixture_forum: FixtureForum, caplog: pytest.LogCaptureFixture
) -> None:
    app = build(load_config(fixture_config, environ={}))
    try:
        first = asyncio.run(_crawl(app))
        board_threads = {t["tid"]: t for t in GROUND_TRUTH["threads"] if t["fid"] == 2}
        assert first.threads_seen == len(board_threads) == 21
        # tid 2 (4 pages) and tid 4 (1 page) were captured; every other thread page is a 404
        assert first.pages_failed == 21 - 2
        assert "page skipped" in caplog.text and "tid=7&page=1: HTTP 404" in caplog.text
        with app.sessions() as session:
            stored = {t.external_id: t for t in session.scalars(select(Thread))}
            assert {int(k) for k in stored} == set(board_threads)
            for tid, truth in board_threads.items():
                thread = stored[str(tid)]
                assert (thread.title, thread.author, thread.replies, thread.sticky) == (
                    truth["subject"],
                    truth["author"],
                    truth["replies"],
                    truth["sticky"],
                )
            tid2 = stored["2"]
            posts = list(session.scalars(select(Post).where(Post.thread_id == tid2.id).order_by(Post.floor)))
            truth_posts = next(t for t in GROUND_TRUTH["threads"] if t["tid"] == 2)["posts"]
            assert [(p.external_id, p.floor, p.author) for p in posts] == [
                (str(t["pid"]), t["floor"], t["author"]) for t in truth_posts
            ]
            assert all(p.sentiment is not None for p in posts)
            assert session.scalar(select(func.count()).select_from(Snapshot)) == 21
            matched = session.scalars(select(WatchMatch.thread_id)).all()
            assert tid2.id in matched

        requests_before = len(fixture_forum.requests)
        second = asyncio.run(_crawl(app))
        assert second.posts_new == 0
        with app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Post)) == 36 + 7
            assert session.scalar(select(func.count()).select_from(Thread)) == 21
        # incremental: complete threads are not fetched again, only board lists and the missing pages
        refetched = [r for r in fixture_forum.requests[requests_before:] if "tid=2&" in r]
        assert refetched == []
    finally:
        app.close()


async def _crawl(app: App) -> PassReport:
    async with app.pipeline() as pipeline:
        return await pipeline.crawl_pass(CAPTURED_AT)


LOGIN_WALL = "<html><body><div id='messagetext'><p>抱歉，您需要登录后才能查看</p></div></body></html>"


def test_broken_pages_are_skipped_and_lose_nothing(
    fixture_config: Path, fixture_forum: FixtureForum, caplog: pytest.LogCaptureFixture
) -> None:
    last_page = "/forum.php?mod=viewthread&tid=2&page=4"
    fixture_forum.overrides[last_page] = (200, LOGIN_WALL.encode("gbk"))
    app = build(load_config(fixture_config, environ={}))
    try:
        asyncio.run(_crawl(app))
        assert f"{last_page}: " in caplog.text  # logged with its URL
        with app.sessions() as session:
            wall = session.scalars(select(HealthEvent).where(HealthEvent.kind == "login_wall")).one()
            assert wall.url.endswith(last_page)
            assert Path(wall.kept_as).read_bytes() == LOGIN_WALL.encode("gbk")  # raw bytes kept
        with app.sessions() as session:
            tid2 = session.scalars(select(Thread).where(Thread.external_id == "2")).one()
            assert (
                session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == tid2.id)) == 30
            )

        # the board list itself breaks: nothing stored is touched
        board = "/forum.php?mod=forumdisplay&fid=2&page=1"
        fixture_forum.overrides[board] = (200, b"<html><body><p>502 Bad Gateway</p>")
        report = asyncio.run(_crawl(app))
        assert report.threads_seen == 0 and report.pages_failed == 1
        with app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Thread)) == 21
            board_row = session.scalars(select(Board)).one()
            assert health.board_status(board_row) == "failing" and board_row.consecutive_failures == 1
            assert "board list" in board_row.last_error or "threadlisttableid" in board_row.last_error

        # both recover: only the missing page of tid 2 is fetched again
        fixture_forum.overrides.clear()
        before = len(fixture_forum.requests)
        report = asyncio.run(_crawl(app))
        assert report.posts_new == 6
        assert [r for r in fixture_forum.requests[before:] if "tid=2&" in r] == [last_page]
        with app.sessions() as session:
            assert (
                session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == tid2.id)) == 36
            )
    finally:
        app.close()


def test_forum_changing_between_polls_is_followed_incrementally(
    fixture_config: Path, fixture_forum: FixtureForum
) -> None:
    """tid 2 grows 35 -> 47 -> 67 -> 95 replies over three later snapshots; tid 31 appears in round 2.

    Only the pages that can hold new posts are in tests/fixtures/discuz/gbk/roundN/, so an
    incremental crawler is the only kind that can pass.
    """
    app = build(load_config(fixture_config, environ={}))
    try:
        asyncio.run(_crawl(app))
        for round_number in (1, 2, 3):
            truth = json.loads(
                (FIXTURE_GBK / f"round{round_number}" / "rounds_truth.json").read_text(encoding="utf-8")
            )
            fixture_forum.round = round_number
            captured = datetime.fromtimestamp(truth["generated_at_unix"], UTC)
            before = len(fixture_forum.requests)

            async def crawl(at: datetime = captured) -> PassReport:
                async with app.pipeline() as pipeline:
                    return await pipeline.crawl_pass(at)

            asyncio.run(crawl())
            tid2_requests = [r for r in fixture_forum.requests[before:] if "tid=2&" in r]
            first_new_page = {1: 4, 2: 5, 3: 7}[round_number]
            assert tid2_requests == [
                f"/forum.php?mod=viewthread&tid=2&page={p}"
                for p in range(first_new_page, {1: 5, 2: 7, 3: 10}[round_number] + 1)
            ]
            with app.sessions() as session:
                for expected in truth["threads"]:
                    thread = session.scalars(
                        select(Thread).where(Thread.external_id == str(expected["tid"]))
                    ).one()
                    assert (thread.title, thread.replies) == (expected["subject"], expected["replies"])
                    stored = list(
                        session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.floor))
                    )
                    assert [(p.external_id, p.floor, p.author) for p in stored] == [
                        (str(p["pid"]), p["floor"], p["author"]) for p in expected["posts"]
                    ]
                tid2 = session.scalars(select(Thread).where(Thread.external_id == "2")).one()
                replies = [
                    s.replies
                    for s in session.scalars(
                        select(Snapshot).where(Snapshot.thread_id == tid2.id).order_by(Snapshot.id)
                    )
                ]
                assert replies == [35, 47, 67, 95][: round_number + 1]
    finally:
        app.close()


def test_unchanged_board_list_costs_one_conditional_request(
    fixture_config: Path, fixture_forum: FixtureForum
) -> None:
    fixture_forum.etags = True
    app = build(load_config(fixture_config, environ={}))
    try:

        async def two_passes() -> tuple[PassReport, PassReport]:
            async with app.pipeline() as pipeline:  # one process, one client: validators remembered
                first = await pipeline.crawl_pass(CAPTURED_AT)
                before = len(fixture_forum.requests)
                second = await pipeline.crawl_pass(CAPTURED_AT)
                again = fixture_forum.requests[before:]
                assert again[0] == "/forum.php?mod=forumdisplay&fid=2&page=1"  # answered 304
                assert not [r for r in again if "page=2" in r or "tid=2&" in r or "tid=4&" in r]
                assert len(again) == 1 + 19  # only the threads whose pages failed are tried again
                return first, second

        first, second = asyncio.run(two_passes())
        assert first.posts_new == 43 and second.posts_new == 0 and second.pages_fetched == 1
        with app.sessions() as session:
            board_row = session.scalars(select(Board)).one()
            assert health.board_status(board_row) == "ok" and board_row.last_threads_seen == 21
    finally:
        app.close()
