"""One schema migration at a time per database.

Commands started together on a database that is behind (``monitor run`` and ``monitor web`` from two
systemd units, on a new database) would otherwise both run the migrations, and the second would
crash on the tables the first made. :func:`migration_lock` holds the database's migration lock for
the block, waiting for whoever holds it; the caller re-reads the revision under it and migrates only
what is still to do. It waits at most :data:`TIMEOUT_SECONDS`, then raises :class:`StoreError`
naming the lock and its holder:

* SQLite — an exclusive ``flock`` on ``<database file>.migrate-lock`` (the file keeps the holder's
  pid; the lock goes with the process, however it ends);
* PostgreSQL — a session advisory lock (a key of its own, not the run lock's), on a connection
  kept open for the block.

Other databases (and in-memory SQLite, and platforms without ``fcntl``) migrate unguarded.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from monitor.errors import StoreError
from monitor.store.run_lock import holding

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x6D6F6E2D6D6967  # "mon-mig": the PostgreSQL advisory lock's key (run_lock has its own)
TIMEOUT_SECONDS = 300.0  # how long a migration waits for another one to finish
POLL_SECONDS = 0.05  # how often a waiter tries the SQLite lock file again
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout runs out
WAITING = "waiting for another process to finish migrating the database"


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock while the block runs, waiting for it if another holds it."""
    backend = engine.url.get_backend_name()
    shown = engine.url.render_as_string(hide_password=True)
    if backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        # the file itself, whatever path or link names it
        with _file_lock(Path(f"{Path(engine.url.database).resolve()}.migrate-lock"), shown):
            yield
    elif backend == "postgresql":
        with _advisory_lock(engine, shown):
            yield
    else:
        yield


@contextmanager
def _file_lock(path: Path, shown: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not on a POSIX system: unguarded
        yield
        return
    timeout = TIMEOUT_SECONDS
    try:
        opened = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise StoreError(f"cannot open the migration lock file of {shown}: {exc}") from exc
    with opened as handle:
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting:
                    waiting = True
                    log.info(WAITING, extra={"database": shown, "lock": str(path)})
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise StoreError(_gave_up(timeout, shown, f"lock file {path}", holder)) from None
                time.sleep(POLL_SECONDS)
        with holding(handle, f"pid {os.getpid()} on {socket.gethostname()}"):
            yield


@contextmanager
def _advisory_lock(engine: Engine, shown: str) -> Iterator[None]:
    timeout = TIMEOUT_SECONDS
    with engine.connect() as connection:
        held = connection.execute(text("select pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        connection.commit()
        if not held:
            log.info(WAITING, extra={"database": shown, "lock": f"advisory lock {ADVISORY_KEY}"})
            # lock_timeout for this transaction only: the session goes back to the pool as it came
            milliseconds = str(max(1, round(timeout * 1000)))
            connection.execute(text("select set_config('lock_timeout', :ms, true)"), {"ms": milliseconds})
            try:
                connection.execute(text("select pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                    raise
                connection.rollback()
                what = f"PostgreSQL advisory lock {ADVISORY_KEY}"
                raise StoreError(_gave_up(timeout, shown, what, _advisory_holder(connection))) from None
            connection.commit()
        try:
            yield
        finally:
            connection.execute(text("select pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            connection.commit()


def _advisory_holder(connection: Connection) -> str:
    """Who holds the advisory lock: its server process, the client's name for itself, and address."""
    row = connection.execute(
        text(
            "select a.pid, nullif(a.application_name, ''), host(a.client_addr) from pg_locks l "
            "join pg_stat_activity a using (pid) where l.locktype = 'advisory' and l.granted and "
            "l.database = (select oid from pg_database where datname = current_database()) and "
            "(l.classid::bigint << 32 | l.objid::bigint) = :key limit 1"
        ),
        {"key": ADVISORY_KEY},
    ).first()
    if row is None:
        return "another process"
    pid, name, address = row
    named = f" ({name})" if name else ""
    return f"server process {pid}{named} of a client on {address or 'this host'}"


def _gave_up(timeout: float, shown: str, what: str, holder: str) -> str:
    return (
        f"waited {timeout:g} s for the migration lock on {shown} ({what}), held by {holder}, which "
        "is still migrating it (or is stuck doing so); let it finish or stop it, then start again"
    )
