"""One crawling process per database (monitor.store.run_lock), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.store.db import make_engine
from monitor.store.run_lock import AlreadyRunning, run_lock


def test_the_second_holder_is_refused_naming_the_first_until_it_lets_go(db_url: str) -> None:
    first, second = make_engine(db_url), make_engine(db_url)
    try:
        named = rf"^`monitor crawl` not started: `monitor run` \(pid {os.getpid()}\b.* is already crawling"
        refused = pytest.raises(AlreadyRunning, match=named)
        with run_lock(first, "monitor run"), refused, run_lock(second, "monitor crawl"):
            pytest.fail("two holders at once")
        with run_lock(second, "monitor crawl"):  # let go: the next one starts
            pass
        with run_lock(first, "monitor run"):  # and the lock is not left held by the refused one
            pass
    finally:
        first.dispose()
        second.dispose()


def test_another_path_to_the_same_sqlite_file_is_the_same_database(tmp_path: Path) -> None:
    (tmp_path / "monitor.db").touch()
    (tmp_path / "link.db").symlink_to(tmp_path / "monitor.db")
    direct, linked = (
        make_engine(f"sqlite:///{tmp_path / 'monitor.db'}"),
        make_engine(f"sqlite:///{tmp_path / 'link.db'}"),
    )
    try:
        with run_lock(direct, "monitor run"), pytest.raises(AlreadyRunning), run_lock(linked, "monitor run"):
            pytest.fail("the link dodged the lock")
    finally:
        direct.dispose()
        linked.dispose()


KILL = "select pg_terminate_backend(pid) from pg_stat_activity where application_name like :me"


@pytest.mark.postgres
def test_a_lock_whose_connection_the_server_dropped_is_taken_again(
    postgres_server_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """After a database blip `crawl --once` ran beside `monitor run`: the lock went with its connection."""
    import logging
    import time

    from sqlalchemy import text

    from monitor.store import run_lock as run_lock_module

    monkeypatch.setattr(run_lock_module, "KEEP_SECONDS", 0.2)
    caplog.set_level(logging.WARNING, logger="monitor")
    first, second, admin = (make_engine(postgres_server_url) for _ in range(3))
    mine = f"`monitor run` (pid {os.getpid()} on %"
    try:
        with run_lock(first, "monitor run"):
            with admin.begin() as connection:  # the server drops the lock's connection (a restart, a blip)
                dropped = connection.execute(text(KILL), {"me": mine}).scalars().all()
            assert dropped == [True]
            deadline = time.monotonic() + 10
            while "the run lock is held again" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.05)
            with pytest.raises(AlreadyRunning), run_lock(second, "monitor crawl"):
                pytest.fail("the lock was not taken again")
        assert "the run lock's connection was lost" in caplog.text
        with run_lock(second, "monitor crawl"):  # let go at the end, with no error
            pass
    finally:
        for engine in (first, second, admin):
            engine.dispose()
