"""One crawling process per database: ``monitor run`` (without a broker) and ``monitor crawl``.

Two of them on one database by mistake would read every board twice as often and race each other
writing the same posts; the outbox and the digest already keep them from sending anything twice,
but the second should not start at all. :func:`run_lock` holds the database's lock for the life of
the block, or raises :class:`AlreadyRunning` naming what holds it:

* SQLite — an exclusive ``flock`` on ``<database file>.run-lock`` (the file keeps the holder's
  pid and command; the lock goes with the process, however it ends);
* PostgreSQL — a session advisory lock, on a connection kept open for the block and checked every
  :data:`KEEP_SECONDS`: a connection the server dropped (a restart, a network blip) took the lock
  with it, so it is taken again on a new one — or, if another process took it meanwhile, that is
  logged as the error it is.

Other databases, and platforms without ``fcntl``, run unguarded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import MonitorError

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x6D6F6E69746F72  # "monitor": the PostgreSQL advisory lock's key


class AlreadyRunning(MonitorError):
    """Another crawling process holds this database."""


@contextmanager
def run_lock(engine: Engine, command: str, advice: str = "") -> Iterator[None]:
    """Hold the database's run lock while the block runs ``command`` (named to whoever is refused);
    ``advice``: what a refusal tells to do instead of the usual (stop the other process first)."""
    backend = engine.url.get_backend_name()
    shown = engine.url.render_as_string(hide_password=True)
    if backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        # the file itself, whatever path or link names it
        with _file_lock(Path(f"{Path(engine.url.database).resolve()}.run-lock"), command, shown, advice):
            yield
    elif backend == "postgresql":
        with _advisory_lock(engine, command, shown, advice):
            yield
    else:
        yield


@contextmanager
def _file_lock(path: Path, command: str, shown: str, advice: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not on a POSIX system: unguarded
        yield
        return
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise AlreadyRunning(_refusal(command, holder, shown, advice)) from None
        with holding(handle, f"`{command}` (pid {os.getpid()})"):
            yield


@contextmanager
def holding(handle: TextIO, holder: str) -> Iterator[None]:
    """With the flock on ``handle`` taken: write who holds it (for whoever is refused or waits),
    and at the end clear it and let go."""
    import fcntl

    handle.seek(0)
    handle.truncate()
    handle.write(f"{holder}\n")
    handle.flush()
    try:
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(engine: Engine, command: str, shown: str, advice: str) -> Iterator[None]:
    # who holds the lock is told by the session's name: the command and its pid and host
    me = f"`{command}` (pid {os.getpid()} on {socket.gethostname()})"[:63]
    connection = engine.connect()
    try:
        if not _take(connection, me):
            holder = connection.execute(
                text(
                    "select coalesce(nullif(a.application_name, ''), 'another process on ' || "
                    "coalesce(host(a.client_addr), 'this host')) from pg_locks l join pg_stat_activity a "
                    "using (pid) where l.locktype = 'advisory' and l.granted and "
                    "l.database = (select oid from pg_database where datname = current_database()) and "
                    "(l.classid::bigint << 32 | l.objid::bigint) = :key limit 1"
                ),
                {"key": ADVISORY_KEY},
            ).scalar()
            raise AlreadyRunning(_refusal(command, holder or "another process", shown, advice))
    except BaseException:
        connection.close()
        raise
    keeper = _Keeper(engine, connection, me)
    keeper.start()
    try:
        yield
    finally:
        keeper.stop()


def _take(connection: Connection, me: str) -> bool:
    connection.execute(text("select set_config('application_name', :me, false)"), {"me": me})
    held = connection.execute(text("select pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
    connection.commit()
    return bool(held)


KEEP_SECONDS = 30.0


class _Keeper(threading.Thread):
    """Checks the lock's connection every :data:`KEEP_SECONDS` and takes the lock again on a new
    one when the server dropped it; lets it go at the end (a dead connection let go of it already)."""

    def __init__(self, engine: Engine, connection: Connection, me: str) -> None:
        super().__init__(name="run-lock keeper", daemon=True)
        self.engine, self.connection, self.me = engine, connection, me
        self.done = threading.Event()
        self.lost = False  # the lock is not held: the connection dropped, not taken again yet
        self.said_taken = False

    def run(self) -> None:
        while not self.done.wait(KEEP_SECONDS):
            if not self.lost:
                try:
                    self.connection.execute(text("select 1"))
                    self.connection.commit()
                    continue
                except SQLAlchemyError as exc:
                    log.warning("the run lock's connection was lost (%s); taking the lock again", exc)
            self.lost = not self._take_again()

    def _take_again(self) -> bool:
        with contextlib.suppress(SQLAlchemyError):
            self.connection.close()
        try:
            self.connection = self.engine.connect()
            if _take(self.connection, self.me):
                log.warning("the run lock is held again")
                self.said_taken = False
                return True
        except SQLAlchemyError as exc:
            log.debug("the run lock cannot be taken again yet: %s", exc)
            return False
        if not self.said_taken:
            self.said_taken = True
            log.error(
                "the run lock was taken by another process while the database was away: two crawlers may "
                "now run on this database; stop one"
            )
        return False

    def stop(self) -> None:
        self.done.set()
        self.join()
        with contextlib.suppress(SQLAlchemyError):  # a dropped connection let go of the lock already
            self.connection.execute(text("select pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            self.connection.commit()
        with contextlib.suppress(SQLAlchemyError):
            self.connection.close()


def _refusal(command: str, holder: str, shown: str, advice: str = "") -> str:
    return (
        f"`{command}` not started: {holder} is already crawling {shown}; two would read every board "
        "twice and race each other's writes. "
        + (
            advice
            or "Stop it first (or, on several machines, use [distributed] broker_url and `monitor worker`)."
        )
    )
