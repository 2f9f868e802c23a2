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
