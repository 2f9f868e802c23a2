"""Several processes starting at once on a fresh database migrate it once, on SQLite and PostgreSQL.

Real processes, no mocks: each child imports everything, says it is ready, and waits on its stdin;
the test lets them all go at the same moment, so they reach the (empty) schema together, as two
systemd units starting ``monitor run`` and ``monitor web`` do.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.errors import StoreError
from monitor.store import migration_lock as migration_lock_module
from monitor.store.db import current_revision, ensure_schema, head_revision, make_engine, upgrade
from monitor.store.migration_lock import migration_lock

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 4
PROCESSES = 4

# ensure_schema as every command calls it at start-up, or upgrade as `monitor db upgrade` does
CHILD = """
import logging, sys
from monitor.store.db import ensure_schema, head_revision, make_engine, upgrade
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
engine = make_engine(sys.argv[1])
head_revision()  # load the migration scripts before the start
print("ready", flush=True)
sys.stdin.readline()
if sys.argv[2] == "upgrade":
    upgrade(engine)
else:
    ensure_schema(engine, auto_migrate=True)
engine.dispose()
"""


def _race(url: str, processes: int = PROCESSES, upgrades: bool = True) -> list[str]:
    """Start ``processes`` children on ``url`` at once; assert all succeed; return their stderr."""
    ways = ["upgrade" if upgrades and i % 2 else "ensure_schema" for i in range(processes)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, way],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for way in ways
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", child.communicate(timeout=60)
        for child in children:  # all at once
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        said = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    failed = [
        f"{way} exit {child.returncode}: {err}"
        for way, child, (_, err) in zip(ways, children, said, strict=True)
        if child.returncode != 0
    ]
    assert not failed, "\n".join(failed)
    return [err for _, err in said]


def _assert_migrated_once(url: str, stderrs: list[str]) -> None:
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    # upgrade() says nothing; ensure_schema says it when it migrates: at most one of them did
    assert sum(err.count("migrating database") for err in stderrs) <= 1, stderrs


def test_processes_starting_together_on_a_fresh_sqlite_file_migrate_it_once(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        url = f"sqlite:///{tmp_path / f'round{round_}' / 'monitor.db'}"
        _assert_migrated_once(url, _race(url))


def test_two_cli_commands_starting_together_on_a_fresh_sqlite_file_both_run(tmp_path: Path) -> None:
    """The tester's reproduction: `monitor alerts list` twice at once on a new database."""
    monitor = Path(sys.executable).parent / "monitor"
    for round_ in range(2):
        url = f"sqlite:///{tmp_path / f'round{round_}' / 'monitor.db'}"
        environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MONITOR_DATABASE_URL": url}
        children = [
            subprocess.Popen(
                [str(monitor), "alerts", "list", "--config", str(ROOT / "config")],
                env=environment,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        said = [child.communicate(timeout=120) for child in children]
        assert [child.returncode for child in children] == [0, 0], said
        _assert_migrated_once(url, [])


@pytest.fixture
def fresh_postgres_database(postgres_server_url: str) -> Iterator[str]:
    """A database of its own on the test server (not the shared one's schemas: the race needs a fresh
    database, and the advisory locks are the database's), dropped afterwards."""
    name = f"monitor_migrate_race_{uuid.uuid4().hex[:12]}"
    server = sa.make_url(postgres_server_url)
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'create database "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@pytest.mark.postgres
def test_processes_starting_together_on_a_fresh_postgres_database_migrate_it_once(
    fresh_postgres_database: str,
) -> None:
    url = fresh_postgres_database
    for round_ in range(ROUNDS):
        if round_:  # empty it again: drop what the last round made
            engine = make_engine(url)
            with engine.begin() as connection:
                connection.execute(sa.text("drop schema public cascade"))
                connection.execute(sa.text("create schema public"))
            engine.dispose()
        _assert_migrated_once(url, _race(url))


# --- the lock itself: where it is, what it costs, and how long it waits -------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def locked_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield request.getfixturevalue("fresh_postgres_database")


def test_a_database_at_head_starts_without_the_lock(locked_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, holder = make_engine(locked_url), make_engine(locked_url)
    try:
        ensure_schema(engine, auto_migrate=True)
        monkeypatch.setattr(migration_lock_module, "TIMEOUT_SECONDS", 0.5)
        with migration_lock(holder):  # held elsewhere: an ordinary start does not wait for it
            ensure_schema(engine, auto_migrate=True)
    finally:
        engine.dispose()
        holder.dispose()


def test_a_migration_waits_for_the_lock_and_gives_up_naming_it(
    locked_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, holder = make_engine(locked_url), make_engine(locked_url)
    try:
        monkeypatch.setattr(migration_lock_module, "TIMEOUT_SECONDS", 0.5)
        what = r"migrate-lock" if locked_url.startswith("sqlite") else r"advisory lock"
        with migration_lock(holder):
            with pytest.raises(StoreError, match=rf"waited 0\.5 s for the migration lock .*{what}"):
                ensure_schema(engine, auto_migrate=True)
            with pytest.raises(StoreError, match=r"waited 0\.5 s for the migration lock"):
                upgrade(engine)
        assert current_revision(engine) is None  # nothing done while it waited
        ensure_schema(engine, auto_migrate=True)  # let go: the next one migrates
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
        holder.dispose()
