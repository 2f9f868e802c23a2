"""Giving back the space a prune left: ``monitor db prune --vacuum``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from monitor.store.retention import TABLES


@dataclass(frozen=True)
class VacuumReport:
    """Space given back: the SQLite file's bytes before and after (None on PostgreSQL)."""

    before: int | None
    after: int | None
    seconds: float

    def describe(self) -> str:
        if self.before is None or self.after is None:
            return (
                f"vacuumed in {self.seconds:.1f} s (PostgreSQL reuses the space; its files keep their size)"
            )
        return f"vacuumed in {self.seconds:.1f} s: {self.before / 1e6:,.1f} MB -> {self.after / 1e6:,.1f} MB"


def vacuum(engine: Engine) -> VacuumReport:
    """Give the space deleted rows left back to the system (SQLite: VACUUM rewrites the file under an
    exclusive lock, needing as much free disk again; PostgreSQL: VACUUM ANALYZE marks it reusable).

    Not needed after every prune: both reuse the space of deleted rows for new ones, so a regularly
    pruned database stops growing; it is for shrinking the file once, after a first, big prune.
    """
    started = time.monotonic()
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        path = engine.url.database
        before = _sqlite_bytes(path)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return VacuumReport(before, _sqlite_bytes(path), time.monotonic() - started)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE) " + ", ".join(TABLES))
    return VacuumReport(None, None, time.monotonic() - started)


def _sqlite_bytes(path: str | None) -> int | None:
    if not path or path == ":memory:":
        return None
    return sum(Path(name).stat().st_size for name in (path, f"{path}-wal") if Path(name).exists())
