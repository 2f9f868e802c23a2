"""health events as outages; boards count their last poll's thread pages

A forum that is down used to leave one health event per board per poll (every few minutes, for
days). From now on an event stands for an outage: while a board keeps meeting the same kind of
problem, the open event counts it (``times``, ``last_at``) and the first poll that no longer
meets it ends it (``ended_at``; see monitor/health.py). Every event stored so far was one poll's,
so each becomes an outage seen once and over: ``last_at`` = ``ended_at`` = ``at``, ``times`` 1.
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
    with op.batch_alter_table("health_events", schema=None) as batch_op:
        batch_op.alter_column(
            "last_at", existing_type=monitor.store.types.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.create_index(batch_op.f("ix_health_events_board_id"), ["board_id"], unique=False)


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
