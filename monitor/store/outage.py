"""The database going away under a running service, said once: one line when it stops answering,
one when it answers again — not a traceback from every job every minute until it is back.

The jobs of ``monitor run`` report each run to one :class:`DatabaseOutage`; a job the database
failed ends (its next run tries again), and only the first failure of an outage is logged, as a
warning with its cause.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be used right now (down, unreachable, a dropped
    connection, SQLite locked or its disk gone), rather than a bug in a query."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _cause(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()
    return first[0] if first else type(orig).__name__


class DatabaseOutage:
    def __init__(self) -> None:
        self.down_since: datetime | None = None
        self.failures = 0

    def failed(self, job: str, exc: BaseException, now: datetime | None = None) -> None:
        self.failures += 1
        if self.down_since is not None:
            log.debug("%s: the database still does not answer: %s", job, _cause(exc))
            return
        self.down_since = now or datetime.now(UTC)
        log.warning(
            "the database does not answer (%s): %s; every job waits for it and tries again at its next run",
            job,
            _cause(exc),
        )

    def answered(self, now: datetime | None = None) -> None:
        if self.down_since is None:
            return
        minutes = ((now or datetime.now(UTC)) - self.down_since).total_seconds() / 60
        log.warning(
            "the database answers again, after %.0f min (%d job runs could not use it)",
            minutes,
            self.failures,
        )
        self.down_since, self.failures = None, 0
