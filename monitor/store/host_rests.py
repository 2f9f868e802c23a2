"""Hosts' Retry-After rests in the database (table ``host_rests``): the
:class:`~monitor.fetch.host_rests.RestBook` the pipeline gives its fetcher.

A rest that cannot be read or written (the database locked or gone) is logged and left to the
process alone, as before there was a table: fetching goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.fetch.host_rests import SavedRest
from monitor.store.models import HostRest

log = logging.getLogger(__name__)


class StoredRests:
    """Hosts' rests kept in the monitor's database, one row per host."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def load(self, netloc: str) -> SavedRest | None:
        try:
            with self._sessions() as session:
                row = session.get(HostRest, netloc)
                return None if row is None else _saved(row)
        except SQLAlchemyError as exc:
            log.warning("the rest kept for %s could not be read: %s", netloc, exc, extra={"host": netloc})
            return None

    def save(self, netloc: str, rest: SavedRest) -> None:
        try:
            with self._sessions.begin() as session:
                row = session.get(HostRest, netloc)
                if row is None:
                    row = HostRest(netloc=netloc)
                    session.add(row)
                row.resting_until = rest.resting_until
                row.cause = rest.cause
                row.waits = [[when.astimezone(UTC).isoformat(), seconds] for when, seconds in rest.waits]
                row.updated_at = self._clock()
        except SQLAlchemyError as exc:
            log.warning("the rest of %s could not be kept: %s", netloc, exc, extra={"host": netloc})

    def resting(self, now: datetime) -> list[HostRest]:
        """Hosts resting at ``now``, the soonest back first (for ``sources status``)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(HostRest).where(HostRest.resting_until > now).order_by(HostRest.resting_until)
            )
            return list(rows)


def _saved(row: HostRest) -> SavedRest:
    waits: list[tuple[datetime, float]] = []
    for item in row.waits or []:
        try:
            when = datetime.fromisoformat(str(item[0]))
            waits.append((when if when.tzinfo else when.replace(tzinfo=UTC), float(item[1])))
        except (TypeError, ValueError, IndexError):
            continue  # a hand-edited row: the wait is forgotten, the rest kept
    return SavedRest(resting_until=row.resting_until, cause=row.cause, waits=tuple(sorted(waits)))
