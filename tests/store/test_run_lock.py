"""One crawling process per database (monitor.store.run_lock), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from monitor.store.db import make_engine
from monitor.store.run_lock import AlreadyRunning, run_lock


def test_the_second_holder_is_refused_until_the_first_lets_go(db_url: str) -> None:
    first, second = make_engine(db_url), make_engine(db_url)
    try:
        refused = pytest.raises(AlreadyRunning, match=r"^`monitor crawl` not started: .* is already crawling")
        with run_lock(first, "monitor run"), refused, run_lock(second, "monitor crawl"):
            pytest.fail("two holders at once")
        with run_lock(second, "monitor crawl"):  # let go: the next one starts
            pass
        with run_lock(first, "monitor run"):  # and the lock is not left held by the refused one
            pass
    finally:
        first.dispose()
        second.dispose()
