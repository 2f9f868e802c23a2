"""The database going away under `monitor run`: one warning when it stops answering, one when it
answers again, not a traceback from every job every minute (monitor/store/outage.py, the jobs'
wrapper in monitor/scheduling.py). A real refused connection; no sleeping."""

from __future__ import annotations

import asyncio
import logging

import pytest
from closed_port import closed_port
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from monitor import scheduling
from monitor.store.db import make_engine
from monitor.store.outage import DatabaseOutage


def test_a_database_that_stops_answering_is_said_once_and_its_return_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(scheduling, "DATABASE", DatabaseOutage())
    engine = make_engine(f"postgresql+psycopg://monitor@127.0.0.1:{closed_port()}/monitor?connect_timeout=2")
    up = [False]

    async def sla_job() -> None:
        if not up[0]:
            with engine.connect() as connection:  # refused: the server is down
                connection.execute(text("SELECT 1"))

    async def hot_boards_job() -> None:  # no hot board: it asks the database nothing
        return None

    job = scheduling._stops_quietly(sla_job, always_asks_database=True)
    caplog.set_level(logging.DEBUG, logger="monitor")
    for _ in range(5):
        asyncio.run(job())  # no exception escapes to the scheduler: no traceback in the log
        asyncio.run(scheduling._stops_quietly(hot_boards_job)())  # ends well: no false "answers again"
    up[0] = True
    asyncio.run(job())
    asyncio.run(job())
    engine.dispose()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0].startswith("the database does not answer (sla job): ")
    assert "every job waits for it and tries again at its next run" in warnings[0]
    assert (
        warnings[1].startswith("the database answers again, after ")
        and "(5 job runs could not use it)" in warnings[1]
    )
    assert not any(r.exc_info for r in caplog.records)


def test_a_query_that_is_wrong_is_not_taken_for_an_outage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduling, "DATABASE", DatabaseOutage())

    async def broken_job() -> None:
        raise ProgrammingError("SELECT nonsense", {}, Exception("syntax error"))

    with pytest.raises(ProgrammingError):  # a bug still surfaces, with its traceback
        asyncio.run(scheduling._stops_quietly(broken_job)())
    assert scheduling.DATABASE.down_since is None


def test_a_server_that_takes_the_connection_and_never_answers_fails_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """/healthz had hung 130 s on such a server: no connect timeout was set for PostgreSQL."""
    import socket
    import time

    from sqlalchemy.exc import OperationalError

    from monitor.store import db

    monkeypatch.setattr(db, "CONNECT_TIMEOUT_SECONDS", 1)
    with socket.socket() as silent:  # accepts (the kernel does, from its backlog) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        engine = make_engine(f"postgresql+psycopg://monitor@127.0.0.1:{silent.getsockname()[1]}/monitor")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="timeout"), engine.connect():
            pass
        engine.dispose()
    assert time.monotonic() - started < 10
