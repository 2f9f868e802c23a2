"""indexes for a board's threads and a thread's snapshots in time order

After months of use (20,000 threads, a million snapshots), the board figures the detector and
``monitor threads rising`` read (each board's threads' latest snapshots) scanned the whole
snapshot table once per board: 0.24 s a board, growing with the table. ``threads.board_id``
gets an index, and ``thread_snapshots`` one on ``(thread_id, taken_at)``, which replaces the one
on ``thread_id`` alone (its prefix).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 05:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_threads_board_id", "threads", ["board_id"], unique=False)
    op.create_index(
        "ix_thread_snapshots_thread_id_taken_at", "thread_snapshots", ["thread_id", "taken_at"], unique=False
    )
    op.drop_index("ix_thread_snapshots_thread_id", table_name="thread_snapshots")


def downgrade() -> None:
    op.create_index("ix_thread_snapshots_thread_id", "thread_snapshots", ["thread_id"], unique=False)
    op.drop_index("ix_thread_snapshots_thread_id_taken_at", table_name="thread_snapshots")
    op.drop_index("ix_threads_board_id", table_name="threads")
