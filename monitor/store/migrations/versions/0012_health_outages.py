"""health events as outages; boards count their last poll's thread pages

A forum that is down used to leave one health event per board per poll (every few minutes, for
days). From now on an event stands for an outage: while a board keeps meeting the same kind of
problem, the open event counts it (``times``, ``last_at``) and the first poll that no longer
meets it ends it (``ended_at``; see monitor/health.py). Every event stored so far was one poll's:
a board's events of one kind at one URL, each within :data:`SAME_OUTAGE` of the one before and
with no ``recovered`` of the board between them, become one outage (the first row, counting
them; the others go), so the digest of the week of the upgrade counts outages as later weeks do.
An outage is over at its board's next ``recovered`` or, without one, at its last time — except the
board list's outage of a board still failing, which goes on.
``health_events.board_id`` gets an index: the open event of a board is looked up at each failure.

``boards.last_thread_pages_read`` and ``last_thread_pages_failed``: the thread pages the last
good poll read and could not read (0 until a board's next poll); ``boards.degraded_since``: when
its polls began to read its list but none of its thread pages (its posts are not being read);
NULL for every board until a poll finds it so.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("boards", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_thread_pages_read", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("last_thread_pages_failed", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("degraded_since", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("health_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("times", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("ended_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
    events = sa.table(
        "health_events",
        sa.column("at", monitor.store.types.UTCDateTime(timezone=True)),
        sa.column("last_at", monitor.store.types.UTCDateTime(timezone=True)),
        sa.column("ended_at", monitor.store.types.UTCDateTime(timezone=True)),
    )
    op.execute(events.update().values(last_at=events.c.at, ended_at=events.c.at))
    _polls_into_outages(op.get_bind())
    with op.batch_alter_table("health_events", schema=None) as batch_op:
        batch_op.alter_column(
            "last_at", existing_type=monitor.store.types.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.create_index(batch_op.f("ix_health_events_board_id"), ["board_id"], unique=False)


SAME_OUTAGE = timedelta(hours=2)
"""Two failed polls of one page this far apart or closer, with no recovery between, are one outage."""
ONE_OFF = ("recovered", "zero_threads")


def _polls_into_outages(connection: sa.Connection) -> None:
    events = sa.table(
        "health_events",
        sa.column("id", sa.Integer()),
        sa.column("board_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("url", sa.String()),
        sa.column("at", monitor.store.types.UTCDateTime(timezone=True)),
        sa.column("last_at", monitor.store.types.UTCDateTime(timezone=True)),
        sa.column("times", sa.Integer()),
        sa.column("ended_at", monitor.store.types.UTCDateTime(timezone=True)),
    )
    boards = sa.table(
        "boards",
        sa.column("id", sa.Integer()),
        sa.column("consecutive_failures", sa.Integer()),
        sa.column("last_failure_at", monitor.store.types.UTCDateTime(timezone=True)),
    )
    failing = {
        board_id: last_failure_at
        for board_id, failures, last_failure_at in connection.execute(
            sa.select(boards.c.id, boards.c.consecutive_failures, boards.c.last_failure_at)
        )
        if failures
    }
    rows = connection.execute(
        sa.select(events.c.id, events.c.board_id, events.c.kind, events.c.url, events.c.at)
        .where(events.c.board_id.is_not(None))
        .order_by(events.c.board_id, events.c.at, events.c.id)
    )
    outages: list[list[Any]] = []  # [id, times, last_at, ended_at]
    open_: dict[tuple[int, str, str], list[Any]] = {}
    gone: list[int] = []
    for row_id, board_id, kind, url, at in rows:
        if kind in ONE_OFF:
            if kind == "recovered":
                for key in [k for k in open_ if k[0] == board_id]:
                    open_.pop(key)[3] = at
            continue
        key = (board_id, kind, url)
        going = open_.get(key)
        if going is not None and at - going[2] <= SAME_OUTAGE:
            going[1] += 1
            going[2] = at
            gone.append(row_id)
            continue
        if going is not None:
            going[3] = going[2]
        outage = [row_id, 1, at, None, board_id]
        outages.append(outage)
        open_[key] = outage
    for outage in open_.values():  # no recovery seen: over at its last time, unless its board still fails
        _, _, last_at, _, board_id = outage
        outage[3] = None if failing.get(board_id) == last_at else last_at
    for row_id, times, last_at, ended_at, _ in outages:
        if times > 1 or ended_at != last_at:
            connection.execute(
                events.update()
                .where(events.c.id == row_id)
                .values(times=times, last_at=last_at, ended_at=ended_at)
            )
    for start in range(0, len(gone), 500):
        connection.execute(events.delete().where(events.c.id.in_(gone[start : start + 500])))


def downgrade() -> None:
    with op.batch_alter_table("health_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_health_events_board_id"))
        batch_op.drop_column("ended_at")
        batch_op.drop_column("times")
        batch_op.drop_column("last_at")
    # boards is referenced by other tables: on SQLite (3.35+), drop its columns in place, no copy
    with op.batch_alter_table("boards", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("degraded_since")
        batch_op.drop_column("last_thread_pages_failed")
        batch_op.drop_column("last_thread_pages_read")
