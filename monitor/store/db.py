"""Engine, sessions and schema migrations (Alembic, shipped inside the package)."""

from __future__ import annotations

import logging
import sqlite3
import time
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import StoreError
from monitor.store.migration_lock import migration_lock

log = logging.getLogger(__name__)


CONNECT_TIMEOUT_SECONDS = 10


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite, create the file's directory and enable foreign keys + WAL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args: dict[str, object] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        # a server that takes the connection and never answers: fail, as /healthz must, not hang for minutes
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    engine = create_engine(url, future=True, connect_args=connect_args)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA foreign_keys=ON")
            _wal(cursor)
            cursor.close()

    return engine


WAL_SWITCH_SECONDS = 60.0


def _wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL. On a new file another process is switching or migrating at the same
    moment, SQLite answers "database is locked" at once, without its busy timeout: asked again for
    up to :data:`WAL_SWITCH_SECONDS`, so commands started together on a new database all start."""
    deadline = time.monotonic() + WAL_SWITCH_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(engine: Engine) -> AlembicConfig:
    script_location = resources.files("monitor.store") / "migrations"
    config = AlembicConfig()
    config.set_main_option("script_location", str(script_location))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; :class:`StoreError` for a database a newer version migrated.

    Under the database's migration lock (waiting for another process migrating it): alembic reads
    the revision under it, so what another process has just applied is not applied again."""
    with migration_lock(engine):
        _refuse_unknown(engine)
        _upgrade(engine, revision)


def _upgrade(engine: Engine, revision: str) -> None:
    """Apply migrations up to ``revision``, all or none; the caller holds the migration lock."""
    migrating = _all_or_nothing(engine)
    try:
        command.upgrade(_alembic_config(migrating), revision)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"migration failed on {engine.url.render_as_string(hide_password=True)}: {exc} "
            "(nothing of it was applied: the database is as it was)"
        ) from exc
    finally:
        if migrating is not engine:
            migrating.dispose()


def _all_or_nothing(engine: Engine) -> Engine:
    """An engine whose transactions hold DDL too. Python's sqlite3 commits every statement run before
    a transaction's first data change on its own (no BEGIN before ALTER or CREATE): a migration killed
    or failing half-way left its first columns and tables behind with the old revision stamped, and
    every later start failed on "duplicate column name". SQLAlchemy's recipe for the pysqlite driver:
    the driver's own transaction handling off, an explicit BEGIN at each transaction's start.
    PostgreSQL's DDL is transactional already; an in-memory SQLite database is only this engine's."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return engine
    migrating = make_engine(engine.url.render_as_string(hide_password=False))

    @event.listens_for(migrating, "connect")
    def _no_implicit_transactions(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(migrating, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")

    return migrating


def _refuse_unknown(engine: Engine, current: str | None = None) -> None:
    """:class:`StoreError` when the database is at a revision this version does not know."""
    current = current if current is not None else current_revision(engine)
    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    if current is None or any(known.revision == current for known in script.walk_revisions()):
        return
    raise StoreError(
        f"database {engine.url.render_as_string(hide_password=True)} is at revision {current}, which this "
        f"version of monitor does not know (it knows up to {head_revision()}): a newer version has migrated "
        "it. Run that version, or restore the backup taken before the upgrade"
    )


def ensure_schema(engine: Engine, auto_migrate: bool) -> None:
    """Bring the schema to head, or refuse to start when it is behind and auto_migrate is off.

    A database at head costs one read and no lock. One that is behind is migrated under the
    database's migration lock, after reading its revision again there: of several processes
    starting together on it, one migrates and the others, once it is done, find it at head."""
    shown = engine.url.render_as_string(hide_password=True)
    current = _read_revision(engine, shown)
    head = head_revision()
    if current == head:
        return
    _refuse_unknown(engine, current)
    if not auto_migrate:
        raise StoreError(f"database {shown} is at revision {current}, not {head}: run `monitor db upgrade`")
    with migration_lock(engine):
        current = _read_revision(engine, shown)  # another process may have migrated it meanwhile
        if current == head:
            return
        _refuse_unknown(engine, current)
        if current is None:
            log.info(_new_database(engine, shown))
        log.info("migrating database", extra={"database": shown, "from": current, "to": head})
        _upgrade(engine, "head")


def schema_warning(url: str, auto_migrate: bool) -> str | None:
    """What ``check-config`` says of the database ``monitor run`` will open, when it would not start
    on it as it is — behind with ``auto_migrate`` off, migrated by a newer version, or not opening —
    without creating it or changing anything (a SQLite file not there yet is made at the first start)."""
    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() == "sqlite" and (
        path in (None, "", ":memory:") or not Path(str(path)).exists()
    ):
        return None  # made at the first start (make_engine would make its folder already)
    engine = make_engine(url)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        current = _read_revision(engine, shown)
        head = head_revision()
        if current == head:
            return None
        _refuse_unknown(engine, current)
        if auto_migrate or current is None:
            return None
        return (
            f"database {shown} is at revision {current}, not {head}: `monitor run` will refuse to start "
            "until `monitor db upgrade` is run ([database] auto_migrate is off)"
        )
    except StoreError as exc:
        return str(exc)
    finally:
        engine.dispose()


def _read_revision(engine: Engine, shown: str) -> str | None:
    try:
        return current_revision(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open database {shown}: {exc}") from exc


def _new_database(engine: Engine, shown: str) -> str:
    """What to say when a database is set up from nothing: where it is, since a relative SQLite
    path (the default ``data/monitor.db``) is read from the directory the command runs in."""
    path = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return f"new database {shown}: nothing is stored in it yet"
    where = Path(path).resolve()
    relative = not Path(path).is_absolute()
    note = f" (a relative data_dir is read from where you run: {Path.cwd()})" if relative else ""
    return f"new database {where}: nothing is stored in it yet{note}"
