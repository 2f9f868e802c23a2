"""Hosts' Retry-After rests in the database (table ``host_rests``): the
:class:`~monitor.fetch.host_rests.RestBook` the pipeline gives its fetcher.

A rest that cannot be read or written (the database locked or gone) is logged and left to the
process alone, as before there was a table: fetching goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.fetch.host_rests import SavedRest
from monitor.fetch.retry_after import RETRY_AFTER_WINDOW_SECONDS
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
        """Keep ``rest``, merged with what is kept (another process may have saved since this one
        read it): the later end holds, and every wait counts once. The count of blocks in a row
        goes with the later rest; one without a rest (a page read again) holds unless one is on."""
        try:
            with self._sessions.begin() as session:
                row = _row(session, netloc)
                kept = _saved(row)
                if kept.resting_until is None or (
                    rest.resting_until is not None and rest.resting_until >= kept.resting_until
                ):
                    row.resting_until, row.cause = rest.resting_until, rest.cause
                    row.blocks_in_a_row = rest.blocks_in_a_row
                now = self._clock()
                if rest.resting_until is None and (kept.resting_until is None or kept.resting_until <= now):
                    row.blocks_in_a_row = rest.blocks_in_a_row
                since = now - timedelta(seconds=RETRY_AFTER_WINDOW_SECONDS)  # older waits count no more
                if row.lifted_at is not None:  # and those before a lift by hand not at all
                    since = max(since, row.lifted_at)
                waits = sorted(wait for wait in set(kept.waits) | set(rest.waits) if wait[0] > since)
                row.waits = [[when.astimezone(UTC).isoformat(), seconds] for when, seconds in waits]
                row.updated_at = now
        except SQLAlchemyError as exc:
            log.warning("the rest of %s could not be kept: %s", netloc, exc, extra={"host": netloc})

    def lift(self, netloc: str, now: datetime) -> SavedRest | None:
        """End the host's rest by hand (``monitor sources wake``), for every process on the database:
        each drops the rest it holds when it next reads the row (within :data:`REREAD_SECONDS`).
        Returns the rest that was on (None: there was none; the budget's waits are forgotten all the
        same). Unlike :meth:`load` and :meth:`save`, a database error is the caller's to report."""
        with self._sessions.begin() as session:
            row = _row(session, netloc)
            before = _saved(row)
            row.resting_until, row.cause, row.waits, row.blocks_in_a_row = None, "", [], 0
            row.lifted_at = row.updated_at = now
        on = before.resting_until is not None and before.resting_until > now
        return before if on else None


def _row(session: Session, netloc: str) -> HostRest:
    """The host's row, added empty if it has none yet."""
    row = session.get(HostRest, netloc)
    if row is None:
        row = HostRest(netloc=netloc, resting_until=None, cause="", waits=[], blocks_in_a_row=0)
        session.add(row)
    return row


def _saved(row: HostRest) -> SavedRest:
    waits: list[tuple[datetime, float]] = []
    for item in row.waits or []:
        try:
            when = datetime.fromisoformat(str(item[0]))
            waits.append((when if when.tzinfo else when.replace(tzinfo=UTC), float(item[1])))
        except (TypeError, ValueError, IndexError):
            continue  # a hand-edited row: the wait is forgotten, the rest kept
    return SavedRest(
        resting_until=row.resting_until,
        cause=row.cause,
        waits=tuple(sorted(waits)),
        lifted_at=row.lifted_at,
        blocks_in_a_row=row.blocks_in_a_row or 0,
    )
