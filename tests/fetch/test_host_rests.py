"""A forum's Retry-After kept beyond the process (table ``host_rests``): the next process —
``monitor crawl --once`` from cron, a restarted ``monitor run``, another worker — does not ask
a forum that asked to be left alone, and does not wait its Retry-After past the host's budget
again. Real loopback HTTP (hostile_http.py), a real SQLite file; clocks passed in.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hostile_http import NOW, Route, Server, answer, app_client, fetcher, reason, serve
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from monitor.cli import main
from monitor.config.loader import load_config
from monitor.errors import FetchError
from monitor.fetch.host_rests import SavedRest, restore
from monitor.fetch.hosts import Host, Politeness
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.host_rests import StoredRests

WAIT_AN_HOUR = "the forum asks us to wait 60 min (Retry-After)"


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, True)
    return session_factory(engine)


def _process(
    forum: Server,
    sessions: sessionmaker[Session],
    at: datetime,
    *paths: str,
    sleeps: list[float] | None = None,
) -> list[str | FetchError]:
    """One process: a new fetcher on the shared database, each path fetched at ``at``."""

    async def go() -> list[str | FetchError]:
        results: list[str | FetchError] = []
        async with app_client() as http:
            made = fetcher(http, sleeps, clock=lambda: at, rests=StoredRests(sessions, clock=lambda: at))
            for path in paths:
                try:
                    results.append((await made.get(forum.url(path))).text)
                except FetchError as exc:
                    results.append(exc)
        return results

    return asyncio.run(go())


def test_the_next_process_does_not_ask_a_forum_resting_and_asks_it_again_when_the_rest_is_over(
    sessions: sessionmaker[Session],
) -> None:
    routes: dict[str, Route] = {
        "/busy": answer(503, b"busy", Retry_After="3600"),
        "/other": answer(200, b"fine"),
    }
    with serve(routes) as forum:
        first = _process(forum, sessions, NOW, "/busy")
        asked = len(forum.requests)
        later = _process(forum, sessions, NOW + timedelta(minutes=10), "/other", "/busy")
        assert len(forum.requests) == asked  # robots.txt included: nothing at all was sent
        after = _process(forum, sessions, NOW + timedelta(minutes=61), "/other")
    assert [reason(r) for r in first] == [WAIT_AN_HOUR]
    assert [reason(r) for r in later] == [WAIT_AN_HOUR, WAIT_AN_HOUR]
    assert after == ["fine"]
    assert forum.asked("/busy") == 1 and forum.asked("/other") == 1


def test_the_retry_after_budget_spent_by_one_process_is_spent_for_the_next(
    sessions: sessionmaker[Session],
) -> None:
    routes = {f"/t{n}": answer(429, b"slow down", Retry_After="299") for n in range(3)}
    first_sleeps: list[float] = []
    second_sleeps: list[float] = []
    with serve(routes) as forum:
        _process(forum, sessions, NOW, "/t0", sleeps=first_sleeps)
        second = _process(forum, sessions, NOW + timedelta(minutes=6), "/t1", "/t2", sleeps=second_sleeps)
    assert first_sleeps == [299.0]  # waited once, within the host's 5 min an hour
    assert second_sleeps == []  # the budget was spent 6 min ago, by the other process
    assert reason(second[0]).startswith("the forum asks us to wait 5 min (Retry-After), more than is left")
    assert reason(second[1]) == reason(second[0]) and forum.asked("/t2") == 0


def test_a_rest_kept_by_another_worker_is_read_within_a_minute(sessions: sessionmaker[Session]) -> None:
    routes = {"/page": answer(200, b"fine")}
    clock = [NOW]

    async def go(forum: Server) -> list[str | FetchError]:
        results: list[str | FetchError] = []
        async with app_client() as http:
            made = fetcher(http, clock=lambda: clock[0], rests=StoredRests(sessions))
            for minutes in (0, 0.5, 0.5, 1):  # the other worker is told to rest at 12:00:30
                clock[0] += timedelta(minutes=minutes)
                if clock[0] == NOW + timedelta(seconds=30):
                    netloc = forum.url("").removeprefix("http://")
                    StoredRests(sessions).save(netloc, SavedRest(NOW + timedelta(hours=1), WAIT_AN_HOUR, ()))
                try:
                    results.append((await made.get(forum.url("/page"))).text)
                except FetchError as exc:
                    results.append(exc)
        return results

    with serve(routes) as forum:
        results = asyncio.run(go(forum))
    # 12:00 and 12:00:30 asked (read at 12:00, not again within the minute), 12:01 and 12:02 refused
    assert results[:2] == ["fine", "fine"]
    assert [reason(r) for r in results[2:]] == [WAIT_AN_HOUR, WAIT_AN_HOUR]
    assert forum.asked("/page") == 2


def test_merging_a_kept_rest_never_shortens_one_and_counts_each_wait_once() -> None:
    host = Host.under(Politeness())
    host.rest(NOW, 7200, "two hours")
    wait = (NOW - timedelta(minutes=5), 120.0)
    host.retry_after_waits.waits.append(wait)
    restore(host, SavedRest(NOW + timedelta(hours=1), "one hour", (wait, (NOW, 60.0))))
    assert host.resting_until == NOW + timedelta(hours=2) and host.resting_cause == "two hours"
    assert list(host.retry_after_waits.waits) == [wait, (NOW, 60.0)]
    restore(host, SavedRest(NOW + timedelta(hours=3), "three hours", ()))
    assert host.resting_until == NOW + timedelta(hours=3) and host.resting_cause == "three hours"


def test_a_database_that_cannot_keep_rests_leaves_fetching_as_it_was(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    with sessions.begin() as session:
        session.execute(text("DROP TABLE host_rests"))
    routes: dict[str, Route] = {
        "/busy": answer(503, b"busy", Retry_After="3600"),
        "/page": answer(200, b"ok"),
    }
    caplog.set_level(logging.WARNING)
    with serve(routes) as forum:
        results = _process(forum, sessions, NOW, "/page", "/busy", "/page")
    assert results[0] == "ok"
    assert [reason(r) for r in results[1:]] == [WAIT_AN_HOUR, WAIT_AN_HOUR]  # this process still rests it
    assert "could not be read" in caplog.text and "could not be kept" in caplog.text


def test_crawl_once_from_cron_leaves_a_resting_forum_alone_and_sources_status_says_until_when(
    fixture_config: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    routes = {"/robots.txt": answer(429, b"too many", Retry_After="7200")}
    with serve(routes) as forum:
        base = forum.url("/")
        (fixture_config / "sources.yaml").write_text(
            f'sources:\n  - {{key: busy, name: Busy, engine: discuz, base_url: "{base}", boards: ["2"]}}\n',
            encoding="utf-8",
        )
        assert main(["crawl", "--once", "--config", str(fixture_config)]) == 1
        assert forum.asked("/robots.txt") == 1
        before = datetime.now(UTC)
        assert main(["crawl", "--once", "--config", str(fixture_config)]) == 1  # the next cron run
        assert len(forum.requests) == 1  # not asked anything
    assert caplog.text.count("the forum asks us to wait 2 h (Retry-After)") >= 2  # each run says why
    capsys.readouterr()
    assert main(["sources", "status", "--config", str(fixture_config)]) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "not asked anything before" in line)
    assert line.endswith(": the forum asks us to wait 2 h (Retry-After)")
    shown = datetime.strptime(line.split("before ")[1][:16], "%Y-%m-%d %H:%M")
    zone = ZoneInfo(load_config(fixture_config, environ={}).settings.general.timezone)
    local = (before + timedelta(hours=2)).astimezone(zone).replace(tzinfo=None)
    assert abs((shown - local).total_seconds()) <= 120


def test_saving_merges_with_what_another_process_kept_and_forgets_old_waits(
    sessions: sessionmaker[Session],
) -> None:
    book = StoredRests(sessions, clock=lambda: NOW)
    old = (NOW - timedelta(hours=2), 120.0)  # out of the hour's window
    book.save("forum.example", SavedRest(NOW + timedelta(hours=2), "two hours", (old,)))
    recent = (NOW - timedelta(minutes=5), 60.0)
    book.save("forum.example", SavedRest(None, "", (recent,)))  # another process only waited
    kept = book.load("forum.example")
    assert kept is not None
    assert (kept.resting_until, kept.cause) == (NOW + timedelta(hours=2), "two hours")  # not shortened
    assert kept.waits == (recent,)


def test_sources_wake_lets_the_next_crawl_ask_a_resting_forum_again(
    fixture_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = {"/robots.txt": answer(429, b"too many", Retry_After="7200")}
    config = ["--config", str(fixture_config)]
    with serve(routes) as forum:
        (fixture_config / "sources.yaml").write_text(
            f'sources:\n  - {{key: busy, name: Busy, engine: discuz, base_url: "{forum.url("/")}", '
            'boards: ["2"]}\n',
            encoding="utf-8",
        )
        assert main(["crawl", "--once", *config]) == 1
        capsys.readouterr()
        assert main(["sources", "wake", "busi", *config]) == 1  # a typo: nothing lifted
        assert "no source 'busi' in sources.yaml (busy)" in capsys.readouterr().err
        assert main(["sources", "wake", "busy", *config]) == 0
        said = capsys.readouterr().out
        assert "busy (127.0.0.1:" in said and "is asked again at the next pass" in said
        assert ": the forum asks us to wait 2 h (Retry-After). A running service drops" in said
        assert main(["crawl", "--once", *config]) == 1  # asked again, and told to rest again
        assert forum.asked("/robots.txt") == 2
        assert main(["sources", "wake", "busy", *config]) == 0
        assert main(["sources", "wake", "busy", *config]) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .endswith("was not resting; its Retry-After waiting is forgotten all the same")
    )


def test_a_running_process_drops_its_rest_within_a_minute_of_a_lift_but_not_a_later_rest(
    sessions: sessionmaker[Session],
) -> None:
    routes: dict[str, Route] = {"/page": answer(200, b"fine")}
    clock = [NOW]

    async def go(forum: Server) -> list[str | FetchError]:
        netloc = forum.url("").removeprefix("http://")
        results: list[str | FetchError] = []
        async with app_client() as http:
            made = fetcher(http, clock=lambda: clock[0], rests=StoredRests(sessions))
            made._host(forum.url("/page")).rest(NOW, 7200)  # told by the forum, in this process only
            for minutes, act in ((0, ""), (1, "lift"), (0.5, ""), (1, ""), (1, "rest"), (1, "")):
                clock[0] += timedelta(minutes=minutes)
                if act == "lift":
                    StoredRests(sessions).lift(netloc, clock[0] - timedelta(seconds=1))
                if act == "rest":  # another worker is told to rest it after the lift: that holds
                    StoredRests(sessions).save(
                        netloc, SavedRest(clock[0] + timedelta(hours=1), WAIT_AN_HOUR, ())
                    )
                try:
                    results.append((await made.get(forum.url("/page"))).text)
                except FetchError as exc:
                    results.append(exc)
        return results

    with serve(routes) as forum:
        results = asyncio.run(go(forum))
    assert reason(results[0]) == "the forum asks us to wait 2 h (Retry-After)"
    assert results[1:4] == ["fine", "fine", "fine"]  # the lift read at 12:01 (a minute after 12:00)
    assert [reason(r) for r in results[4:]] == [WAIT_AN_HOUR, WAIT_AN_HOUR]
    assert forum.asked("/page") == 3


def test_a_lift_has_a_robots_txt_that_rested_the_host_read_again_at_once() -> None:
    """A rest told on robots.txt had kept the host unread for the 5 min robots.txt is retried after."""
    host = Host.under(Politeness())
    host.rest(NOW, 7200)
    host.robots_loaded_at, host.robots_problem = NOW, "the forum asks us to wait 2 h (Retry-After)"
    restore(host, SavedRest(None, "", (), lifted_at=NOW + timedelta(minutes=1)))
    assert host.resting_until is None and host.robots_due(lambda: NOW + timedelta(minutes=2), 300.0)


def test_a_lift_forgets_the_waits_before_it_and_a_later_save_does_not_bring_them_back(
    sessions: sessionmaker[Session],
) -> None:
    book = StoredRests(sessions, clock=lambda: NOW)
    before = (NOW - timedelta(minutes=5), 240.0)
    book.save("forum.example", SavedRest(NOW + timedelta(hours=2), "two hours", (before,)))
    lifted = book.lift("forum.example", NOW)
    assert lifted is not None and lifted.cause == "two hours"
    after = (NOW + timedelta(minutes=1), 30.0)
    book.save("forum.example", SavedRest(None, "", (before, after)))  # a process that had not read it
    kept = book.load("forum.example")
    assert kept is not None and kept.resting_until is None and kept.waits == (after,)
    host = Host.under(Politeness())
    host.retry_after_waits.waits.extend([before, after])
    restore(host, kept)
    assert list(host.retry_after_waits.waits) == [after]
    assert book.lift("forum.example", NOW) is None  # nothing on: nothing lifted
